package classify

import "strings"

// Describe names the models the detector runs, for the line `scan` prints
// at start.
func (d *Detector) Describe() string {
	names := make([]string, len(d.models))
	for i, m := range d.models {
		names[i] = m.Info().Name
	}
	return "models: " + strings.Join(names, ", ")
}
