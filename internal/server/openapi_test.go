package server

import (
	"encoding/json"
	"os"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/basira-org/basira/internal/auth"
)

// TestOpenAPIMatchesRoutes: every route is in the document with its roles,
// and the document has no route the server does not serve.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	var doc struct {
		OpenAPI string                                `json:"openapi"`
		Paths   map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(OpenAPI(), &doc); err != nil {
		t.Fatalf("openapi.json is not JSON: %v", err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.") {
		t.Fatalf("openapi version %q", doc.OpenAPI)
	}
	srv := New(Config{}, Deps{})
	inDoc := map[string]bool{}
	for path, ops := range doc.Paths {
		for m := range ops {
			inDoc[strings.ToUpper(m)+" "+path] = true
		}
	}
	for _, rt := range srv.Routes() {
		key := rt.Method + " " + rt.Path
		if !inDoc[key] {
			t.Errorf("route %s is missing from openapi.json", key)
			continue
		}
		delete(inDoc, key)
		var op struct {
			Summary  string          `json:"summary"`
			Security json.RawMessage `json:"security"`
			Roles    []string        `json:"x-roles"`
		}
		if err := json.Unmarshal(doc.Paths[rt.Path][strings.ToLower(rt.Method)], &op); err != nil {
			t.Fatal(err)
		}
		if op.Summary != rt.Summary {
			t.Errorf("%s: summary %q in the document, %q in the route table", key, op.Summary, rt.Summary)
		}
		if rt.Public {
			if string(op.Security) != "[]" || op.Roles != nil {
				t.Errorf("%s is public: the document must say security: [] and no x-roles", key)
			}
			continue
		}
		want := []string{string(auth.Admin)}
		for _, r := range rt.Roles {
			want = append(want, string(r))
		}
		sort.Strings(want)
		got := slices.Clone(op.Roles)
		sort.Strings(got)
		if !slices.Equal(got, want) {
			t.Errorf("%s: x-roles %v in the document, %v in the route table", key, got, want)
		}
	}
	for key := range inDoc {
		t.Errorf("openapi.json documents %s, which the server does not serve", key)
	}
}

func TestOpenAPIServed(t *testing.T) {
	e := newEnv(t, Config{}, nil)
	code, b, h := e.do("", "GET", "/v1/openapi.json", "", nil)
	if code != 200 || h.Get("Content-Type") != "application/json" || string(b) != string(OpenAPI()) {
		t.Fatalf("openapi: %d %s", code, h.Get("Content-Type"))
	}
}

// TestErrorTableDocumented: docs/api.md lists every error code with its
// status, so the table and the documentation cannot drift.
func TestErrorTableDocumented(t *testing.T) {
	b, err := os.ReadFile("../../docs/api.md")
	if err != nil {
		t.Fatalf("docs/api.md: %v", err)
	}
	doc := string(b)
	seen := map[Code]bool{}
	for _, e := range Errors {
		if seen[e.Code] {
			t.Errorf("code %s twice in the table", e.Code)
		}
		seen[e.Code] = true
		row := "| `" + string(e.Code) + "` | " + itoa(int64(e.Status)) + " |"
		if !strings.Contains(doc, row) {
			t.Errorf("docs/api.md lacks the row %q", row)
		}
	}
}

// TestOpenAPIWellFormed: path parameters are declared, operation ids are
// unique, every $ref resolves, every operation answers errors with the
// error schema.
func TestOpenAPIWellFormed(t *testing.T) {
	var doc struct {
		Paths map[string]map[string]struct {
			OperationID string `json:"operationId"`
			Parameters  []struct {
				Name, In string
				Required bool
			} `json:"parameters"`
			Responses map[string]json.RawMessage `json:"responses"`
		} `json:"paths"`
		Components struct {
			Schemas map[string]json.RawMessage `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(OpenAPI(), &doc); err != nil {
		t.Fatal(err)
	}
	ids := map[string]bool{}
	for path, ops := range doc.Paths {
		var want []string
		for _, seg := range strings.Split(path, "/") {
			if strings.HasPrefix(seg, "{") {
				want = append(want, strings.Trim(seg, "{}"))
			}
		}
		for m, op := range ops {
			if op.OperationID == "" || ids[op.OperationID] {
				t.Errorf("%s %s: operationId %q missing or repeated", m, path, op.OperationID)
			}
			ids[op.OperationID] = true
			for _, w := range want {
				ok := false
				for _, p := range op.Parameters {
					ok = ok || (p.Name == w && p.In == "path" && p.Required)
				}
				if !ok {
					t.Errorf("%s %s: path parameter %q is not declared", m, path, w)
				}
			}
			if _, ok := op.Responses["default"]; !ok {
				t.Errorf("%s %s: no default (error) response", m, path)
			}
		}
	}
	for _, ref := range regexp.MustCompile(`"#/components/schemas/(\w+)"`).FindAllStringSubmatch(string(OpenAPI()), -1) {
		if _, ok := doc.Components.Schemas[ref[1]]; !ok {
			t.Errorf("$ref to missing schema %s", ref[1])
		}
	}
}

// TestRoutesDocumented: docs/api.md's route table names every route.
func TestRoutesDocumented(t *testing.T) {
	b, err := os.ReadFile("../../docs/api.md")
	if err != nil {
		t.Fatalf("docs/api.md: %v", err)
	}
	for _, rt := range New(Config{}, Deps{}).Routes() {
		if !strings.Contains(string(b), "| `"+rt.Method+" "+rt.Path+"` |") {
			t.Errorf("docs/api.md's route table lacks %s %s", rt.Method, rt.Path)
		}
	}
}
