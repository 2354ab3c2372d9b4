package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"math/rand/v2"
	"mime"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/basira-org/basira/internal/hashmatch"
)

// The HMA 2.0 routes (OpenMediaMatch blueprints hashing, matching and
// curation). Request parameters and answers follow HMA's shapes so its
// clients work unchanged; errors carry HMA's top-level "message" beside
// Basira's {"error": {...}}.

// hmaBankName is HMA's rule for bank names: UPPER_WITH_UNDERSCORE, not
// starting with a digit.
var hmaBankName = regexp.MustCompile(`^[A-Z_][A-Z0-9_]*$`)

func (s *Server) needBanks() error {
	if s.deps.Banks == nil {
		return notConfigured("hash banks")
	}
	return nil
}

func requireParam(r *http.Request, name string) (string, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return "", Errorf(CodeInvalidParameter, "%s is required", name)
	}
	return v, nil
}

func parseBool(r *http.Request, name string) (bool, error) {
	v := strings.ToLower(r.URL.Query().Get(name))
	switch v {
	case "", "false", "0":
		return false, nil
	case "true", "1":
		return true, nil
	}
	return false, Errorf(CodeInvalidParameter, "%s: invalid boolean parameter - prefer true/false", name)
}

func bankFilter(r *http.Request) map[string]bool {
	v := r.URL.Query().Get("banks")
	if v == "" {
		return nil
	}
	m := map[string]bool{}
	for _, b := range strings.Split(v, ",") {
		m[b] = true
	}
	return m
}

// hmaBankError is bankError with HMA's message for a missing bank.
func hmaBankError(name string, err error) error {
	if errors.Is(err, ErrNoSuchBank) {
		return Errorf(CodeNotFound, "bank '%s' not found", name)
	}
	return bankError(err)
}

func (s *Server) checkSignalType(st string) error {
	if !slices.Contains(s.deps.Banks.SignalTypes(), st) {
		return Errorf(CodeUnknownSignalType, "No such SignalType '%s' (this server has: %s)", st, strings.Join(s.deps.Banks.SignalTypes(), ", "))
	}
	return nil
}

// HMAMatch is one entry of /m/lookup and /m/raw_lookup with distances.
// HMA gives the distance as a string (its SignalSimilarityInfo.pretty_str).
type HMAMatch struct {
	BankContentID int64  `json:"bank_content_id"`
	Distance      string `json:"distance"`
}

func (s *Server) hmaRawLookup(w http.ResponseWriter, r *http.Request) error {
	if err := s.needBanks(); err != nil {
		return err
	}
	signal, err := requireParam(r, "signal")
	if err != nil {
		return err
	}
	st, err := requireParam(r, "signal_type")
	if err != nil {
		return err
	}
	withDist, err := parseBool(r, "include_distance")
	if err != nil {
		return err
	}
	if err := s.checkSignalType(st); err != nil {
		return err
	}
	if err := s.checkSignalEnabled(st); err != nil {
		return err
	}
	ms, err := s.deps.Banks.Lookup(r.Context(), st, signal)
	if err != nil {
		return bankError(err)
	}
	banks := bankFilter(r)
	var ids []any
	for _, m := range ms {
		if banks != nil && !banks[m.Bank] {
			continue
		}
		if withDist {
			ids = append(ids, HMAMatch{m.ContentID, hmaDistance(m)})
		} else {
			ids = append(ids, m.ContentID)
		}
	}
	if ids == nil {
		ids = []any{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"matches": ids})
	return nil
}

// coinflip is HMA's gradual roll-out draw: a bank answers a lookup when its
// matching_enabled_ratio >= the draw. A seed (the content id) makes the
// draw the same for every lookup of that content.
func coinflip(r *http.Request, bypass bool) float64 {
	if bypass {
		return 0
	}
	if seed := r.URL.Query().Get("seed"); seed != "" {
		h := fnv.New64a()
		h.Write([]byte(seed))
		return rand.New(rand.NewPCG(h.Sum64(), 0)).Float64()
	}
	return rand.Float64()
}

