package pdq

import (
	"bytes"
	"compress/zlib"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"os"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// hostilePNG builds a PNG of w x h pixels, colour type ct and the given
// bit depth, all zeros: a few hundred KB that decode to hundreds of MB.
// With header true only the header and a truncated IDAT are written.
func hostilePNG(t testing.TB, w, h int, depth, ct byte, header bool) []byte {
	t.Helper()
	var buf bytes.Buffer
	buf.WriteString("\x89PNG\r\n\x1a\n")
	chunk := func(typ string, data []byte) {
		binary.Write(&buf, binary.BigEndian, uint32(len(data)))
		c := crc32.NewIEEE()
		c.Write([]byte(typ))
		c.Write(data)
		buf.WriteString(typ)
		buf.Write(data)
		binary.Write(&buf, binary.BigEndian, c.Sum32())
	}
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], uint32(w))
	binary.BigEndian.PutUint32(ihdr[4:], uint32(h))
	ihdr[8], ihdr[9] = depth, ct
	chunk("IHDR", ihdr)
	if header {
		chunk("IDAT", []byte{0x78, 0x9c})
		return buf.Bytes()
	}
	channels := map[byte]int{0: 1, 2: 3, 4: 2, 6: 4}[ct]
	row := 1 + w*channels*int(depth)/8
	var z bytes.Buffer
	zw, _ := zlib.NewWriterLevel(&z, zlib.BestSpeed)
	zero := make([]byte, row)
	for range h {
		zw.Write(zero)
	}
	zw.Close()
	chunk("IDAT", z.Bytes())
	chunk("IEND", nil)
	return buf.Bytes()
}

// TestDecodeRefusesByHeader reproduces issue 15 item 4: a small 10,000 x
// 10,000 16-bit PNG passed the 100-Mpixel limit and cost 870 MB.
func TestDecodeRefusesByHeader(t *testing.T) {
	for _, c := range []struct {
		name      string
		w, h      int
		depth, ct byte
	}{
		{"10k x 10k 16-bit RGBA", 10000, 10000, 16, 6},
		{"10k x 10k 8-bit RGB", 10000, 10000, 8, 2},
		{"20k x 20k gray (over MaxPixels)", 20000, 20000, 8, 0},
	} {
		data := hostilePNG(t, c.w, c.h, c.depth, c.ct, true)
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		_, _, err := DecodeBytes(data)
		runtime.ReadMemStats(&after)
		if !errors.Is(err, ErrTooLarge) {
			t.Errorf("%s: err = %v", c.name, err)
		}
		if grew := after.TotalAlloc - before.TotalAlloc; grew > 1<<20 {
			t.Errorf("%s: %d bytes allocated before refusing", c.name, grew)
		}
	}
	// Within the budget, a real (if large) image still decodes.
	data := hostilePNG(t, 3000, 2000, 8, 2, false)
	img, format, err := DecodeBytes(data)
	if err != nil || format != "png" || img.Bounds().Dx() != 3000 {
		t.Fatalf("3000x2000: %v %s", err, format)
	}
}

// TestDecodeBudgetSerialises: concurrent decodes never hold more than the
// budget together; the ones that cannot get a share before their deadline
// give up with ErrBusy.
func TestDecodeBudgetSerialises(t *testing.T) {
	if testing.Short() {
		t.Skip("decodes about 900 MB of pixels")
	}
	data := hostilePNG(t, 8000, 7000, 8, 6, false) // 224 MB decoded
	var wg sync.WaitGroup
	var mu sync.Mutex
	peak := int64(0)
	stop, stopped := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(stopped)
		for {
			select {
			case <-stop:
				return
			default:
			}
			decodeBudget.mu.Lock()
			u := decodeBudget.used
			decodeBudget.mu.Unlock()
			mu.Lock()
			peak = max(peak, u)
			mu.Unlock()
			time.Sleep(time.Millisecond)
		}
	}()
	errs := make([]error, 4)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, _, errs[i] = DecodeBytes(data)
		}()
	}
	wg.Wait()
	close(stop)
	<-stopped
	if peak > DefaultDecodeBudget {
		t.Errorf("decodes held %d bytes at once, over the %d budget", peak, DefaultDecodeBudget)
	}
	for _, err := range errs {
		// On a slow machine (the race detector) a decode that got its
		// share may still reach its deadline: giving up is what is asked.
		if err != nil && !errors.Is(err, ErrBusy) && !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("decode: %v", err)
		}
	}
}

// TestDecodeDeadline: a decode is abandoned at its deadline.
func TestDecodeDeadline(t *testing.T) {
	data := hostilePNG(t, 8000, 7000, 8, 6, false)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, _, err := DecodeContext(ctx, data)
	if err == nil || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v", err)
	}
	if d := time.Since(start); d > time.Second {
		t.Fatalf("stopped after %v", d)
	}
}

// TestMeasureHostileDecodes reports the peak RSS of 8 concurrent hostile
// decodes (issue 15's target: under 1 GB): four 10,000 x 10,000 16-bit
// PNGs (refused by their header) and four 8,000 x 7,000 RGBA PNGs (224 MB
// each once decoded, admitted two at a time by the budget), each hashed.
// Run with BASIRA_MEASURE=1.
func TestMeasureHostileDecodes(t *testing.T) {
	if os.Getenv("BASIRA_MEASURE") == "" {
		t.Skip("set BASIRA_MEASURE=1 to measure (decodes about 900 MB of pixels)")
	}
	huge := hostilePNG(t, 10000, 10000, 16, 6, false)
	big := hostilePNG(t, 8000, 7000, 8, 6, false)
	t.Logf("files: %d and %d bytes", len(huge), len(big))
	runtime.GC()
	start := time.Now()
	var wg sync.WaitGroup
	results := make([]string, 8)
	for i := range 8 {
		data := big
		if i%2 == 0 {
			data = huge
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			t0 := time.Now()
			img, _, err := DecodeContext(context.Background(), data)
			if err == nil {
				NewHasher().Hash(img)
			}
			results[i] = fmt.Sprintf("%v after %v", err, time.Since(t0).Round(time.Millisecond))
		}()
	}
	wg.Wait()
	for i, r := range results {
		t.Logf("decode %d: %s", i, r)
	}
	status, _ := os.ReadFile("/proc/self/status")
	for _, line := range strings.Split(string(status), "\n") {
		if strings.HasPrefix(line, "VmHWM") {
			t.Logf("8 concurrent hostile decodes in %v, peak RSS %s", time.Since(start).Round(time.Millisecond), strings.TrimSpace(strings.TrimPrefix(line, "VmHWM:")))
		}
	}
}
