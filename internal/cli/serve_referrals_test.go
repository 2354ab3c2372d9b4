package cli

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/basira-org/basira/internal/detect"
	"github.com/basira-org/basira/internal/notify"
	"github.com/basira-org/basira/internal/post"
	"github.com/basira-org/basira/internal/review"
	"github.com/basira-org/basira/internal/store"
	"github.com/basira-org/basira/internal/store/sqlite"
)

// TestServeReferrals runs `basira serve --platforms` on a workspace with a
// case already decided "refer" (as after a crash between the decision and
// the delivery): the service sends it, signed, to a local platform and
// the case becomes actioned.
func TestServeReferrals(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the whole service")
	}
	ctx := context.Background()
	home := t.TempDir()
	db, err := sqlite.Open(ctx, filepath.Join(home, "basira.db"), sqlite.Options{Create: true})
	if err != nil {
		t.Fatal(err)
	}
	res, err := db.PutPosts(ctx, "test", "test", []*post.Post{{ID: "77", Platform: "telegram", URL: "https://t.me/c/77", Author: "a:0011", Text: "انفروا"}})
	if err != nil {
		t.Fatal(err)
	}
	out, err := db.RecordProcessing(ctx, "worker", []store.Processing{{
		PostKey: res.New[0], ClusterKey: "k", Category: "incitement", Severity: detect.High, Score: 1, Platform: "telegram", Seen: time.Now(),
		Signals: []detect.Signal{{Detector: "rules", Label: "incitement", Severity: detect.High, Score: 1, Evidence: "انفروا"}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	id := out[0].CaseID
	wf := &review.Workflow{Store: db}
	if _, err := wf.Claim(ctx, "analyst:a", id); err != nil {
		t.Fatal(err)
	}
	if _, err := wf.Decide(ctx, "analyst:a", id, review.DecisionInput{Action: "refer", Rationale: "incitement"}); err != nil {
		t.Fatal(err)
	}
	db.Close()

	secret := "cli-test-secret-0123456789"
	var mu sync.Mutex
	var keys []string
	platform := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if err := notify.Verify([]byte(secret), r.Header.Get(notify.SignatureHeader), body, time.Now(), notify.DefaultTolerance); err != nil {
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
		mu.Lock()
		keys = append(keys, r.Header.Get("Idempotency-Key"))
		mu.Unlock()
	}))
	defer platform.Close()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "tg.key"), []byte(secret+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(dir, "platforms.yaml")
	if err := os.WriteFile(cfg, []byte("platforms:\n  - name: telegram\n    webhook: "+platform.URL+"\n    secret_file: tg.key\n"), 0o600); err != nil {
		t.Fatal(err)
	}

	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan int, 1)
	var serr syncBuffer
	getenv := func(k string) string {
		return map[string]string{"BASIRA_HOME": home, "BASIRA_LOG_LEVEL": "error", "BASIRA_PSEUDONYM_KEY": testKey}[k]
	}
	go func() {
		done <- Run(runCtx, &Env{Stdout: io.Discard, Stderr: &serr, Stdin: strings.NewReader(""), Getenv: getenv},
			[]string{"serve", "--addr", "127.0.0.1:0", "--platforms", cfg})
	}()
	deadline := time.Now().Add(30 * time.Second)
	for {
		mu.Lock()
		n := len(keys)
		mu.Unlock()
		if n > 0 && caseActioned(ctx, filepath.Join(home, "basira.db"), id) {
			// The platform got the referral and serve recorded it: the
			// accept is committed before the case turns actioned.
			break
		}
		if time.Now().After(deadline) {
			cancel()
			<-done
			t.Fatalf("no referral reached the platform and actioned the case (platform saw %d): %s", n, serr.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	cancel()
	if code := <-done; code != 0 {
		t.Fatalf("serve exited %d: %s", code, serr.String())
	}
	if keys[0] != notify.ReferralID(id, "telegram") {
		t.Fatalf("Idempotency-Key %q", keys[0])
	}
	db, err = sqlite.Open(ctx, filepath.Join(home, "basira.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	c, err := db.Case(ctx, id)
	if err != nil || c.Status != store.StatusActioned {
		t.Fatalf("case %+v, %v; want actioned", c, err)
	}
	r, err := db.Referral(ctx, notify.ReferralID(id, "telegram"))
	if err != nil || r.Status != notify.Sent {
		t.Fatalf("referral %+v, %v; want sent", r, err)
	}
}

func TestServePlatformsErrors(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "platforms.yaml")
	if err := os.WriteFile(cfg, []byte("platforms:\n  - name: telegram\n    webhook: http://t.example/h\n    secret_file: tg.key\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env, _, errb := testEnv(t.TempDir())
	if code := Run(context.Background(), env, []string{"serve", "--addr", "127.0.0.1:0", "--workers", "1", "--platforms", cfg}); code == 0 {
		t.Fatal("serve accepted a plain-http webhook")
	}
	if !strings.Contains(errb.String(), "platforms.yaml:2: platform telegram: webhook") || !strings.Contains(errb.String(), "use https") {
		t.Fatalf("error does not name the file, line and fix: %s", errb.String())
	}
}

// caseActioned reads the case's status through a connection of its own,
// beside the running serve (SQLite in WAL mode admits readers).
func caseActioned(ctx context.Context, path string, id int64) bool {
	db, err := sqlite.Open(ctx, path, sqlite.Options{})
	if err != nil {
		return false
	}
	defer db.Close()
	c, err := db.Case(ctx, id)
	return err == nil && c.Status == store.StatusActioned
}
