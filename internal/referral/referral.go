// Package referral wires the review workflow to internal/notify: it turns
// every case an analyst decided to refer into one referral per platform
// of the case's posts that has a configured webhook, delivers them with
// notify.Dispatcher, and marks the case actioned once a platform accepts.
//
// Nothing is kept in memory between passes: each pass looks at the store
// (decided cases, due referrals), so a crash between the decision and the
// delivery loses nothing, and referral ids (notify.ReferralID) make a
// second pass, or a second process, create nothing twice.
package referral

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"time"
	"unicode/utf8"

	"github.com/basira-org/basira/internal/notify"
	"github.com/basira-org/basira/internal/review"
	"github.com/basira-org/basira/internal/store"
)

// Store is what the service needs of a store (sqlstore.DB has it).
type Store interface {
	notify.Store
	review.Store
	ListCases(ctx context.Context, q store.CaseQuery) ([]*store.Case, error)
	ListPosts(ctx context.Context, q store.PostQuery) ([]*store.Post, error)
	Signals(ctx context.Context, postKey int64) ([]store.Signal, error)
	ListReferrals(ctx context.Context, q notify.ReferralQuery) ([]*notify.Referral, error)
}

// Actor is the audit actor of what the service does.
const Actor = "system:referrals"

// MaxExcerpt bounds the evidence excerpt sent per signal, in runes.
const MaxExcerpt = 280

// MaxPosts bounds the posts of one case listed in a payload.
const MaxPosts = 100

// Service creates and delivers referrals.
type Service struct {
	store      Store
	cfg        *Config
	workflow   *review.Workflow
	dispatcher *notify.Dispatcher
	log        *slog.Logger
	now        func() time.Time
	// unrouted remembers decided cases without a configured platform, so
	// the log says so once per case, not on every pass.
	unrouted map[int64]bool
}

// Options tune a Service. Zero values take the defaults.
type Options struct {
	Client *http.Client // default: 15 s timeout
	Logger *slog.Logger
	Now    func() time.Time
}

// New returns a service delivering to cfg's platforms.
func New(st Store, cfg *Config, o Options) *Service {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	s := &Service{store: st, cfg: cfg, log: o.Logger, now: o.Now, unrouted: map[int64]bool{}}
	s.workflow = &review.Workflow{Store: st, Now: o.Now}
	s.dispatcher = &notify.Dispatcher{Store: st, Platforms: cfg.Platforms, Client: o.Client, Now: o.Now, OnSent: s.onSent}
	return s
}

