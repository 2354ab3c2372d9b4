package audit

import (
	"context"
	"errors"
)

// EntrySource pages through an audit log in sequence order.
type EntrySource interface {
	AuditEntries(ctx context.Context, after int64, limit int) ([]Entry, error)
}

// LogReport is what VerifyLog found.
type LogReport struct {
	// Count entries verified (before Broken, when set).
	Count int64
	// Last is the last entry verified.
	Last Entry
	// Broken is the first edited, inserted or deleted entry, or nil.
	Broken *BrokenError
	// HeadFound says the head hash asked for is in the log (true when
	// none was asked for).
	HeadFound bool
}

// VerifyLog walks the whole log, checking its hash chain, and looks for
// head (a hash an earlier verify printed) on the way.
func VerifyLog(ctx context.Context, src EntrySource, head string) (LogReport, error) {
	var v Verifier
	rep := LogReport{HeadFound: head == ""}
	var after int64
	for {
		es, err := src.AuditEntries(ctx, after, 5000)
		if err != nil {
			return rep, err
		}
		if len(es) == 0 {
			break
		}
		for _, e := range es {
			if err := v.Next(e); err != nil {
				rep.Count = v.Count()
				if errors.As(err, &rep.Broken) {
					return rep, nil
				}
				return rep, err
			}
			if e.Hash == head {
				rep.HeadFound = true
			}
		}
		after = es[len(es)-1].Seq
	}
	rep.Count = v.Count()
	if rep.Count > 0 {
		rep.Last = *v.Last()
	}
	return rep, nil
}

// Each calls fn for the entries after seq after, in order, at most limit
// of them (0: all), reading the log a page at a time.
func Each(ctx context.Context, src EntrySource, after int64, limit int, fn func(Entry) error) error {
	n := 0
	for limit == 0 || n < limit {
		page := 1000
		if limit > 0 {
			page = min(page, limit-n)
		}
		es, err := src.AuditEntries(ctx, after, page)
		if err != nil {
			return err
		}
		if len(es) == 0 {
			return nil
		}
		for _, e := range es {
			if err := fn(e); err != nil {
				return err
			}
		}
		n += len(es)
		after = es[len(es)-1].Seq
	}
	return nil
}
