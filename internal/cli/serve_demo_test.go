package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"github.com/basira-org/basira/internal/demo"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/basira-org/basira/internal/notify"
)

// syncBuffer is a bytes.Buffer safe for the serve goroutine and the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestServeDemo runs `basira serve --demo` on a fresh workspace and checks
// that cases appear through the API within a minute, from every detector
// family the demo seeds: rules, hash bank, fact-checks.
func TestServeDemo(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the whole service")
	}
	home := t.TempDir()
	getenv := func(k string) string {
		if k == "BASIRA_HOME" {
			return home
		}
		return ""
	}
	var out, errb syncBuffer
	env := &Env{Stdout: &out, Stderr: &errb, Stdin: strings.NewReader(""), Getenv: getenv}
	if code := Run(context.Background(), env, []string{"token", "create", "--role", "viewer", "--name", "demo-test"}); code != 0 {
		t.Fatalf("token create: %s", errb.String())
	}
	token := strings.TrimSpace(out.String())
	var out2 syncBuffer
	env2 := &Env{Stdout: &out2, Stderr: &errb, Stdin: strings.NewReader(""), Getenv: getenv}
	if code := Run(context.Background(), env2, []string{"token", "create", "--role", "ingest", "--name", "demo-push"}); code != 0 {
		t.Fatalf("token create: %s", errb.String())
	}
	ingestToken := strings.TrimSpace(out2.String())

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	var serr syncBuffer
	go func() {
		done <- Run(ctx, &Env{Stdout: &out, Stderr: &serr, Stdin: strings.NewReader(""), Getenv: getenv}, []string{"serve", "--demo", "--addr", "127.0.0.1:0"})
	}()
	defer func() {
		cancel()
		if code := <-done; code != 0 {
			t.Errorf("serve exited %d: %s", code, serr.String())
		}
	}()
	start := time.Now()
	addrRe := regexp.MustCompile(`listening on (\S+)`)
	var addr string
	for addr == "" {
		if m := addrRe.FindStringSubmatch(serr.String()); m != nil {
			addr = m[1]
		} else if time.Since(start) > 30*time.Second {
			t.Fatalf("serve did not start: %s", serr.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	cats := map[string]int{}
	for time.Since(start) < time.Minute {
		req, _ := http.NewRequest("GET", "http://"+addr+"/v1/cases?limit=1000", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var body struct {
			Cases []struct {
				Category string
				Count    int
			}
		}
		err = json.NewDecoder(resp.Body).Decode(&body)
		resp.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		clear(cats)
		for _, c := range body.Cases {
			cats[c.Category]++
		}
		if cats["recruitment"] > 0 && cats["violent-extremist-propaganda"] > 0 && cats["false-claim"] > 0 && detectorOf(t, addr, token, "telegram", "d04") == "hashmatch" {
			t.Logf("%d cases after %s: %v", len(body.Cases), time.Since(start).Round(time.Millisecond), cats)
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	if time.Since(start) >= time.Minute {
		t.Fatalf("after a minute the demo shows cases %v; want recruitment (rules), violent-extremist-propaganda (bank) and false-claim (fact-checks)\n%s", cats, serr.String())
	}

	// A post pushed through the API goes through the same pipeline and
	// opens a case.
	req, _ := http.NewRequest("POST", "http://"+addr+"/v1/posts", strings.NewReader(`{"posts":[{"id":"api-1","platform":"x","text":"Brothers, join the ranks of the mujahideen in Sham"}]}`))
	req.Header.Set("Authorization", "Bearer "+ingestToken)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("push: %d", resp.StatusCode)
	}
	for pushed := time.Now(); detectorOf(t, addr, token, "x", "api-1") != "rules"; time.Sleep(50 * time.Millisecond) {
		if time.Since(pushed) > 30*time.Second {
			t.Fatal("the pushed post was not processed within 30 s")
		}
	}
	// "/" leads a person to the review screen.
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err = noFollow.Get("http://" + addr + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != "/ui/" {
		t.Errorf("GET /: %d to %q, want 302 to /ui/", resp.StatusCode, resp.Header.Get("Location"))
	}
}

func TestDemoPlatformChecksSignatures(t *testing.T) {
	secret := []byte("0123456789abcdef0123456789abcdef")
	h := demo.PlatformHandler(secret)
	body := []byte(`{"id":"ref-1-x"}`)
	for _, tc := range []struct {
		sig  string
		want int
	}{
		{notify.Sign(secret, time.Now(), body), http.StatusAccepted},
		{notify.Sign([]byte("another secret, not the demo's!"), time.Now(), body), http.StatusUnauthorized},
		{"", http.StatusUnauthorized},
	} {
		req := httptest.NewRequest("POST", "/referrals/x", bytes.NewReader(body))
		req.Header.Set(notify.SignatureHeader, tc.sig)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != tc.want {
			t.Errorf("signature %q: %d, want %d", tc.sig, rec.Code, tc.want)
		}
	}
}

// detectorOf returns the detector of the first signal on a post ("" when
// the post is not stored or not processed yet).
func detectorOf(t *testing.T, addr, token, platform, id string) string {
	get := func(path string, v any) {
		req, _ := http.NewRequest("GET", "http://"+addr+path, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
			t.Fatal(err)
		}
	}
	var list struct{ Posts []struct{ Key int64 } }
	get("/v1/posts?platform="+platform+"&platform_post_id="+id, &list)
	if len(list.Posts) == 0 {
		return ""
	}
	var p struct{ Signals []struct{ Detector string } }
	get("/v1/posts/"+strconv.FormatInt(list.Posts[0].Key, 10), &p)
	if len(p.Signals) == 0 {
		return ""
	}
	return p.Signals[0].Detector
}
