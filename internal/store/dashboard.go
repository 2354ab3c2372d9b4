package store

import (
	"context"
	"time"
)

// Dashboard holds the figures of the workspace's dashboard over a period.
type Dashboard struct {
	Since time.Time `json:"since"`
	Until time.Time `json:"until"`
	// Days counts, per UTC day, posts ingested, cases opened and decisions.
	Days []DayCount `json:"days"`
	// Categories counts cases opened, by category; Languages and Platforms
	// count posts in cases, by language and platform. Largest first.
	Categories []KeyCount `json:"categories"`
	Languages  []KeyCount `json:"languages"`
	Platforms  []KeyCount `json:"platforms"`
	// ToDecision is from a case's opening to its first decision; ToAction
	// from a referral's creation (the decision) to its delivery.
	ToDecision Durations `json:"to_decision"`
	ToAction   Durations `json:"to_action"`
	// Dismissals are decisions and dismissals per category.
	Dismissals []DismissRate `json:"dismissals"`
}

// DayCount is one day of the dashboard's volumes.
type DayCount struct {
	Day       string `json:"day"` // YYYY-MM-DD, UTC
	Posts     int64  `json:"posts"`
	Cases     int64  `json:"cases"`
	Decisions int64  `json:"decisions"`
}

// KeyCount is a count under a key (category, language, platform).
type KeyCount struct {
	Key string `json:"key"`
	N   int64  `json:"n"`
}

// Durations summarise delays in seconds.
type Durations struct {
	N      int     `json:"n"`
	Median float64 `json:"median_seconds"`
	P90    float64 `json:"p90_seconds"`
}

// DismissRate is the share of a category's decisions that dismissed.
type DismissRate struct {
	Category  string  `json:"category"`
	Decisions int64   `json:"decisions"`
	Dismissed int64   `json:"dismissed"`
	Rate      float64 `json:"rate"`
}

// DashboardReader computes the dashboard (sqlstore.DB has it).
type DashboardReader interface {
	Dashboard(ctx context.Context, since, until time.Time) (*Dashboard, error)
}
