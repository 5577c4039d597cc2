package restore

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeRestore is an engine start that blocks until its criu is killed,
// then fails as the engine does, or succeeds when ok.
type fakeRestore struct {
	mu     sync.Mutex
	killed chan struct{}
	logs   []string
	ok     bool
}

func newFakeRestore() *fakeRestore { return &fakeRestore{killed: make(chan struct{})} }

func (f *fakeRestore) kill(logPath string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.logs = append(f.logs, logPath)
	if len(f.logs) == 1 {
		close(f.killed)
		return 2
	}
	return 0
}

func (f *fakeRestore) start(ctx context.Context) error {
	if ctx.Done() != nil {
		return errors.New("the start's context can be cancelled")
	}
	<-f.killed
	if f.ok {
		return nil
	}
	return errors.New("Error response from daemon: criu failed: type RESTORE errno 0")
}

func TestGuardStartReturnsTheStartsOutcome(t *testing.T) {
	f := newFakeRestore()
	boom := errors.New("no such image")
	err := guardStart(context.Background(), time.Minute, "/x/restore.log", f.kill, func(context.Context) error { return boom })
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v, want %v", err, boom)
	}
	if len(f.logs) != 0 {
		t.Fatalf("criu killed on a start that ended by itself: %v", f.logs)
	}
}

func TestGuardStartKillsCriuOnTimeout(t *testing.T) {
	f := newFakeRestore()
	err := guardStart(context.Background(), 30*time.Millisecond, "/x/restore.log", f.kill, f.start)
	if !errors.Is(err, ErrTimeout) {
		t.Fatalf("err = %v, want ErrTimeout", err)
	}
	for _, want := range []string{"restore timed out after 30ms", "criu killed (2 processes)", "criu failed: type RESTORE"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
	if f.logs[0] != "/x/restore.log" {
		t.Errorf("killed the criu of %q, want /x/restore.log", f.logs[0])
	}
}

func TestGuardStartKillsCriuOnCancel(t *testing.T) {
	f := newFakeRestore()
	ctx, cancel := context.WithCancelCause(context.Background())
	time.AfterFunc(20*time.Millisecond, func() { cancel(errors.New("interrupt signal received")) })
	err := guardStart(ctx, time.Hour, "/x/restore.log", f.kill, f.start)
	if err == nil || !strings.Contains(err.Error(), "restore cancelled after") || !strings.Contains(err.Error(), "interrupt signal received") {
		t.Fatalf("err = %v, want the cancel and its cause", err)
	}
	if errors.Is(err, ErrTimeout) {
		t.Errorf("a cancel reported as a timeout: %v", err)
	}
}

func TestGuardStartFinishedAsItWasStopped(t *testing.T) {
	f := newFakeRestore()
	f.ok = true
	if err := guardStart(context.Background(), 10*time.Millisecond, "/x/restore.log", f.kill, f.start); err != nil {
		t.Fatalf("a start that succeeded after all: %v", err)
	}
}

func TestGuardStartStopsARunawayLog(t *testing.T) {
	logPath := filepath.Join(t.TempDir(), "restore.log")
	f := newFakeRestore()
	start := func(ctx context.Context) error {
		// CRIU's looping restorer: the log passes the bound (sparse here).
		if err := os.WriteFile(logPath, nil, 0o600); err != nil {
			return err
		}
		if err := os.Truncate(logPath, maxRestoreLog+1); err != nil {
			return err
		}
		return f.start(ctx)
	}
	err := guardStart(context.Background(), time.Hour, logPath, f.kill, start)
	if !errors.Is(err, ErrLogRunaway) {
		t.Fatalf("err = %v, want ErrLogRunaway", err)
	}
	fi, serr := os.Stat(logPath)
	if serr != nil || fi.Size() != maxKeptLog {
		t.Fatalf("log after the kill: %v, %v; want it cut to %d bytes", fi.Size(), serr, maxKeptLog)
	}
}

func TestRestorerLooped(t *testing.T) {
	for _, c := range []struct {
		log  string
		want bool
	}{
		// CRIU 4.2.1 restoring a checkpoint whose pages-1.img was cut to
		// 64 KiB: its restorer retries the read for ever (the log's head).
		{"testdata/pages-cut-short.restore.log", true},
		{"../criucmd/testdata/logs/restore-no-netns.restore.log", false},
		{"testdata/no-such.log", false},
	} {
		if got := restorerLooped(c.log); got != c.want {
			t.Errorf("restorerLooped(%s) = %v, want %v", c.log, got, c.want)
		}
	}
}
