// Package config is the one typed configuration of Basira's service
// commands (serve, worker, ingest, bench ingest and the commands that open
// the store). A value is read from its flag, else from the environment
// (NAME, or the file named by NAME_FILE for secrets mounted as files), else
// from its default. Commands define the flags they take with the Define*
// methods, parse, then call Resolve and Validate; only what a command
// defined is resolved, so a command never fails on a setting it ignores.
package config

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/basira-org/basira/internal/bus"
	"github.com/basira-org/basira/internal/media"
	"github.com/basira-org/basira/internal/store/postgres"
)

// DefaultHome is the workspace folder used when BASIRA_HOME is not set:
// banks, fact-checks, models and the embedded database live there.
const DefaultHome = "basira-data"

// DefaultGrace is the time shutdown gives every stage to finish.
const DefaultGrace = 15 * time.Second

// ErrInvalid marks a setting given in a form Basira cannot use; commands
// report it as a usage error (exit status 2).
var ErrInvalid = errors.New("invalid setting")

func invalidf(format string, a ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalid, fmt.Sprintf(format, a...))
}

// Config is what a service process runs with.
type Config struct {
	// Home is the workspace folder (BASIRA_HOME, default ./basira-data).
	Home string
	// Store is sqlite:PATH or postgres://… (--store, BASIRA_STORE).
	Store string
	// Bus is memory or nats://HOST:PORT (--bus, BASIRA_BUS).
	Bus string
	// Addr is serve's listening address (--addr, BASIRA_ADDR).
	Addr string
	// Tokens is where API tokens live: "file", "store" or "" for the
	// default of the store kind (--tokens, BASIRA_TOKENS).
	Tokens string
	// Workers is the detector workers of this process; each command
	// gives -1 its own meaning (see its --workers help).
	Workers int
	// Sources is serve's --sources file of connectors.
	Sources string
	// Platforms is serve's --platforms file of referral webhooks.
	Platforms string
	// MaxBacklog is serve's --max-backlog: with NATS, posts stored and
	// not yet processed past which pushes and /readyz answer 503.
	MaxBacklog int64
	// DeskEvery is how often serve's rumour desk recomputes the emerging
	// claims (--desk-every; 0 turns the desk off).
	DeskEvery time.Duration
	// Demo seeds a demo workspace (serve --demo).
	Demo bool
	// HMAFetchURLs lets the HMA routes fetch media by ?url= (serve
	// --hma-fetch-urls), within Media.MaxBytes and Media.Timeout.
	HMAFetchURLs bool
	// HMANoAuth lets loopback clients use the HMA routes without a token
	// (serve --hma-no-auth); serve refuses it unless Addr is loopback.
	HMANoAuth bool
	// HMAFullResolution hashes HMA uploads and URLs at full resolution,
	// for OMM's exact hash strings (serve --hma-full-resolution).
	HMAFullResolution bool
	// PublicURL is the origin of the public site of debunks (/truth/) as
	// readers reach it, for absolute links in pages, feeds and ClaimReview
	// (--public-url, BASIRA_PUBLIC_URL; empty: each request's own host).
	PublicURL string
	// Grace bounds shutdown: every stage (HTTP, connectors, workers,
	// background loops) must finish within it.
	Grace time.Duration
	// Media configures fetching and hashing of post attachments.
	Media Media
	// PseudonymKey keys author pseudonymisation (BASIRA_PSEUDONYM_KEY);
	// a secret, never shown.
	PseudonymKey []byte
	// LogLevel and LogJSON come from BASIRA_LOG_LEVEL and
	// BASIRA_LOG_FORMAT=json.
	LogLevel slog.Level
	LogJSON  bool

	defined groups
}

// Media configures the workers' fetching of post attachments.
type Media struct {
	Fetch     bool
	MaxBytes  int64
	Timeout   time.Duration
	KeepDir   string
	Retention time.Duration
	// Video hashes video attachments (vPDQ) through ffmpeg.
	Video        bool
	VideoTimeout time.Duration
	// OCR reads the text inside images and videos' key frames (Tesseract).
	OCR bool
}

type groups struct{ store, bus, serve, media, tokens bool }

