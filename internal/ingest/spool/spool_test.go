package spool

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/basira-org/basira/internal/ingest"
)

func TestSpool(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		old := time.Now().Add(-time.Minute)
		os.Chtimes(p, old, old)
	}
	write("a.jsonl", `{"id":"1","platform":"x","text":"سلام"}`+"\nbroken\n"+`{"id":"2","platform":"x","text":"two"}`+"\n")
	write("b.csv", "id,platform,text\n3,x,three\n")
	write("notes.txt", "ignored")
	write(".partial.jsonl", `{"id":"9","text":"hidden files are still being written"}`)
	os.WriteFile(filepath.Join(dir, "fresh.jsonl"), []byte(`{"id":"8","text":"just copied"}`), 0o600)

	src := &Source{Dir: dir}
	failing := &ingest.Collector{Fail: errors.New("store down")}
	if _, err := src.Scan(context.Background(), failing); err == nil {
		t.Fatal("scan with a failing sink should fail")
	}
	if _, err := os.Stat(filepath.Join(dir, "a.jsonl")); err != nil {
		t.Fatal("a file whose posts were not accepted must stay in the spool")
	}
	sink := &ingest.Collector{}
	n, err := src.Scan(context.Background(), sink)
	if err != nil || n != 2 {
		t.Fatalf("Scan = %d, %v; want 2 files", n, err)
	}
	var ids []string
	for _, p := range sink.Posts() {
		ids = append(ids, p.ID)
	}
	if strings.Join(ids, ",") != "1,2,3" {
		t.Fatalf("ids = %v", ids)
	}
	done, _ := filepath.Glob(filepath.Join(dir, "done", "*"))
	var report string
	for _, d := range done {
		if strings.HasSuffix(d, "a.jsonl.rejects.txt") {
			b, _ := os.ReadFile(d)
			report = string(b)
		}
	}
	if len(done) != 3 || !strings.HasPrefix(report, "line 2: not a JSON object") {
		t.Fatalf("done = %v, report = %q", done, report)
	}
	for _, still := range []string{"notes.txt", ".partial.jsonl", "fresh.jsonl"} {
		if _, err := os.Stat(filepath.Join(dir, still)); err != nil {
			t.Errorf("%s should be left alone: %v", still, err)
		}
	}
}
