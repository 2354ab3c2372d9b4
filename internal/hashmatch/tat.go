package hashmatch

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
)

// Tech Against Terrorism's hash list (TCAP API v2, api/hash-list/v2/all):
// pages of
//
//	{"count": N, "next": URL|null, "previous": URL|null,
//	 "checkpoint": "UPDATED_ON,ID",
//	 "results": [{"id": 2819, "hash_digest": "…", "algorithm": "MD5",
//	   "ideology": "islamist", "file_type": "mp4", "deleted": false,
//	   "updated_on": 1704901040.222779, "created_on": "2025-03-03 23:05:22,587"}]}
//
// fetched in updated_on order with ?order=asc&after=CHECKPOINT, so that a
// re-import asks only for what changed since the last page read.

// TATPage is one page of the hash list.
type TATPage struct {
	Count      *int       `json:"count"`
	Next       *string    `json:"next"`
	Previous   *string    `json:"previous"`
	Checkpoint string     `json:"checkpoint"`
	Results    []TATEntry `json:"results"`
}

// TATEntry is one row of a page. Ids and timestamps are kept as TAT wrote
// them (numbers, or strings in older lists).
type TATEntry struct {
	ID         json.RawMessage `json:"id"`
	HashDigest string          `json:"hash_digest"`
	Algorithm  string          `json:"algorithm"`
	Ideology   string          `json:"ideology"`
	FileType   string          `json:"file_type"`
	Deleted    bool            `json:"deleted"`
	UpdatedOn  json.RawMessage `json:"updated_on"`
	CreatedOn  json.RawMessage `json:"created_on"`
}

// TATSource is the source written on entries imported from a TAT list.
const TATSource = "tat-hash-list"

// tatAlgorithms are the algorithms a TAT row may name, by signal type.
var tatAlgorithms = map[SignalType]string{PDQ: "PDQ", MD5: "MD5", SHA256: "SHA256", SHA512: "SHA512"}

var tatNumericID = regexp.MustCompile(`^[0-9]{1,19}$`)

// tatMeta is what an entry keeps of its TAT row beyond hash, ideology
// (the label), file type (the note) and deleted (disabled): its
// timestamps, in the entry's metadata as {"json": {"tat": …}}.
type tatMeta struct {
	JSON struct {
		TAT struct {
			UpdatedOn json.RawMessage `json:"updated_on,omitempty"`
			CreatedOn json.RawMessage `json:"created_on,omitempty"`
		} `json:"tat"`
	} `json:"json"`
}

// scalar reports whether raw is a JSON number or string (or absent/null).
func scalar(raw json.RawMessage) (present bool, ok bool) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return false, true
	}
	switch raw[0] {
	case '"':
		var s string
		return true, json.Unmarshal(raw, &s) == nil
	case '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		var f json.Number
		return true, json.Unmarshal(raw, &f) == nil
	}
	return true, false
}

// ParseTAT reads one page of Tech Against Terrorism's hash list (or an
// older whole list, {"results": [...]}) and keeps the rows of type t: the
// ideology becomes the label, the file type the note, "tat-ID" the id (a
// non-numeric id, as Basira's own exports write for entries not from TAT,
// is kept as it is), the timestamps the metadata. A row marked deleted
// becomes a disabled entry, so an update withdraws it from matching and
// an export writes it back as deleted. Rows of other algorithms
// (including ones Basira does not hash, such as TMK) are counted as
// skipped; a malformed row is an error of its own, never of the page.
func ParseTAT(r io.Reader, t SignalType) (*ListResult, error) {
	res, _, err := ParseTATPage(r, t)
	return res, err
}