// DefineStore defines --store, and --bus when withBus.
func (c *Config) DefineStore(fs *flag.FlagSet, withBus bool) {
	c.defined.store = true
	fs.StringVar(&c.Store, "store", "", "where state is kept: sqlite:PATH or postgres://… (env BASIRA_STORE or BASIRA_STORE_FILE; default: sqlite in the workspace, $BASIRA_HOME/basira.db)")
	if withBus {
		c.defined.bus = true
		fs.StringVar(&c.Bus, "bus", "", "work queue: memory (in-process) or nats://HOST:PORT (JetStream) (env BASIRA_BUS or BASIRA_BUS_FILE; default memory)")
	}
}

// DefineTokens defines --tokens, shared by serve and the token commands so
// that both pick the same place.
func (c *Config) DefineTokens(fs *flag.FlagSet) {
	c.defined.tokens = true
	fs.StringVar(&c.Tokens, "tokens", "", "where API tokens live: file ($BASIRA_HOME/tokens.json) or store (the database of --store, shared by every server) (env BASIRA_TOKENS; default store for postgres://…, file for sqlite)")
}

// DefineServe defines serve's own flags (not --workers, whose meaning
// each command words itself).
func (c *Config) DefineServe(fs *flag.FlagSet) {
	c.defined.serve = true
	fs.StringVar(&c.Addr, "addr", "", "address to listen on (env BASIRA_ADDR; default :8080, or 127.0.0.1:8080 with --demo)")
	fs.StringVar(&c.Sources, "sources", "", "sources `file` of connectors to run (see 'basira sources check --help')")
	fs.BoolVar(&c.Demo, "demo", false, "seed a demo workspace (sample posts, rules, a bank, fact-checks) so cases appear within a minute")
	fs.StringVar(&c.Platforms, "platforms", "", "platforms `file` of referral webhooks: cases decided 'refer' are sent to them (see docs/service.md#referrals)")
	fs.DurationVar(&c.Grace, "shutdown-grace", DefaultGrace, "time given to requests, connectors and workers to finish on shutdown")
	fs.BoolVar(&c.HMAFetchURLs, "hma-fetch-urls", false, "let the HMA routes (GET /h/hash, GET /m/lookup, POST /c/bank/NAME/content) fetch media by ?url=, from public addresses only (every redirect checked), within --media-max-bytes and --media-timeout")
	fs.BoolVar(&c.HMANoAuth, "hma-no-auth", false, "let clients on this machine use the HMA routes without a token (for OMM clients that cannot send one); only with a loopback --addr such as 127.0.0.1:8080")
	fs.BoolVar(&c.HMAFullResolution, "hma-full-resolution", false, "hash HMA uploads and URLs at full resolution, giving OpenMediaMatch's exact PDQ strings (default: resized to 512 px like Meta's C++ tool; both match within 31)")
	fs.StringVar(&c.PublicURL, "public-url", "", "origin of the public site of debunks as readers reach it, e.g. https://truth.example.org (env BASIRA_PUBLIC_URL; default: each request's host)")
	fs.DurationVar(&c.DeskEvery, "desk-every", time.Minute, "how often the rumour desk regroups the last day's check-worthy posts into emerging claims (GET /v1/claims/trending; 0: off; every 5s with --demo)")
	fs.Int64Var(&c.MaxBacklog, "max-backlog", 200000, "with --bus nats://…, posts stored and not yet processed past which pushes and /readyz answer 503 with Retry-After (0: no limit)")
}

// DefineMedia defines the media fetching flags of the workers.
func (c *Config) DefineMedia(fs *flag.FlagSet) {
	c.defined.media = true
	m := &c.Media
	fs.BoolVar(&m.Fetch, "fetch-media", false, "fetch post media (images and videos) and hash them (SHA-256, MD5, PDQ, vPDQ) before the detectors run, so hash banks match them; the hashes are stored with the post")
	fs.Int64Var(&m.MaxBytes, "media-max-bytes", media.DefaultMaxBytes, "with --fetch-media or --hma-fetch-urls, largest media file fetched")
	fs.DurationVar(&m.Timeout, "media-timeout", media.DefaultTimeout, "with --fetch-media or --hma-fetch-urls, time limit per media file")
	fs.StringVar(&m.KeepDir, "keep-media", "", "with --fetch-media, keep fetched media as evidence in this `folder`")
	fs.DurationVar(&m.Retention, "media-retention", 30*24*time.Hour, "with --keep-media, delete kept media not seen for this long")
	fs.BoolVar(&m.Video, "media-video", true, "with --fetch-media, also hash video attachments (vPDQ, one frame a second) with ffmpeg; without ffmpeg installed, videos get MD5 and SHA-256 only and a warning says so at start")
	fs.DurationVar(&m.VideoTimeout, "media-video-timeout", media.DefaultVideoTimeout, "with --media-video, time limit for decoding one video (and for reading the text in one attachment)")
	fs.BoolVar(&m.OCR, "ocr", false, "with --fetch-media, read the text inside images and videos' key frames (Tesseract: Arabic, French, English) and run the text detectors on it; about 2 s of CPU per image, so off by default")
}

