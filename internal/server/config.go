package server

import (
	"errors"
	"net/http"
	"strings"

	"github.com/basira-org/basira/internal/claims"
)

// bankError maps a Banks error to the table.
func bankError(err error) error {
	switch {
	case errors.Is(err, ErrNoSuchBank):
		return Errorf(CodeNotFound, "%v", err)
	case errors.Is(err, ErrBankExists):
		return Errorf(CodeConflict, "%v", err)
	case errors.Is(err, ErrInvalidBank):
		return Errorf(CodeInvalidParameter, "%v", err)
	case errors.Is(err, ErrInvalidSignal):
		return Errorf(CodeInvalidHash, "%v", err)
	case errors.Is(err, ErrUnknownSignalType):
		return Errorf(CodeUnknownSignalType, "%v", err)
	case errors.Is(err, ErrUnsupportedContent):
		return Errorf(CodeUnsupportedMedia, "%v", err)
	}
	return err
}

func (s *Server) listBanks(w http.ResponseWriter, r *http.Request) error {
	if s.deps.Banks == nil {
		return notConfigured("hash banks")
	}
	bs, err := s.deps.Banks.ListBanks(r.Context())
	if err != nil {
		return bankError(err)
	}
	if bs == nil {
		bs = []BankInfo{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"banks": bs, "signal_types": s.deps.Banks.SignalTypes()})
	return nil
}

func (s *Server) getBank(w http.ResponseWriter, r *http.Request) error {
	if s.deps.Banks == nil {
		return notConfigured("hash banks")
	}
	b, err := s.deps.Banks.Bank(r.Context(), r.PathValue("name"))
	if err != nil {
		return bankError(err)
	}
	writeJSON(w, http.StatusOK, b)
	return nil
}

// BankRequest is the body of POST /v1/banks.
type BankRequest struct {
	Name string `json:"name"`
	// MatchingEnabledRatio is the share of lookups the bank answers (HMA's
	// gradual roll-out); default 1.
	MatchingEnabledRatio *float64 `json:"matching_enabled_ratio,omitempty"`
}

func (s *Server) createBank(w http.ResponseWriter, r *http.Request) error {
	if s.deps.Banks == nil {
		return notConfigured("hash banks")
	}
	var req BankRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	ratio := 1.0
	if req.MatchingEnabledRatio != nil {
		ratio = *req.MatchingEnabledRatio
	}
	b, err := s.doCreateBank(r, req.Name, ratio)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, b)
	return nil
}

func (s *Server) doCreateBank(r *http.Request, name string, ratio float64) (BankInfo, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return BankInfo{}, Errorf(CodeInvalidParameter, `"name" is required`)
	}
	if ratio < 0 || ratio > 1 {
		return BankInfo{}, Errorf(CodeInvalidParameter, "matching enabled ratio %v must be between 0 and 1", ratio)
	}
	b, err := s.deps.Banks.CreateBank(r.Context(), name, ratio)
	if err != nil {
		return BankInfo{}, bankError(err)
	}
	if err := s.auditConfig(r, "bank:"+name, map[string]any{"op": "bank.create", "matching_enabled_ratio": ratio}); err != nil {
		return BankInfo{}, err
	}
	return b, nil
}

// BankEntry is one content added through POST /v1/banks/{name}/entries:
// its signals by type, and what it is.
type BankEntry struct {
	Signals map[string]string `json:"signals"`
	Label   string            `json:"label,omitempty"`
	Note    string            `json:"note,omitempty"`
}

func (s *Server) addBankEntries(w http.ResponseWriter, r *http.Request) error {
	if s.deps.Banks == nil {
		return notConfigured("hash banks")
	}
	var req struct {
		Entries []BankEntry `json:"entries"`
	}
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	if len(req.Entries) == 0 {
		return Errorf(CodeInvalidParameter, `"entries" is empty: send {"entries": [{"signals": {"pdq": "…"}, "label": "…"}]}`)
	}
	if len(req.Entries) > 10000 {
		return Errorf(CodeBatchTooLarge, "%d entries in one request, the limit is 10000", len(req.Entries))
	}
	name := r.PathValue("name")
	if _, err := s.deps.Banks.Bank(r.Context(), name); err != nil {
		return bankError(err)
	}
	ids := make([]int64, 0, len(req.Entries))
	var bad []ItemError
	for i, e := range req.Entries {
		if len(e.Signals) == 0 {
			bad = append(bad, ItemError{Index: i, Message: `no "signals"`})
			continue
		}
		id, err := s.deps.Banks.AddSignals(r.Context(), name, e.Signals, e.Label, e.Note)
		if err != nil {
			if ae, ok := bankError(err).(*Error); ok && ae.Code != CodeNotFound {
				bad = append(bad, ItemError{Index: i, Message: err.Error()})
				continue
			}
			return bankError(err)
		}
		ids = append(ids, id)
	}
	if len(ids) > 0 {
		if err := s.auditConfig(r, "bank:"+name, map[string]any{"op": "bank.add", "added": len(ids), "rejected": len(bad)}); err != nil {
			return err
		}
	}
	if len(ids) == 0 {
		e := Errorf(CodeInvalidHash, "no entry was added; see items")
		e.Items = bad
		return e
	}
	writeJSON(w, http.StatusOK, map[string]any{"added": len(ids), "ids": ids, "rejected": len(bad), "errors": bad})
	return nil
}

