package server

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/basira-org/basira/internal/post"
	"github.com/basira-org/basira/internal/server/auth"
	"github.com/basira-org/basira/internal/store"
)

func batch(n, from int, platform string) []byte {
	var sb strings.Builder
	sb.WriteString(`{"posts":[`)
	for i := range n {
		if i > 0 {
			sb.WriteByte(',')
		}
		fmt.Fprintf(&sb, `{"id":"p%d","platform":%q,"author":"@user%d","text":"منشور رقم %d"}`, from+i, platform, i%7, from+i)
	}
	sb.WriteString(`]}`)
	return []byte(sb.String())
}

func TestPushIdempotentAndDurable(t *testing.T) {
	testPushIdempotent(t, newEnv(t, Config{PseudonymKey: []byte("k")}, nil))
}

func testPushIdempotent(t *testing.T, e *env) {
	ctx := context.Background()
	var res PushResult
	code, b, _ := e.do(auth.Ingest, "POST", "/v1/posts", "application/json", batch(50, 0, "x"))
	if code != 200 {
		t.Fatalf("push: %d %s", code, b)
	}
	mustUnmarshal(t, b, &res)
	if res.Accepted != 50 || res.Rejected != 0 {
		t.Fatalf("push: %+v", res)
	}
	// Acknowledged means stored: the posts are in the store now.
	c, err := e.db.Counts(ctx)
	if err != nil || c.Posts != 50 {
		t.Fatalf("after the push the store holds %d posts (%v), want 50", c.Posts, err)
	}
	// The same batch again (a retry after a lost answer), and an overlapping
	// one: nothing is stored twice.
	e.do(auth.Ingest, "POST", "/v1/posts", "application/json", batch(50, 0, "x"))
	e.do(auth.Ingest, "POST", "/v1/posts", "application/json", batch(50, 25, "x"))
	// Same ids on another platform are other posts.
	e.do(auth.Ingest, "POST", "/v1/posts", "application/json", batch(10, 0, "y"))
	if c, _ = e.db.Counts(ctx); c.Posts != 85 {
		t.Fatalf("after retries the store holds %d posts, want 75+10", c.Posts)
	}
	// Authors are pseudonymised: the handle never reaches the store.
	p, err := e.db.FindPost(ctx, "x", "p3")
	if err != nil {
		t.Fatal(err)
	}
	if p.Author == "" || strings.Contains(p.Author, "user") || p.Author != post.NewPseudonymizer([]byte("k")).Pseudonym("x", "@user3") {
		t.Fatalf("author stored as %q", p.Author)
	}
	if p.Source != "push:test-ingest" {
		t.Fatalf("source %q", p.Source)
	}
	// Readers find it by (platform, id) and by key, with signals.
	var list struct{ Posts []store.Post }
	e.json(auth.Viewer, "GET", "/v1/posts?platform=x&platform_post_id=p3", nil, 200, &list)
	if len(list.Posts) != 1 || list.Posts[0].Key != p.Key {
		t.Fatalf("find: %+v", list)
	}
	var one PostWithSignals
	e.json(auth.Analyst, "GET", fmt.Sprintf("/v1/posts/%d", p.Key), nil, 200, &one)
	if one.Post == nil || one.Text != p.Text || one.Signals == nil {
		t.Fatalf("get: %+v", one)
	}
	e.json(auth.Viewer, "GET", "/v1/posts?platform=y&limit=4", nil, 200, &list)
	if len(list.Posts) != 4 || list.Posts[0].Platform != "y" {
		t.Fatalf("list: %d posts", len(list.Posts))
	}
	// The ingest and the pushes are audited by the store.
	es, _ := e.db.AuditEntries(ctx, 0, 1000)
	n := 0
	for _, en := range es {
		if en.Action == "ingest.batch" {
			n++
		}
	}
	if n < 4 {
		t.Fatalf("%d ingest.batch audit entries for 4 pushes", n)
	}
}

