package server

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/basira-org/basira/internal/auth"
	"github.com/basira-org/basira/internal/claims"
	"github.com/basira-org/basira/internal/debunk"
	"github.com/basira-org/basira/internal/detect"
	"github.com/basira-org/basira/internal/post"
	"github.com/basira-org/basira/internal/store"
	"github.com/basira-org/basira/internal/store/sqlstore"
)

type debunkEnv struct {
	*env
	second  string // a second analyst's token
	fc      *claims.FileStore
	changed atomic.Int32
}

func newDebunkEnv(t *testing.T) *debunkEnv {
	de := &debunkEnv{fc: claims.NewFileStore(filepath.Join(t.TempDir(), "factchecks.jsonl"))}
	var tokens auth.Store
	de.env = newEnv(t, Config{PublicURL: "https://truth.example.org"}, func(d *Deps) {
		d.Debunks = d.Cases.(*sqlstore.DB)
		d.FactChecks = &FactChecks{Store: de.fc, Changed: func(context.Context) error { de.changed.Add(1); return nil }}
		tokens = d.Tokens
	})
	secret, _, err := tokens.Create(context.Background(), "second-analyst", auth.Analyst)
	if err != nil {
		t.Fatal(err)
	}
	de.second = secret
	return de
}

// as sends a JSON request with a raw token and decodes the answer.
func (de *debunkEnv) as(token, method, path string, in any, want int, out any) []byte {
	de.t.Helper()
	var body io.Reader
	if in != nil {
		b, _ := json.Marshal(in)
		body = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, de.ts.URL+path, body)
	req.Header.Set("Authorization", "Bearer "+token)
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		de.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		de.t.Fatalf("%s %s: %d, want %d: %s", method, path, resp.StatusCode, want, b)
	}
	if out != nil {
		mustUnmarshal(de.t, b, out)
	}
	return b
}

var rumour = debunk.Content{Rating: "false", Texts: map[string]debunk.Text{
	"ar": {Claim: "إغلاق جميع المدارس غدا بسبب وباء جديد", Truth: "لا يوجد قرار بإغلاق المدارس. نفت الوزارة الخبر."},
	"fr": {Claim: "Toutes les écoles fermées demain à cause d'une nouvelle épidémie", Truth: "Aucune fermeture n'est décidée.", Reply: "Faux : aucune fermeture d'école n'est décidée."},
}}

