package claims

import (
	"encoding/json"
	"io"
	"strconv"
	"strings"
	"time"
)

// ClaimReview returns the schema.org ClaimReview object for c (without
// @context, which WriteClaimReview puts on the enclosing document). It
// writes back what was imported: every author, the item reviewed, the
// rating on the publisher's scale and in the publisher's words, and the
// properties Basira does not model. It invents nothing: a rating read
// from a number alone is written as that number, with no words.
func ClaimReview(c *Claim) map[string]any {
	o := map[string]any{}
	putExtra(o, c.Extra)
	o["@type"] = "ClaimReview"
	o["identifier"] = c.ID
	o["claimReviewed"] = c.Text
	put(o, "url", c.URL)
	put(o, "headline", c.Title)
	put(o, "reviewBody", c.Correction)
	put(o, "inLanguage", c.Lang)
	if c.Published != nil {
		o["datePublished"] = FormatDate(*c.Published)
	}
	switch {
	case len(c.Authors) > 0:
		o["author"] = entitiesLD(c.Authors)
	case c.Publisher != "" && c.Extra["publisher"] == nil:
		o["author"] = map[string]any{"@type": "Organization", "name": c.Publisher}
	}
	if c.Item != nil {
		o["itemReviewed"] = itemLD(c.Item)
	}
	if r := ratingLD(c); r != nil {
		o["reviewRating"] = r
	}
	return o
}

func ratingLD(c *Claim) map[string]any {
	words := c.RatingText
	if words == "" && c.Review == nil {
		// A rating given as one of Basira's words (a desk's own record):
		// that is the desk's verdict, not one read from a number.
		words = c.Rating
	}
	if words == "" && c.Review == nil {
		return nil
	}
	r := map[string]any{}
	if c.Review != nil {
		putExtra(r, c.Review.Extra)
		putNumber(r, "ratingValue", c.Review.Value)
		putNumber(r, "bestRating", c.Review.Best)
		putNumber(r, "worstRating", c.Review.Worst)
		put(r, "ratingExplanation", c.Review.Explanation)
	}
	r["@type"] = "Rating"
	put(r, "alternateName", words)
	return r
}

func itemLD(it *ItemReviewed) map[string]any {
	o := map[string]any{}
	putExtra(o, it.Extra)
	put(o, "@type", it.Type)
	put(o, "name", it.Name)
	put(o, "text", it.Text)
	if len(it.Authors) > 0 {
		o["author"] = entitiesLD(it.Authors)
	}
	if it.Published != nil {
		o["datePublished"] = FormatDate(*it.Published)
	}
	if len(it.Appearances) == 1 {
		o["appearance"] = appearanceLD(&it.Appearances[0])
	} else if len(it.Appearances) > 1 {
		as := make([]any, len(it.Appearances))
		for i := range it.Appearances {
			as[i] = appearanceLD(&it.Appearances[i])
		}
		o["appearance"] = as
	}
	if it.FirstAppearance != nil {
		o["firstAppearance"] = appearanceLD(it.FirstAppearance)
	}
	return o
}

func appearanceLD(a *Appearance) map[string]any {
	o := map[string]any{}
	putExtra(o, a.Extra)
	put(o, "@type", a.Type)
	put(o, "url", a.URL)
	put(o, "headline", a.Headline)
	if a.Published != nil {
		o["datePublished"] = FormatDate(*a.Published)
	}
	if len(a.Authors) > 0 {
		o["author"] = entitiesLD(a.Authors)
	}
	return o
}

// entitiesLD writes one author as an object and several as an array.
func entitiesLD(es []Entity) any {
	out := make([]any, len(es))
	for i, e := range es {
		o := map[string]any{}
		putExtra(o, e.Extra)
		put(o, "@type", e.Type)
		put(o, "name", e.Name)
		put(o, "url", e.URL)
		if len(e.SameAs) == 1 {
			o["sameAs"] = e.SameAs[0]
		} else if len(e.SameAs) > 1 {
			o["sameAs"] = e.SameAs
		}
		out[i] = o
	}
	if len(out) == 1 {
		return out[0]
	}
	return out
}

func put(o map[string]any, k, v string) {
	if v != "" {
		o[k] = v
	}
}

// putNumber writes a rating number as a JSON number when it is one, with
// the publisher's spelling ("1", "4.5"), and as text otherwise.
func putNumber(o map[string]any, k, v string) {
	if v == "" {
		return
	}
	if _, err := strconv.ParseFloat(v, 64); err == nil && json.Valid([]byte(v)) && !strings.ContainsAny(v, "+ ") {
		o[k] = json.Number(v)
		return
	}
	o[k] = v
}

func putExtra(o map[string]any, e Extra) {
	for k, v := range e {
		o[k] = v
	}
}

// FormatDate writes a date as it was read: a bare date when it is
// midnight UTC (how a date without a time is read), otherwise RFC 3339
// with its own offset and any fraction of a second.
func FormatDate(t time.Time) string {
	if t.Location() == time.UTC && t.Equal(t.Truncate(24*time.Hour)) {
		return t.Format(time.DateOnly)
	}
	return t.Format(time.RFC3339Nano)
}

// WriteClaimReview writes claims as one JSON-LD document with a schema.org
// @context and an @graph of ClaimReview objects; Decode reads it back.
func WriteClaimReview(w io.Writer, cs []Claim) error {
	graph := make([]map[string]any, len(cs))
	for i := range cs {
		graph[i] = ClaimReview(&cs[i])
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(map[string]any{"@context": "https://schema.org", "@graph": graph})
}
