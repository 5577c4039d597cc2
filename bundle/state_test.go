package bundle

import (
	"errors"
	"strings"
	"testing"

	"github.com/docker/docker/api/types/container"
)

func TestCheckState(t *testing.T) {
	tests := []struct {
		name    string
		st      *container.State
		wantErr error
		wantMsg string
	}{
		{"running", &container.State{Status: "running", Running: true, Pid: 42}, nil, ""},
		{"exited", &container.State{Status: "exited"}, ErrNotRunning, "web is not running (exited): start it with `docker start web`"},
		{"created", &container.State{Status: "created"}, ErrNotRunning, "web is not running (created)"},
		{"paused", &container.State{Status: "paused", Running: true, Paused: true, Pid: 42}, ErrPaused, "web is paused: resume it with `docker unpause web`"},
		{"restarting", &container.State{Status: "restarting", Running: true, Restarting: true, Pid: 42}, ErrRestarting, "web is restarting"},
		{"running without pid", &container.State{Status: "running", Running: true}, ErrNotRunning, "no pid"},
		{"no state", nil, ErrNotRunning, "web has no state"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := checkState("web", tt.st)
			if tt.wantErr == nil {
				if err != nil {
					t.Fatalf("checkState = %v, want nil", err)
				}
				return
			}
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("checkState = %v, want %v", err, tt.wantErr)
			}
			if !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("message %q does not contain %q", err, tt.wantMsg)
			}
		})
	}
}

func TestFindErrorUnwrapsCause(t *testing.T) {
	cause := errors.New("dial unix /var/run/docker.sock: connect: no such file")
	err := &findError{msg: "cannot reach dockerd to resolve web", kind: ErrNoDaemon, cause: cause}
	if !errors.Is(err, ErrNoDaemon) || !errors.Is(err, cause) {
		t.Fatalf("errors.Is fails on %v", err)
	}
	if got, want := err.Error(), "cannot reach dockerd to resolve web: "+cause.Error(); got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}
