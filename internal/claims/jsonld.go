package claims

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
)

// maxDepth bounds how deep collectObjects looks for ClaimReview objects: a
// Data Commons feed puts them at depth 4 (feed, dataFeedElement, item,
// list), an article at 2 or 3.
const maxDepth = 16

// collectObjects finds the fact-checks of a JSON document: ClaimReview
// objects wherever they are (arrays, @graph, a DataFeed's
// dataFeedElement[].item, an Article's or WebPage's review, mainEntity or
// hasPart), and, at the top level (the document, its arrays and its
// @graph), untyped objects that hold no ClaimReview: flat records.
func collectObjects(v any, out *[]map[string]any, depth int, top bool) {
	if depth > maxDepth {
		return
	}
	switch x := v.(type) {
	case []any:
		for _, e := range x {
			collectObjects(e, out, depth+1, top)
		}
	case map[string]any:
		t, hasType := x["@type"]
		if hasType && hasTypeName(t, "ClaimReview") {
			*out = append(*out, x)
			return
		}
		n := len(*out)
		keys := make([]string, 0, len(x))
		for k := range x {
			if k != "@context" {
				keys = append(keys, k)
			}
		}
		// @graph first, then the other properties in name order, so the
		// order of the claims does not depend on map iteration.
		slices.SortFunc(keys, func(a, b string) int {
			switch {
			case a == b:
				return 0
			case a == "@graph":
				return -1
			case b == "@graph":
				return 1
			}
			return strings.Compare(a, b)
		})
		for _, k := range keys {
			collectObjects(x[k], out, depth+1, top && k == "@graph")
		}
		if len(*out) == n && top && !hasType {
			*out = append(*out, x)
		}
	}
}

func hasTypeName(t any, name string) bool {
	switch x := t.(type) {
	case string:
		return x == name || strings.HasSuffix(x, "/"+name) || strings.HasSuffix(x, ":"+name)
	case []any:
		for _, e := range x {
			if hasTypeName(e, name) {
				return true
			}
		}
	}
	return false
}

// props reads the properties of one JSON-LD object and remembers which it
// used, so that the others are kept verbatim (Extra).
type props struct {
	o    map[string]any
	used map[string]bool
	warn func(string)
}

func newProps(o map[string]any, warn func(string)) *props {
	return &props{o: o, used: map[string]bool{"@context": true}, warn: warn}
}

// str returns a scalar property as text and marks it used; objects and
// arrays are left for Extra.
func (p *props) str(key string) string {
	v, ok := p.o[key]
	if !ok {
		return ""
	}
	s, scalar := scalarText(v)
	if scalar {
		p.used[key] = true
	}
	return s
}

// strFold is str with a case-insensitive name ("Name" is seen in real
// markup).
func (p *props) strFold(key string) string {
	if s := p.str(key); s != "" {
		return s
	}
	for k := range p.o {
		if !p.used[k] && strings.EqualFold(k, key) {
			if s := p.str(k); s != "" {
				return s
			}
		}
	}
	return ""
}

// take returns a property and marks it used.
func (p *props) take(key string) (any, bool) {
	v, ok := p.o[key]
	if ok {
		p.used[key] = true
	}
	return v, ok
}

// date reads a date property. One that cannot be read is reported and left
// in Extra, so it is neither lost nor guessed.
func (p *props) date(key, where string) *time.Time {
	v, ok := p.o[key]
	if !ok {
		return nil
	}
	s, scalar := scalarText(v)
	if !scalar || s == "" {
		if !scalar {
			p.warn(fmt.Sprintf("%s%s is not a date; kept as given", where, key))
		}
		return nil
	}
	t := ParseDate(s)
	if t == nil {
		p.warn(fmt.Sprintf("%s%s %q is not a date Basira reads; kept as given", where, key, clip(s, 40)))
		return nil
	}
	p.used[key] = true
	return t
}

// extra returns the properties not used, verbatim.
func (p *props) extra() Extra {
	var e Extra
	for k, v := range p.o {
		if p.used[k] {
			continue
		}
		b, err := json.Marshal(v)
		if err != nil {
			continue
		}
		if e == nil {
			e = Extra{}
		}
		e[k] = b
	}
	return e
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8Start(s[n]) {
		n--
	}
	return s[:n] + "…"
}

func utf8Start(b byte) bool { return b&0xC0 != 0x80 }

// scalarText renders a JSON scalar as text (numbers keep their spelling);
// scalar is false for objects and arrays.
func scalarText(v any) (s string, scalar bool) {
	switch v.(type) {
	case map[string]any, []any:
		return "", false
	}
	return scalarString(v), true
}

