package preflight

import (
	"context"
	"fmt"
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
	return DockerFacts{Version: info.Version, APIVersion: info.APIVersion, Experimental: info.Experimental, Caps: info.Caps}
}

// engineItems says what ckpt does differently on this engine, one item per
// version difference (engine.Caps), all ok: they are facts, not problems.
func engineItems(d DockerFacts) []Item {
	if d.Err != nil {
		return nil
	}
	var out []Item
	for _, f := range d.Caps.Describe() {
		out = append(out, Item{Name: f.Name, Status: OK, Detail: fmt.Sprintf("engine %s: %s", d.Version, f.Detail)})
	}
	return out
}
