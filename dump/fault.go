package dump

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/ckpt/ckpt/bundle"
	"github.com/ckpt/ckpt/criucmd"
	"github.com/ckpt/ckpt/engine"
	"github.com/ckpt/ckpt/progress"
	"github.com/ckpt/ckpt/store"
)

// sweep removes partial dumps whose ckpt was killed, thawing what they left
// frozen (Healer), and warns about those it could not remove. A store that
// cannot be read is left to Begin to report.
func sweep(ctx context.Context, st store.Store, eng engine.Engine, warn io.Writer) {
	left, err := st.Sweep(Healer(ctx, func() (engine.Engine, error) { return eng, nil }, warn))
	if err != nil || warn == nil {
		return
	}
	for _, l := range left {
		if l.Problem != "" && l.Kind == "partial" {
			fmt.Fprintf(warn, "ckpt: warning: %s: %s\n", l.Path, l.Problem)
		}
	}
}

// FailedStop describes a failed stop-mode dump: whether CRIU had already
// stopped the container before it failed. No checkpoint was kept either
// way.
type FailedStop struct {
	Container string
	Stopped   bool   // the container no longer runs
	Unknown   string // why its state could not be read, if it could not
	Err       error  // the dump's failure
}

func (e *FailedStop) Error() string {
	switch {
	case e.Unknown != "":
		return fmt.Sprintf("%v\nno checkpoint was kept; whether %s still runs is unknown (%s): check with docker ps", e.Err, e.Container, e.Unknown)
	case e.Stopped:
		return fmt.Sprintf("%v\nCRIU had already stopped %s, and no valid checkpoint of it was kept: start it again with docker start %s (its state since it started is lost)", e.Err, e.Container, e.Container)
	}
	return fmt.Sprintf("%v\n%s was not stopped: it still runs, and no checkpoint was kept", e.Err, e.Container)
}

func (e *FailedStop) Unwrap() error { return e.Err }

// stopModeFate asks the engine, with a context of its own (the dump's may
// be cancelled), whether the container still runs after a failed
// stop-mode dump, and says so with the error.
func stopModeFate(eng engine.Engine, info *bundle.ContainerInfo, err error) error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	fs := &FailedStop{Container: info.Name, Err: err}
	c, cerr := eng.Container(ctx, info.ID)
	switch {
	case cerr != nil:
		fs.Unknown = cerr.Error()
	default:
		fs.Stopped = !c.State.Running || c.State.Pid != info.PID
	}
	return fs
}

// ErrNotRoot refuses a dump by a user other than root, before anything is
// asked of the engine or criu.
var ErrNotRoot = errors.New("ckpt dump needs root")

// requireRoot: CRIU must ptrace every process of the container and read
// its memory and /proc files, which only root may.
func requireRoot() error {
	if os.Geteuid() != 0 {
		return fmt.Errorf("%w: CRIU has to seize the container's processes and read their memory (running as uid %d; run ckpt with sudo)", ErrNotRoot, os.Geteuid())
	}
	return nil
}

// ErrOldCriu refuses a criu older than criucmd.MinVersion before it is
// let near the container.
var ErrOldCriu = errors.New("criu is too old")

// requireVersion checks the criu at path, whose version is v.
func requireVersion(path string, v criucmd.Version) error {
	if v.Less(criucmd.MinVersion) {
		return fmt.Errorf("%w: %s is criu %s: ckpt needs CRIU %d.%d or newer (install it with scripts/setup.sh, or pass --criu)", ErrOldCriu, path, v, criucmd.MinVersion.Major, criucmd.MinVersion.Minor)
	}
	return nil
}

// fullBelow is the free space under which a failed dump's store counts as
// full.
const fullBelow = 1 << 20

// noRoom says that the store's file system ran out of room, when it did:
// CRIU then fails with ENOSPC, and its log, on the same file system, is
// often cut short before it says so.
func noRoom(dir string, free, size int64) string {
	if size <= 0 || free >= fullBelow {
		return ""
	}
	return fmt.Sprintf("No space left on device: the file system of %s is full (%s free of %s). "+
		"Free space there, or dump with --dir on a file system with room for the container's memory.",
		dir, progress.Bytes(free), progress.Bytes(size))
}
