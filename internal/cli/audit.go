package cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"time"

	"github.com/basira-org/basira/internal/audit"
)

func init() {
	Register(&Command{
		Name:    "audit verify",
		Summary: "check the audit log's hash chain; name the first edited or deleted entry",
		Usage:   "[--store …] [--head HASH]",
		Help: `Reads the whole audit log in order and recomputes every entry's hash and its
link to the entry before. An edited entry, a deleted one, or entries put out
of order break the chain: the command names the first broken entry and exits 1.

The chain cannot tell on its own that entries were cut from the END of the
log, or that it was emptied. 'basira serve' anchors the log in a head file
(BASIRA_HOME/audit-heads/), which this command checks: an emptied or cut
log is reported without any flag. For an anchor out of reach of whoever
can write the machine, keep the head hash this command prints somewhere
else (a ticket, a signed mail, a second system) and pass it with --head.

Examples:
  basira audit verify
  basira audit verify --store postgres://basira@db/basira --head 3f2a…`,
		Run: runAuditVerify,
	})
	Register(&Command{
		Name:    "audit list",
		Summary: "print audit log entries as JSON lines",
		Usage:   "[--store …] [--after SEQ] [--limit N]",
		Help: `Prints entries of the audit log, oldest first, one JSON object per line:
{"seq","time","actor","action","object","details","prev_hash","hash"}.

Examples:
  basira audit list --limit 20
  basira audit list --after 1500 | jq 'select(.action=="case.decision")'`,
		Run: runAuditList,
	})
}

func runAuditVerify(ctx context.Context, env *Env, fs *flag.FlagSet, args []string) error {
	var f serviceFlags
	f.define(fs, false)
	head := fs.String("head", "", "a head hash printed by an earlier verify: check it is still in the log")
	if err := Parse(fs, args); err != nil {
		return err
	}
	if err := f.resolve(env); err != nil {
		return err
	}
	st, err := openStore(ctx, f.store, openExisting)
	if err != nil {
		return err
	}
	defer st.Close()
	start := time.Now()
	// Without --head, the head file a server keeps for this store anchors
	// the log: an emptied or cut log is reported even so.
	if *head == "" {
		home, err := Home(env, false)
		if err == nil {
			path := audit.HeadPath(home, redactStore(f.store))
			h, ok, err := audit.LoadHead(path)
			if err != nil {
				return err
			}
			if ok {
				if err := audit.CheckHead(ctx, st, h); err != nil {
					fmt.Fprintf(env.Stdout, "BROKEN: %v (anchored by %s)\n", err, path)
					return ErrFailed
				}
				fmt.Fprintf(env.Stdout, "head file %s: seq %d present and unchanged\n", path, h.Seq)
			}
		}
	}
	var v audit.Verifier
	var after int64
	headFound := *head == ""
	for {
		es, err := st.AuditEntries(ctx, after, 5000)
		if err != nil {
			return err
		}
		if len(es) == 0 {
			break
		}
		for _, e := range es {
			if err := v.Next(e); err != nil {
				var be *audit.BrokenError
				if errors.As(err, &be) {
					fmt.Fprintf(env.Stdout, "BROKEN: %v\n", be)
					fmt.Fprintf(env.Stdout, "%d entries before it verified\n", v.Count())
					return ErrFailed
				}
				return err
			}
			if e.Hash == *head {
				headFound = true
			}
		}
		after = es[len(es)-1].Seq
	}
	if v.Count() == 0 {
		fmt.Fprintln(env.Stdout, "the audit log is empty")
		if *head != "" {
			fmt.Fprintf(env.Stdout, "BROKEN: head %s not found: the log was emptied\n", *head)
			return ErrFailed
		}
		return nil
	}
	last := v.Last()
	if !headFound {
		fmt.Fprintf(env.Stdout, "BROKEN: head %s not found: entries were cut from the end of the log, or it is another log\n", *head)
		return ErrFailed
	}
	fmt.Fprintf(env.Stdout, "OK: %d entries, chain intact (%s)\nhead: seq %d %s %s\n", v.Count(), time.Since(start).Round(time.Millisecond),
		last.Seq, last.Time.Format(time.RFC3339), last.Hash)
	return nil
}

func runAuditList(ctx context.Context, env *Env, fs *flag.FlagSet, args []string) error {
	var f serviceFlags
	f.define(fs, false)
	after := fs.Int64("after", 0, "print entries after this sequence number")
	limit := fs.Int("limit", 100, "print at most this many entries (0: all)")
	if err := Parse(fs, args); err != nil {
		return err
	}
	if err := f.resolve(env); err != nil {
		return err
	}
	st, err := openStore(ctx, f.store, openExisting)
	if err != nil {
		return err
	}
	defer st.Close()
	enc := json.NewEncoder(env.Stdout)
	n := 0
	for *limit == 0 || n < *limit {
		page := 1000
		if *limit > 0 {
			page = min(page, *limit-n)
		}
		es, err := st.AuditEntries(ctx, *after, page)
		if err != nil {
			return err
		}
		if len(es) == 0 {
			break
		}
		for _, e := range es {
			if err := enc.Encode(e); err != nil {
				return err
			}
		}
		n += len(es)
		*after = es[len(es)-1].Seq
	}
	return nil
}
