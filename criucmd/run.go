package criucmd

import (
	"fmt"
	"io"
	"os"
	"time"
)

// Result describes a criu run that was started.
type Result struct {
	// Argv is the full command line, criu's path first.
	Argv []string
	// LogPath is criu's log file.
	LogPath string
	// Duration is how long criu ran.
	Duration time.Duration
	// Output is the end of what criu wrote to stdout and stderr; at -v4
	// everything goes to the log, so this is usually empty.
	Output string
}

// termGrace is how long Run waits after SIGTERM before it sends SIGKILL.
// criu unfreezes and unseizes the tree when it gets SIGTERM; SIGKILL skips
// that, which can leave a container frozen. A variable so tests can shorten
// it.
var termGrace = 10 * time.Second

// maxOutput caps how much of criu's stdout/stderr is kept.
const maxOutput = 16 << 10

// checkInheritFDs checks that every InheritFDs entry names a descriptor
// Run actually passes to criu: ExtraFiles become fds 3, 4, ...; fds 0-2 are
// criu's own stdin, stdout and stderr, which Run points at /dev/null and a
// capture file, so inheriting them would hand the restored tree the wrong
// files.
func checkInheritFDs(o Options) error {
	for i, f := range o.InheritFDs {
		n := f.FD - 3
		switch {
		case f.FD < 3:
			return fmt.Errorf("InheritFDs[%d] fd[%d]:%s: Run passes only ExtraFiles, as fds 3 and up", i, f.FD, f.Key)
		case n >= len(o.ExtraFiles) || o.ExtraFiles[n] == nil:
			return fmt.Errorf("InheritFDs[%d] fd[%d]:%s: no ExtraFiles[%d] (have %d files)", i, f.FD, f.Key, n, len(o.ExtraFiles))
		}
	}
	return nil
}

// readTail returns at most the last limit bytes of f.
func readTail(f *os.File, limit int64) (string, error) {
	size, err := f.Seek(0, io.SeekEnd)
	if err != nil {
		return "", fmt.Errorf("seek %s: %w", f.Name(), err)
	}
	start := max(0, size-limit)
	buf := make([]byte, size-start)
	if _, err := f.ReadAt(buf, start); err != nil && err != io.EOF {
		return "", fmt.Errorf("read %s: %w", f.Name(), err)
	}
	return string(buf), nil
}
