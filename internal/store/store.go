// Package store defines how Basira keeps its state: posts, the signals the
// detectors found on them, cases (one per cluster of near-duplicate posts),
// analysts' decisions and the audit log. Two implementations share one
// conformance suite (storetest): sqlite (the embedded default) and postgres
// (for scale-out).
//
// Every method that changes state writes its audit entries in the same
// transaction, so the log and the state can never disagree.
package store

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/basira-org/basira/internal/audit"
	"github.com/basira-org/basira/internal/auth"
	"github.com/basira-org/basira/internal/detect"
	"github.com/basira-org/basira/internal/notify"
	"github.com/basira-org/basira/internal/post"
	"github.com/basira-org/basira/internal/textsig"
)

// Errors returned by stores; match them with errors.Is.
var (
	// ErrNotFound: no such post, case or decision.
	ErrNotFound = errors.New("not found")
	// ErrConflict: the object changed under the caller (a case is no longer
	// in the state the transition starts from, or is leased by another
	// analyst). Re-read and retry, or tell the user.
	ErrConflict = errors.New("conflict: the object changed, re-read it")
	// ErrSchemaOld: the database schema is older than this binary.
	ErrSchemaOld = errors.New("database schema is older than this version of basira")
	// ErrSchemaNew: the database was migrated by a newer binary.
	ErrSchemaNew = errors.New("database schema is newer than this version of basira")
)

// Post is a stored post: the ingested post plus what the store adds.
type Post struct {
	// Key is the store's own identifier, assigned on first insert and
	// increasing with ingest order. The bus carries keys.
	Key int64 `json:"key"`
	post.Post
	IngestedAt time.Time `json:"ingested_at"`
	// ProcessedAt is set once the detectors ran and their signals and case
	// were recorded; nil means the post still waits for a worker.
	ProcessedAt *time.Time `json:"processed_at,omitempty"`
	// CaseID is the case the post belongs to (0: none, no signal).
	CaseID int64 `json:"case_id,omitempty"`
	// Version counts the texts the post had: 1, then one more per edit at
	// the source (earlier ones: PostVersions). EditedAt is the last edit.
	Version  int        `json:"version"`
	EditedAt *time.Time `json:"edited_at,omitempty"`
	// RemovedAt is when the source said the post is gone (deleted, or its
	// account taken down); RemovedReason says which.
	RemovedAt     *time.Time `json:"removed_at,omitempty"`
	RemovedReason string     `json:"removed_reason,omitempty"`
}

// PostVersion is an earlier text of an edited post, as detectors saw it.
type PostVersion struct {
	Version    int                        `json:"version"`
	Text       string                     `json:"text"`
	Media      []post.Media               `json:"media,omitempty"`
	EditedAt   *time.Time                 `json:"edited_at,omitempty"` // when this version was written
	ReplacedAt time.Time                  `json:"replaced_at"`         // when the next one was stored
	Extra      map[string]json.RawMessage `json:"extra,omitempty"`
}

// Removal is a post (ID) or every post of an author (Author, for an
// account taken down) gone from the source at At, for Reason.
type Removal struct {
	Platform string
	ID       string
	Author   string
	Reason   string // "deleted", "account_takendown", …
	At       time.Time
}

// EditedField is the post.Extra key that marks a post handed on again
// after an edit at its source (ingest.ExtraEditedAt): PutPosts stores it
// as a new version instead of ignoring it as a duplicate.
const EditedField = "edited_at"

// PutResult tells what PutPosts did with each post of a batch.
type PutResult struct {
	// New holds the keys of the posts inserted by this call, in batch order.
	New []int64
	// Duplicates counts posts already stored under the same (platform, id).
	Duplicates int
	// Edited holds the keys of stored posts that got a new version (an
	// edit whose text or media differ): they wait for the detectors again.
	Edited []int64
}

// Signal is a detector's finding on a stored post.
type Signal struct {
	PostKey int64 `json:"post_key"`
	// Version is the version of the post the detector read: its text is
	// the evidence (the post's, or PostVersions' for an edited post).
	Version int `json:"version"`
	detect.Signal
}

// Status is a case's place in the review workflow:
//
//	new → in_review → decided → actioned
//	                ↘ dismissed
//	actioned | dismissed → appealed → in_review
//
// internal/review holds the rules for moving between them.
type Status string

// The case statuses.
const (
	StatusNew       Status = "new"
	StatusInReview  Status = "in_review"
	StatusDecided   Status = "decided"
	StatusActioned  Status = "actioned"
	StatusDismissed Status = "dismissed"
	StatusAppealed  Status = "appealed"
)

// Statuses lists every status in workflow order.
var Statuses = []Status{StatusNew, StatusInReview, StatusDecided, StatusActioned, StatusDismissed, StatusAppealed}

