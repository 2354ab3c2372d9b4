package classify_test

import (
	"github.com/basira-org/basira/internal/claims/trending"
	"github.com/basira-org/basira/internal/classify"
)

// The rumour desk's check-worthiness interface is satisfied by a model.
var _ trending.Worthiness = (*classify.Model)(nil)
