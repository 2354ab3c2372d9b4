package namematch

// Score compares a query name with an indexed name (0..1). Names in one
// script are compared token by token (Jaro-Winkler, best pairs), where
// two tokens with the same phonetic key and first letter count as
// KeyMatchScore at least; names in different scripts are compared on
// their keys only, discounted because keys drop the vowels.
func Score(q, n Name) float64 {
	if q.Arabic != n.Arabic {
		return BestPairs(nonEmpty(q.Keys), nonEmpty(n.Keys)) * CrossScriptWeight
	}
	return bestPairs(q.Tokens, n.Tokens, func(qi, ii int) float64 {
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

func nonEmpty(ss []string) []string {
	out := ss[:0:0]
	for _, s := range ss {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}