// ParseTATPage is ParseTAT that also returns the page's paging fields.
func ParseTATPage(r io.Reader, t SignalType) (*ListResult, *TATPage, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxJSONBytes+1))
	if err != nil {
		return nil, nil, err
	}
	if len(data) > MaxJSONBytes {
		return nil, nil, fmt.Errorf("%w: a TAT page is read whole, up to %d MiB", ErrTooLarge, MaxJSONBytes>>20)
	}
	// Rows are decoded one by one so that one bad row does not refuse
	// the page.
	var page struct {
		TATPage
		Results []json.RawMessage `json:"results"`
	}
	if err := json.Unmarshal(data, &page); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return nil, nil, fmt.Errorf("not TAT hash-list JSON: %v at byte %d", err, se.Offset)
		}
		return nil, nil, fmt.Errorf("not a TAT hash-list page ({\"count\", \"next\", \"checkpoint\", \"results\": [...]}): %v", err)
	}
	if page.Results == nil {
		return nil, nil, errors.New(`not TAT hash-list JSON: no "results" list`)
	}
	meta := page.TATPage
	meta.Results = nil
	res := &ListResult{}
	for i, raw := range page.Results {
		var it TATEntry
		if err := json.Unmarshal(raw, &it); err != nil {
			res.fail(i+1, fmt.Errorf("not a TAT row: %v", err))
			continue
		}
		e, ok, err := tatRow(it, t)
		switch {
		case err != nil:
			res.fail(i+1, err)
		case !ok:
			res.Skipped++
		default:
			res.Entries = append(res.Entries, e)
		}
	}
	return res, &meta, nil
}

// tatRow converts a row; ok is false for a row of another type.
func tatRow(it TATEntry, t SignalType) (Entry, bool, error) {
	at, err := ParseSignalType(it.Algorithm)
	if err != nil || at == Text {
		return Entry{}, false, nil
	}
	if at != t {
		return Entry{}, false, nil
	}
	id := ""
	if present, ok := scalar(it.ID); !ok {
		return Entry{}, false, fmt.Errorf("id %s: want a number or a string", it.ID)
	} else if present {
		var s string
		if json.Unmarshal(it.ID, &s) != nil {
			s = string(bytes.TrimSpace(it.ID))
		}
		s = strings.TrimSpace(s)
		switch {
		case tatNumericID.MatchString(s):
			id = "tat-" + s
		case s != "":
			id = s
		}
	}
	var m tatMeta
	for name, raw := range map[string]json.RawMessage{"updated_on": it.UpdatedOn, "created_on": it.CreatedOn} {
		present, ok := scalar(raw)
		if !ok {
			return Entry{}, false, fmt.Errorf("%s %s: want a number or a string", name, raw)
		}
		if present {
			c := json.RawMessage(bytes.TrimSpace(raw))
			if name == "updated_on" {
				m.JSON.TAT.UpdatedOn = c
			} else {
				m.JSON.TAT.CreatedOn = c
			}
		}
	}
	v, err := NormalizeValue(t, it.HashDigest)
	if err != nil {
		return Entry{}, false, err
	}
	e := Entry{ID: id, Value: v, Label: it.Ideology, Note: it.FileType, Source: TATSource, Enabled: !it.Deleted}
	if m.JSON.TAT.UpdatedOn != nil || m.JSON.TAT.CreatedOn != nil {
		b, _ := json.Marshal(m)
		e.Metadata = string(b)
	}
	return e, true, nil
}

