package server

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/basira-org/basira/internal/post"
	"github.com/basira-org/basira/internal/server/auth"
	"github.com/basira-org/basira/internal/store/sqlite"
)

// failingSink fails like a PostgreSQL store refusing a batch.
type sqlstateSink struct{}

func (sqlstateSink) Accept(context.Context, string, []*post.Post) error {
	return errors.New(`ERROR: invalid byte sequence for encoding "UTF8": 0x00 (SQLSTATE 22021)`)
}

// TestErrorsRevealNoInternals reproduces issue 15 item 11: SQLSTATE codes
// and driver messages reached clients.
func TestErrorsRevealNoInternals(t *testing.T) {
	var logs strings.Builder
	e := newEnv(t, Config{Logger: slog.New(slog.NewTextHandler(&logs, nil))}, func(d *Deps) { d.Sink = sqlstateSink{} })
	code, b, _ := e.do(auth.Ingest, "POST", "/v1/posts", "application/json", batch(2, 0, "x"))
	if code != http.StatusServiceUnavailable || strings.Contains(string(b), "SQLSTATE") || strings.Contains(string(b), "UTF8") {
		t.Fatalf("push answered %d %s", code, b)
	}
	if !strings.Contains(logs.String(), "SQLSTATE 22021") {
		t.Fatalf("the cause is not logged for the operator: %s", logs.String())
	}
}

// TestFailedSignInsLoggedAndAudited reproduces issue 15 item 11: failed
// sign-ins were neither logged nor audited. A flood of them from one
// address gives one log line and one audit entry per minute, with counts.
func TestFailedSignInsLoggedAndAudited(t *testing.T) {
	var logs syncWriter
	e := newEnv(t, Config{Logger: slog.New(slog.NewTextHandler(&logs, nil))}, nil)
	for i := range 50 {
		req, _ := http.NewRequest("GET", e.ts.URL+"/v1/cases", nil)
		req.Header.Set("Authorization", fmt.Sprintf("Bearer guess-%d", i))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	es, err := e.db.AuditEntries(context.Background(), 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, en := range es {
		if en.Action == "auth.failed" {
			n++
			if en.Object != "remote:127.0.0.1" || strings.Contains(string(en.Details), "guess") {
				t.Errorf("audit entry: %s", en.Details)
			}
		}
	}
	if n != 1 {
		t.Errorf("%d auth.failed entries for 50 failures in a minute, want 1", n)
	}
	if c := strings.Count(logs.String(), "sign-in failed"); c != 1 || strings.Contains(logs.String(), "guess-") {
		t.Errorf("%d log lines: %s", c, logs.String())
	}
}

// TestClientAbortsCountedApart reproduces issue 15 item 6: a client that
// goes away in the middle of its body was logged as an internal error and
// counted as a 500.
func TestClientAbortsCountedApart(t *testing.T) {
	var logs syncWriter
	e := newEnv(t, Config{Logger: slog.New(slog.NewTextHandler(&logs, nil))}, nil)
	for range 3 {
		conn, err := net.Dial("tcp", strings.TrimPrefix(e.ts.URL, "http://"))
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(conn, "POST /v1/posts HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{\"posts\":[", e.tokens[auth.Ingest])
		time.Sleep(50 * time.Millisecond)
		conn.Close()
	}
	time.Sleep(200 * time.Millisecond)
	code, b, _ := e.do("", "GET", "/metrics", "", nil)
	if code != 200 {
		t.Fatal(code)
	}
	var aborted, internal bool
	sc := bufio.NewScanner(strings.NewReader(string(b)))
	for sc.Scan() {
		l := sc.Text()
		if strings.Contains(l, `route="POST /v1/posts"`) && strings.Contains(l, `code="499"`) && strings.HasSuffix(l, " 3") {
			aborted = true
		}
		if strings.Contains(l, `route="POST /v1/posts"`) && strings.Contains(l, `code="500"`) {
			internal = true
		}
	}
	if !aborted || internal {
		t.Errorf("metrics: aborted counted %v, as 500 %v\n%s", aborted, internal, grep(string(b), "/v1/posts"))
	}
	if strings.Contains(logs.String(), "level=ERROR") {
		t.Errorf("client aborts logged as errors: %s", logs.String())
	}
}

// TestSlowClientsLetGo reproduces issue 15 item 6: 200 connections
// sending a byte every 10 s held 200 descriptors for ever. Headers and
// bodies have deadlines and the listener a connection limit.
func TestSlowClientsLetGo(t *testing.T) {
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "b.db"), sqlite.Options{Create: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	o := HTTPOptions{ReadHeaderTimeout: 200 * time.Millisecond, ReadTimeout: 400 * time.Millisecond, MaxConns: 8}
	hs := NewHTTPServer(New(Config{}, Deps{Health: db}), o)
	go hs.Serve(LimitListener(ln, o.MaxConns))
	defer hs.Close()
	addr := ln.Addr().String()
	// A slow header and a slow body are both cut at their deadline.
	for _, start := range []string{"GET /healthz HTTP/1.1\r\nHost: x\r\n", "POST /v1/posts HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n{"} {
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(conn, start)
		t0 := time.Now()
		conn.SetReadDeadline(time.Now().Add(5 * time.Second))
		for {
			if _, err := io.WriteString(conn, "x"); err != nil {
				break
			}
			buf := make([]byte, 1)
			conn.SetReadDeadline(time.Now().Add(100 * time.Millisecond))
			if _, err := conn.Read(buf); err != nil && !isTimeout(err) {
				break // closed by the server
			}
			if time.Since(t0) > 3*time.Second {
				t.Fatalf("a slow client (%q…) held its connection for 3 s", start[:10])
			}
		}
		conn.Close()
	}
	// Over the limit, connections wait; a legitimate request gets through
	// once the slow ones are cut.
	var held []net.Conn
	for range 20 {
		c, err := net.Dial("tcp", addr)
		if err == nil {
			io.WriteString(c, "GET /healthz HTTP/1.1\r\n")
			held = append(held, c)
		}
	}
	t0 := time.Now()
	resp, err := (&http.Client{Timeout: 5 * time.Second}).Get("http://" + addr + "/healthz")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("a legitimate request behind 20 slow ones: %v", err)
	}
	resp.Body.Close()
	t.Logf("answered after %v behind 20 slow connections (limit %d)", time.Since(t0).Round(time.Millisecond), o.MaxConns)
	for _, c := range held {
		c.Close()
	}
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

func grep(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// syncWriter is a log destination safe for the server's goroutines.
type syncWriter struct {
	mu sync.Mutex
	b  strings.Builder
}

func (w *syncWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

func (w *syncWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.String()
}
