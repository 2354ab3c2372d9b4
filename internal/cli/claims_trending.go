package cli

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/basira-org/basira/arabic"
	"github.com/basira-org/basira/internal/claims/retrieve"
	"github.com/basira-org/basira/internal/claims/trending"
	"github.com/basira-org/basira/internal/classify"
	"github.com/basira-org/basira/internal/post"
)

func init() {
	Register(&Command{
		Name:    "claims trending",
		Summary: "group check-worthy posts that say the same thing and rank them by how fast they spread",
		Usage:   "[flags] FILE... (- for stdin)",
		Run:     runClaimsTrending,
	})
}

func runClaimsTrending(ctx context.Context, env *Env, fs *flag.FlagSet, args []string) error {
	o := trending.Options{}
	fs.DurationVar(&o.Window, "window", 24*time.Hour, "a cluster stays open while its last post is at most this old")
	fs.DurationVar(&o.Recent, "recent", time.Hour, "span before --now over which growth is counted")
	fs.Float64Var(&o.Similarity, "similarity", 0.15, "least cosine similarity for a post to join a cluster")
	fs.IntVar(&o.MinSize, "min-size", 2, "smallest cluster printed")
	fs.Float64Var(&o.MinWorthiness, "min-worthiness", 0.5, "least check-worthiness for a post to count")
	worth := fs.String("worthiness", "lexical", "check-worthiness: lexical (word-cue stand-in), none, or a check-worthiness model file trained with basira's classifiers")
	nowFlag := fs.String("now", "", "time growth is measured at, RFC 3339 (default: the latest post)")
	claimsPath := fs.String("claims", "", `fact-checks to show with clusters: a file, "store" (the workspace store, the default when it has claims) or "none"`)
	modelPath := fs.String("model", "", "claim re-ranker model (default: the workspace model)")
	top := fs.Int("top", 20, "print at most this many clusters (0: all)")
	format := fs.String("format", "table", "output: table or jsonl")
	inputFormat := fs.String("input-format", "", "input format: jsonl, csv or tsv (default: from the file name, or sniffed)")
	if err := Parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return Usagef("name at least one FILE of posts (or - for stdin)")
	}
	if *format != "table" && *format != "jsonl" {
		return Usagef("--format must be table or jsonl, not %q", *format)
	}
	if err := trendingOptions(ctx, env, &o, *worth, *nowFlag, *claimsPath, *modelPath); err != nil {
		return err
	}
	key, err := pseudonymKey(env)
	if err != nil {
		return err
	}
	var items []*trending.Item
	rejected, err := readAllTrendingPosts(env, fs.Args(), *inputFormat, key, &items)
	if err != nil {
		return err
	}
	if undated := trending.Undated(items); undated > 0 {
		fmt.Fprintf(env.Stderr, "claims trending: %d posts have no posted_at; they count as posted at --now (the latest dated post)\n", undated)
	}
	cs, err := trending.Build(ctx, items, o)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stderr, "claims trending: %d posts read, %d rejected, %d clusters\n", len(items), rejected, len(cs))
	if *top > 0 && len(cs) > *top {
		cs = cs[:*top]
	}
	w := bufio.NewWriter(env.Stdout)
	if *format == "jsonl" {
		err = trending.WriteJSONL(w, cs)
	} else {
		err = trending.WriteText(w, cs, o.Recent)
	}
	if err != nil {
		return err
	}
	return w.Flush()
}

// readTrendingPosts decodes a file of posts into items, reporting bad lines
// on stderr; it returns the number of rejected lines.
func readTrendingPosts(env *Env, name, format string, key []byte, items *[]*trending.Item) (int, error) {
	rejected := 0
	pr, err := openPosts(env, name, post.Format(format), post.Options{Pseudonymizer: post.NewPseudonymizer(key), Source: name}, &rejected)
	if err != nil {
		return 0, err
	}
	defer pr.close()
	pr.Prefix = name + ": " // this command's messages name stdin "-"
	for {
		p, err := pr.next()
		if errors.Is(err, io.EOF) {
			return rejected, nil
		}
		if err != nil {
			return rejected, err
		}
		*items = append(*items, &trending.Item{Post: p, Doc: arabic.Analyze(p.Text)})
	}
}

// trendingOptions completes o from the flags: the check-worthiness model,
// the time growth is measured at, and the fact-checks shown with clusters.
func trendingOptions(ctx context.Context, env *Env, o *trending.Options, worth, now, claimsPath, modelPath string) error {
	switch worth {
	case "lexical":
		o.Worthiness = trending.Lexical{}
	case "none":
	default:
		m, err := classify.Load(worth)
		if err != nil {
			return fmt.Errorf("--worthiness: %w", err)
		}
		o.Worthiness = m
	}
	if now != "" {
		t, err := time.Parse(time.RFC3339, now)
		if err != nil {
			return Usagef("--now %q is not an RFC 3339 time (2021-01-28T15:04:05Z)", now)
		}
		o.Now = t
	}
	if o.Similarity <= 0 || o.Similarity > 1 {
		return Usagef("--similarity must be in (0, 1], not %g", o.Similarity)
	}
	var err error
	switch claimsPath {
	case "none":
	case "", "store":
		o.Matcher, err = storeMatcher(ctx, env, claimsPath == "store", modelPath)
	default:
		o.Matcher, err = loadMatcher(ctx, env, claimsPath, modelPath)
	}
	return err
}

// storeMatcher matches against the workspace store; nil when it is empty,
// which is an error only when the store was asked for.
func storeMatcher(ctx context.Context, env *Env, required bool, modelPath string) (*retrieve.Matcher, error) {
	st, cs, err := storedClaims(ctx, env)
	if err != nil {
		return nil, err
	}
	if len(cs) == 0 {
		if required {
			return nil, fmt.Errorf("the fact-check store %s is empty: add fact-checks with 'basira claims import FILE'", st.Path())
		}
		return nil, nil
	}
	rr, err := loadReranker(env, modelPath)
	if err != nil {
		return nil, err
	}
	return retrieve.NewMatcher(retrieve.NewIndex(cs, retrieve.Options{}), rr), nil
}

// readAllTrendingPosts reads every file of posts in order.
func readAllTrendingPosts(env *Env, names []string, format string, key []byte, items *[]*trending.Item) (int, error) {
	rejected := 0
	for _, name := range names {
		n, err := readTrendingPosts(env, name, format, key, items)
		rejected += n
		if err != nil {
			return rejected, err
		}
	}
	return rejected, nil
}