// lookupByBank answers HMA's lookup for one signal: enabled content in the
// banks the draw lets through, grouped by bank.
func (s *Server) lookupByBank(r *http.Request, st, signal string, bypass bool) (map[string][]HMAMatch, error) {
	if err := s.checkSignalType(st); err != nil {
		return nil, err
	}
	if err := s.checkSignalEnabled(st); err != nil {
		return nil, err
	}
	ms, err := s.deps.Banks.Lookup(r.Context(), st, signal)
	if err != nil {
		return nil, bankError(err)
	}
	out := map[string][]HMAMatch{}
	if len(ms) == 0 {
		return out, nil
	}
	bs, err := s.deps.Banks.ListBanks(r.Context())
	if err != nil {
		return nil, bankError(err)
	}
	ratio := make(map[string]float64, len(bs))
	for _, b := range bs {
		ratio[b.Name] = b.MatchingEnabledRatio
	}
	flip := coinflip(r, bypass)
	filter := bankFilter(r)
	for _, m := range ms {
		// Content disabled (until later) is left out. A bank answers when
		// its ratio reaches the draw; a bank with ratio 0 is disabled,
		// except with bypass_coinflip, which lets every bank through as
		// HMA does.
		if !m.Enabled || (!bypass && (ratio[m.Bank] <= 0 || ratio[m.Bank] < flip)) || (filter != nil && !filter[m.Bank]) {
			continue
		}
		out[m.Bank] = append(out[m.Bank], HMAMatch{m.ContentID, hmaDistance(m)})
	}
	return out, nil
}

// lookupHashes looks up each of a content's hashes (by signal type) whose
// type the banks know, grouped by signal type then bank.
func (s *Server) lookupHashes(r *http.Request, hashes map[string]string, bypass bool) (map[string]map[string][]HMAMatch, error) {
	resp := map[string]map[string][]HMAMatch{}
	for st, sig := range hashes {
		if !slices.Contains(s.deps.Banks.SignalTypes(), st) {
			continue
		}
		m, err := s.lookupByBank(r, st, sig, bypass)
		if err != nil {
			return nil, err
		}
		resp[st] = m
	}
	return resp, nil
}

func (s *Server) hmaLookup(w http.ResponseWriter, r *http.Request) error {
	if err := s.needBanks(); err != nil {
		return err
	}
	q := r.URL.Query()
	bypass, err := parseBool(r, "bypass_coinflip")
	if err != nil {
		return err
	}
	if u := q.Get("url"); u != "" {
		hashes, err := s.hashURL(r.Context(), u, q.Get("content_type"), q.Get("types"))
		if err != nil {
			return err
		}
		resp, err := s.lookupHashes(r, hashes, bypass)
		if err != nil {
			return err
		}
		if st := q.Get("signal_type"); st != "" {
			writeJSON(w, http.StatusOK, orEmpty(resp[st]))
			return nil
		}
		writeJSON(w, http.StatusOK, resp)
		return nil
	}
	signal, st := q.Get("signal"), q.Get("signal_type")
	if signal == "" || st == "" {
		return Errorf(CodeInvalidParameter, "Either url or both signal and signal_type are required")
	}
	m, err := s.lookupByBank(r, st, signal, bypass)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, m)
	return nil
}

func orEmpty(m map[string][]HMAMatch) map[string][]HMAMatch {
	if m == nil {
		return map[string][]HMAMatch{}
	}
	return m
}

func (s *Server) hmaCompare(w http.ResponseWriter, r *http.Request) error {
	if err := s.needBanks(); err != nil {
		return err
	}
	var req map[string]json.RawMessage
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	if req == nil {
		return Errorf(CodeInvalidJSON, "Request input was not a dict")
	}
	out := make(map[string]any, len(req))
	for st, raw := range req {
		var pair []string
		if err := json.Unmarshal(raw, &pair); err != nil {
			return Errorf(CodeInvalidParameter, "Comparison hashes for %s was not a list of strings", st)
		}
		if len(pair) != 2 {
			return Errorf(CodeInvalidParameter, "Comparison hash list length must be exactly 2 (got %d for %s)", len(pair), st)
		}
		if err := s.checkSignalType(st); err != nil {
			return err
		}
		match, dist, err := s.deps.Banks.Compare(st, pair[0], pair[1])
		if err != nil {
			return Errorf(CodeInvalidHash, "Invalid %s hash: %v", st, err)
		}
		// HMA answers a SignalComparisonResult named tuple: [match,
		// {"distance": d}], with {} for exact hashes (no distance).
		sim := map[string]int{}
		if dist >= 0 {
			sim["distance"] = dist
		}
		out[st] = []any{match, sim}
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) hmaIndexStatus(w http.ResponseWriter, r *http.Request) error {
	all, err := s.indexStatus(r)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, all)
	return nil
}

