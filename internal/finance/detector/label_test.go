package detector

import (
	"slices"
	"testing"

	"github.com/basira-org/basira/internal/rules"
)

// One category, one name: finance signals and financing rules must count
// and translate as the same category.
func TestLabelIsInTheTaxonomy(t *testing.T) {
	if !slices.Contains(rules.Taxonomy, Label) {
		t.Fatalf("finance label %q is not in rules.Taxonomy %v", Label, rules.Taxonomy)
	}
}
