package cli

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const claimsFixtures = "../claims/testdata/"

func TestClaimsCommands(t *testing.T) {
	home := t.TempDir()
	// Import every fixture; bad items are reported and the rest kept.
	code, _, errs := runHome(t, home, "", "claims", "import",
		claimsFixtures+"claimreview_one.json", claimsFixtures+"claimreview_graph.jsonld", claimsFixtures+"claims.jsonl", claimsFixtures+"claims.csv")
	if code != 0 || !strings.Contains(errs, "claims.jsonl: line 3: not a JSON object") || !strings.Contains(errs, "8 read, 8 added, 0 replaced, 4 rejected") {
		t.Fatalf("import: %d\n%s", code, errs)
	}
	code, _, errs = runHome(t, home, "", "claims", "import", "--strict", claimsFixtures+"claims.jsonl")
	if code != 1 || !strings.Contains(errs, "0 added, 3 replaced, 3 rejected") {
		t.Fatalf("re-import --strict: %d\n%s", code, errs)
	}

	code, out, _ := runHome(t, home, "", "claims", "list", "--rating", "false")
	if code != 0 || !strings.Contains(out, "k1") || !strings.Contains(out, "c1") || strings.Contains(out, "c3") {
		t.Fatalf("list --rating false: %d\n%s", code, out)
	}
	code, out, _ = runHome(t, home, "", "claims", "list", "--format", "jsonl")
	if code != 0 || strings.Count(out, "\n") != 8 {
		t.Fatalf("list jsonl: %d\n%s", code, out)
	}

	// Export, and the export imports into another workspace unchanged.
	exported := filepath.Join(t.TempDir(), "cr.json")
	if code, _, errs = runHome(t, home, "", "claims", "export", "--out", exported); code != 0 {
		t.Fatalf("export: %s", errs)
	}
	b, _ := os.ReadFile(exported)
	var doc struct {
		Context string           `json:"@context"`
		Graph   []map[string]any `json:"@graph"`
	}
	if err := json.Unmarshal(b, &doc); err != nil || doc.Context != "https://schema.org" || len(doc.Graph) != 8 || doc.Graph[0]["@type"] != "ClaimReview" {
		t.Fatalf("export document: %v %+v", err, doc)
	}
	home2 := t.TempDir()
	if code, _, errs = runHome(t, home2, "", "claims", "import", exported); code != 0 || !strings.Contains(errs, "8 added") {
		t.Fatalf("import of the export: %s", errs)
	}
	_, list1, _ := runHome(t, home, "", "claims", "list", "--format", "jsonl")
	_, list2, _ := runHome(t, home2, "", "claims", "list", "--format", "jsonl")
	if list1 != list2 {
		t.Errorf("export/import changed the store:\n%s\n%s", list1, list2)
	}

	// Match, in a table and as JSONL.
	code, out, errs = runHome(t, home, "", "claims", "match", "-k", "2", "عاجل لقاح كورونا يسبب العقم عند النساء")
	if code != 0 || !strings.Contains(strings.Split(out, "\n")[1], "لقاح كورونا يسبب العقم للنساء") || !strings.Contains(errs, "untrained fallback") {
		t.Fatalf("match: %d\n%s\n%s", code, out, errs)
	}
	code, out, _ = runHome(t, home, "", "claims", "match", "--format", "jsonl", "bill gates microchips vaccines")
	var first struct {
		Rank  int     `json:"rank"`
		Score float64 `json:"score"`
		Claim struct {
			ID         string `json:"id"`
			Correction string `json:"correction"`
		} `json:"claim"`
	}
	if code != 0 || json.Unmarshal([]byte(strings.Split(out, "\n")[0]), &first) != nil || first.Claim.ID != "k1" || first.Rank != 1 || first.Claim.Correction == "" {
		t.Fatalf("match jsonl: %d\n%s", code, out)
	}

	// A model of an older format is not used: a note, and the fallback.
	if err := os.WriteFile(filepath.Join(home, "claims", "reranker.json"), []byte(`{"format":"basira-claims-reranker/1"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	code, _, errs = runHome(t, home, "", "claims", "match", "bill gates microchips vaccines")
	if code != 0 || !strings.Contains(errs, "retrain it with 'basira claims train'") || !strings.Contains(errs, "untrained fallback until then") {
		t.Fatalf("match with an old model: %d\n%s", code, errs)
	}

	// A part that cannot be read is reported; the item is imported, not rejected.
	odd := filepath.Join(t.TempDir(), "odd.jsonld")
	if err := os.WriteFile(odd, []byte(`{"@type":"ClaimReview","claimReviewed":"x","datePublished":"le 3 mars"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	code, _, errs = runHome(t, home, "", "claims", "import", "--strict", odd)
	if code != 0 || !strings.Contains(errs, `item 1: imported, but datePublished "le 3 mars"`) || !strings.Contains(errs, "1 added, 0 replaced, 0 rejected") {
		t.Fatalf("import with a warning: %d\n%s", code, errs)
	}

	// Usage errors.
	for _, args := range [][]string{
		{"claims", "match"},
		{"claims", "eval"},
		{"claims", "list", "--format", "xml"},
		{"claims", "import"},
		{"claims", "trending"},
	} {
		if code, _, _ := runHome(t, home, "", args...); code != 2 {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}
	if code, _, errs := runHome(t, t.TempDir(), "", "claims", "match", "x"); code != 1 || !strings.Contains(errs, "is empty") {
		t.Errorf("match on an empty store: %d %s", code, errs)
	}
}

func TestClaimsEvalCommand(t *testing.T) {
	dir := t.TempDir()
	queries := filepath.Join(dir, "q.tsv")
	qrels := filepath.Join(dir, "q.qrels")
	os.WriteFile(queries, []byte("id\ttext\nq1\tbill gates microchip vaccines\nq2\tles billets de 200 dirhams supprimés\nq3\tnothing matches this at all zzz\n"), 0o600)
	os.WriteFile(qrels, []byte("q1 0 k1 1\nq2 0 c-b8e821cb1f5ea42d 1\nq3 0 k3 1\n"), 0o600)
	coll := filepath.Join(dir, "coll.jsonl")
	b1, _ := os.ReadFile(claimsFixtures + "claims.jsonl")
	// One collection file: the JSONL fixture's good lines plus the French claim.
	var good []string
	for _, l := range strings.Split(string(b1), "\n") {
		if strings.HasPrefix(l, `{"id":"k1"`) || strings.HasPrefix(l, `{"vclaim_id"`) || strings.HasPrefix(l, `{"id":"k3"`) {
			good = append(good, l)
		}
	}
	good = append(good, `{"url":"https://factcheck.example/fr/1","text":"Le gouvernement marocain va supprimer les billets de 200 dirhams","rating":"Faux"}`)
	os.WriteFile(coll, []byte(strings.Join(good, "\n")+"\n"), 0o600)
	runPath := filepath.Join(dir, "run.tsv")
	code, out, errs := runHome(t, t.TempDir(), "", "claims", "eval", "--collection", coll, "--queries", queries, "--qrels", qrels, "--run", runPath)
	if code != 0 {
		t.Fatalf("eval: %d %s", code, errs)
	}
	// q1 and q2 are found first; q3 shares no word with k3: MAP@1 = 2/3.
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 9 || !strings.Contains(lines[5], "FALSE SIGNAL") || !strings.Contains(lines[0], "MAP@5") || !strings.Contains(lines[2], "untrained fallback") ||
		!strings.Contains(lines[3], "re-ranked") || !strings.Contains(lines[3], "3        0.6667  0.6667  0.6667  0.6667  0.6667  0.6667") {
		t.Fatalf("eval output:\n%s", out)
	}
	run, _ := os.ReadFile(runPath)
	if !strings.HasPrefix(string(run), "q1\tQ0\tk1\t1\t") {
		t.Errorf("run file:\n%s", run)
	}
}

func TestScanClaimsAndTrending(t *testing.T) {
	home := t.TempDir()
	if code, _, errs := runHome(t, home, "", "claims", "import", claimsFixtures+"claimreview_one.json", claimsFixtures+"claims.jsonl"); code != 0 {
		t.Fatal(errs)
	}
	posts := filepath.Join(t.TempDir(), "posts.jsonl")
	base := time.Date(2021, 3, 1, 10, 0, 0, 0, time.UTC)
	var b strings.Builder
	for i := range 6 {
		fmt.Fprintf(&b, `{"id":"v%d","author":"user%d","posted_at":%q,"text":"عاجل: لقاح كورونا يسبب العقم للنساء حسب دراسة جديدة %d"}`+"\n", i, i, base.Add(time.Duration(i)*10*time.Minute).Format(time.RFC3339), i)
	}
	for i := range 4 {
		fmt.Fprintf(&b, `{"id":"s%d","author":"acct%d","posted_at":%q,"text":"رسميا: وزارة التعليم تعلن تأجيل امتحانات البكالوريا إلى شهر يوليو بسبب الحرارة"}`+"\n", i, i, base.Add(time.Duration(i)*5*time.Minute).Format(time.RFC3339))
	}
	b.WriteString(`{"id":"n1","text":"صباح الخير"}` + "\n")
	os.WriteFile(posts, []byte(b.String()), 0o600)

	code, out, errs := runHome(t, home, "", "scan", "--claims", "store", "--claims-threshold", "0.3", posts)
	if code != 0 {
		t.Fatalf("scan: %d %s", code, errs)
	}
	var res struct {
		ID      string `json:"id"`
		Signals []struct {
			Detector, Kind, Label string
			Details               map[string]any
		} `json:"signals"`
	}
	if err := json.Unmarshal([]byte(strings.Split(out, "\n")[0]), &res); err != nil {
		t.Fatal(err)
	}
	if res.ID != "v0" || len(res.Signals) != 1 || res.Signals[0].Kind != "claim" || res.Signals[0].Label != "false-claim" || res.Signals[0].Details["rating"] != "false" {
		t.Fatalf("scan verdict: %s", out)
	}

	code, out, errs = runHome(t, home, "", "claims", "trending", "--worthiness", "none", posts)
	if code != 0 {
		t.Fatalf("trending: %d %s", code, errs)
	}
	// The unchecked exam rumour comes first, then the vaccine one with its debunk.
	i1, i2 := strings.Index(out, "#1 "), strings.Index(out, "#2 ")
	if i1 < 0 || i2 < 0 || !strings.Contains(out[i1:i2], "not fact-checked yet") || !strings.Contains(out[i1:i2], "امتحانات") ||
		!strings.Contains(out[i2:], "fact-checked [false") || !strings.Contains(out[i2:], "6 posts from 6 sources") {
		t.Fatalf("trending output:\n%s", out)
	}
	code, out, _ = runHome(t, home, "", "claims", "trending", "--format", "jsonl", "--claims", "none", posts)
	if code != 0 || strings.Count(out, "\n") != 2 || strings.Contains(out, "debunk") {
		t.Fatalf("trending jsonl without claims:\n%s", out)
	}
}
