package server

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/basira-org/basira/internal/hashmatch"
)

// HMA's bank, content, signal type and exchange routes beyond lookup and
// hashing (OpenMediaMatch's curation blueprint), and its status routes.

func (s *Server) contentBanks() (ContentBanks, error) {
	if err := s.needBanks(); err != nil {
		return nil, err
	}
	cb, ok := s.deps.Banks.(ContentBanks)
	if !ok {
		return nil, notConfigured("bank content curation")
	}
	return cb, nil
}

// hmaContentError maps registry errors with HMA's messages.
func hmaContentError(bank string, id int64, err error) error {
	switch {
	case errors.Is(err, ErrNoSuchBank):
		return Errorf(CodeNotFound, "bank '%s' not found", bank)
	case errors.Is(err, ErrNoSuchContent):
		return Errorf(CodeNotFound, "content '%d' not found", id)
	}
	return bankError(err)
}

// hmaBankUpdate is the body of PUT /c/bank/NAME.
type hmaBankUpdate struct {
	Name         *string `json:"name"`
	Enabled      any     `json:"enabled"`
	EnabledRatio any     `json:"enabled_ratio"`
}

func (s *Server) hmaUpdateBank(w http.ResponseWriter, r *http.Request) error {
	cb, err := s.contentBanks()
	if err != nil {
		return err
	}
	name := r.PathValue("name")
	var req hmaBankUpdate
	if err := decodeJSONLoose(r, &req); err != nil {
		return err
	}
	if _, err := s.deps.Banks.Bank(r.Context(), name); err != nil {
		if errors.Is(err, ErrNoSuchBank) {
			return Errorf(CodeNotFound, "Bank not found")
		}
		return bankError(err)
	}
	if req.Name != nil && !hmaBankName.MatchString(*req.Name) {
		return Errorf(CodeInvalidParameter, "Bank names must be UPPER_WITH_UNDERSCORE (%q)", *req.Name)
	}
	var ratio *float64
	if req.Enabled != nil {
		b, err := looseBool(req.Enabled)
		if err != nil {
			return Errorf(CodeInvalidParameter, "invalid boolean parameter - prefer true/false")
		}
		v := 0.0
		if b {
			v = 1
		}
		ratio = &v
	}
	if req.EnabledRatio != nil {
		f, err := looseFloat(req.EnabledRatio)
		if err != nil || f < 0 || f > 1 {
			return Errorf(CodeInvalidParameter, "enabled_ratio must be a number between 0 and 1, not %v", req.EnabledRatio)
		}
		ratio = &f
	}
	b, err := cb.UpdateBank(r.Context(), name, req.Name, ratio)
	switch {
	case errors.Is(err, ErrBankExists):
		return Errorf(CodeForbidden, "Bank name already exists")
	case err != nil:
		return hmaBankError(name, err)
	}
	details := map[string]any{"op": "bank.update", "matching_enabled_ratio": b.MatchingEnabledRatio}
	if b.Name != name {
		details["renamed_to"] = b.Name
	}
	if err := s.auditConfig(r, "bank:"+name, details); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, BankInfo{Name: b.Name, MatchingEnabledRatio: b.MatchingEnabledRatio})
	return nil
}

func (s *Server) hmaDeleteBank(w http.ResponseWriter, r *http.Request) error {
	cb, err := s.contentBanks()
	if err != nil {
		return err
	}
	name := r.PathValue("name")
	existed, err := cb.DeleteBank(r.Context(), name)
	if err != nil {
		return bankError(err)
	}
	if existed {
		if err := s.auditConfig(r, "bank:"+name, map[string]any{"op": "bank.delete"}); err != nil {
			return err
		}
	}
	// HMA answers the same whether the bank existed or not.
	writeJSON(w, http.StatusOK, map[string]string{"message": "Done"})
	return nil
}

// HMAContent is HMA's BankContentResponse, with the content's note and
// metadata.
type HMAContent struct {
	ID               int64               `json:"id"`
	DisableUntilTS   int64               `json:"disable_until_ts"`
	CollabMetadata   map[string][]string `json:"collab_metadata"`
	OriginalMediaURI *string             `json:"original_media_uri"`
	Bank             BankInfo            `json:"bank"`
	Note             string              `json:"note,omitempty"`
	Metadata         json.RawMessage     `json:"metadata,omitempty"`
	Signals          map[string]string   `json:"signals,omitempty"`
}

func hmaContentOf(c hashmatch.ContentInfo) HMAContent {
	out := HMAContent{ID: c.ID, DisableUntilTS: c.DisableUntilTS, CollabMetadata: map[string][]string{},
		Bank: BankInfo{Name: c.Bank, MatchingEnabledRatio: c.BankRatio}, Note: c.Note}
	if c.Metadata != "" {
		out.Metadata = json.RawMessage(c.Metadata)
	}
	return out
}

