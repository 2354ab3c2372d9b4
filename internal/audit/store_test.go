package audit_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"github.com/basira-org/basira/internal/audit"
	"github.com/basira-org/basira/internal/store/sqlite"
)

// TestStoreRefusesToChainOntoACutLog reproduces issue 15 item 9: a
// running server chained onto a truncated tail, re-using sequence numbers.
func TestStoreRefusesToChainOntoACutLog(t *testing.T) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "b.db"), sqlite.Options{Create: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for range 5 {
		if _, err := db.AppendAudit(ctx, audit.New("system", "test.entry", "x", nil)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.W.ExecContext(ctx, `DELETE FROM audit_log WHERE seq > 3`); err != nil {
		t.Fatal(err)
	}
	// The last entry seen was 5: appending onto 3 would write a new 4.
	if _, err := db.AppendAudit(ctx, audit.New("system", "test.entry", "y", nil)); !errors.Is(err, audit.ErrTruncated) {
		t.Fatalf("append onto a cut log: %v", err)
	}
	es, _ := db.AuditEntries(ctx, 0, 100)
	if len(es) != 3 {
		t.Fatalf("%d entries after the refused append", len(es))
	}
}
