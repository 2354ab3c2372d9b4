// Package audit is Basira's tamper-evident log: every state change (an
// ingest batch, a case transition, a decision, a referral, a configuration
// change, a login) is appended as an Entry whose hash covers the entry and
// the hash of the entry before it. Editing or deleting any entry breaks the
// chain from that entry on, and Verify names the first broken one.
//
// The package is pure: stores persist entries (internal/store) and call
// Seal to chain a new one onto the last.
package audit

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"
)

// Genesis is the PrevHash of the first entry.
const Genesis = "0000000000000000000000000000000000000000000000000000000000000000"

// Actions recorded by Basira's own code. Other packages may add their own
// ("referral.sent", "bank.reload", …): an action is a dotted lower-case name.
const (
	ActionIngest     = "ingest.batch"
	ActionCaseOpen   = "case.open"
	ActionCaseState  = "case.transition"
	ActionDecision   = "case.decision"
	ActionReferral   = "referral"
	ActionConfig     = "config.change"
	ActionLogin      = "auth.login"
	ActionMigrate    = "store.migrate"
	ActionServeStart = "serve.start"
	ActionRemoved    = "post.removed" // deleted or taken down at the source
)

// Entry is one record of the log. Seq, PrevHash and Hash are set by Seal.
type Entry struct {
	Seq    int64     `json:"seq"`
	Time   time.Time `json:"time"`
	Actor  string    `json:"actor"`  // who: "analyst:alice", "system", "ingest:rss:…"
	Action string    `json:"action"` // what: ActionCaseState, …
	Object string    `json:"object"` // on what: "case:42", "post:7", "source:file.jsonl"
	// Details is a JSON object with the specifics (from/to state, counts,
	// rationale). It is hashed as stored, byte for byte.
	Details  json.RawMessage `json:"details,omitempty"`
	PrevHash string          `json:"prev_hash"`
	Hash     string          `json:"hash"`
}

// New returns an unsealed entry stamped now, with details marshalled to
// JSON (nil details give no details).
func New(actor, action, object string, details any) Entry {
	e := Entry{Time: time.Now().UTC(), Actor: actor, Action: action, Object: object}
	if details != nil {
		b, err := json.Marshal(details)
		if err != nil {
			// Details are built by Basira's own code from plain values; a
			// marshalling failure is a programming error worth recording
			// rather than losing the entry.
			b, _ = json.Marshal(map[string]string{"marshal_error": err.Error()})
		}
		e.Details = b
	}
	return e
}

// Seal chains e onto prev (nil for the first entry): it sets Seq, PrevHash
// and Hash. Time is truncated to microseconds so that every store keeps it
// exactly.
func Seal(prev *Entry, e Entry) Entry {
	e.Seq, e.PrevHash = 1, Genesis
	if prev != nil {
		e.Seq, e.PrevHash = prev.Seq+1, prev.Hash
	}
	e.Time = e.Time.UTC().Truncate(time.Microsecond)
	if len(e.Details) == 0 {
		e.Details = nil
	}
	e.Hash = Hash(e)
	return e
}

// Hash returns the hex SHA-256 of the canonical encoding of e: every field
// but Hash, each written as its decimal byte length, a colon and its bytes,
// in a fixed order. Length prefixes make the encoding unambiguous whatever
// the fields contain.
func Hash(e Entry) string {
	var buf bytes.Buffer
	field := func(s []byte) {
		buf.WriteString(strconv.Itoa(len(s)))
		buf.WriteByte(':')
		buf.Write(s)
	}
	field([]byte("basira-audit-v1"))
	field([]byte(strconv.FormatInt(e.Seq, 10)))
	field([]byte(strconv.FormatInt(e.Time.UTC().UnixMicro(), 10)))
	field([]byte(e.Actor))
	field([]byte(e.Action))
	field([]byte(e.Object))
	field(e.Details)
	field([]byte(e.PrevHash))
	sum := sha256.Sum256(buf.Bytes())
	return hex.EncodeToString(sum[:])
}

// BrokenError names the first entry where the chain does not hold.
type BrokenError struct {
	Seq    int64  // the sequence number found (or expected, for a gap)
	Reason string // what is wrong
}

func (e *BrokenError) Error() string {
	return fmt.Sprintf("audit log broken at entry %d: %s", e.Seq, e.Reason)
}

// ErrBroken is matched by every *BrokenError with errors.Is.
var ErrBroken = errors.New("audit log broken")

// Is makes errors.Is(err, ErrBroken) true for a *BrokenError.
func (e *BrokenError) Is(target error) bool { return target == ErrBroken }

// Verifier checks entries one by one, in sequence order. It keeps only the
// previous entry, so a log of any length is checked in constant memory.
type Verifier struct {
	prev *Entry
	n    int64
}

// Next checks e against the entry before it. The first error is a
// *BrokenError naming the entry: an edited entry fails its own hash, a
// deleted entry leaves a gap in Seq, a re-ordered or replaced one breaks
// PrevHash.
func (v *Verifier) Next(e Entry) error {
	wantSeq, wantPrev := int64(1), Genesis
	if v.prev != nil {
		wantSeq, wantPrev = v.prev.Seq+1, v.prev.Hash
	}
	switch {
	case e.Seq != wantSeq:
		if e.Seq > wantSeq {
			return &BrokenError{wantSeq, fmt.Sprintf("entry missing (next entry found is %d): deleted", e.Seq)}
		}
		return &BrokenError{e.Seq, fmt.Sprintf("sequence goes back (expected %d)", wantSeq)}
	case e.PrevHash != wantPrev:
		return &BrokenError{e.Seq, "prev_hash does not match the hash of the entry before: the entry before was edited or replaced"}
	case Hash(e) != e.Hash:
		return &BrokenError{e.Seq, "hash does not match the entry's content: the entry was edited"}
	}
	cp := e
	v.prev = &cp
	v.n++
	return nil
}

// Resume continues a verification from e, an entry verified before (the
// anchored head of a log), so only the entries after it are read again.
func (v *Verifier) Resume(e Entry) {
	cp := e
	v.prev = &cp
}

// Count returns the number of entries verified so far.
func (v *Verifier) Count() int64 { return v.n }

// Last returns the last verified entry, or nil.
func (v *Verifier) Last() *Entry { return v.prev }

// Verify checks a whole list of entries in order.
func Verify(entries []Entry) error {
	var v Verifier
	for _, e := range entries {
		if err := v.Next(e); err != nil {
			return err
		}
	}
	return nil
}
