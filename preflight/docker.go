package preflight

import (
	"context"
	"time"

	"github.com/ckpt/ckpt/engine"
)

// dockerFacts asks the engine for its version and experimental mode,
// waiting at most 10 seconds.
func dockerFacts(ctx context.Context, eng engine.Engine) DockerFacts {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	info, err := eng.Info(ctx)
	if err != nil {
		return DockerFacts{Err: err}
	}
	return DockerFacts{Version: info.Version, APIVersion: info.APIVersion, Experimental: info.Experimental}
}
