package server

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/basira-org/basira/internal/store/postgres"
)

// TestAPIOnPostgres runs the push and case-workflow tests against the
// PostgreSQL store (BASIRA_TEST_POSTGRES), each in a fresh schema.
func TestAPIOnPostgres(t *testing.T) {
	base := os.Getenv("BASIRA_TEST_POSTGRES")
	if base == "" {
		t.Skip("BASIRA_TEST_POSTGRES not set (e.g. postgres://postgres@127.0.0.1:5432/test?sslmode=disable): skipping the API tests on PostgreSQL")
	}
	for name, run := range map[string]func(*testing.T, *env){"push": testPushIdempotent, "cases": testCaseWorkflow, "hostile": testPushHostile} {
		t.Run(name, func(t *testing.T) {
			admin, err := sql.Open("pgx", base)
			if err != nil {
				t.Fatal(err)
			}
			defer admin.Close()
			schema := fmt.Sprintf("basira_api_test_%d_%d", os.Getpid(), time.Now().UnixNano()%1e9)
			if _, err := admin.Exec(`CREATE SCHEMA ` + schema); err != nil {
				t.Fatalf("creating a test schema: %v", err)
			}
			defer admin.Exec(`DROP SCHEMA ` + schema + ` CASCADE`)
			sep := "?"
			if strings.Contains(base, "?") {
				sep = "&"
			}
			db, err := postgres.Open(context.Background(), base+sep+"search_path="+schema, postgres.Options{Create: true})
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			run(t, newEnvOn(t, db, Config{PseudonymKey: []byte("k")}, nil))
		})
	}
}
