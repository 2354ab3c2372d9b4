package referral

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// writeConfig writes a platforms file and a secret beside it.
func writeConfig(t *testing.T, body string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "tg.key"), []byte("0123456789abcdef0123456789abcdef\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "short.key"), []byte("short"), 0o600); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "platforms.yaml")
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestLoadConfig(t *testing.T) {
	path := writeConfig(t, `callback_url: https://basira.example.org/v1/referrals/
platforms:
  - name: telegram
    webhook: https://trust.example.com/basira
    secret_file: tg.key
    sla: 12h
    max_attempts: 5
  - name: x
    webhook: http://127.0.0.1:9/hook
    secret_file: tg.key
`)
	cfg, err := LoadConfig(path)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.CallbackURL != "https://basira.example.org/v1/referrals" {
		t.Errorf("callback %q: the trailing slash must go", cfg.CallbackURL)
	}
	tg := cfg.Platforms["telegram"]
	if tg.Webhook != "https://trust.example.com/basira" || tg.SLA != 12*time.Hour || tg.MaxAttempts != 5 || string(tg.Secret) != "0123456789abcdef0123456789abcdef" {
		t.Errorf("telegram: %+v (the secret is read from its file, trimmed)", tg)
	}
	if x := cfg.Platforms["x"]; x.SLA != DefaultSLA || x.MaxAttempts != 0 {
		t.Errorf("x: %+v, want the defaults", x)
	}
}

func TestConfigErrors(t *testing.T) {
	const ok = "  - name: telegram\n    webhook: https://t.example/h\n    secret_file: tg.key\n"
	for _, tc := range []struct {
		name, body, want string
	}{
		{"empty", "", "platforms.yaml: empty"},
		{"no platforms", "platforms: []\n", "no platforms"},
		{"unknown top key", "platfroms: []\n", "platfroms"},
		{"unknown key", "platforms:\n  - name: telegram\n    webhok: https://t.example/h\n", "platforms.yaml:3: unknown field \"webhok\""},
		{"not a mapping", "platforms:\n  - telegram\n", "platforms.yaml:2: each platform must be a mapping"},
		{"bad name", "platforms:\n  - name: Tele Gram\n    webhook: https://t.example/h\n    secret_file: tg.key\n", "platforms.yaml:2: name \"Tele Gram\""},
		{"plain http", "platforms:\n  - name: telegram\n    webhook: http://t.example/h\n    secret_file: tg.key\n", "platforms.yaml:2: platform telegram: webhook: \"http://t.example/h\": use https"},
		{"relative url", "platforms:\n  - name: telegram\n    webhook: /hook\n    secret_file: tg.key\n", "not an absolute URL"},
		{"no secret", "platforms:\n  - name: telegram\n    webhook: https://t.example/h\n", "secret_file is required"},
		{"missing secret", "platforms:\n  - name: telegram\n    webhook: https://t.example/h\n    secret_file: nope.key\n", "platforms.yaml:2: platform telegram: secret_file: open"},
		{"short secret", "platforms:\n  - name: telegram\n    webhook: https://t.example/h\n    secret_file: short.key\n", "is 5 bytes; use at least 16"},
		{"bad sla", "platforms:\n" + ok + "    sla: soon\n", "sla \"soon\""},
		{"tiny sla", "platforms:\n" + ok + "    sla: 1s\n", "at least 1m"},
		{"bad attempts", "platforms:\n" + ok + "    max_attempts: -1\n", "max_attempts -1"},
		{"attempts type", "platforms:\n" + ok + "    max_attempts: many\n", "platforms.yaml:2:"},
		{"duplicate", "platforms:\n" + ok + ok, "platforms.yaml:5: platform \"telegram\" is already configured on line 2"},
		{"bad callback", "callback_url: ftp://x/y\nplatforms:\n" + ok, "callback_url"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := LoadConfig(writeConfig(t, tc.body))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err %v, want it to contain %q", err, tc.want)
			}
		})
	}
	if _, err := LoadConfig(filepath.Join(t.TempDir(), "missing.yaml")); err == nil || !strings.Contains(err.Error(), "missing.yaml") {
		t.Fatalf("missing file: %v", err)
	}
	if _, err := ParseConfig("big.yaml", make([]byte, MaxConfigBytes+1)); err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Fatalf("oversized file: %v", err)
	}
}

// FuzzParseConfig: any input gives a config or an error naming the file,
// never a panic, and a config always has valid platforms.
func FuzzParseConfig(f *testing.F) {
	f.Add([]byte("platforms:\n  - name: telegram\n    webhook: https://t.example/h\n    secret_file: tg.key\n    sla: 24h\n"))
	f.Add([]byte("callback_url: https://b.example/v1/referrals\nplatforms: [{name: x, webhook: 'http://localhost/h', secret_file: tg.key, max_attempts: 3}]\n"))
	f.Add([]byte("platforms:\n  - name: x\n    name: y\n"))
	f.Add([]byte("platforms: &a [*a]\n"))
	dir := f.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "tg.key"), []byte("0123456789abcdef0123456789abcdef"), 0o600); err != nil {
		f.Fatal(err)
	}
	name := filepath.Join(dir, "p.yaml")
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, err := ParseConfig(name, data)
		if err != nil {
			if !strings.HasPrefix(err.Error(), name) {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		if len(cfg.Platforms) == 0 {
			t.Fatal("a config without platforms was accepted")
		}
		for n, p := range cfg.Platforms {
			if n != p.Name || len(p.Secret) < MinSecretBytes || p.SLA < time.Minute || checkURL(p.Webhook) != nil {
				t.Fatalf("invalid platform accepted: %+v", p)
			}
		}
	})
}
