// Package truth is Basira's public, read-only site of published debunks
// (served by `basira serve` under /truth/, no token): one page per debunk
// and written language with schema.org ClaimReview JSON-LD, an index, an
// Atom feed, a JSON Feed, a sitemap and a shareable PNG card per page. Pages carry
// ETags and Cache-Control, a strict Content-Security-Policy (no script
// runs: the JSON-LD is a data block) and a viewport for phones.
package truth

import (
	"bytes"
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/basira-org/basira/internal/debunk"
	"github.com/basira-org/basira/internal/store"
	"github.com/basira-org/basira/internal/truth/card"
)

// Source is what the site reads (debunk.Store has it).
type Source interface {
	Debunk(ctx context.Context, id int64) (*debunk.Debunk, error)
	ListDebunks(ctx context.Context, q debunk.Query) ([]*debunk.Debunk, error)
}

// Options tune the site. Zero values take the defaults.
type Options struct {
	// PublicURL is the site's origin for absolute links (JSON-LD, feeds);
	// empty: the request's own (BaseURL).
	PublicURL string
	// Publisher names the organisation in ClaimReview author and the feeds
	// (default debunk.Publisher).
	Publisher string
	// MaxAge is the Cache-Control max-age of pages and feeds (default 60 s;
	// an ETag makes revalidation cheap).
	MaxAge time.Duration
	// IndexSize bounds the index and the feeds (default 200).
	IndexSize int
	Logger    *slog.Logger
}

//go:embed assets
var assets embed.FS

var tmpl = template.Must(template.ParseFS(assets, "assets/page.html"))

// CSP lets the page load its own stylesheet and card and nothing else:
// debunks quote hostile text, and no script is needed to read them.
const CSP = "default-src 'none'; style-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// Site is the public site, an http.Handler for the paths under
// debunk.SitePath.
type Site struct {
	src  Source
	o    Options
	mux  *http.ServeMux
	css  []byte
	cssV string

	cardMu sync.Mutex
	cards  map[string][]byte // by card key; bounded (cardCacheSize)
}

const cardCacheSize = 256

// New returns the site over src.
func New(src Source, o Options) *Site {
	if o.Publisher == "" {
		o.Publisher = debunk.Publisher
	}
	if o.MaxAge <= 0 {
		o.MaxAge = time.Minute
	}
	if o.IndexSize <= 0 {
		o.IndexSize = 200
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	s := &Site{src: src, o: o, mux: http.NewServeMux(), cards: map[string][]byte{}}
	s.css, _ = assets.ReadFile("assets/site.css")
	sum := sha256.Sum256(s.css)
	s.cssV = hex.EncodeToString(sum[:6])
	p := debunk.SitePath
	s.mux.HandleFunc("GET "+p+"{$}", s.index)
	s.mux.HandleFunc("GET "+p+"site.css", s.stylesheet)
	s.mux.HandleFunc("GET "+p+"feed.atom", s.atom)
	s.mux.HandleFunc("GET "+p+"feed.json", s.jsonFeed)
	s.mux.HandleFunc("GET "+p+"sitemap.xml", s.sitemapXML)
	s.mux.HandleFunc("GET "+p+"{id}", s.redirectToArabic)
	s.mux.HandleFunc("GET "+p+"{id}/{lang}", s.page)
	s.mux.HandleFunc("GET "+p+"{id}/{lang}/card.png", s.card)
	return s
}

// ServeHTTP implements http.Handler.
func (s *Site) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Security-Policy", CSP)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "strict-origin-when-cross-origin")
	s.mux.ServeHTTP(w, r)
}

// labels are the site's words in each language.
var labels = map[string]map[string]string{
	"ar": {"site": "بصيرة: تبيّن الحقيقة", "languages": "اللغات", "claim": "الادعاء", "truth": "الحقيقة", "evidence": "كيف تحققنا",
		"sources": "المصادر", "corrections": "تصحيحات", "published": "نُشر في", "corrected": "صُحّح في", "scale": "سلّم التقييم",
		"empty": "لا توجد تحققات منشورة بعد.", "index": "آخر التحققات", "notfound": "لا يوجد تحقق بهذا الرقم."},
	"fr": {"site": "Basira : la vérité", "languages": "Langues", "claim": "L'affirmation", "truth": "Ce qui est vrai", "evidence": "Comment nous avons vérifié",
		"sources": "Sources", "corrections": "Corrections", "published": "Publié le", "corrected": "corrigé le", "scale": "Échelle",
		"empty": "Aucune vérification publiée pour l'instant.", "index": "Dernières vérifications", "notfound": "Aucune vérification sous ce numéro."},
	"en": {"site": "Basira: the truth", "languages": "Languages", "claim": "The claim", "truth": "What is true", "evidence": "How we checked",
		"sources": "Sources", "corrections": "Corrections", "published": "Published", "corrected": "corrected", "scale": "Rating scale",
		"empty": "No fact-check published yet.", "index": "Latest fact-checks", "notfound": "No fact-check with this number."},
}

