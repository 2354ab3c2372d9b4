// Package models embeds the classifiers shipped with Basira: only models
// trained on data whose licence allows it (see docs/models.md). scan and
// serve load them with `--models builtin`.
package models

import "embed"

// FS holds the shipped *.model files.
//
//go:embed *.model
var FS embed.FS
