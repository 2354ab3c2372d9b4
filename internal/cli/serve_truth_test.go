package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestServeDebunkLoop runs `basira serve --demo` and closes the loop
// through the API: two analysts write, approve and publish a debunk of a
// new rumour; a post repeating it, pushed right after, is matched to the
// debunk within 2 s; the debunk is on the public site and in the feeds,
// counts the post as matched after publication, and the post's case
// suggests the debunk's reply and link.
func TestServeDebunkLoop(t *testing.T) {
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
	token := func(role, name string) string {
		var out, errb syncBuffer
		env := &Env{Stdout: &out, Stderr: &errb, Stdin: strings.NewReader(""), Getenv: getenv}
		if code := Run(context.Background(), env, []string{"token", "create", "--role", role, "--name", name}); code != 0 {
			t.Fatalf("token create: %s", errb.String())
		}
		return strings.TrimSpace(out.String())
	}
	writer, approver, ingest := token("analyst", "writer"), token("analyst", "approver"), token("ingest", "feed")

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	var out, serr syncBuffer
	go func() {
		done <- Run(ctx, &Env{Stdout: &out, Stderr: &serr, Stdin: strings.NewReader(""), Getenv: getenv}, []string{"serve", "--demo", "--addr", "127.0.0.1:0"})
	}()
	defer func() {
		cancel()
		if code := <-done; code != 0 {
			t.Errorf("serve exited %d: %s", code, serr.String())
		}
	}()
	addrRe := regexp.MustCompile(`listening on (\S+)`)
	var base string
	for start := time.Now(); base == ""; time.Sleep(50 * time.Millisecond) {
		if m := addrRe.FindStringSubmatch(serr.String()); m != nil {
			base = "http://" + m[1]
		} else if time.Since(start) > 30*time.Second {
			t.Fatalf("serve did not start: %s", serr.String())
		}
	}
	call := func(tok, method, path string, in any, want int, v any) {
		t.Helper()
		var body io.Reader
		if in != nil {
			b, _ := json.Marshal(in)
			body = bytes.NewReader(b)
		}
		req, _ := http.NewRequest(method, base+path, body)
		if tok != "" {
			req.Header.Set("Authorization", "Bearer "+tok)
		}
		if in != nil {
			req.Header.Set("Content-Type", "application/json")
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != want {
			t.Fatalf("%s %s: %d, want %d: %s", method, path, resp.StatusCode, want, b)
		}
		if v != nil {
			if err := json.Unmarshal(b, v); err != nil {
				t.Fatalf("%s %s: %v: %s", method, path, err, b)
			}
		}
	}

	rumour := "وزارة الصحة تعلن إغلاق جميع المدارس في الرباط غدا بسبب انتشار الكوليرا"
	content := map[string]any{"rating": "false", "texts": map[string]any{
		"ar": map[string]any{"claim": rumour, "truth": "لم تصدر الوزارة أي قرار بإغلاق المدارس، ولا توجد حالات كوليرا مسجلة في الرباط."},
		"fr": map[string]any{"claim": "Le ministère de la Santé ferme toutes les écoles de Rabat demain à cause du choléra", "truth": "Aucune fermeture d'école n'a été décidée."},
	}}
	var d struct {
		ID      int64
		Live    int
		Pages   map[string]string
		Matches struct{ Before, After int64 }
	}
	call(writer, "POST", "/v1/debunks", map[string]any{"content": content}, 201, &d)
	path := "/v1/debunks/" + strconv.FormatInt(d.ID, 10)
	call(writer, "POST", path+"/approve", nil, 403, nil)
	call(approver, "POST", path+"/approve", nil, 200, nil)
	call(writer, "POST", path+"/publish", nil, 200, &d)
	published := time.Now()
	if d.Live != 1 || !strings.HasSuffix(d.Pages["ar"], "/truth/"+strconv.FormatInt(d.ID, 10)+"/ar") {
		t.Fatalf("published %+v", d)
	}

	// A post repeating the rumour, pushed at once.
	call(ingest, "POST", "/v1/posts", map[string]any{"posts": []map[string]any{{"id": "rumour-1", "platform": "x", "lang": "ar",
		"text": "عاجل: " + rumour + " شاركوا الخبر"}}}, 200, nil)
	claimID := "basira-debunk-" + strconv.FormatInt(d.ID, 10) + "-ar"
	var caseID int64
	for {
		var list struct {
			Posts []struct{ Key int64 }
		}
		call(approver, "GET", "/v1/posts?platform=x&limit=10", nil, 200, &list)
		matched := false
		for _, p := range list.Posts {
			var pw struct {
				CaseID  int64 `json:"case_id"`
				Signals []struct {
					Detector string
					Details  map[string]any
				}
			}
			call(approver, "GET", "/v1/posts/"+strconv.FormatInt(p.Key, 10), nil, 200, &pw)
			for _, s := range pw.Signals {
				// The post is read before its signals: a case id of 0
				// means it was processed in between; read again.
				if s.Detector == "claims" && s.Details["claim_id"] == claimID && pw.CaseID != 0 {
					matched, caseID = true, pw.CaseID
				}
			}
		}
		if matched {
			break
		}
		if time.Since(published) > 2*time.Second {
			t.Fatalf("the post repeating the rumour was not matched to debunk %d within 2 s of publication\n%s", d.ID, serr.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Logf("matched %s after publication", time.Since(published).Round(time.Millisecond))

	call(approver, "GET", path, nil, 200, &d)
	if d.Matches.After != 1 {
		t.Fatalf("matches %+v, want 1 after publication", d.Matches)
	}
	var reply struct {
		Suggestions []struct {
			DebunkID int64 `json:"debunk_id"`
			Replies  []struct{ Lang, Text, URL string }
		}
	}
	call(approver, "GET", "/v1/cases/"+strconv.FormatInt(caseID, 10)+"/reply", nil, 200, &reply)
	if len(reply.Suggestions) == 0 || reply.Suggestions[0].DebunkID != d.ID || reply.Suggestions[0].Replies[0].Lang != "ar" ||
		!strings.HasPrefix(reply.Suggestions[0].Replies[0].Text, "لم تصدر الوزارة") || reply.Suggestions[0].Replies[0].URL != d.Pages["ar"] {
		t.Fatalf("reply suggestion %+v", reply)
	}

	// The public site: no token.
	for _, p := range []string{"/truth/", "/truth/feed.atom", "/truth/feed.json"} {
		resp, err := http.Get(base + p)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.Contains(string(b), "/truth/"+strconv.FormatInt(d.ID, 10)+"/ar") {
			t.Fatalf("%s: %d does not list the debunk:\n%s", p, resp.StatusCode, b)
		}
	}
	resp, err := http.Get(d.Pages["fr"])
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(b), `lang="fr" dir="ltr"`) || !strings.Contains(string(b), "choléra") {
		t.Fatalf("french page: %d\n%s", resp.StatusCode, b)
	}
}