// Lookup reads a setting from the environment: NAME, or the contents of
// the file named by NAME_FILE (for secrets mounted as files, such as a
// PostgreSQL address with a password).
func Lookup(getenv func(string) string, name string) (string, error) {
	if path := getenv(name + "_FILE"); path != "" {
		b, err := os.ReadFile(path)
		if err != nil {
			return "", fmt.Errorf("reading %s_FILE: %w", name, err)
		}
		return strings.TrimSpace(string(b)), nil
	}
	return getenv(name), nil
}

// HomeDir returns the workspace folder (BASIRA_HOME, default
// ./basira-data) joined with elem, creating the folder when create is true.
func HomeDir(getenv func(string) string, create bool, elem ...string) (string, error) {
	dir := getenv("BASIRA_HOME")
	if dir == "" {
		dir = DefaultHome
	}
	p := filepath.Join(append([]string{dir}, elem...)...)
	if create {
		if err := os.MkdirAll(p, 0o750); err != nil {
			return "", fmt.Errorf("creating the workspace folder (set BASIRA_HOME to choose another): %w", err)
		}
	}
	return p, nil
}

// Resolve fills what the flags left unset from the environment and the
// defaults, for the groups of settings the command defined.
func (c *Config) Resolve(getenv func(string) string) error {
	var err error
	c.Home, err = HomeDir(getenv, false)
	if err != nil {
		return err
	}
	if c.defined.store {
		if err := c.resolveStore(getenv); err != nil {
			return err
		}
	}
	if c.defined.bus {
		if c.Bus == "" {
			if c.Bus, err = Lookup(getenv, "BASIRA_BUS"); err != nil {
				return err
			}
		}
		if c.Bus == "" {
			c.Bus = "memory"
		}
	}
	if c.defined.tokens && c.Tokens == "" {
		if c.Tokens, err = Lookup(getenv, "BASIRA_TOKENS"); err != nil {
			return err
		}
	}
	if c.defined.serve {
		if c.Addr == "" {
			if c.Addr, err = Lookup(getenv, "BASIRA_ADDR"); err != nil {
				return err
			}
		}
		if c.PublicURL == "" {
			if c.PublicURL, err = Lookup(getenv, "BASIRA_PUBLIC_URL"); err != nil {
				return err
			}
		}
		if c.Demo && c.DeskEvery == time.Minute {
			// The demo's rumours arrive in its first seconds: show them
			// on the rumour desk at once rather than after a minute.
			c.DeskEvery = 5 * time.Second
		}
		if c.Addr == "" {
			c.Addr = ":8080"
			if c.Demo {
				// A demo prints a sign-in token: keep it on this machine.
				c.Addr = "127.0.0.1:8080"
			}
		}
	}
	if c.Grace <= 0 {
		c.Grace = DefaultGrace
	}
	key, err := Lookup(getenv, "BASIRA_PSEUDONYM_KEY")
	if err != nil {
		return err
	}
	c.PseudonymKey = []byte(key)
	if err := c.LogLevel.UnmarshalText([]byte(getenv("BASIRA_LOG_LEVEL"))); err != nil {
		c.LogLevel = slog.LevelInfo
	}
	c.LogJSON = getenv("BASIRA_LOG_FORMAT") == "json"
	return nil
}

func (c *Config) resolveStore(getenv func(string) string) error {
	var err error
	if c.Store == "" {
		if c.Store, err = Lookup(getenv, "BASIRA_STORE"); err != nil {
			return err
		}
	}
	if c.Store == "" {
		dir, err := HomeDir(getenv, true)
		if err != nil {
			return err
		}
		c.Store = "sqlite:" + filepath.Join(dir, "basira.db")
	}
	return nil
}

