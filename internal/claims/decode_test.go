package claims

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func decodeFile(t *testing.T, name string) ([]Claim, []*ItemError) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	cs, errs, err := Decode(bytes.NewReader(b), SniffFormat(name, b), Options{})
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return cs, errs
}

func TestDecodeFixtures(t *testing.T) {
	for _, tc := range []struct {
		file     string
		wantIDs  []string
		wantText []string
		wantRate []string
		wantBad  []int // item numbers reported as errors
		check    func(t *testing.T, cs []Claim)
	}{
		{
			file: "claimreview_one.json", wantIDs: []string{DeriveID(&Claim{URL: "https://factcheck.example/ar/2021/vaccine-infertility"})},
			wantText: []string{"لقاح كورونا يسبب العقم للنساء"}, wantRate: []string{RatingFalse},
			check: func(t *testing.T, cs []Claim) {
				c := cs[0]
				if c.Publisher != "Fact Desk" || c.Lang != "ar" || c.RatingText != "زائف" || c.Title != "لا، لقاح كورونا لا يسبب العقم" ||
					!strings.HasPrefix(c.Correction, "لا توجد") || c.Published == nil || c.Published.Format(time.DateOnly) != "2021-02-03" {
					t.Errorf("fields: %+v", c)
				}
			},
		},
		{
			file:     "claimreview_array.json",
			wantText: []string{"Le gouvernement marocain va supprimer les billets de 200 dirhams", "A video shows a 10-meter-long anaconda swimming across a river in Brazil."},
			wantRate: []string{RatingFalse, RatingMisleading}, wantBad: []int{3},
			check: func(t *testing.T, cs []Claim) {
				if cs[0].Lang != "fr" || cs[0].Publisher != "Desk FR" || cs[0].Published == nil {
					t.Errorf("language object / author array / RFC 3339 date: %+v", cs[0])
				}
			},
		},
		{
			file:     "claimreview_graph.jsonld",
			wantText: []string{"Drinking hot water cures the virus", "The stadium will host the final in 2030"},
			wantRate: []string{RatingMisleading, RatingTrue},
			check: func(t *testing.T, cs []Claim) {
				if cs[0].URL != "https://factcheck.example/g/1" || cs[0].Correction != "Hot water does not kill the virus." {
					t.Errorf("@id as url, reviewBody: %+v", cs[0])
				}
				if !cs[0].IsDebunk() || cs[1].IsDebunk() {
					t.Errorf("IsDebunk: misleading %v, true %v", cs[0].IsDebunk(), cs[1].IsDebunk())
				}
			},
		},
		{
			file: "claims.jsonl", wantIDs: []string{"k1", "vclaim-sno-x", "k3"},
			wantText: []string{"Bill Gates wants to microchip everyone through vaccines", "McDonald’s restaurants are offering $1 Any Size Fries.", "عنوان فقط: خبر زائف عن إغلاق المدارس"},
			wantRate: []string{RatingFalse, "", ""}, wantBad: []int{3, 5, 7},
			check: func(t *testing.T, cs []Claim) {
				if cs[1].Title != "$1 Fries — Rumor: McDonald’s offers fries." || cs[1].Published == nil || cs[1].Published.Format(time.DateOnly) != "2015-05-26" {
					t.Errorf("subtitle joined to title, CheckThat! date: %+v", cs[1])
				}
				if cs[0].Correction != "Vaccines contain no microchips." || cs[0].Publisher != "Desk" {
					t.Errorf("flat fields: %+v", cs[0])
				}
			},
		},
		{
			file: "claims.csv", wantIDs: []string{"c1", "c3"},
			wantText: []string{"Les écoles fermeront le 1er mars", "الحكومة ترفع سعر الخبز إلى درهمين"},
			wantRate: []string{RatingFalse, RatingMisleading}, wantBad: []int{3},
		},
		{
			file: "claims.tsv", wantIDs: []string{"v1", "v2"},
			wantText: []string{"العاهل المغربي يتلقى الجرعة الاولى من لقاح كورونا", "قرية في سويسرا تقدم هجرة واقامة مجانية - زائف - فتبينوا"},
			wantRate: []string{"", ""},
		},
	} {
		t.Run(tc.file, func(t *testing.T) {
			cs, errs := decodeFile(t, tc.file)
			if len(cs) != len(tc.wantText) {
				t.Fatalf("got %d claims, want %d: %+v (errors %v)", len(cs), len(tc.wantText), cs, errs)
			}
			for i, c := range cs {
				if c.Text != tc.wantText[i] || c.Rating != tc.wantRate[i] {
					t.Errorf("claim %d: text %q rating %q, want %q %q", i, c.Text, c.Rating, tc.wantText[i], tc.wantRate[i])
				}
				if tc.wantIDs != nil && c.ID != tc.wantIDs[i] {
					t.Errorf("claim %d: id %q, want %q", i, c.ID, tc.wantIDs[i])
				}
				if c.ID == "" {
					t.Errorf("claim %d has no id", i)
				}
			}
			var bad []int
			for _, e := range errs {
				bad = append(bad, e.Item)
			}
			if len(bad) != len(tc.wantBad) {
				t.Fatalf("bad items %v, want %v (%v)", bad, tc.wantBad, errs)
			}
			for i := range bad {
				if bad[i] != tc.wantBad[i] {
					t.Errorf("bad items %v, want %v", bad, tc.wantBad)
				}
			}
			if tc.check != nil {
				tc.check(t, cs)
			}
		})
	}
}

