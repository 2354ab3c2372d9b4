package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/basira-org/basira/internal/debunk"
	"github.com/basira-org/basira/internal/detect"
	"github.com/basira-org/basira/internal/store"
)

func debunkStore(t *testing.T, s store.Store) debunk.Store {
	ds, ok := s.(debunk.Store)
	if !ok {
		t.Fatalf("%T does not keep debunks (debunk.Store)", s)
	}
	return ds
}

func sampleContent(claim string) debunk.Content {
	return debunk.Content{Rating: "false",
		Texts: map[string]debunk.Text{
			"ar": {Claim: claim, Truth: "لم يحدث ذلك. نفت الوزارة الخبر في بيان رسمي."},
			"fr": {Claim: "Le pont est fermé", Truth: "Le pont est ouvert."},
		},
		Sources: []debunk.Source{{URL: "https://example.org/statement", Title: "بيان"}}}
}

// debunkAudits returns the details of the debunk audit entries on object.
func debunkAudits(t *testing.T, s store.Store, id int64) []map[string]any {
	t.Helper()
	verifyAudit(t, s)
	var out []map[string]any
	for _, e := range must(s.AuditEntries(context.Background(), 0, 10000)) {
		if e.Action == debunk.AuditAction && e.Object == fmt.Sprint("debunk:", id) {
			var d map[string]any
			must(0, json.Unmarshal(e.Details, &d))
			d["actor"] = e.Actor
			out = append(out, d)
		}
	}
	return out
}

func testDebunkLifecycle(t *testing.T, s store.Store) {
	ctx := context.Background()
	ds := debunkStore(t, s)
	cases := openCases(t, s, 1)
	at := time.Date(2026, 12, 1, 10, 0, 0, 123000, time.UTC)
	d := must(debunk.Create("alice", cases[0], sampleContent("الجسر مغلق"), at))
	must(0, ds.CreateDebunk(ctx, d))
	if d.ID == 0 || d.Rev != 1 {
		t.Fatalf("created %+v: want an id and rev 1", d)
	}
	got := must(ds.Debunk(ctx, d.ID))
	if got.CaseID != cases[0] || got.CreatedBy != "alice" || len(got.Versions) != 1 || got.Status() != debunk.Draft ||
		got.Latest().Content.Texts["ar"].Claim != "الجسر مغلق" || !got.CreatedAt.Equal(at) || got.Latest().Editors[0] != "alice" {
		t.Fatalf("stored debunk %+v", got)
	}
	// Four eyes: the author cannot approve, nor can an analyst who edited.
	_, err := ds.UpdateDebunk(ctx, d.ID, "alice", "approve", func(d *debunk.Debunk) error { return d.Approve("alice", at) })
	if !errors.Is(err, debunk.ErrFourEyes) {
		t.Fatalf("self-approval: %v, want ErrFourEyes", err)
	}
	must(ds.UpdateDebunk(ctx, d.ID, "carol", "edit", func(d *debunk.Debunk) error {
		return d.Edit("carol", sampleContent("الجسر مغلق منذ أمس"), "", at.Add(time.Minute))
	}))
	_, err = ds.UpdateDebunk(ctx, d.ID, "carol", "approve", func(d *debunk.Debunk) error { return d.Approve("carol", at) })
	if !errors.Is(err, debunk.ErrFourEyes) {
		t.Fatalf("approval by an editor: %v, want ErrFourEyes", err)
	}
	// Publishing before approval is refused and changes nothing.
	_, err = ds.UpdateDebunk(ctx, d.ID, "bob", "publish", func(d *debunk.Debunk) error { return d.Publish(at) })
	if !errors.Is(err, debunk.ErrState) {
		t.Fatalf("publish a draft: %v, want ErrState", err)
	}
	if l := must(ds.ListDebunks(ctx, debunk.Query{Live: true})); len(l) != 0 {
		t.Fatalf("live debunks before publication: %d", len(l))
	}
	must(ds.UpdateDebunk(ctx, d.ID, "bob", "approve", func(d *debunk.Debunk) error { return d.Approve("bob", at.Add(2*time.Minute)) }))
	pub := at.Add(3 * time.Minute)
	got = must(ds.UpdateDebunk(ctx, d.ID, "bob", "publish", func(d *debunk.Debunk) error { return d.Publish(pub) }))
	if got.Live != 1 || got.FirstPublished == nil || !got.FirstPublished.Equal(pub) || got.Latest().ApprovedBy != "bob" {
		t.Fatalf("published %+v", got)
	}
	// A correction is a new version; the public keeps version 1 until the
	// correction is approved and published.
	must(ds.UpdateDebunk(ctx, d.ID, "alice", "correct", func(d *debunk.Debunk) error {
		return d.Correct("alice", sampleContent("الجسر مغلق منذ يومين"), "التاريخ كان خاطئًا", pub.Add(time.Hour))
	}))
	got = must(ds.Debunk(ctx, d.ID))
	if len(got.Versions) != 2 || got.Live != 1 || got.LiveVersion().Content.Texts["ar"].Claim != "الجسر مغلق منذ أمس" || got.Status() != debunk.Draft {
		t.Fatalf("after correction %+v", got)
	}
	must(ds.UpdateDebunk(ctx, d.ID, "bob", "approve", func(d *debunk.Debunk) error { return d.Approve("bob", pub.Add(2*time.Hour)) }))
	must(ds.UpdateDebunk(ctx, d.ID, "bob", "publish", func(d *debunk.Debunk) error { return d.Publish(pub.Add(3 * time.Hour)) }))
	got = must(ds.Debunk(ctx, d.ID))
	if got.Live != 2 || got.Versions[0].Status != debunk.Superseded || got.Versions[1].Status != debunk.Published ||
		!got.FirstPublished.Equal(pub) || len(got.Corrections()) != 1 || got.Corrections()[0].Note != "التاريخ كان خاطئًا" {
		t.Fatalf("after publishing the correction %+v", got)
	}
	// The audit log names who wrote and who approved each version.
	var ops []string
	for _, a := range debunkAudits(t, s, d.ID) {
		ops = append(ops, fmt.Sprint(a["actor"], ":", a["op"], ":", a["to"]))
		if a["op"] == "approve" && (a["approved_by"] != "bob" || a["editors"] == nil) {
			t.Fatalf("approval entry %v: want the approver and the editors", a)
		}
	}
	want := "[alice:create:<nil> carol:edit:draft bob:approve:approved bob:publish:published alice:correct:draft bob:approve:approved bob:publish:published]"
	if fmt.Sprint(ops) != want {
		t.Fatalf("audit entries %v\nwant %s", ops, want)
	}
	if l := must(ds.ListDebunks(ctx, debunk.Query{Live: true})); len(l) != 1 || len(l[0].Versions) != 2 {
		t.Fatalf("live debunks %+v", l)
	}
	if l := must(ds.ListDebunks(ctx, debunk.Query{CaseID: cases[0] + 1000})); len(l) != 0 {
		t.Fatalf("debunks of another case: %d", len(l))
	}
	if _, err := ds.Debunk(ctx, d.ID+1000); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("missing debunk: %v", err)
	}
}

