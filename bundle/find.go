package bundle

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/ckpt/ckpt/engine"
)

// Find resolves ref (a container name or ID prefix) through the engine and
// reads the bundle of the container it names (Read). Every error names the
// container and says what to do.
func Find(ctx context.Context, eng engine.Engine, ref string, opt Options) (*ContainerInfo, error) {
	if strings.TrimSpace(ref) == "" {
		return nil, &findError{msg: "no container given: name one from `docker ps`", kind: ErrNoContainer}
	}
	c, err := eng.Container(ctx, ref)
	switch {
	case err == nil:
	case errors.Is(err, engine.ErrNotFound):
		return nil, &findError{msg: fmt.Sprintf("container %s not found: check `docker ps`", ref), kind: ErrNoContainer, cause: err}
	case errors.Is(err, engine.ErrUnreachable):
		return nil, &findError{msg: fmt.Sprintf("cannot reach dockerd to resolve %s: is the docker daemon running?", ref), kind: ErrNoDaemon, cause: err}
	default:
		return nil, &findError{msg: fmt.Sprintf("cannot resolve container %s: use a full name or a longer ID from `docker ps`", ref), kind: ErrNoContainer, cause: err}
	}
	return Read(c, opt)
}
