package server

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/basira-org/basira/internal/post"
	"github.com/basira-org/basira/internal/server/auth"
	"github.com/basira-org/basira/internal/store"
)

// TestPostShowsVersionsAndRemoval: an edited, then deleted post shows its
// version, earlier text and removal in GET /v1/posts/{key}.
func TestPostShowsVersionsAndRemoval(t *testing.T) {
	e := newEnv(t, Config{}, nil)
	ctx := context.Background()
	key := mustOK(e.db.PutPosts(ctx, "t", "t", []*post.Post{{ID: "1", Platform: "p", Text: "before"}})).New[0]
	edit := &post.Post{ID: "1", Platform: "p", Text: "after", Extra: map[string]json.RawMessage{store.EditedField: json.RawMessage(`"2026-12-01T10:00:00Z"`)}}
	mustOK(e.db.PutPosts(ctx, "t", "t", []*post.Post{edit}))
	at := time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC)
	mustOK(e.db.RecordRemovals(ctx, "t", []store.Removal{{Platform: "p", ID: "1", Reason: "deleted", At: at}}))
	var got struct {
		Text          string    `json:"text"`
		Version       int       `json:"version"`
		RemovedAt     time.Time `json:"removed_at"`
		RemovedReason string    `json:"removed_reason"`
		Versions      []struct {
			Version int    `json:"version"`
			Text    string `json:"text"`
		} `json:"versions"`
	}
	e.json(auth.Viewer, "GET", fmt.Sprintf("/v1/posts/%d", key), nil, 200, &got)
	if got.Text != "after" || got.Version != 2 || !got.RemovedAt.Equal(at) || got.RemovedReason != "deleted" ||
		len(got.Versions) != 1 || got.Versions[0].Text != "before" {
		t.Fatalf("post = %+v", got)
	}
}

func mustOK[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
