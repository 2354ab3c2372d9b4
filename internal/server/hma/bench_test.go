package hma_test

import (
	"context"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"github.com/basira-org/basira/internal/auth"
	"github.com/basira-org/basira/internal/hashmatch"
	"github.com/basira-org/basira/internal/server"
	"github.com/basira-org/basira/internal/server/hma"
	"github.com/basira-org/basira/pdq"
)

// lookupBench builds a PDQ bank of n random hashes plus the query's
// neighbour, behind the API.
func lookupBench(b *testing.B, n int) (http.Handler, string, *hashmatch.Matcher, string) {
	dir := b.TempDir()
	bank, err := hashmatch.NewBank(hashmatch.Info{Name: "BENCH", Type: hashmatch.PDQ, Threshold: 31})
	if err != nil {
		b.Fatal(err)
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range n {
		h := pdq.Hash{r.Uint64(), r.Uint64(), r.Uint64(), r.Uint64()}
		if _, err := bank.Add(hashmatch.Entry{Value: h.String(), Enabled: true}); err != nil {
			b.Fatal(err)
		}
	}
	q := pdq.Hash{r.Uint64(), r.Uint64(), r.Uint64(), r.Uint64()}
	near := q
	near[0] ^= 0xff // 8 bits away
	if _, err := bank.Add(hashmatch.Entry{Value: near.String(), Enabled: true}); err != nil {
		b.Fatal(err)
	}
	toks, err := auth.OpenFileStore(filepath.Join(dir, "tokens.json"))
	if err != nil {
		b.Fatal(err)
	}
	secret, _, err := toks.Create(context.Background(), "bench", auth.Platform)
	if err != nil {
		b.Fatal(err)
	}
	banks := hma.NewBanks(&hashmatch.DirStore{Dir: dir}, []*hashmatch.Bank{bank}, nil)
	srv := server.New(server.Config{}, server.Deps{Banks: banks, Tokens: toks})
	return srv, secret, hashmatch.NewMatcher(bank), q.String()
}

// BenchmarkLookupRoute is GET /m/lookup through the handler (auth, query
// parsing, bank lookup, JSON) on a 100,000-hash bank; BenchmarkLookupBaseline
// is the same lookup on the matcher alone: the ratio is the API's cost.
func BenchmarkLookupRoute(b *testing.B) {
	h, secret, _, q := lookupBench(b, 100_000)
	req := httptest.NewRequest("GET", "/m/lookup?signal_type=pdq&signal="+q, nil)
	req.Header.Set("Authorization", "Bearer "+secret)
	b.ReportAllocs()
	for b.Loop() {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != 200 || rec.Body.Len() < 20 {
			b.Fatalf("%d %s", rec.Code, rec.Body)
		}
	}
}

func BenchmarkLookupBaseline(b *testing.B) {
	_, _, m, q := lookupBench(b, 100_000)
	b.ReportAllocs()
	for b.Loop() {
		ms, err := m.Lookup(hashmatch.PDQ, q)
		if err != nil || len(ms) != 1 {
			b.Fatal(err, ms)
		}
	}
}

// saveOnly hides DirStore's Append: the API saves whole banks, as it did
// before journals.
type saveOnly struct{ hashmatch.Store }

// BenchmarkAPIAdd is one content (a PDQ hash) added through the API to a
// 300,000-entry bank, saved before the call returns: "save" rewrites the
// bank's CSV file (the store without a journal), "append" appends one line
// to the bank's journal and syncs it.
func BenchmarkAPIAdd(b *testing.B) {
	ctx := context.Background()
	const size = 300_000
	r := rand.New(rand.NewPCG(5, 6))
	for _, mode := range []string{"save", "append"} {
		b.Run(mode, func(b *testing.B) {
			dir := b.TempDir()
			bank, err := hashmatch.NewBank(hashmatch.Info{Name: "BIG", Type: hashmatch.PDQ, Threshold: 31})
			if err != nil {
				b.Fatal(err)
			}
			es := make([]hashmatch.Entry, size)
			for i := range es {
				h := pdq.Hash{r.Uint64(), r.Uint64(), r.Uint64(), r.Uint64()}
				es[i] = hashmatch.Entry{Value: h.String(), Label: "violent-extremist-propaganda", Source: "bench", Enabled: true}
			}
			if _, errs := bank.AddMany(es); len(errs) > 0 {
				b.Fatal(errs[0])
			}
			ds := &hashmatch.DirStore{Dir: dir}
			if err := ds.Save(ctx, bank); err != nil {
				b.Fatal(err)
			}
			var st hashmatch.Store = ds
			if mode == "save" {
				st = saveOnly{ds}
			}
			banks := hma.NewBanks(st, []*hashmatch.Bank{bank}, nil)
			b.ReportAllocs()
			for b.Loop() {
				h := pdq.Hash{r.Uint64(), r.Uint64(), r.Uint64(), r.Uint64()}
				if _, err := banks.AddSignals(ctx, "BIG", map[string]string{"pdq": h.String()}, "violent-extremist-propaganda", ""); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