// Case is one item of analyst work: a post, or a campaign of near-duplicate
// posts folded together under one ClusterKey.
type Case struct {
	ID         int64  `json:"id"`
	ClusterKey string `json:"cluster_key"`
	Status     Status `json:"status"`
	// Category is the label of the strongest signal (a taxonomy label such
	// as "incitement" or "false-claim").
	Category string  `json:"category"`
	Severity string  `json:"severity,omitempty"`
	Score    float64 `json:"score"`
	// Priority orders the review queue: higher first. It starts from the
	// severity and grows on escalation.
	Priority  int       `json:"priority"`
	Count     int       `json:"count"` // posts in the case
	FirstSeen time.Time `json:"first_seen"`
	LastSeen  time.Time `json:"last_seen"`
	Platforms []string  `json:"platforms"`
	// Assignee holds the lease of the analyst working on the case, until
	// LeaseUntil; an expired lease lets another analyst claim it.
	Assignee   string     `json:"assignee,omitempty"`
	LeaseUntil *time.Time `json:"lease_until,omitempty"`
	CreatedAt  time.Time  `json:"created_at"`
	UpdatedAt  time.Time  `json:"updated_at"`
	// Version grows on every change; transitions check it.
	Version int64 `json:"version"`
}

// Decision actions an analyst can take on a case.
const (
	ActionRefer    = "refer"    // refer the content to the platform
	ActionDebunk   = "debunk"   // publish or link a correction
	ActionDismiss  = "dismiss"  // nothing to do (benign, news, counter-speech)
	ActionEscalate = "escalate" // send to a senior analyst
	// ActionAppeal records an appeal (by a platform or an analyst) with its
	// reason: not a decision on the content, so it authorises nothing; it
	// is kept with the decisions so the case's history shows it.
	ActionAppeal = "appeal"
)

// Decision is an analyst's decision on a case. Nothing leaves Basira
// (referral, debunk) without one.
type Decision struct {
	ID        int64     `json:"id"`
	CaseID    int64     `json:"case_id"`
	Actor     string    `json:"actor"`
	Action    string    `json:"action"`
	Category  string    `json:"category,omitempty"`
	Rationale string    `json:"rationale"`
	At        time.Time `json:"at"`
}

// Processing is a worker's result for one post: the signals found and,
// when the post deserves review, the case it folds into.
type Processing struct {
	PostKey int64
	Signals []detect.Signal
	// ClusterKey groups exact copies (after folding) into one case; empty
	// means the post opens no case (no signal worth review).
	ClusterKey string
	// Signature, when set, folds near-duplicates too: the post joins the
	// case whose first post's signature is most similar, at or above
	// textsig.DefaultThreshold, instead of opening its own.
	Signature *textsig.Signature
	Category  string
	Severity  string
	Score     float64
	Priority  int
	// Platform and Seen (posted or ingested time) update the campaign.
	Platform string
	Seen     time.Time
	// Media, when set, replaces the post's stored media: the worker fetched
	// the attachments and filled in their hashes (SHA-256, MD5, PDQ).
	Media []post.Media
	// Version, when set, is the version of the post the detectors read: a
	// post edited since (a newer version stored) is left unprocessed, for
	// the edit's own message, instead of getting signals of the old text.
	Version int
}

// Processed tells what RecordProcessing did with one post.
type Processed struct {
	PostKey int64
	CaseID  int64 // 0 when no case
	NewCase bool  // the post opened the case
	Skipped bool  // the post had already been processed: nothing changed
}

// Transition moves a case from one of From to To, checking the lease.
// Assignee and LeaseUntil replace the case's lease (empty/nil clear it).
// Audit describes the change; it is sealed and written in the same
// transaction.
type Transition struct {
	CaseID     int64
	From       []Status
	To         Status
	Actor      string
	Assignee   string
	LeaseUntil *time.Time
	// PriorityDelta is added to the case's priority (escalation).
	PriorityDelta int
	// RequireAssignee, when set, refuses the transition (ErrConflict) unless
	// the case is leased to Actor with a lease still running at Now.
	RequireAssignee bool
	Now             time.Time
	// Decision, when set, is recorded with the transition.
	Decision *Decision
	Audit    audit.Entry
}

// PostQuery selects posts, newest first. Zero fields do not filter.
type PostQuery struct {
	CaseID   int64
	Platform string
	Before   int64 // keys below this (paging)
	Limit    int   // default 100, at most 1000
}

// CaseQuery selects cases, by priority then age. Zero fields do not filter.
type CaseQuery struct {
	Status   Status
	Category string
	Assignee string
	Severity string
	// Platform keeps cases with a post on that platform.
	Platform string
	// Search keeps cases with a post whose text contains it (a plain
	// substring; SQLite also folds ASCII case).
	Search  string
	AfterID int64 // paging by id, ascending, when set
	Offset  int   // paging in queue order (priority, then id)
	Limit   int   // default 100, at most 1000
}

