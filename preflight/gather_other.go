//go:build !linux

package preflight

import (
	"context"
	"fmt"
	"runtime"
)

// Gather reports that ckpt only runs on Linux.
func Gather(ctx context.Context, criuPath string) Facts {
	err := fmt.Errorf("not supported on %s", runtime.GOOS)
	return Facts{CriuPathErr: err, Docker: DockerFacts{Err: err}, EUID: -1, CgroupErr: err, SelfErr: err}
}
