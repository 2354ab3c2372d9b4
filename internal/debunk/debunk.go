// Package debunk is how Basira shows what is true: an analyst writes a
// debunk of a rumour (the claim as it circulates, a rating on Basira's
// scale, what is true, the evidence and sources) in Arabic and optionally
// French and English; a second analyst approves it (four eyes); it is then
// published, and joins the fact-check store so that posts repeating the
// claim are matched. A published debunk is corrected by a new version that
// goes through the same approval and is shown as a correction.
//
// The package holds the rules (Create, Edit, Approve, Publish, Correct act
// on a Debunk in memory); a Store applies them inside one transaction with
// their audit entries.
package debunk

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Errors of the workflow; match them with errors.Is.
var (
	// ErrInvalid: the content breaks a rule (missing Arabic text, unknown
	// rating, a source that is not an http(s) URL, a field too long).
	ErrInvalid = errors.New("invalid debunk")
	// ErrState: the step does not fit the debunk's state (approving a
	// version that is not a draft, correcting an unpublished debunk).
	ErrState = errors.New("the debunk is not in a state that allows this step")
	// ErrFourEyes: an analyst who wrote or edited a version tried to
	// approve it; a different analyst must.
	ErrFourEyes = errors.New("a version must be approved by an analyst who did not write it")
)

// Version statuses. The latest version is a draft, approved or published;
// a published version replaced by a later one is superseded.
const (
	Draft      = "draft"
	Approved   = "approved"
	Published  = "published"
	Superseded = "superseded"
)

// Languages a debunk may be written in: Arabic is required.
var Languages = []string{"ar", "fr", "en"}

// Limits on what one debunk holds, in bytes or items.
const (
	MaxClaim    = 2 << 10
	MaxTitle    = 300
	MaxTruth    = 8 << 10
	MaxEvidence = 16 << 10
	MaxReply    = 500
	MaxNote     = 2 << 10
	MaxSources  = 30
	MaxURL      = 2 << 10
)

// Text is a debunk in one language.
type Text struct {
	// Claim is the claim as it circulates, in this language.
	Claim string `json:"claim"`
	// Title is the page's headline (default: the rating and the claim).
	Title string `json:"title,omitempty"`
	// Truth says what is true instead: the answer, in a few sentences.
	Truth string `json:"truth"`
	// Evidence explains how it was checked.
	Evidence string `json:"evidence,omitempty"`
	// Reply is the short text a platform can show under a post repeating
	// the claim (default: the first sentence of Truth).
	Reply string `json:"reply,omitempty"`
}

// Source is a piece of evidence: a document, an official statement, an
// archive of the original post.
type Source struct {
	URL   string `json:"url"`
	Title string `json:"title,omitempty"`
}

// Content is what a version of a debunk says.
type Content struct {
	Rating string `json:"rating"`
	// Texts by language ("ar" required, "fr" and "en" optional).
	Texts   map[string]Text `json:"texts"`
	Sources []Source        `json:"sources,omitempty"`
	// Appearances are URLs where the claim was seen (posts, articles).
	Appearances []string `json:"appearances,omitempty"`
}

// Version is one approved-or-not text of a debunk. Version 1 is the first
// publication; later ones are corrections and carry a Note.
type Version struct {
	N       int     `json:"n"`
	Status  string  `json:"status"`
	Content Content `json:"content"`
	// Note says what a correction changed (empty for version 1).
	Note string `json:"note,omitempty"`
	// Editors wrote or edited this version; none of them may approve it.
	Editors     []string   `json:"editors"`
	ApprovedBy  string     `json:"approved_by,omitempty"`
	ApprovedAt  *time.Time `json:"approved_at,omitempty"`
	PublishedAt *time.Time `json:"published_at,omitempty"`
	CreatedAt   time.Time  `json:"created_at"`
	UpdatedAt   time.Time  `json:"updated_at"`
}

