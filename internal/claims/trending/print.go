package trending

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"
)

// WriteJSONL writes one JSON object per cluster, ranked from 1.
func WriteJSONL(w io.Writer, cs []*Cluster) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	for i, c := range cs {
		if err := enc.Encode(c.JSON(i + 1)); err != nil {
			return err
		}
	}
	return nil
}

// WriteText writes the clusters for a person: growth, sources, posts per
// hour and time span, the fact-check that debunks the claim if any, and
// sample posts; recent is the span growth was counted over.
func WriteText(w io.Writer, cs []*Cluster, recent time.Duration) error {
	for i, c := range cs {
		span := "times unknown"
		if !c.First.IsZero() {
			span = c.First.UTC().Format("2006-01-02 15:04") + " → " + c.Last.UTC().Format("2006-01-02 15:04")
		}
		fmt.Fprintf(w, "#%d  growth %.1f  %d posts from %d sources  %d posts / %d sources in the last %s  %.1f posts/h  %s\n",
			i+1, c.Growth, len(c.Posts), c.Sources, c.Recent, c.RecentSources, recent, c.PerHour, span)
		if d := c.Debunk; d != nil {
			rating := d.Claim.Rating
			if rating == "" {
				rating = "-"
			}
			fmt.Fprintf(w, "    fact-checked [%s, match %.2f]: %s\n", rating, d.Prob, oneLine(d.Claim.Text, 100))
			if d.Claim.Correction != "" {
				fmt.Fprintf(w, "    what is true: %s\n", oneLine(d.Claim.Correction, 100))
			}
			if d.Claim.URL != "" {
				fmt.Fprintf(w, "    %s\n", d.Claim.URL)
			}
		} else {
			fmt.Fprintln(w, "    not fact-checked yet")
		}
		for _, s := range c.Samples {
			fmt.Fprintf(w, "    - %s  %s\n", s.Post.ID, oneLine(s.Post.Text, 100))
		}
		if _, err := fmt.Fprintln(w); err != nil {
			return err
		}
	}
	return nil
}

// JSON is the cluster as `claims trending --format jsonl` prints it.
func (c *Cluster) JSON(rank int) map[string]any {
	ids := make([]string, len(c.Posts))
	for i, it := range c.Posts {
		ids[i] = it.Post.ID
	}
	var samples []map[string]any
	for _, s := range c.Samples {
		samples = append(samples, map[string]any{"id": s.Post.ID, "text": s.Post.Text})
	}
	out := map[string]any{
		"rank": rank, "growth": c.Growth, "posts": len(c.Posts), "sources": c.Sources,
		"recent_posts": c.Recent, "recent_sources": c.RecentSources, "posts_per_hour": c.PerHour,
		"first": c.First, "last": c.Last, "samples": samples, "post_ids": ids,
	}
	if d := c.Debunk; d != nil {
		out["debunk"] = map[string]any{"score": d.Prob, "claim": d.Claim}
	}
	return out
}

// oneLine flattens whitespace and cuts s to n runes.
func oneLine(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

// Undated counts the items whose post has no posted_at time: Build counts
// them as posted at Options.Now.
func Undated(items []*Item) int {
	n := 0
	for _, it := range items {
		if it.Post.PostedAt == nil {
			n++
		}
	}
	return n
}
