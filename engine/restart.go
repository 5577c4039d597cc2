package engine

import (
	"context"
	"fmt"

	"github.com/ckpt/ckpt/store"
)

// RestartPolicy is what the engine does when a container's processes exit.
type RestartPolicy struct {
	Name              string // "", "no", "always", "unless-stopped", "on-failure"
	MaximumRetryCount int    // for on-failure; 0 is no limit
}

// NoRestart is the policy under which the engine never restarts a container.
var NoRestart = RestartPolicy{Name: "no"}

// Restarts reports whether the engine may restart a container whose
// processes exit (a killed container counts as failed: on-failure too).
func (p RestartPolicy) Restarts() bool { return p.Name != "" && p.Name != "no" }

// String is the policy as docker run --restart takes it.
func (p RestartPolicy) String() string {
	switch {
	case p.Name == "":
		return "no"
	case p.Name == "on-failure" && p.MaximumRetryCount > 0:
		return fmt.Sprintf("on-failure:%d", p.MaximumRetryCount)
	}
	return p.Name
}

// SuspendRestart keeps the engine from restarting a container behind a
// stop-mode dump: when CRIU kills the processes, the engine sees them exit
// and, under a restart policy (always, unless-stopped, on-failure), starts
// the container afresh, losing the state the checkpoint holds. So for a
// stop-mode dump it sets the policy of c to "no", and returns the one c had,
// to be recorded in container.json and put back by ResumeRestart when the
// container is restored in place or the dump fails. A leave-running dump,
// or a container without a restarting policy, changes nothing: nil.
func SuspendRestart(ctx context.Context, eng Engine, id string, p RestartPolicy, leaveRunning bool) (*store.RestartPolicy, error) {
	if leaveRunning || !p.Restarts() {
		return nil, nil
	}
	if err := eng.SetRestartPolicy(ctx, id, NoRestart); err != nil {
		return nil, fmt.Errorf("suspend the restart policy %s for a stop-mode dump (else the engine restarts the container when CRIU stops it): %w", p, err)
	}
	rec := store.RestartPolicy(p)
	return &rec, nil
}

// ResumeRestart puts back on container id the restart policy that
// SuspendRestart recorded (nil: none), even when ctx is cancelled.
func ResumeRestart(ctx context.Context, eng Engine, id string, rec *store.RestartPolicy) error {
	if rec == nil {
		return nil
	}
	p := RestartPolicy(*rec)
	if err := eng.SetRestartPolicy(context.WithoutCancel(ctx), id, p); err != nil {
		return fmt.Errorf("put back the restart policy %s: %w; set it with: docker update --restart %s %s", p, err, p, id)
	}
	return nil
}
