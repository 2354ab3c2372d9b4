package rules

import (
	"fmt"
	"strings"
)

// Describe says how many rules the detector runs and from which files, so
// that `scan` can tell the user what ran: "20 rules: builtin:rules/jihadist.yaml 20".
func (d *Detector) Describe() string {
	set := d.Set()
	var files []string
	count := map[string]int{}
	for _, r := range set.Rules() {
		if count[r.File] == 0 {
			files = append(files, r.File)
		}
		count[r.File]++
	}
	parts := make([]string, len(files))
	for i, f := range files {
		parts[i] = fmt.Sprintf("%s %d", f, count[f])
	}
	return fmt.Sprintf("%d rules: %s", set.Len(), strings.Join(parts, ", "))
}
