package cli

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	natsbus "github.com/basira-org/basira/internal/bus/nats"
)

// TestNoSecretInAnyOutput reproduces issue 15 item 7: a run of serve is
// given secrets (the store and bus passwords, the pseudonymisation key,
// credentials in a media URL, authors' handles in several fields) and
// every output of the run is searched for them: its log, the API's
// answers (posts, audit, stats, metrics), `audit list`, and every byte of
// every file it created. With BASIRA_TEST_POSTGRES and BASIRA_TEST_NATS
// the store and bus carry passwords too.
func TestNoSecretInAnyOutput(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the whole service")
	}
	secrets := map[string]string{
		"pseudonym key": "S3cretPseudonymKey-4f9a1c",
		"media URL":     "S3cretMediaPass",
		"author":        "S3cretAuthorHandle",
		"username":      "S3cretUsername",
		"screen_name":   "S3cretScreenName",
	}
	home := t.TempDir()
	vars := map[string]string{"BASIRA_HOME": home, "BASIRA_LOG_LEVEL": "debug", "BASIRA_PSEUDONYM_KEY": secrets["pseudonym key"]}
	if pg, nu := os.Getenv("BASIRA_TEST_POSTGRES"), os.Getenv("BASIRA_TEST_NATS"); pg != "" && nu != "" {
		secrets["store password"] = "S3cretStorePass"
		secrets["bus password"] = "S3cretBusPass"
		u, err := url.Parse(pgSchemaDSN(t))
		if err != nil {
			t.Fatal(err)
		}
		u.User = url.UserPassword(u.User.Username(), secrets["store password"])
		vars["BASIRA_STORE"] = u.String()
		b, err := url.Parse(nu)
		if err != nil {
			t.Fatal(err)
		}
		b.User = url.UserPassword("basira", secrets["bus password"])
		name := fmt.Sprintf("secrets%d", time.Now().UnixNano()%1e9)
		b.RawQuery = fmt.Sprintf("stream=%s&subject=secrets.%s&consumer=%s", strings.ToUpper(name), name, name)
		vars["BASIRA_BUS"] = b.String()
		t.Cleanup(func() {
			if nb, err := natsbus.Open(context.Background(), vars["BASIRA_BUS"], natsbus.Options{}); err == nil {
				nb.DeleteStream(context.Background())
				nb.Close()
			}
		})
	} else {
		t.Log("BASIRA_TEST_POSTGRES and BASIRA_TEST_NATS not both set: store and bus passwords not tried")
	}
	getenv := func(k string) string { return vars[k] }
	var outputs bytes.Buffer // everything the run wrote or answered
	token := func(role string) string {
		var out syncBuffer
		if code := Run(context.Background(), &Env{Stdout: &out, Stderr: &outputs, Stdin: strings.NewReader(""), Getenv: getenv},
			[]string{"token", "create", "--role", role, "--name", "secrets-" + role}); code != 0 {
			t.Fatalf("token create: %s", outputs.String())
		}
		return strings.TrimSpace(out.String())
	}
	admin, ingest := token("admin"), token("ingest")

	ctx, cancel := context.WithCancel(context.Background())
	var serr syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- Run(ctx, &Env{Stdout: &serr, Stderr: &serr, Stdin: strings.NewReader(""), Getenv: getenv},
			[]string{"serve", "--addr", "127.0.0.1:0", "--fetch-media", "--media-timeout", "2s", "--rules", repoFile(t, "rules/examples.yaml")})
	}()
	addr := waitListening(t, &serr)
	call := func(method, path, token, body string) string {
		req, _ := http.NewRequest(method, "http://"+addr+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	// The first post is refused (a URL with credentials); the second is
	// stored and its media fetch fails, with a warning in the log.
	push := fmt.Sprintf(`{"posts":[{"id":"s0","platform":"twitter","text":"x","media":[{"url":"http://media:%s@127.0.0.1:9/x.jpg"}]},{"id":"s1","platform":"twitter","author":"@%s","username":"%s","user":{"screen_name":"%s"},"text":"انضموا إلينا في صفوف المجاهدين","media":[{"url":"http://127.0.0.1:9/x.jpg"}]}]}`,
		secrets["media URL"], secrets["author"], secrets["username"], secrets["screen_name"])
	outputs.WriteString(call("POST", "/v1/posts", ingest, push))
	// Wait for the worker to process it (the media fetch fails and warns).
	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(serr.String(), "media not hashed") && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
	if !strings.Contains(serr.String(), "media not hashed") {
		t.Errorf("the media fetch never warned:\n%s", serr.String())
	}
	for _, path := range []string{"/v1/posts", "/v1/audit?limit=1000", "/v1/stats", "/v1/cases", "/metrics", "/v1/tokens"} {
		outputs.WriteString(call("GET", path, admin, ""))
	}
	cancel()
	if code := <-done; code != 0 {
		t.Errorf("serve exited %d", code)
	}
	outputs.WriteString(serr.String())
	var list syncBuffer
	Run(context.Background(), &Env{Stdout: &list, Stderr: &list, Stdin: strings.NewReader(""), Getenv: getenv}, []string{"audit", "list", "--limit", "0"})
	if !strings.Contains(list.String(), "serve.start") {
		t.Errorf("audit list: %s", list.String())
	}
	outputs.WriteString(list.String())
	filepath.WalkDir(home, func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			b, _ := os.ReadFile(path)
			outputs.Write(b)
			if info, err := d.Info(); err == nil && info.Mode().Perm()&0o077 != 0 {
				t.Errorf("%s is readable by others: %v", path, info.Mode())
			}
		}
		return nil
	})
	for what, s := range secrets {
		if i := bytes.Index(outputs.Bytes(), []byte(s)); i >= 0 {
			lo := max(0, i-200)
			t.Errorf("the %s appears in the run's output: …%q…", what, outputs.Bytes()[lo:min(outputs.Len(), i+60)])
		}
	}
}

func waitListening(t *testing.T, serr *syncBuffer) string {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if m := listenRE.FindStringSubmatch(serr.String()); m != nil {
			return m[1]
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("serve did not start: %s", serr.String())
	return ""
}
