// Package demo seeds a small workspace for `basira serve --demo`: the
// example rule pack, sample posts (benign and flagged, in MSA, Darija,
// Arabizi, French and English), a hash bank with two image hashes and three
// fact-checks, so that a new user sees cases within a minute.
//
// The serve command calls WriteRules before it builds its detectors (to use
// the pack when no --rules is given), then Seed once the pipeline runs.
// Seeding is idempotent: posts are keyed on (platform, id), fact-checks on
// their id, and bank hashes are added only to a bank the demo creates.
package demo

import (
	"bytes"
	"context"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/basira-org/basira/internal/claims"
	"github.com/basira-org/basira/internal/hashmatch"
	"github.com/basira-org/basira/internal/ingest"
	"github.com/basira-org/basira/internal/post"
	rulepack "github.com/basira-org/basira/rules"
)

var (
	//go:embed posts.jsonl
	postsJSONL []byte
	//go:embed extra.jsonl
	extraJSONL []byte
	//go:embed factchecks.jsonl
	factChecksJSONL []byte
)

// BankName is the demo's hash bank.
const BankName = "DEMO_PROPAGANDA"

// BankEntry is one hash of the demo bank.
type BankEntry struct {
	SignalType string
	Value      string
	Label      string
	Note       string
}

// Bank returns the demo bank's entries: PDQ hashes of two ThreatExchange
// test images (BSD), labelled as if they were known propaganda.
func Bank() []BankEntry {
	return []BankEntry{
		{"pdq", "d8f8f0cee0f4a84f0637022a078f67f0b36e2ed596621e1d33e6339c4e9c9b22", "violent-extremist-propaganda", "demo: ThreatExchange test image bridge-mods/aaa-orig.jpg"},
		{"pdq", "e4cc89d91c623842f8d1f1d9a398e78c9f199a3bf87925f2b7e11e0bf061b064", "violent-extremist-propaganda", "demo: ThreatExchange test image misc-images/c.png"},
	}
}

// RulePack returns the example rule pack (rules/examples.yaml).
func RulePack() []byte { return bytes.Clone(rulepack.Examples) }

// WriteRules writes the rule pack to dir/demo-rules.yaml unless the file
// exists (an analyst may have edited it) and returns its path.
func WriteRules(dir string) (string, error) {
	path := filepath.Join(dir, "demo-rules.yaml")
	if _, err := os.Stat(path); err == nil {
		return path, nil
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return "", fmt.Errorf("demo: %w", err)
	}
	if err := os.WriteFile(path, rulepack.Examples, 0o640); err != nil {
		return "", fmt.Errorf("demo: writing the rule pack: %w", err)
	}
	return path, nil
}

// Posts returns the demo posts (43), authors pseudonymised with ps (nil:
// authors dropped), Source "demo".
func Posts(ps *post.Pseudonymizer) ([]*post.Post, error) {
	var out []*post.Post
	for _, f := range []struct {
		name string
		data []byte
	}{{"posts.jsonl", postsJSONL}, {"extra.jsonl", extraJSONL}} {
		name, data := f.name, f.data
		dec := post.NewDecoder(bytes.NewReader(data), post.JSONL, post.Options{Pseudonymizer: ps, Source: "demo"})
		for {
			p, err := dec.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				return nil, fmt.Errorf("demo %s: %w", name, err)
			}
			if imagePosts[p.ID] && len(p.Media) > 0 {
				// The picture kept as evidence (WriteMedia).
				_, p.Media[0].SHA256 = StandInImage()
			}
			out = append(out, p)
		}
	}
	return out, nil
}

// FactChecks returns the demo fact-checks.
func FactChecks() ([]claims.Claim, error) {
	cs, bad, err := claims.Decode(bytes.NewReader(factChecksJSONL), claims.JSONL, claims.Options{})
	if err != nil {
		return nil, fmt.Errorf("demo fact-checks: %w", err)
	}
	if len(bad) > 0 {
		return nil, fmt.Errorf("demo fact-checks: %v", bad[0])
	}
	return cs, nil
}

// BankWriter is what the demo needs of the bank registry
// (hashmatch.Registry, also the API's server.Banks).
type BankWriter interface {
	CreateBank(ctx context.Context, name string, enabledRatio float64) (hashmatch.BankInfo, error)
	AddSignals(ctx context.Context, bank string, signals map[string]string, label, note string) (int64, error)
}

// Targets are where Seed puts the demo workspace. Sink is required; a nil
// Banks or FactChecks skips that part.
type Targets struct {
	Sink       ingest.Sink
	Banks      BankWriter
	FactChecks claims.Store
	// FactChecksChanged, when set, is called after the fact-checks are
	// stored, so the claim matcher reloads before the posts arrive.
	FactChecksChanged func(ctx context.Context) error
	Pseudonymizer     *post.Pseudonymizer
}

// Summary says what Seed did.
type Summary struct {
	Posts      int  `json:"posts"`
	FactChecks int  `json:"factchecks"`
	BankHashes int  `json:"bank_hashes"`
	BankExists bool `json:"bank_existed"`
}

// Seed loads the demo workspace: SeedReference, then SeedPosts.
func Seed(ctx context.Context, t Targets) (Summary, error) {
	sum, err := SeedReference(ctx, t)
	if err != nil {
		return sum, err
	}
	if t.Sink == nil {
		return sum, errors.New("demo: no sink to push the posts to")
	}
	sum.Posts, err = SeedPosts(ctx, t.Sink, t.Pseudonymizer)
	return sum, err
}

// SeedReference adds the demo bank hashes and fact-checks (when Banks and
// FactChecks are set). Run it before the detectors load, or have them
// reload after it, so they know the hashes and claims when posts arrive.
func SeedReference(ctx context.Context, t Targets) (Summary, error) {
	var sum Summary
	if t.Banks != nil {
		_, err := t.Banks.CreateBank(ctx, BankName, 1)
		switch {
		case errors.Is(err, hashmatch.ErrBankExists):
			sum.BankExists = true
		case err != nil:
			return sum, fmt.Errorf("demo: creating bank %s: %w", BankName, err)
		default:
			for _, e := range Bank() {
				if _, err := t.Banks.AddSignals(ctx, BankName, map[string]string{e.SignalType: e.Value}, e.Label, e.Note); err != nil {
					return sum, fmt.Errorf("demo: adding to bank %s: %w", BankName, err)
				}
				sum.BankHashes++
			}
		}
	}
	if t.FactChecks != nil {
		cs, err := FactChecks()
		if err != nil {
			return sum, err
		}
		if _, _, err := t.FactChecks.Put(ctx, cs); err != nil {
			return sum, fmt.Errorf("demo: storing fact-checks: %w", err)
		}
		sum.FactChecks = len(cs)
		if t.FactChecksChanged != nil {
			if err := t.FactChecksChanged(ctx); err != nil {
				return sum, fmt.Errorf("demo: reloading fact-checks: %w", err)
			}
		}
	}
	return sum, nil
}

// SeedPosts pushes the demo posts through sink, which stores them durably
// and queues them for the detectors like any ingest. It returns the number
// of posts pushed (re-pushing stores nothing twice).
func SeedPosts(ctx context.Context, sink ingest.Sink, ps *post.Pseudonymizer) (int, error) {
	posts, err := Posts(ps)
	if err != nil {
		return 0, err
	}
	if err := sink.Accept(ctx, "demo", posts); err != nil {
		return 0, fmt.Errorf("demo: storing the posts: %w", err)
	}
	return len(posts), nil
}