// ruleView is a rule as the API lists it.
type ruleView struct {
	ID          string `json:"id"`
	Label       string `json:"label"`
	Severity    string `json:"severity"`
	Description string `json:"description,omitempty"`
	File        string `json:"file"`
	Line        int    `json:"line"`
}

func (s *Server) listRules(w http.ResponseWriter, r *http.Request) error {
	if s.deps.Rules == nil {
		return notConfigured("rules")
	}
	rs := s.deps.Rules.Rules()
	out := make([]ruleView, len(rs))
	for i, ru := range rs {
		out[i] = ruleView{ID: ru.ID, Label: ru.Label, Severity: ru.Severity, Description: ru.Description, File: ru.File, Line: ru.Line}
	}
	writeJSON(w, http.StatusOK, map[string]any{"rules": out})
	return nil
}

func (s *Server) reloadRules(w http.ResponseWriter, r *http.Request) error {
	if s.deps.Rules == nil {
		return notConfigured("rules")
	}
	res, err := s.deps.Rules.Reload(r.Context())
	if err != nil {
		// The rules in force stay in force when a file does not compile.
		return Errorf(CodeBadRequest, "the rules were not reloaded (the previous rules stay in force): %v", err)
	}
	if err := s.auditConfig(r, "rules", map[string]any{"op": "rules.reload", "rules": res.Rules, "files": res.Files}); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, res)
	return nil
}

func (s *Server) listFactChecks(w http.ResponseWriter, r *http.Request) error {
	if s.deps.FactChecks == nil || s.deps.FactChecks.Store == nil {
		return notConfigured("fact-checks")
	}
	cs, err := s.deps.FactChecks.Store.All(r.Context())
	if err != nil {
		return err
	}
	limit, err := queryInt(r, "limit", 100)
	if err != nil {
		return err
	}
	offset, err := queryInt(r, "offset", 0)
	if err != nil {
		return err
	}
	total := len(cs)
	lo := min(int(offset), total)
	hi := min(lo+int(min(max(limit, 1), 1000)), total)
	page := cs[lo:hi]
	if page == nil {
		page = []claims.Claim{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"factchecks": page, "total": total})
	return nil
}

func (s *Server) getFactCheck(w http.ResponseWriter, r *http.Request) error {
	if s.deps.FactChecks == nil || s.deps.FactChecks.Store == nil {
		return notConfigured("fact-checks")
	}
	c, ok, err := s.deps.FactChecks.Store.Get(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	if !ok {
		return Errorf(CodeNotFound, "no fact-check %q", r.PathValue("id"))
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

func (s *Server) putFactChecks(w http.ResponseWriter, r *http.Request) error {
	if s.deps.FactChecks == nil || s.deps.FactChecks.Store == nil {
		return notConfigured("fact-checks")
	}
	if body, ok, err := claimReviewBody(r); err != nil {
		return err
	} else if ok {
		return s.putClaimReview(w, r, body) // factchecks_ld.go
	}
	var req struct {
		FactChecks []claims.Claim `json:"factchecks"`
	}
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	var bad []ItemError
	var good []claims.Claim
	for i, c := range req.FactChecks {
		if strings.TrimSpace(c.Text) == "" {
			bad = append(bad, ItemError{Index: i, ID: c.ID, Message: `"text" (the claim as it circulated) is required`})
			continue
		}
		if c.ID == "" {
			c.ID = claims.DeriveID(&c)
		}
		if c.Rating == "" && c.RatingText != "" {
			c.Rating = claims.NormalizeRating(c.RatingText)
		}
		good = append(good, c)
	}
	if len(good) == 0 {
		e := Errorf(CodeInvalidParameter, `no fact-check to add: send {"factchecks": [{"text": …, "rating": …, "correction": …, "url": …}]}`)
		e.Items = bad
		return e
	}
	added, replaced, err := s.deps.FactChecks.Store.Put(r.Context(), good)
	if err != nil {
		return err
	}
	if err := s.auditConfig(r, "factchecks", map[string]any{"op": "factchecks.put", "added": added, "replaced": replaced}); err != nil {
		return err
	}
	reloaded := true
	if s.deps.FactChecks.Changed != nil {
		if err := s.deps.FactChecks.Changed(r.Context()); err != nil {
			s.cfg.Logger.Error("api: reloading fact-checks", "err", err)
			reloaded = false
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"added": added, "replaced": replaced, "rejected": len(bad), "errors": bad, "reloaded": reloaded})
	return nil
}
