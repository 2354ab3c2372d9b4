package storetest

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/basira-org/basira/internal/audit"
	"github.com/basira-org/basira/internal/post"
	"github.com/basira-org/basira/internal/store"
)

// testPostLifecycle: an edit stores a new version (the text the detectors
// saw stays, with their signals), is processed again in its case; a
// deletion and an account takedown are recorded with their time.
func testPostLifecycle(t *testing.T, s store.Store) {
	ctx := context.Background()
	const pl = "mastodon.example"
	orig := []*post.Post{
		{ID: "1", Platform: pl, Author: "a:aaaa", Text: "first text", Media: []post.Media{{Type: "image", URL: "https://m.example/1.jpg"}}},
		{ID: "2", Platform: pl, Author: "a:aaaa", Text: "second post"},
		{ID: "3", Platform: pl, Author: "a:bbbb", Text: "another author"},
	}
	keys := must(s.PutPosts(ctx, "test", "src", orig)).New
	k1 := keys[0]
	first := must(s.RecordProcessing(ctx, "w", []store.Processing{proc(k1, "c1", pl, time.Now(), sig("incitement", "high", 0.9))}))
	caseID := first[0].CaseID
	if caseID == 0 {
		t.Fatal("no case opened")
	}

	editAt := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	edit := &post.Post{ID: "1", Platform: pl, Author: "a:aaaa", Text: "edited text", Media: orig[0].Media,
		Extra: map[string]json.RawMessage{store.EditedField: json.RawMessage(`"2026-12-01T10:00:00Z"`)}}
	res := must(s.PutPosts(ctx, "test", "src", []*post.Post{edit}))
	if len(res.New) != 0 || len(res.Edited) != 1 || res.Edited[0] != k1 || res.Duplicates != 0 {
		t.Fatalf("edit: %+v, want edited [%d]", res, k1)
	}
	p := must(s.Post(ctx, k1))
	if p.Text != "edited text" || p.Version != 2 || p.EditedAt == nil || !p.EditedAt.Equal(editAt) || p.ProcessedAt != nil {
		t.Errorf("edited post = %+v", p)
	}
	vs := must(s.PostVersions(ctx, k1))
	if len(vs) != 1 || vs[0].Version != 1 || vs[0].Text != "first text" || len(vs[0].Media) != 1 || vs[0].ReplacedAt.IsZero() {
		t.Errorf("versions = %+v", vs)
	}
	// The same edit again (a redelivery), and a plain duplicate with other
	// text, change nothing.
	if r := must(s.PutPosts(ctx, "test", "src", []*post.Post{edit})); len(r.Edited) != 0 || r.Duplicates != 1 {
		t.Errorf("redelivered edit: %+v", r)
	}
	if r := must(s.PutPosts(ctx, "test", "src", []*post.Post{{ID: "1", Platform: pl, Text: "not an edit"}})); len(r.Edited) != 0 || r.Duplicates != 1 {
		t.Errorf("duplicate: %+v", r)
	}
	if p := must(s.Post(ctx, k1)); p.Text != "edited text" || p.Version != 2 {
		t.Errorf("after duplicates: %+v", p)
	}

	// Processed again: its new signal is of version 2, the first stays of
	// version 1, and the post stays in its case, counted once.
	again := must(s.RecordProcessing(ctx, "w", []store.Processing{proc(k1, "c-other", pl, time.Now(), sig("threat", "medium", 0.5))}))
	if again[0].Skipped || again[0].CaseID != caseID || again[0].NewCase {
		t.Errorf("reprocessing the edit: %+v, want case %d kept", again[0], caseID)
	}
	sigs := must(s.Signals(ctx, k1))
	if len(sigs) != 2 || sigs[0].Version != 1 || sigs[0].Label != "incitement" || sigs[1].Version != 2 || sigs[1].Label != "threat" {
		t.Errorf("signals = %+v", sigs)
	}
	if c := must(s.Case(ctx, caseID)); c.Count != 1 {
		t.Errorf("case count = %d, want 1", c.Count)
	}

	// A deletion, then the author's account taken down: each post keeps
	// its first removal; the other author's post is untouched.
	delAt := time.Date(2026, 12, 2, 8, 0, 0, 0, time.UTC)
	if n := must(s.RecordRemovals(ctx, "ingest:src", []store.Removal{{Platform: pl, ID: "1", Reason: "deleted", At: delAt}})); n != 1 {
		t.Errorf("deletion marked %d posts", n)
	}
	downAt := delAt.Add(time.Hour)
	if n := must(s.RecordRemovals(ctx, "ingest:src", []store.Removal{{Platform: pl, Author: "a:aaaa", Reason: "account_takendown", At: downAt}})); n != 1 {
		t.Errorf("takedown marked %d posts, want 1 (post 2)", n)
	}
	if n := must(s.RecordRemovals(ctx, "ingest:src", []store.Removal{{Platform: pl, ID: "1", Reason: "deleted", At: downAt}, {Platform: pl, ID: "unknown", Reason: "deleted"}})); n != 0 {
		t.Errorf("repeated removal marked %d posts", n)
	}
	got := map[string]*store.Post{}
	for _, k := range keys {
		p := must(s.Post(ctx, k))
		got[p.ID] = p
	}
	if p := got["1"]; p.RemovedAt == nil || !p.RemovedAt.Equal(delAt) || p.RemovedReason != "deleted" {
		t.Errorf("deleted post = %+v", p)
	}
	if p := got["2"]; p.RemovedAt == nil || !p.RemovedAt.Equal(downAt) || p.RemovedReason != "account_takendown" {
		t.Errorf("post of the taken-down account = %+v", p)
	}
	if p := got["3"]; p.RemovedAt != nil || p.RemovedReason != "" {
		t.Errorf("other author's post marked: %+v", p)
	}
	entries := must(s.AuditEntries(ctx, 0, 1000))
	removed := 0
	for _, e := range entries {
		if e.Action == audit.ActionRemoved {
			removed++
		}
	}
	if removed != 3 {
		t.Errorf("%d post.removed audit entries, want 3", removed)
	}
	if err := audit.Verify(entries); err != nil {
		t.Errorf("audit chain: %v", err)
	}
}

