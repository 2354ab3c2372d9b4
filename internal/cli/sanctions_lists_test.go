package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/basira-org/basira/internal/refdata"
)

// TestOFACConsolidatedKeepsItsName: OFAC's consolidated (non-SDN) list
// imported after the SDN list is kept under its own name, whether it
// comes as XML (told by its content, whatever the file is called) or as
// cons_prim.csv, and the SDN list imported before is still there and
// still matched.
func TestOFACConsolidatedKeepsItsName(t *testing.T) {
	home := t.TempDir()
	sdn := refdata.Path(t, "finance/sanctions/watchman/ofac_small/sdn.csv")
	cons := refdata.Path(t, "finance/sanctions/watchman/csl_us/CONS_ENHANCED.ZIP")
	// A neutral file name: only the content says it is the consolidated list.
	data, err := os.ReadFile(cons)
	if err != nil {
		t.Fatal(err)
	}
	renamed := filepath.Join(t.TempDir(), "ofac-latest.zip")
	if err := os.WriteFile(renamed, data, 0o600); err != nil {
		t.Fatal(err)
	}
	if code, out, errs := runHome(t, home, "", "sanctions", "import", "--format", "ofac-csv", "--date", "2025-05-16", sdn); code != 0 || !strings.Contains(out, `"OFAC SDN"`) {
		t.Fatalf("import sdn: exit %d: %s %s", code, out, errs)
	}
	code, out, errs := runHome(t, home, "", "sanctions", "import", "--format", "ofac-xml", renamed)
	if code != 0 || !strings.Contains(out, `"OFAC Consolidated" of 2025-01-10: 443 entries`) {
		t.Fatalf("import consolidated xml: exit %d: %s %s", code, out, errs)
	}
	consCSV := refdata.Path(t, "finance/sanctions/watchman/ofac_consolidated/cons_prim.csv")
	code, out, errs = runHome(t, home, "", "sanctions", "import", "--format", "ofac-csv", "--date", "2025-12-19", consCSV)
	if code != 0 || !strings.Contains(out, `"OFAC Consolidated"`) {
		t.Fatalf("import consolidated csv: exit %d: %s %s", code, out, errs)
	}
	_, out, _ = runHome(t, home, "", "sanctions", "list")
	if !strings.Contains(out, "OFAC SDN") || !strings.Contains(out, "OFAC Consolidated") {
		t.Errorf("list after both imports:\n%s", out)
	}
	// The SDN list's wallet is still matched.
	_, out, _ = runHome(t, home, "", "sanctions", "search", "--format", "jsonl", "12udabs2TkX7NXCSj6KpqXfakjE52ZPLhz")
	if !strings.Contains(out, "29702") {
		t.Errorf("SDN wallet not found after importing the consolidated list: %s", out)
	}
	// --name still wins.
	code, out, _ = runHome(t, home, "", "sanctions", "import", "--format", "ofac-xml", "--name", "My OFAC", renamed)
	if code != 0 || !strings.Contains(out, `"My OFAC"`) {
		t.Errorf("--name: %s", out)
	}
}
