package debunk

import (
	"encoding/json"
	"strconv"

	"github.com/basira-org/basira/internal/claims"
)

// Rating is one step of Basira's rating scale. The scale is ordered by how
// much of the claim stands, from 1 (false) to 5 (true); schema.org
// ClaimReview carries the value with worstRating 1 and bestRating 5, and
// the name in the page's language as alternateName. docs/truth.md tells
// analysts when to use which.
type Rating struct {
	Key   string
	Value int
	// Claim is the fact-check store's normalized rating (claims.Rating*).
	Claim string
	// Names in each language.
	Names map[string]string
}

// The scale's bounds, as written in ClaimReview.
const (
	WorstRating = 1
	BestRating  = 5
)

// Scale is Basira's rating scale, worst to best.
var Scale = []Rating{
	{Key: "false", Value: 1, Claim: claims.RatingFalse, Names: map[string]string{"ar": "زائف", "fr": "Faux", "en": "False"}},
	{Key: "misleading", Value: 2, Claim: claims.RatingMisleading, Names: map[string]string{"ar": "مضلل", "fr": "Trompeur", "en": "Misleading"}},
	{Key: "unproven", Value: 3, Claim: claims.RatingUnproven, Names: map[string]string{"ar": "لا دليل عليه", "fr": "Non prouvé", "en": "Unproven"}},
	{Key: "partly-true", Value: 4, Claim: claims.RatingMixed, Names: map[string]string{"ar": "صحيح جزئيًا", "fr": "En partie vrai", "en": "Partly true"}},
	{Key: "true", Value: 5, Claim: claims.RatingTrue, Names: map[string]string{"ar": "صحيح", "fr": "Vrai", "en": "True"}},
}

// RatingOf returns the scale step named key.
func RatingOf(key string) (Rating, bool) {
	for _, r := range Scale {
		if r.Key == key {
			return r, true
		}
	}
	return Rating{}, false
}

// RatingKeys lists the scale's keys, worst to best.
func RatingKeys() []string {
	out := make([]string, len(Scale))
	for i, r := range Scale {
		out[i] = r.Key
	}
	return out
}

// Name returns the rating's name in lang (English when missing).
func (r Rating) Name(lang string) string {
	if n, ok := r.Names[lang]; ok {
		return n
	}
	return r.Names["en"]
}

// Publisher is the name debunks are published under unless the site is
// configured with another.
const Publisher = "Basira"

// SitePath is where the public site is served; PagePath is a debunk's
// page in one language under it.
const SitePath = "/truth/"

// PagePath returns the path of debunk id's page in lang.
func PagePath(id int64, lang string) string {
	return SitePath + strconv.FormatInt(id, 10) + "/" + lang
}

// Claims returns the live version as fact-check store claims, one per
// language, so posts repeating the claim in any of them are matched.
// base is the public site's origin ("https://example.org") for the URL.
func (d *Debunk) Claims(base, publisher string) []claims.Claim {
	v := d.LiveVersion()
	if v == nil {
		return nil
	}
	var out []claims.Claim
	for _, lang := range v.Content.Langs() {
		out = append(out, d.claim(v, lang, base, publisher))
	}
	return out
}

func (d *Debunk) claim(v *Version, lang, base, publisher string) claims.Claim {
	t := v.Content.Texts[lang]
	r, _ := RatingOf(v.Content.Rating)
	pub := *v.PublishedAt
	if d.FirstPublished != nil {
		pub = *d.FirstPublished
	}
	c := claims.Claim{
		ID: ClaimID(d.ID, lang), Text: t.Claim, Title: Title(d, v, lang),
		Rating: r.Claim, RatingText: r.Name(lang), Correction: t.ReplyText(),
		URL: base + PagePath(d.ID, lang), Publisher: publisher, Lang: lang, Published: &pub,
		Authors: []claims.Entity{{Type: "Organization", Name: publisher, URL: base + SitePath}},
		Review: &claims.Rating{Value: strconv.Itoa(r.Value), Best: strconv.Itoa(BestRating), Worst: strconv.Itoa(WorstRating),
			Explanation: t.Truth},
		Item: &claims.ItemReviewed{Type: "Claim", Text: t.Claim},
	}
	for _, a := range v.Content.Appearances {
		c.Item.Appearances = append(c.Item.Appearances, claims.Appearance{URL: a})
	}
	if len(c.Item.Appearances) > 0 {
		first := c.Item.Appearances[0]
		c.Item.FirstAppearance = &first
	}
	if v.N > 1 {
		// A correction: search engines read dateModified.
		mod, _ := json.Marshal(claims.FormatDate(*v.PublishedAt))
		c.Extra = claims.Extra{"dateModified": mod}
	}
	return c
}

// ClaimReview returns the schema.org ClaimReview JSON-LD object of the
// live version's page in lang (with @context), or nil.
func (d *Debunk) ClaimReview(lang, base, publisher string) map[string]any {
	v := d.LiveVersion()
	if v == nil {
		return nil
	}
	if _, ok := v.Content.Texts[lang]; !ok {
		return nil
	}
	c := d.claim(v, lang, base, publisher)
	o := claims.ClaimReview(&c)
	o["@context"] = "https://schema.org"
	return o
}

// Title returns the page's headline in lang: the text's own, or the
// rating's name and the claim.
func Title(d *Debunk, v *Version, lang string) string {
	t := v.Content.Texts[lang]
	if t.Title != "" {
		return t.Title
	}
	r, _ := RatingOf(v.Content.Rating)
	sep := ": "
	if lang == "fr" {
		sep = "\u00a0: " // French puts a (no-break) space before the colon
	}
	return r.Name(lang) + sep + t.Claim
}
