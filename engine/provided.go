package engine

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/docker/docker/api/types/container"
)

// InitPath is where the engine binds its init (docker-init) into a
// container run with --init. Engines 20.10 to 29 all use /sbin/docker-init.
const InitPath = "/sbin/docker-init"

// Provides reports whether the engine mounts something at dest inside c by
// itself each time it starts c, so that the mount is the engine's, not the
// user's: the /etc files it writes (hosts, hostname, resolv.conf), /dev/shm,
// the cgroup controllers and the masked /proc and /sys paths, and its init
// when c runs with --init. Such mounts are not in the inspect view's Mounts,
// yet the engine binds them again on restore.
func (c *Container) Provides(dest string) bool {
	switch dest {
	case "/etc/hosts", "/etc/hostname", "/etc/resolv.conf", "/dev/shm":
		return true
	case InitPath:
		return c.Init
	}
	return strings.HasPrefix(dest, "/proc/") || strings.HasPrefix(dest, "/sys/")
}

// FromRecord reads back an inspect view that ckpt recorded
// (Container.Raw, kept in container.json), as Container would return it.
func FromRecord(raw json.RawMessage) (*Container, error) {
	if len(raw) == 0 {
		return nil, fmt.Errorf("%w: container.json has no engine section", ErrNoRecord)
	}
	var ins container.InspectResponse
	if err := json.Unmarshal(raw, &ins); err != nil {
		return nil, fmt.Errorf("%w: engine section: %v", ErrNoRecord, err)
	}
	if ins.ContainerJSONBase == nil {
		return nil, fmt.Errorf("%w: engine section names no container", ErrNoRecord)
	}
	return fromInspect(ins)
}
