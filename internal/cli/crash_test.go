package cli

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/basira-org/basira/internal/app"
	"github.com/basira-org/basira/internal/audit"
	natsbus "github.com/basira-org/basira/internal/bus/nats"
	"github.com/basira-org/basira/internal/loadtest"
	"github.com/basira-org/basira/internal/pipeline"
	"github.com/basira-org/basira/internal/store"
)

// The delivery guarantee, proved on the real binary: a post acknowledged by
// `basira serve` survives kill -9 at any point, is stored exactly once
// however often it is pushed again, and every stored post ends up processed
// with no case opened twice.

var (
	buildOnce sync.Once
	builtBin  string
	buildErr  error
)

func buildBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		_, file, _, _ := runtime.Caller(0)
		root := filepath.Join(filepath.Dir(file), "..", "..")
		dir, err := os.MkdirTemp("", "basira-bin-")
		if err != nil {
			buildErr = err
			return
		}
		builtBin = filepath.Join(dir, "basira")
		cmd := exec.Command("go", "build", "-o", builtBin, "./cmd/basira")
		cmd.Dir = root
		out, err := cmd.CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return builtBin
}

func rulesFile(t *testing.T) string {
	_, file, _, _ := runtime.Caller(0)
	p := filepath.Join(filepath.Dir(file), "..", "..", "rules", "examples.yaml")
	if _, err := os.Stat(p); err != nil {
		t.Skipf("rules/examples.yaml not found: %v", err)
	}
	return p
}

type serveProc struct {
	cmd  *exec.Cmd
	addr string
	logs *bytes.Buffer
	mu   *sync.Mutex
}

var listenRE = regexp.MustCompile(`listening on (\S+)`)

func startServe(t *testing.T, bin string, env []string, args ...string) *serveProc {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...)...)
	cmd.Env = env
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &serveProc{cmd: cmd, logs: &bytes.Buffer{}, mu: &sync.Mutex{}}
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			line := sc.Text()
			p.mu.Lock()
			p.logs.WriteString(line + "\n")
			p.mu.Unlock()
			if m := listenRE.FindStringSubmatch(line); m != nil {
				select {
				case addr <- m[1]:
				default:
				}
			}
		}
	}()
	select {
	case p.addr = <-addr:
	case <-time.After(20 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("serve did not start:\n%s", p.log())
	}
	return p
}

func (p *serveProc) log() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.logs.String()
}

// push sends one batch; it returns nil only on an acknowledgement.
func push(client *http.Client, addr, token string, posts []map[string]any) error {
	body, _ := json.Marshal(map[string]any{"posts": posts})
	req, _ := http.NewRequest("POST", "http://"+addr+"/v1/posts", bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable {
		return &retryLater{fmt.Sprintf("HTTP %d: %s", resp.StatusCode, b)}
	}
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("HTTP %d: %s", resp.StatusCode, b)
	}
	var r struct{ Accepted, Rejected int }
	if err := json.Unmarshal(b, &r); err != nil {
		return err
	}
	if want := countHostile(posts); r.Rejected != want {
		return fmt.Errorf("%d posts rejected, %d hostile ones sent: %s", r.Rejected, want, b)
	}
	return nil
}

// retryLater is a push the server asked to send again later (its rate
// limit or its back-pressure): a soak run's final push meets it.
type retryLater struct{ msg string }

func (e *retryLater) Error() string { return e.msg }

// pushRetrying is push, sent again while the server answers "later".
func pushRetrying(client *http.Client, addr, token string, posts []map[string]any) error {
	for {
		err := push(client, addr, token, posts)
		var later *retryLater
		if !errors.As(err, &later) {
			return err
		}
		time.Sleep(time.Second)
	}
}

// hostilePosts are mixed into the crash test's batches (one per 100
// posts): each must be refused by its item alone, never fail its batch,
// never be stored (issue 15).
var hostilePosts = []map[string]any{
	{"id": "nul\x00id", "platform": "x", "text": "t", "hostile": true},
	{"id": "long-platform", "platform": strings.Repeat("p", 9000), "text": "t", "hostile": true},
	{"id": "local-path", "platform": "x", "text": "t", "media": []map[string]string{{"url": "x", "path": "/dev/ptmx"}}, "hostile": true},
	{"id": "bidi-url", "platform": "x", "text": "t", "url": "https://e.org/\u202Eelpmaxe.live", "hostile": true},
	{"id": "creds", "platform": "x", "text": "t", "media": []map[string]string{{"url": "http://u:p@e.org/a.jpg"}}, "hostile": true},
	{"id": strings.Repeat("i", 1<<12), "platform": "x", "text": "t", "hostile": true},
}

