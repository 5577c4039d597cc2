package checkpoint

import (
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"

	"github.com/docker/go-connections/nat"
)

// ErrBadPublish is returned for a --publish value ckpt cannot read.
var ErrBadPublish = errors.New("bad --publish")

// ParsePublish reads --publish values, [IP:]HOST:CONTAINER[/PROTO] as
// `docker run -p` takes them (PROTO tcp, udp or sctp; default tcp), into
// the port bindings and exposed ports of a container. Ranges and a missing
// host port are refused: a restored process listens on the ports it was
// checkpointed with, so each mapping is named in full.
func ParsePublish(values []string) (nat.PortMap, nat.PortSet, error) {
	bindings := nat.PortMap{}
	exposed := nat.PortSet{}
	for _, v := range values {
		spec, proto := v, "tcp"
		if i := strings.LastIndex(v, "/"); i >= 0 {
			spec, proto = v[:i], v[i+1:]
		}
		switch proto {
		case "tcp", "udp", "sctp":
		default:
			return nil, nil, fmt.Errorf("%w %q: protocol %q is not tcp, udp or sctp", ErrBadPublish, v, proto)
		}
		var ip, host, ctr string
		if i := strings.LastIndex(spec, ":"); i >= 0 {
			ctr = spec[i+1:]
			rest := spec[:i]
			if j := strings.LastIndex(rest, ":"); j >= 0 {
				ip, host = strings.Trim(rest[:j], "[]"), rest[j+1:]
			} else {
				host = rest
			}
		} else {
			return nil, nil, fmt.Errorf("%w %q: want HOST:CONTAINER, e.g. 8081:80", ErrBadPublish, v)
		}
		if ip != "" && net.ParseIP(ip) == nil {
			return nil, nil, fmt.Errorf("%w %q: %q is not an IP address", ErrBadPublish, v, ip)
		}
		if err := checkPort(host); err != nil {
			return nil, nil, fmt.Errorf("%w %q: host port: %v", ErrBadPublish, v, err)
		}
		if err := checkPort(ctr); err != nil {
			return nil, nil, fmt.Errorf("%w %q: container port: %v", ErrBadPublish, v, err)
		}
		port := nat.Port(ctr + "/" + proto)
		exposed[port] = struct{}{}
		bindings[port] = append(bindings[port], nat.PortBinding{HostIP: ip, HostPort: host})
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
