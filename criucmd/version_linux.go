package criucmd

import (
	"context"
	"fmt"
	"os/exec"
	"time"
)

// probeTimeout bounds `criu --version`, which should answer at once.
const probeTimeout = 10 * time.Second

// Probe runs `criuPath --version` and parses its answer.
func Probe(ctx context.Context, criuPath string) (Version, error) {
	ctx, cancel := context.WithTimeout(ctx, probeTimeout)
	defer cancel()
	out, err := exec.CommandContext(ctx, criuPath, "--version").CombinedOutput()
	if err != nil {
		return Version{}, fmt.Errorf("run %s --version: %w (output: %q)", criuPath, err, firstLine(string(out)))
	}
	v, err := ParseVersion(string(out))
	if err != nil {
		return Version{}, fmt.Errorf("%s --version: %w", criuPath, err)
	}
	return v, nil
}
