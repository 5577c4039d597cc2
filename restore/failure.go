package restore

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
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
	detachYards(id)
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
	if restorerLooped(logPath) {
		explain = strings.TrimSpace(explain + "\n\n" + loopHint)
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

// loopHint explains a restore CRIU never finished because its restorer
// kept reading nothing from a page image.
const loopHint = "CRIU's restorer read nothing from a page image, again and again (\"Preadv ... returned 0\" in the log): " +
	"a page image (pages-N.img) is shorter than its page map says, so the checkpoint is damaged " +
	"(cut short by a full disk or an interrupted copy?). CRIU 4.2.1 loops on this instead of failing. " +
	"Restore from another checkpoint."

// loopedReads is how many empty reads in a row restorerLooped takes for a
// loop: a restore that works logs none.
const loopedReads = 200

// restorerLooped reports whether the restore log at logPath shows CRIU's
// restorer retrying a read that returns nothing (CRIU 4.2.1, given a page
// image cut short). It reads at most the first 16 MiB.
func restorerLooped(logPath string) bool {
	f, err := os.Open(logPath)
	if err != nil {
		return false
	}
	defer f.Close()
	sc := bufio.NewScanner(io.LimitReader(f, maxKeptLog))
	n := 0
	for sc.Scan() {
		switch line := sc.Text(); {
		case strings.HasSuffix(line, "`- returned 0"):
			if n++; n >= loopedReads {
				return true
			}
		case strings.Contains(line, "Preadv"):
		default:
			n = 0
		}
	}
	return false
}