func countHostile(posts []map[string]any) int {
	n := 0
	for _, p := range posts {
		if p["hostile"] == true {
			n++
		}
	}
	return n
}

func batchJSON(seed uint64, from, n int) ([]map[string]any, []string) {
	var out []map[string]any
	var ids []string
	for i := from; i < from+n; i++ {
		p := loadtest.SynthPost(seed, i, 30, 4)
		out = append(out, map[string]any{"id": p.ID, "platform": p.Platform, "text": p.Text, "url": p.URL})
		ids = append(ids, p.Platform+"/"+p.ID)
		if i%100 == 50 {
			out = append(out, hostilePosts[(i/100)%len(hostilePosts)])
		}
	}
	return out, ids
}

// chaosRounds is how many times the crash tests kill serve: 2, or
// BASIRA_CHAOS=N for a soak run (BASIRA_CHAOS=20 go test ./internal/cli
// -run TestKill9 -timeout 30m), each round with 1 % hostile posts mixed
// in and 0 lost, 0 duplicated checked after it.
func chaosRounds(t *testing.T) int {
	v := os.Getenv("BASIRA_CHAOS")
	if v == "" {
		return 2
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		t.Fatalf("BASIRA_CHAOS=%q: want a number of kills", v)
	}
	return n
}

type crashSetup struct {
	env       []string
	serveArgs []string
	open      func(t *testing.T) store.Store
}

func runCrashTest(t *testing.T, cs crashSetup) {
	bin := buildBinary(t)
	cmd := exec.Command(bin, "token", "create", "--role", "ingest", "--name", "crash-test")
	cmd.Env = cs.env
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("token create: %v", err)
	}
	token := strings.TrimSpace(string(out))
	client := &http.Client{Timeout: 10 * time.Second}
	const seed, batch = 7, 250
	rounds := chaosRounds(t)
	total := max(8000, rounds*10*batch)
	acked := map[string]bool{}
	next := 0 // first batch not yet acknowledged

	// Rounds (two, or BASIRA_CHAOS): push until some batches are
	// acknowledged, then kill -9 while a push is in flight.
	for round := range rounds {
		p := startServe(t, bin, cs.env, cs.serveArgs...)
		stop := make(chan struct{})
		pushed := make(chan struct{})
		var mu sync.Mutex
		go func() {
			defer close(pushed)
			for {
				select {
				case <-stop:
					return
				default:
				}
				mu.Lock()
				from := next
				mu.Unlock()
				if from >= total {
					return
				}
				posts, ids := batchJSON(seed, from, batch)
				if err := push(client, p.addr, token, posts); err != nil {
					return // the server died under us: this batch is not acknowledged
				}
				mu.Lock()
				for _, id := range ids {
					acked[id] = true
				}
				next = from + batch
				mu.Unlock()
			}
		}()
		// Kill mid-ingest, at a different point in each round: once a few
		// more batches are acknowledged, while the next push is in flight
		// and the workers are busy behind it.
		mu.Lock()
		target := len(acked) + (2+3*(round%3))*batch
		mu.Unlock()
		for wait := time.Now().Add(20 * time.Second); ; {
			mu.Lock()
			reached := len(acked) >= target
			mu.Unlock()
			if reached {
				break
			}
			if time.Now().After(wait) {
				t.Fatalf("round %d: fewer than %d posts acknowledged in 20 s:\n%s", round, target, p.log())
			}
			time.Sleep(5 * time.Millisecond)
		}
		time.Sleep(time.Duration(round%5*7) * time.Millisecond) // not always right after an ack
		if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		p.cmd.Wait()
		close(stop)
		<-pushed
		mu.Lock()
		n := len(acked)
		mu.Unlock()
		t.Logf("round %d: killed with %d posts acknowledged", round, n)
		if n == 0 || n == total {
			t.Fatalf("round %d: the kill did not land mid-ingest (%d of %d acknowledged):\n%s", round, n, total, p.log())
		}
		// Every acknowledged post is in the store, exactly once.
		st := cs.open(t)
		for id := range acked {
			platform, pid, _ := strings.Cut(id, "/")
			if _, err := st.FindPost(context.Background(), platform, pid); err != nil {
				t.Fatalf("round %d: acknowledged post %s lost: %v", round, id, err)
			}
		}
		c, err := st.Counts(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if c.Posts < int64(n) || c.Posts > int64(n+batch) {
			t.Fatalf("round %d: %d posts stored, %d acknowledged: at most one unacknowledged batch may be stored", round, c.Posts, n)
		}
		st.Close()
	}

	// Final run: push everything (again: idempotent), wait until all is
	// processed, stop cleanly.
	p := startServe(t, bin, cs.env, cs.serveArgs...)
	for from := 0; from < total; from += batch {
		posts, _ := batchJSON(seed, from, batch)
		if err := pushRetrying(client, p.addr, token, posts); err != nil {
			t.Fatalf("push after restart: %v\n%s", err, p.log())
		}
	}
	st := cs.open(t)
	defer st.Close()
	ctx := context.Background()
	deadline := time.Now().Add(20*time.Second + time.Duration(total/1000)*time.Second)
	var c store.Counts
	for {
		if c, err = st.Counts(ctx); err != nil {
			t.Fatal(err)
		}
		if c.Unprocessed == 0 && c.Posts == int64(total) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("not all processed: %+v\n%s", c, p.log())
		}
		time.Sleep(50 * time.Millisecond)
	}
	p.cmd.Process.Signal(syscall.SIGTERM)
	if err := p.cmd.Wait(); err != nil {
		t.Fatalf("serve after SIGTERM: %v\n%s", err, p.log())
	}

	// Each campaign's copies are in one case, and each case counts its
	// posts once.
	campaigns := map[string][]string{}
	for i := range total {
		if i%4 == 0 {
			sp := loadtest.SynthPost(seed, i, 30, 4)
			k := pipeline.ClusterKey(sp.Text)
			campaigns[k] = append(campaigns[k], sp.Platform+"/"+sp.ID)
		}
	}
	cases := checkCampaigns(t, st, campaigns)
	// And the audit chain survived the kills.
	var v audit.Verifier
	for after := int64(0); ; {
		es, err := st.AuditEntries(ctx, after, 5000)
		if err != nil {
			t.Fatal(err)
		}
		if len(es) == 0 {
			break
		}
		for _, e := range es {
			if err := v.Next(e); err != nil {
				t.Fatal(err)
			}
		}
		after = es[len(es)-1].Seq
	}
	t.Logf("%d posts, %d cases, %d audit entries verified", c.Posts, len(cases), v.Count())
}

