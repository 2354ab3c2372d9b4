package entities

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"github.com/basira-org/basira/arabic"
	entitydata "github.com/basira-org/basira/entities"
)

// Limits on what Parse accepts: a file is a few hundred entries today.
const (
	MaxFileBytes       = 4 << 20
	MaxEntries         = 20000
	MaxAliasesPerEntry = 1000
	MaxAliasBytes      = 300
	// MaxAliasWords is the most words an alias may have (rule terms have
	// the same bound).
	MaxAliasWords = 8
	// FormatVersion is the file format Parse reads.
	FormatVersion = 1
)

// File is one parsed entities file.
type File struct {
	Name     string
	Version  int
	Updated  string
	Entities []*Entity
}

// Error is one problem of a file, at a line.
type Error struct {
	File string
	Line int
	Msg  string
}

func (e *Error) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
	}
	return e.File + ": " + e.Msg
}

// ErrorList is every problem found in one or more files.
type ErrorList []*Error

func (l ErrorList) Error() string {
	var b strings.Builder
	for i, e := range l {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(e.Error())
	}
	return b.String()
}

// posError makes an Error from a "file:line" position.
func posError(pos, msg string) *Error {
	if i := strings.LastIndexByte(pos, ':'); i > 0 {
		if n, err := strconv.Atoi(pos[i+1:]); err == nil {
			return &Error{File: pos[:i], Line: n, Msg: msg}
		}
	}
	return &Error{File: pos, Msg: msg}
}

