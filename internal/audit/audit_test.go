package audit

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

func chain(n int) []Entry {
	var es []Entry
	var prev *Entry
	for i := range n {
		e := Seal(prev, New("analyst:alice", ActionCaseState, fmt.Sprint("case:", i), map[string]any{"from": "new", "to": "in_review"}))
		es = append(es, e)
		prev = &es[len(es)-1]
	}
	return es
}

func TestVerifyIntact(t *testing.T) {
	es := chain(5)
	if err := Verify(es); err != nil {
		t.Fatal(err)
	}
	if es[0].PrevHash != Genesis || es[0].Seq != 1 || es[4].Seq != 5 || es[3].PrevHash != es[2].Hash {
		t.Fatalf("chain not linked: %+v", es)
	}
}

func TestVerifyDetectsTampering(t *testing.T) {
	tests := []struct {
		name    string
		tamper  func([]Entry) []Entry
		wantSeq int64
		want    string
	}{
		{"edit actor", func(es []Entry) []Entry { es[2].Actor = "analyst:mallory"; return es }, 3, "was edited"},
		{"edit details", func(es []Entry) []Entry {
			es[1].Details = json.RawMessage(`{"from":"new","to":"dismissed"}`)
			return es
		}, 2, "was edited"},
		{"edit time", func(es []Entry) []Entry { es[4].Time = es[4].Time.Add(time.Second); return es }, 5, "was edited"},
		{"edit and rehash", func(es []Entry) []Entry { es[1].Object = "case:99"; es[1].Hash = Hash(es[1]); return es }, 3, "entry before"},
		{"delete middle", func(es []Entry) []Entry { return append(es[:2:2], es[3:]...) }, 3, "deleted"},
		{"delete first", func(es []Entry) []Entry { return es[1:] }, 1, "deleted"},
		{"swap", func(es []Entry) []Entry { es[1], es[2] = es[2], es[1]; return es }, 2, "missing"},
		{"replace with a forged chain", func(es []Entry) []Entry {
			forged := Seal(&es[0], New("x", "y", "z", nil))
			forged.Seq = 2
			return append([]Entry{es[0], forged}, es[2:]...)
		}, 3, "entry before"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := Verify(tc.tamper(chain(6)))
			var be *BrokenError
			if !errors.As(err, &be) || !errors.Is(err, ErrBroken) {
				t.Fatalf("err %v, want a BrokenError", err)
			}
			if be.Seq != tc.wantSeq || !strings.Contains(be.Error(), tc.want) {
				t.Fatalf("err %q, want entry %d and %q", be, tc.wantSeq, tc.want)
			}
		})
	}
}

func TestHashIsUnambiguous(t *testing.T) {
	a := Entry{Seq: 1, Actor: "ab", Action: "c", PrevHash: Genesis}
	b := Entry{Seq: 1, Actor: "a", Action: "bc", PrevHash: Genesis}
	if Hash(a) == Hash(b) {
		t.Fatal("moving bytes between fields keeps the hash")
	}
	// Sealing truncates time to what stores keep, so a reloaded entry verifies.
	e := Seal(nil, Entry{Time: time.Unix(1, 123456789), Actor: "a"})
	if e.Time.Nanosecond() != 123456000 || Hash(e) != e.Hash {
		t.Fatalf("time %v", e.Time)
	}
}

func TestVerifierConstantMemory(t *testing.T) {
	var v Verifier
	var prev *Entry
	for i := range 1000 {
		e := Seal(prev, New("system", ActionIngest, "source:x", map[string]int{"n": i}))
		if err := v.Next(e); err != nil {
			t.Fatal(err)
		}
		prev = &e
	}
	if v.Count() != 1000 || v.Last().Seq != 1000 {
		t.Fatalf("count %d", v.Count())
	}
}

func BenchmarkSealVerify(b *testing.B) {
	e := New("analyst:alice", ActionDecision, "case:42", map[string]any{"action": "refer", "rationale": strings.Repeat("x", 200)})
	prev := Seal(nil, e)
	var v Verifier
	_ = v.Next(prev)
	for b.Loop() {
		next := Seal(&prev, e)
		if err := v.Next(next); err != nil {
			b.Fatal(err)
		}
		prev = next
	}
}
