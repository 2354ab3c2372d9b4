// Package entitydata embeds the designated-entity files shipped with
// Basira (this folder's YAML files): designated.yaml, written and reviewed
// by the team, and un-1267.yaml, written by `basira entities import` from
// the UN Security Council consolidated list. internal/entities parses them.
package entitydata

import "embed"

// Files holds every *.yaml file of this folder.
//
//go:embed *.yaml
var Files embed.FS