// Two analysts acting on one debunk at once: both steps are applied one
// after the other, never one over the other.
func testDebunkConcurrent(t *testing.T, s store.Store) {
	ctx := context.Background()
	ds := debunkStore(t, s)
	now := time.Now()
	d := must(debunk.Create("alice", 0, sampleContent("خبر"), now))
	must(0, ds.CreateDebunk(ctx, d))
	var wg sync.WaitGroup
	errs := make([]error, 8)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			who := fmt.Sprint("editor", i)
			for range 20 {
				_, errs[i] = ds.UpdateDebunk(ctx, d.ID, who, "edit", func(d *debunk.Debunk) error {
					return d.Edit(who, sampleContent("خبر "+who), "", now)
				})
				if !errors.Is(errs[i], store.ErrConflict) {
					return
				}
			}
		}()
	}
	wg.Wait()
	applied := 0
	for _, err := range errs {
		if err == nil {
			applied++
		} else if !errors.Is(err, store.ErrConflict) {
			t.Fatalf("concurrent edit: %v", err)
		}
	}
	got := must(ds.Debunk(ctx, d.ID))
	if int(got.Rev) != 1+applied || len(got.Latest().Editors) != 1+applied {
		t.Fatalf("rev %d with %d editors after %d applied edits", got.Rev, len(got.Latest().Editors), applied)
	}
}

func testDebunkMatches(t *testing.T, s store.Store) {
	ctx := context.Background()
	ds := debunkStore(t, s)
	// A rumour case of two posts, then the debunk on it.
	keys := must(s.PutPosts(ctx, "test", "f", mkPosts("x", 100, 2))).New
	var batch []store.Processing
	for _, k := range keys {
		batch = append(batch, proc(k, "rumour", "x", time.Now(), sig("false-claim", "medium", 0.7)))
	}
	caseID := must(s.RecordProcessing(ctx, "w", batch))[0].CaseID
	d := must(debunk.Create("alice", caseID, sampleContent("خبر"), time.Now()))
	must(0, ds.CreateDebunk(ctx, d))
	if m := must(ds.DebunkMatches(ctx, d.ID)); m.Before != 2 || m.After != 0 {
		t.Fatalf("matches before publication %+v, want 2 before", m)
	}
	must(ds.UpdateDebunk(ctx, d.ID, "bob", "approve", func(d *debunk.Debunk) error { return d.Approve("bob", time.Now()) }))
	must(ds.UpdateDebunk(ctx, d.ID, "bob", "publish", func(d *debunk.Debunk) error { return d.Publish(time.Now()) }))
	time.Sleep(2 * time.Millisecond) // ingest times after the publication
	// After publication: a post matched on the debunk's French claim, one
	// on another debunk whose id starts with the same digits, one on a
	// claim from elsewhere.
	later := must(s.PutPosts(ctx, "test", "f", mkPosts("x", 200, 3))).New
	claimSig := func(id string) detect.Signal {
		return detect.Signal{Detector: "claims", Kind: detect.KindClaim, Label: "false-claim", Score: 0.9, Evidence: "c",
			Details: map[string]any{"claim_id": id, "claim": "c"}}
	}
	must(s.RecordProcessing(ctx, "w", []store.Processing{
		proc(later[0], "m1", "x", time.Now(), claimSig(debunk.ClaimID(d.ID, "fr"))),
		proc(later[1], "m2", "x", time.Now(), claimSig(debunk.ClaimID(d.ID*10, "ar"))),
		proc(later[2], "m3", "x", time.Now(), claimSig("c-0123456789abcdef")),
	}))
	if m := must(ds.DebunkMatches(ctx, d.ID)); m.Before != 2 || m.After != 1 {
		t.Fatalf("matches after publication %+v, want 2 before and 1 after", m)
	}
	if _, err := ds.DebunkMatches(ctx, d.ID+1000); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("matches of a missing debunk: %v", err)
	}
}
