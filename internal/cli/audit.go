package cli

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"time"

	"github.com/basira-org/basira/internal/app"
	"github.com/basira-org/basira/internal/audit"
	"github.com/basira-org/basira/internal/config"
)

func init() {
	Register(&Command{
		Name:    "audit verify",
		Summary: "check the audit log's hash chain; name the first edited or deleted entry",
		Usage:   "[--store …] [--head HASH]",
		Run:     runAuditVerify,
	})
	Register(&Command{
		Name:    "audit list",
		Summary: "print audit log entries as JSON lines",
		Usage:   "[--store …] [--after SEQ] [--limit N]",
		Run:     runAuditList,
	})
}

func runAuditVerify(ctx context.Context, env *Env, fs *flag.FlagSet, args []string) error {
	var cfg config.Config
	cfg.DefineStore(fs, false)
	head := fs.String("head", "", "a head hash printed by an earlier verify: check it is still in the log")
	if err := Parse(fs, args); err != nil {
		return err
	}
	st, err := openConfigStore(ctx, env, &cfg, app.OpenExisting)
	if err != nil {
		return err
	}
	defer st.Close()
	start := time.Now()
	// Without --head, the head file a server keeps for this store anchors
	// the log: an emptied or cut log is reported even so.
	if *head == "" {
		if err := checkHeadFile(ctx, env, &cfg, st); err != nil {
			return err
		}
	}
	rep, err := audit.VerifyLog(ctx, st, *head)
	switch {
	case err != nil:
		return err
	case rep.Broken != nil:
		fmt.Fprintf(env.Stdout, "BROKEN: %v\n%d entries before it verified\n", rep.Broken, rep.Count)
		return ErrFailed
	case rep.Count == 0:
		fmt.Fprintln(env.Stdout, "the audit log is empty")
		if *head != "" {
			fmt.Fprintf(env.Stdout, "BROKEN: head %s not found: the log was emptied\n", *head)
			return ErrFailed
		}
		return nil
	case !rep.HeadFound:
		fmt.Fprintf(env.Stdout, "BROKEN: head %s not found: entries were cut from the end of the log, or it is another log\n", *head)
		return ErrFailed
	}
	fmt.Fprintf(env.Stdout, "OK: %d entries, chain intact (%s)\nhead: seq %d %s %s\n", rep.Count, time.Since(start).Round(time.Millisecond),
		rep.Last.Seq, rep.Last.Time.Format(time.RFC3339), rep.Last.Hash)
	return nil
}

func runAuditList(ctx context.Context, env *Env, fs *flag.FlagSet, args []string) error {
	var cfg config.Config
	cfg.DefineStore(fs, false)
	after := fs.Int64("after", 0, "print entries after this sequence number")
	limit := fs.Int("limit", 100, "print at most this many entries (0: all)")
	if err := Parse(fs, args); err != nil {
		return err
	}
	st, err := openConfigStore(ctx, env, &cfg, app.OpenExisting)
	if err != nil {
		return err
	}
	defer st.Close()
	enc := json.NewEncoder(env.Stdout)
	return audit.Each(ctx, st, *after, *limit, func(e audit.Entry) error { return enc.Encode(e) })
}

// checkHeadFile checks the log against the head file a server keeps for
// this store, when there is one.
func checkHeadFile(ctx context.Context, env *Env, cfg *config.Config, st audit.EntrySource) error {
	home, err := Home(env, false)
	if err != nil {
		return nil
	}
	path := audit.HeadPath(home, config.RedactStore(cfg.Store))
	h, ok, err := audit.LoadHead(path)
	if err != nil || !ok {
		return err
	}
	if err := audit.CheckHead(ctx, st, h); err != nil {
		fmt.Fprintf(env.Stdout, "BROKEN: %v (anchored by %s)\n", err, path)
		return ErrFailed
	}
	fmt.Fprintf(env.Stdout, "head file %s: seq %d present and unchanged\n", path, h.Seq)
	return nil
}
