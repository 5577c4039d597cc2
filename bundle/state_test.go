package bundle

import (
	"errors"
	"strings"
	"testing"

	"github.com/ckpt/ckpt/engine"
)

func TestCheckState(t *testing.T) {
	tests := []struct {
		name    string
		st      engine.State
		wantErr error
		wantMsg string
	}{
		{"running", engine.State{Status: "running", Running: true, Pid: 42}, nil, ""},
		{"exited", engine.State{Status: "exited"}, ErrNotRunning, "web is not running (exited): start it with `docker start web`"},
		{"created", engine.State{Status: "created"}, ErrNotRunning, "web is not running (created)"},
		{"paused", engine.State{Status: "paused", Running: true, Paused: true, Pid: 42}, ErrPaused, "web is paused: resume it with `docker unpause web`"},
		{"restarting", engine.State{Status: "restarting", Running: true, Restarting: true, Pid: 42}, ErrRestarting, "web is restarting"},
		{"running without pid", engine.State{Status: "running", Running: true}, ErrNotRunning, "no pid"},
		{"no state", engine.State{}, ErrNotRunning, "web is not running (stopped)"},
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
