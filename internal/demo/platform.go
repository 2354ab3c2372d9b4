package demo

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/basira-org/basira/internal/notify"
)

// platformNames are the platform names the demo's sample posts carry.
var platformNames = []string{"facebook", "telegram", "tiktok", "x"}

// StartPlatform runs a local stand-in for the platforms' trust-and-safety
// intake on a loopback port, and writes a platforms file pointing every demo
// platform at it, so that refer → sent (actioned) → appeal works in the demo
// with nothing outside the machine. It checks each referral's signature as a
// real platform would and accepts it. It stops when ctx ends.
func StartPlatform(ctx context.Context, home string) (string, error) {
	dir := filepath.Join(home, "demo-platform")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", err
	}
	secretPath := filepath.Join(dir, "secret.key")
	secret, err := os.ReadFile(secretPath)
	if err != nil || len(strings.TrimSpace(string(secret))) < 32 {
		b := make([]byte, 32)
		rand.Read(b)
		secret = []byte(hex.EncodeToString(b))
		if err := os.WriteFile(secretPath, secret, 0o600); err != nil {
			return "", err
		}
	}
	key := []byte(strings.TrimSpace(string(secret)))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("demo platform: %w", err)
	}
	srv := &http.Server{Handler: PlatformHandler(key), ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(ln)
	go func() {
		<-ctx.Done()
		srv.Close()
	}()
	var b strings.Builder
	b.WriteString("# Written by 'basira serve --demo': a local stand-in platform intake.\nplatforms:\n")
	for _, p := range platformNames {
		fmt.Fprintf(&b, "  - name: %s\n    webhook: http://%s/referrals/%s\n    secret_file: secret.key\n    sla: 24h\n", p, ln.Addr(), p)
	}
	path := filepath.Join(dir, "platforms.yaml")
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		ln.Close()
		return "", err
	}
	return path, nil
}

// PlatformHandler accepts signed referrals (202) and refuses anything
// unsigned (401), the way a platform's intake would.
func PlatformHandler(secret []byte) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || !strings.HasPrefix(r.URL.Path, "/referrals/") {
			http.NotFound(w, r)
			return
		}
		body, err := io.ReadAll(io.LimitReader(r.Body, 8<<20))
		if err != nil {
			http.Error(w, "read error", http.StatusBadRequest)
			return
		}
		if err := notify.Verify(secret, r.Header.Get(notify.SignatureHeader), body, time.Now(), 5*time.Minute); err != nil {
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		w.WriteHeader(http.StatusAccepted)
	})
}