// WriteTAT writes entries of type t as one TAT hash-list page, in TAT's
// own shape: count, next and previous (null: the whole list is one page),
// the checkpoint of the last row, and rows with every field TAT writes.
// "tat-N" ids are written back as the number N, other ids as strings;
// disabled entries are written as deleted; timestamps kept at import are
// written back as they came (null for entries that had none). ParseTAT of
// the output gives the entries back.
func WriteTAT(w io.Writer, t SignalType, entries []Entry) error {
	alg := tatAlgorithms[t]
	if alg == "" {
		return fmt.Errorf("the TAT format holds PDQ, MD5, SHA256 and SHA512 hashes, not %s", t)
	}
	type row struct {
		ID         json.RawMessage `json:"id"`
		HashDigest string          `json:"hash_digest"`
		Algorithm  string          `json:"algorithm"`
		Ideology   string          `json:"ideology"`
		FileType   string          `json:"file_type"`
		Deleted    bool            `json:"deleted"`
		UpdatedOn  json.RawMessage `json:"updated_on"`
		CreatedOn  json.RawMessage `json:"created_on"`
	}
	null := json.RawMessage("null")
	rows := make([]row, 0, len(entries))
	checkpoint := ""
	for _, e := range entries {
		r := row{ID: null, HashDigest: e.Value, Algorithm: alg, Ideology: e.Label, FileType: e.Note, Deleted: !e.Enabled, UpdatedOn: null, CreatedOn: null}
		if n, ok := strings.CutPrefix(e.ID, "tat-"); ok && tatNumericID.MatchString(n) {
			r.ID = json.RawMessage(n)
		} else if e.ID != "" {
			r.ID, _ = json.Marshal(e.ID)
		}
		var m tatMeta
		if e.Metadata != "" && json.Unmarshal([]byte(e.Metadata), &m) == nil {
			if m.JSON.TAT.UpdatedOn != nil {
				r.UpdatedOn = m.JSON.TAT.UpdatedOn
			}
			if m.JSON.TAT.CreatedOn != nil {
				r.CreatedOn = m.JSON.TAT.CreatedOn
			}
		}
		rows = append(rows, r)
		checkpoint = tatCheckpoint(r.UpdatedOn, r.ID)
	}
	page := struct {
		Count      int     `json:"count"`
		Next       *string `json:"next"`
		Previous   *string `json:"previous"`
		Checkpoint string  `json:"checkpoint"`
		Results    []row   `json:"results"`
	}{len(rows), nil, nil, checkpoint, rows}
	enc := json.NewEncoder(w)
	enc.SetIndent("", " ")
	return enc.Encode(page)
}

// tatCheckpoint is TAT's checkpoint of a row: "UPDATED_ON,ID".
func tatCheckpoint(updated, id json.RawMessage) string {
	text := func(raw json.RawMessage) string {
		var s string
		if json.Unmarshal(raw, &s) == nil {
			return s
		}
		if string(raw) == "null" {
			return ""
		}
		return string(raw)
	}
	u, i := text(updated), text(id)
	if u == "" && i == "" {
		return ""
	}
	return u + "," + i
}

// MaxTATPages bounds one fetch (a runaway server cannot keep it going).
const MaxTATPages = 100_000

// TATFetch is one fetch of the hash list from TAT's API.
type TATFetch struct {
	Client *http.Client
	// Endpoint is the hash list's URL (…/api/hash-list/v2/all).
	Endpoint string
	// Token is the TCAP API token, sent as "Authorization: Bearer".
	Token string
}

// Pages reads the list page by page from after (a checkpoint; "" for the
// whole list), giving each page's rows of type t to each, until a page
// says there is no next one. It returns the checkpoint to start the next
// fetch from: the last page's, so a re-import fetches only what changed.
// each sees every page before the checkpoint moves past it.
func (f TATFetch) Pages(ctx context.Context, t SignalType, after string, each func(res *ListResult, page *TATPage) error) (string, error) {
	for n := 0; n < MaxTATPages; n++ {
		u, err := url.Parse(f.Endpoint)
		if err != nil {
			return after, fmt.Errorf("TAT endpoint %q: %w", f.Endpoint, err)
		}
		q := u.Query()
		q.Set("order", "asc")
		q.Set("after", after)
		u.RawQuery = q.Encode()
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
		if err != nil {
			return after, err
		}
		if f.Token != "" {
			req.Header.Set("Authorization", "Bearer "+f.Token)
		}
		req.Header.Set("Accept", "application/json")
		resp, err := f.Client.Do(req)
		if err != nil {
			return after, fmt.Errorf("fetching the TAT hash list: %w", err)
		}
		res, page, err := func() (*ListResult, *TATPage, error) {
			defer resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				return nil, nil, fmt.Errorf("fetching the TAT hash list: HTTP %s", resp.Status)
			}
			return ParseTATPage(resp.Body, t)
		}()
		if err != nil {
			return after, err
		}
		if err := each(res, page); err != nil {
			return after, err
		}
		next := page.Checkpoint
		if next == "" {
			next = after
		}
		if page.Next == nil || *page.Next == "" {
			return next, nil
		}
		if next == after {
			return after, fmt.Errorf("the TAT hash list announces a next page but its checkpoint %q did not move", after)
		}
		after = next
	}
	return after, fmt.Errorf("the TAT hash list has more than %d pages", MaxTATPages)
}
