package auth

// Resolve finds the token named by key among tokens, as Revoke does: an
// id prefix of at least 6 hex characters, or a name that only one active
// token has. Other Store implementations use it so every store names
// tokens the same way; it returns the index in tokens.
func Resolve(tokens []Token, key string) (int, error) { return findToken(tokens, key) }
