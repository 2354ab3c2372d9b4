package arch

import (
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

const module = "github.com/basira-org/basira/"

// TestLayers checks every import of every non-test Go file of the
// repository: no package imports one of a higher layer.
func TestLayers(t *testing.T) {
	root := filepath.Join("..", "..")
	checked := 0
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if name := d.Name(); path != root && (strings.HasPrefix(name, ".") || name == "testdata") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		rel, _ := filepath.Rel(root, filepath.Dir(path))
		pkg := filepath.ToSlash(rel)
		from, ok := Of(pkg)
		if !ok {
			t.Errorf("%s: package %s has no layer: add it to arch.Layer (and docs/architecture.md)", path, pkg)
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		for _, im := range f.Imports {
			ip, _ := strconv.Unquote(im.Path.Value)
			dep, ok := strings.CutPrefix(ip, module)
			if !ok {
				continue
			}
			checked++
			to, ok := Of(dep)
			if !ok {
				t.Errorf("%s: imports %s, which has no layer", path, dep)
				continue
			}
			if to > from {
				t.Errorf("%s: %s (%s) imports %s (%s): dependencies must point down", path, pkg, LayerNames[from], dep, LayerNames[to])
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if checked < 100 {
		t.Fatalf("only %d imports checked: is the repository root %s?", checked, root)
	}
}

func TestOf(t *testing.T) {
	for path, want := range map[string]int{
		"internal/store":              Foundation,
		"internal/store/sqlstore":     Adapter,
		"internal/server":             Adapter,
		"internal/server/metrics":     Foundation,
		"internal/server/hma":         Adapter,
		"internal/finance/wallet":     Domain,
		"arabic/internal/langidtrain": Foundation,
		"internal/rules/evalset":      Domain,
		"rules":                       Foundation,
	} {
		if got, ok := Of(path); !ok || got != want {
			t.Errorf("Of(%q) = %d %v, want %d", path, got, ok, want)
		}
	}
	if _, ok := Of("internal/storefront"); ok {
		t.Error("internal/storefront placed by the prefix internal/store")
	}
	if _, err := os.Stat(filepath.Join("..", "..", "go.mod")); err != nil {
		t.Fatal("the repository root is not two folders up")
	}
}
