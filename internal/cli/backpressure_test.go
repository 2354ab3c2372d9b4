package cli

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	natsbus "github.com/basira-org/basira/internal/bus/nats"
)

// TestMeasureBackPressure drives serve on PostgreSQL + NATS with pushes
// far faster than its one worker processes them, and reports when the
// first 503 came, the highest backlog seen, and how the pushes were
// answered (issue 15 item 10). BASIRA_MEASURE=1 with BASIRA_TEST_POSTGRES
// and BASIRA_TEST_NATS.
func TestMeasureBackPressure(t *testing.T) {
	if os.Getenv("BASIRA_MEASURE") == "" || os.Getenv("BASIRA_TEST_NATS") == "" {
		t.Skip("set BASIRA_MEASURE=1, BASIRA_TEST_POSTGRES and BASIRA_TEST_NATS to measure")
	}
	dsn := pgSchemaDSN(t)
	name := fmt.Sprintf("bp%d", time.Now().UnixNano()%1e9)
	busURL := fmt.Sprintf("%s?stream=%s&subject=bp.%s&consumer=%s", os.Getenv("BASIRA_TEST_NATS"), strings.ToUpper(name), name, name)
	t.Cleanup(func() {
		if b, err := natsbus.Open(context.Background(), busURL, natsbus.Options{}); err == nil {
			b.DeleteStream(context.Background())
			b.Close()
		}
	})
	home := t.TempDir()
	vars := map[string]string{"BASIRA_HOME": home, "BASIRA_LOG_LEVEL": "error", "BASIRA_PSEUDONYM_KEY": testKey, "BASIRA_STORE": dsn, "BASIRA_BUS": busURL}
	getenv := func(k string) string { return vars[k] }
	var tok, tokErr syncBuffer
	if code := Run(context.Background(), &Env{Stdout: &tok, Stderr: &tokErr, Stdin: strings.NewReader(""), Getenv: getenv}, []string{"token", "create", "--role", "ingest", "--name", "bp"}); code != 0 {
		t.Fatal(tokErr.String())
	}
	token := strings.TrimSpace(tok.String())
	ctx, cancel := context.WithCancel(context.Background())
	var serr syncBuffer
	done := make(chan int, 1)
	const limit = 2000
	go func() {
		done <- Run(ctx, &Env{Stdout: &serr, Stderr: &serr, Stdin: strings.NewReader(""), Getenv: getenv},
			[]string{"serve", "--addr", "127.0.0.1:0", "--workers", "1", "--max-backlog", strconv.Itoa(limit), "--rules", repoFile(t, "rules/examples.yaml")})
	}()
	defer func() { cancel(); <-done }()
	addr := waitListening(t, &serr)
	backlogRE := regexp.MustCompile(`(?m)^basira_backlog (\d+)`)
	var maxBacklog atomic.Int64
	stop := make(chan struct{})
	go func() {
		for {
			select {
			case <-stop:
				return
			case <-time.After(200 * time.Millisecond):
			}
			resp, err := http.Get("http://" + addr + "/metrics")
			if err != nil {
				continue
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if m := backlogRE.FindSubmatch(b); m != nil {
				n, _ := strconv.ParseInt(string(m[1]), 10, 64)
				if n > maxBacklog.Load() {
					maxBacklog.Store(n)
				}
			}
		}
	}()
	start := time.Now()
	var ok, refused, retryAfter atomic.Int64
	var first503 atomic.Int64
	var other atomic.Value
	var wg sync.WaitGroup
	var seq atomic.Int64
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Since(start) < 15*time.Second {
				// Pushes of 25 posts (one queued message each): the
				// backlog is counted in posts, so the limit holds whatever
				// the size of the pushes.
				i := seq.Add(1)
				var posts []string
				for j := range 25 {
					posts = append(posts, fmt.Sprintf(`{"id":"bp-%d-%d-%d","platform":"x","text":"انضموا إلينا في صفوف المجاهدين %d"}`, w, i, j, i))
				}
				body := `{"posts":[` + strings.Join(posts, ",") + `]}`
				req, _ := http.NewRequest("POST", "http://"+addr+"/v1/posts", strings.NewReader(body))
				req.Header.Set("Authorization", "Bearer "+token)
				req.Header.Set("Content-Type", "application/json")
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					other.Store(err.Error())
					time.Sleep(10 * time.Millisecond)
					continue
				}
				rb, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 && resp.StatusCode != 503 {
					other.Store(fmt.Sprintf("%d %s", resp.StatusCode, rb))
				}
				switch resp.StatusCode {
				case 200:
					ok.Add(1)
				case 503:
					refused.Add(1)
					first503.CompareAndSwap(0, int64(time.Since(start)))
					if resp.Header.Get("Retry-After") != "" {
						retryAfter.Add(1)
					}
					time.Sleep(100 * time.Millisecond)
				}
			}
		}()
	}
	wg.Wait()
	close(stop)
	t.Logf("15 s of pushes: %d accepted, %d refused with 503 (%d with Retry-After); first 503 after %v; highest backlog seen %d posts (limit %d, stream bound %d messages)",
		ok.Load(), refused.Load(), retryAfter.Load(), time.Duration(first503.Load()).Round(time.Millisecond), maxBacklog.Load(), limit, natsbus.DefaultMaxMessages)
	if o := other.Load(); o != nil {
		t.Logf("other answers, e.g. %s", o)
	}
	if refused.Load() == 0 || retryAfter.Load() != refused.Load() {
		t.Errorf("no back-pressure")
	}
}
