package pdq

import (
	"bytes"
	"image"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/basira-org/basira/internal/refdata"
)

func decodeDir(b *testing.B, rel string) []image.Image {
	b.Helper()
	dir := refdata.Path(b, rel)
	files, _ := filepath.Glob(filepath.Join(dir, "*.jpg"))
	var imgs []image.Image
	for _, f := range files {
		img, err := DecodeFile(f)
		if err != nil {
			b.Fatal(err)
		}
		imgs = append(imgs, img)
	}
	return imgs
}

// BenchmarkHash measures hashing of decoded images (decode excluded, one
// core), per image, on the reference's timing sets: the 1600x1004 dihedral
// photos (downsampled to 512x512 first, as the reference does) and the
// 256x256 labelme photos.
func BenchmarkHash(b *testing.B) {
	for _, set := range []string{"dih", "labelme-subset"} {
		b.Run(set, func(b *testing.B) {
			imgs := decodeDir(b, "pdq/pdq/data/reg-test-input/"+set)
			h := NewHasher()
			b.ReportAllocs()
			i := 0
			c0 := cpuNow()
			for b.Loop() {
				h.Hash(imgs[i%len(imgs)])
				i++
			}
			b.ReportMetric(float64(cpuNow()-c0)/float64(b.N), "cpu-ns/op")
		})
	}
}

// BenchmarkDecode measures image/jpeg decoding alone, per image.
func BenchmarkDecode(b *testing.B) {
	for _, set := range []string{"dih", "labelme-subset"} {
		b.Run(set, func(b *testing.B) {
			dir := refdata.Path(b, "pdq/pdq/data/reg-test-input/"+set)
			files, _ := filepath.Glob(filepath.Join(dir, "*.jpg"))
			var data [][]byte
			for _, f := range files {
				d, err := os.ReadFile(f)
				if err != nil {
					b.Fatal(err)
				}
				data = append(data, d)
			}
			i := 0
			c0 := cpuNow()
			for b.Loop() {
				if _, _, err := DecodeBytes(data[i%len(data)]); err != nil {
					b.Fatal(err)
				}
				i++
			}
			b.ReportMetric(float64(cpuNow()-c0)/float64(b.N), "cpu-ns/op")
		})
	}
}

// BenchmarkFileToHashParallel reads, decodes and hashes files on every core
// (GOMAXPROCS workers); ns/op is per file.
func BenchmarkFileToHashParallel(b *testing.B) {
	for _, set := range []string{"dih", "labelme-subset"} {
		b.Run(set, func(b *testing.B) {
			dir := refdata.Path(b, "pdq/pdq/data/reg-test-input/"+set)
			files, _ := filepath.Glob(filepath.Join(dir, "*.jpg"))
			var next atomic.Int64
			b.ResetTimer()
			for b.Loop() {
				next.Store(0)
				var wg sync.WaitGroup
				for range runtime.GOMAXPROCS(0) {
					wg.Add(1)
					go func() {
						defer wg.Done()
						h := NewHasher()
						for {
							k := next.Add(1) - 1
							if k >= int64(len(files)) {
								return
							}
							if _, err := h.HashFile(files[k]); err != nil {
								b.Error(err)
							}
						}
					}()
				}
				wg.Wait()
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(files)), "ns/file")
		})
	}
}

// cpuNow returns the process's user+system CPU time. Benchmarks report
// CPU time per operation beside wall time because the shared 2-core
// machine is often loaded by other work: wall time then measures the queue.
func cpuNow() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkDecodeUnbudgeted is BenchmarkDecode with image.Decode alone (no
// header check, budget or deadline): the baseline for the budgets' cost.
func BenchmarkDecodeUnbudgeted(b *testing.B) {
	for _, set := range []string{"dih", "labelme-subset"} {
		b.Run(set, func(b *testing.B) {
			dir := refdata.Path(b, "pdq/pdq/data/reg-test-input/"+set)
			files, _ := filepath.Glob(filepath.Join(dir, "*.jpg"))
			var data [][]byte
			for _, f := range files {
				d, err := os.ReadFile(f)
				if err != nil {
					b.Fatal(err)
				}
				data = append(data, d)
			}
			i := 0
			c0 := cpuNow()
			for b.Loop() {
				if _, _, err := image.Decode(bytes.NewReader(data[i%len(data)])); err != nil {
					b.Fatal(err)
				}
				i++
			}
			b.ReportMetric(float64(cpuNow()-c0)/float64(b.N), "cpu-ns/op")
		})
	}
}