func (s *Server) hmaListBanks(w http.ResponseWriter, r *http.Request) error {
	if err := s.needBanks(); err != nil {
		return err
	}
	bs, err := s.deps.Banks.ListBanks(r.Context())
	if err != nil {
		return bankError(err)
	}
	out := make([]BankInfo, len(bs))
	for i, b := range bs {
		out[i] = BankInfo{Name: b.Name, MatchingEnabledRatio: b.MatchingEnabledRatio}
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) hmaCreateBank(w http.ResponseWriter, r *http.Request) error {
	if err := s.needBanks(); err != nil {
		return err
	}
	var req struct {
		Name         string `json:"name"`
		EnabledRatio any    `json:"enabled_ratio"`
		Enabled      any    `json:"enabled"`
	}
	if err := decodeJSONLoose(r, &req); err != nil {
		return err
	}
	if req.Name == "" {
		// OMM validates the body's model first: 422.
		return Errorf(CodeValidation, "name is required")
	}
	if !hmaBankName.MatchString(req.Name) {
		return Errorf(CodeInvalidParameter, "Bank names must be UPPER_WITH_UNDERSCORE (%q)", req.Name)
	}
	ratio := 1.0
	switch {
	case req.EnabledRatio != nil:
		f, err := looseFloat(req.EnabledRatio)
		if err != nil {
			return Errorf(CodeInvalidParameter, "Invalid float: %v", req.EnabledRatio)
		}
		ratio = f
	case req.Enabled != nil:
		b, err := looseBool(req.Enabled)
		if err != nil {
			return Errorf(CodeInvalidParameter, "invalid boolean parameter - prefer true/false")
		}
		if !b {
			ratio = 0
		}
	}
	b, err := s.doCreateBank(r, req.Name, ratio)
	var ae *Error
	if errors.As(err, &ae) && ae.Code == CodeConflict {
		return Errorf(CodeForbidden, "Bank already exists")
	}
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, BankInfo{Name: b.Name, MatchingEnabledRatio: b.MatchingEnabledRatio})
	return nil
}

// looseFloat and looseBool accept JSON numbers, booleans and strings, as
// HMA's str_to_type does.
func looseFloat(v any) (float64, error) {
	switch x := v.(type) {
	case float64:
		return x, nil
	case string:
		return strconv.ParseFloat(x, 64)
	}
	return 0, fmt.Errorf("not a number")
}

func looseBool(v any) (bool, error) {
	switch x := v.(type) {
	case bool:
		return x, nil
	case string:
		switch strings.ToLower(x) {
		case "true", "1":
			return true, nil
		case "false", "0":
			return false, nil
		}
	case float64:
		return x != 0, nil
	}
	return false, fmt.Errorf("not a boolean")
}

func (s *Server) hmaAddSignal(w http.ResponseWriter, r *http.Request) error {
	if err := s.needBanks(); err != nil {
		return err
	}
	name := r.PathValue("name")
	if _, err := s.deps.Banks.Bank(r.Context(), name); err != nil {
		return hmaBankError(name, err)
	}
	var sigs map[string]string
	if err := decodeJSON(r, &sigs); err != nil {
		return err
	}
	if len(sigs) == 0 {
		return Errorf(CodeInvalidParameter, "No signals given")
	}
	for st := range sigs {
		if err := s.checkSignalType(st); err != nil {
			return err
		}
	}
	return s.addContent(w, r, name, sigs)
}

func sortedKeys(m map[string]string) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// hashTypes splits HMA's ?types= list.
func hashTypes(v string) []string {
	var out []string
	for _, t := range strings.Split(v, ",") {
		if t = strings.TrimSpace(t); t != "" {
			out = append(out, t)
		}
	}
	return out
}

