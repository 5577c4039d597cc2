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
