//go:build unix

package main

import "syscall"

// Files Basira creates (databases, tokens, evidence, exports, journals)
// hold posts, hashes or secrets: readable by their owner only. Files meant
// to be shared are made so explicitly (os.Chmod).
func init() { syscall.Umask(0o077) }