func TestKill9SQLite(t *testing.T) {
	rules := rulesFile(t)
	home := t.TempDir()
	env := append(os.Environ(), "BASIRA_HOME="+home, "BASIRA_PSEUDONYM_KEY="+testKey, "BASIRA_LOG_LEVEL=warn", "BASIRA_STORE=", "BASIRA_BUS=")
	runCrashTest(t, crashSetup{
		env:       env,
		serveArgs: []string{"--rules", rules},
		open: func(t *testing.T) store.Store {
			st, err := app.OpenStore(context.Background(), "sqlite:"+filepath.Join(home, "basira.db"), app.OpenExisting)
			if err != nil {
				t.Fatal(err)
			}
			return st
		},
	})
}

func TestKill9PostgresNATS(t *testing.T) {
	rules := rulesFile(t)
	pg, nurl := os.Getenv("BASIRA_TEST_POSTGRES"), os.Getenv("BASIRA_TEST_NATS")
	if pg == "" || nurl == "" {
		t.Skip("BASIRA_TEST_POSTGRES and BASIRA_TEST_NATS not both set: skipping the PostgreSQL + NATS crash test")
	}
	cfg, err := pgx.ParseConfig(pg)
	if err != nil {
		t.Fatal(err)
	}
	admin := stdlib.OpenDB(*cfg)
	defer admin.Close()
	name := fmt.Sprintf("basira_crash_%d_%d", os.Getpid(), time.Now().UnixNano()%1e9)
	if _, err := admin.Exec("CREATE SCHEMA " + name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Exec("DROP SCHEMA " + name + " CASCADE") })
	sep := "?"
	if strings.Contains(pg, "?") {
		sep = "&"
	}
	dsn := pg + sep + "search_path=" + name
	busURL := fmt.Sprintf("%s?stream=%s&subject=crash.%s&consumer=%s", nurl, strings.ToUpper(name), name, name)
	t.Cleanup(func() {
		if b, err := natsbus.Open(context.Background(), busURL, natsbus.Options{}); err == nil {
			b.DeleteStream(context.Background())
			b.Close()
		}
	})
	home := t.TempDir()
	env := append(os.Environ(), "BASIRA_HOME="+home, "BASIRA_PSEUDONYM_KEY="+testKey, "BASIRA_LOG_LEVEL=warn", "BASIRA_STORE="+dsn, "BASIRA_BUS="+busURL)
	runCrashTest(t, crashSetup{
		env:       env,
		serveArgs: []string{"--rules", rules},
		open: func(t *testing.T) store.Store {
			st, err := app.OpenStore(context.Background(), dsn, app.OpenExisting)
			if err != nil {
				t.Fatal(err)
			}
			return st
		},
	})
}

