package namematch

// Score compares a query name with an indexed name (0..1). Names in one
// script are compared token by token (Jaro-Winkler, best pairs), where
// two tokens with the same phonetic key and first letter count as
// KeyMatchScore at least; names in different scripts are compared on
// their keys only, discounted because keys drop the vowels.
func Score(q, n Name) float64 {
	if q.Arabic != n.Arabic {
		return crossScript(q, n) * CrossScriptWeight
	}
	return bestPairs(q.Tokens, n.Tokens, func(qi, ii int) float64 {
		if FirstClass(q.Tokens[qi]) != FirstClass(n.Tokens[ii]) {
			return -1
		}
		s := tokenScore(n.Tokens[ii], q.Tokens[qi])
		// Transliteration variants (Mohammed/Muhammad, Yusuf/Youssef)
		// share the key and the first letter.
		if k := q.Keys[qi]; k != "" && k == n.Keys[ii] && q.Tokens[qi][0] == n.Tokens[ii][0] {
			s = max(s, KeyMatchScore)
		}
		return s
	})
}

// KeyMatchScore is the token score of two spellings with the same
// phonetic key and first letter.
const KeyMatchScore = 0.95

// CrossScriptWeight discounts a match between Arabic script and Latin
// transliteration, made on consonant keys only.
const CrossScriptWeight = 0.95

// Threshold is the score from which Basira reports a name match. It was
// chosen on the dev half of the UN Arabic↔Latin pairs (see docs/finance.md).
const Threshold = 0.85

// crossScript compares the keys of two names in different scripts; an
// Arabic token's alternative key (a Persian reading: ث as s, ذ ض ظ as z;
// a final ة read as t) counts when it matches better.
func crossScript(q, n Name) float64 {
	qk, qa := keysOf(q)
	nk, na := keysOf(n)
	return bestPairs(qk, nk, func(a, b int) float64 {
		best := -1.0
		for _, x := range [2]string{qk[a], qa[a]} {
			for _, y := range [2]string{nk[b], na[b]} {
				if x != "" && y != "" && FirstClass(x) == FirstClass(y) {
					best = max(best, tokenScore(y, x))
				}
			}
		}
		return best
	})
}

// keysOf returns the non-empty keys of a name and their alternatives.
func keysOf(n Name) (keys, alts []string) {
	for i, k := range n.Keys {
		if k == "" {
			continue
		}
		keys = append(keys, k)
		alt := ""
		if i < len(n.AltKeys) {
			alt = n.AltKeys[i]
		}
		alts = append(alts, alt)
	}
	return keys, alts
}
