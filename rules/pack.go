// Package rulepack embeds the rule packs shipped with Basira (this folder's
// YAML files), so the binary carries them: `serve --demo` seeds its
// workspace with Examples, and tests read the same bytes as analysts do.
package rulepack

import _ "embed"

// Examples is the documented example rule pack, rules/examples.yaml.
//
//go:embed examples.yaml
var Examples []byte

// Jihadist is Basira's default jihadist rule pack, rules/jihadist.yaml:
// `scan` and `serve` run it unless told not to.
//
//go:embed jihadist.yaml
var Jihadist []byte
