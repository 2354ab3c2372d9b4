package referral

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/basira-org/basira/internal/notify"
)

// MaxConfigBytes bounds a platforms file.
const MaxConfigBytes = 1 << 20

// MinSecretBytes is the shortest webhook secret accepted: an HMAC key
// shorter than this is guessable.
const MinSecretBytes = 16

// DefaultSLA is the answer deadline of a platform that sets none.
const DefaultSLA = 24 * time.Hour

// Config is a parsed platforms file.
type Config struct {
	// CallbackURL is the base of the answer route platforms call
	// ("https://basira.example.org/v1/referrals"); each payload names
	// CallbackURL/{id}/status. Empty: payloads name no callback.
	CallbackURL string
	Platforms   map[string]notify.Platform
}

type platformEntry struct {
	Name        string `yaml:"name"`
	Webhook     string `yaml:"webhook"`
	SecretFile  string `yaml:"secret_file"`
	SLA         string `yaml:"sla"`
	MaxAttempts int    `yaml:"max_attempts"`
}

type configFile struct {
	CallbackURL string      `yaml:"callback_url"`
	Platforms   []yaml.Node `yaml:"platforms"`
}

var platformName = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,63}$`)

// LoadConfig reads a platforms file. Secrets are read from the files it
// names (relative to the platforms file's folder); errors name the file
// and line.
func LoadConfig(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("platforms file: %w", err)
	}
	return ParseConfig(path, data)
}

// ParseConfig parses the YAML document data; name is used in errors and to
// resolve relative secret_file paths.
//
//	callback_url: https://basira.example.org/v1/referrals   # optional
//	platforms:
//	  - name: telegram
//	    webhook: https://trust.example.com/basira
//	    secret_file: secrets/telegram.key
//	    sla: 24h
//	    max_attempts: 10
func ParseConfig(name string, data []byte) (*Config, error) {
	if len(data) > MaxConfigBytes {
		return nil, fmt.Errorf("%s: larger than %d bytes; a platforms file lists a few platforms", name, MaxConfigBytes)
	}
	var f configFile
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("%s: empty; list platforms: [{name, webhook, secret_file, sla, max_attempts}]", name)
		}
		return nil, fmt.Errorf("%s: %v", name, strings.TrimPrefix(err.Error(), "yaml: "))
	}
	cfg := &Config{Platforms: map[string]notify.Platform{}}
	if f.CallbackURL != "" {
		if err := checkURL(f.CallbackURL); err != nil {
			return nil, fmt.Errorf("%s: callback_url: %w", name, err)
		}
		cfg.CallbackURL = strings.TrimRight(f.CallbackURL, "/")
	}
	if len(f.Platforms) == 0 {
		return nil, fmt.Errorf("%s: no platforms; list them under platforms: [{name, webhook, secret_file, sla, max_attempts}]", name)
	}
	base := filepath.Dir(name)
	lines := map[string]int{}
	for _, node := range f.Platforms {
		if err := checkKeys(&node); err != nil {
			return nil, fmt.Errorf("%s:%w", name, err)
		}
		var e platformEntry
		if err := node.Decode(&e); err != nil {
			return nil, fmt.Errorf("%s:%d: %v", name, node.Line, strings.TrimPrefix(err.Error(), "yaml: "))
		}
		p, err := buildPlatform(e, base)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %w", name, node.Line, err)
		}
		if line, dup := lines[p.Name]; dup {
			return nil, fmt.Errorf("%s:%d: platform %q is already configured on line %d", name, node.Line, p.Name, line)
		}
		lines[p.Name] = node.Line
		cfg.Platforms[p.Name] = p
	}
	return cfg, nil
}

func buildPlatform(e platformEntry, base string) (notify.Platform, error) {
	p := notify.Platform{Name: e.Name, Webhook: e.Webhook, MaxAttempts: e.MaxAttempts, SLA: DefaultSLA}
	if !platformName.MatchString(e.Name) {
		return p, fmt.Errorf("name %q: want the platform name posts carry (lower case letters, digits, . _ -), e.g. telegram", e.Name)
	}
	if err := checkURL(e.Webhook); err != nil {
		return p, fmt.Errorf("platform %s: webhook: %w", e.Name, err)
	}
	if e.MaxAttempts < 0 || e.MaxAttempts > 100 {
		return p, fmt.Errorf("platform %s: max_attempts %d: want 1 to 100 (0 for the default, 10)", e.Name, e.MaxAttempts)
	}
	if e.SLA != "" {
		d, err := time.ParseDuration(e.SLA)
		if err != nil || d < time.Minute {
			return p, fmt.Errorf("platform %s: sla %q: want a duration of at least 1m, like 24h", e.Name, e.SLA)
		}
		p.SLA = d
	}
	if e.SecretFile == "" {
		return p, fmt.Errorf("platform %s: secret_file is required (a file holding the shared webhook secret; secrets never go in this file)", e.Name)
	}
	path := e.SecretFile
	if !filepath.IsAbs(path) {
		path = filepath.Join(base, path)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return p, fmt.Errorf("platform %s: secret_file: %w", e.Name, err)
	}
	p.Secret = bytes.TrimSpace(b)
	if len(p.Secret) < MinSecretBytes {
		return p, fmt.Errorf("platform %s: the secret in %s is %d bytes; use at least %d random bytes (e.g. openssl rand -hex 32)", e.Name, path, len(p.Secret), MinSecretBytes)
	}
	return p, nil
}

// checkURL accepts https URLs, and plain http only to a loopback host (a
// local test receiver): referrals carry evidence and must not cross a
// network in clear.
func checkURL(s string) error {
	u, err := url.Parse(s)
	if err != nil || u.Host == "" {
		return fmt.Errorf("%q is not an absolute URL", s)
	}
	switch u.Scheme {
	case "https":
		return nil
	case "http":
		host := u.Hostname()
		if ip := net.ParseIP(host); host == "localhost" || (ip != nil && ip.IsLoopback()) {
			return nil
		}
		return fmt.Errorf("%q: use https (plain http is allowed only to localhost)", s)
	}
	return fmt.Errorf("%q: want an https URL", s)
}

func checkKeys(n *yaml.Node) error {
	if n.Kind != yaml.MappingNode {
		return fmt.Errorf("%d: each platform must be a mapping (name: …, webhook: …)", n.Line)
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		switch k := n.Content[i]; k.Value {
		case "name", "webhook", "secret_file", "sla", "max_attempts":
		default:
			return fmt.Errorf("%d: unknown field %q in a platform (known: name, webhook, secret_file, sla, max_attempts)", k.Line, k.Value)
		}
	}
	return nil
}
