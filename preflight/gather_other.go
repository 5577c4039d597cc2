//go:build !linux

package preflight

import (
	"context"
	"fmt"
	"runtime"

	"github.com/ckpt/ckpt/engine"
)

// Gather reports that ckpt only runs on Linux.
func Gather(ctx context.Context, criuPath string, eng engine.Engine) Facts {
	err := fmt.Errorf("not supported on %s", runtime.GOOS)
	return Facts{CriuPathErr: err, Docker: DockerFacts{Err: err}, EUID: -1, CgroupErr: err, SelfErr: err}
}
