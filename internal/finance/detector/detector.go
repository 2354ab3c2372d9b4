// Package detector is the finance detector of the scan pipeline: it reports
// a "finance" signal when a post asks for money and carries a payment
// identifier (wallet, IBAN, RIB, phone, payment link), scored higher when
// the post is set in an armed-group context and highest when an identifier
// or a named entity is on an imported sanctions list. A listed wallet is
// reported even without an appeal. Texts that report on financing (news,
// arrests, warnings) are scored down: they are counter-speech, not appeals.
package detector

import (
	"context"
	"fmt"
	"strings"

	"github.com/basira-org/basira/internal/detect"
	"github.com/basira-org/basira/internal/finance"
	"github.com/basira-org/basira/internal/finance/appeal"
	"github.com/basira-org/basira/internal/sanctions"
)

// Label is the taxonomy label of finance signals: the rules' own name
// (rules.Taxonomy), so one category is counted and translated once.
const Label = "financing"

// Scores of the cases, from weakest to strongest evidence.
const (
	ScoreAppealInvalid  = 0.30 // appeal + an identifier whose checksum fails
	ScoreAppeal         = 0.45 // appeal + a valid identifier
	ScoreAppealContext  = 0.70 // … in an armed-group context
	ScoreNameOnList     = 0.85 // … and a listed person or entity is named
	ScoreWalletOnList   = 0.95 // a listed wallet appears in the post
	reportingDiscount   = 0.6  // news and warnings about financing
	maxEvidenceSnippets = 4
)

// Detector is the finance detector. Index may be nil (no lists imported):
// appeals are still found.
type Detector struct {
	Index *sanctions.Index
}

var _ detect.Detector = (*Detector)(nil)

// Name implements detect.Detector.
func (d *Detector) Name() string { return "finance" }

// Detect implements detect.Detector.
func (d *Detector) Detect(ctx context.Context, in *detect.Input) ([]detect.Signal, error) {
	text := in.Post.Text
	ids := finance.Extract(text)
	if d.Index != nil && finance.MayContain(text) {
		ids = append(ids, d.listedOther(text, ids)...)
	}
	if len(ids) == 0 {
		return nil, nil
	}
	// Listed wallets: exact matches, evidence on their own.
	var sigs []detect.Signal
	var walletHits []sanctions.Match
	var hitIDs []finance.Identifier
	if d.Index != nil {
		for _, id := range ids {
			if !id.IsWallet() {
				continue
			}
			for _, m := range d.Index.Wallet(id.Value) {
				walletHits = append(walletHits, m)
				hitIDs = append(hitIDs, id)
			}
		}
	}
	cues := appeal.Find(in.Doc)
	ask := appeal.Asks(cues)
	if !ask && len(walletHits) == 0 {
		return nil, nil
	}
	valid := false
	for _, id := range ids {
		valid = valid || id.Valid
	}
	score := ScoreAppealInvalid
	if valid {
		score = ScoreAppeal
	}
	severity := detect.Low
	if appeal.Has(cues, appeal.Context) {
		score, severity = ScoreAppealContext, detect.Medium
	}
	var nameHits []sanctions.Match
	if d.Index != nil && ask {
		nameHits = d.Index.FindInText(text)
		if len(nameHits) > 0 {
			score, severity = max(score, ScoreNameOnList), detect.High
		}
	}
	if len(walletHits) > 0 {
		score, severity = ScoreWalletOnList, detect.High
	}
	reporting := appeal.Has(cues, appeal.Reporting)
	if reporting {
		score *= reportingDiscount
		if severity == detect.High {
			severity = detect.Medium
		} else {
			severity = detect.Low
		}
	}
	sig := detect.Signal{
		Detector: d.Name(),
		Kind:     detect.KindFinance,
		Label:    Label,
		Severity: severity,
		Score:    score,
		Details:  map[string]any{"identifiers": ids},
	}
	var why []string
	switch {
	case len(walletHits) > 0:
		m := walletHits[0]
		why = append(why, fmt.Sprintf("wallet %s is on %s (%s), entry %s %q", hitIDs[0].Value, m.List, dateOr(m.Date), m.Entry.ID, m.Entry.Name))
	case ask && valid:
		why = append(why, "donation appeal with a valid payment identifier")
	default:
		why = append(why, "donation appeal with an identifier that looks valid but fails its check")
	}
	for _, m := range nameHits {
		why = append(why, fmt.Sprintf("names %q, on %s (%s), entry %s %q, score %.2f", m.Name, m.List, dateOr(m.Date), m.Entry.ID, m.Entry.Name, m.Score))
	}
	if appeal.Has(cues, appeal.Context) {
		why = append(why, "armed-group context")
	}
	if reporting {
		why = append(why, "reads as reporting or a warning: scored down")
	}
	sig.Evidence = strings.Join(why, "; ")
	if len(walletHits) > 0 {
		sig.Details["sanctions_wallets"] = compact(walletHits)
	}
	if len(nameHits) > 0 {
		sig.Details["sanctions_names"] = compact(nameHits)
	}
	sig.Details["cues"] = cues
	for _, id := range ids {
		sig.Spans = append(sig.Spans, detect.Span{Start: id.Span.Start, End: id.Span.End})
	}
	n := 0
	for _, c := range cues {
		if (c.Kind == appeal.Ask || c.Kind == appeal.AskWeak) && n < maxEvidenceSnippets {
			sig.Spans = append(sig.Spans, detect.Span{Start: c.Start, End: c.End})
			n++
		}
	}
	sigs = append(sigs, sig)
	return sigs, nil
}