func TestDebunkWorkflow(t *testing.T) {
	de := newDebunkEnv(t)
	analyst := de.tokens[auth.Analyst]
	// Roles: viewers read, only analysts write.
	for _, role := range []auth.Role{auth.Viewer, auth.Ingest, auth.Platform} {
		code, b, _ := de.do(role, "POST", "/v1/debunks", "application/json", []byte(`{}`))
		if code != 403 || apiError(t, code, b).Code != CodeForbidden {
			t.Fatalf("create as %s: %d %s", role, code, b)
		}
	}
	// Arabic is required; the rating must be on the scale.
	bad := DebunkBody{Content: debunk.Content{Rating: "false", Texts: map[string]debunk.Text{"fr": rumour.Texts["fr"]}}}
	b := de.as(analyst, "POST", "/v1/debunks", bad, 400, nil)
	if !strings.Contains(string(b), "texts.ar") {
		t.Fatalf("missing Arabic: %s", b)
	}
	bad = DebunkBody{Content: debunk.Content{Rating: "fake", Texts: rumour.Texts}}
	de.as(analyst, "POST", "/v1/debunks", bad, 400, nil)
	de.as(analyst, "POST", "/v1/debunks", DebunkBody{CaseID: 999, Content: rumour}, 404, nil)

	var d DebunkDetail
	de.as(analyst, "POST", "/v1/debunks", DebunkBody{Content: rumour}, 201, &d)
	if d.ID == 0 || d.Status != debunk.Draft || d.CreatedBy != "analyst:test-analyst" || len(d.Pages) != 0 {
		t.Fatalf("created %+v %+v", d, d.Debunk)
	}
	path := "/v1/debunks/" + id64(d.ID)
	// Four eyes: the author's approval is refused.
	b = de.as(analyst, "POST", path+"/approve", nil, 403, nil)
	if !strings.Contains(string(b), "did not write it") {
		t.Fatalf("self-approval: %s", b)
	}
	// Nothing is published before approval.
	b = de.as(analyst, "POST", path+"/publish", nil, 409, nil)
	if !strings.Contains(string(b), "invalid_transition") {
		t.Fatalf("publish a draft: %s", b)
	}
	// An edit with a stale rev is refused.
	de.as(analyst, "PUT", path, DebunkBody{Content: rumour, Rev: d.Rev + 5}, 409, nil)
	de.as(de.second, "POST", path+"/approve", nil, 200, &d)
	if d.Status != debunk.Approved || d.Latest().ApprovedBy != "analyst:second-analyst" {
		t.Fatalf("approved %+v", d)
	}
	if de.changed.Load() != 0 {
		t.Fatal("the fact-check store changed before publication")
	}
	de.as(analyst, "POST", path+"/publish", nil, 200, &d)
	if d.Live != 1 || d.Pages["ar"] != "https://truth.example.org/truth/"+id64(d.ID)+"/ar" || d.Pages["fr"] == "" {
		t.Fatalf("published %+v", d)
	}
	// The published debunk is in the fact-check store, one claim per
	// language, and the matcher was told to reload.
	all, _ := de.fc.All(context.Background())
	if len(all) != 2 || de.changed.Load() != 1 {
		t.Fatalf("fact-check store after publication: %d claims, %d reloads", len(all), de.changed.Load())
	}
	fr, ok, _ := de.fc.Get(context.Background(), debunk.ClaimID(d.ID, "fr"))
	if !ok || fr.Text != rumour.Texts["fr"].Claim || fr.Rating != claims.RatingFalse || fr.Correction != rumour.Texts["fr"].Reply ||
		fr.URL != "https://truth.example.org/truth/"+id64(d.ID)+"/fr" || fr.Lang != "fr" || fr.Published == nil {
		t.Fatalf("French claim %+v", fr)
	}
	// The audit log records the author and the approver.
	var audit struct {
		Entries []struct {
			Actor, Action, Object string
			Details               map[string]any
		} `json:"entries"`
	}
	de.json(auth.Admin, "GET", "/v1/audit?limit=1000", nil, 200, &audit)
	var ops []string
	for _, e := range audit.Entries {
		if e.Action == debunk.AuditAction {
			ops = append(ops, e.Actor+":"+e.Details["op"].(string))
		}
	}
	if strings.Join(ops, " ") != "analyst:test-analyst:create analyst:second-analyst:approve analyst:test-analyst:publish" {
		t.Fatalf("audit entries %v", ops)
	}
	// Publishing again re-indexes the live version, changing nothing else.
	de.as(analyst, "POST", path+"/publish", nil, 200, &d)
	if d.Live != 1 || len(d.Versions) != 1 || de.changed.Load() != 2 {
		t.Fatalf("publishing again: live %d, %d versions, %d reloads", d.Live, len(d.Versions), de.changed.Load())
	}
	// A correction goes through approval again; the approver of version 1
	// may write it, and the first author approves it.
	fixed := rumour
	fixed.Rating = "misleading"
	de.as(analyst, "POST", path+"/corrections", DebunkBody{Content: fixed}, 400, nil) // a note is required
	de.as(de.second, "POST", path+"/corrections", DebunkBody{Content: fixed, Note: "بعض المدارس أغلقت فعلا"}, 201, &d)
	if len(d.Versions) != 2 || d.Live != 1 || d.Status != debunk.Draft {
		t.Fatalf("correction %+v", d)
	}
	de.as(de.second, "POST", path+"/approve", nil, 403, nil)
	de.as(analyst, "POST", path+"/approve", nil, 200, nil)
	de.as(de.second, "POST", path+"/publish", nil, 200, &d)
	if d.Live != 2 || de.changed.Load() != 3 {
		t.Fatalf("after the correction: live %d, reloads %d", d.Live, de.changed.Load())
	}
	fr, _, _ = de.fc.Get(context.Background(), debunk.ClaimID(d.ID, "fr"))
	if fr.Rating != claims.RatingMisleading {
		t.Fatalf("the fact-check store kept the old rating: %+v", fr)
	}
	var list struct{ Debunks []DebunkDetail }
	de.json(auth.Viewer, "GET", "/v1/debunks?status=published", nil, 200, &list)
	if len(list.Debunks) != 1 || list.Debunks[0].ID != d.ID {
		t.Fatalf("list %+v", list)
	}
	de.json(auth.Viewer, "GET", "/v1/debunks?status=nonsense", nil, 400, nil)
}

