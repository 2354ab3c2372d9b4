package video

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/basira-org/basira/pdq"
	"github.com/basira-org/basira/vpdq"
)

// TestReferenceFrames hashes every frame of ThreatExchange's sample videos
// at their own size and at 128x128 (as the sample hashes were made) and
// compares each frame with the reference's hash.
func TestReferenceFrames(t *testing.T) {
	needFFmpeg(t)
	d := dataDir(t)
	names := samples(t, d)
	if testing.Short() {
		names = names[:3]
	}
	ours, theirs := map[string][]vpdq.Feature{}, map[string][]vpdq.Feature{}
	for _, size := range []int{0, 128} {
		for _, name := range names {
			t.Run(fmt.Sprintf("%s/%d", name, size), func(t *testing.T) {
				ref := name + ".txt"
				if size > 0 {
					ref = fmt.Sprintf("%s-%dx%d.txt", name, size, size)
				}
				refPath := filepath.Join(d, "vpdq", "sample-hashes", ref)
				if _, err := os.Stat(refPath); err != nil {
					t.Skipf("no reference hashes %s", ref)
				}
				want := readRef(t, refPath)
				res, err := HashFile(context.Background(), filepath.Join(d, "tmk", "sample-videos", name+".mp4"),
					Options{SecondsPerHash: -1, Width: size, Height: size})
				if err != nil {
					t.Fatal(err)
				}
				got := res.Features
				if len(got) != len(want) {
					t.Fatalf("%d frames, reference %d", len(got), len(want))
				}
				sum, worst, over, n := 0, 0, 0, 0
				for i := range got {
					if got[i].Frame != want[i].Frame {
						t.Fatalf("frame %d numbered %d", want[i].Frame, got[i].Frame)
					}
					if dq := got[i].Quality - want[i].Quality; dq > 10 || dq < -10 {
						t.Errorf("frame %d: quality %d, reference %d", i, got[i].Quality, want[i].Quality)
					}
					if dt := got[i].Timestamp - want[i].Timestamp; dt > 0.001 || dt < -0.001 {
						t.Errorf("frame %d: timestamp %.3f, reference %.3f", i, got[i].Timestamp, want[i].Timestamp)
					}
					// Frames under the quality floor (dark, flat or blurred:
					// their bits are noise) are never compared by matching.
					if want[i].Quality < vpdq.DefaultQuality {
						continue
					}
					n++
					dist := pdq.Distance(got[i].Hash, want[i].Hash)
					sum += dist
					worst = max(worst, dist)
					if dist > 16 {
						over++
					}
					if dist > vpdq.DefaultDistance {
						t.Errorf("frame %d: %d bits from the reference, over the match radius", i, dist)
					}
				}
				t.Logf("%d frames, %d of quality >= %d: mean distance %.2f, max %d", len(got), n, vpdq.DefaultQuality, float64(sum)/float64(max(n, 1)), worst)
				// The reference tolerance across decoders (python's PDQ
				// test: 16 bits) for all but a few frames.
				if over > n/20 {
					t.Errorf("%d of %d frames over 16 bits from the reference", over, n)
				}
				if size == 0 {
					ours[name], theirs[name] = got, want
				}
				r := vpdq.Match(got, want, vpdq.Options{})
				if !r.IsMatch(vpdq.DefaultQueryPercent, vpdq.DefaultIndexPercent) || r.QueryPercent < 99 {
					t.Errorf("video does not match its reference hash: %+v", r)
				}
			})
		}
	}
	// Every pair of videos: the match decision on our hashes is the one on
	// the reference's hashes (the chair and pattern videos are edits of one
	// another, the doorknob and padded ones are not).
	matches := 0
	for a, qa := range ours {
		for b, qb := range ours {
			for _, o := range []vpdq.Options{{}, {Reference: true}} {
				got := vpdq.Match(qa, qb, o).IsMatch(vpdq.DefaultQueryPercent, vpdq.DefaultIndexPercent)
				want := vpdq.Match(theirs[a], theirs[b], o).IsMatch(vpdq.DefaultQueryPercent, vpdq.DefaultIndexPercent)
				if got != want {
					t.Errorf("%s in %s (%+v): match %v, reference %v (%+v / %+v)", a, b, o, got, want,
						vpdq.Match(qa, qb, o), vpdq.Match(theirs[a], theirs[b], o))
				}
				if got && a != b {
					matches++
				}
			}
		}
	}
	t.Logf("%d videos, %d pairs: %d matching pairs (both variants), decisions equal to the reference's", len(ours), len(ours)*len(ours), matches)
}
