package hashmatch

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/basira-org/basira/internal/detect"
	"github.com/basira-org/basira/internal/post"
	"github.com/basira-org/basira/vpdq"
)

// refSignal is the vPDQ signal of a ThreatExchange sample video, from its
// reference hashes, at one frame a second (as Basira hashes by default).
// (chair-19 and chair-20 are cut differently: sampled once a second they
// share few frames, so the tests use edits of one cut.)
func refSignal(t *testing.T, name string) string {
	t.Helper()
	d := os.Getenv("BASIRA_DATA")
	if d == "" {
		d = "/work/shared/data"
	}
	f, err := os.Open(filepath.Join(d, "pdq", "vpdq", "sample-hashes", name+".txt"))
	if err != nil {
		t.Skipf("vPDQ sample hashes not found (set BASIRA_DATA): %v", err)
	}
	defer f.Close()
	fs, err := vpdq.ParseFile(f)
	if err != nil {
		t.Fatal(err)
	}
	var out []vpdq.Feature
	for _, x := range fs {
		if x.Frame%30 == 0 {
			out = append(out, x)
		}
	}
	return vpdq.FormatSignal(out)
}

func TestVideoBanks(t *testing.T) {
	ctx := context.Background()
	orig, edit, pattern := refSignal(t, "chair-orig-22-sd-bar"), refSignal(t, "chair-22-sd-sepia-bar"), refSignal(t, "pattern-sd-grey-bar")
	st := &DirStore{Dir: t.TempDir()}
	reg := NewRegistry(st, nil, nil)
	if _, err := reg.CreateBank(ctx, "VIDEOS", 1); err != nil {
		t.Fatal(err)
	}
	const md5 = "d41d8cd98f00b204e9800998ecf8427e"
	id, err := reg.AddSignals(ctx, "VIDEOS", map[string]string{"video_md5": md5, "vpdq": orig}, "tve", "")
	if err != nil {
		t.Fatal(err)
	}
	// An edit of the banked video matches by vPDQ; an unrelated one not.
	ms, err := reg.Lookup(ctx, "vpdq", edit)
	if err != nil || len(ms) != 1 || ms[0].ContentID != id || ms[0].Bank != "VIDEOS" {
		t.Fatalf("lookup an edit: %v %+v", err, ms)
	}
	if ms, _ := reg.Lookup(ctx, "vpdq", pattern); len(ms) != 0 {
		t.Fatalf("lookup pattern: %+v", ms)
	}
	if ms, _ := reg.Lookup(ctx, "video_md5", md5); len(ms) != 1 || ms[0].ContentID != id || ms[0].Distance != 0 {
		t.Fatalf("lookup video_md5: %+v", ms)
	}
	if ok, dist, err := reg.Compare("vpdq", edit, orig); err != nil || !ok || dist > 20 {
		t.Errorf("compare: %v %d %v", ok, dist, err)
	}
	if ok, _, _ := reg.Compare("vpdq", pattern, orig); ok {
		t.Error("compare: unrelated videos match")
	}
	if _, err := reg.AddSignals(ctx, "VIDEOS", map[string]string{"vpdq": `["nope"]`}, "", ""); err == nil {
		t.Error("bad vpdq accepted")
	}
	// Saved and loaded: the companion banks keep their entries.
	banks, err := LoadAll(ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	m := NewMatcher(banks...)
	if got := m.LookupFile(FileHashes{MD5: md5}); len(got) != 1 || got[0].Type != VideoMD5 {
		t.Fatalf("file by MD5: %+v", got)
	}
	// The detector: a post's video carrying its vPDQ (as --fetch-media
	// fills it) raises a signal whose evidence gives the percentages.
	det := NewDetector(m, "")
	p := &post.Post{ID: "p", Media: []post.Media{{Type: "video", VPDQ: edit}}}
	sigs, err := det.Detect(ctx, &detect.Input{Post: p})
	if err != nil || len(sigs) != 1 || sigs[0].Label != "tve" || sigs[0].Score < 0.8 {
		t.Fatalf("detect: %v %+v", err, sigs)
	}
	t.Log(sigs[0].Evidence)
}