var langNames = map[string]string{"ar": "العربية", "fr": "Français", "en": "English"}

func dir(lang string) string {
	if lang == "ar" {
		return "rtl"
	}
	return "ltr"
}

type alternate struct {
	Lang, Name, Href string
	Current          bool
}

type common struct {
	Lang, Dir, Title, Prefix, AssetVersion string
	L                                      map[string]string
	Alternates                             []alternate
	Scale                                  []string
}

func (s *Site) common(lang, title string, langs []string, href func(string) string) common {
	c := common{Lang: lang, Dir: dir(lang), Title: title, Prefix: debunk.SitePath, AssetVersion: s.cssV, L: labels[lang]}
	for _, l := range langs {
		c.Alternates = append(c.Alternates, alternate{Lang: l, Name: langNames[l], Href: href(l), Current: l == lang})
	}
	for _, r := range debunk.Scale {
		c.Scale = append(c.Scale, strconv.Itoa(r.Value)+" "+r.Name(lang))
	}
	return c
}

type dated struct{ ISO, Text, Note string }

type pageData struct {
	common
	URL, CardURL, CardPath      string
	LD                          map[string]any
	Text                        debunk.Text
	RatingKey, RatingName       string
	PublishedISO, PublishedText string
	UpdatedISO, UpdatedText     string
	TruthParas, EvidenceParas   []string
	Sources                     []debunk.Source
	Corrections                 []dated
}

func paragraphs(s string) []string {
	var out []string
	for _, p := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func day(t time.Time) string { return t.UTC().Format("2006-01-02") }

// live loads a debunk the public may see, or answers 404.
func (s *Site) live(w http.ResponseWriter, r *http.Request) (*debunk.Debunk, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		s.notFound(w, r)
		return nil, false
	}
	d, err := s.src.Debunk(r.Context(), id)
	if err != nil || d.LiveVersion() == nil {
		if err != nil && !isNotFound(err) {
			s.fail(w, err)
			return nil, false
		}
		s.notFound(w, r)
		return nil, false
	}
	return d, true
}

func isNotFound(err error) bool { return errors.Is(err, store.ErrNotFound) }

func (s *Site) notFound(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-cache")
	http.Error(w, labels["ar"]["notfound"]+"\n"+labels["en"]["notfound"], http.StatusNotFound)
}

func (s *Site) fail(w http.ResponseWriter, err error) {
	s.o.Logger.Error("truth: serving the public site", "err", err)
	http.Error(w, "temporarily unavailable", http.StatusServiceUnavailable)
}

func (s *Site) redirectToArabic(w http.ResponseWriter, r *http.Request) {
	d, ok := s.live(w, r)
	if !ok {
		return
	}
	http.Redirect(w, r, debunk.PagePath(d.ID, "ar"), http.StatusFound)
}

func (s *Site) page(w http.ResponseWriter, r *http.Request) {
	d, ok := s.live(w, r)
	if !ok {
		return
	}
	v := d.LiveVersion()
	lang := r.PathValue("lang")
	t, ok := v.Content.Texts[lang]
	if !ok {
		s.notFound(w, r)
		return
	}
	base := BaseURL(r, s.o.PublicURL)
	rating, _ := debunk.RatingOf(v.Content.Rating)
	title := debunk.Title(d, v, lang)
	data := pageData{
		common: s.common(lang, title, v.Content.Langs(), func(l string) string { return base + debunk.PagePath(d.ID, l) }),
		URL:    base + debunk.PagePath(d.ID, lang), CardPath: debunk.PagePath(d.ID, lang) + "/card.png",
		LD: d.ClaimReview(lang, base, s.o.Publisher), Text: t, RatingKey: rating.Key, RatingName: rating.Name(lang),
		PublishedISO: d.FirstPublished.UTC().Format(time.RFC3339), PublishedText: day(*d.FirstPublished),
		UpdatedISO: v.PublishedAt.UTC().Format(time.RFC3339), UpdatedText: day(*v.PublishedAt),
		TruthParas: paragraphs(t.Truth), EvidenceParas: paragraphs(t.Evidence), Sources: v.Content.Sources,
	}
	data.CardURL = base + data.CardPath
	for _, c := range d.Corrections() {
		data.Corrections = append(data.Corrections, dated{ISO: c.PublishedAt.UTC().Format(time.RFC3339), Text: day(*c.PublishedAt), Note: c.Note})
	}
	s.render(w, r, "page", data)
}

