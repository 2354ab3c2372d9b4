package server

import (
	"net/http"

	"github.com/basira-org/basira/internal/auth"
)

// Role sets used by the route table. Admin is admitted everywhere.
var (
	readers   = []auth.Role{auth.Viewer, auth.Analyst}
	analysts  = []auth.Role{auth.Analyst}
	admins    = []auth.Role{}
	ingesters = []auth.Role{auth.Ingest}
	everyone  = []auth.Role{auth.Viewer, auth.Analyst, auth.Ingest, auth.Platform}
	hmaUsers  = []auth.Role{auth.Platform, auth.Analyst}
	// appellants may reopen a closed case: an analyst, or the platform
	// acting for its user.
	appellants = []auth.Role{auth.Analyst, auth.Platform}
	platforms  = []auth.Role{auth.Platform}
	// replyReaders read the suggested reply of a case: what a platform
	// partner shows under its users' posts.
	replyReaders = []auth.Role{auth.Viewer, auth.Analyst, auth.Platform}
)

// routeTable is the one list of routes: the mux, the role checks and the
// OpenAPI document (checked by tests) all come from it.
func (s *Server) routeTable() []*Route {
	return []*Route{
		{Method: "GET", Path: "/healthz", Public: true, Tag: "health", Summary: "Liveness: the process answers", handler: s.healthz},
		{Method: "GET", Path: "/readyz", Public: true, Tag: "health", Summary: "Readiness: the store answers", handler: s.readyz},
		{Method: "GET", Path: "/metrics", Public: true, Tag: "health", Summary: "Prometheus metrics", handler: s.metricsRoute},
		{Method: "GET", Path: "/v1/openapi.json", Public: true, Tag: "meta", Summary: "This API's OpenAPI 3 document", handler: s.openapi},
		{Method: "GET", Path: "/v1/whoami", Roles: everyone, Tag: "meta", Summary: "The calling token's name and role", handler: s.whoami},
		{Method: "POST", Path: "/v1/session", Public: true, Tag: "session", Summary: "Sign a person in (name and password, or a one-time link) for a session cookie", handler: s.signIn},
		{Method: "GET", Path: "/v1/session", Public: true, Tag: "session", Summary: "Who is signed in (signed_in false for nobody), and the session's CSRF token", handler: s.getSession},
		{Method: "DELETE", Path: "/v1/session", Roles: everyone, Tag: "session", Summary: "Sign out: end the session and clear the cookie", handler: s.signOut},
		{Method: "GET", Path: "/v1/dashboard", Roles: readers, Tag: "meta", Summary: "Dashboard aggregates: volumes per day, categories, languages, platforms, time to decision and to action, dismiss rates", handler: s.dashboard},
		{Method: "GET", Path: "/v1/audit/verify", Roles: admins, Tag: "audit", Summary: "Verify the audit log's hash chain", handler: s.verifyAudit},
		{Method: "GET", Path: "/v1/media/{sha256}/thumbnail", Roles: readers, Tag: "posts", Summary: "A small greyscale thumbnail of a kept image (evidence)", handler: s.mediaThumbnail},

		{Method: "POST", Path: "/v1/posts", Roles: ingesters, Tag: "posts", Summary: "Push a batch of posts (idempotent on platform and id)", BodyLimit: bodyPush, handler: s.pushPosts},
		{Method: "GET", Path: "/v1/posts", Roles: readers, Tag: "posts", Summary: "List stored posts, newest first", handler: s.listPosts},
		{Method: "GET", Path: "/v1/posts/{key}", Roles: readers, Tag: "posts", Summary: "One stored post with its signals", handler: s.getPost},
		{Method: "GET", Path: "/v1/signals", Roles: readers, Tag: "signals", Summary: "Signals found on a post", handler: s.listSignals},

		{Method: "GET", Path: "/v1/cases", Roles: readers, Tag: "cases", Summary: "List cases by priority, with filters", handler: s.listCases},
		{Method: "POST", Path: "/v1/cases/next", Roles: analysts, Tag: "cases", Summary: "Lease the next case of the review queue", handler: s.claimNext},
		{Method: "GET", Path: "/v1/cases/{id}", Roles: readers, Tag: "cases", Summary: "One case with its posts, signals and decisions", handler: s.getCase},
		{Method: "POST", Path: "/v1/cases/{id}/claim", Roles: analysts, Tag: "cases", Summary: "Lease one case", handler: s.claimCase},
		{Method: "POST", Path: "/v1/cases/{id}/release", Roles: analysts, Tag: "cases", Summary: "Give a leased case back to the queue", handler: s.releaseCase},
		{Method: "POST", Path: "/v1/cases/{id}/decision", Roles: analysts, Tag: "cases", Summary: "Decide a leased case (refer, debunk, dismiss, escalate)", handler: s.decideCase},

		{Method: "POST", Path: "/v1/cases/{id}/appeal", Roles: appellants, Tag: "cases", Summary: "Appeal a closed case (actioned or dismissed) for another review", handler: s.appealCase},

		{Method: "GET", Path: "/v1/referrals", Roles: readers, Tag: "referrals", Summary: "List referrals to platforms, newest first, with filters", handler: s.listReferrals},
		{Method: "GET", Path: "/v1/referrals/{id}", Roles: readers, Tag: "referrals", Summary: "One referral with its payload and delivery state", handler: s.getReferral},
		{Method: "POST", Path: "/v1/referrals/{id}/status", Roles: platforms, Tag: "referrals", Summary: "A platform's answer to a referral (acknowledged, removed, declined)", handler: s.answerReferral},

		{Method: "GET", Path: "/v1/banks", Roles: readers, Tag: "banks", Summary: "List hash banks", handler: s.listBanks},
		{Method: "POST", Path: "/v1/banks", Roles: admins, Tag: "banks", Summary: "Create a hash bank", handler: s.createBank},
		{Method: "GET", Path: "/v1/banks/{name}", Roles: readers, Tag: "banks", Summary: "One hash bank", handler: s.getBank},
		{Method: "POST", Path: "/v1/banks/{name}/entries", Roles: admins, Tag: "banks", Summary: "Add hashes to a bank", handler: s.addBankEntries},

		{Method: "GET", Path: "/v1/rules", Roles: readers, Tag: "rules", Summary: "The analyst rules in force", handler: s.listRules},
		{Method: "POST", Path: "/v1/rules/reload", Roles: admins, Tag: "rules", Summary: "Reload the rule files without a restart", handler: s.reloadRules},

		{Method: "GET", Path: "/v1/factchecks", Roles: readers, Tag: "factchecks", Summary: "List fact-checks", handler: s.listFactChecks},
		{Method: "POST", Path: "/v1/factchecks", Roles: admins, Tag: "factchecks", Summary: "Add or replace fact-checks", BodyLimit: 16 << 20, handler: s.putFactChecks},
		{Method: "GET", Path: "/v1/factchecks/{id}", Roles: readers, Tag: "factchecks", Summary: "One fact-check", handler: s.getFactCheck},

		{Method: "GET", Path: "/v1/debunks", Roles: readers, Tag: "debunks", Summary: "List debunks, most recently changed first", handler: s.listDebunks},
		{Method: "POST", Path: "/v1/debunks", Roles: analysts, Tag: "debunks", Summary: "Write a debunk (a draft), from a rumour case or free-standing", handler: s.createDebunk},
		{Method: "GET", Path: "/v1/debunks/{id}", Roles: readers, Tag: "debunks", Summary: "One debunk with its versions, public pages and posts matched before and after publication", handler: s.getDebunk},
		{Method: "PUT", Path: "/v1/debunks/{id}", Roles: analysts, Tag: "debunks", Summary: "Edit a debunk's draft (an approved draft needs approval again)", handler: s.editDebunk},
		{Method: "POST", Path: "/v1/debunks/{id}/approve", Roles: analysts, Tag: "debunks", Summary: "Approve a draft: four eyes, by an analyst who did not write it", handler: s.approveDebunk},
		{Method: "POST", Path: "/v1/debunks/{id}/publish", Roles: analysts, Tag: "debunks", Summary: "Publish the approved version on the public site and in the fact-check store", handler: s.publishDebunk},
		{Method: "POST", Path: "/v1/debunks/{id}/corrections", Roles: analysts, Tag: "debunks", Summary: "Open a correction of a published debunk (a new version, approved and published again)", handler: s.correctDebunk},
		{Method: "GET", Path: "/v1/cases/{id}/reply", Roles: replyReaders, Tag: "cases", Summary: "Reply text and link a platform can show under the case's posts, from the fact-checks they matched", handler: s.caseReply},
		{Method: "GET", Path: "/v1/claims/trending", Roles: readers, Tag: "claims", Summary: "Emerging claims: clusters of check-worthy posts, fastest-growing first, with the debunk they repeat if any", handler: s.listTrending},
		{Method: "GET", Path: "/v1/claims/trending/{key}", Roles: readers, Tag: "claims", Summary: "One emerging claim with its posts and growth", handler: s.getTrending},
		{Method: "POST", Path: "/v1/claims/trending/{key}/case", Roles: analysts, Tag: "claims", Summary: "Open the review case of an emerging claim (once; 200 with the case opened before)", handler: s.openTrendingCase},

		{Method: "GET", Path: "/v1/stats", Roles: readers, Tag: "meta", Summary: "Counts: posts, unprocessed posts, signals, cases by status, audit entries", handler: s.stats},
		{Method: "GET", Path: "/v1/connectors", Roles: readers, Tag: "connectors", Summary: "Ingest connectors and their state", handler: s.listConnectors},

		{Method: "GET", Path: "/v1/audit", Roles: admins, Tag: "audit", Summary: "Read the audit log", handler: s.listAudit},
		{Method: "GET", Path: "/v1/tokens", Roles: admins, Tag: "tokens", Summary: "List API tokens (never their secrets)", handler: s.listTokens},
		{Method: "POST", Path: "/v1/tokens", Roles: admins, Tag: "tokens", Summary: "Create an API token (the secret is shown once)", handler: s.createToken},
		{Method: "DELETE", Path: "/v1/tokens/{id}", Roles: admins, Tag: "tokens", Summary: "Revoke an API token", handler: s.revokeToken},

		// Hasher-Matcher-Actioner 2.0 compatible routes.
		{Method: "GET", Path: "/h/hash", Roles: hmaUsers, HMA: true, Tag: "hma", Summary: "HMA: hash the media at ?url=", handler: s.hmaHashURL},
		{Method: "POST", Path: "/h/hash", Roles: hmaUsers, HMA: true, Tag: "hma", Summary: "HMA: hash an uploaded file (multipart field named for its content type, e.g. photo)", BodyLimit: bodyMedia, handler: s.hmaHashUpload},
		{Method: "GET", Path: "/m/lookup", Roles: hmaUsers, HMA: true, Tag: "hma", Summary: "HMA: matches by bank for a signal (or ?url=)", handler: s.hmaLookup},
		{Method: "GET", Path: "/m/raw_lookup", Roles: hmaUsers, HMA: true, Tag: "hma", Summary: "HMA: matching bank content ids for a signal", handler: s.hmaRawLookup},
		{Method: "POST", Path: "/m/compare", Roles: hmaUsers, HMA: true, Tag: "hma", Summary: "HMA: compare pairs of hashes", handler: s.hmaCompare},
		{Method: "GET", Path: "/m/index/status", Roles: hmaUsers, HMA: true, Tag: "hma", Summary: "HMA: index status per signal type", handler: s.hmaIndexStatus},
		{Method: "GET", Path: "/c/banks", Roles: hmaUsers, HMA: true, Tag: "hma", Summary: "HMA: list banks", handler: s.hmaListBanks},
		{Method: "POST", Path: "/c/banks", Roles: admins, HMA: true, Tag: "hma", Summary: "HMA: create a bank", handler: s.hmaCreateBank},
		{Method: "POST", Path: "/m/lookup", Roles: hmaUsers, HMA: true, Tag: "hma", Summary: "HMA: matches by signal type and bank for an uploaded file", BodyLimit: bodyMedia, handler: s.hmaLookupUpload},
		{Method: "GET", Path: "/c/bank/{name}", Roles: hmaUsers, HMA: true, Tag: "hma", Summary: "HMA: one bank", handler: s.hmaGetBank},
		{Method: "POST", Path: "/c/bank/{name}/content", Roles: admins, HMA: true, Tag: "hma", Summary: "HMA: hash an upload (or ?url=) and add it to a bank", BodyLimit: bodyMedia, handler: s.hmaAddContent},
		{Method: "DELETE", Path: "/c/bank/{name}/content/{id}", Roles: admins, HMA: true, Tag: "hma", Summary: "HMA: remove a content from a bank", handler: s.hmaRemoveContent},
		{Method: "POST", Path: "/c/bank/{name}/signal", Roles: admins, HMA: true, Tag: "hma", Summary: "HMA: add signals to a bank", handler: s.hmaAddSignal},
		{Method: "GET", Path: "/m/lookup_threshold", Roles: hmaUsers, HMA: true, Tag: "hma", Summary: "HMA: content within ?threshold= of a signal, with distances and signal values", handler: s.hmaLookupRadius(false)},
		{Method: "GET", Path: "/m/lookup_topk", Roles: hmaUsers, HMA: true, Tag: "hma", Summary: "HMA: the ?k= contents nearest a signal, with distances and signal values", handler: s.hmaLookupRadius(true)},
		{Method: "PUT", Path: "/c/bank/{name}", Roles: admins, HMA: true, Tag: "hma", Summary: "HMA: rename a bank or set its matching enabled ratio (0-1)", handler: s.hmaUpdateBank},
		{Method: "DELETE", Path: "/c/bank/{name}", Roles: admins, HMA: true, Tag: "hma", Summary: "HMA: delete a bank and its content", handler: s.hmaDeleteBank},
		{Method: "GET", Path: "/c/bank/{name}/content/{id}", Roles: hmaUsers, HMA: true, Tag: "hma", Summary: "HMA: one content (disable_until_ts, note, metadata, signals with ?include_signals=true or ?signal_type=)", handler: s.hmaGetContent},
		{Method: "PUT", Path: "/c/bank/{name}/content/{id}", Roles: admins, HMA: true, Tag: "hma", Summary: "HMA: update a content's disable_until_ts, note or metadata", handler: s.hmaUpdateContent},
		{Method: "GET", Path: "/c/signal_type", Roles: hmaUsers, HMA: true, Tag: "hma", Summary: "HMA: signal types and their enabled ratios", handler: s.hmaSignalTypes},
		{Method: "PUT", Path: "/c/signal_type/{name}", Roles: admins, HMA: true, Tag: "hma", Summary: "HMA: set a signal type's enabled ratio (0 switches its lookups off; kept in memory)", handler: s.hmaUpdateSignalType},
		{Method: "GET", Path: "/c/signal_type/index", Roles: hmaUsers, HMA: true, Tag: "hma", Summary: "HMA: index build status per signal type", handler: s.hmaSignalTypeIndex},
		{Method: "GET", Path: "/c/content_type", Roles: hmaUsers, HMA: true, Tag: "hma", Summary: "HMA: content types this server hashes", handler: s.hmaContentTypes},
		{Method: "GET", Path: "/c/exchanges/apis", Roles: hmaUsers, HMA: true, Tag: "hma", Summary: "HMA: exchange APIs (none: Basira imports shared lists with its own importers)", handler: s.hmaExchangeAPIs},
		{Method: "GET", Path: "/c/exchanges/api/{api}", Roles: hmaUsers, HMA: true, Tag: "hma", Summary: "HMA: one exchange API (none exist)", handler: s.hmaExchangeAPI},
		{Method: "POST", Path: "/c/exchanges/api/{api}", Roles: admins, HMA: true, Tag: "hma", Summary: "HMA: set an exchange API's credentials (none exist)", handler: s.hmaExchangeAPI},
		{Method: "GET", Path: "/c/exchanges", Roles: hmaUsers, HMA: true, Tag: "hma", Summary: "HMA: exchanges (none)", handler: s.hmaExchanges},
		{Method: "POST", Path: "/c/exchanges", Roles: admins, HMA: true, Tag: "hma", Summary: "HMA: create an exchange (no exchange API exists: 400)", handler: s.hmaCreateExchange},
		{Method: "GET", Path: "/c/exchange/{name}", Roles: hmaUsers, HMA: true, Tag: "hma", Summary: "HMA: one exchange (none exist: 404)", handler: s.hmaExchange},
		{Method: "GET", Path: "/c/exchange/{name}/status", Roles: hmaUsers, HMA: true, Tag: "hma", Summary: "HMA: an exchange's fetch status (none exist: 404)", handler: s.hmaExchange},
		{Method: "PUT", Path: "/c/exchange/{name}", Roles: admins, HMA: true, Tag: "hma", Summary: "HMA: update an exchange (none exist: 404)", handler: s.hmaExchange},
		{Method: "DELETE", Path: "/c/exchange/{name}", Roles: admins, HMA: true, Tag: "hma", Summary: "HMA: delete an exchange", handler: s.hmaDeleteExchange},
		{Method: "GET", Path: "/status", Public: true, HMA: true, Tag: "hma", Summary: "HMA: liveness and readiness, plain text I-AM-ALIVE (503 when the store does not answer)", handler: s.hmaStatus},
		{Method: "GET", Path: "/status/live", Public: true, HMA: true, Tag: "hma", Summary: "HMA: liveness, plain text OK", handler: s.hmaLive},
		{Method: "GET", Path: "/livez", Public: true, HMA: true, Tag: "hma", Summary: "HMA: liveness, plain text OK", handler: s.hmaLive},
		{Method: "GET", Path: "/site-map", Public: true, HMA: true, Tag: "hma", Summary: "HMA: every route path, sorted", handler: s.hmaSiteMap},
		{Method: "GET", Path: "/openapi/openapi.json", Public: true, HMA: true, Tag: "hma", Summary: "This API's OpenAPI 3 document, at OMM's path", handler: s.openapi},
	}
}

func (s *Server) metricsRoute(w http.ResponseWriter, r *http.Request) error {
	s.metrics.Handler().ServeHTTP(w, r)
	return nil
}
