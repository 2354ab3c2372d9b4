package sqlite

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/basira-org/basira/internal/store"
	"github.com/basira-org/basira/internal/store/sqlstore"
	"github.com/basira-org/basira/internal/store/storetest"
)

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store {
		db, err := Open(context.Background(), filepath.Join(t.TempDir(), "basira.db"), Options{Create: true})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	})
}

func TestSchemaChecks(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "b.db")
	if _, err := Open(ctx, path, Options{}); err == nil {
		t.Fatal("opening a missing database without Create succeeded")
	}
	db, err := Open(ctx, path, Options{Create: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	// A binary one migration ahead refuses the database and names the fix.
	ahead := append(Migrations(), sqlstore.Migration{Version: len(Migrations()) + 1, Name: "next", SQL: `CREATE TABLE next_thing (id INTEGER)`})
	err = sqlstore.CheckSchema(ctx, db.W, Dialect, ahead, true, "sqlite:"+path)
	if !errors.Is(err, store.ErrSchemaOld) || !strings.Contains(err.Error(), "basira migrate") {
		t.Fatalf("old schema: err %v, want ErrSchemaOld naming basira migrate", err)
	}
	applied, err := sqlstore.Migrate(ctx, db.W, Dialect, ahead)
	if err != nil || len(applied) != 1 || applied[0] != len(ahead) {
		t.Fatalf("Migrate applied %v, %v; want only the new step", applied, err)
	}
	// Now this binary is behind the database.
	err = sqlstore.CheckSchema(ctx, db.W, Dialect, Migrations(), true, "sqlite:"+path)
	if !errors.Is(err, store.ErrSchemaNew) {
		t.Fatalf("new schema: err %v, want ErrSchemaNew", err)
	}
	have, want, err := SchemaVersion(ctx, path)
	if err != nil || have != want+1 {
		t.Fatalf("SchemaVersion = %d, %d, %v", have, want, err)
	}
}

func TestMigrationsLoad(t *testing.T) {
	ms := Migrations()
	if len(ms) == 0 || ms[0].Version != 1 || !strings.Contains(ms[0].SQL, "CREATE TABLE posts") {
		t.Fatalf("migrations: %+v", ms)
	}
}
