package restore

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/ckpt/ckpt/criucmd"
)

// DefaultTimeout bounds the engine's start of a restore when
// Request.Timeout is zero: as long as a dump may take.
const DefaultTimeout = criucmd.DefaultTimeout

// ErrTimeout means the engine's start from the checkpoint did not end
// within the request's timeout.
var ErrTimeout = errors.New("restore timed out")

// killGrace is how long a guarded start may take to return once its criu
// was killed, before ckpt gives up waiting on the engine.
const killGrace = time.Minute

// maxRestoreLog is the size past which a restore log says CRIU is looping:
// a restore of a 1 GiB container logs a few MiB, and CRIU 4.2.1's
// restorer, given a page image shorter than its page map, retries the
// read for ever and logs about 60 MiB a second.
const maxRestoreLog = 256 << 20

// ErrLogRunaway means the restore log grew past maxRestoreLog.
var ErrLogRunaway = errors.New("CRIU's restore log grew past 256 MiB: CRIU is looping")

// criuKiller kills, with SIGKILL, every criu process that writes the
// restore log at logPath, and returns how many it killed. On Linux it is
// killRestoreCriu; tests give their own.
type criuKiller func(logPath string) int

// guardStart runs start, the engine's start of a container from a
// checkpoint, inside which runc runs criu. The engine bounds neither: a
// restore CRIU cannot finish (a page image cut short makes CRIU 4.2.1
// spin) would hold ckpt and the container for ever, and dropping the
// request on Ctrl-C would leave a restore running on behind ckpt's back.
// So start runs on a context that is never cancelled, and when timeout
// passes, ctx is done (SIGINT, SIGTERM) or the log at logPath grows past
// maxRestoreLog, guardStart kills the criu that writes logPath, again
// until start returns, so that the engine fails the start as on any CRIU
// error and the caller leaves the container stopped. The error then says
// why (ErrTimeout, ErrLogRunaway or the context's cause) and wraps the
// engine's.
func guardStart(ctx context.Context, timeout time.Duration, logPath string, kill criuKiller, start func(context.Context) error) error {
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	began := time.Now()
	done := make(chan error, 1)
	go func() { done <- start(context.WithoutCancel(ctx)) }()
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	tick := time.NewTicker(250 * time.Millisecond)
	defer tick.Stop()
	var why error
	for why == nil {
		select {
		case err := <-done:
			return err
		case <-timer.C:
			why = fmt.Errorf("%w after %s", ErrTimeout, timeout)
		case <-ctx.Done():
			why = fmt.Errorf("restore cancelled after %s: %w", time.Since(began).Round(time.Millisecond), context.Cause(ctx))
		case <-tick.C:
			if fi, err := os.Stat(logPath); err == nil && fi.Size() > maxRestoreLog {
				why = fmt.Errorf("%w (after %s)", ErrLogRunaway, time.Since(began).Round(time.Millisecond))
			}
		}
	}
	// runc may not have started criu yet, or criu may fork: keep killing
	// until the engine answers.
	grace := time.NewTimer(killGrace)
	defer grace.Stop()
	killed := kill(logPath)
	defer trimLog(logPath)
	for {
		select {
		case err := <-done:
			if err == nil {
				return nil // it finished as it was stopped: the container runs
			}
			return fmt.Errorf("%w; criu killed (%d processes): %w", why, killed, err)
		case <-tick.C:
			killed += kill(logPath)
		case <-grace.C:
			return fmt.Errorf("%w; criu killed (%d processes), and the engine's start did not return within %s after", why, killed, killGrace)
		}
	}
}

// trimLog cuts a restore log that ran away down to maxKeptLog: its first
// lines say what CRIU was doing, the rest repeats.
func trimLog(logPath string) {
	if fi, err := os.Stat(logPath); err == nil && fi.Size() > maxKeptLog {
		_ = os.Truncate(logPath, maxKeptLog)
	}
}

// maxKeptLog is what trimLog keeps of a restore log.
const maxKeptLog = 16 << 20
