package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/basira-org/basira/internal/refdata"
	"github.com/basira-org/basira/internal/video"
)

// TestVideoCommands: hash a video, bank it by vPDQ and video_md5, match an
// edit of it, and scan a post carrying the edit as a local file.
func TestVideoCommands(t *testing.T) {
	if err := video.Check(); err != nil {
		t.Skipf("skipping: %v", err)
	}
	vids := refdata.Path(t, "pdq/tmk/sample-videos")
	orig := filepath.Join(vids, "chair-orig-22-sd-bar.mp4")
	edit := filepath.Join(vids, "chair-22-sd-sepia-bar.mp4")
	other := filepath.Join(vids, "pattern-sd-grey-bar.mp4")

	vq := t.TempDir()
	code, out, errs := run(t, "", "hash", "--vpdq-dir", vq, orig)
	if f := strings.Split(strings.TrimSpace(out), ","); code != 0 || len(f) != 3 || len(f[0]) != 32 || f[1] != "23" {
		t.Fatalf("hash: exit %d %q %s", code, out, errs)
	}
	ref, err := os.ReadFile(filepath.Join(vq, "chair-orig-22-sd-bar.txt"))
	if err != nil || len(strings.Split(strings.TrimSpace(string(ref)), "\n")) != 23 || !strings.HasPrefix(string(ref), "0,") {
		t.Fatalf("--vpdq-dir: %v\n%s", err, ref)
	}

	banks := t.TempDir()
	mustRun := func(want int, args ...string) string {
		t.Helper()
		code, out, errs := run(t, "", append(args, "--dir", banks)...)
		if code != want {
			t.Fatalf("basira %s: exit %d, want %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), code, want, out, errs)
		}
		return out
	}
	mustRun(0, "bank", "create", "--type", "vpdq", "tve-videos")
	mustRun(0, "bank", "create", "--type", "video_md5", "tve-md5")
	mustRun(0, "bank", "add", "--files", "--label", "tve", "tve-videos", orig)
	mustRun(0, "bank", "add", "--files", "--label", "tve", "tve-md5", orig)
	out = mustRun(0, "match", "--all", edit, other, orig)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	byItem := map[string][]string{}
	for _, l := range lines[1:] {
		f := strings.Fields(l)
		byItem[filepath.Base(f[0])] = append(byItem[filepath.Base(f[0])], l)
	}
	if e := byItem["chair-22-sd-sepia-bar.mp4"]; len(e) != 1 || !strings.Contains(e[0], "tve-videos") || !strings.Contains(e[0], "vpdq 100%") {
		t.Errorf("edit: %q", e)
	}
	if o := byItem["pattern-sd-grey-bar.mp4"]; len(o) != 1 || !strings.Contains(o[0], "none") {
		t.Errorf("other: %q", o)
	}
	if o := byItem["chair-orig-22-sd-bar.mp4"]; len(o) != 2 { // by vPDQ and by video_md5
		t.Errorf("orig: %q", o)
	}

	// scan: a post whose video is a local file is matched by the banks
	// detector.
	posts := filepath.Join(t.TempDir(), "posts.jsonl")
	_ = os.WriteFile(posts, []byte(`{"id":"v1","text":"شاهد","media":[{"type":"video","path":"`+edit+`"}]}`+"\n"), 0o600)
	code, out, errs = run(t, "", "scan", "--banks", banks, "--format", "jsonl", posts)
	if !strings.Contains(out, "tve-videos") || !strings.Contains(out, "vPDQ") {
		t.Errorf("scan: exit %d\n%s\n%s", code, out, errs)
	}
}

// TestScanMediaText: text read inside an attachment (media[].ocr, as
// --fetch-media --ocr fills it) goes through the text detectors (rules,
// finance, models), with evidence naming the attachment and the line's box.
func TestScanMediaText(t *testing.T) {
	text := "انضموا الينا في ارض الخلافة\nادعموا المجاهدين عبر محفظة بيتكوين bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"
	nl := strings.Index(text, "\n")
	p := map[string]any{"id": "o1", "text": "شوفو الصورة", "media": []any{map[string]any{
		"url": "https://e.org/m.jpg",
		"ocr": map[string]any{"text": text, "lines": []any{
			map[string]any{"start": 0, "end": nl, "x": 5, "y": 5, "w": 400, "h": 40},
			map[string]any{"start": nl + 1, "end": len(text), "x": 5, "y": 60, "w": 600, "h": 40},
		}},
	}}}
	b, _ := json.Marshal(p)
	code, out, errs := run(t, string(b)+"\n", "scan", "--format", "jsonl", "-")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var res struct {
		Signals []struct {
			Detector, Evidence string
			Details            map[string]any
		}
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	by := map[string]bool{}
	for _, s := range res.Signals {
		if s.Details["item"] != "media[0]" || !strings.HasPrefix(s.Evidence, "text in media[0] at ") {
			t.Errorf("signal not pointing to the picture: %+v", s)
		}
		by[s.Detector] = true
	}
	for _, d := range []string{"rules", "finance", "classify"} {
		if !by[d] {
			t.Errorf("no %s signal on the text in the picture: %s", d, out)
		}
	}
}

func TestTMKCompare(t *testing.T) {
	dir := refdata.Path(t, "pdq/tmk/sample-hashes")
	code, out, errs := run(t, "", "tmk-compare", filepath.Join(dir, "chair-19-sd-bar.tmk"), filepath.Join(dir, "chair-20-sd-bar.tmk"))
	if code != 0 || !strings.HasSuffix(strings.TrimSpace(out), ",match") {
		t.Errorf("edits: exit %d %q %s", code, out, errs)
	}
	_, out, _ = run(t, "", "tmk-compare", filepath.Join(dir, "chair-19-sd-bar.tmk"), filepath.Join(dir, "pattern-hd-no-bar.tmk"))
	if !strings.HasSuffix(strings.TrimSpace(out), ",no-match") {
		t.Errorf("unrelated: %q", out)
	}
}
