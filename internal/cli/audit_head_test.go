package cli

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/basira-org/basira/internal/store/sqlite"
)

// TestAuditHeadAnchorsTheLog reproduces issue 15 item 9 end to end: after
// a serve, an emptied or cut audit log fails `audit verify` without
// --head, and serve refuses to start on it.
func TestAuditHeadAnchorsTheLog(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the service")
	}
	home := t.TempDir()
	serveOnce := func() (int, string) {
		env, _, _ := testEnv(home)
		var serr syncBuffer
		env.Stderr = &serr
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan int, 1)
		go func() { done <- Run(ctx, env, []string{"serve", "--addr", "127.0.0.1:0"}) }()
		for i := 0; i < 300 && !strings.Contains(serr.String(), "listening on") && len(done) == 0; i++ {
			sleepMS(20)
		}
		cancel()
		return <-done, serr.String()
	}
	verify := func() (int, string) {
		env, out, _ := testEnv(home)
		return Run(context.Background(), env, []string{"audit", "verify"}), out.String()
	}
	for range 2 {
		if code, log := serveOnce(); code != 0 {
			t.Fatalf("serve: %d %s", code, log)
		}
	}
	if code, out := verify(); code != 0 || !strings.Contains(out, "head file") {
		t.Fatalf("verify of an intact log: %d %s", code, out)
	}
	db, err := sqlite.Open(context.Background(), filepath.Join(home, "basira.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	db.W.Exec(`DELETE FROM audit_log WHERE seq > 1`)
	code, out := verify()
	if code == 0 || !strings.Contains(out, "cut from its end") {
		t.Errorf("verify of a cut log: %d %s", code, out)
	}
	db.W.Exec(`DELETE FROM audit_log`)
	db.Close()
	code, out = verify()
	if code == 0 || !strings.Contains(out, "emptied") {
		t.Errorf("verify of an emptied log: %d %s", code, out)
	}
	if code, log := serveOnce(); code == 0 || !strings.Contains(log, "emptied") {
		t.Errorf("serve started on an emptied log: %d %s", code, log)
	}
}

func sleepMS(n int) { time.Sleep(time.Duration(n) * time.Millisecond) }
