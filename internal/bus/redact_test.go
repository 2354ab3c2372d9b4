package bus

import (
	"strings"
	"testing"
)

func TestRedact(t *testing.T) {
	for in, want := range map[string]string{
		"memory":                                "memory",
		"nats://127.0.0.1:4222":                 "nats://127.0.0.1:4222",
		"nats://basira:S3cret@nats:4222":        "nats://basira:xxxxx@nats:4222",
		"nats://S3cretToken@nats:4222?stream=x": "nats://xxxxx@nats:4222?stream=x",
		"nats://u:S3cret%zz@nats:4222":          "nats://xxxxx@nats:4222",
	} {
		got := Redact(in)
		if got != want || strings.Contains(got, "S3cret") {
			t.Errorf("Redact(%q) = %q, want %q", in, got, want)
		}
	}
}
