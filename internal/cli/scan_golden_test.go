package cli

import (
	"os"
	"regexp"
	"strconv"
	"testing"
)

// TestScanGolden pins scan's output byte for byte: the sample posts, the
// same posts with every non-ASCII character escaped, and lines that are
// rejected for each reason, through the default detection and the example
// pack, in both output formats and with 1 to 4 workers. The golden files
// were written by scan before issue 17's decoder (regenerate them only for
// a change of output that is meant).
func TestScanGolden(t *testing.T) {
	wantErr, err := os.ReadFile("testdata/scan/stderr.golden")
	if err != nil {
		t.Fatal(err)
	}
	elapsed := regexp.MustCompile(` \([0-9.]+(ms|s|µs)\)\n`)
	for _, format := range []string{"jsonl", "table"} {
		want, err := os.ReadFile("testdata/scan/out." + format)
		if err != nil {
			t.Fatal(err)
		}
		for _, workers := range []int{1, 2, 4} {
			code, out, errs := run(t, "", "scan", "--rules", "../../rules/examples.yaml", "--format", format,
				"--workers", strconv.Itoa(workers), "testdata/scan/in.jsonl")
			if code != 0 {
				t.Fatalf("%s, %d workers: exit %d: %s", format, workers, code, errs)
			}
			if out != string(want) {
				t.Errorf("%s, %d workers: output differs from testdata/scan/out.%s:\n%s", format, workers, format, out)
			}
			if got := elapsed.ReplaceAllString(errs, " (TIME)\n"); got != string(wantErr) {
				t.Errorf("%s, %d workers: stderr\n%s\nwant\n%s", format, workers, got, wantErr)
			}
		}
	}
}
