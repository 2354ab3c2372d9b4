package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/basira-org/basira/internal/refdata"
)

const bridgePDQ = "d8f8f0cee0f4a84f0637022a078f67f0b36e2ed596621e1d33e6339c4e9c9b22"

func TestHashCommand(t *testing.T) {
	dir := refdata.Path(t, "pdq/pdq/data/bridge-mods")
	img := filepath.Join(dir, "aaa-orig.jpg")
	bad := filepath.Join(t.TempDir(), "notes.txt")
	_ = os.WriteFile(bad, []byte("hello"), 0o600)
	code, out, errs := run(t, "", "hash", img, bad, filepath.Join(dir, "blur-a-lot.jpg"))
	if code != 1 {
		t.Errorf("exit %d, want 1 (one file failed)", code)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 || lines[0] != bridgePDQ+",100,"+img {
		t.Errorf("stdout:\n%s", out)
	}
	if !strings.Contains(errs, "notes.txt: not an image") {
		t.Errorf("stderr: %s", errs)
	}
	folder := refdata.Path(t, "pdq/pdq/data/reg-test-input/labelme-subset")
	code, out, _ = run(t, "", "hash", folder)
	if n := len(strings.Split(strings.TrimSpace(out), "\n")); code != 0 || n != 7 {
		t.Errorf("hash of a folder of 7 images: exit %d, %d lines", code, n)
	}
	code, out, _ = run(t, "", "hash", "--dihedral", img)
	if f := strings.Split(strings.TrimSpace(out), ","); code != 0 || len(f) != 10 || f[0] != bridgePDQ {
		t.Errorf("--dihedral: exit %d, %q", code, out)
	}
}

func TestBankCommands(t *testing.T) {
	imgs := refdata.Path(t, "pdq/pdq/data/bridge-mods")
	banks := t.TempDir()
	mustRun := func(want int, args ...string) (string, string) {
		t.Helper()
		code, out, errs := run(t, "", append(args, "--dir", banks)...)
		if code != want {
			t.Fatalf("basira %s: exit %d, want %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), code, want, out, errs)
		}
		return out, errs
	}
	mustRun(0, "bank", "create", "--type", "pdq", "known")
	mustRun(1, "bank", "create", "--type", "pdq", "known") // exists
	mustRun(2, "bank", "create", "--type", "sha1", "x")
	mustRun(0, "bank", "create", "--type", "sha256", "--safe", "news")
	mustRun(1, "bank", "add", "--label", "propaganda", "known", bridgePDQ, "nothex")
	mustRun(0, "bank", "add", "--files", "news", filepath.Join(imgs, "blur-a-lot.jpg"))

	list := filepath.Join(t.TempDir(), "list.tsv")
	_ = os.WriteFile(list, []byte("hash\tlabel\tid\n"+strings.Repeat("ab", 32)+"\tglorification\tx1\n"), 0o600)
	_, errs := mustRun(0, "bank", "import", "known", list)
	if !strings.Contains(errs, "1 added") {
		t.Errorf("import: %s", errs)
	}
	list2 := filepath.Join(t.TempDir(), "noids.csv")
	_ = os.WriteFile(list2, []byte(strings.Repeat("cd", 32)+",propaganda\n"), 0o600)
	mustRun(0, "bank", "import", "known", list2)
	if _, errs := mustRun(0, "bank", "import", "known", list2); !strings.Contains(errs, "0 added") || !strings.Contains(errs, "1 already present") {
		t.Errorf("importing a list without ids twice: %s", errs)
	}
	out, _ := mustRun(0, "bank", "list")
	if !strings.Contains(out, "known") || !strings.Contains(out, "news") {
		t.Errorf("list:\n%s", out)
	}

	// The original is flagged; blur-a-lot is on the safe list; c.png matches nothing.
	other := refdata.Path(t, "pdq/pdq/data/misc-images/c.png")
	out, _ = mustRun(0, "match", "--format", "json", "--all", filepath.Join(imgs, "aaa-orig.jpg"), filepath.Join(imgs, "blur-a-lot.jpg"), other)
	verdicts := map[string][]string{}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var v struct{ Item, Verdict string }
		if err := json.Unmarshal([]byte(line), &v); err != nil {
			t.Fatal(err)
		}
		verdicts[filepath.Base(v.Item)] = append(verdicts[filepath.Base(v.Item)], v.Verdict)
	}
	if strings.Join(verdicts["aaa-orig.jpg"], ",") != "flag" || strings.Join(verdicts["blur-a-lot.jpg"], ",") != "safe" || strings.Join(verdicts["c.png"], ",") != "none" {
		t.Errorf("verdicts %v", verdicts)
	}

	mustRun(0, "bank", "disable", "news")
	out, _ = mustRun(0, "match", "--format", "json", filepath.Join(imgs, "blur-a-lot.jpg"))
	if !strings.Contains(out, `"verdict":"flag"`) {
		t.Errorf("with the safe list disabled: %s", out)
	}
	out, _ = mustRun(0, "bank", "export", "--format", "tat", "known")
	var tat struct {
		Results []struct {
			HashDigest string `json:"hash_digest"`
		} `json:"results"`
	}
	if err := json.Unmarshal([]byte(out), &tat); err != nil || len(tat.Results) != 3 {
		t.Errorf("export: %v\n%s", err, out)
	}
}

func TestScanBanks(t *testing.T) {
	imgs := refdata.Path(t, "pdq/pdq/data/bridge-mods")
	banks := t.TempDir()
	for _, args := range [][]string{
		{"bank", "create", "--type", "pdq", "known"},
		{"bank", "add", "--label", "propaganda", "known", bridgePDQ},
		{"bank", "create", "--type", "text", "texts"},
		{"bank", "add", "--label", "recruitment", "texts", "انضموا إلى صفوف المجاهدين في الجبهة الآن قبل فوات الأوان فالجنة تنتظركم"},
	} {
		if code, _, errs := run(t, "", append(args, "--dir", banks)...); code != 0 {
			t.Fatalf("%v: %s", args, errs)
		}
	}
	posts := `{"id":"img","text":"صورة","media":[{"path":"` + filepath.Join(imgs, "shrink-a-lot.jpg") + `"},{"path":"/nonexistent.jpg"}]}
{"id":"txt","text":"انضموا الى صفوف المجاهدين في الجبهة الان قبل فوات الاوان 🔥 فالجنة تنتظركم #عاجل"}
{"id":"news","text":"أعلنت وزارة الداخلية اليوم عن تفكيك خلية إرهابية في مدينة فاس"}
`
	code, out, errs := run(t, posts, "scan", "--banks", banks, "-")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if !strings.Contains(errs, "nonexistent.jpg") {
		t.Errorf("missing file not reported: %s", errs)
	}
	got := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var r struct {
			ID      string
			Signals []struct{ Label, Detector string }
		}
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatal(err)
		}
		var labels []string
		for _, s := range r.Signals {
			if s.Detector == "hashmatch" {
				labels = append(labels, s.Label)
			}
		}
		got[r.ID] = strings.Join(labels, ",")
	}
	want := map[string]string{"img": "propaganda", "txt": "recruitment", "news": ""}
	for id, w := range want {
		if got[id] != w {
			t.Errorf("post %s: hashmatch labels %q, want %q", id, got[id], w)
		}
	}
}