func (s *Server) hashError(err error) error {
	var ae *Error
	if errors.As(err, &ae) {
		return ae
	}
	switch {
	case errors.Is(err, ErrUnsupportedContent):
		return Errorf(CodeUnsupportedMedia, "%v", err)
	case errors.Is(err, ErrUnknownSignalType):
		return Errorf(CodeUnknownSignalType, "%v", err)
	}
	return Errorf(CodeBadRequest, "cannot hash the content: %v", err)
}

// readUpload reads HMA's multipart upload: exactly one file, in a field
// named for its content type ("photo").
func (s *Server) readUpload(r *http.Request) (contentType string, data []byte, err error) {
	contentType, data, _, err = s.readUploadFields(r)
	return contentType, data, err
}

// uploadFields are the form fields an upload may carry beside its file.
var uploadFields = []string{"metadata", "note"}

// maxUploadField bounds each of those fields.
const maxUploadField = 64 << 10

// readUploadFields is readUpload that also returns the upload's
// uploadFields form fields.
func (s *Server) readUploadFields(r *http.Request) (contentType string, data []byte, fields map[string]string, err error) {
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/form-data" || params["boundary"] == "" {
		return "", nil, nil, Errorf(CodeUnsupportedMedia, "Missing multipart/form-data file upload")
	}
	mr, err := r.MultipartReader()
	if err != nil {
		return "", nil, nil, Errorf(CodeUnsupportedMedia, "Missing multipart/form-data file upload: %v", err)
	}
	fields = map[string]string{}
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return "", nil, nil, fmt.Errorf("reading the upload: %w", err)
		}
		if part.FileName() == "" {
			if name := part.FormName(); slices.Contains(uploadFields, name) {
				v, err := io.ReadAll(io.LimitReader(part, maxUploadField+1))
				if err != nil {
					part.Close()
					return "", nil, nil, fmt.Errorf("reading the upload: %w", err)
				}
				if len(v) > maxUploadField {
					part.Close()
					return "", nil, nil, Errorf(CodeInvalidParameter, "form field %s is over %d KiB", name, maxUploadField>>10)
				}
				fields[name] = string(v)
			}
			part.Close()
			continue
		}
		if contentType != "" {
			part.Close()
			return "", nil, nil, Errorf(CodeInvalidParameter, "Only one file allowed per request")
		}
		contentType = part.FormName()
		data, err = io.ReadAll(part)
		part.Close()
		if err != nil {
			return "", nil, nil, fmt.Errorf("reading the upload: %w", err)
		}
	}
	if contentType == "" {
		return "", nil, nil, Errorf(CodeInvalidParameter, "Missing multipart/form-data file upload")
	}
	if !slices.Contains(s.deps.Hasher.ContentTypes(), contentType) {
		return "", nil, nil, Errorf(CodeInvalidParameter, "no such content_type: '%s' (name the file field for its content type: %s)", contentType, strings.Join(s.deps.Hasher.ContentTypes(), ", "))
	}
	return contentType, data, fields, nil
}

// hashUpload hashes the request's upload.
func (s *Server) hashUpload(r *http.Request) (map[string]string, error) {
	if s.deps.Hasher == nil {
		return nil, notConfigured("hashing")
	}
	ct, data, err := s.readUpload(r)
	if err != nil {
		return nil, err
	}
	hashes, err := s.deps.Hasher.Hash(r.Context(), ct, data, hashTypes(r.URL.Query().Get("types")))
	if err != nil {
		return nil, s.hashError(err)
	}
	return hashes, nil
}

func (s *Server) hmaHashUpload(w http.ResponseWriter, r *http.Request) error {
	hashes, err := s.hashUpload(r)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, hashes)
	return nil
}

func (s *Server) hmaLookupUpload(w http.ResponseWriter, r *http.Request) error {
	if err := s.needBanks(); err != nil {
		return err
	}
	bypass, err := parseBool(r, "bypass_coinflip")
	if err != nil {
		return err
	}
	hashes, err := s.hashUpload(r)
	if err != nil {
		return err
	}
	resp, err := s.lookupHashes(r, hashes, bypass)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, resp)
	return nil
}