var (
	idPattern  = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,63}$`)
	unPattern  = regexp.MustCompile(`^[A-Z]{2}[ei]\.[0-9]{3}$`)
	datePatten = regexp.MustCompile(`^[0-9]{4}-[0-9]{2}-[0-9]{2}$`)
	yamlLine   = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)
)

const maxErrors = 100

type parser struct {
	name string
	errs ErrorList
}

func (p *parser) errorf(n *yaml.Node, format string, a ...any) {
	if len(p.errs) > maxErrors {
		return
	}
	if len(p.errs) == maxErrors {
		p.errs = append(p.errs, &Error{File: p.name, Msg: fmt.Sprintf("more than %d problems; fix these first", maxErrors)})
		return
	}
	line := 0
	if n != nil {
		line = n.Line
	}
	p.errs = append(p.errs, &Error{File: p.name, Line: line, Msg: fmt.Sprintf(format, a...)})
}

// Parse reads one entities file; name is used in messages. On problems it
// returns an ErrorList with every problem found (file:line: reason).
func Parse(name string, data []byte) (*File, error) {
	if len(data) > MaxFileBytes {
		return nil, ErrorList{{File: name, Msg: fmt.Sprintf("entities file is %d bytes, more than the limit of %d MiB; split it into several files", len(data), MaxFileBytes>>20)}}
	}
	if !utf8.Valid(data) {
		return nil, ErrorList{{File: name, Msg: "not UTF-8 text"}}
	}
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		msg, line := err.Error(), 0
		if m := yamlLine.FindStringSubmatch(msg); m != nil {
			line, _ = strconv.Atoi(m[1])
			msg = m[2]
		} else {
			msg = strings.TrimPrefix(msg, "yaml: ")
		}
		return nil, ErrorList{{File: name, Line: line, Msg: "not valid YAML: " + msg}}
	}
	if root.Kind == 0 || len(root.Content) == 0 {
		return nil, ErrorList{{File: name, Line: 1, Msg: "the file is empty; an entities file is a mapping with `version: 1` and an `entities:` list"}}
	}
	if hasAlias(&root) {
		return nil, ErrorList{{File: name, Line: 1, Msg: "YAML anchors and aliases (& and *) are not allowed; write each entry out"}}
	}
	p := &parser{name: name}
	f := p.file(root.Content[0])
	if len(p.errs) > 0 {
		slices.SortStableFunc(p.errs, func(a, b *Error) int { return a.Line - b.Line })
		return nil, p.errs
	}
	return f, nil
}

func hasAlias(n *yaml.Node) bool {
	if n.Kind == yaml.AliasNode || n.Anchor != "" {
		return true
	}
	for _, c := range n.Content {
		if hasAlias(c) {
			return true
		}
	}
	return false
}

func pairs(n *yaml.Node) func(func(k, v *yaml.Node) bool) {
	return func(yield func(k, v *yaml.Node) bool) {
		for i := 0; i+1 < len(n.Content); i += 2 {
			if !yield(n.Content[i], n.Content[i+1]) {
				return
			}
		}
	}
}

func (p *parser) file(n *yaml.Node) *File {
	f := &File{Name: p.name}
	if n.Kind != yaml.MappingNode {
		p.errorf(n, "an entities file is a mapping with `version: 1` and an `entities:` list")
		return f
	}
	var list *yaml.Node
	for k, v := range pairs(n) {
		switch k.Value {
		case "version":
			ver, err := strconv.Atoi(v.Value)
			if err != nil || v.Kind != yaml.ScalarNode || ver != FormatVersion {
				p.errorf(v, "version must be %d (the format this Basira reads), not %q", FormatVersion, v.Value)
			}
			f.Version = ver
		case "updated":
			if v.Kind != yaml.ScalarNode || !datePatten.MatchString(v.Value) {
				p.errorf(v, "updated must be a date YYYY-MM-DD")
			}
			f.Updated = v.Value
		case "entities":
			list = v
		default:
			p.errorf(k, "unknown key %q (known: version, updated, entities)", k.Value)
		}
	}
	if f.Version == 0 && len(p.errs) == 0 {
		p.errorf(n, "missing `version: %d`", FormatVersion)
	}
	if list == nil {
		p.errorf(n, "missing `entities:` list")
		return f
	}
	if list.Kind != yaml.SequenceNode {
		p.errorf(list, "entities must be a list of entries")
		return f
	}
	if len(list.Content) > MaxEntries {
		p.errorf(list, "%d entries, more than the limit of %d; split the file", len(list.Content), MaxEntries)
		return f
	}
	seen := map[string]int{}
	for _, en := range list.Content {
		e := p.entry(en)
		if e == nil {
			continue
		}
		if line, ok := seen[e.ID]; ok {
			p.errorf(en, "entry id %q is already used at line %d; ids are unique within a file", e.ID, line)
			continue
		}
		seen[e.ID] = en.Line
		f.Entities = append(f.Entities, e)
	}
	return f
}

func (p *parser) scalar(k, v *yaml.Node) (string, bool) {
	if v.Kind != yaml.ScalarNode || v.Tag == "!!null" {
		p.errorf(v, "%s must be a single value", k.Value)
		return "", false
	}
	return strings.TrimSpace(v.Value), true
}

func (p *parser) entry(n *yaml.Node) *Entity {
	if n.Kind != yaml.MappingNode {
		p.errorf(n, "an entry is a mapping with id, kind, name, source and aliases")
		return nil
	}
	before := len(p.errs)
	e := &Entity{Pos: fmt.Sprintf("%s:%d", p.name, n.Line)}
	seenKeys := map[string]bool{}
	keys := map[string]*yaml.Node{}
	var nodes []*yaml.Node // of Aliases then Shared, for messages
	for k, v := range pairs(n) {
		if seenKeys[k.Value] {
			p.errorf(k, "key %q given twice in one entry", k.Value)
			continue
		}
		seenKeys[k.Value] = true
		keys[k.Value] = k
		switch k.Value {
		case "id":
			if s, ok := p.scalar(k, v); ok {
				if !idPattern.MatchString(s) {
					p.errorf(v, "id %q: use lower-case letters, digits and '-', at most 64", s)
				}
				e.ID = s
			}
		case "kind":
			if s, ok := p.scalar(k, v); ok {
				if !slices.Contains(Kinds, Kind(s)) {
					p.errorf(v, "kind %q is not one of group, outlet, publication, province, leader, slogan", s)
				}
				e.Kind = Kind(s)
			}
		case "name":
			if s, ok := p.scalar(k, v); ok {
				if s == "" || len(s) > 300 {
					p.errorf(v, "name must be 1 to 300 bytes")
				}
				e.Name = s
			}
		case "of":
			if s, ok := p.scalar(k, v); ok && s != "" {
				if !idPattern.MatchString(s) {
					p.errorf(v, "of %q is not an entry id", s)
				}
				e.Of = s
			}
		case "source":
			if s, ok := p.scalar(k, v); ok {
				if s == "" || len(s) > 2000 {
					p.errorf(v, "source must name a public reference (1 to 2000 bytes)")
				}
				e.Source = s
			}
		case "un":
			for _, it := range p.items(k, v) {
				r := strings.TrimSpace(it.Value)
				if !unPattern.MatchString(r) {
					p.errorf(it, "un reference %q is not of the form QDe.115", r)
					continue
				}
				if !slices.Contains(e.UN, r) {
					e.UN = append(e.UN, r)
				}
			}
		case "aliases":
			var ns []*yaml.Node
			e.Aliases, ns = p.aliases(k, v)
			nodes = append(ns, nodes...)
		case "shared":
			var ns []*yaml.Node
			e.Shared, ns = p.aliases(k, v)
			nodes = append(nodes, ns...)
		default:
			p.errorf(k, "unknown key %q (known: id, kind, name, of, un, source, aliases, shared)", k.Value)
		}
	}
	for _, req := range []string{"id", "kind", "name", "source"} {
		if !seenKeys[req] {
			p.errorf(n, "entry %s: missing %s", e.ID, req)
		}
	}
	if len(e.Aliases)+len(e.Shared) == 0 && len(p.errs) == before {
		p.errorf(n, "entry %q has no aliases: an entry is there for the names that point at it", e.ID)
	}
	if len(e.Aliases)+len(e.Shared) > MaxAliasesPerEntry {
		p.errorf(n, "entry %q has %d names, more than the limit of %d", e.ID, len(e.Aliases)+len(e.Shared), MaxAliasesPerEntry)
	}
	if e.Of == e.ID && e.ID != "" {
		p.errorf(keys["of"], "entry %q cannot belong to itself", e.ID)
	}
	// A name listed twice, or both plain and shared, is a review mistake.
	seen := map[string]int{}
	for i, al := range slices.Concat(e.Aliases, e.Shared) {
		k := foldKey(al.Text)
		if first, ok := seen[k]; ok {
			p.errorf(nodes[i], "entry %q lists %q twice (the same once folded as line %d); keep one, in aliases or in shared", e.ID, al.Text, first)
			continue
		}
		seen[k] = nodes[i].Line
	}
	if len(p.errs) > before {
		return nil
	}
	return e
}

func (p *parser) items(k, v *yaml.Node) []*yaml.Node {
	switch {
	case v.Kind == yaml.ScalarNode && v.Tag != "!!null":
		return []*yaml.Node{v}
	case v.Kind == yaml.SequenceNode:
		var out []*yaml.Node
		for _, it := range v.Content {
			if it.Kind != yaml.ScalarNode || it.Tag == "!!null" {
				p.errorf(it, "%s: each item must be a single value", k.Value)
				continue
			}
			out = append(out, it)
		}
		return out
	}
	p.errorf(v, "%s must be a value or a list of values", k.Value)
	return nil
}

func (p *parser) aliases(k, v *yaml.Node) ([]Alias, []*yaml.Node) {
	if v.Kind != yaml.MappingNode {
		p.errorf(v, "%s is a mapping from a language (ar, ary, ar-Latn, ary-Latn, en, fr) to a list of names", k.Value)
		return nil, nil
	}
	var out []Alias
	var nodes []*yaml.Node
	for lk, lv := range pairs(v) {
		if !slices.Contains(Langs, lk.Value) {
			p.errorf(lk, "%s: language %q is not one of ar, ary, ar-Latn, ary-Latn, en, fr", k.Value, lk.Value)
			continue
		}
		for _, it := range p.items(lk, lv) {
			t := strings.TrimSpace(it.Value)
			if reason := checkAlias(t); reason != "" {
				p.errorf(it, "%s %q: %s", lk.Value, t, reason)
				continue
			}
			out = append(out, Alias{Lang: lk.Value, Text: t})
			nodes = append(nodes, it)
		}
	}
	return out, nodes
}

// checkAlias returns why an alias cannot be matched, or "".
func checkAlias(t string) string {
	if len(t) > MaxAliasBytes {
		return fmt.Sprintf("longer than %d bytes", MaxAliasBytes)
	}
	toks := arabic.Tokenize(t)
	switch {
	case len(toks) == 0:
		return "has no letters or digits to match"
	case len(toks) > MaxAliasWords:
		return fmt.Sprintf("has %d words; an alias has at most %d", len(toks), MaxAliasWords)
	case len(toks) == 1 && utf8.RuneCountInString(toks[0].Text) < 3:
		return "is shorter than 3 letters: it would match ordinary words"
	}
	return ""
}

// foldKey is the matching identity of a name: its folded words.
func foldKey(s string) string { return arabic.Fold(s) }

// Load reads and merges entities files, in order.
func Load(paths ...string) (*Set, error) {
	if len(paths) == 0 {
		return nil, errors.New("entities: no file given")
	}
	files, err := readFiles(paths)
	if err != nil {
		return nil, err
	}
	return Merge(files...)
}

// LoadWithBuiltin merges the files at paths over the built-in set: an
// operator's additions (a refreshed UN import, local aliases) on top of
// what ships.
func LoadWithBuiltin(paths ...string) (*Set, error) {
	own, err := builtinFiles()
	if err != nil {
		return nil, err
	}
	files, err := readFiles(paths)
	if err != nil {
		return nil, err
	}
	return Merge(append(own, files...)...)
}

// readFiles parses every file, reporting the problems of all of them.
func readFiles(paths []string) ([]*File, error) {
	var files []*File
	var errs ErrorList
	for _, path := range paths {
		fi, err := os.Stat(path)
		if err != nil {
			return nil, err
		}
		if fi.Size() > MaxFileBytes {
			return nil, ErrorList{{File: path, Msg: fmt.Sprintf("entities file is %d bytes, more than the limit of %d MiB", fi.Size(), MaxFileBytes>>20)}}
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, err
		}
		f, err := Parse(path, data)
		var el ErrorList
		if errors.As(err, &el) {
			errs = append(errs, el...)
			continue
		} else if err != nil {
			return nil, err
		}
		files = append(files, f)
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return files, nil
}

// loadFS parses the embedded files: designated.yaml first (its names and
// kinds win), then the others in name order.
func loadFS() (*Set, error) {
	files, err := builtinFiles()
	if err != nil {
		return nil, err
	}
	return Merge(files...)
}

// builtinFiles parses the embedded files in load order.
func builtinFiles() ([]*File, error) {
	names, err := fs.Glob(entitydata.Files, "*.yaml")
	if err != nil {
		return nil, err
	}
	slices.SortStableFunc(names, func(a, b string) int {
		if (a == "designated.yaml") != (b == "designated.yaml") {
			if a == "designated.yaml" {
				return -1
			}
			return 1
		}
		return strings.Compare(a, b)
	})
	var files []*File
	for _, n := range names {
		data, err := entitydata.Files.ReadFile(n)
		if err != nil {
			return nil, err
		}
		f, err := Parse("entities/"+n, data)
		if err != nil {
			return nil, err
		}
		files = append(files, f)
	}
	return files, nil
}