// Debunk is a debunk with every version, oldest first.
type Debunk struct {
	ID int64 `json:"id"`
	// CaseID is the rumour case it answers (0: free-standing).
	CaseID    int64  `json:"case_id,omitempty"`
	CreatedBy string `json:"created_by"`
	// Live is the version the public sees (0: never published).
	Live int `json:"live"`
	// FirstPublished is when version 1 was published: posts matched
	// before and after it are counted apart.
	FirstPublished *time.Time `json:"first_published,omitempty"`
	CreatedAt      time.Time  `json:"created_at"`
	UpdatedAt      time.Time  `json:"updated_at"`
	// Rev grows on every change; a store refuses a write over a newer one.
	Rev      int64     `json:"rev"`
	Versions []Version `json:"versions"`
}

// Latest returns the newest version.
func (d *Debunk) Latest() *Version { return &d.Versions[len(d.Versions)-1] }

// LiveVersion returns the version the public sees, or nil.
func (d *Debunk) LiveVersion() *Version {
	if d.Live == 0 || d.Live > len(d.Versions) {
		return nil
	}
	return &d.Versions[d.Live-1]
}

// Corrections returns the published corrections up to the live version,
// oldest first: what the public page lists under "Corrections".
func (d *Debunk) Corrections() []Version {
	var out []Version
	for _, v := range d.Versions {
		if v.N > 1 && v.N <= d.Live && v.PublishedAt != nil {
			out = append(out, v)
		}
	}
	return out
}

// Status is the state of the latest version (what the next step is).
func (d *Debunk) Status() string { return d.Latest().Status }

// Create returns a new debunk with version 1 as a draft by actor.
func Create(actor string, caseID int64, c Content, now time.Time) (*Debunk, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	if actor == "" {
		return nil, fmt.Errorf("%w: a debunk needs an author", ErrInvalid)
	}
	return &Debunk{CaseID: caseID, CreatedBy: actor, CreatedAt: now, UpdatedAt: now,
		Versions: []Version{{N: 1, Status: Draft, Content: c.normal(), Editors: []string{actor}, CreatedAt: now, UpdatedAt: now}}}, nil
}

// Edit replaces the latest version's content. A draft stays a draft; an
// approved version goes back to draft (its approval was for other words).
// The editor joins the version's editors, so cannot approve it.
func (d *Debunk) Edit(actor string, c Content, note string, now time.Time) error {
	v := d.Latest()
	if v.Status != Draft && v.Status != Approved {
		return fmt.Errorf("%w: version %d is %s; write a correction instead", ErrState, v.N, v.Status)
	}
	if err := c.Validate(); err != nil {
		return err
	}
	if v.N > 1 {
		if err := validNote(note); err != nil {
			return err
		}
		v.Note = strings.TrimSpace(note)
	}
	v.Content = c.normal()
	v.Status = Draft
	v.ApprovedBy, v.ApprovedAt = "", nil
	if !slices.Contains(v.Editors, actor) {
		v.Editors = append(v.Editors, actor)
	}
	v.UpdatedAt, d.UpdatedAt = now, now
	return nil
}

// Approve records actor's approval of the latest version, a draft. The
// approver must not be one of its editors (four eyes).
func (d *Debunk) Approve(actor string, now time.Time) error {
	v := d.Latest()
	if v.Status != Draft {
		return fmt.Errorf("%w: version %d is %s, only a draft can be approved", ErrState, v.N, v.Status)
	}
	if slices.Contains(v.Editors, actor) {
		return fmt.Errorf("%w: %s wrote version %d", ErrFourEyes, actor, v.N)
	}
	v.Status, v.ApprovedBy, v.ApprovedAt = Approved, actor, &now
	v.UpdatedAt, d.UpdatedAt = now, now
	return nil
}

// Publish makes the latest version, approved, the one the public sees;
// the version it replaces is superseded.
func (d *Debunk) Publish(now time.Time) error {
	v := d.Latest()
	if v.Status != Approved {
		return fmt.Errorf("%w: version %d is %s; it must be approved by a second analyst first", ErrState, v.N, v.Status)
	}
	if old := d.LiveVersion(); old != nil {
		old.Status, old.UpdatedAt = Superseded, now
	}
	v.Status, v.PublishedAt, v.UpdatedAt = Published, &now, now
	d.Live, d.UpdatedAt = v.N, now
	if d.FirstPublished == nil {
		d.FirstPublished = &now
	}
	return nil
}

