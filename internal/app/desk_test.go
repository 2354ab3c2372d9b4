package app

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/basira-org/basira/internal/auth"
	"github.com/basira-org/basira/internal/server"
)

// TestRumourDeskThroughTheAPI pushes a rumour worded four ways through the
// API of a running service and follows it to the rumour desk: it is
// listed under /v1/claims/trending within seconds, and an analyst opens
// its case once.
func TestRumourDeskThroughTheAPI(t *testing.T) {
	cfg := testConfig(t, 1)
	cfg.DeskEvery = 100 * time.Millisecond
	a := open(t, cfg)
	tokens, err := auth.OpenFileStore(filepath.Join(t.TempDir(), "tokens.json"))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	secret := map[auth.Role]string{}
	for _, r := range []auth.Role{auth.Ingest, auth.Analyst, auth.Viewer} {
		if secret[r], _, err = tokens.Create(ctx, string(r), r); err != nil {
			t.Fatal(err)
		}
	}
	addr := make(chan net.Addr, 1)
	done := make(chan error, 1)
	go func() {
		done <- a.Serve(ctx, ServeOptions{Deps: server.Deps{Tokens: tokens}, Listening: func(ad net.Addr) { addr <- ad }})
	}()
	base := "http://" + (<-addr).String()
	call := func(method, path string, role auth.Role, body string) (int, map[string]any) {
		t.Helper()
		req, _ := http.NewRequest(method, base+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+secret[role])
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&out)
		return resp.StatusCode, out
	}
	rumour := []string{
		"عاجل: وزارة الصحة تعلن إغلاق جميع المدارس لمدة شهر بسبب انتشار فيروس جديد",
		"خبر: إغلاق جميع المدارس لمدة شهر بقرار من وزارة الصحة بسبب فيروس جديد",
		"وزارة الصحة تعلن رسميا إغلاق جميع المدارس لمدة شهر بسبب فيروس جديد",
		"Urgent : le ministère de la santé ferme toutes les écoles pendant un mois",
	}
	var lines []string
	for i, text := range rumour {
		b, _ := json.Marshal(map[string]any{"platform": "x", "id": fmt.Sprint("r", i), "text": text, "author": fmt.Sprint("user", i)})
		lines = append(lines, string(b))
	}
	if code, out := call("POST", "/v1/posts", auth.Ingest, `{"posts":[`+strings.Join(lines, ",")+`]}`); code != http.StatusOK && code != http.StatusAccepted {
		t.Fatalf("push: %d %v", code, out)
	}
	var cluster map[string]any
	deadline := time.Now().Add(5 * time.Second)
	for cluster == nil && time.Now().Before(deadline) {
		code, out := call("GET", "/v1/claims/trending", auth.Viewer, "")
		if code != http.StatusOK {
			t.Fatalf("trending: %d %v", code, out)
		}
		if cs, _ := out["clusters"].([]any); len(cs) > 0 {
			cluster = cs[0].(map[string]any)
		} else {
			time.Sleep(50 * time.Millisecond)
		}
	}
	if cluster == nil {
		t.Fatal("no emerging claim listed within 5 s")
	}
	if n := cluster["posts"].(float64); n != 3 { // the French wording shares no words
		t.Errorf("cluster of %v posts, want the 3 Arabic wordings: %v", n, cluster)
	}
	key := cluster["key"].(string)
	if code, _ := call("POST", "/v1/claims/trending/"+key+"/case", auth.Viewer, ""); code != http.StatusForbidden {
		t.Errorf("a viewer opened a case: %d", code)
	}
	code, out := call("POST", "/v1/claims/trending/"+key+"/case", auth.Analyst, "")
	if code != http.StatusCreated {
		t.Fatalf("open case: %d %v", code, out)
	}
	c := out["case"].(map[string]any)
	if c["category"] != "emerging-claim" || c["status"] != "new" {
		t.Errorf("case %v", c)
	}
	if code, out = call("POST", "/v1/claims/trending/"+key+"/case", auth.Analyst, ""); code != http.StatusOK || out["created"] != false {
		t.Errorf("second open: %d %v", code, out)
	}
	if code, _ := call("GET", "/v1/claims/trending/nope", auth.Viewer, ""); code != http.StatusNotFound {
		t.Errorf("unknown cluster: %d", code)
	}
	code, out = call("GET", fmt.Sprintf("/v1/cases/%v", c["id"]), auth.Viewer, "")
	if code != http.StatusOK || len(out["posts"].([]any)) != 3 {
		t.Errorf("the case does not show the rumour's posts: %d %v", code, out)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
