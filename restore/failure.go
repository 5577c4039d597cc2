package restore

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/ckpt/ckpt/criucmd"
	"github.com/ckpt/ckpt/engine"
)

// restoreFailure makes sure the container is not left half-restored and
// builds an error that quotes CRIU's restore log, with hints.
func restoreFailure(ctx context.Context, eng engine.Engine, id, name, checkpoint, logPath string, startErr error) error {
	ctx = context.WithoutCancel(ctx)
	if ins, err := eng.Container(ctx, id); err == nil && ins.State.Running {
		_ = eng.Stop(ctx, id)
	}
	cerr := &criucmd.Error{Action: criucmd.Restore, ExitCode: 1, LogPath: logPath, Err: firstLine(startErr)}
	if f, err := os.Open(logPath); err == nil {
		cerr.Lines = criucmd.ParseLog(f)
		f.Close()
	} else {
		cerr.LogPath = ""
		cerr.Stderr = startErr.Error()
	}
	explain := strings.TrimSpace(cerr.Explain())
	if i := strings.IndexByte(explain, '\n'); i >= 0 {
		explain = strings.TrimSpace(explain[i:]) // the first line repeats cerr
	}
	return fmt.Errorf("%w: %s from checkpoint %s, the container is left stopped: %w\n%s",
		ErrRestoreFailed, name, checkpoint, cerr, explain)
}

// firstLine keeps the first line of the engine's error: its second names a
// restore.log in the task folder, which the engine has deleted by now.
func firstLine(err error) error {
	s := err.Error()
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return errors.New(s[:i])
	}
	return err
}