type indexItem struct {
	Lang, Dir, Href, Title, RatingKey, RatingName, ISO, Date string
	Corrected                                                bool
}

type indexData struct {
	common
	Items []indexItem
}

func (s *Site) index(w http.ResponseWriter, r *http.Request) {
	lang := r.URL.Query().Get("lang")
	if _, ok := labels[lang]; !ok {
		lang = "ar"
	}
	ds, err := s.src.ListDebunks(r.Context(), debunk.Query{Live: true, Limit: s.o.IndexSize})
	if err != nil {
		s.fail(w, err)
		return
	}
	data := indexData{common: s.common(lang, labels[lang]["index"], debunk.Languages, func(l string) string { return debunk.SitePath + "?lang=" + l })}
	for _, d := range ds {
		v := d.LiveVersion()
		if v == nil {
			continue
		}
		l := lang
		if _, ok := v.Content.Texts[l]; !ok {
			l = "ar"
		}
		rating, _ := debunk.RatingOf(v.Content.Rating)
		data.Items = append(data.Items, indexItem{Lang: l, Dir: dir(l), Href: debunk.PagePath(d.ID, l), Title: debunk.Title(d, v, l),
			RatingKey: rating.Key, RatingName: rating.Name(l), ISO: d.FirstPublished.UTC().Format(time.RFC3339), Date: day(*d.FirstPublished),
			Corrected: v.N > 1})
	}
	s.render(w, r, "index", data)
}

func (s *Site) render(w http.ResponseWriter, r *http.Request, name string, data any) {
	var b bytes.Buffer
	if err := tmpl.ExecuteTemplate(&b, name, data); err != nil {
		s.fail(w, fmt.Errorf("rendering %s: %w", name, err))
		return
	}
	s.send(w, r, "text/html; charset=utf-8", b.Bytes())
}

// send writes body with a strong ETag of its bytes, answering 304 to a
// client that has them.
func (s *Site) send(w http.ResponseWriter, r *http.Request, ctype string, body []byte) {
	sum := sha256.Sum256(body)
	etag := `"` + hex.EncodeToString(sum[:12]) + `"`
	h := w.Header()
	h.Set("ETag", etag)
	h.Set("Cache-Control", "public, max-age="+strconv.Itoa(int(s.o.MaxAge/time.Second)))
	if match := r.Header.Get("If-None-Match"); match != "" && slices.Contains(splitETags(match), etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	h.Set("Content-Type", ctype)
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		w.Write(body)
	}
}

func splitETags(v string) []string {
	var out []string
	for _, e := range strings.Split(v, ",") {
		out = append(out, strings.TrimPrefix(strings.TrimSpace(e), "W/"))
	}
	return out
}

func (s *Site) stylesheet(w http.ResponseWriter, r *http.Request) {
	s.send(w, r, "text/css; charset=utf-8", s.css)
}

func (s *Site) card(w http.ResponseWriter, r *http.Request) {
	d, ok := s.live(w, r)
	if !ok {
		return
	}
	v := d.LiveVersion()
	lang := r.PathValue("lang")
	t, ok := v.Content.Texts[lang]
	if !ok {
		s.notFound(w, r)
		return
	}
	base := BaseURL(r, s.o.PublicURL)
	key := fmt.Sprintf("%d/%d/%s/%s", d.ID, v.N, lang, base)
	s.cardMu.Lock()
	png, ok := s.cards[key]
	s.cardMu.Unlock()
	if !ok {
		rating, _ := debunk.RatingOf(v.Content.Rating)
		var err error
		png, err = card.Render(card.Card{Lang: lang, Site: labels[lang]["site"], Rating: rating.Name(lang), RatingValue: rating.Value,
			Claim: t.Claim, Truth: t.ReplyText(), Footer: strings.TrimPrefix(strings.TrimPrefix(base, "https://"), "http://") + debunk.PagePath(d.ID, lang)})
		if err != nil {
			s.fail(w, err)
			return
		}
		s.cardMu.Lock()
		if len(s.cards) >= cardCacheSize {
			clear(s.cards) // rare: a fresh set fills again on demand
		}
		s.cards[key] = png
		s.cardMu.Unlock()
	}
	s.send(w, r, "image/png", png)
}