// testStaleProcessing: a worker that read a post before it was edited
// records nothing for it; the edit's own processing does.
func testStaleProcessing(t *testing.T, s store.Store) {
	ctx := context.Background()
	k := must(s.PutPosts(ctx, "test", "src", []*post.Post{{ID: "1", Platform: "p", Text: "old"}})).New[0]
	edit := &post.Post{ID: "1", Platform: "p", Text: "new", Extra: map[string]json.RawMessage{store.EditedField: json.RawMessage(`"2026-12-01T10:00:00Z"`)}}
	must(s.PutPosts(ctx, "test", "src", []*post.Post{edit}))
	stale := proc(k, "c", "p", time.Now(), sig("incitement", "high", 0.9))
	stale.Version = 1
	out := must(s.RecordProcessing(ctx, "w", []store.Processing{stale}))
	if !out[0].Skipped || out[0].CaseID != 0 {
		t.Errorf("stale result recorded: %+v", out[0])
	}
	if p := must(s.Post(ctx, k)); p.ProcessedAt != nil {
		t.Errorf("post marked processed by a stale result")
	}
	fresh := proc(k, "c", "p", time.Now(), sig("incitement", "high", 0.9))
	fresh.Version = 2
	if out := must(s.RecordProcessing(ctx, "w", []store.Processing{fresh})); out[0].Skipped || out[0].CaseID == 0 {
		t.Errorf("fresh result: %+v", out[0])
	}
	if sigs := must(s.Signals(ctx, k)); len(sigs) != 1 || sigs[0].Version != 2 {
		t.Errorf("signals = %+v", sigs)
	}
}
