package pipeline

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"

	"github.com/basira-org/basira/arabic"
)

// ClusterKey returns the key under which copies of a post fold into one
// case (a campaign). Copies of a message that differ only in links,
// @mentions, punctuation, emoji, letter variants, elongation, diacritics
// or zero-width characters get the same key, because the key hashes the
// folded words (arabic.Fold) with links and mentions left out.
//
// Looser near-duplicates (words added, moved or changed) are folded by the
// store with the post's MinHash signature (textsig), which Decide adds for
// posts long enough to have one; the key is then that of the nearest case.
func ClusterKey(text string) string {
	folded := clusterText(text)
	if folded == "" {
		folded = text // nothing but links and mentions: keep exact copies together
	}
	sum := sha256.Sum256([]byte(folded))
	return "t1:" + hex.EncodeToString(sum[:12])
}

// clusterText is the folded text without links and mentions.
func clusterText(text string) string {
	var b strings.Builder
	for _, f := range strings.Fields(text) {
		lower := strings.ToLower(f)
		if strings.HasPrefix(lower, "http://") || strings.HasPrefix(lower, "https://") ||
			strings.HasPrefix(lower, "www.") || strings.HasPrefix(f, "@") {
			continue
		}
		b.WriteString(f)
		b.WriteByte(' ')
	}
	return arabic.Fold(b.String())
}