// listedOther finds listed addresses of chains Extract does not parse
// (XRP, Zcash, Bitcoin Cash cashaddr, …): any word of 25 to 110 letters and
// digits that is not already an identifier is looked up as it is.
func (d *Detector) listedOther(text string, ids []finance.Identifier) []finance.Identifier {
	var out []finance.Identifier
	start := -1
	for i := 0; i <= len(text); i++ {
		alnum := i < len(text) && (text[i] >= '0' && text[i] <= '9' || text[i] >= 'a' && text[i] <= 'z' || text[i] >= 'A' && text[i] <= 'Z')
		if alnum {
			if start < 0 {
				start = i
			}
			continue
		}
		if start >= 0 && i-start >= 25 && i-start <= 110 && !covered(ids, start, i) {
			w := text[start:i]
			if ms := d.Index.Wallet(w); len(ms) > 0 {
				cur := strings.ToLower(ms[0].Wallet.Currency)
				out = append(out, finance.Identifier{Type: cur, Value: w, Valid: true, Span: finance.Span{Start: start, End: i}, Text: w, Detail: "listed address (format not validated)"})
			}
		}
		start = -1
	}
	return out
}

func covered(ids []finance.Identifier, start, end int) bool {
	for _, id := range ids {
		if id.Span.Start < end && start < id.Span.End {
			return true
		}
	}
	return false
}

func dateOr(d string) string {
	if d == "" {
		return "date unknown"
	}
	return "list of " + d
}

// Hit is the evidence of a sanctions match: which list (and its date),
// which entry, what matched.
type Hit struct {
	List    string  `json:"list"`
	Date    string  `json:"list_date,omitempty"`
	EntryID string  `json:"entry_id"`
	Ref     string  `json:"ref,omitempty"`
	Entry   string  `json:"entry"`
	Matched string  `json:"matched"`
	Score   float64 `json:"score"`
	Wallet  string  `json:"wallet,omitempty"`
}

func compact(ms []sanctions.Match) []Hit {
	out := make([]Hit, 0, len(ms))
	for _, m := range ms {
		h := Hit{List: m.List, Date: m.Date, EntryID: m.Entry.ID, Ref: m.Entry.Ref, Entry: m.Entry.Name, Matched: m.Name, Score: m.Score}
		if m.Wallet != nil {
			h.Wallet = m.Wallet.Currency + " " + m.Wallet.Address
		}
		out = append(out, h)
	}
	return out
}
