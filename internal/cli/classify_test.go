package cli

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeLabelled writes a small TSV whose label shows in a cue word.
func writeLabelled(t *testing.T, path string, n, offset int) {
	t.Helper()
	cues := map[string][]string{
		"incitement": {"اقتلوهم", "احرقوا", "اذبحوا"},
		"benign":     {"مرحبا", "شكرا", "صباح"},
	}
	filler := strings.Fields("في من على الى هذا كان قال اليوم الناس كل بعد عند مع الوقت المدينه البيت الطريق")
	var b strings.Builder
	b.WriteString("id\ttext\tlabel\n")
	for i := range n {
		label := "benign"
		if (i+offset)%3 == 0 {
			label = "incitement"
		}
		var words []string
		for k := range 7 {
			words = append(words, filler[(i*7+k*3+offset)%len(filler)])
		}
		c := cues[label]
		words[(i+offset)%len(words)] = c[(i+offset)%len(c)]
		fmt.Fprintf(&b, "%d\t%s\t%s\n", i, strings.Join(words, " "), label)
	}
	b.WriteString("broken line without fields\n")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestTrainEvalScanCommands(t *testing.T) {
	dir := t.TempDir()
	train, dev, model := filepath.Join(dir, "train.tsv"), filepath.Join(dir, "dev.tsv"), filepath.Join(dir, "m.model")
	writeLabelled(t, train, 600, 0)
	writeLabelled(t, dev, 200, 1)

	code, out, errs := run(t, "", "train", "--data", train, "--dev", dev, "--text-col", "text", "--label-col", "label",
		"--display", "incitement=incitement-to-violence", "--license", "test data", "--out", model)
	if code != 0 {
		t.Fatalf("train exit %d: %s", code, errs)
	}
	for _, want := range []string{"trained m (binary) on 600 examples", "negative label \"benign\"", "train data: train.tsv", "dev data: dev.tsv", "data licence: test data", "incitement-to-violence"} {
		if !strings.Contains(out, want) {
			t.Errorf("train output lacks %q:\n%s", want, out)
		}
	}
	if !strings.Contains(errs, "train.tsv:602") {
		t.Errorf("the bad record was not reported with file and line: %q", errs)
	}

	curve := filepath.Join(dir, "pr.csv")
	code, out, errs = run(t, "", "eval", "--model", model, "--data", dev, "--precision", "0.95", "--curve", curve)
	if code != 0 {
		t.Fatalf("eval exit %d: %s", code, errs)
	}
	for _, want := range []string{"macro-F1:", "confusion", "incitement reaches precision 0.95", "at the model's flag threshold"} {
		if !strings.Contains(out, want) {
			t.Errorf("eval output lacks %q:\n%s", want, out)
		}
	}
	if b, err := os.ReadFile(curve); err != nil || !strings.HasPrefix(string(b), "label,threshold,precision,recall") {
		t.Errorf("curve file: %v %q", err, b)
	}

	posts := `{"id":"1","text":"اقتلوهم في الطريق اليوم"}` + "\n" + `{"id":"2","text":"صباح الخير يا ناس"}` + "\n"
	code, out, errs = run(t, posts, "scan", "--model", model, "-")
	if code != 0 {
		t.Fatalf("scan exit %d: %s", code, errs)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	var v1, v2 struct {
		Signals []struct {
			Detector, Kind, Label, Evidence string
			Score                           float64
			Details                         map[string]any
		}
	}
	json.Unmarshal([]byte(lines[0]), &v1)
	json.Unmarshal([]byte(lines[1]), &v2)
	if len(v1.Signals) != 1 || v1.Signals[0].Label != "incitement-to-violence" || v1.Signals[0].Kind != "model" || v1.Signals[0].Evidence != "اقتلوهم" {
		t.Errorf("post 1 signals: %+v", v1.Signals)
	} else if v1.Signals[0].Details["model"] != "m" || v1.Signals[0].Details["features"] == nil {
		t.Errorf("signal details: %+v", v1.Signals[0].Details)
	}
	if len(v2.Signals) != 0 {
		t.Errorf("post 2 signals: %+v", v2.Signals)
	}

	code, out, _ = run(t, "", "models", "info", model)
	if code != 0 || !strings.Contains(out, "sha256") || !strings.Contains(out, "held-out folds") {
		t.Errorf("models info exit %d: %s", code, out)
	}

	reset := filepath.Join(dir, "m-dev.model")
	code, out, errs = run(t, "", "models", "threshold", "--model", model, "--data", dev, "--precision", "0.99", "--out", reset)
	if code != 0 {
		t.Fatalf("models threshold exit %d: %s", code, errs)
	}
	if !strings.Contains(out, "measured on") || !strings.Contains(out, "dev.tsv (sha256 ") {
		t.Errorf("models threshold output does not record the dev file:\n%s", out)
	}
}

func TestClassifyCommandErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.model")
	os.WriteFile(bad, []byte("hello"), 0o644)
	tests := []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"train", "--data", "x.tsv"}, 2, "--out"},
		{[]string{"eval", "--model", bad, "--data", "x.tsv"}, 1, "not a Basira model file"},
		{[]string{"scan", "--model", bad, "-"}, 1, "not a Basira model file"},
		{[]string{"models", "eval-all", "--only", "nope", "--data", dir}, 2, "no recipe named"},
	}
	for _, tt := range tests {
		code, _, errs := run(t, "", tt.args...)
		if code != tt.code || !strings.Contains(errs, tt.msg) {
			t.Errorf("%v: exit %d, stderr %q; want %d and %q", tt.args, code, errs, tt.code, tt.msg)
		}
	}
}
