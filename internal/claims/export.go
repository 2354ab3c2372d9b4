package claims

import (
	"encoding/json"
	"io"
	"time"
)

// ratingValues places each normalized rating on the 1..5 scale that
// ClaimReview consumers (search engines, aggregators) expect.
var ratingValues = map[string]int{
	RatingFalse: 1, RatingMisleading: 2, RatingMixed: 3, RatingUnproven: 3, RatingTrue: 5,
}

// ClaimReview returns the schema.org ClaimReview object for c (without
// @context, which WriteClaimReview puts on the enclosing document).
func ClaimReview(c *Claim) map[string]any {
	o := map[string]any{
		"@type":         "ClaimReview",
		"identifier":    c.ID,
		"claimReviewed": c.Text,
	}
	if c.URL != "" {
		o["url"] = c.URL
	}
	if c.Title != "" {
		o["headline"] = c.Title
	}
	if c.Correction != "" {
		o["reviewBody"] = c.Correction
	}
	if c.Publisher != "" {
		o["author"] = map[string]any{"@type": "Organization", "name": c.Publisher}
	}
	if c.Lang != "" {
		o["inLanguage"] = c.Lang
	}
	if c.Published != nil {
		t := c.Published.UTC()
		if t.Equal(t.Truncate(24 * time.Hour)) {
			o["datePublished"] = t.Format(time.DateOnly)
		} else {
			o["datePublished"] = t.Format(time.RFC3339)
		}
	}
	if c.Rating != "" || c.RatingText != "" {
		r := map[string]any{"@type": "Rating"}
		name := c.RatingText
		if name == "" {
			name = c.Rating
		}
		r["alternateName"] = name
		if v, ok := ratingValues[c.Rating]; ok {
			r["ratingValue"], r["worstRating"], r["bestRating"] = v, 1, 5
		}
		o["reviewRating"] = r
	}
	return o
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
