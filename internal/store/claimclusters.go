package store

import (
	"context"
	"time"
)

// ClaimCluster is an emerging claim as the rumour desk sees it: check-worthy
// posts that say the same thing, with how fast they spread, and the
// published fact-check they repeat if one exists. The desk
// (internal/claims/desk) recomputes the clusters over a sliding window and
// saves each refresh; Key stays the same while a cluster keeps most of its
// posts, so a case opened from a cluster stays attached to it.
type ClaimCluster struct {
	Key string `json:"key"`
	// Posts counts the cluster's posts; PostKeys holds them (at most
	// MaxClusterPosts, newest kept).
	Posts    int     `json:"posts"`
	PostKeys []int64 `json:"post_keys"`
	// Sources counts distinct authors; Platforms names where it spread.
	Sources   int       `json:"sources"`
	Platforms []string  `json:"platforms"`
	First     time.Time `json:"first"`
	Last      time.Time `json:"last"`
	// PerHour is posts per hour over the cluster's life; Recent and
	// RecentSources count the posts and sources of the last hour before
	// the refresh. Growth ranks clusters (see trending.Cluster).
	PerHour       float64 `json:"per_hour"`
	Recent        int     `json:"recent"`
	RecentSources int     `json:"recent_sources"`
	Growth        float64 `json:"growth"`
	// Samples are the posts closest to the cluster's centre.
	Samples []ClaimSample `json:"samples"`
	// Debunk is the published fact-check its posts were matched to by the
	// claims detector (nil: nobody has checked this claim yet).
	Debunk *ClaimDebunk `json:"debunk,omitempty"`
	// CaseID is the case opened from the cluster (0: none yet).
	CaseID    int64     `json:"case_id,omitempty"`
	UpdatedAt time.Time `json:"updated_at"`
}

// MaxClusterPosts bounds the post keys a cluster keeps.
const MaxClusterPosts = 500

// ClaimSample is one example post of a cluster.
type ClaimSample struct {
	PostKey    int64   `json:"post_key"`
	Platform   string  `json:"platform,omitempty"`
	Text       string  `json:"text"`
	Worthiness float64 `json:"worthiness"`
}

// ClaimDebunk is the fact-check a cluster repeats.
type ClaimDebunk struct {
	ClaimID    string  `json:"claim_id"`
	Claim      string  `json:"claim,omitempty"`
	Rating     string  `json:"rating,omitempty"`
	Correction string  `json:"correction,omitempty"`
	URL        string  `json:"url,omitempty"`
	Publisher  string  `json:"publisher,omitempty"`
	Score      float64 `json:"score"`
	// Matched counts the cluster's posts matched to it.
	Matched int `json:"matched"`
}

// ClaimClusters is the rumour desk's side of the store.
type ClaimClusters interface {
	// SaveClaimClusters stores one refresh of the desk at now: clusters
	// are inserted or replaced by Key (a cluster's CaseID is kept), and
	// clusters of an earlier refresh that are not in cs and have no case
	// are removed.
	SaveClaimClusters(ctx context.Context, cs []ClaimCluster, now time.Time) error
	// ListClaimClusters returns up to limit clusters, fastest-growing
	// first.
	ListClaimClusters(ctx context.Context, limit int) ([]ClaimCluster, error)
	// ClaimCluster returns one cluster by key (ErrNotFound).
	ClaimCluster(ctx context.Context, key string) (*ClaimCluster, error)
	// OpenClaimCase opens a case for a cluster (category "false-claim"
	// when it repeats a debunk, else "emerging-claim"), files the
	// cluster's posts that have no case yet under it, and writes a
	// case.open audit entry by actor, in one transaction. A cluster that
	// already has a case returns it with created false.
	OpenClaimCase(ctx context.Context, actor, key string, now time.Time) (c *Case, created bool, err error)
}
