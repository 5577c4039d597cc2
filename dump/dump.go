// Package dump checkpoints a running container: it gathers what the dump
// depends on (the engine's view, the OCI bundle, the mounts, /proc), plans
// criu's options from that as plain data (Plan, tested without root), runs
// criu into a hidden folder of the store and commits it with its
// container.json. The path: Run → engine and bundle.Find → mountscan.Scan
// → Plan.CriuOptions → criucmd.Run → store.Pending.Commit.
package dump

import (
	"encoding/json"
	"errors"
	"io"
	"time"

	"github.com/ckpt/ckpt/criucmd"
	"github.com/ckpt/ckpt/progress"
	"github.com/ckpt/ckpt/store"
)

// ErrNoDirtyTracking is returned by a pre-dump on a kernel without the
// soft-dirty bit, before anything is frozen.
var ErrNoDirtyTracking = errors.New("pre-dump needs memory dirty tracking (the soft-dirty bit), which this kernel lacks")

// ErrTtyStop refuses a stop-mode dump of a container with a terminal: the
// engine could not bring it back, so stopping it would lose it.
var ErrTtyStop = errors.New("refusing to stop a container with a terminal")

// Options is what `ckpt dump` asks for. Its DumpFlags go unchanged into
// the plan, criu's options and container.json.
type Options struct {
	Container string          // name or ID prefix
	Name      string          // checkpoint name; "" makes one from the time
	Dir       string          // store folder
	Bundle    string          // OCI bundle, "" to find it
	Criu      string          // criu binary, "" for PATH
	PreDump   bool            // pre-dump memory first (needs soft-dirty)
	Force     bool            // replace a checkpoint of the same name
	Timeout   time.Duration   // bound on criu
	Warn      io.Writer       // where warnings go before the dump
	Progress  *progress.Meter // shows the dump's progress; nil for none

	// Paused says the engine has paused (frozen) the container for a group
	// dump (RunGroup): CRIU dumps it frozen and leaves it so (CRIU keeps a
	// freezer cgroup that was FROZEN before the dump frozen after it), even
	// in stop mode, where the caller stops it once every member is dumped;
	// a failed dump leaves the freezer to the caller.
	Paused bool
	// Group and Networks go into container.json (store.Meta).
	Group    *store.Group
	Networks map[string]json.RawMessage

	criucmd.DumpFlags // leave running, established TCP, file locks
}

// Result is a finished checkpoint.
type Result struct {
	Path     string
	Size     int64
	Duration time.Duration
	Meta     *store.Meta
	// LockRemoved says what CRIU's network lock left in a namespace that
	// outlives the container and ckpt removed, one entry per family.
	LockRemoved []string
}

// warnTo is w, or io.Discard when there is none.
func warnTo(w io.Writer) io.Writer {
	if w == nil {
		return io.Discard
	}
	return w
}