func (s *Server) hmaGetBank(w http.ResponseWriter, r *http.Request) error {
	if err := s.needBanks(); err != nil {
		return err
	}
	name := r.PathValue("name")
	b, err := s.deps.Banks.Bank(r.Context(), name)
	if err != nil {
		return hmaBankError(name, err)
	}
	writeJSON(w, http.StatusOK, BankInfo{Name: b.Name, MatchingEnabledRatio: b.MatchingEnabledRatio})
	return nil
}

// addContent adds one content's signals to a bank and audits it.
func (s *Server) addContent(w http.ResponseWriter, r *http.Request, name string, sigs map[string]string) error {
	return s.addContentMeta(w, r, name, sigs, hashmatch.ContentMeta{})
}

// addContentMeta is addContent with the content's note and metadata.
func (s *Server) addContentMeta(w http.ResponseWriter, r *http.Request, name string, sigs map[string]string, meta hashmatch.ContentMeta) error {
	var id int64
	var err error
	if cb, ok := s.deps.Banks.(ContentBanks); ok {
		id, err = cb.AddContent(r.Context(), name, sigs, meta)
	} else if meta.Metadata != "" || meta.Note != "" {
		return notConfigured("content metadata and notes")
	} else {
		id, err = s.deps.Banks.AddSignals(r.Context(), name, sigs, "", "")
	}
	if err != nil {
		return bankError(err)
	}
	if err := s.auditConfig(r, "bank:"+name, map[string]any{"op": "bank.add", "added": 1, "content_id": id, "signal_types": sortedKeys(sigs)}); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"id": id, "signals": sigs})
	return nil
}

func (s *Server) hmaAddContent(w http.ResponseWriter, r *http.Request) error {
	if err := s.needBanks(); err != nil {
		return err
	}
	name := r.PathValue("name")
	if _, err := s.deps.Banks.Bank(r.Context(), name); err != nil {
		return hmaBankError(name, err)
	}
	var hashes map[string]string
	var meta hashmatch.ContentMeta
	var err error
	if u := r.URL.Query().Get("url"); u != "" {
		// A JSON body may carry the content's metadata and note, checked
		// before anything is fetched.
		if ct := strings.ToLower(r.Header.Get("Content-Type")); strings.HasPrefix(ct, "application/json") {
			var body map[string]json.RawMessage
			if err := decodeJSONLoose(r, &body); err != nil {
				return err
			}
			if meta, err = contentMetaOf(body["metadata"], body["note"]); err != nil {
				return err
			}
		}
		hashes, err = s.hashURL(r.Context(), u, r.URL.Query().Get("content_type"), r.URL.Query().Get("types"))
	} else {
		if s.deps.Hasher == nil {
			return notConfigured("hashing")
		}
		var ct string
		var data []byte
		var fields map[string]string
		ct, data, fields, err = s.readUploadFields(r)
		if err != nil {
			return err
		}
		var m, n json.RawMessage
		if v, ok := fields["metadata"]; ok {
			m = json.RawMessage(v)
		}
		if v, ok := fields["note"]; ok {
			n, _ = json.Marshal(v)
		}
		if meta, err = contentMetaOf(m, n); err != nil {
			return err
		}
		hashes, err = s.deps.Hasher.Hash(r.Context(), ct, data, hashTypes(r.URL.Query().Get("types")))
		if err != nil {
			err = s.hashError(err)
		}
	}
	if err != nil {
		return err
	}
	return s.addContentMeta(w, r, name, hashes, meta)
}

func (s *Server) hmaRemoveContent(w http.ResponseWriter, r *http.Request) error {
	if err := s.needBanks(); err != nil {
		return err
	}
	name := r.PathValue("name")
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	n, err := s.deps.Banks.RemoveContent(r.Context(), name, id)
	if err != nil {
		return hmaBankError(name, err)
	}
	if n > 0 {
		if err := s.auditConfig(r, "bank:"+name, map[string]any{"op": "bank.remove", "content_id": id, "removed": n}); err != nil {
			return err
		}
	}
	writeJSON(w, http.StatusOK, map[string]int{"deleted": n})
	return nil
}