// Correct opens a correction of a published debunk: a new draft version
// with the corrected content and a note saying what changed. The public
// keeps seeing the live version until the correction is approved and
// published.
func (d *Debunk) Correct(actor string, c Content, note string, now time.Time) error {
	v := d.Latest()
	if v.Status != Published {
		return fmt.Errorf("%w: version %d is %s; edit it instead of correcting it", ErrState, v.N, v.Status)
	}
	if err := c.Validate(); err != nil {
		return err
	}
	if err := validNote(note); err != nil {
		return err
	}
	d.Versions = append(d.Versions, Version{N: v.N + 1, Status: Draft, Content: c.normal(), Note: strings.TrimSpace(note),
		Editors: []string{actor}, CreatedAt: now, UpdatedAt: now})
	d.UpdatedAt = now
	return nil
}

func validNote(note string) error {
	note = strings.TrimSpace(note)
	if note == "" {
		return fmt.Errorf("%w: a correction needs a note saying what changed", ErrInvalid)
	}
	if len(note) > MaxNote {
		return fmt.Errorf("%w: the note is %d bytes, over %d", ErrInvalid, len(note), MaxNote)
	}
	return nil
}

// Validate checks c against the rules: a rating on the scale, an Arabic
// text with a claim and what is true, only known languages, http(s)
// sources, and the size limits.
func (c *Content) Validate() error {
	if _, ok := RatingOf(c.Rating); !ok {
		return fmt.Errorf("%w: rating %q is not on the scale (%s)", ErrInvalid, c.Rating, strings.Join(RatingKeys(), ", "))
	}
	if _, ok := c.Texts["ar"]; !ok {
		return fmt.Errorf("%w: the Arabic text (texts.ar) is required", ErrInvalid)
	}
	for lang, t := range c.Texts {
		if !slices.Contains(Languages, lang) {
			return fmt.Errorf("%w: language %q is not one of %s", ErrInvalid, lang, strings.Join(Languages, ", "))
		}
		for _, f := range []struct {
			name, v  string
			max      int
			required bool
		}{{"claim", t.Claim, MaxClaim, true}, {"title", t.Title, MaxTitle, false}, {"truth", t.Truth, MaxTruth, true},
			{"evidence", t.Evidence, MaxEvidence, false}, {"reply", t.Reply, MaxReply, false}} {
			if f.required && strings.TrimSpace(f.v) == "" {
				return fmt.Errorf("%w: texts.%s.%s is empty", ErrInvalid, lang, f.name)
			}
			if len(f.v) > f.max {
				return fmt.Errorf("%w: texts.%s.%s is %d bytes, over %d", ErrInvalid, lang, f.name, len(f.v), f.max)
			}
			if !utf8.ValidString(f.v) {
				return fmt.Errorf("%w: texts.%s.%s is not valid UTF-8", ErrInvalid, lang, f.name)
			}
		}
	}
	if len(c.Sources) > MaxSources || len(c.Appearances) > MaxSources {
		return fmt.Errorf("%w: at most %d sources and %d appearances", ErrInvalid, MaxSources, MaxSources)
	}
	for i, s := range c.Sources {
		if err := checkURL(s.URL); err != nil {
			return fmt.Errorf("%w: sources[%d]: %v", ErrInvalid, i, err)
		}
		if len(s.Title) > MaxTitle {
			return fmt.Errorf("%w: sources[%d].title is over %d bytes", ErrInvalid, i, MaxTitle)
		}
	}
	for i, a := range c.Appearances {
		if err := checkURL(a); err != nil {
			return fmt.Errorf("%w: appearances[%d]: %v", ErrInvalid, i, err)
		}
	}
	return nil
}

