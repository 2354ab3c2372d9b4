package postgres

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/basira-org/basira/internal/store"
	"github.com/basira-org/basira/internal/store/sqlstore"
	"github.com/basira-org/basira/internal/store/storetest"
)

var schemaN atomic.Int64

// TestDSN returns the DSN of a fresh schema in the database named by
// BASIRA_TEST_POSTGRES, dropped when the test ends, or skips the test.
func testDSN(t testing.TB) string {
	t.Helper()
	base := os.Getenv("BASIRA_TEST_POSTGRES")
	if base == "" {
		t.Skip("BASIRA_TEST_POSTGRES not set (e.g. postgres://postgres@127.0.0.1:5432/test?sslmode=disable): skipping PostgreSQL tests")
	}
	cfg, err := pgx.ParseConfig(base)
	if err != nil {
		t.Fatal(err)
	}
	admin := stdlib.OpenDB(*cfg)
	t.Cleanup(func() { admin.Close() })
	schema := fmt.Sprintf("basira_test_%d_%d_%d", os.Getpid(), time.Now().UnixNano()%1e9, schemaN.Add(1))
	if _, err := admin.Exec(`CREATE SCHEMA ` + schema); err != nil {
		t.Fatalf("creating a test schema: %v", err)
	}
	t.Cleanup(func() {
		if _, err := admin.Exec(`DROP SCHEMA ` + schema + ` CASCADE`); err != nil {
			t.Errorf("dropping %s: %v", schema, err)
		}
	})
	sep := "?"
	if strings.Contains(base, "?") {
		sep = "&"
	}
	return base + sep + "search_path=" + schema
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store {
		db, err := Open(context.Background(), testDSN(t), Options{Create: true})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	})
}

func TestSchemaChecks(t *testing.T) {
	ctx := context.Background()
	dsn := testDSN(t)
	if _, err := Open(ctx, dsn, Options{}); !errors.Is(err, store.ErrSchemaOld) {
		t.Fatalf("empty database without Create: err %v, want ErrSchemaOld", err)
	}
	db, err := Open(ctx, dsn, Options{Create: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ahead := append(Migrations(), sqlstore.Migration{Version: len(Migrations()) + 1, Name: "next", SQL: `CREATE TABLE next_thing (id INTEGER)`})
	err = sqlstore.CheckSchema(ctx, db.W, Dialect, ahead, true, Redact(dsn))
	if !errors.Is(err, store.ErrSchemaOld) || !strings.Contains(err.Error(), "basira migrate") {
		t.Fatalf("old schema: err %v", err)
	}
	if applied, err := sqlstore.Migrate(ctx, db.W, Dialect, ahead); err != nil || len(applied) != 1 {
		t.Fatalf("Migrate: %v %v", applied, err)
	}
	if err := sqlstore.CheckSchema(ctx, db.W, Dialect, Migrations(), true, "x"); !errors.Is(err, store.ErrSchemaNew) {
		t.Fatalf("new schema: err %v", err)
	}
	have, want, err := SchemaVersion(ctx, dsn)
	if err != nil || have != want+1 {
		t.Fatalf("SchemaVersion %d %d %v", have, want, err)
	}
}

func TestRedact(t *testing.T) {
	got := Redact("postgres://basira:s3cret@db:5432/basira?sslmode=require")
	if strings.Contains(got, "s3cret") || !strings.Contains(got, "basira:xxxxx@db") {
		t.Fatalf("Redact: %s", got)
	}
	if Redact("postgres://db/x") != "postgres://db/x" {
		t.Fatal("Redact changed a DSN without password")
	}
}