func (s *Server) hmaHashURL(w http.ResponseWriter, r *http.Request) error {
	if s.deps.Hasher == nil {
		return notConfigured("hashing")
	}
	u, err := requireParam(r, "url")
	if err != nil {
		return Errorf(CodeInvalidParameter, "url is required")
	}
	hashes, err := s.hashURL(r.Context(), u, r.URL.Query().Get("content_type"), r.URL.Query().Get("types"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, hashes)
	return nil
}

// hashURL fetches u (when the server allows fetching) within the media
// size and time limits and hashes it.
func (s *Server) hashURL(ctx context.Context, u, contentType, types string) (map[string]string, error) {
	if s.deps.Hasher == nil {
		return nil, notConfigured("hashing")
	}
	if s.cfg.FetchClient == nil {
		return nil, notConfigured("fetching media by url (hash an upload with POST /h/hash instead)")
	}
	pu, err := url.Parse(u)
	// As OMM's is_valid_url: http(s), a host, and a port only if numeric.
	if err != nil || (pu.Scheme != "http" && pu.Scheme != "https") || pu.Hostname() == "" || strings.HasSuffix(pu.Host, ":") {
		return nil, Errorf(CodeInvalidParameter, "url %q must be an absolute http(s) URL", u)
	}
	ctx, cancel := context.WithTimeout(ctx, s.cfg.FetchTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, Errorf(CodeInvalidParameter, "url: %v", err)
	}
	resp, err := s.cfg.FetchClient.Do(req)
	if err != nil {
		return nil, Errorf(CodeBadRequest, "fetching %s: %v", u, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, Errorf(CodeBadRequest, "fetching %s: HTTP %d", u, resp.StatusCode)
	}
	if resp.ContentLength > s.cfg.FetchMaxBytes {
		return nil, Errorf(CodeBodyTooLarge, "Content too large: the media at %s is over the %d-byte limit", u, s.cfg.FetchMaxBytes)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, s.cfg.FetchMaxBytes+1))
	if err != nil {
		return nil, Errorf(CodeBadRequest, "fetching %s: %v", u, err)
	}
	if int64(len(data)) > s.cfg.FetchMaxBytes {
		return nil, Errorf(CodeBodyTooLarge, "Content too large: the media at %s is over the %d-byte limit", u, s.cfg.FetchMaxBytes)
	}
	if contentType == "" {
		ct := strings.ToLower(resp.Header.Get("Content-Type"))
		switch {
		case strings.HasPrefix(ct, "image"):
			contentType = "photo"
		case strings.HasPrefix(ct, "video"):
			contentType = "video"
		default:
			return nil, Errorf(CodeUnsupportedMedia, "unsupported url ContentType: '%s', if you know the expected type, provide it with the content_type query param", ct)
		}
	}
	if !slices.Contains(s.deps.Hasher.ContentTypes(), contentType) {
		return nil, Errorf(CodeInvalidParameter, "no such content_type: '%s'", contentType)
	}
	hashes, err := s.deps.Hasher.Hash(ctx, contentType, data, hashTypes(types))
	if err != nil {
		return nil, s.hashError(err)
	}
	return hashes, nil
}

// contentMetaOf reads a content's metadata (HMA's BankedContentMetadata)
// and note from a request.
func contentMetaOf(metadata, note json.RawMessage) (hashmatch.ContentMeta, error) {
	var meta hashmatch.ContentMeta
	m, err := hmaMetadata(metadata)
	if err != nil {
		return meta, err
	}
	meta.Metadata = m
	if len(note) > 0 && string(note) != "null" {
		if err := json.Unmarshal(note, &meta.Note); err != nil {
			return meta, Errorf(CodeInvalidParameter, "note must be a string")
		}
	}
	return meta, nil
}

// indexStatus is the index status of every signal type, or of the one
// ?signal_type= names.
func (s *Server) indexStatus(r *http.Request) (map[string]IndexStatus, error) {
	if err := s.needBanks(); err != nil {
		return nil, err
	}
	all, err := s.deps.Banks.IndexStatus(r.Context())
	if err != nil {
		return nil, bankError(err)
	}
	if st := r.URL.Query().Get("signal_type"); st != "" {
		v, ok := all[st]
		if !ok {
			return nil, Errorf(CodeUnknownSignalType, "No such signal type '%s'", st)
		}
		all = map[string]IndexStatus{st: v}
	}
	return all, nil
}
