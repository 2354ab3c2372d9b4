package truth

import (
	"encoding/json"
	"encoding/xml"
	"net/http"
	"time"

	"github.com/basira-org/basira/internal/debunk"
)

// entry is one page of the site as the feeds list it: a debunk in one
// language.
type entry struct {
	ID, URL, Title, Summary, Lang, Image, Rating string
	Published, Updated                           time.Time
}

// entries lists the live pages, newest first (each debunk's languages in
// Arabic, French, English order).
func (s *Site) entries(r *http.Request) ([]entry, time.Time, error) {
	ds, err := s.src.ListDebunks(r.Context(), debunk.Query{Live: true, Limit: s.o.IndexSize})
	if err != nil {
		return nil, time.Time{}, err
	}
	base := BaseURL(r, s.o.PublicURL)
	var out []entry
	var newest time.Time
	for _, d := range ds {
		v := d.LiveVersion()
		if v == nil {
			continue
		}
		rating, _ := debunk.RatingOf(v.Content.Rating)
		for _, l := range v.Content.Langs() {
			t := v.Content.Texts[l]
			u := base + debunk.PagePath(d.ID, l)
			out = append(out, entry{ID: u, URL: u, Title: debunk.Title(d, v, l), Summary: t.Truth, Lang: l,
				Image: u + "/card.png", Rating: rating.Name(l), Published: *d.FirstPublished, Updated: *v.PublishedAt})
			if v.PublishedAt.After(newest) {
				newest = *v.PublishedAt
			}
		}
	}
	return out, newest, nil
}

type atomLink struct {
	Rel  string `xml:"rel,attr,omitempty"`
	Type string `xml:"type,attr,omitempty"`
	Href string `xml:"href,attr"`
}

type atomText struct {
	Type string `xml:"type,attr,omitempty"`
	Body string `xml:",chardata"`
}

type atomEntry struct {
	Lang      string     `xml:"xml:lang,attr"`
	ID        string     `xml:"id"`
	Title     string     `xml:"title"`
	Links     []atomLink `xml:"link"`
	Published string     `xml:"published"`
	Updated   string     `xml:"updated"`
	Category  struct {
		Term string `xml:"term,attr"`
	} `xml:"category"`
	Summary atomText `xml:"summary"`
}

type atomFeed struct {
	XMLName xml.Name    `xml:"http://www.w3.org/2005/Atom feed"`
	ID      string      `xml:"id"`
	Title   string      `xml:"title"`
	Updated string      `xml:"updated"`
	Author  string      `xml:"author>name"`
	Links   []atomLink  `xml:"link"`
	Entries []atomEntry `xml:"entry"`
}

func (s *Site) atom(w http.ResponseWriter, r *http.Request) {
	es, newest, err := s.entries(r)
	if err != nil {
		s.fail(w, err)
		return
	}
	base := BaseURL(r, s.o.PublicURL)
	if newest.IsZero() {
		newest = time.Unix(0, 0)
	}
	f := atomFeed{ID: base + debunk.SitePath, Title: labels["ar"]["site"] + " — " + labels["en"]["site"], Updated: newest.UTC().Format(time.RFC3339),
		Author: s.o.Publisher, Links: []atomLink{{Rel: "self", Type: "application/atom+xml", Href: base + debunk.SitePath + "feed.atom"}, {Href: base + debunk.SitePath}}}
	for _, e := range es {
		ae := atomEntry{Lang: e.Lang, ID: e.ID, Title: e.Title, Published: e.Published.UTC().Format(time.RFC3339), Updated: e.Updated.UTC().Format(time.RFC3339),
			Links:   []atomLink{{Rel: "alternate", Type: "text/html", Href: e.URL}, {Rel: "enclosure", Type: "image/png", Href: e.Image}},
			Summary: atomText{Type: "text", Body: e.Summary}}
		ae.Category.Term = e.Rating
		f.Entries = append(f.Entries, ae)
	}
	b, err := xml.MarshalIndent(f, "", " ")
	if err != nil {
		s.fail(w, err)
		return
	}
	s.send(w, r, "application/atom+xml; charset=utf-8", append([]byte(xml.Header), b...))
}

// JSON Feed 1.1 (jsonfeed.org).
type jsonItem struct {
	ID            string              `json:"id"`
	URL           string              `json:"url"`
	Title         string              `json:"title"`
	ContentText   string              `json:"content_text"`
	Image         string              `json:"image"`
	DatePublished string              `json:"date_published"`
	DateModified  string              `json:"date_modified"`
	Language      string              `json:"language"`
	Tags          []string            `json:"tags"`
	Authors       []map[string]string `json:"authors"`
}

type jsonFeed struct {
	Version     string     `json:"version"`
	Title       string     `json:"title"`
	HomePageURL string     `json:"home_page_url"`
	FeedURL     string     `json:"feed_url"`
	Items       []jsonItem `json:"items"`
}

func (s *Site) jsonFeed(w http.ResponseWriter, r *http.Request) {
	es, _, err := s.entries(r)
	if err != nil {
		s.fail(w, err)
		return
	}
	base := BaseURL(r, s.o.PublicURL)
	f := jsonFeed{Version: "https://jsonfeed.org/version/1.1", Title: labels["ar"]["site"] + " — " + labels["en"]["site"],
		HomePageURL: base + debunk.SitePath, FeedURL: base + debunk.SitePath + "feed.json", Items: []jsonItem{}}
	for _, e := range es {
		f.Items = append(f.Items, jsonItem{ID: e.ID, URL: e.URL, Title: e.Title, ContentText: e.Summary, Image: e.Image,
			DatePublished: e.Published.UTC().Format(time.RFC3339), DateModified: e.Updated.UTC().Format(time.RFC3339),
			Language: e.Lang, Tags: []string{e.Rating}, Authors: []map[string]string{{"name": s.o.Publisher}}})
	}
	b, err := json.MarshalIndent(f, "", " ")
	if err != nil {
		s.fail(w, err)
		return
	}
	s.send(w, r, "application/feed+json; charset=utf-8", b)
}

type sitemapURL struct {
	Loc     string `xml:"loc"`
	LastMod string `xml:"lastmod"`
}

type sitemap struct {
	XMLName xml.Name     `xml:"http://www.sitemaps.org/schemas/sitemap/0.9 urlset"`
	URLs    []sitemapURL `xml:"url"`
}

// sitemapXML lists every page for search engines' crawlers, with the
// date of its live version.
func (s *Site) sitemapXML(w http.ResponseWriter, r *http.Request) {
	es, _, err := s.entries(r)
	if err != nil {
		s.fail(w, err)
		return
	}
	sm := sitemap{URLs: []sitemapURL{}}
	for _, e := range es {
		sm.URLs = append(sm.URLs, sitemapURL{Loc: e.URL, LastMod: e.Updated.UTC().Format(time.RFC3339)})
	}
	b, err := xml.MarshalIndent(sm, "", " ")
	if err != nil {
		s.fail(w, err)
		return
	}
	s.send(w, r, "application/xml; charset=utf-8", append([]byte(xml.Header), b...))
}