func TestPushPartialAndRejected(t *testing.T) {
	e := newEnv(t, Config{}, nil)
	body := `{"posts":[
		{"id":"a","platform":"x","text":"fine"},
		{"id":"b","text":"no platform"},
		{"platform":"x","text":"no id"},
		42,
		{"id":"c","platform":"x","text":"also fine","posted_at":"not a time"},
		{"id":"d","platform":"x","text":"ok","posted_at":"2026-01-02T03:04:05Z"}]}`
	code, b, _ := e.do(auth.Ingest, "POST", "/v1/posts", "application/json", []byte(body))
	if code != 200 {
		t.Fatalf("%d %s", code, b)
	}
	var res PushResult
	mustUnmarshal(t, b, &res)
	if res.Accepted != 2 || res.Rejected != 4 {
		t.Fatalf("%+v", res)
	}
	var idx []int
	for _, it := range res.Errors {
		idx = append(idx, it.Index)
	}
	if fmt.Sprint(idx) != "[1 2 3 4]" {
		t.Fatalf("bad items reported at %v, want [1 2 3 4]: %s", idx, b)
	}
	// All bad: 422 with the items.
	code, b, _ = e.do(auth.Ingest, "POST", "/v1/posts", "application/json", []byte(`[{"id":"z","text":"no platform"}]`))
	er := apiError(t, code, b)
	if er.Code != CodeInvalidPost || len(er.Items) != 1 || !strings.Contains(er.Items[0].Message, "platform") {
		t.Fatalf("%d %s", code, b)
	}
}

func TestPushNDJSON(t *testing.T) {
	e := newEnv(t, Config{}, nil)
	body := "{\"id\":\"1\",\"platform\":\"t\",\"text\":\"one\"}\n\n{\"id\":\"2\",\"platform\":\"t\",\"text\":\"two\"}\nnot json\n"
	code, b, _ := e.do(auth.Ingest, "POST", "/v1/posts", "application/x-ndjson", []byte(body))
	var res PushResult
	mustUnmarshal(t, b, &res)
	if code != 200 || res.Accepted != 2 || res.Rejected != 1 || res.Errors[0].Index != 2 {
		t.Fatalf("%d %s", code, b)
	}
}

func TestPushLimits(t *testing.T) {
	e := newEnv(t, Config{MaxPushPosts: 10, MaxPushBytes: 4 << 10, IngestRate: 20, IngestBurst: 20}, nil)
	// Too many posts.
	code, b, _ := e.do(auth.Ingest, "POST", "/v1/posts", "application/json", batch(11, 0, "x"))
	if er := apiError(t, code, b); er.Code != CodeBatchTooLarge || code != 413 {
		t.Fatalf("11 posts: %d %s", code, b)
	}
	// Too many bytes: 413 with the limit named.
	code, b, _ = e.do(auth.Ingest, "POST", "/v1/posts", "application/json", []byte(`{"posts":[{"id":"1","platform":"x","text":"`+strings.Repeat("ا", 4<<10)+`"}]}`))
	if er := apiError(t, code, b); er.Code != CodeBodyTooLarge || !strings.Contains(er.Message, "4096") {
		t.Fatalf("big body: %d %s", code, b)
	}
	// Unsupported content type.
	code, b, _ = e.do(auth.Ingest, "POST", "/v1/posts", "text/csv", []byte("id,text\n1,a\n"))
	if apiError(t, code, b).Code != CodeUnsupportedMedia {
		t.Fatalf("csv: %d %s", code, b)
	}
	// Rate: a bucket of 20 posts; 10 + 10 pass, the third batch waits.
	for i := range 2 {
		if code, b, _ := e.do(auth.Ingest, "POST", "/v1/posts", "application/json", batch(10, i*10, "x")); code != 200 {
			t.Fatalf("batch %d: %d %s", i, code, b)
		}
	}
	code, b, h := e.do(auth.Ingest, "POST", "/v1/posts", "application/json", batch(10, 20, "x"))
	if er := apiError(t, code, b); er.Code != CodeRateLimited || h.Get("Retry-After") == "" {
		t.Fatalf("over the rate: %d %s (Retry-After %q)", code, b, h.Get("Retry-After"))
	}
	// The bucket is per token: the admin token may still push.
	if code, b, _ := e.do(auth.Admin, "POST", "/v1/posts", "application/json", batch(10, 30, "x")); code != 200 {
		t.Fatalf("another token: %d %s", code, b)
	}
	// A rejected batch stored nothing.
	c, _ := e.db.Counts(context.Background())
	if c.Posts != 30 {
		t.Fatalf("store holds %d posts, want 30", c.Posts)
	}
}

