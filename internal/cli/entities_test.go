package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/basira-org/basira/internal/entities"
	"github.com/basira-org/basira/internal/refdata"
)

// TestEntitiesImportUN imports the real UN consolidated list: entities of
// the ISIL/Al-Qaida regime only, never individuals, merged into the team's
// entries by UN reference, and a file that check accepts.
func TestEntitiesImportUN(t *testing.T) {
	xml := refdata.Path(t, "finance/sanctions/watchman/un/UN_consolidated.xml")
	out := filepath.Join(t.TempDir(), "un.yaml")
	code, _, errs := runHome(t, t.TempDir(), "", "entities", "import", "--out", out, xml)
	if code != 0 || !strings.Contains(errs, "skipped 730 individuals") {
		t.Fatalf("import: %d\n%s", code, errs)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	text := string(b)
	for _, want := range []string{"id: al-qaida\n", "un: [QDe.004]", "id: jnim\n", "جماعة نصرة الإسلام والمسلمين", "un: [QDe.137]", "هيئة تحرير الشام", "JEMAAH ISLAMIYAH", "UN Security Council ISIL (Da'esh) and Al-Qaida sanctions list (resolution 1267), QDe.115"} {
		if !strings.Contains(text, want) {
			t.Errorf("import lacks %q", want)
		}
	}
	// Individuals never: not their references, not their names.
	for _, never := range []string{"QDi.", "Zawahiri", "الظواهري", "Baghdadi", "TAe.", "KPe."} {
		if strings.Contains(text, never) {
			t.Errorf("import contains %q", never)
		}
	}
	f, err := entities.Parse("un.yaml", b)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range f.Entities {
		if len(e.UN) == 0 || !strings.Contains(e.Source, e.UN[0]) {
			t.Errorf("%s: source %q does not give its UN reference", e.Pos, e.Source)
		}
	}
	// Generic names are shared, never plain.
	set, err := entities.Merge(f)
	if err != nil {
		t.Fatal(err)
	}
	lists := set.RuleLists()
	for _, generic := range []string{"The Base", "Sirat", "Soldiers of God", "LET", "PAKISTAN"} {
		for _, term := range lists["entity-names"] {
			if strings.EqualFold(term, generic) {
				t.Errorf("generic name %q is a plain rule term", generic)
			}
		}
	}
	code, stdout, errs := runHome(t, t.TempDir(), "", "entities", "check", "../../entities/designated.yaml", out)
	if code != 0 || !strings.HasPrefix(stdout, "ok: ") {
		t.Fatalf("check: %d %s %s", code, stdout, errs)
	}
}

func TestEntitiesCheckAndList(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "bad.yaml")
	os.WriteFile(bad, []byte("version: 1\nentities:\n- id: x\n  kind: army\n  name: X\n  source: s\n  aliases: {en: [Xyzzy]}\n"), 0o644)
	code, _, errs := runHome(t, t.TempDir(), "", "entities", "check", bad)
	if code != 1 || !strings.Contains(errs, bad+`:4: kind "army" is not one of`) {
		t.Fatalf("check bad: %d\n%s", code, errs)
	}
	code, out, _ := runHome(t, t.TempDir(), "", "entities", "list", "--kind", "outlet")
	if code != 0 || !strings.Contains(out, "amaq") || strings.Contains(out, "boko-haram") {
		t.Fatalf("list --kind outlet: %d\n%s", code, out)
	}
	code, out, _ = runHome(t, t.TempDir(), "", "entities", "list", "--format", "lists")
	if code != 0 || !strings.Contains(out, "entity-groups:") || !strings.Contains(out, "entity-shared:") {
		t.Fatalf("list --format lists: %d\n%s", code, out[:min(len(out), 500)])
	}
	code, out, _ = runHome(t, t.TempDir(), "", "entities", "list", "--format", "jsonl", "--kind", "slogan")
	if code != 0 || !strings.Contains(out, `"باقية وتتمدد"`) {
		t.Fatalf("list jsonl: %d\n%s", code, out)
	}
}
