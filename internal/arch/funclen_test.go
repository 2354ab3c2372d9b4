package arch

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// maxCommandFunc is the longest a function of internal/cli may be: a
// command turns flags into a domain call, and anything longer is domain
// code in the wrong room (issue 16).
const maxCommandFunc = 60

// TestCommandFunctionsAreShort fails for a function (or function
// literal) of internal/cli longer than maxCommandFunc lines; with -v it
// lists the five longest and the package's line count.
func TestCommandFunctionsAreShort(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "cli", "*.go"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no internal/cli sources: %v", err)
	}
	type fn struct {
		lines int
		where string
	}
	var fns []fn
	total := 0
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		fset := token.NewFileSet()
		af, err := parser.ParseFile(fset, f, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		total += fset.File(af.Pos()).LineCount()
		ast.Inspect(af, func(n ast.Node) bool {
			var body *ast.BlockStmt
			name := "func literal"
			switch x := n.(type) {
			case *ast.FuncDecl:
				body, name = x.Body, x.Name.Name
			case *ast.FuncLit:
				body = x.Body
			}
			if body != nil {
				start := fset.Position(n.Pos())
				fns = append(fns, fn{fset.Position(body.Rbrace).Line - start.Line + 1, filepath.Base(f) + ":" + name})
			}
			return true
		})
	}
	sort.Slice(fns, func(i, j int) bool { return fns[i].lines > fns[j].lines })
	t.Logf("internal/cli: %d non-test lines; longest functions:", total)
	for _, f := range fns[:min(5, len(fns))] {
		t.Logf("  %3d %s", f.lines, f.where)
	}
	for _, f := range fns {
		if f.lines > maxCommandFunc {
			t.Errorf("%s is %d lines, over %d: move its domain work to its domain package", f.where, f.lines, maxCommandFunc)
		}
	}
}
