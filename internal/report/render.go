package report

import (
	"embed"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/basira-org/basira/internal/web"
)

// WriteJSON writes the report as indented JSON.
func WriteJSON(w io.Writer, r *Report) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// WriteCSV writes the report as rows of section, category, measure, value:
// one flat table that spreadsheets and scripts read without a schema.
func WriteCSV(w io.Writer, r *Report) error {
	cw := csv.NewWriter(w)
	rows := [][]string{{"section", "category", "measure", "value"},
		{"period", "", "from", r.From.Format(time.RFC3339)},
		{"period", "", "to", r.To.Format(time.RFC3339)},
		{"store", "", "posts_stored", strconv.FormatInt(r.PostsStored, 10)},
		{"cases", "", "posts_in_cases", strconv.Itoa(r.PostsInCases)},
		{"cases", "", "open_cases", strconv.Itoa(r.Open)},
	}
	for _, c := range r.Categories {
		rows = append(rows,
			[]string{"category", c.Category, "opened", strconv.Itoa(c.Opened)},
			[]string{"category", c.Category, "decided", strconv.Itoa(c.Decided)},
			[]string{"category", c.Category, "actioned", strconv.Itoa(c.Actioned)},
			[]string{"category", c.Category, "dismissed", strconv.Itoa(c.Dismissed)},
			[]string{"category", c.Category, "dismiss_rate", strconv.FormatFloat(c.DismissRate, 'f', 4, 64)})
	}
	for _, cat := range sortedKeys(r.Decisions) {
		for _, action := range sortedKeys(r.Decisions[cat]) {
			rows = append(rows, []string{"decisions", cat, action, strconv.Itoa(r.Decisions[cat][action])})
		}
	}
	rows = append(rows,
		[]string{"time_to_decision", "", "n", strconv.Itoa(r.TimeToDecision.N)},
		[]string{"time_to_decision", "", "median_seconds", strconv.FormatFloat(r.TimeToDecision.Median.Seconds(), 'f', 0, 64)},
		[]string{"time_to_decision", "", "p90_seconds", strconv.FormatFloat(r.TimeToDecision.P90.Seconds(), 'f', 0, 64)},
		[]string{"appeals", "", "decided", strconv.Itoa(r.Appeals.Decided)},
		[]string{"appeals", "", "overturned", strconv.Itoa(r.Appeals.Overturned)})
	for _, row := range rows[1:] {
		// Category and action names come from configuration: a name a
		// spreadsheet would run as a formula is prefixed with a quote.
		for i := 1; i < len(row)-1; i++ {
			if row[i] != "" && strings.IndexByte("=+-@\t\r", row[i][0]) >= 0 {
				row[i] = "'" + row[i]
			}
		}
	}
	if err := cw.WriteAll(rows); err != nil {
		return err
	}
	cw.Flush()
	return cw.Error()
}

func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// delay writes a duration a reader takes in at a glance: minutes under an
// hour (not "0.0 h"), hours under two days, days beyond.
func delay(d time.Duration) string {
	switch {
	case d < time.Hour:
		return fmt.Sprintf("%d min", int(d.Round(time.Minute)/time.Minute))
	case d < 48*time.Hour:
		return fmt.Sprintf("%.1f h", d.Hours())
	}
	return fmt.Sprintf("%.1f d", d.Hours()/24)
}

//go:embed report.html.tmpl
var tmplFS embed.FS

var page = template.Must(template.New("report.html.tmpl").Funcs(template.FuncMap{
	"date":    func(t time.Time) string { return t.Format("2006-01-02") },
	"percent": func(f float64) string { return fmt.Sprintf("%.1f%%", 100*f) },
	"delay":   delay,
	// Category and action names from the review screen's catalogue.
	"ar":      func(kind, id string) string { return web.Message("ar", kind+"."+id, id) },
	"fr":      func(kind, id string) string { return web.Message("fr", kind+"."+id, id) },
	"keys":    sortedKeys[map[string]int],
	"actions": sortedKeys[int],
}).ParseFS(tmplFS, "report.html.tmpl"))

// WriteHTML writes the report as a self-contained bilingual (Arabic and
// English) HTML page, ready to publish.
func WriteHTML(w io.Writer, r *Report) error {
	return page.Execute(w, r)
}