// failingSink fails every batch: a push must then not be acknowledged.
type failingSink struct{}

func (failingSink) Accept(context.Context, string, []*post.Post) error {
	return errors.New("disk full")
}

func TestPushNotAcknowledgedWhenStoreFails(t *testing.T) {
	e := newEnv(t, Config{}, func(d *Deps) { d.Sink = failingSink{} })
	code, b, _ := e.do(auth.Ingest, "POST", "/v1/posts", "application/json", batch(3, 0, "x"))
	if er := apiError(t, code, b); code != 503 || er.Code != CodeUnavailable || !strings.Contains(er.Message, "retry") {
		t.Fatalf("%d %s", code, b)
	}
}

func TestRateLimiter(t *testing.T) {
	l := newLimiter(100, 100)
	now := time.Unix(1000, 0)
	if ok, _ := l.allow("a", 100, now); !ok {
		t.Fatal("a full bucket refused its burst")
	}
	ok, wait := l.allow("a", 50, now)
	if ok || wait < 400*time.Millisecond || wait > 600*time.Millisecond {
		t.Fatalf("empty bucket: ok=%v wait=%v, want a refusal of about 0.5 s", ok, wait)
	}
	// A refused request takes nothing: half a second later 50 pass.
	if ok, _ := l.allow("a", 50, now.Add(500*time.Millisecond)); !ok {
		t.Fatal("refill did not happen")
	}
	if ok, _ := l.allow("b", 100, now); !ok {
		t.Fatal("buckets are per key")
	}
}

// TestConcurrentOverlappingPushes: eight clients push overlapping batches at
// once (retries, two connectors seeing the same posts); every post is
// stored exactly once.
func TestConcurrentOverlappingPushes(t *testing.T) {
	e := newEnv(t, Config{IngestRate: 1e9, IngestBurst: 1 << 30}, nil)
	errs := make(chan error, 8)
	for w := range 8 {
		go func() {
			for i := range 5 {
				from := (w*5 + i) * 20 % 300 // batches of 50 overlapping by 30
				code, b, _ := e.do(auth.Ingest, "POST", "/v1/posts", "application/json", batch(50, from, "x"))
				if code != 200 {
					errs <- fmt.Errorf("worker %d batch %d: %d %s", w, i, code, b)
					return
				}
			}
			errs <- nil
		}()
	}
	for range 8 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	want := map[string]bool{}
	for w := range 8 {
		for i := range 5 {
			from := (w*5 + i) * 20 % 300
			for k := range 50 {
				want[fmt.Sprint(from+k)] = true
			}
		}
	}
	c, err := e.db.Counts(context.Background())
	if err != nil || c.Posts != int64(len(want)) {
		t.Fatalf("store holds %d posts (%v), want %d distinct", c.Posts, err, len(want))
	}
}

// TestPushRefusesLocalPaths reproduces issue 15 item 1: a pushed post
// naming a local file must be refused (item error), never stored with the
// path for a worker to read.
func TestPushRefusesLocalPaths(t *testing.T) {
	e := newEnv(t, Config{PseudonymKey: []byte("k")}, nil)
	body := `{"posts":[{"id":"a","platform":"x","text":"t","media":[{"url":"x","path":"/etc/passwd"}]},{"id":"b","platform":"x","text":"t","media":[{"path":"/dev/ptmx"}]},{"id":"c","platform":"x","text":"t","media":[{"url":"https://example.org/a.jpg"}]}]}`
	code, b, _ := e.do(auth.Ingest, "POST", "/v1/posts", "application/json", []byte(body))
	var res PushResult
	mustUnmarshal(t, b, &res)
	if code != 200 || res.Accepted != 1 || res.Rejected != 2 || !strings.Contains(res.Errors[0].Message, "path") {
		t.Fatalf("push: %d %s", code, b)
	}
	if _, err := e.db.FindPost(context.Background(), "x", "a"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("a post naming a local path was stored: %v", err)
	}
}

