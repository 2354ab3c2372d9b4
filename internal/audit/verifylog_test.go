package audit

import (
	"context"
	"testing"
)

// TestVerifyLogAndEach: a whole chain verifies with its head found; an
// edited entry is named with the count before it; Each pages through the
// entries after a sequence number up to a limit.
func TestVerifyLogAndEach(t *testing.T) {
	ctx := context.Background()
	full := chain(2500)
	log := &memLog{es: full}
	rep, err := VerifyLog(ctx, log, full[1200].Hash)
	if err != nil || rep.Broken != nil || rep.Count != 2500 || !rep.HeadFound || rep.Last.Seq != 2500 {
		t.Fatalf("intact log: %+v %v", rep, err)
	}
	if rep, _ := VerifyLog(ctx, log, "no-such-hash"); rep.HeadFound {
		t.Error("a head that is not in the log was found")
	}
	edited := append([]Entry(nil), full...)
	edited[99].Object = "case:999"
	rep, err = VerifyLog(ctx, &memLog{es: edited}, "")
	if err != nil || rep.Broken == nil || rep.Count != 99 {
		t.Fatalf("edited entry 100: %+v %v", rep, err)
	}
	var seqs []int64
	if err := Each(ctx, log, 10, 1500, func(e Entry) error { seqs = append(seqs, e.Seq); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(seqs) != 1500 || seqs[0] != 11 || seqs[1499] != 1510 {
		t.Errorf("Each: %d entries from %v", len(seqs), seqs[:1])
	}
}
