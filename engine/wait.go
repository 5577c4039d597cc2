package engine

import (
	"context"
	"time"
)

// WaitStopped polls container ref, last inspected as ins, for up to 10
// seconds until the engine reports it stopped, and returns the last
// inspection. After a stop-mode dump the processes are gone at once, but
// the engine notices a moment later.
func WaitStopped(ctx context.Context, eng Engine, ref string, ins *Container) *Container {
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) && ins.State.Running {
		select {
		case <-ctx.Done():
			return ins
		case <-time.After(20 * time.Millisecond):
		}
		next, err := eng.Container(ctx, ref)
		if err != nil {
			return ins
		}
		ins = next
	}
	return ins
}
