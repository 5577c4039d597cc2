package restore

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/docker/go-connections/nat"
)

// ErrBadPublish is returned for a --publish value ckpt cannot read.
var ErrBadPublish = errors.New("bad --publish")

// ParsePublish reads --publish values, [IP:]HOST:CONTAINER[/PROTO] as
// `docker run -p` takes them (nat.ParsePortSpec, docker's own parser: PROTO
// tcp, udp or sctp, default tcp), into the port bindings and exposed ports
// of a container. Ranges and a missing host port are refused: a restored
// process listens on the ports it was checkpointed with, so each mapping is
// named in full.
func ParsePublish(values []string) (nat.PortMap, nat.PortSet, error) {
	bindings := nat.PortMap{}
	exposed := nat.PortSet{}
	for _, v := range values {
		ms, err := nat.ParsePortSpec(v)
		if err != nil {
			return nil, nil, fmt.Errorf("%w %q: %v", ErrBadPublish, v, err)
		}
		if len(ms) != 1 {
			return nil, nil, fmt.Errorf("%w %q: one port at a time, not a range", ErrBadPublish, v)
		}
		m := ms[0]
		if m.Binding.HostPort == "" {
			return nil, nil, fmt.Errorf("%w %q: want HOST:CONTAINER, e.g. 8081:80", ErrBadPublish, v)
		}
		if err := checkPort(m.Binding.HostPort); err != nil {
			return nil, nil, fmt.Errorf("%w %q: host port: %v", ErrBadPublish, v, err)
		}
		if err := checkPort(m.Port.Port()); err != nil {
			return nil, nil, fmt.Errorf("%w %q: container port: %v", ErrBadPublish, v, err)
		}
		exposed[m.Port] = struct{}{}
		bindings[m.Port] = append(bindings[m.Port], m.Binding)
	}
	return bindings, exposed, nil
}

func checkPort(s string) error {
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > 65535 {
		return fmt.Errorf("%q is not a port number (1-65535)", s)
	}
	return nil
}