// Run makes a pass every interval until ctx is done. Store errors are
// logged and retried on the next pass.
func (s *Service) Run(ctx context.Context, interval time.Duration) error {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if _, _, err := s.RunOnce(ctx); err != nil && ctx.Err() == nil {
			s.log.Warn("referrals: pass failed, retrying", "err", err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
}

// RunOnce creates the referrals of decided cases, then delivers the due
// ones. It returns how many it created and attempted.
// A failure to create does not hold up delivery, nor the reverse.
func (s *Service) RunOnce(ctx context.Context) (created, attempted int, err error) {
	created, cerr := s.Create(ctx)
	attempted, derr := s.Deliver(ctx)
	return created, attempted, errors.Join(cerr, derr)
}

// Create looks at every decided case and creates the referrals its
// latest decision (refer) calls for. A decided case one of whose
// referrals was already accepted (a crash before it was marked actioned)
// is marked actioned now.
func (s *Service) Create(ctx context.Context) (int, error) {
	n := 0
	var after int64
	var firstErr error
	for {
		cs, err := s.store.ListCases(ctx, store.CaseQuery{Status: store.StatusDecided, AfterID: after, Limit: 500})
		if err != nil {
			return n, err
		}
		for _, c := range cs {
			k, err := s.createFor(ctx, c)
			n += k
			if err != nil {
				// One case's failure must not hold up the others.
				if ctx.Err() != nil {
					return n, err
				}
				s.log.Warn("referrals: creating a case's referrals failed; retrying next pass", "case", c.ID, "err", err)
				firstErr = cmp.Or(firstErr, fmt.Errorf("case %d: %w", c.ID, err))
			}
		}
		if len(cs) < 500 {
			return n, firstErr
		}
		after = cs[len(cs)-1].ID
	}
}

func (s *Service) createFor(ctx context.Context, c *store.Case) (int, error) {
	d, err := s.workflow.Authorising(ctx, c.ID, store.ActionRefer)
	if errors.Is(err, review.ErrNoDecision) {
		return 0, nil // decided debunk, or moved on meanwhile
	}
	if err != nil {
		return 0, err
	}
	have, err := s.store.ListReferrals(ctx, notify.ReferralQuery{CaseID: c.ID, Limit: 1000})
	if err != nil {
		return 0, err
	}
	existing := map[string]bool{}
	var accepted *notify.Referral
	for _, r := range have {
		existing[r.Platform] = true
		if r.Status != notify.Pending && r.Status != notify.Failed {
			accepted = r
		}
	}
	n := 0
	for _, p := range c.Platforms {
		if _, ok := s.cfg.Platforms[p]; !ok || existing[p] {
			continue
		}
		r, err := s.build(ctx, c, d, p)
		if err != nil {
			return n, err
		}
		ok, err := s.store.CreateReferral(ctx, r)
		if err != nil {
			return n, err
		}
		if ok {
			n++
			s.log.Info("referral created", "referral", r.ID, "case", c.ID, "platform", p)
		}
		existing[p] = true
	}
	if accepted != nil {
		// Accepted before a crash kept the case from moving on.
		return n, s.onSent(ctx, accepted)
	}
	if len(existing) == 0 && !s.unrouted[c.ID] {
		s.unrouted[c.ID] = true
		s.log.Warn("referrals: case decided refer, but none of its platforms has a webhook in the platforms file", "case", c.ID, "platforms", c.Platforms)
	}
	return n, nil
}

// build makes the referral of case c to platform p: its posts on p (ids
// and URLs, never authors), their signals and the decision.
func (s *Service) build(ctx context.Context, c *store.Case, d *store.Decision, p string) (*notify.Referral, error) {
	id := notify.ReferralID(c.ID, p)
	posts, err := s.store.ListPosts(ctx, store.PostQuery{CaseID: c.ID, Platform: p, Limit: MaxPosts})
	if err != nil {
		return nil, err
	}
	pl := notify.Payload{
		ReferralID: id, CaseID: c.ID, Category: c.Category, Severity: c.Severity,
		Content:  []notify.Content{},
		Evidence: []notify.Evidence{},
		Decision: notify.PayloadDecided{Action: d.Action, Rationale: d.Rationale, DecidedAt: d.At.UTC()},
	}
	if d.Category != "" {
		pl.Category = d.Category
	}
	if s.cfg.CallbackURL != "" {
		pl.CallbackURL = s.cfg.CallbackURL + "/" + id + "/status"
	}
	// Oldest first, as the platform's reviewer reads a thread.
	slices.Reverse(posts)
	seen := map[string]bool{}
	for _, post := range posts {
		pl.Content = append(pl.Content, notify.Content{PlatformPostID: post.ID, URL: post.URL})
		sigs, err := s.store.Signals(ctx, post.Key)
		if err != nil {
			return nil, err
		}
		for _, sg := range sigs {
			ev := notify.Evidence{Detector: sg.Detector, Label: sg.Label, Score: sg.Score, Excerpt: excerpt(sg.Evidence)}
			// Copies of one post carry the same findings: list each once.
			k := fmt.Sprintf("%s\x00%s\x00%g\x00%s", ev.Detector, ev.Label, ev.Score, ev.Excerpt)
			if !seen[k] {
				seen[k] = true
				pl.Evidence = append(pl.Evidence, ev)
			}
		}
	}
	body, err := json.Marshal(pl)
	if err != nil {
		return nil, err
	}
	now := s.now()
	return &notify.Referral{ID: id, CaseID: c.ID, Platform: p, Status: notify.Pending, Payload: body, CreatedAt: now, UpdatedAt: now}, nil
}

func excerpt(s string) string {
	if utf8.RuneCountInString(s) <= MaxExcerpt {
		return s
	}
	r := []rune(s)
	return string(r[:MaxExcerpt-1]) + "…"
}

// Deliver attempts every due referral whose case a refer decision still
// authorises; a referral whose decision was overturned before it left is
// marked failed instead of sent.
func (s *Service) Deliver(ctx context.Context) (int, error) {
	due, err := s.store.DueReferrals(ctx, s.now(), 100)
	if err != nil {
		return 0, err
	}
	for _, r := range due {
		if err := s.authorised(ctx, r.CaseID); err != nil {
			if !errors.Is(err, review.ErrNoDecision) {
				return 0, err
			}
			r.Status, r.LastError, r.NextAttempt, r.UpdatedAt = notify.Failed, err.Error(), time.Time{}, s.now()
			if err := s.store.UpdateReferral(ctx, r); err != nil {
				return 0, err
			}
			s.log.Warn("referral not sent: no decision authorises it any more", "referral", r.ID, "err", r.LastError)
			continue
		}
		if err := s.dispatcher.Attempt(ctx, r); err != nil {
			return 0, err
		}
		if r.Status == notify.Failed {
			s.log.Warn("referral failed for good", "referral", r.ID, "attempts", r.Attempts, "err", r.LastError)
		}
	}
	return len(due), nil
}

// authorised checks, before anything leaves, that the case's latest
// decision is refer: it is decided, or already actioned by the referral
// of another of its platforms.
func (s *Service) authorised(ctx context.Context, caseID int64) error {
	_, err := s.workflow.Authorising(ctx, caseID, store.ActionRefer)
	if !errors.Is(err, review.ErrNoDecision) {
		return err
	}
	c, cerr := s.store.Case(ctx, caseID)
	if cerr != nil {
		return cerr
	}
	if c.Status != store.StatusActioned {
		return err
	}
	ds, derr := s.store.Decisions(ctx, caseID)
	if derr != nil {
		return derr
	}
	if len(ds) > 0 && ds[len(ds)-1].Action == store.ActionRefer {
		return nil
	}
	return err
}

// onSent marks the case actioned once a platform accepted its referral
// (the workflow writes the audit entry). A case already actioned by a
// referral to another platform stays as it is.
func (s *Service) onSent(ctx context.Context, r *notify.Referral) error {
	_, err := s.workflow.Actioned(ctx, Actor, r.CaseID, store.ActionRefer, "referral:"+r.ID)
	if errors.Is(err, review.ErrNoDecision) || errors.Is(err, store.ErrConflict) {
		return nil
	}
	return err
}
