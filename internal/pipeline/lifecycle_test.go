package pipeline

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"
	"time"

	"github.com/basira-org/basira/internal/detect"
	"github.com/basira-org/basira/internal/ingest/mastodon"
)

// TestEditAndDeleteFromRecordedStream replays a stream recorded from a
// real Mastodon server (a status, its edit, its deletion) through the
// connector into the pipeline: the edit is stored as version 2 and run
// through the detectors again (the edited text is the one flagged), the
// first text is kept, and the deletion is on the stored post as soon as
// the event is read.
func TestEditAndDeleteFromRecordedStream(t *testing.T) {
	body, err := os.ReadFile("../ingest/mastodon/testdata/stream_user.sse")
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/api/v1/timelines/public", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "[]") })
	mux.HandleFunc("/api/v1/streaming/public", func(w http.ResponseWriter, r *http.Request) { w.Write(body) })
	srv := httptest.NewServer(mux)
	defer srv.Close()

	st := openStore(t)
	svc, _ := newService(t, st, wordDetector{word: "animals", label: "incitement", severity: detect.Medium})
	run(t, svc)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	src := &mastodon.Source{Server: srv.URL}
	start := time.Now()
	if err := src.Run(ctx, svc); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("Run = %v", err)
	}
	p, err := st.FindPost(ctx, "127.0.0.1", "109440181353147070")
	if err != nil {
		t.Fatal(err)
	}
	if p.Version != 2 || p.Text != "only real animals respond." || p.RemovedAt == nil || p.RemovedReason != "deleted" {
		t.Fatalf("stored post = %+v", p)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("edit and deletion visible after %v, want within a second", d)
	}
	vs, err := st.PostVersions(ctx, p.Key)
	if err != nil || len(vs) != 1 || vs[0].Text != "only real cars respond." {
		t.Fatalf("versions = %+v (%v)", vs, err)
	}
	waitProcessed(t, st, 2)
	sigs, err := st.Signals(ctx, p.Key)
	if err != nil || len(sigs) != 1 || sigs[0].Version != 2 || sigs[0].Evidence != "animals" {
		t.Fatalf("signals = %+v (%v): want the edit flagged, on version 2", sigs, err)
	}
	if s := svc.Stats(); s.Edited != 1 || s.Removed != 1 {
		t.Errorf("stats = %+v", s)
	}
}