// TestKill9Ingest kills `basira ingest` of a large file mid-way, then runs
// it again: every post ends up stored once and processed, one case per
// campaign.
func TestKill9Ingest(t *testing.T) {
	rules := rulesFile(t)
	bin := buildBinary(t)
	home := t.TempDir()
	const n, seed = 20000, 9
	file := filepath.Join(t.TempDir(), "big.jsonl")
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	campaigns := map[string][]string{}
	for i := range n {
		p := loadtest.SynthPost(seed, i, 25, 5)
		enc.Encode(map[string]string{"id": p.ID, "platform": p.Platform, "text": p.Text})
		if i%5 == 0 {
			k := pipeline.ClusterKey(p.Text)
			campaigns[k] = append(campaigns[k], p.Platform+"/"+p.ID)
		}
	}
	if err := os.WriteFile(file, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	env := append(os.Environ(), "BASIRA_HOME="+home, "BASIRA_PSEUDONYM_KEY="+testKey, "BASIRA_LOG_LEVEL=error", "BASIRA_STORE=", "BASIRA_BUS=")
	dbPath := filepath.Join(home, "basira.db")
	cmd := exec.Command(bin, "ingest", "--batch", "500", "--rules", rules, file)
	cmd.Env = env
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Kill once some batches are committed.
	deadline := time.Now().Add(15 * time.Second)
	for {
		time.Sleep(50 * time.Millisecond)
		if st, err := app.OpenStore(context.Background(), "sqlite:"+dbPath, app.OpenExisting); err == nil {
			c, _ := st.Counts(context.Background())
			st.Close()
			if c.Posts >= 2000 {
				if c.Posts == n {
					t.Fatalf("ingest finished before the kill (%d posts)", c.Posts)
				}
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatal("ingest stored nothing in 15 s")
		}
	}
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	st, err := app.OpenStore(context.Background(), "sqlite:"+dbPath, app.OpenExisting)
	if err != nil {
		t.Fatal(err)
	}
	mid, _ := st.Counts(context.Background())
	st.Close()
	t.Logf("killed with %d posts stored, %d of them unprocessed", mid.Posts, mid.Unprocessed)

	cmd = exec.Command(bin, "ingest", "--batch", "500", "--rules", rules, file)
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("second ingest: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), fmt.Sprintf("%d duplicates", mid.Posts)) {
		t.Errorf("second ingest should skip the %d stored posts:\n%s", mid.Posts, out)
	}
	st, err = app.OpenStore(context.Background(), "sqlite:"+dbPath, app.OpenExisting)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	c, err := st.Counts(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	cases := checkCampaigns(t, st, campaigns)
	if c.Posts != n || c.Unprocessed != 0 {
		t.Fatalf("after re-run: %+v, %d cases; want %d posts all processed", c, len(cases), n)
	}
}

// checkCampaigns checks the cases against the campaigns posted (exact
// copies, by platform/id): every copy of a campaign is in the same case,
// each case's count is the number of posts in it, and no other post is in
// a case. Near-duplicate campaigns may share a case (textsig folds them).
func checkCampaigns(t *testing.T, st store.Store, campaigns map[string][]string) []*store.Case {
	t.Helper()
	ctx := context.Background()
	var cases []*store.Case
	for after := int64(0); ; {
		page, err := st.ListCases(ctx, store.CaseQuery{AfterID: after, Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		if len(page) == 0 {
			break
		}
		cases = append(cases, page...)
		after = page[len(page)-1].ID
	}
	caseOf := map[string]int64{}
	for _, k := range cases {
		n := 0
		for before := int64(0); ; {
			ps, err := st.ListPosts(ctx, store.PostQuery{CaseID: k.ID, Before: before, Limit: 1000})
			if err != nil {
				t.Fatal(err)
			}
			if len(ps) == 0 {
				break
			}
			for _, p := range ps {
				caseOf[p.Platform+"/"+p.ID] = k.ID
			}
			n += len(ps)
			before = ps[len(ps)-1].Key
		}
		if n != k.Count {
			t.Errorf("case %d counts %d posts, holds %d", k.ID, k.Count, n)
		}
	}
	posted := 0
	for key, ids := range campaigns {
		posted += len(ids)
		first := caseOf[ids[0]]
		for _, id := range ids {
			if caseOf[id] == 0 || caseOf[id] != first {
				t.Fatalf("campaign %s: post %s in case %d, its first copy in case %d", key, id, caseOf[id], first)
			}
		}
	}
	if len(caseOf) != posted {
		t.Fatalf("%d posts in cases, %d campaign posts posted", len(caseOf), posted)
	}
	t.Logf("%d campaigns (exact copies) in %d cases", len(campaigns), len(cases))
	return cases
}