func (s *Server) hmaGetContent(w http.ResponseWriter, r *http.Request) error {
	cb, err := s.contentBanks()
	if err != nil {
		return err
	}
	name := r.PathValue("name")
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	q := r.URL.Query()
	st := q.Get("signal_type")
	if st != "" && !slices.Contains(s.deps.Banks.SignalTypes(), st) && !slices.Contains(s.extraSignalTypes(), st) {
		return Errorf(CodeUnknownSignalType, "No such signal type '%s'", st)
	}
	withSignals, err := parseBool(r, "include_signals")
	if err != nil {
		return err
	}
	c, err := cb.Content(r.Context(), name, id)
	if err != nil {
		return hmaContentError(name, id, err)
	}
	out := hmaContentOf(c)
	switch {
	case st != "":
		// Only the signal of that type ({} when the content has none).
		out.Signals = map[string]string{}
		if v, ok := c.Signals[st]; ok {
			out.Signals[st] = v
		}
	case withSignals:
		out.Signals = c.Signals
	}
	if out.Signals != nil && len(out.Signals) == 0 {
		// omitempty would drop an asked-for empty object.
		writeJSON(w, http.StatusOK, struct {
			HMAContent
			Signals map[string]string `json:"signals"`
		}{out, out.Signals})
		return nil
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// maxDisableAhead is how far ahead HMA lets content be disabled.
const maxDisableAhead = 5 * 365 * 24 * time.Hour

func (s *Server) hmaUpdateContent(w http.ResponseWriter, r *http.Request) error {
	cb, err := s.contentBanks()
	if err != nil {
		return err
	}
	name := r.PathValue("name")
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	var req map[string]json.RawMessage
	if err := decodeJSONLoose(r, &req); err != nil {
		return err
	}
	if _, err := cb.Content(r.Context(), name, id); err != nil {
		return hmaContentError(name, id, err)
	}
	var u hashmatch.ContentUpdate
	if raw, ok := req["disable_until_ts"]; ok {
		var v any
		_ = json.Unmarshal(raw, &v)
		f, err := looseFloat(v)
		if err != nil || f != float64(int64(f)) {
			return Errorf(CodeInvalidParameter, "disable_until_ts must be an integer (Unix seconds), not %s", raw)
		}
		ts := int64(f)
		if ts < 0 {
			return Errorf(CodeInvalidParameter, "disable_until_ts must be a non-negative integer")
		}
		if ts > s.cfg.Now().Add(maxDisableAhead).Unix() {
			return Errorf(CodeInvalidParameter, "disable_until_ts must be less than 5 years in the future")
		}
		u.DisableUntilTS = &ts
	}
	if raw, ok := req["note"]; ok {
		var note string
		if err := json.Unmarshal(raw, &note); err != nil {
			return Errorf(CodeInvalidParameter, "note must be a string")
		}
		u.Note = &note
	}
	if raw, ok := req["metadata"]; ok {
		m, err := hmaMetadata(raw)
		if err != nil {
			return err
		}
		u.Metadata = &m
	}
	c, err := cb.UpdateContent(r.Context(), name, id, u)
	if err != nil {
		return hmaContentError(name, id, err)
	}
	if err := s.auditConfig(r, "bank:"+name, map[string]any{"op": "bank.content.update", "content_id": id, "disable_until_ts": c.DisableUntilTS}); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, hmaContentOf(c))
	return nil
}

// hmaMetadataKeys are the keys of HMA's BankedContentMetadata.
var hmaMetadataKeys = []string{"content_id", "content_uri", "json"}

// hmaMetadata checks HMA's content metadata: null (none) or an object
// with only content_id, content_uri (strings) and json (anything).
func hmaMetadata(raw json.RawMessage) (string, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return "", nil
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return "", Errorf(CodeInvalidParameter, "metadata should be a json object")
	}
	var bad []string
	for k, v := range m {
		if !slices.Contains(hmaMetadataKeys, k) {
			bad = append(bad, k)
			continue
		}
		if k != "json" {
			var str string
			if json.Unmarshal(v, &str) != nil {
				return "", Errorf(CodeInvalidParameter, "Invalid metadata: %s must be a string", k)
			}
		}
	}
	if len(bad) > 0 {
		sort.Strings(bad)
		return "", Errorf(CodeInvalidParameter, "metadata contains unexpected keys: %s", strings.Join(bad, " ,"))
	}
	b, _ := json.Marshal(m) // compact, keys sorted
	return string(b), nil
}

