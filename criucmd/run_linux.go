package criucmd

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"time"

	"github.com/ckpt/ckpt/namespaces"
)

// Run executes criu at criuPath with the argv Args builds from o.
//
// It creates ImagesDir and WorkDir with mode 0700, removes a log left at
// o.LogPath() by an earlier run so that errors are never quoted from it,
// and runs criu with stdin on /dev/null. When o.Timeout (default DefaultTimeout) passes or ctx is done,
// criu gets SIGTERM, so that it can thaw the tree, then SIGKILL after a
// grace period.
//
// The Result is returned whenever criu was started. A failure of criu is
// an *Error; its Err wraps ErrTimeout on timeout and the context's error on
// cancellation.
func Run(ctx context.Context, criuPath string, o Options) (*Result, error) {
	args, err := Args(o)
	if err != nil {
		return nil, err
	}
	if criuPath == "" {
		return nil, fmt.Errorf("run criu %s: %w: empty path (use FindCriu)", o.Action, ErrNotFound)
	}
	if err := prepareDirs(o); err != nil {
		return nil, fmt.Errorf("run criu %s: %w", o.Action, err)
	}

	out, err := os.CreateTemp("", "ckpt-criu-output-*")
	if err != nil {
		return nil, fmt.Errorf("run criu %s: capture file: %w", o.Action, err)
	}
	defer os.Remove(out.Name())
	defer out.Close()

	timeout := o.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	runCtx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	cmd := exec.CommandContext(runCtx, criuPath, args...)
	if len(o.Env) > 0 {
		cmd.Env = append(os.Environ(), o.Env...)
	}
	cmd.Stdout = out
	cmd.Stderr = out
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = termGrace
	// criu dies with ckpt: a ckpt killed with SIGKILL must not leave criu
	// writing the container's memory into a folder nobody will commit or
	// remove. CRIU's own cleanup on SIGKILL is the kernel's: ptrace
	// detaches the tree, which runs on (tested in fault_dump). The signal
	// comes when the thread that started criu exits, so that thread is
	// locked to this goroutine until criu has been waited for.
	//
	// criu runs in a process group of its own, which its helpers share:
	// a criu stopped by SIGTERM (a timeout, Ctrl-C) can exit while a
	// helper it forked sleeps on, holding the partial folder open (seen
	// on a stop-mode dump timed out at 150 ms: a forked criu in
	// nanosleep, parent 1, minutes later). Once criu has been waited for,
	// whatever is left in its group is killed. The dumped tasks are not
	// in it: CRIU seizes them, it does not fork them. Ctrl-C at a
	// terminal now reaches ckpt alone, which stops criu as on a timeout.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL, Setpgid: true}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()

	res := &Result{Argv: append([]string{criuPath}, args...), LogPath: o.LogPath()}
	var netns *os.File
	if o.NetNS != "" {
		if netns, err = os.Open(o.NetNS); err != nil {
			return nil, fmt.Errorf("run criu %s: open the network namespace to run it in: %w", o.Action, err)
		}
		defer netns.Close()
	}
	start := time.Now()
	if err := namespaces.StartIn(cmd, netns); err != nil {
		return nil, fmt.Errorf("run criu %s: start %s: %w", o.Action, criuPath, err)
	}
	waitErr := cmd.Wait()
	res.Duration = time.Since(start)
	// ESRCH when criu left nothing behind, as it does when it ends by itself.
	_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	res.Output, _ = readTail(out, maxOutput) // best effort: only used in messages

	if waitErr == nil {
		// criu exited 0; a deadline that passed after that changes nothing.
		return res, nil
	}
	e := &Error{
		Action:   o.Action,
		Argv:     res.Argv,
		ExitCode: -1,
		LogPath:  res.LogPath,
		Lines:    readLog(res.LogPath),
		Stderr:   res.Output,
		Err:      waitErr,
	}
	if cmd.ProcessState != nil {
		e.ExitCode = cmd.ProcessState.ExitCode()
	}
	if len(e.Lines) == 0 {
		e.Lines = ParseLog(strings.NewReader(res.Output))
	}
	switch {
	case ctx.Err() != nil:
		e.Err = fmt.Errorf("cancelled after %s: %w", res.Duration.Round(time.Millisecond), context.Cause(ctx))
	case runCtx.Err() != nil:
		note := ""
		if o.FreezeCgroup != "" {
			note = fmt.Sprintf("; check that %s is THAWED", filepath.Join(o.FreezeCgroup, "freezer.state"))
		}
		e.Err = fmt.Errorf("%w after %s%s", ErrTimeout, timeout, note)
	}
	return res, e
}

// prepareDirs creates the directories criu writes into and removes a
// stale log.
func prepareDirs(o Options) error {
	if err := os.MkdirAll(o.ImagesDir, 0o700); err != nil {
		return fmt.Errorf("images dir: %w", err)
	}
	if o.WorkDir != "" {
		if err := os.MkdirAll(o.WorkDir, 0o700); err != nil {
			return fmt.Errorf("work dir: %w", err)
		}
	}
	if err := os.Remove(o.LogPath()); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("remove old log: %w", err)
	}
	return nil
}

// readLog parses the log at path; a missing or unreadable log gives no lines.
func readLog(path string) []LogLine {
	f, err := os.Open(path)
	if err != nil {
		return nil
	}
	defer f.Close()
	return ParseLog(f)
}
