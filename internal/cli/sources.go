package cli

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"time"

	"github.com/basira-org/basira/internal/ingest"
	"github.com/basira-org/basira/internal/ingest/sources"
	"github.com/basira-org/basira/internal/post"
)

func init() {
	Register(&Command{
		Name:    "sources check",
		Summary: "validate a sources file (feeds, Mastodon, Bluesky, Telegram exports, spool folders)",
		Usage:   "FILE",
		Run:     runSourcesCheck,
	})
	Register(&Command{
		Name:    "sources preview",
		Summary: "run a sources file for a while and print the posts it would ingest (stores nothing)",
		Usage:   "[--for 30s] FILE",
		Run:     runSourcesPreview,
	})
}

func runSourcesCheck(ctx context.Context, env *Env, fs *flag.FlagSet, args []string) error {
	if err := Parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return Usagef("name one sources FILE")
	}
	srcs, err := sources.Load(fs.Arg(0), nil)
	if err != nil {
		return err
	}
	for _, s := range srcs {
		fmt.Fprintln(env.Stdout, s.Name())
	}
	fmt.Fprintf(env.Stderr, "%s: %d sources, all valid\n", fs.Arg(0), len(srcs))
	return nil
}

func runSourcesPreview(ctx context.Context, env *Env, fs *flag.FlagSet, args []string) error {
	dur := fs.Duration("for", 30*time.Second, "how long to run the connectors")
	if err := Parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return Usagef("name one sources FILE")
	}
	key, err := pseudonymKey(env)
	if err != nil {
		return err
	}
	srcs, err := sources.Load(fs.Arg(0), post.NewPseudonymizer(key))
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, *dur)
	defer cancel()
	sup := ingest.NewSupervisor(&printSink{enc: json.NewEncoder(env.Stdout)})
	for _, s := range srcs {
		sup.Start(ctx, s)
	}
	<-ctx.Done()
	sup.Wait()
	for _, st := range sup.States() {
		fmt.Fprintln(env.Stderr, st.Summary())
	}
	return nil
}

// PostEvents prints deletions and takedowns as {"event": …} lines.
func (p *printSink) PostEvents(_ context.Context, _ string, events []ingest.PostEvent) error {
	for _, e := range events {
		if err := p.enc.Encode(map[string]any{"event": e}); err != nil {
			return err
		}
	}
	return nil
}

// printSink writes accepted posts as JSONL; preview's stand-in for a store.
type printSink struct{ enc *json.Encoder }

func (p *printSink) Accept(_ context.Context, _ string, posts []*post.Post) error {
	for _, x := range posts {
		if err := p.enc.Encode(x); err != nil {
			return err
		}
	}
	return nil
}