// signalSettings are HMA's per-signal-type enabled ratios (PUT
// /c/signal_type/NAME), kept in the server's memory: a restart enables
// every type again.
type signalSettings struct {
	mu    sync.Mutex
	ratio map[string]float64
}

func (s *Server) signalRatio(st string) float64 {
	s.sigs.mu.Lock()
	defer s.sigs.mu.Unlock()
	if v, ok := s.sigs.ratio[st]; ok {
		return v
	}
	return 1
}

// extraSignalTypes are signal types the hasher computes that no bank
// indexes (none today; video adds its own).
func (s *Server) extraSignalTypes() []string { return nil }

func (s *Server) allSignalTypes() []string {
	out := slices.Clone(s.deps.Banks.SignalTypes())
	for _, t := range s.extraSignalTypes() {
		if !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	return out
}

func (s *Server) hmaSignalTypes(w http.ResponseWriter, r *http.Request) error {
	if err := s.needBanks(); err != nil {
		return err
	}
	type cfg struct {
		Name         string  `json:"name"`
		EnabledRatio float64 `json:"enabled_ratio"`
	}
	out := []cfg{}
	for _, st := range s.allSignalTypes() {
		out = append(out, cfg{st, s.signalRatio(st)})
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) hmaUpdateSignalType(w http.ResponseWriter, r *http.Request) error {
	if err := s.needBanks(); err != nil {
		return err
	}
	st := r.PathValue("name")
	if !slices.Contains(s.allSignalTypes(), st) {
		return Errorf(CodeUnknownSignalType, "No such signal type '%s'", st)
	}
	var req struct {
		EnabledRatio any `json:"enabled_ratio"`
	}
	if err := decodeJSONLoose(r, &req); err != nil {
		return err
	}
	if req.EnabledRatio == nil {
		return Errorf(CodeInvalidParameter, "enabled_ratio is required")
	}
	f, err := looseFloat(req.EnabledRatio)
	if err != nil || f < 0 || f > 1 {
		return Errorf(CodeInvalidParameter, "enabled_ratio must be a number between 0 and 1, not %v", req.EnabledRatio)
	}
	s.sigs.mu.Lock()
	if s.sigs.ratio == nil {
		s.sigs.ratio = map[string]float64{}
	}
	s.sigs.ratio[st] = f
	s.sigs.mu.Unlock()
	if err := s.auditConfig(r, "signal_type:"+st, map[string]any{"op": "signal_type.update", "enabled_ratio": f}); err != nil {
		return err
	}
	// HMA answers 204 (so no body reaches the client).
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// checkSignalEnabled refuses a lookup of a signal type switched off.
func (s *Server) checkSignalEnabled(st string) error {
	if s.signalRatio(st) <= 0 {
		return Errorf(CodeInvalidParameter, "SignalType '%s' is not enabled", st)
	}
	return nil
}

func (s *Server) hmaSignalTypeIndex(w http.ResponseWriter, r *http.Request) error {
	all, err := s.indexStatus(r)
	if err != nil {
		return err
	}
	type status struct {
		DBSize       int   `json:"db_size"`
		IndexSize    int   `json:"index_size"`
		OutOfDate    bool  `json:"index_out_of_date"`
		NewestDBItem int64 `json:"newest_db_item"`
		IndexBuiltTo int64 `json:"index_built_to"`
	}
	out := map[string]status{}
	for st, v := range all {
		// Basira's indexes change in place with the banks: never behind.
		out[st] = status{DBSize: v.Size, IndexSize: v.Size, NewestDBItem: v.BuiltTo, IndexBuiltTo: v.BuiltTo}
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) hmaContentTypes(w http.ResponseWriter, r *http.Request) error {
	type cfg struct {
		Name    string `json:"name"`
		Enabled bool   `json:"enabled"`
	}
	out := []cfg{}
	if s.deps.Hasher != nil {
		for _, ct := range s.deps.Hasher.ContentTypes() {
			out = append(out, cfg{ct, true})
		}
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// The exchange routes: Basira fetches shared lists with its own importers
// (basira bank import, TAT), not through HMA exchanges, so it has no
// exchange APIs and no exchanges; the routes answer as HMA does then.

func (s *Server) hmaExchangeAPIs(w http.ResponseWriter, r *http.Request) error {
	writeJSON(w, http.StatusOK, []string{})
	return nil
}

func (s *Server) hmaExchangeAPI(w http.ResponseWriter, r *http.Request) error {
	return Errorf(CodeInvalidParameter, "no such Exchange API '%s'", r.PathValue("api"))
}

func (s *Server) hmaExchanges(w http.ResponseWriter, r *http.Request) error {
	writeJSON(w, http.StatusOK, []string{})
	return nil
}

func (s *Server) hmaCreateExchange(w http.ResponseWriter, r *http.Request) error {
	var req struct {
		Bank string `json:"bank"`
		API  any    `json:"api"`
	}
	if err := decodeJSONLoose(r, &req); err != nil {
		return err
	}
	if req.Bank == "" {
		return Errorf(CodeInvalidParameter, "bank is required")
	}
	if !hmaBankName.MatchString(req.Bank) {
		return Errorf(CodeInvalidParameter, "Field `bank` must match /^[A-Z0-9_]+$/")
	}
	if req.API == nil {
		return Errorf(CodeInvalidParameter, "Field `api_type` is required")
	}
	return Errorf(CodeInvalidParameter, "No such exchange type '%v'", req.API)
}

func (s *Server) hmaExchange(w http.ResponseWriter, r *http.Request) error {
	return Errorf(CodeNotFound, "Exchange '%s' not found", r.PathValue("name"))
}

func (s *Server) hmaDeleteExchange(w http.ResponseWriter, r *http.Request) error {
	writeJSON(w, http.StatusOK, map[string]string{"message": "Exchange deleted"})
	return nil
}

// Status routes, as OMM's app answers them (plain text).

func (s *Server) hmaStatus(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	if s.deps.Health != nil {
		if err := s.deps.Health.Ping(r.Context()); err != nil {
			w.WriteHeader(http.StatusServiceUnavailable)
			fmt.Fprint(w, "STORE-NOT-READY")
			return nil
		}
	}
	fmt.Fprint(w, "I-AM-ALIVE")
	return nil
}

func (s *Server) hmaLive(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	fmt.Fprint(w, "OK")
	return nil
}

func (s *Server) hmaSiteMap(w http.ResponseWriter, r *http.Request) error {
	seen := map[string]bool{}
	out := []string{}
	for _, rt := range s.routes {
		if !seen[rt.Path] {
			seen[rt.Path] = true
			out = append(out, rt.Path)
		}
	}
	sort.Strings(out)
	writeJSON(w, http.StatusOK, out)
	return nil
}

// hmaDistance writes a match's distance as HMA's pretty_str: the Hamming
// distance for PDQ, "-" for exact hashes.
func hmaDistance(m IndexMatch) string {
	if m.Exact {
		return "-"
	}
	return strconv.Itoa(m.Distance)
}

// hmaSignalMatch is one match of lookup_threshold and lookup_topk.
type hmaSignalMatch struct {
	BankContentID int64  `json:"bank_content_id"`
	Distance      string `json:"distance"`
	Signal        string `json:"signal"`
}

// maxTopK bounds lookup_topk.
const maxTopK = 1000

// hmaLookupRadius answers /m/lookup_threshold (?threshold=) and
// /m/lookup_topk (?k=): raw lookups with HMA's signal values.
func (s *Server) hmaLookupRadius(topK bool) func(w http.ResponseWriter, r *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		if err := s.needBanks(); err != nil {
			return err
		}
		rb, ok := s.deps.Banks.(RadiusBanks)
		if !ok {
			return notConfigured("lookups with a threshold")
		}
		signal, err := requireParam(r, "signal")
		if err != nil {
			return err
		}
		st, err := requireParam(r, "signal_type")
		if err != nil {
			return err
		}
		param := "threshold"
		if topK {
			param = "k"
		}
		v, err := requireParam(r, param)
		if err != nil {
			return err
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || (topK && (n < 1 || n > maxTopK)) || (!topK && n > 256) {
			return Errorf(CodeInvalidParameter, "%s %q: want an integer (threshold 0-256, k 1-%d)", param, v, maxTopK)
		}
		if err := s.checkSignalType(st); err != nil {
			return err
		}
		if err := s.checkSignalEnabled(st); err != nil {
			return err
		}
		var ms []IndexMatch
		if topK {
			// Widen the radius until k contents are found (or all of them).
			for _, radius := range []int{31, 63, 127, 256} {
				if ms, err = rb.LookupWithin(r.Context(), st, signal, radius); err != nil || len(ms) >= n {
					break
				}
			}
			if len(ms) > n {
				ms = ms[:n]
			}
		} else {
			ms, err = rb.LookupWithin(r.Context(), st, signal, n)
		}
		if err != nil {
			return bankError(err)
		}
		out := make([]hmaSignalMatch, 0, len(ms))
		for _, m := range ms {
			out = append(out, hmaSignalMatch{m.ContentID, hmaDistance(m), m.Value})
		}
		writeJSON(w, http.StatusOK, map[string]any{"matches": out})
		return nil
	}
}
