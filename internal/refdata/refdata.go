// Package refdata locates the shared reference data (peer test vectors and
// evaluation sets) that tests and `basira eval` commands read. The data is
// never copied into the project: it is found through BASIRA_DATA, or as
// ../shared/data beside the repository.
package refdata

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// Dir returns the reference data folder, or "" if it cannot be found.
func Dir() string {
	if d := os.Getenv("BASIRA_DATA"); d != "" {
		return d
	}
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		return ""
	}
	// file is <repo>/internal/refdata/refdata.go
	d := filepath.Join(filepath.Dir(file), "..", "..", "..", "shared", "data")
	if st, err := os.Stat(d); err == nil && st.IsDir() {
		return d
	}
	return ""
}

// Path returns the path of a file or folder inside the reference data, or
// skips the test with a clear message when it is absent. CI always has it.
func Path(tb testing.TB, rel string) string {
	tb.Helper()
	d := Dir()
	if d == "" {
		tb.Skip("reference data not found: set BASIRA_DATA to the shared/data folder")
	}
	p := filepath.Join(d, rel)
	if _, err := os.Stat(p); err != nil {
		tb.Skipf("reference data %s not found under %s", rel, d)
	}
	return p
}
