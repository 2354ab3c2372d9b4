package sanctions

import (
	"archive/zip"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/basira-org/basira/internal/refdata"
)

func open(t testing.TB, rel string) *os.File {
	t.Helper()
	f, err := os.Open(refdata.Path(t, rel))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

var ofacCache sync.Map // dir -> []Entry: the full list is read once per test binary

func loadOFAC(t testing.TB, dir, prefix string) []Entry {
	t.Helper()
	if e, ok := ofacCache.Load(dir); ok {
		return e.([]Entry)
	}
	main, alt, com := "sdn.csv", "alt.csv", "sdn_comments.csv"
	if prefix == "cons" {
		main, alt, com = "cons_prim.csv", "cons_alt.csv", "cons_comments.csv"
	}
	entries, err := ParseOFACCSV(OFACFiles{
		Main:     open(t, dir+"/"+main),
		Alt:      open(t, dir+"/"+alt),
		Comments: open(t, dir+"/"+com),
	})
	if err != nil {
		t.Fatal(err)
	}
	ofacCache.Store(dir, entries)
	return entries
}

func TestOFACCSVSmall(t *testing.T) {
	entries := loadOFAC(t, "finance/sanctions/watchman/ofac_small", "sdn")
	if len(entries) != 17 {
		t.Fatalf("%d entries, want 17", len(entries))
	}
	got := map[string]bool{}
	for _, e := range entries {
		for _, w := range e.Wallets {
			got[e.ID+" "+w.Currency+" "+w.Address] = true
		}
	}
	rows := refdata.ReadTSV(t, "finance/sanctions/watchman/ofac_small_digital_currency_addresses.tsv")
	for _, r := range rows {
		if k := r["ent_num"] + " " + r["currency"] + " " + r["address"]; !got[k] {
			t.Errorf("wallet %s not imported", k)
		}
	}
	if len(got) != len(rows) {
		t.Errorf("%d wallets imported, the derived list has %d", len(got), len(rows))
	}
	var aliases int
	for _, e := range entries {
		aliases += len(e.Aliases)
		if e.ID == "10278" && (e.Name != "Elvis Angus LOGAN MOREY" || !contains(e.Aliases, "BURTON BURGESS")) || e.ID == "11195" && !contains(e.Aliases, "HESA TRADE CENTER") {
			t.Errorf("10278 = %+v", e)
		}
	}
	if aliases < 18 {
		t.Errorf("%d aliases, want the 18 of alt.csv at least", aliases)
	}
}

func TestOFACCSVFull(t *testing.T) {
	entries := loadOFAC(t, "finance/sanctions/watchman/ofac_full", "sdn")
	got := map[string]bool{}
	sdgt := 0
	for _, e := range entries {
		for _, w := range e.Wallets {
			got[e.ID+" "+w.Address] = true
		}
		for _, p := range e.Programs {
			if p == "SDGT" {
				sdgt++
			}
		}
	}
	if len(entries) < 7379 || sdgt < 1400 {
		t.Errorf("%d entries, %d SDGT", len(entries), sdgt)
	}
	for _, r := range refdata.ReadTSV(t, "finance/sanctions/watchman/ofac_full_digital_currency_addresses.tsv") {
		if !got[r["ent_num"]+" "+r["address"]] {
			t.Errorf("wallet %s of %s not imported", r["address"], r["ent_num"])
		}
	}
	cons := loadOFAC(t, "finance/sanctions/watchman/ofac_consolidated", "cons")
	if len(cons) < 442 {
		t.Errorf("consolidated: %d entries, want 442", len(cons))
	}
}

func TestUNXML(t *testing.T) {
	entries, date, err := ParseUNXML(open(t, "finance/sanctions/watchman/un/UN_consolidated.xml"))
	if err != nil {
		t.Fatal(err)
	}
	if date != "2026-02-27" || len(entries) != 1003 {
		t.Fatalf("date %s, %d entries; want 2026-02-27, 1003", date, len(entries))
	}
	arabic := 0
	for _, e := range entries {
		for _, a := range e.Aliases {
			if strings.ContainsAny(a, "ابتثجحخدذرزسشصضطظعغفقكلمنهوي") {
				arabic++
				break
			}
		}
	}
	if arabic < 360 {
		t.Errorf("%d entries with an Arabic-script name, want >= 360", arabic)
	}
}

func TestOFACEnhancedXML(t *testing.T) {
	zr, err := zip.OpenReader(refdata.Path(t, "finance/sanctions/watchman/csl_us/CONS_ENHANCED.ZIP"))
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	f, err := zr.File[0].Open()
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	entries, date, err := ParseOFACEnhancedXML(f)
	if err != nil {
		t.Fatal(err)
	}
	if date != "2025-01-10" || len(entries) != 443 {
		t.Fatalf("date %s, %d entries; want 2025-01-10, 443", date, len(entries))
	}
	var haniya *Entry
	for i := range entries {
		if entries[i].ID == "9639" {
			haniya = &entries[i]
		}
	}
	if haniya == nil || haniya.Name != "Ismail Abdul Salah HANIYA" || !contains(haniya.Aliases, "Ismaeel HANIYYA") || haniya.Type != "individual" {
		t.Errorf("entity 9639 = %+v", haniya)
	}
}

// TestOFACEnhancedXMLWallets uses a small hand-written file in the
// ENHANCED_XML layout (testdata/enhanced_wallets.xml): no public copy of
// an OFAC XML file with Digital Currency Address features was available.
func TestOFACEnhancedXMLWallets(t *testing.T) {
	f, err := os.Open("testdata/enhanced_wallets.xml")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	entries, date, err := ParseOFACEnhancedXML(f)
	if err != nil {
		t.Fatal(err)
	}
	if date != "2024-09-27" || len(entries) != 1 || len(entries[0].Wallets) != 2 {
		t.Fatalf("date %s, entries %+v", date, entries)
	}
	x := NewIndex([]*List{{Name: "test", Date: date, Entries: entries}})
	if m := x.Wallet("0X8589427373D6D84E98730D7795D8F6F8731FDA16"); len(m) != 1 || m[0].Wallet.Currency != "ETH" {
		t.Errorf("EVM wallet lookup (case-insensitive) = %+v", m)
	}
	if m := x.Wallet("12QtD5BFwRsdNsAZY76UVE1xyCGNTojH9h"); len(m) != 1 {
		t.Errorf("XBT wallet lookup = %+v", m)
	}
	if m := x.Wallet("12qtd5bfwrsdnsazy76uve1xycgntojh9h"); len(m) != 0 {
		t.Errorf("base58 lookup must be case-sensitive: %+v", m)
	}
}

func TestCSL(t *testing.T) {
	small, err := ParseCSL(open(t, "finance/sanctions/watchman/csl_us/consolidated_small.csv"))
	if err != nil {
		t.Fatal(err)
	}
	old, err := ParseCSL(open(t, "finance/sanctions/watchman/csl_us/csl_2019.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if len(small) != 13 || len(old) != 115 {
		t.Errorf("%d and %d entries, want 13 and 115", len(small), len(old))
	}
}

func TestParsersRejectOtherFiles(t *testing.T) {
	if _, _, err := ParseUNXML(strings.NewReader("<x/>")); err == nil {
		t.Error("UN parser accepted a foreign XML")
	}
	if _, _, err := ParseOFACEnhancedXML(strings.NewReader("<CONSOLIDATED_LIST/>")); err == nil {
		t.Error("OFAC XML parser accepted a UN file")
	}
	if _, err := ParseCSL(strings.NewReader("a,b\n1,2\n")); err == nil {
		t.Error("CSL parser accepted a CSV without a name column")
	}
	if _, err := ParseOFACCSV(OFACFiles{Main: strings.NewReader("1,\"unterminated\n")}); err != nil {
		t.Logf("bad CSV: %v", err) // lazy quotes accept it; either way it must not panic
	}
}

// TestOFACAdvancedXML uses a hand-written file in the advanced XML layout
// (testdata/advanced_wallets.xml): no public copy of sdn_advanced.xml was
// available (the only stored one is a Git-LFS pointer).
func TestOFACAdvancedXML(t *testing.T) {
	f, err := os.Open("testdata/advanced_wallets.xml")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	entries, date, err := ParseOFACAdvancedXML(f)
	if err != nil {
		t.Fatal(err)
	}
	if date != "2024-09-27" || len(entries) != 1 {
		t.Fatalf("date %s, entries %+v", date, entries)
	}
	e := entries[0]
	if e.Name != "Abu Example AL-FICTITIOUS" || e.Type != "individual" || !contains(e.Aliases, "أبو المثال") || len(e.Wallets) != 2 {
		t.Fatalf("entry %+v", e)
	}
	x := NewIndex([]*List{{Name: "OFAC SDN", Date: date, Entries: entries}})
	if m := x.Wallet("0x8589427373d6d84e98730d7795d8f6f8731fda16"); len(m) != 1 || m[0].Entry.ID != "990002" {
		t.Errorf("wallet lookup %+v", m)
	}
	if m := x.Search("Abou Example el-Fictitious", 0.85, 1); len(m) != 1 {
		t.Errorf("name search %+v", m)
	}
	if _, _, err := ParseOFACAdvancedXML(strings.NewReader("<sanctionsData/>")); err == nil {
		t.Error("accepted an ENHANCED file")
	}
}

func TestFindInText(t *testing.T) {
	un, date, err := ParseUNXML(open(t, "finance/sanctions/watchman/un/UN_consolidated.xml"))
	if err != nil {
		t.Fatal(err)
	}
	x := NewIndex([]*List{{Name: "UN", Date: date, Entries: un}})
	cases := []struct {
		text, wantRef string
	}{
		{"ادعموا جماعة أيمن الظواهري بارك الله فيكم", "QDi.006"},
		{"Ayman, brothers, support the men of Ayman al-Zawahiri today", "QDi.006"},
		{"ادعموا دولة أبو بكر البغدادي", "QDi.299"},
		{"صباح الخير يا أيمن، كيف حال محمد؟", ""},
		{"Ali and Mohammed went to the market with Omar", ""},
	}
	for _, c := range cases {
		got := x.FindInText(c.text)
		if c.wantRef == "" {
			if len(got) != 0 {
				t.Errorf("FindInText(%q) = %s %q (%.2f); want nothing", c.text, got[0].Entry.Ref, got[0].Name, got[0].Score)
			}
			continue
		}
		ok := false
		for _, m := range got {
			ok = ok || m.Entry.Ref == c.wantRef
		}
		if !ok {
			t.Errorf("FindInText(%q) = %v; want %s", c.text, got, c.wantRef)
		}
	}
}

// TestOFACXMLListName: the consolidated list's XML says what it is, and
// is named apart from the SDN list.
func TestOFACXMLListName(t *testing.T) {
	zr, err := zip.OpenReader(refdata.Path(t, "finance/sanctions/watchman/csl_us/CONS_ENHANCED.ZIP"))
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	f, err := zr.File[0].Open()
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	x, err := ParseOFACXMLFile(f)
	if err != nil {
		t.Fatal(err)
	}
	if x.List != "Consolidated List" || x.ListName("OFAC SDN") != "OFAC Consolidated" || x.Date != "2025-01-10" || len(x.Entries) != 443 {
		t.Errorf("list %q (%s), date %s, %d entries", x.List, x.ListName("OFAC SDN"), x.Date, len(x.Entries))
	}
	for list, want := range map[string]string{"SDN List": "OFAC SDN", "": "fallback", "Non-SDN CMIC List": "OFAC Non-SDN CMIC List"} {
		if got := (OFACXML{List: list}).ListName("fallback"); got != want {
			t.Errorf("ListName of %q = %q, want %q", list, got, want)
		}
	}
}