// TestPushHostilePosts reproduces issue 15 item 3 (PostgreSQL poison
// batches): 999 good posts and hostile ones mixed in. Both stores must
// accept and refuse exactly the same posts; TestAPIOnPostgres runs it on
// PostgreSQL.
func TestPushHostilePosts(t *testing.T) {
	testPushHostile(t, newEnv(t, Config{PseudonymKey: []byte("k")}, nil))
}

func testPushHostile(t *testing.T, e *env) {
	ctx := context.Background()
	hostile := []string{
		`{"id":"nul\u0000id","platform":"x","text":"t"}`,
		"{\"id\":\"bad\xff\xfeutf8\",\"platform\":\"x\",\"text\":\"t\"}",
		`{"id":"` + strings.Repeat("i", 9000) + `","platform":"x","text":"t"}`,
		`{"id":"longplatform","platform":"` + strings.Repeat("p", 9000) + `","text":"t"}`,
		`{"id":"nulplatform","platform":"x\u0000","text":"t"}`,
		`{"id":"nulurl","platform":"x","url":"https://e.org/\u0000","text":"t"}`,
		`{"id":"nulmedia","platform":"x","text":"t","media":[{"url":"https://e.org/\u0000"}]}`,
		`{"id":"hugeextra","platform":"x","text":"t","x":"` + strings.Repeat("a", 100<<10) + `"}`,
	}
	repaired := []string{
		`{"id":"nultext","platform":"x","text":"a\u0000b"}`,
		"{\"id\":\"badextra\",\"platform\":\"x\",\"text\":\"t\",\"note\":\"a\xffb\"}",
		`{"id":"nulextra","platform":"x","text":"t","note":"a\u0000b"}`,
	}
	var lines []string
	for i := range 999 {
		lines = append(lines, fmt.Sprintf(`{"id":"g%d","platform":"x","text":"منشور %d"}`, i, i))
		if i%100 == 50 && len(hostile) > 0 {
			lines = append(lines, hostile[0])
			hostile = hostile[1:]
		}
	}
	lines = append(append(lines, hostile...), repaired...)
	body := []byte(strings.Join(lines, "\n"))
	for try := range 2 { // a retry answers the same, and stores nothing twice
		code, b, _ := e.do(auth.Ingest, "POST", "/v1/posts", "application/x-ndjson", body)
		var res PushResult
		mustUnmarshal(t, b, &res)
		if code != 200 || res.Accepted != 999+3 || res.Rejected != 8 {
			t.Fatalf("try %d: %d accepted %d rejected %d: %.600s", try, code, res.Accepted, res.Rejected, b)
		}
		for _, it := range res.Errors {
			if len(it.Message) > 400 || len(it.ID) > 600 {
				t.Errorf("item error echoes the input: %d bytes", len(it.Message)+len(it.ID))
			}
		}
	}
	if c, err := e.db.Counts(ctx); err != nil || c.Posts != 1002 {
		t.Fatalf("store holds %d posts (%v), want 1002", c.Posts, err)
	}
	p, err := e.db.FindPost(ctx, "x", "nultext")
	if err != nil || p.Text != "a\uFFFDb" {
		t.Fatalf("NUL in text: %+v %v", p, err)
	}
	p, err = e.db.FindPost(ctx, "x", "badextra")
	if err != nil || string(p.Extra["note"]) != "\"a\uFFFDb\"" {
		t.Fatalf("invalid UTF-8 extra: %+v %v", p, err)
	}
}