// checkURL accepts absolute http and https URLs only: they are shown as
// links on a public page.
func checkURL(s string) error {
	if len(s) > MaxURL {
		return fmt.Errorf("the URL is over %d bytes", MaxURL)
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("%q is not an http(s) URL", s)
	}
	return nil
}

// normal trims the texts' surrounding spaces.
func (c Content) normal() Content {
	texts := make(map[string]Text, len(c.Texts))
	for lang, t := range c.Texts {
		texts[lang] = Text{Claim: strings.TrimSpace(t.Claim), Title: strings.TrimSpace(t.Title), Truth: strings.TrimSpace(t.Truth),
			Evidence: strings.TrimSpace(t.Evidence), Reply: strings.TrimSpace(t.Reply)}
	}
	c.Texts = texts
	return c
}

// Langs returns the languages c is written in, Arabic first.
func (c *Content) Langs() []string {
	var out []string
	for _, l := range Languages {
		if _, ok := c.Texts[l]; ok {
			out = append(out, l)
		}
	}
	return out
}

// ReplyText returns the reply a platform can show for lang: the text's
// Reply, or the first sentence of Truth (cut at MaxReply bytes).
func (t Text) ReplyText() string {
	if t.Reply != "" {
		return t.Reply
	}
	s := t.Truth
	if i := strings.IndexAny(s, ".!?؟\n"); i >= 0 {
		_, size := utf8.DecodeRuneInString(s[i:])
		s = s[:i+size]
	}
	if len(s) > MaxReply {
		cut := MaxReply
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "…"
	}
	return strings.TrimSpace(s)
}

// Query selects debunks, newest first. Zero fields do not filter.
type Query struct {
	// Status filters on the latest version's status.
	Status string
	// Live keeps debunks the public sees (published at least once).
	Live   bool
	CaseID int64
	Limit  int // default 100, at most 1000
}

// Matches counts the posts matched to a debunk's claim: in its case, or
// signalled by the claim matcher on its claim, before and after the
// first publication.
type Matches struct {
	Before int64 `json:"before"`
	After  int64 `json:"after"`
}

// Store keeps debunks. Each change and its audit entry (action "debunk",
// object "debunk:ID") are written in one transaction; ErrConflict from
// internal/store when the debunk changed under the caller.
type Store interface {
	// CreateDebunk stores d (from Create) and sets its ID.
	CreateDebunk(ctx context.Context, d *Debunk) error
	// UpdateDebunk loads the debunk, applies step to it and stores the
	// result, with an audit entry by actor naming op, in one transaction.
	UpdateDebunk(ctx context.Context, id int64, actor, op string, step func(*Debunk) error) (*Debunk, error)
	Debunk(ctx context.Context, id int64) (*Debunk, error)
	ListDebunks(ctx context.Context, q Query) ([]*Debunk, error)
	// DebunkMatches counts the posts matched to the debunk (Matches).
	DebunkMatches(ctx context.Context, id int64) (Matches, error)
}

// The ids of a debunk's claims in the fact-check store: one per language,
// "basira-debunk-<id>-<lang>".
const claimPrefix = "basira-debunk-"

// ClaimID returns the fact-check store id of debunk id's text in lang.
func ClaimID(id int64, lang string) string {
	return claimPrefix + strconv.FormatInt(id, 10) + "-" + lang
}

// ClaimIDPrefix returns what every claim id of debunk id starts with.
func ClaimIDPrefix(id int64) string { return claimPrefix + strconv.FormatInt(id, 10) + "-" }

// ParseClaimID returns the debunk id and language of a claim id made by
// ClaimID.
func ParseClaimID(s string) (id int64, lang string, ok bool) {
	rest, found := strings.CutPrefix(s, claimPrefix)
	if !found {
		return 0, "", false
	}
	num, lang, found := strings.Cut(rest, "-")
	id, err := strconv.ParseInt(num, 10, 64)
	if !found || err != nil || id <= 0 || !slices.Contains(Languages, lang) {
		return 0, "", false
	}
	return id, lang, true
}

// AuditAction is the audit log action of every change to a debunk.
const AuditAction = "debunk"
