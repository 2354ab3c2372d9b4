// Package report builds transparency reports: what Basira flagged over a
// period, what analysts decided, how often they overruled the detectors
// (the measured over-enforcement rate), how fast, and what came of appeals.
// Reports count content and decisions; they name no author and no analyst.
package report

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"time"

	"github.com/basira-org/basira/internal/store"
)

// Source is what a report reads; store.Store provides it.
type Source interface {
	ListCases(ctx context.Context, q store.CaseQuery) ([]*store.Case, error)
	Decisions(ctx context.Context, caseID int64) ([]store.Decision, error)
	Counts(ctx context.Context) (store.Counts, error)
}

// Report is one period's transparency report.
type Report struct {
	From      time.Time `json:"from"`
	To        time.Time `json:"to"`
	Generated time.Time `json:"generated"`
	// PostsStored is the store's total at generation time (not per period).
	PostsStored int64 `json:"posts_stored"`
	// CasesOpened counts cases created in the period, by category.
	CasesOpened map[string]int `json:"cases_opened"`
	// PostsInCases counts the posts of those cases (campaigns fold many).
	PostsInCases int `json:"posts_in_cases"`
	// Decisions counts decisions taken in the period, by category then
	// action (refer, debunk, dismiss, escalate).
	Decisions map[string]map[string]int `json:"decisions"`
	// Categories summarises each category's outcome.
	Categories []CategoryOutcome `json:"categories"`
	// TimeToDecision is the delay from a case's creation to its first
	// decision, over cases first decided in the period.
	TimeToDecision Durations `json:"time_to_decision"`
	Appeals        Appeals   `json:"appeals"`
	Open           int       `json:"open_cases"` // new, in review or appealed at generation time
}

// CategoryOutcome is one category's line of the report.
type CategoryOutcome struct {
	Category string `json:"category"`
	Opened   int    `json:"opened"`
	Decided  int    `json:"decided"` // cases with a final decision (not escalate)
	Actioned int    `json:"actioned"`
	// Dismissed cases are those where the analyst found no violation: the
	// detectors' share of false positives that reached a human.
	Dismissed   int     `json:"dismissed"`
	DismissRate float64 `json:"dismiss_rate"`
}

// Durations summarises delays.
type Durations struct {
	N      int           `json:"n"`
	Median time.Duration `json:"median_ns"`
	P90    time.Duration `json:"p90_ns"`
}

// Appeals counts appeals decided in the period and how often the second
// decision differed from the first.
type Appeals struct {
	Decided    int `json:"decided"`
	Overturned int `json:"overturned"`
}

// Build reads every case and its decisions and summarises [from, to).
func Build(ctx context.Context, src Source, from, to time.Time) (*Report, error) {
	if !from.Before(to) {
		return nil, fmt.Errorf("the period is empty: from %s is not before to %s", from.Format(time.DateOnly), to.Format(time.DateOnly))
	}
	counts, err := src.Counts(ctx)
	if err != nil {
		return nil, err
	}
	r := &Report{
		From: from, To: to, Generated: time.Now().UTC(), PostsStored: counts.Posts,
		CasesOpened: map[string]int{}, Decisions: map[string]map[string]int{},
	}
	in := func(t time.Time) bool { return !t.Before(from) && t.Before(to) }
	outcomes := map[string]*CategoryOutcome{}
	outcome := func(cat string) *CategoryOutcome {
		o := outcomes[cat]
		if o == nil {
			o = &CategoryOutcome{Category: cat}
			outcomes[cat] = o
		}
		return o
	}
	var delays []time.Duration
	after := int64(-1) // a non-zero AfterID pages by id from the start
	for {
		cases, err := src.ListCases(ctx, store.CaseQuery{AfterID: after, Limit: 1000})
		if err != nil {
			return nil, err
		}
		for _, c := range cases {
			after = max(after, c.ID)
			switch c.Status {
			case store.StatusNew, store.StatusInReview, store.StatusAppealed:
				r.Open++
			}
			if in(c.CreatedAt) {
				r.CasesOpened[c.Category]++
				r.PostsInCases += c.Count
				outcome(c.Category).Opened++
			}
			ds, err := src.Decisions(ctx, c.ID)
			if err != nil {
				return nil, err
			}
			r.addDecisions(c, ds, in, outcome, &delays)
		}
		if len(cases) < 1000 {
			break
		}
	}
	for _, o := range outcomes {
		if o.Decided > 0 {
			o.DismissRate = float64(o.Dismissed) / float64(o.Decided)
		}
		r.Categories = append(r.Categories, *o)
	}
	sort.Slice(r.Categories, func(i, j int) bool { return r.Categories[i].Category < r.Categories[j].Category })
	r.TimeToDecision = summarise(delays)
	return r, nil
}

// addDecisions counts one case's decisions taken in the period.
func (r *Report) addDecisions(c *store.Case, ds []store.Decision, in func(time.Time) bool, outcome func(string) *CategoryOutcome, delays *[]time.Duration) {
	var finals []store.Decision // decisions that close a review (not escalate)
	for _, d := range ds {
		if d.Action == store.ActionAppeal {
			continue // an appeal is a request, not a decision: counted when decided
		}
		if d.Action != store.ActionEscalate {
			finals = append(finals, d)
		}
		if !in(d.At) {
			continue
		}
		cat := d.Category
		if cat == "" {
			cat = c.Category
		}
		if r.Decisions[cat] == nil {
			r.Decisions[cat] = map[string]int{}
		}
		r.Decisions[cat][d.Action]++
	}
	if len(finals) == 0 {
		return
	}
	first, last := finals[0], finals[len(finals)-1]
	if in(first.At) {
		*delays = append(*delays, first.At.Sub(c.CreatedAt))
	}
	if in(last.At) {
		o := outcome(c.Category)
		o.Decided++
		if last.Action == store.ActionDismiss {
			o.Dismissed++
		} else {
			o.Actioned++
		}
	}
	// An appeal is a later final decision after an earlier one.
	for i := 1; i < len(finals); i++ {
		if in(finals[i].At) {
			r.Appeals.Decided++
			if finals[i].Action != finals[i-1].Action {
				r.Appeals.Overturned++
			}
		}
	}
}

func summarise(ds []time.Duration) Durations {
	if len(ds) == 0 {
		return Durations{}
	}
	slices.Sort(ds)
	at := func(q float64) time.Duration { return ds[min(len(ds)-1, int(q*float64(len(ds))))] }
	return Durations{N: len(ds), Median: at(0.5), P90: at(0.9)}
}
