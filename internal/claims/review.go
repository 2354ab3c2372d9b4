package claims

import (
	"encoding/json"
	"time"
)

// The parts of a schema.org ClaimReview that Basira keeps as the publisher
// gave them, so that an import exports back the same review: who made the
// claim and where it appeared, every author, the rating on the publisher's
// own scale. Properties Basira does not model are kept verbatim in Extra.

// Entity is a person or an organisation (ClaimReview author, the claim's
// author, an appearance's author).
type Entity struct {
	Type   string   `json:"type,omitempty"` // "Organization", "Person", …
	Name   string   `json:"name,omitempty"`
	URL    string   `json:"url,omitempty"`
	SameAs []string `json:"same_as,omitempty"`
	Extra  Extra    `json:"extra,omitempty"`
}

// ItemReviewed is the claim as made: by whom, when, where it appeared
// (ClaimReview itemReviewed, usually a schema.org Claim or CreativeWork).
type ItemReviewed struct {
	Type string `json:"type,omitempty"`
	// Name is the item's name (Google reads it as where the claim was
	// made); Text is the claim's own text when the item gives one.
	Name    string   `json:"name,omitempty"`
	Text    string   `json:"text,omitempty"`
	Authors []Entity `json:"authors,omitempty"`
	// Published is when the claim was made or entered public discourse.
	Published       *time.Time   `json:"published,omitempty"`
	Appearances     []Appearance `json:"appearances,omitempty"`
	FirstAppearance *Appearance  `json:"first_appearance,omitempty"`
	Extra           Extra        `json:"extra,omitempty"`
}

// Appearance is a work in which the claim appears (a post, an article). A
// bare URL in the source gives an Appearance with only URL set.
type Appearance struct {
	Type      string     `json:"type,omitempty"`
	URL       string     `json:"url,omitempty"`
	Headline  string     `json:"headline,omitempty"`
	Published *time.Time `json:"published,omitempty"`
	Authors   []Entity   `json:"authors,omitempty"`
	Extra     Extra      `json:"extra,omitempty"`
}

// Rating is ClaimReview reviewRating as the publisher wrote it: the
// numbers keep their spelling and scale (a 1..6 scale stays 1..6). The
// publisher's words (alternateName) are Claim.RatingText and Basira's
// reading of both is Claim.Rating.
type Rating struct {
	Value       string `json:"value,omitempty"` // ratingValue
	Best        string `json:"best,omitempty"`  // bestRating
	Worst       string `json:"worst,omitempty"` // worstRating
	Explanation string `json:"explanation,omitempty"`
	Extra       Extra  `json:"extra,omitempty"`
}

// Extra holds JSON-LD properties Basira does not model, by name, verbatim.
type Extra map[string]json.RawMessage