func TestDecodeErrors(t *testing.T) {
	for _, tc := range []struct {
		name  string
		in    string
		f     Format
		opts  Options
		whole string // substring of the whole-input error, "" for none
		item  string // substring of the first item error
	}{
		{"not json", "{nope", JSON, Options{}, "not a JSON document", ""},
		{"no claim objects", `{"@type":"WebPage"}`, JSON, Options{}, "no ClaimReview", ""},
		{"json over limit", `[{"text":"` + strings.Repeat("a", 200) + `"}]`, JSON, Options{MaxJSONBytes: 100}, "over the size limit", ""},
		{"file over limit", strings.Repeat(`{"text":"x"}`+"\n", 100), JSONL, Options{MaxBytes: 500}, "over the size limit", ""},
		{"line over limit", `{"text":"` + strings.Repeat("a", 300) + `"}` + "\n" + `{"text":"ok"}`, JSONL, Options{MaxLineBytes: 100}, "", "line 1: line over the size limit"},
		{"field over limit", `{"text":"` + strings.Repeat("a", 300) + `"}`, JSONL, Options{MaxTextBytes: 100}, "", "claim text over the size limit"},
		{"csv without text column", "id,url\n1,x\n", CSV, Options{}, "names no claim text column", ""},
		{"unknown format", "", Format("xml"), Options{}, "unknown fact-check format", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, errs, err := Decode(strings.NewReader(tc.in), tc.f, tc.opts)
			if tc.whole != "" {
				if err == nil || !strings.Contains(err.Error(), tc.whole) {
					t.Fatalf("error %v, want one containing %q", err, tc.whole)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(errs) == 0 || !strings.Contains(errs[0].Error(), tc.item) {
				t.Fatalf("item errors %v, want one containing %q", errs, tc.item)
			}
			if strings.Contains(tc.item, "size limit") && !errors.Is(errs[0], ErrTooLarge) {
				t.Errorf("%v does not wrap ErrTooLarge", errs[0])
			}
		})
	}
}

func TestNormalizeRating(t *testing.T) {
	for in, want := range map[string]string{
		"False": RatingFalse, "Pants on Fire!": RatingFalse, "Faux": RatingFalse, "خبر زائف": RatingFalse,
		"Mostly False": RatingMisleading, "Missing context": RatingMisleading, "مضلل": RatingMisleading,
		"Half True": RatingMixed, "Mostly True": RatingMixed, "True": RatingTrue, "صحيح": RatingTrue,
		"Satire": RatingSatire, "Unproven": RatingUnproven, "Legend": RatingOther, "": "",
	} {
		if got := NormalizeRating(in); got != want {
			t.Errorf("NormalizeRating(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestExportRoundTrip(t *testing.T) {
	var all []Claim
	for _, f := range []string{"claimreview_one.json", "claimreview_array.json", "claimreview_graph.jsonld", "claims.jsonl", "claims.csv", "claims.tsv"} {
		cs, _ := decodeFile(t, f)
		all = append(all, cs...)
	}
	var buf bytes.Buffer
	if err := WriteClaimReview(&buf, all); err != nil {
		t.Fatal(err)
	}
	back, errs, err := Decode(&buf, JSON, Options{})
	if err != nil || len(errs) > 0 {
		t.Fatalf("re-reading the export: %v %v", err, errs)
	}
	if len(back) != len(all) {
		t.Fatalf("%d claims back, want %d", len(back), len(all))
	}
	for i := range all {
		a, b := all[i], back[i]
		if a.ID != b.ID || a.Text != b.Text || a.Title != b.Title || a.Rating != b.Rating || a.Correction != b.Correction ||
			a.URL != b.URL || a.Publisher != b.Publisher || a.Lang != b.Lang || (a.Published == nil) != (b.Published == nil) ||
			(a.Published != nil && !a.Published.Equal(*b.Published)) {
			t.Errorf("claim %d changed:\n %+v\n %+v", i, a, b)
		}
	}
}

func TestFileStore(t *testing.T) {
	ctx := context.Background()
	st := NewFileStore(filepath.Join(t.TempDir(), "sub", "claims.jsonl"))
	cs, err := st.All(ctx)
	if err != nil || len(cs) != 0 {
		t.Fatalf("empty store: %v %v", cs, err)
	}
	in, _ := decodeFile(t, "claims.jsonl")
	added, replaced, err := st.Put(ctx, in)
	if err != nil || added != 3 || replaced != 0 {
		t.Fatalf("first put: %d %d %v", added, replaced, err)
	}
	in[0].Correction = "updated"
	added, replaced, err = st.Put(ctx, in[:1])
	if err != nil || added != 0 || replaced != 1 {
		t.Fatalf("second put: %d %d %v", added, replaced, err)
	}
	c, ok, err := st.Get(ctx, "k1")
	if err != nil || !ok || c.Correction != "updated" || c.Rating != RatingFalse || c.RatingText != "false" {
		t.Fatalf("get k1: %+v %v %v", c, ok, err)
	}
	if _, ok, _ := st.Get(ctx, "nope"); ok {
		t.Error("found a claim that was never put")
	}
	all, _ := st.All(ctx)
	if len(all) != 3 || all[0].ID > all[1].ID {
		t.Errorf("All: %d claims, sorted %v", len(all), all[0].ID < all[1].ID)
	}
	if err := os.WriteFile(st.Path(), []byte("{broken\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := st.All(ctx); err == nil || !strings.Contains(err.Error(), "damaged at line 1") {
		t.Errorf("damaged store: %v", err)
	}
}
