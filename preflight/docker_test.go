package preflight

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/ckpt/ckpt/engine"
	"github.com/ckpt/ckpt/engine/enginetest"
)

// The engine's answers, through the fake, decide the two docker items.
func TestDockerFactsFromEngine(t *testing.T) {
	tests := []struct {
		name        string
		eng         *enginetest.Fake
		daemon, exp Status
		detail      string
	}{
		{"experimental", &enginetest.Fake{EngineInfo: engine.Info{Version: "20.10.24", APIVersion: "1.41", Experimental: true}}, OK, OK, "engine 20.10.24, API 1.41"},
		{"not experimental", &enginetest.Fake{EngineInfo: engine.Info{Version: "29.1.0", APIVersion: "1.52"}}, OK, Fail, "engine 29.1.0, API 1.52"},
		{"unreachable", &enginetest.Fake{InfoErr: fmt.Errorf("docker version: %w", engine.ErrUnreachable)}, Fail, Fail, "not reachable: docker version: docker daemon unreachable"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := good()
			f.Docker = dockerFacts(context.Background(), tt.eng)
			r := Evaluate(f)
			if got := status(r, "docker daemon"); got != tt.daemon {
				t.Errorf("docker daemon = %s, want %s", got, tt.daemon)
			}
			if got := status(r, "docker experimental"); got != tt.exp {
				t.Errorf("docker experimental = %s, want %s", got, tt.exp)
			}
			if r.OK != (tt.daemon == OK && tt.exp == OK) {
				t.Errorf("report OK = %v", r.OK)
			}
			for _, it := range r.Items {
				if it.Name == "docker daemon" && !strings.Contains(it.Detail, tt.detail) {
					t.Errorf("detail %q lacks %q", it.Detail, tt.detail)
				}
			}
		})
	}
}

// ckpt check names what differs on the engine: a holder on Engine 29.
func TestEngineItems(t *testing.T) {
	for _, tt := range []struct {
		info engine.Info
		want string
	}{
		{engine.Info{Version: "29.8.0", APIVersion: "1.51", Experimental: true}, "engine 29.8.0: through a network holder container ckpt-net-NAME (the engine cannot restore these itself: containerd#12141)"},
		{engine.Info{Version: "20.10.24", APIVersion: "1.41", Experimental: true}, "engine 20.10.24: in place and as clones"},
	} {
		f := good()
		f.Docker = dockerFacts(context.Background(), &enginetest.Fake{EngineInfo: tt.info})
		r := Evaluate(f)
		found := false
		for _, it := range r.Items {
			if it.Name == "restore with own network" {
				found = strings.HasPrefix(it.Detail, tt.want) && it.Status == OK
			}
		}
		if !found || !r.OK {
			t.Errorf("%s: no ok item starting %q in %+v", tt.info.Version, tt.want, r.Items)
		}
	}
}
