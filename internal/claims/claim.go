// Package claims is Basira's fact-check store: the Claim type, import from
// schema.org ClaimReview (JSON-LD), JSONL, CSV and TSV, export to
// ClaimReview, and a workspace store. Retrieval (matching posts to claims),
// evaluation and emerging-claim clustering live in sub-packages.
package claims

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"time"
)

// Claim is one published fact-check: a claim that was checked, the verdict,
// and what is true instead.
type Claim struct {
	// ID is stable across re-imports: the source's identifier when it has
	// one, otherwise derived from the review URL or the claim text.
	ID string `json:"id"`
	// Text is the claim as it circulated (ClaimReview claimReviewed).
	Text string `json:"text"`
	// Title is the headline of the fact-check article, when known; it is
	// matched too, since it often restates the claim.
	Title string `json:"title,omitempty"`
	// Rating is the normalized verdict (see Ratings); RatingText keeps the
	// publisher's own words ("Faux", "خبر زائف", "Mostly false").
	Rating     string `json:"rating,omitempty"`
	RatingText string `json:"rating_text,omitempty"`
	// Correction says what is true instead.
	Correction string `json:"correction,omitempty"`
	URL        string `json:"url,omitempty"`
	Publisher  string `json:"publisher,omitempty"`
	Lang       string `json:"lang,omitempty"`
	// Published is the date of the fact-check, when known, in the offset
	// the publisher gave.
	Published *time.Time `json:"published,omitempty"`

	// Authors are the fact-check's authors as given (ClaimReview author);
	// Publisher is the first one's name.
	Authors []Entity `json:"authors,omitempty"`
	// Item is the claim as made: by whom, when, where it appeared.
	Item *ItemReviewed `json:"item_reviewed,omitempty"`
	// Review is the rating's numbers and explanation as the publisher
	// gave them (nil when there were none).
	Review *Rating `json:"review_rating,omitempty"`
	// Extra keeps the other ClaimReview properties verbatim for export.
	Extra Extra `json:"extra,omitempty"`
}

// The normalized ratings. Publishers use many words; NormalizeRating maps
// them onto these.
const (
	RatingFalse      = "false"
	RatingMisleading = "misleading"
	RatingMixed      = "mixed"
	RatingTrue       = "true"
	RatingUnproven   = "unproven"
	RatingSatire     = "satire"
	RatingOther      = "other"
)

// ratingWords maps folded words seen in publishers' verdicts to a rating.
// The first matching entry wins, so longer, more specific phrases come first.
var ratingWords = []struct{ word, rating string }{
	{"mostly false", RatingMisleading}, {"partly false", RatingMisleading}, {"partially false", RatingMisleading},
	{"half true", RatingMixed}, {"mostly true", RatingMixed}, {"mixture", RatingMixed}, {"mixed", RatingMixed},
	{"misleading", RatingMisleading}, {"missing context", RatingMisleading}, {"out of context", RatingMisleading},
	{"trompeur", RatingMisleading}, {"partiellement faux", RatingMisleading}, {"مضلل", RatingMisleading},
	{"خارج السياق", RatingMisleading}, {"نصف صحيح", RatingMixed}, {"صحيح جزئيا", RatingMixed},
	{"pants on fire", RatingFalse}, {"false", RatingFalse}, {"fake", RatingFalse}, {"faux", RatingFalse},
	{"fausse", RatingFalse}, {"hoax", RatingFalse}, {"incorrect", RatingFalse}, {"inexact", RatingFalse},
	{"زائف", RatingFalse}, {"كاذب", RatingFalse}, {"غير صحيح", RatingFalse}, {"لا أساس", RatingFalse},
	{"لا اساس", RatingFalse}, {"مفبرك", RatingFalse}, {"شائعة", RatingFalse}, {"خطأ", RatingFalse}, {"خاطئ", RatingFalse},
	{"unproven", RatingUnproven}, {"unverified", RatingUnproven}, {"unsupported", RatingUnproven},
	{"non prouvé", RatingUnproven}, {"غير مؤكد", RatingUnproven}, {"satire", RatingSatire}, {"ساخر", RatingSatire},
	{"true", RatingTrue}, {"correct", RatingTrue}, {"accurate", RatingTrue}, {"vrai", RatingTrue},
	{"صحيح", RatingTrue}, {"حقيقي", RatingTrue},
}

// NormalizeRating maps a publisher's verdict to one of the Rating constants,
// or RatingOther when it is not recognised, or "" when s is empty.
func NormalizeRating(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "" {
		return ""
	}
	for _, rw := range ratingWords {
		if strings.Contains(s, rw.word) {
			return rw.rating
		}
	}
	return RatingOther
}

// IsDebunk reports whether the claim's verdict says the claim is not true
// as stated (false, misleading, mixed or unproven). Unrated claims count as
// debunks: a fact-check store holds checked rumours.
func (c *Claim) IsDebunk() bool {
	switch c.Rating {
	case RatingTrue, RatingSatire:
		return false
	}
	return true
}

// DeriveID returns a stable identifier for a claim without one: "c-" and
// 16 hex characters of SHA-256 over the review URL, or the claim text when
// there is no URL.
func DeriveID(c *Claim) string {
	key := c.URL
	if key == "" {
		key = strings.Join(strings.Fields(c.Text), " ")
	}
	sum := sha256.Sum256([]byte(key))
	return "c-" + hex.EncodeToString(sum[:8])
}
