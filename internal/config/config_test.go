package config

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func getenv(kv ...string) func(string) string {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return func(k string) string { return m[k] }
}

func TestStoreSpecs(t *testing.T) {
	tests := []struct{ spec, kind, addr string }{
		{"sqlite:/tmp/x.db", "sqlite", "/tmp/x.db"},
		{"sqlite:///tmp/x.db", "sqlite", "/tmp/x.db"},
		{"data/b.db", "sqlite", "data/b.db"},
		{"postgres://u:p@h/db", "postgres", "postgres://u:p@h/db"},
		{"postgresql://h/db", "postgres", "postgresql://h/db"},
	}
	for _, tc := range tests {
		k, a, err := StoreKind(tc.spec)
		if err != nil || k != tc.kind || a != tc.addr {
			t.Errorf("StoreKind(%q) = %q %q %v", tc.spec, k, a, err)
		}
	}
	if _, _, err := StoreKind("redis://x"); !errors.Is(err, ErrInvalid) {
		t.Errorf("redis accepted as a store: %v", err)
	}
	if r := RedactStore("postgres://u:secret@h/db"); strings.Contains(r, "secret") {
		t.Errorf("password shown: %s", r)
	}
}

func TestResolveFromFileSecretAndDefaults(t *testing.T) {
	f := filepath.Join(t.TempDir(), "pg")
	os.WriteFile(f, []byte("postgres://u:s@h/db\n"), 0o600)
	var c Config
	fs := flag.NewFlagSet("x", flag.ContinueOnError)
	c.DefineStore(fs, true)
	if err := fs.Parse(nil); err != nil {
		t.Fatal(err)
	}
	if err := c.Resolve(getenv("BASIRA_STORE_FILE", f)); err != nil || c.Store != "postgres://u:s@h/db" || c.Bus != "memory" {
		t.Fatalf("resolve: %+v %v", c, err)
	}
	// A flag wins over the environment.
	c = Config{}
	fs = flag.NewFlagSet("x", flag.ContinueOnError)
	c.DefineStore(fs, true)
	fs.Parse([]string{"--store", "sqlite:/tmp/a.db", "--bus", "nats://n:4222"})
	if err := c.Resolve(getenv("BASIRA_STORE", "postgres://x/y", "BASIRA_BUS", "memory")); err != nil || c.Store != "sqlite:/tmp/a.db" || c.Bus != "nats://n:4222" {
		t.Fatalf("flags lost to the environment: %+v %v", c, err)
	}
	// The default store is in the workspace, which is created.
	home := filepath.Join(t.TempDir(), "ws")
	c = Config{}
	c.DefineStore(flag.NewFlagSet("x", flag.ContinueOnError), false)
	if err := c.Resolve(getenv("BASIRA_HOME", home)); err != nil || c.Store != "sqlite:"+filepath.Join(home, "basira.db") {
		t.Fatalf("default store: %q %v", c.Store, err)
	}
	if _, err := os.Stat(home); err != nil {
		t.Fatalf("workspace not created: %v", err)
	}
	// A missing *_FILE is an error, naming the variable.
	c = Config{}
	c.DefineStore(flag.NewFlagSet("x", flag.ContinueOnError), false)
	if err := c.Resolve(getenv("BASIRA_STORE_FILE", "/nonexistent/pg")); err == nil || !strings.Contains(err.Error(), "BASIRA_STORE_FILE") {
		t.Fatalf("missing secret file: %v", err)
	}
}

func TestResolveOnlyWhatWasDefined(t *testing.T) {
	// A worker does not listen: a broken BASIRA_ADDR_FILE is not its
	// business.
	var c Config
	c.DefineStore(flag.NewFlagSet("x", flag.ContinueOnError), true)
	if err := c.Resolve(getenv("BASIRA_STORE", "sqlite:/tmp/x.db", "BASIRA_ADDR_FILE", "/nonexistent")); err != nil {
		t.Fatal(err)
	}
	if c.Addr != "" {
		t.Fatalf("addr resolved for a command without --addr: %q", c.Addr)
	}
	c = Config{}
	c.DefineServe(flag.NewFlagSet("x", flag.ContinueOnError))
	if err := c.Resolve(getenv()); err != nil || c.Addr != ":8080" || c.Grace != DefaultGrace {
		t.Fatalf("serve defaults: %q %v %v", c.Addr, c.Grace, err)
	}
}

func TestValidate(t *testing.T) {
	bad := []func(*Config){
		func(c *Config) { c.Store = "redis://x" },
		func(c *Config) { c.Bus = "kafka://x" },
		func(c *Config) { c.Tokens = "vault" },
		func(c *Config) { c.Media.Fetch, c.Media.MaxBytes = true, 0 },
	}
	for i, mutate := range bad {
		var c Config
		fs := flag.NewFlagSet("x", flag.ContinueOnError)
		c.DefineStore(fs, true)
		c.DefineTokens(fs)
		c.DefineMedia(fs)
		fs.Parse(nil)
		if err := c.Resolve(getenv("BASIRA_STORE", "sqlite:/tmp/x.db")); err != nil {
			t.Fatal(err)
		}
		if err := c.Validate(); err != nil {
			t.Fatalf("%d: defaults invalid: %v", i, err)
		}
		mutate(&c)
		if err := c.Validate(); !errors.Is(err, ErrInvalid) {
			t.Errorf("%d: accepted %+v (%v)", i, c, err)
		}
	}
}

func TestTokensInStore(t *testing.T) {
	for _, tc := range []struct {
		store, tokens string
		want          bool
	}{
		{"sqlite:/x.db", "", false},
		{"postgres://h/db", "", true},
		{"postgres://h/db", "file", false},
		{"sqlite:/x.db", "store", true},
	} {
		c := Config{Store: tc.store, Tokens: tc.tokens}
		if got, err := c.TokensInStore(); err != nil || got != tc.want {
			t.Errorf("%+v: %v %v", tc, got, err)
		}
	}
}

func TestDumpRedactsSecrets(t *testing.T) {
	c := Config{Store: "postgres://basira:hunter2@db/basira", Bus: "nats://basira:natspass@n:4222?stream=S", PseudonymKey: []byte("k3y-s3cret")}
	var b bytes.Buffer
	c.Dump(&b)
	out := b.String()
	for _, secret := range []string{"hunter2", "k3y-s3cret", "natspass"} {
		if strings.Contains(out, secret) {
			t.Errorf("dump shows %q:\n%s", secret, out)
		}
	}
	for _, want := range []string{"store: postgres://basira:xxxxx@db/basira", "pseudonym_key: set", "bus: nats://basira:xxxxx@n:4222?stream=S"} {
		if !strings.Contains(out, want) {
			t.Errorf("dump lacks %q:\n%s", want, out)
		}
	}
}
