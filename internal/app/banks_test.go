package app

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/basira-org/basira/internal/auth"
	"github.com/basira-org/basira/internal/config"
	"github.com/basira-org/basira/internal/hashmatch"
	"github.com/basira-org/basira/internal/post"
	"github.com/basira-org/basira/internal/server"
	"github.com/basira-org/basira/internal/store"
)

func randomPDQ(t testing.TB) string {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b[:])
}

// writeBank saves a PDQ bank of the given hashes in dir, as 'basira bank
// import' does.
func writeBank(t testing.TB, dir, name, label string, hashes ...string) {
	t.Helper()
	b, err := hashmatch.NewBank(hashmatch.Info{Name: name, Type: hashmatch.PDQ, Threshold: 31})
	if err != nil {
		t.Fatal(err)
	}
	es := make([]hashmatch.Entry, len(hashes))
	for i, h := range hashes {
		es[i] = hashmatch.Entry{Value: h, Label: label, Enabled: true}
	}
	if _, errs := b.AddMany(es); len(errs) > 0 {
		t.Fatal(errs[0])
	}
	if err := (&hashmatch.DirStore{Dir: dir}).Save(context.Background(), b); err != nil {
		t.Fatal(err)
	}
}

// TestServeBanksSharedWithAPI wires the banks detector, the pipeline
// service over a real SQLite store and the API as serve does, adds a hash
// through the HMA route and checks that the next post carrying it is
// matched at once: no watcher runs, and the detector is not rebuilt from
// the files. A bank created through the API is matched too, and a bank
// written by another process is picked up by the reload check.
func TestServeBanksSharedWithAPI(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	mods, h := testModules(t)
	dir, err := h.Home(true, "banks")
	if err != nil {
		t.Fatal(err)
	}
	home := filepath.Dir(dir)
	writeBank(t, dir, "KNOWN", "violent-extremist-propaganda", randomPDQ(t), randomPDQ(t))
	mods.Banks.Dir = dir
	mods.Finance.On = false
	cfg := &config.Config{Home: home, Store: "sqlite:" + filepath.Join(home, "basira.db"), Bus: "memory", Workers: 2, Tokens: "file"}
	a, err := Open(ctx, cfg, Options{Mode: OpenRun, Modules: mods, Host: h, ShareBanks: true, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	st, svc, det, r := a.Store, a.Pipeline, a.Detectors, a.Reloader
	go svc.Run(ctx)
	bd := det.Detectors()[0].(*hashmatch.Detector) // the test looks inside

	deps := server.Deps{Sink: svc, Posts: st, Cases: st, Audit: st, Health: st}
	tasks := map[string]func(context.Context) error{}
	if err := a.APIDeps(ctx, &deps, tasks); err != nil {
		t.Fatal(err)
	}
	secret, _, err := deps.Tokens.Create(ctx, "admin", auth.Admin)
	if err != nil {
		t.Fatal(err)
	}
	api := httptest.NewServer(server.New(server.Config{PseudonymKey: []byte("0123456789abcdef0123456789abcdef")}, deps))
	defer api.Close()
	call := func(method, path, body string) {
		t.Helper()
		req, _ := http.NewRequest(method, api.URL+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+secret)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		msg, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusCreated {
			t.Fatalf("%s %s: %d %s", method, path, resp.StatusCode, msg)
		}
	}
	// matched pushes a post whose image carries hash through the pipeline
	// and returns the banks whose entries its signals name.
	n := 0
	matched := func(hash string) []string {
		t.Helper()
		n++
		p := &post.Post{ID: fmt.Sprintf("p%d", n), Platform: "x", Text: "صورة", Media: []post.Media{{PDQ: hash}}}
		if err := svc.Accept(ctx, "test", []*post.Post{p}); err != nil {
			t.Fatal(err)
		}
		for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(5 * time.Millisecond) {
			sp, err := st.FindPost(ctx, "x", p.ID)
			if err == nil && sp.ProcessedAt != nil {
				sigs, err := st.Signals(ctx, sp.Key)
				if err != nil {
					t.Fatal(err)
				}
				var banks []string
				for _, s := range sigs {
					if s.Detector == "hashmatch" {
						banks = append(banks, fmt.Sprint(s.Details["bank"]))
					}
				}
				return banks
			}
			if time.Now().After(deadline) {
				t.Fatalf("post %d not processed: %+v", n, svc.Stats())
			}
		}
	}

	added := randomPDQ(t)
	if got := matched(added); len(got) != 0 {
		t.Fatalf("a hash in no bank matched %v", got)
	}
	call("POST", "/c/bank/KNOWN/signal", `{"pdq":"`+added+`"}`)
	if got := matched(added); !slices.Equal(got, []string{"KNOWN"}) {
		t.Fatalf("a hash added through the API to KNOWN: the next post matched %v", got)
	}
	viaV1 := randomPDQ(t)
	call("POST", "/v1/banks/KNOWN/entries", `{"entries":[{"signals":{"pdq":"`+viaV1+`"},"label":"violent-extremist-propaganda"}]}`)
	if got := matched(viaV1); !slices.Equal(got, []string{"KNOWN"}) {
		t.Fatalf("a hash added through /v1/banks to KNOWN: the next post matched %v", got)
	}
	// The API's own saves are not a change to reload from: appends to
	// the bank's journal, not a rewrite of its CSV file.
	if changed, err := r.Check(ctx, false); changed || err != nil {
		t.Fatalf("the API's own save triggered a reload: %v %v", changed, err)
	}
	if _, err := os.Stat(filepath.Join(dir, "KNOWN.journal")); err != nil {
		t.Fatalf("the API's adds were not journaled: %v", err)
	}
	if det.Detectors()[0] != bd {
		t.Fatal("the banks detector was rebuilt")
	}

	// A bank created through the API: a new matcher over the shared banks.
	m0 := bd.Matcher()
	call("POST", "/c/banks", `{"name":"NEW_BANK"}`)
	if bd.Matcher() == m0 {
		t.Fatal("creating a bank did not give the detector a new matcher")
	}
	for i, bk := range m0.Banks() {
		if bd.Matcher().Banks()[i] != bk {
			t.Fatalf("bank %s was copied, not shared", bk.Info().Name)
		}
	}
	inNew := randomPDQ(t)
	call("POST", "/c/bank/NEW_BANK/signal", `{"pdq":"`+inNew+`"}`)
	if got := matched(inNew); !slices.Equal(got, []string{"NEW_BANK"}) {
		t.Fatalf("a hash added to NEW_BANK, created through the API: the next post matched %v", got)
	}
	if changed, err := r.Check(ctx, false); changed || err != nil {
		t.Fatalf("the API's own saves triggered a reload: %v %v", changed, err)
	}

	// Another process writes a bank into the folder: the check reads the
	// folder again, and both the API and the detector see it.
	external := randomPDQ(t)
	writeBank(t, dir, "IMPORTED", "violent-extremist-propaganda", external)
	if changed, err := r.Check(ctx, false); !changed || err != nil {
		t.Fatalf("a bank written by another process was not read: %v %v", changed, err)
	}
	if got := matched(external); !slices.Equal(got, []string{"IMPORTED"}) {
		t.Fatalf("a hash of a bank written by another process matched %v", got)
	}
	if got := matched(added); !slices.Equal(got, []string{"KNOWN"}) {
		t.Fatalf("after the re-read, the hash added through the API matched %v", got)
	}
	if _, err := deps.Banks.Bank(ctx, "IMPORTED"); err != nil {
		t.Fatalf("the API does not see the imported bank: %v", err)
	}
	if changed, err := r.Check(ctx, false); changed || err != nil {
		t.Fatalf("a second check with no change reloaded: %v %v", changed, err)
	}
	// Another process appends to a bank's journal: read again too.
	other := &hashmatch.DirStore{Dir: dir}
	ob, err := other.Load(ctx, "IMPORTED")
	if err != nil {
		t.Fatal(err)
	}
	journaled := randomPDQ(t)
	e, err := ob.Add(hashmatch.Entry{Value: journaled, Label: "violent-extremist-propaganda", Enabled: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := other.Append(ctx, ob, hashmatch.Change{Op: hashmatch.ChangeAdd, Entry: &e}); err != nil {
		t.Fatal(err)
	}
	if changed, err := r.Check(ctx, false); !changed || err != nil {
		t.Fatalf("a journal appended by another process was not read: %v %v", changed, err)
	}
	if got := matched(journaled); !slices.Equal(got, []string{"IMPORTED"}) {
		t.Fatalf("a hash journaled by another process matched %v", got)
	}
	// The same with the watcher running beside the API and the workers
	// (for -race): API adds never rebuild the detector.
	wctx, stopWatch := context.WithCancel(ctx)
	watched := make(chan struct{})
	go func() {
		defer close(watched)
		r.Run(wctx, time.Millisecond)
	}()
	for range 5 {
		h := randomPDQ(t)
		call("POST", "/c/bank/KNOWN/signal", `{"pdq":"`+h+`"}`)
		if got := matched(h); !slices.Equal(got, []string{"KNOWN"}) {
			t.Fatalf("with the watcher running, a hash added to KNOWN matched %v", got)
		}
	}
	stopWatch()
	<-watched
	if det.Detectors()[0] != bd {
		t.Fatal("the banks detector was rebuilt")
	}

	// A whole new generation (a rules reload through the API, a
	// fact-check import) keeps the same banks detector, which still
	// follows the API's changes.
	if err := r.Reload(ctx); err != nil {
		t.Fatal(err)
	}
	if det.Detectors()[0] != bd {
		t.Fatal("a new generation did not keep the folder's banks detector")
	}
	afterReload := randomPDQ(t)
	call("POST", "/c/bank/KNOWN/signal", `{"pdq":"`+afterReload+`"}`)
	if got := matched(afterReload); !slices.Equal(got, []string{"KNOWN"}) {
		t.Fatalf("after a new generation, a hash added to KNOWN matched %v", got)
	}

	cases, err := st.ListCases(ctx, store.CaseQuery{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	if len(cases) == 0 {
		t.Fatal("no case in the store")
	}
}