// Counts are the figures a dashboard or /metrics shows.
type Counts struct {
	Posts       int64            `json:"posts"`
	Unprocessed int64            `json:"unprocessed"`
	Signals     int64            `json:"signals"`
	Cases       int64            `json:"cases"`
	CasesBy     map[Status]int64 `json:"cases_by_status"`
	AuditSeq    int64            `json:"audit_seq"`
}

// Posts is the ingest side of the store.
type Posts interface {
	// PutPosts stores a batch in one transaction, idempotent on (platform,
	// post id), with one ActionIngest audit entry by actor. A post already
	// stored is a duplicate, unless it is marked edited (EditedField) and
	// its text or media differ: then it becomes the post's next version
	// and waits for the detectors again (PutResult.Edited). It returns
	// only after the batch is durable: the caller may then acknowledge it.
	PutPosts(ctx context.Context, actor, source string, posts []*post.Post) (PutResult, error)
	// Post returns one post by key.
	Post(ctx context.Context, key int64) (*Post, error)
	// PostsByKey returns the posts with the given keys (missing keys are
	// left out), in key order.
	PostsByKey(ctx context.Context, keys []int64) ([]*Post, error)
	// FindPost returns the post stored under (platform, platform post id).
	FindPost(ctx context.Context, platform, id string) (*Post, error)
	// ListPosts returns posts matching q, newest first.
	ListPosts(ctx context.Context, q PostQuery) ([]*Post, error)
	// PostVersions returns the earlier versions of an edited post, oldest
	// first (the current one is the post itself).
	PostVersions(ctx context.Context, key int64) ([]PostVersion, error)
	// RecordRemovals marks posts gone from their source (deleted, or their
	// account taken down), with one audit entry by actor; posts already
	// marked keep their first removal. It returns how many posts changed.
	RecordRemovals(ctx context.Context, actor string, rs []Removal) (int, error)
	// Unprocessed returns keys above after of posts ingested before
	// olderThan and not yet processed, in key order: the recovery queue.
	Unprocessed(ctx context.Context, after int64, olderThan time.Time, limit int) ([]int64, error)
	// Backlog counts the posts stored and not yet processed, up to upTo
	// (so that its cost stays bounded past a back-pressure threshold):
	// the work waiting for the detector workers, in posts, whatever
	// carries it.
	Backlog(ctx context.Context, upTo int64) (int64, error)
}

// Results is the worker side of the store.
type Results interface {
	// RecordProcessing stores the results of a batch in one transaction:
	// signals, cases opened or grown, posts marked processed, and a
	// case.open audit entry per new case. A post already processed is
	// skipped, so redelivered messages change nothing.
	RecordProcessing(ctx context.Context, actor string, batch []Processing) ([]Processed, error)
	// Signals returns the signals found on a post.
	Signals(ctx context.Context, postKey int64) ([]Signal, error)
}

// Cases is the review side of the store.
type Cases interface {
	Case(ctx context.Context, id int64) (*Case, error)
	ListCases(ctx context.Context, q CaseQuery) ([]*Case, error)
	// ClaimNext leases the next case to review to analyst until now+lease:
	// the highest-priority oldest case that is new or appealed, or whose
	// lease has expired. It returns ErrNotFound when the queue is empty.
	ClaimNext(ctx context.Context, analyst string, lease time.Duration, now time.Time) (*Case, error)
	// Transition applies t atomically, or returns ErrConflict when the case
	// is not in one of t.From (or not leased to the actor when required).
	Transition(ctx context.Context, t Transition) (*Case, error)
	// Decisions returns the decisions on a case, oldest first.
	Decisions(ctx context.Context, caseID int64) ([]Decision, error)
}

// AuditLog is the store's side of internal/audit.
type AuditLog interface {
	// AppendAudit seals e onto the last entry and stores it.
	AppendAudit(ctx context.Context, e audit.Entry) (audit.Entry, error)
	// AuditEntries returns up to limit entries with Seq > after, in order.
	AuditEntries(ctx context.Context, after int64, limit int) ([]audit.Entry, error)
}

// Referrals is the store's side of internal/notify: signed notifications
// of decided cases to platforms, and the platforms' answers.
type Referrals interface {
	notify.Store
	// ListReferrals returns referrals matching q.
	ListReferrals(ctx context.Context, q notify.ReferralQuery) ([]*notify.Referral, error)
	// AnswerReferral applies notify.ApplyAnswer and writes the audit entry
	// in one transaction.
	AnswerReferral(ctx context.Context, actor, id, status, note string, now time.Time) (*notify.Referral, error)
}

// Store is everything Basira keeps.
type Store interface {
	Posts
	Results
	Cases
	AuditLog
	Referrals
	// Tokens returns the API tokens kept in the store (shared by every API
	// process of a deployment), with a lookup cache of its own: call it
	// once per process.
	Tokens() auth.Store
	Accounts
	ClaimClusters
	Counts(ctx context.Context) (Counts, error)
	// Ping checks the database answers (readiness).
	Ping(ctx context.Context) error
	Close() error
}