func id64(n int64) string { return strconv.FormatInt(n, 10) }

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// TestCaseReply: a case whose post matched a published debunk suggests
// the debunk's reply in the matched language first, with its link; a
// case matched to an imported fact-check suggests its correction and URL.
func TestCaseReply(t *testing.T) {
	de := newDebunkEnv(t)
	analyst := de.tokens[auth.Analyst]
	var d DebunkDetail
	de.as(analyst, "POST", "/v1/debunks", DebunkBody{Content: rumour}, 201, &d)
	path := "/v1/debunks/" + id64(d.ID)
	de.as(de.second, "POST", path+"/approve", nil, 200, nil)
	de.as(de.second, "POST", path+"/publish", nil, 200, nil)
	if _, _, err := de.fc.Put(context.Background(), []claims.Claim{{ID: "afp-1", Text: "x", Correction: "Ceci est faux.", URL: "https://factuel.example/1", Lang: "fr", Rating: "false"}}); err != nil {
		t.Fatal(err)
	}

	ctx := context.Background()
	db := de.db
	keys := must(db.PutPosts(ctx, "test", "t", []*post.Post{
		{Platform: "x", ID: "1", Text: "Les écoles fermées demain, nouvelle épidémie !"},
		{Platform: "x", ID: "2", Text: "Les écoles fermées demain !!"},
	})).New
	sig := func(id string, score float64) detect.Signal {
		return detect.Signal{Detector: "claims", Kind: detect.KindClaim, Label: "false-claim", Score: score, Details: map[string]any{"claim_id": id}}
	}
	out := must(db.RecordProcessing(ctx, "w", []store.Processing{
		{PostKey: keys[0], ClusterKey: "k", Category: "false-claim", Score: 0.9, Platform: "x", Seen: time.Now(), Signals: []detect.Signal{sig(debunk.ClaimID(d.ID, "fr"), 0.9)}},
		{PostKey: keys[1], ClusterKey: "k", Category: "false-claim", Score: 0.6, Platform: "x", Seen: time.Now(), Signals: []detect.Signal{sig("afp-1", 0.6)}},
	}))
	var got struct {
		Suggestions []ReplySuggestion `json:"suggestions"`
	}
	de.json(auth.Platform, "GET", "/v1/cases/"+id64(out[0].CaseID)+"/reply", nil, 200, &got)
	if len(got.Suggestions) != 2 {
		t.Fatalf("suggestions %+v", got)
	}
	s := got.Suggestions[0]
	if s.DebunkID != d.ID || s.Posts != 1 || len(s.Replies) != 2 || s.Replies[0].Lang != "fr" ||
		s.Replies[0].Text != rumour.Texts["fr"].Reply || s.Replies[0].URL != "https://truth.example.org/truth/"+id64(d.ID)+"/fr" ||
		s.Replies[1].Lang != "ar" || s.Replies[1].Text != "لا يوجد قرار بإغلاق المدارس." {
		t.Fatalf("debunk suggestion %+v", s)
	}
	if s := got.Suggestions[1]; s.ClaimID != "afp-1" || s.Replies[0].Text != "Ceci est faux." || s.Replies[0].URL != "https://factuel.example/1" {
		t.Fatalf("fact-check suggestion %+v", s)
	}
	// Matched posts before and after publication.
	var detail DebunkDetail
	de.json(auth.Viewer, "GET", "/v1/debunks/"+id64(d.ID), nil, 200, &detail)
	if detail.Matches.After != 1 || detail.Matches.Before != 0 {
		t.Fatalf("matches %+v", detail.Matches)
	}
}

// TestDebunkClosesCase: a rumour case decided "debunk" becomes actioned
// when its debunk is published; the audit log names the debunk.
func TestDebunkClosesCase(t *testing.T) {
	de := newDebunkEnv(t)
	ctx := context.Background()
	keys := must(de.db.PutPosts(ctx, "test", "t", []*post.Post{{Platform: "x", ID: "1", Text: "إغلاق المدارس غدا"}})).New
	out := must(de.db.RecordProcessing(ctx, "w", []store.Processing{{PostKey: keys[0], ClusterKey: "k", Category: "false-claim", Score: 0.9,
		Platform: "x", Seen: time.Now(), Signals: []detect.Signal{{Detector: "rules", Label: "false-claim", Score: 0.9}}}}))
	cp := "/v1/cases/" + id64(out[0].CaseID)
	de.json(auth.Analyst, "POST", cp+"/claim", nil, 200, nil)
	de.json(auth.Analyst, "POST", cp+"/decision", DecisionRequest{Action: store.ActionDebunk, Rationale: "rumour, answer it"}, 200, nil)
	var d DebunkDetail
	de.as(de.tokens[auth.Analyst], "POST", "/v1/debunks", DebunkBody{CaseID: out[0].CaseID, Content: rumour}, 201, &d)
	de.as(de.second, "POST", "/v1/debunks/"+id64(d.ID)+"/approve", nil, 200, nil)
	de.as(de.second, "POST", "/v1/debunks/"+id64(d.ID)+"/publish", nil, 200, nil)
	c := must(de.db.Case(ctx, out[0].CaseID))
	if c.Status != store.StatusActioned {
		t.Fatalf("case after publication: %s, want actioned", c.Status)
	}
	found := false
	for _, e := range must(de.db.AuditEntries(ctx, 0, 1000)) {
		if e.Object == "case:"+id64(c.ID) && strings.Contains(string(e.Details), "debunk:"+id64(d.ID)+":v1") {
			found = true
		}
	}
	if !found {
		t.Fatal("no audit entry names the debunk that actioned the case")
	}
	// Publishing again leaves the actioned case alone.
	de.as(de.second, "POST", "/v1/debunks/"+id64(d.ID)+"/publish", nil, 200, nil)
}
