package report

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/basira-org/basira/internal/detect"
	"github.com/basira-org/basira/internal/post"
	"github.com/basira-org/basira/internal/review"
	"github.com/basira-org/basira/internal/store"
	"github.com/basira-org/basira/internal/store/sqlite"
)

// TestReportOnRealStore drives cases through the real SQLite store and
// the review workflow, then checks every figure of the report.
func TestReportOnRealStore(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "b.db"), sqlite.Options{Create: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()

	// Six posts: four incitement cases (one a campaign of two posts) and
	// one false-claim case.
	var posts []*post.Post
	for i := range 6 {
		posts = append(posts, &post.Post{ID: fmt.Sprint(i), Platform: "x", Text: fmt.Sprint("post ", i)})
	}
	put, err := st.PutPosts(ctx, "test", "test", posts)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	cluster := []string{"c0", "c1", "c2", "c2", "c3", "c4"}
	category := []string{"incitement", "incitement", "incitement", "incitement", "incitement", "false-claim"}
	var batch []store.Processing
	for i, key := range put.New {
		batch = append(batch, store.Processing{PostKey: key, ClusterKey: cluster[i], Category: category[i], Severity: "high", Score: 1, Priority: 3,
			Platform: "x", Seen: now, Signals: []detect.Signal{{Detector: "rules", Label: category[i], Score: 1}}})
	}
	if _, err := st.RecordProcessing(ctx, "test", batch); err != nil {
		t.Fatal(err)
	}
	cases, err := st.ListCases(ctx, store.CaseQuery{})
	if err != nil || len(cases) != 5 {
		t.Fatalf("cases = %d, %v", len(cases), err)
	}
	byCluster := map[string]int64{}
	for _, c := range cases {
		byCluster[c.ClusterKey] = c.ID
	}

	clock := now.Add(2 * time.Hour)
	wf := &review.Workflow{Store: st, Now: func() time.Time { return clock }}
	decide := func(cluster, action string) {
		t.Helper()
		id := byCluster[cluster]
		if _, err := wf.Claim(ctx, "analyst:a", id); err != nil {
			t.Fatal(err)
		}
		if _, err := wf.Decide(ctx, "analyst:a", id, review.DecisionInput{Action: action, Rationale: "because"}); err != nil {
			t.Fatal(err)
		}
	}
	decide("c0", store.ActionRefer)
	decide("c1", store.ActionDismiss)
	decide("c2", store.ActionRefer)
	decide("c4", store.ActionDebunk)
	// c1 is appealed and reversed.
	if _, err := wf.Appeal(ctx, "platform:x", byCluster["c1"], "the post calls for violence"); err != nil {
		t.Fatal(err)
	}
	clock = clock.Add(time.Hour)
	decide("c1", store.ActionRefer)

	r, err := Build(ctx, st, now.Add(-time.Hour), now.Add(24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if r.CasesOpened["incitement"] != 4 || r.CasesOpened["false-claim"] != 1 || r.PostsInCases != 6 || r.PostsStored != 6 || r.Open != 1 {
		t.Errorf("opened = %v, posts in cases %d, stored %d, open %d", r.CasesOpened, r.PostsInCases, r.PostsStored, r.Open)
	}
	if got := r.Decisions["incitement"]; got["refer"] != 3 || got["dismiss"] != 1 || r.Decisions["false-claim"]["debunk"] != 1 {
		t.Errorf("decisions = %v", r.Decisions)
	}
	var inc CategoryOutcome
	for _, c := range r.Categories {
		if c.Category == "incitement" {
			inc = c
		}
	}
	// c1's final decision is now refer: 3 decided, all actioned.
	if inc.Opened != 4 || inc.Decided != 3 || inc.Actioned != 3 || inc.Dismissed != 0 || inc.DismissRate != 0 {
		t.Errorf("incitement outcome = %+v", inc)
	}
	if r.Appeals.Decided != 1 || r.Appeals.Overturned != 1 {
		t.Errorf("appeals = %+v", r.Appeals)
	}
	if r.TimeToDecision.N != 4 || r.TimeToDecision.Median < time.Hour || r.TimeToDecision.Median > 3*time.Hour {
		t.Errorf("time to decision = %+v", r.TimeToDecision)
	}

	// A period before everything is empty but valid.
	empty, err := Build(ctx, st, now.Add(-48*time.Hour), now.Add(-24*time.Hour))
	if err != nil || len(empty.CasesOpened) != 0 || empty.Appeals.Decided != 0 {
		t.Errorf("empty period: %+v, %v", empty, err)
	}
	if _, err := Build(ctx, st, now, now); err == nil {
		t.Error("an empty period should be refused")
	}

	var buf bytes.Buffer
	if err := WriteCSV(&buf, r); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, row := range rows {
		if strings.Join(row, ",") == "decisions,incitement,refer,3" {
			found = true
		}
	}
	if !found {
		t.Errorf("CSV lacks the refer count: %v", rows)
	}
	buf.Reset()
	if err := WriteHTML(&buf, r); err != nil {
		t.Fatal(err)
	}
	html := buf.String()
	if !strings.Contains(html, `dir="rtl"`) || !strings.Contains(html, `<span class="en">incitement</span>`) || strings.Contains(html, "analyst:a") {
		t.Errorf("HTML report wrong or names an analyst:\n%s", html)
	}
	// Categories and actions in Arabic (and French) from the screen's
	// catalogue; a phone-width viewport; dates isolated from the Arabic.
	for _, want := range []string{"تحريض على العنف", "incitation à la violence", "إحالة إلى المنصة", `name="viewport"`, `<bdi class="d">`} {
		if !strings.Contains(html, want) {
			t.Errorf("HTML report lacks %q", want)
		}
	}
}

func TestDelayReadsAtAGlance(t *testing.T) {
	for d, want := range map[time.Duration]string{
		20 * time.Minute: "20 min", 59*time.Minute + 40*time.Second: "60 min",
		90 * time.Minute: "1.5 h", 72 * time.Hour: "3.0 d",
	} {
		if got := delay(d); got != want {
			t.Errorf("delay(%s) = %q, want %q", d, got, want)
		}
	}
}
