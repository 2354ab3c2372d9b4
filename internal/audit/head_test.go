package audit

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
)

// memLog is a log held in a slice, to cut and empty at will.
type memLog struct{ es []Entry }

func (m *memLog) AuditEntries(_ context.Context, after int64, n int) ([]Entry, error) {
	var out []Entry
	for _, e := range m.es {
		if e.Seq > after && len(out) < n {
			out = append(out, e)
		}
	}
	return out, nil
}

// TestHeadDetectsEmptiedAndCutLogs reproduces issue 15 item 9: an emptied
// log and a cut tail verified without --head.
func TestHeadDetectsEmptiedAndCutLogs(t *testing.T) {
	ctx := context.Background()
	full := chain(20)
	path := HeadPath(t.TempDir(), "sqlite:/data/basira.db")
	log := &memLog{es: append([]Entry(nil), full[:10]...)}
	k := &Keeper{Path: path, Log: log}
	if err := k.Start(ctx); err != nil {
		t.Fatal(err)
	}
	if h := k.Head(); h.Seq != 10 || h.Hash != full[9].Hash || h.First != full[0].Hash {
		t.Fatalf("head = %+v", h)
	}
	log.es = full // ten more entries
	if n, err := k.Advance(ctx); n != 10 || err != nil {
		t.Fatalf("Advance = %d, %v", n, err)
	}
	for name, c := range map[string]struct {
		es   []Entry
		want string
	}{
		"emptied":    {nil, "emptied"},
		"cut tail":   {full[:15], "cut from its end"},
		"other log":  {chain(25)[:0], "emptied"},
		"rebuilt":    {rebuilt(20), "replaced or rebuilt"},
		"rewritten":  {append(append([]Entry(nil), full[:19]...), Seal(&full[18], New("x", "y", "z", nil))), "rewritten"},
		"still good": {full, ""},
	} {
		// A restarted server (a new Keeper on the same file) and a check
		// of the file alone both see it.
		h, ok, err := LoadHead(path)
		if !ok || err != nil {
			t.Fatalf("LoadHead: %v %v", ok, err)
		}
		err1 := CheckHead(ctx, &memLog{c.es}, h)
		err2 := (&Keeper{Path: path, Log: &memLog{c.es}}).Start(ctx)
		for _, err := range []error{err1, err2} {
			if c.want == "" && err != nil || c.want != "" && (!errors.Is(err, ErrBroken) || !strings.Contains(err.Error(), c.want)) {
				t.Errorf("%s: err = %v, want %q", name, err, c.want)
			}
		}
	}
	// A running keeper stops at a cut log.
	log.es = full[:12]
	if _, err := k.Advance(ctx); !errors.Is(err, ErrBroken) {
		t.Fatalf("Advance on a cut log: %v", err)
	}
}

func rebuilt(n int) []Entry {
	var es []Entry
	var prev *Entry
	for i := range n {
		e := Seal(prev, New("system", "forged", filepathBase(i), nil))
		es = append(es, e)
		prev = &es[len(es)-1]
	}
	return es
}

func filepathBase(i int) string { return filepath.Base("/x/" + string(rune('a'+i))) }

func TestFloor(t *testing.T) {
	var f Floor
	es := chain(5)
	if err := f.Check(&es[4]); err != nil {
		t.Fatal(err)
	}
	if err := f.Check(&es[2]); !errors.Is(err, ErrTruncated) {
		t.Fatalf("a cut log passed: %v", err)
	}
	if err := f.Check(nil); !errors.Is(err, ErrTruncated) {
		t.Fatalf("an emptied log passed: %v", err)
	}
}
