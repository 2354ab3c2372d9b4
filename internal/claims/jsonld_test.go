package claims

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func readPublished(t *testing.T, name string) ([]byte, []Claim) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "published", name))
	if err != nil {
		t.Fatal(err)
	}
	cs, errs, err := Decode(bytes.NewReader(b), JSON, Options{})
	if err != nil || len(errs) > 0 {
		t.Fatalf("%s: %v %v", name, err, errs)
	}
	return b, cs
}

// TestPublishedClaimReviews reads real published ClaimReview markup (see
// testdata/published/README.md) in every shape publishers use and checks
// that each field is read as written.
func TestPublishedClaimReviews(t *testing.T) {
	_, g := readPublished(t, "google_flat_earth.json")
	c := g[0]
	if c.Text != "The world is flat" || c.RatingText != "False" || c.Rating != RatingFalse || c.Publisher != "Example.com science watch" {
		t.Errorf("flat earth: %+v", c)
	}
	if c.Review == nil || c.Review.Value != "1" || c.Review.Best != "5" || c.Review.Worst != "1" {
		t.Errorf("flat earth rating numbers: %+v", c.Review)
	}
	it := c.Item
	if it == nil || it.Type != "Claim" || len(it.Authors) != 1 || it.Authors[0].Name != "Square World Society" ||
		!reflect.DeepEqual(it.Authors[0].SameAs, []string{"https://example.flatworlders.com/we-know-that-the-world-is-flat"}) ||
		it.Published == nil || it.Published.Format(time.DateOnly) != "2024-06-20" || len(it.Appearances) != 1 {
		t.Fatalf("flat earth item reviewed: %+v", it)
	}
	a := it.Appearances[0]
	if a.Type != "OpinionNewsArticle" || a.URL != "https://example.com/news/a122121" || a.Headline == "" || a.Published == nil ||
		len(a.Authors) != 1 || a.Authors[0].Name != "T. Tellar" || a.Extra["image"] == nil || a.Extra["publisher"] == nil {
		t.Errorf("flat earth appearance: %+v", a)
	}

	// PolitiFact on schema.org: a 1..6 scale, a number and no words.
	_, pf := readPublished(t, "schemaorg_politifact.json")
	c = pf[0]
	if c.RatingText != "" || c.Review == nil || c.Review.Value != "1" || c.Review.Best != "6" || c.Review.Worst != "" {
		t.Errorf("politifact rating kept as given: %q %+v", c.RatingText, c.Review)
	}
	if c.Rating != RatingFalse {
		t.Errorf("Basira's reading of 1 on 1..6: %q", c.Rating)
	}
	if len(c.Authors) != 1 || c.Authors[0].URL != "http://www.politifact.com/" || c.Extra["claimReviewSiteLogo"] == nil {
		t.Errorf("politifact author / extra: %+v %v", c.Authors, c.Extra)
	}
	if c.Item == nil || c.Item.Type != "CreativeWork" || c.Item.Name == "" || len(c.Item.Authors) != 1 ||
		len(c.Item.Authors[0].SameAs) != 2 || c.Item.Authors[0].Extra["title"] == nil {
		t.Errorf("politifact item reviewed: %+v", c.Item)
	}

	_, um := readPublished(t, "umbc_ebiquity.json")
	if c := um[0]; c.Publisher != "UMBC Ebiquity Research Group" || c.Rating != RatingTrue || c.Item == nil || c.Item.Authors[0].Name != "Google" {
		t.Errorf("umbc (author \"Name\"): %+v", c)
	}

	// De Facto: dates with a +01:00 offset and hundredths of a second.
	_, df := readPublished(t, "defacto_afp.json")
	c = df[0]
	if _, off := c.Published.Zone(); off != 3600 || c.Published.Nanosecond() != 820000000 {
		t.Errorf("de facto date: %v", c.Published)
	}
	if c.Item == nil || c.Item.Published == nil || c.Item.Published.UTC().Format(time.RFC3339) != "2022-12-02T23:00:00Z" {
		t.Errorf("de facto claim date: %+v", c.Item)
	}
	// An organisation known by name only is the Publisher (exported the same).
	if c.Authors != nil || c.Publisher != "XXXXXXXXXXX" || c.RatingText != "Faux" || c.Rating != RatingFalse || c.Lang != "" {
		t.Errorf("de facto: %+v", c)
	}

	for _, tc := range []struct {
		file string
		want []string // claim texts, in order
	}{
		{"datacommons_feed.json", []string{pf[0].Text, df[0].Text}},
		{"datacommons_untyped.json", []string{g[0].Text, um[0].Text}},
		{"nested_article_webpage.jsonld", []string{g[0].Text, um[0].Text}},
	} {
		_, cs := readPublished(t, tc.file)
		var got []string
		for _, c := range cs {
			got = append(got, c.Text)
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: claims %q, want %q", tc.file, got, tc.want)
		}
	}
	// The nested ones are the same reviews as the originals.
	_, nested := readPublished(t, "nested_article_webpage.jsonld")
	if !sameClaim(nested[0], g[0]) {
		t.Errorf("ClaimReview in an Article differs from the original:\n%+v\n%+v", nested[0], g[0])
	}
}

