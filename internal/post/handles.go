package post

import (
	"encoding/json"
	"strings"
)

// Fields of outside input that name an account rather than say something:
// Basira keeps content, never people, so these are pseudonymised like the
// author (or dropped when there is no key), whatever field they arrive in.
var (
	// handleFields hold one handle or account id as a string or number.
	handleFields = map[string]bool{
		"username": true, "user_name": true, "screen_name": true, "handle": true, "acct": true,
		"author_handle": true, "author_name": true, "author_username": true, "user_handle": true,
		"user_id": true, "author_id": true, "from_id": true, "sender_id": true, "owner_id": true,
		"uid": true, "did": true, "from": true, "sender": true, "owner": true,
		"display_name": true, "in_reply_to_screen_name": true, "in_reply_to_user_id": true,
	}
	// accountObjects hold a whole account (a Twitter "user", a Mastodon
	// "account"): the object is replaced by the pseudonym of its handle, so
	// no profile (counts, bio, location) is kept either.
	accountObjects = map[string]bool{
		"user": true, "account": true, "author": true, "sender": true, "from": true, "owner": true, "profile": true,
	}
	// accountHandle lists, in order, the members that name an account
	// inside an account object.
	accountHandle = []string{"screen_name", "username", "acct", "handle", "did", "id_str", "id", "name"}
)

// IsHandleField reports whether an input field of that name is
// pseudonymised (as a handle or an account object).
func IsHandleField(name string) bool {
	n := strings.ToLower(name)
	return handleFields[n] || accountObjects[n]
}

// pseudonymiseExtra replaces handle fields of extra with pseudonyms, or
// drops them when ps is nil.
func pseudonymiseExtra(ps *Pseudonymizer, platform string, extra map[string]json.RawMessage) {
	for k, v := range extra {
		if !IsHandleField(k) {
			continue
		}
		if ps == nil {
			delete(extra, k)
			continue
		}
		handle := handleOf(v)
		if handle == "" {
			if string(v) == "null" || string(v) == `""` {
				continue
			}
			delete(extra, k) // an account we cannot name: keep nothing of it
			continue
		}
		b, _ := json.Marshal(ps.Pseudonym(platform, handle))
		extra[k] = b
	}
}

// handleOf returns the handle a field holds: a string, a number, or an
// account object's first naming member.
func handleOf(v json.RawMessage) string {
	var x any
	if err := json.Unmarshal(v, &x); err != nil {
		return ""
	}
	switch t := x.(type) {
	case string:
		return strings.TrimPrefix(strings.TrimSpace(t), "@")
	case float64:
		return string(v)
	case map[string]any:
		for _, k := range accountHandle {
			if raw, ok := t[k]; ok {
				b, _ := json.Marshal(raw)
				if h := handleOf(b); h != "" {
					return h
				}
			}
		}
	}
	return ""
}
