package refdata

import (
	"bufio"
	"os"
	"strings"
	"testing"
)

// ReadTSV reads the tab-separated file rel of the reference data (skipping
// the test when it is absent, as Path does) into one map per row, keyed by
// the names of the first line. The shared data's TSVs have no quoting, so
// lines are split on tabs; a short row lacks the missing columns' keys. Lines
// of up to 1 MiB are read.
func ReadTSV(tb testing.TB, rel string) []map[string]string {
	tb.Helper()
	f, err := os.Open(Path(tb, rel))
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	var head []string
	var rows []map[string]string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		c := strings.Split(sc.Text(), "\t")
		if head == nil {
			head = c
			continue
		}
		m := map[string]string{}
		for i := range head {
			if i < len(c) {
				m[head[i]] = c[i]
			}
		}
		rows = append(rows, m)
	}
	if err := sc.Err(); err != nil {
		tb.Fatalf("%s: %v", rel, err)
	}
	return rows
}
