package debunk

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/basira-org/basira/internal/claims"
)

func content() Content {
	return Content{Rating: "misleading",
		Texts: map[string]Text{
			"ar": {Claim: "  فيديو يظهر فيضان الدار البيضاء أمس  ", Truth: "الفيديو من إندونيسيا سنة 2021؟ نعم، وليس من المغرب. تحققنا من المصدر."},
			"en": {Claim: "Video shows Casablanca flood yesterday", Truth: "The video is from Indonesia, 2021. It is not Morocco."},
		},
		Sources:     []Source{{URL: "https://example.org/original", Title: "original upload"}},
		Appearances: []string{"https://x.com/a/status/1"}}
}

func TestWorkflow(t *testing.T) {
	t0 := time.Date(2026, 12, 7, 8, 0, 0, 0, time.UTC)
	d, err := Create("alice", 7, content(), t0)
	if err != nil {
		t.Fatal(err)
	}
	if d.Latest().Content.Texts["ar"].Claim != "فيديو يظهر فيضان الدار البيضاء أمس" {
		t.Fatalf("texts are not trimmed: %q", d.Latest().Content.Texts["ar"].Claim)
	}
	if err := d.Publish(t0); !errors.Is(err, ErrState) {
		t.Fatalf("publish a draft: %v", err)
	}
	if err := d.Approve("alice", t0); !errors.Is(err, ErrFourEyes) {
		t.Fatalf("self-approval: %v", err)
	}
	if err := d.Approve("bob", t0); err != nil {
		t.Fatal(err)
	}
	// Bob edits the approved version: it is a draft again, and Bob, now
	// an editor, cannot approve it; Carol can.
	if err := d.Edit("bob", content(), "", t0); err != nil || d.Status() != Draft || d.Latest().ApprovedBy != "" {
		t.Fatalf("edit after approval: %v, %s", err, d.Status())
	}
	if err := d.Approve("bob", t0); !errors.Is(err, ErrFourEyes) {
		t.Fatalf("approval by an editor: %v", err)
	}
	if err := d.Approve("carol", t0); err != nil {
		t.Fatal(err)
	}
	if cs := d.Claims("https://t.example", Publisher); cs != nil {
		t.Fatalf("claims of an unpublished debunk: %v", cs)
	}
	if err := d.Publish(t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := d.Edit("alice", content(), "", t0); !errors.Is(err, ErrState) {
		t.Fatalf("editing a published version: %v", err)
	}
	if err := d.Correct("alice", content(), " ", t0); !errors.Is(err, ErrInvalid) {
		t.Fatalf("a correction without a note: %v", err)
	}
	fixed := content()
	fixed.Rating = "false"
	if err := d.Correct("alice", fixed, "the date", t0.Add(2*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if d.Live != 1 || d.LiveVersion().Content.Rating != "misleading" || len(d.Corrections()) != 0 {
		t.Fatal("an unpublished correction shows")
	}
	if err := d.Approve("bob", t0); err != nil {
		t.Fatal(err)
	}
	if err := d.Publish(t0.Add(3 * time.Hour)); err != nil {
		t.Fatal(err)
	}
	if d.Live != 2 || d.Versions[0].Status != Superseded || len(d.Corrections()) != 1 || !d.FirstPublished.Equal(t0.Add(time.Hour)) {
		t.Fatalf("after the correction: %+v", d)
	}
	cs := d.Claims("https://t.example", Publisher)
	if len(cs) != 2 || cs[0].ID != ClaimID(0, "ar") || cs[0].Rating != claims.RatingFalse || cs[1].Lang != "en" ||
		cs[0].URL != "https://t.example/truth/0/ar" || !cs[0].Published.Equal(t0.Add(time.Hour)) {
		t.Fatalf("claims %+v", cs)
	}
}

func TestValidate(t *testing.T) {
	mod := func(f func(*Content)) Content { c := content(); f(&c); return c }
	for name, c := range map[string]Content{
		"no arabic":       mod(func(c *Content) { delete(c.Texts, "ar") }),
		"rating":          mod(func(c *Content) { c.Rating = "fake" }),
		"language":        mod(func(c *Content) { c.Texts["de"] = Text{Claim: "x", Truth: "y"} }),
		"empty truth":     mod(func(c *Content) { c.Texts["en"] = Text{Claim: "x", Truth: " "} }),
		"script source":   mod(func(c *Content) { c.Sources = []Source{{URL: "javascript:alert(1)"}} }),
		"relative source": mod(func(c *Content) { c.Sources = []Source{{URL: "/truth/1"}} }),
		"appearance":      mod(func(c *Content) { c.Appearances = []string{"ftp://x/y"} }),
		"long claim":      mod(func(c *Content) { c.Texts["ar"] = Text{Claim: strings.Repeat("خ", MaxClaim), Truth: "y"} }),
		"bad utf-8":       mod(func(c *Content) { c.Texts["ar"] = Text{Claim: "\xff", Truth: "y"} }),
		"many sources":    mod(func(c *Content) { c.Sources = make([]Source, MaxSources+1) }),
	} {
		if err := c.Validate(); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: %v, want ErrInvalid", name, err)
		}
	}
	c := content()
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
}

func TestReplyText(t *testing.T) {
	for in, want := range map[string]string{
		"الفيديو من إندونيسيا؟ وليس من المغرب.": "الفيديو من إندونيسيا؟",
		"Le pont est ouvert. Il n'a pas cédé.":  "Le pont est ouvert.",
		"no full stop":                          "no full stop",
	} {
		if got := (Text{Truth: in}).ReplyText(); got != want {
			t.Errorf("%q: %q, want %q", in, got, want)
		}
	}
	long := strings.Repeat("ب", MaxReply) // 2 bytes a letter: cut mid-text
	got := (Text{Truth: long}).ReplyText()
	if !utf8.ValidString(got) || len(got) > MaxReply+len("…") || !strings.HasSuffix(got, "…") {
		t.Fatalf("cut reply: %d bytes, valid %v", len(got), utf8.ValidString(got))
	}
	if got := (Text{Truth: "a. b", Reply: "own"}).ReplyText(); got != "own" {
		t.Fatalf("own reply: %q", got)
	}
}

func TestClaimIDs(t *testing.T) {
	id, lang, ok := ParseClaimID(ClaimID(42, "fr"))
	if !ok || id != 42 || lang != "fr" {
		t.Fatalf("round trip: %d %s %v", id, lang, ok)
	}
	for _, s := range []string{"c-0123", "basira-debunk-", "basira-debunk-x-ar", "basira-debunk-4-de", "basira-debunk--1-ar", "basira-debunk-4"} {
		if _, _, ok := ParseClaimID(s); ok {
			t.Errorf("%q parsed", s)
		}
	}
	if !strings.HasPrefix(ClaimID(12, "ar"), ClaimIDPrefix(12)) || strings.HasPrefix(ClaimID(12, "ar"), ClaimIDPrefix(1)) {
		t.Fatal("prefixes overlap between debunks 1 and 12")
	}
}

// TestClaimReviewImports: the JSON-LD a page embeds is read back by
// Basira's own ClaimReview importer (the one that reads publishers'
// feeds) with the rating on its 1..5 scale, the words, the author and the
// appearance: what another desk importing Basira's pages gets.
func TestClaimReviewImports(t *testing.T) {
	t0 := time.Date(2026, 12, 7, 8, 0, 0, 0, time.UTC)
	d, _ := Create("alice", 0, content(), t0)
	d.ID = 9
	d.Approve("bob", t0)
	d.Publish(t0)
	ld := d.ClaimReview("ar", "https://t.example", Publisher)
	if ld == nil || d.ClaimReview("fr", "https://t.example", Publisher) != nil {
		t.Fatal("JSON-LD for a language the debunk has, none for one it lacks")
	}
	b, err := json.Marshal(ld)
	if err != nil {
		t.Fatal(err)
	}
	cs, itemErrs, err := claims.Decode(bytes.NewReader(b), claims.JSON, claims.Options{})
	if err != nil || len(itemErrs) > 0 || len(cs) != 1 {
		t.Fatalf("import: %v %v %d", err, itemErrs, len(cs))
	}
	c := cs[0]
	if c.ID != "basira-debunk-9-ar" || c.Rating != claims.RatingMisleading || c.RatingText != "مضلل" || c.Review == nil ||
		c.Review.Value != "2" || c.Review.Best != "5" || c.Review.Worst != "1" || c.URL != "https://t.example/truth/9/ar" ||
		c.Publisher != Publisher || c.Item == nil || len(c.Item.Appearances) != 1 || c.Published == nil || !c.Published.Equal(t0) {
		t.Fatalf("imported %+v (review %+v, item %+v)", c, c.Review, c.Item)
	}
}

// FuzzContent: whatever an API client sends, Validate decides without
// panicking, and valid content yields claims and JSON-LD that encode.
func FuzzContent(f *testing.F) {
	b, _ := json.Marshal(content())
	f.Add(b)
	f.Add([]byte(`{"rating":"false","texts":{"ar":{"claim":"\u0628","truth":"."}}}`))
	f.Add([]byte(`{"rating":"true","texts":{"ar":{"claim":"a","truth":"b"}},"sources":[{"url":"http://[::1"}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 64<<10 {
			return
		}
		var c Content
		if json.Unmarshal(data, &c) != nil || c.Validate() != nil {
			return
		}
		now := time.Unix(1_800_000_000, 0).UTC()
		d, err := Create("a", 0, c, now)
		if err != nil {
			t.Fatalf("valid content refused: %v", err)
		}
		d.Approve("b", now)
		d.Publish(now)
		for _, cl := range d.Claims("https://t.example", Publisher) {
			if !utf8.ValidString(cl.Correction) {
				t.Fatalf("reply is not UTF-8: %q", cl.Correction)
			}
		}
		if _, err := json.Marshal(d.ClaimReview("ar", "https://t.example", Publisher)); err != nil {
			t.Fatal(err)
		}
	})
}