// TestPublishedRoundTrip exports each published document and checks that
// every property of the original is in the export with the same value
// (modulo JSON-LD spelling: "1" and 1, a bare URL and {"url"}, one author
// and a list of one), and that the export reads back to the same claims,
// also after a pass through the store.
func TestPublishedRoundTrip(t *testing.T) {
	for _, f := range []string{"google_flat_earth.json", "schemaorg_politifact.json", "umbc_ebiquity.json", "defacto_afp.json",
		"datacommons_feed.json", "datacommons_untyped.json", "nested_article_webpage.jsonld"} {
		t.Run(f, func(t *testing.T) {
			raw, cs := readPublished(t, f)
			st := NewFileStore(filepath.Join(t.TempDir(), "claims.jsonl"))
			if _, _, err := st.Put(context.Background(), cs); err != nil {
				t.Fatal(err)
			}
			stored, err := st.All(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			if err := WriteClaimReview(&buf, stored); err != nil {
				t.Fatal(err)
			}
			back, errs, err := Decode(bytes.NewReader(buf.Bytes()), JSON, Options{})
			if err != nil || len(errs) > 0 {
				t.Fatalf("re-reading the export: %v %v", err, errs)
			}
			byID := map[string]Claim{}
			for _, c := range back {
				byID[c.ID] = c
			}
			for _, c := range cs {
				if b, ok := byID[c.ID]; !ok || !sameClaim(b, c) {
					t.Errorf("claim %s changed:\n %+v\n %+v", c.ID, c, b)
				}
			}
			// Every property of every original ClaimReview is in the export.
			var doc any
			dec := json.NewDecoder(bytes.NewReader(raw))
			dec.UseNumber()
			if err := dec.Decode(&doc); err != nil {
				t.Fatal(err)
			}
			var origs []map[string]any
			collectObjects(doc, &origs, 0, true)
			var exported struct {
				Graph []map[string]any `json:"@graph"`
			}
			dec = json.NewDecoder(bytes.NewReader(buf.Bytes()))
			dec.UseNumber()
			if err := dec.Decode(&exported); err != nil {
				t.Fatal(err)
			}
			exByText := map[string]map[string]any{}
			for _, o := range exported.Graph {
				exByText[o["claimReviewed"].(string)] = o
			}
			for _, o := range origs {
				ex := exByText[o["claimReviewed"].(string)]
				if ex == nil {
					t.Fatalf("no export of %v", o["claimReviewed"])
				}
				for _, d := range ldMissing("", o, ex) {
					t.Error(d)
				}
			}
		})
	}
}

// sameClaim compares claims with dates compared as instants and offsets.
func sameClaim(a, b Claim) bool {
	na, _ := json.Marshal(a)
	nb, _ := json.Marshal(b)
	return bytes.Equal(na, nb)
}

// ldMissing lists the properties of orig that are missing from ex or have
// another value there.
func ldMissing(path string, orig, ex any) []string {
	switch o := orig.(type) {
	case map[string]any:
		e, ok := ex.(map[string]any)
		if !ok {
			if l, isList := ex.([]any); isList && len(l) == 1 {
				return ldMissing(path, orig, l[0])
			}
			return []string{fmt.Sprintf("%s: object became %T", path, ex)}
		}
		var out []string
		for k, v := range o {
			switch k {
			case "@context":
				continue
			case "@type":
				if hasTypeName(v, "ClaimReview") {
					continue
				}
			case "type":
				k = "@type" // a publisher's spelling, written as JSON-LD
			}
			ek := k
			if _, ok := e[k]; !ok {
				for kk := range e {
					if strings.EqualFold(kk, k) {
						ek = kk
					}
				}
			}
			if s, isStr := v.(string); isStr && s == "" {
				continue // an empty value says nothing
			}
			ev, ok := e[ek]
			if !ok {
				out = append(out, fmt.Sprintf("%s.%s: missing from the export", path, k))
				continue
			}
			out = append(out, ldMissing(path+"."+k, v, ev)...)
		}
		return out
	case []any:
		if e, ok := ex.([]any); ok && len(e) == len(o) {
			var out []string
			for i := range o {
				out = append(out, ldMissing(fmt.Sprintf("%s[%d]", path, i), o[i], e[i])...)
			}
			return out
		}
		if len(o) == 1 {
			return ldMissing(path, o[0], ex)
		}
		return []string{fmt.Sprintf("%s: list of %d became %v", path, len(o), ex)}
	}
	os, es := scalarString(orig), scalarString(ex)
	if m, ok := ex.(map[string]any); ok {
		es = scalarString(m["url"]) // a bare URL written as {"url": …}
	}
	if os == es {
		return nil
	}
	if a, b := ParseDate(os), ParseDate(es); a != nil && b != nil && a.Equal(*b) {
		return nil
	}
	return []string{fmt.Sprintf("%s: %q became %q", path, os, es)}
}

func TestExportInventsNothing(t *testing.T) {
	_, pf := readPublished(t, "schemaorg_politifact.json")
	o := ClaimReview(&pf[0])
	r := o["reviewRating"].(map[string]any)
	if _, ok := r["alternateName"]; ok {
		t.Errorf("a rating given as a number only was exported with words: %v", r)
	}
	if _, ok := r["worstRating"]; ok {
		t.Errorf("worstRating invented: %v", r)
	}
	if r["bestRating"] != json.Number("6") || r["ratingValue"] != json.Number("1") {
		t.Errorf("scale rewritten: %v", r)
	}
	// "Mostly true" 4 on 1..5 stays 4, in the publisher's words.
	cs, _, err := Decode(strings.NewReader(`{"@type":"ClaimReview","claimReviewed":"x","reviewRating":{"ratingValue":"4","bestRating":"5","worstRating":"1","alternateName":"Mostly true","ratingExplanation":"The figure is right, the year is not."}}`), JSON, Options{})
	if err != nil {
		t.Fatal(err)
	}
	r = ClaimReview(&cs[0])["reviewRating"].(map[string]any)
	if r["ratingValue"] != json.Number("4") || r["alternateName"] != "Mostly true" || r["ratingExplanation"] != "The figure is right, the year is not." {
		t.Errorf("rating rewritten: %v", r)
	}
	// A desk's own record with only Basira's word keeps that word.
	r = ClaimReview(&Claim{ID: "d", Text: "y", Rating: RatingFalse})["reviewRating"].(map[string]any)
	if r["alternateName"] != RatingFalse || r["ratingValue"] != nil {
		t.Errorf("desk record rating: %v", r)
	}
}

func TestParseDateOffsets(t *testing.T) {
	for in, want := range map[string]string{
		"2021-02-03":                      "2021-02-03T00:00:00Z",
		"2021-02-03T10:20:30Z":            "2021-02-03T10:20:30Z",
		"2021-02-03T10:20:30+02:00":       "2021-02-03T10:20:30+02:00",
		"2021-02-03T10:20:30+0200":        "2021-02-03T10:20:30+02:00",
		"2021-02-03T10:20+02:00":          "2021-02-03T10:20:00+02:00",
		"2021-02-03T10:20+0200":           "2021-02-03T10:20:00+02:00",
		"2021-02-03T10:20":                "2021-02-03T10:20:00Z",
		"2021-02-03T10:20:30.5-0330":      "2021-02-03T10:20:30.5-03:30",
		"2021-02-03T10:20:30+01":          "2021-02-03T10:20:30+01:00",
		"2021-02-03 10:20:30 +0100":       "2021-02-03T10:20:30+01:00",
		"Wed, 03 Feb 2021 10:20:30 +0100": "2021-02-03T10:20:30+01:00",
		"26 May 2015":                     "2015-05-26T00:00:00Z",
	} {
		got := ParseDate(in)
		if got == nil || got.Format(time.RFC3339Nano) != want {
			t.Errorf("ParseDate(%q) = %v, want %s", in, got, want)
		}
	}
	for _, bad := range []string{"yesterday", "2021-13-40", "03.02.2021", strings.Repeat("2", 100)} {
		if ParseDate(bad) != nil {
			t.Errorf("ParseDate(%q) read a date", bad)
		}
	}
}

// TestUnreadableDatesReported: a date Basira cannot read is reported with
// its item, the claim is imported, and the date is exported as given.
func TestUnreadableDatesReported(t *testing.T) {
	in := `[{"@type":"ClaimReview","claimReviewed":"a","datePublished":"le 3 février","itemReviewed":{"@type":"Claim","datePublished":"hier"}},
	{"@type":"ClaimReview","claimReviewed":"b","datePublished":"2021-02-03T10:20+0200"}]`
	cs, errs, err := Decode(strings.NewReader(in), JSON, Options{})
	if err != nil || len(cs) != 2 {
		t.Fatalf("%v %d claims", err, len(cs))
	}
	if len(errs) != 2 || !errs[0].Kept || errs[0].Item != 1 || !strings.Contains(errs[0].Error(), `datePublished "le 3 février"`) ||
		!strings.Contains(errs[1].Error(), "itemReviewed.datePublished") || Rejected(errs) != 0 {
		t.Fatalf("warnings %v", errs)
	}
	o := ClaimReview(&cs[0])
	if o["datePublished"] == nil || o["itemReviewed"].(map[string]any)["datePublished"] == nil {
		t.Errorf("unreadable dates not exported as given: %v", o)
	}
	if cs[1].Published == nil || FormatDate(*cs[1].Published) != "2021-02-03T10:20:00+02:00" {
		t.Errorf("offset date: %v", cs[1].Published)
	}
	// Flat records too.
	_, errs, _ = Decode(strings.NewReader(`{"text":"x","date":"31/31/2020"}`+"\n"), JSONL, Options{})
	if len(errs) != 1 || !errs[0].Kept || !strings.Contains(errs[0].Error(), "line 1: imported, but date") {
		t.Errorf("flat date warning: %v", errs)
	}
}

// TestOwnRecordsRoundTrip: claims list --format jsonl output reads back
// with its structured fields.
func TestOwnRecordsRoundTrip(t *testing.T) {
	_, g := readPublished(t, "google_flat_earth.json")
	b, _ := json.Marshal(&g[0])
	cs, errs, err := Decode(bytes.NewReader(append(b, '\n')), JSONL, Options{})
	if err != nil || len(errs) > 0 || len(cs) != 1 || !sameClaim(cs[0], g[0]) {
		t.Fatalf("%v %v\n%+v\n%+v", err, errs, cs, g[0])
	}
}