// fromClaimReview reads a schema.org ClaimReview object, keeping every
// property: those Basira models in their fields, the rest in Extra.
func fromClaimReview(o map[string]any, warn func(string)) Claim {
	p := newProps(o, warn)
	p.used["@type"] = true
	c := Claim{
		ID:         p.str("identifier"),
		Text:       p.str("claimReviewed"),
		URL:        p.str("url"),
		Lang:       p.str("inLanguage"),
		Correction: p.str("reviewBody"),
		Title:      p.str("headline"),
	}
	if c.Title == "" {
		c.Title = p.str("name")
	}
	if c.Correction == "" {
		c.Correction = p.str("description")
	}
	if c.Lang == "" {
		if v, ok := o["inLanguage"].(map[string]any); ok {
			// {"@type": "Language", "name": "fr"}: the code is what counts.
			if s := firstString(v, "alternateName", "name"); s != "" {
				c.Lang = s
				p.used["inLanguage"] = true
			}
		}
	}
	if c.URL == "" {
		// @id stays in Extra too: it names the node for other nodes.
		c.URL = scalarString(o["@id"])
	}
	c.Published = p.date("datePublished", "")
	if v, ok := p.take("author"); ok {
		c.Authors = entities(v, warn)
	}
	for _, a := range c.Authors {
		if a.Name != "" {
			c.Publisher = a.Name
			break
		}
	}
	if len(c.Authors) == 1 && c.Authors[0].Type == "Organization" && c.Authors[0].URL == "" && c.Authors[0].SameAs == nil && c.Authors[0].Extra == nil {
		// One organisation known by its name only: Publisher says it all
		// (and is what a flat record exports as).
		c.Authors = nil
	}
	if c.Publisher == "" {
		// publisher stays in Extra: it is another property than author.
		c.Publisher = nameOf(o["publisher"])
	}
	if v, ok := o["itemReviewed"].(map[string]any); ok {
		p.used["itemReviewed"] = true
		c.Item = itemReviewed(v, warn)
		if c.Text == "" {
			c.Text = c.Item.Text
		}
		if c.Text == "" {
			c.Text = c.Item.Name
		}
	}
	if rr, ok := o["reviewRating"].(map[string]any); ok {
		p.used["reviewRating"] = true
		c.Review, c.RatingText = rating(rr, warn)
		if c.RatingText == "" {
			// Basira's reading of the number, for its own use (signals);
			// it is never written back as the publisher's words.
			c.Rating = numericRating(c.Review)
		}
	}
	c.Extra = p.extra()
	return c
}

func rating(o map[string]any, warn func(string)) (*Rating, string) {
	p := newProps(o, warn)
	p.used["@type"] = true
	r := &Rating{
		Value:       p.str("ratingValue"),
		Best:        p.str("bestRating"),
		Worst:       p.str("worstRating"),
		Explanation: p.str("ratingExplanation"),
	}
	words := p.str("alternateName")
	if words == "" {
		words = p.str("name")
	}
	r.Extra = p.extra()
	if r.Value == "" && r.Best == "" && r.Worst == "" && r.Explanation == "" && r.Extra == nil {
		return nil, words
	}
	return r, words
}

func itemReviewed(o map[string]any, warn func(string)) *ItemReviewed {
	p := newProps(o, warn)
	it := &ItemReviewed{Name: p.str("name"), Text: p.str("text")}
	if t := p.str("@type"); t != "" {
		it.Type = t
	}
	if v, ok := p.take("author"); ok {
		it.Authors = entities(v, warn)
	}
	it.Published = p.date("datePublished", "itemReviewed.")
	if v, ok := p.take("appearance"); ok {
		it.Appearances = appearances(v, warn)
	}
	if v, ok := o["firstAppearance"]; ok {
		if as := appearances(v, warn); len(as) == 1 {
			p.used["firstAppearance"] = true
			it.FirstAppearance = &as[0]
		}
	}
	it.Extra = p.extra()
	return it
}

func appearances(v any, warn func(string)) []Appearance {
	switch x := v.(type) {
	case []any:
		var out []Appearance
		for _, e := range x {
			out = append(out, appearances(e, warn)...)
		}
		return out
	case map[string]any:
		p := newProps(x, warn)
		a := Appearance{Type: p.str("@type"), URL: p.str("url"), Headline: p.str("headline")}
		if a.URL == "" {
			a.URL = p.str("@id")
		}
		a.Published = p.date("datePublished", "appearance.")
		if v, ok := p.take("author"); ok {
			a.Authors = entities(v, warn)
		}
		a.Extra = p.extra()
		return []Appearance{a}
	}
	if s, _ := scalarText(v); s != "" {
		return []Appearance{{URL: s}}
	}
	return nil
}

// entities reads one author or a list of them: objects or bare names.
func entities(v any, warn func(string)) []Entity {
	switch x := v.(type) {
	case []any:
		var out []Entity
		for _, e := range x {
			out = append(out, entities(e, warn)...)
		}
		return out
	case map[string]any:
		p := newProps(x, warn)
		e := Entity{Type: p.str("@type"), Name: p.strFold("name"), URL: p.str("url")}
		if e.Type == "" {
			e.Type = p.str("type")
		}
		switch s := x["sameAs"].(type) {
		case string:
			e.SameAs = []string{s}
			p.used["sameAs"] = true
		case []any:
			all := true
			for _, u := range s {
				if us, ok := u.(string); ok {
					e.SameAs = append(e.SameAs, us)
				} else {
					all = false
				}
			}
			if all {
				p.used["sameAs"] = true
			} else {
				e.SameAs = nil
			}
		}
		e.Extra = p.extra()
		return []Entity{e}
	}
	if s, _ := scalarText(v); s != "" {
		return []Entity{{Name: s}}
	}
	return nil
}

// numericRating reads ratingValue on [worstRating, bestRating] (1..5 when
// not given) as one of Basira's ratings: the bottom quarter is false, the
// top quarter true. It is Basira's reading, kept in Claim.Rating only.
func numericRating(r *Rating) string {
	if r == nil {
		return ""
	}
	v, ok := number(r.Value)
	if !ok {
		return ""
	}
	worst, ok1 := number(r.Worst)
	best, ok2 := number(r.Best)
	if !ok1 {
		worst = 1
	}
	if !ok2 {
		best = 5
	}
	if best <= worst || v < worst || v > best {
		return RatingOther
	}
	switch f := (v - worst) / (best - worst); {
	case f < 0.25:
		return RatingFalse
	case f < 0.5:
		return RatingMisleading
	case f < 0.75:
		return RatingMixed
	default:
		return RatingTrue
	}
}