// Validate reports the first setting Basira cannot use, wrapping
// ErrInvalid.
func (c *Config) Validate() error {
	if c.defined.store {
		if _, _, err := StoreKind(c.Store); err != nil {
			return err
		}
	}
	if c.defined.bus {
		if err := checkBus(c.Bus); err != nil {
			return err
		}
	}
	if c.defined.tokens {
		switch c.Tokens {
		case "", "file", "store":
		default:
			return invalidf("--tokens %q: give file or store", c.Tokens)
		}
	}
	if c.defined.serve && c.PublicURL != "" {
		if u, err := url.Parse(c.PublicURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || (u.Path != "" && u.Path != "/") {
			return invalidf("--public-url %q: give an origin such as https://truth.example.org", c.PublicURL)
		}
	}
	if c.defined.media && (c.Media.Fetch || c.HMAFetchURLs) && c.Media.MaxBytes <= 0 {
		return invalidf("--media-max-bytes must be positive, not %d", c.Media.MaxBytes)
	}
	return nil
}

func checkBus(spec string) error {
	switch {
	case spec == "memory", strings.HasPrefix(spec, "nats://"), strings.HasPrefix(spec, "tls://"):
		return nil
	}
	return invalidf("--bus %q: give memory or nats://HOST:PORT", spec)
}

// TokensInStore reports whether API tokens live in the database: by
// --tokens, else store for PostgreSQL (shared by every server) and the
// workspace file for SQLite.
func (c *Config) TokensInStore() (bool, error) {
	switch c.Tokens {
	case "file":
		return false, nil
	case "store":
		return true, nil
	case "":
		kind, _, err := StoreKind(c.Store)
		return kind == "postgres", err
	}
	return false, invalidf("--tokens %q: give file or store", c.Tokens)
}

// StoreKind splits a --store value into its kind (sqlite, postgres) and
// address.
func StoreKind(spec string) (kind, addr string, err error) {
	switch {
	case strings.HasPrefix(spec, "postgres://"), strings.HasPrefix(spec, "postgresql://"):
		return "postgres", spec, nil
	case strings.HasPrefix(spec, "sqlite:"):
		return "sqlite", strings.TrimPrefix(strings.TrimPrefix(spec, "sqlite:"), "//"), nil
	case strings.HasSuffix(spec, ".db"), strings.HasSuffix(spec, ".sqlite"):
		return "sqlite", spec, nil
	}
	return "", "", invalidf("--store %q: give sqlite:PATH or postgres://USER@HOST:PORT/DB", RedactStore(spec))
}

// RedactStore hides a password in a store address.
func RedactStore(spec string) string {
	if strings.HasPrefix(spec, "postgres") {
		return postgres.Redact(spec)
	}
	return spec
}

// LogValue is the configuration as logged and dumped: the store's password
// and the pseudonymisation key are never shown.
func (c Config) LogValue() slog.Value {
	key := "unset"
	if len(c.PseudonymKey) > 0 {
		key = "set"
	}
	attrs := []slog.Attr{
		slog.String("home", c.Home),
		slog.String("store", RedactStore(c.Store)),
		slog.String("bus", bus.Redact(c.Bus)),
		slog.Int("workers", c.Workers),
		slog.String("pseudonym_key", key),
		slog.String("log_level", c.LogLevel.String()),
	}
	if c.defined.serve {
		attrs = append(attrs, slog.String("addr", c.Addr), slog.String("sources", c.Sources),
			slog.String("platforms", c.Platforms), slog.Bool("demo", c.Demo), slog.Duration("shutdown_grace", c.Grace))
	}
	if c.defined.tokens {
		attrs = append(attrs, slog.String("tokens", c.Tokens))
	}
	if c.defined.media {
		attrs = append(attrs, slog.Bool("fetch_media", c.Media.Fetch), slog.String("keep_media", c.Media.KeepDir))
	}
	return slog.GroupValue(attrs...)
}

// Dump writes the redacted configuration, one "name: value" line each.
func (c Config) Dump(w io.Writer) {
	for _, a := range c.LogValue().Group() {
		fmt.Fprintf(w, "%s: %s\n", a.Key, a.Value)
	}
}

// Logger is the one place Basira's service commands configure logging:
// text lines on w (BASIRA_LOG_FORMAT=json for JSON), at BASIRA_LOG_LEVEL
// (debug, info, warn, error; default info).
func (c *Config) Logger(w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: c.LogLevel}
	if c.LogJSON {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}
