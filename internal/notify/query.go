package notify

import "time"

// ReferralQuery selects referrals, newest first. Zero fields do not filter.
type ReferralQuery struct {
	CaseID   int64
	Status   string
	Platform string
	// OverdueAt, when set, selects sent referrals whose deadline passed
	// before it (Referral.Overdue), whatever Status says.
	OverdueAt time.Time
	Limit     int // default 100, at most 1000
}

// Statuses lists every referral status, in lifecycle order.
var Statuses = []string{Pending, Sent, Acknowledged, Removed, Declined, Failed}

// Answers lists the statuses a platform may answer with.
var Answers = []string{Acknowledged, Removed, Declined}