func TestBankBench(t *testing.T) {
	code, out, errs := run(t, "", "bank", "bench", "--size", "20000", "--queries", "200", "--check", "50")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var r struct {
		Recall  float64 `json:"recall_vs_bruteforce"`
		Lookups float64 `json:"lookups_per_second"`
		Found   int     `json:"matches_found"`
	}
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatal(err)
	}
	if r.Recall != 1 || r.Lookups <= 0 || r.Found < 100 {
		t.Errorf("bench: %s", out)
	}
}

func TestMatchDihedral(t *testing.T) {
	dih := refdata.Path(t, "pdq/pdq/data/reg-test-input/dih")
	banks := t.TempDir()
	for _, args := range [][]string{
		{"bank", "create", "--type", "pdq", "known"},
		{"bank", "add", "--label", "propaganda", "known", bridgePDQ},
	} {
		if code, _, errs := run(t, "", append(args, "--dir", banks)...); code != 0 {
			t.Fatalf("%v: %s", args, errs)
		}
	}
	img := filepath.Join(dih, "bridge-6-flipy.jpg")
	if _, out, _ := run(t, "", "match", "--dir", banks, "--format", "json", img); out != "" {
		t.Errorf("mirrored copy matched without --dihedral: %s", out)
	}
	_, out, _ := run(t, "", "match", "--dir", banks, "--format", "json", "--dihedral", img)
	if !strings.Contains(out, `"verdict":"flag"`) || !strings.Contains(out, `"transform":"flip`) {
		t.Errorf("with --dihedral: %s", out)
	}
}
