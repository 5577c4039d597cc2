package engine

import (
	"encoding/json"
	"errors"
	"strings"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/mount"
	"github.com/docker/docker/api/types/network"
	"github.com/docker/go-connections/nat"
)

// ErrNoRecord is returned for a checkpoint whose container.json has no
// engine record, so no clone can be made from it.
var ErrNoRecord = errors.New("checkpoint has no recorded container configuration")

// CloneSpec is what Create asks the engine for (`ckpt restore --as`): the
// original container's configuration, minus what belongs to it alone.
type CloneSpec struct {
	Name       string
	Config     *container.Config
	HostConfig *container.HostConfig
	Network    *network.NetworkingConfig
}

// DeriveClone turns a recorded inspect view (Container.Raw, kept in
// container.json) into a create request for a new container that the
// checkpoint restores into. Kept: image, entrypoint, command, environment, working dir, user,
// labels, tty and stdin, binds, mounts, tmpfs, read-only root, network
// mode, capabilities, resources and the rest of HostConfig, so that the
// new container's mounts match the checkpoint's. Dropped: the hostname
// when Docker derived it from the original's ID, the MAC address, fixed IP
// addresses and the endpoint IDs (they would clash with the original), and
// the port bindings when Publish is given. Anonymous volumes of the
// original are mounted by name, so the clone sees the data the
// checkpointed processes had open rather than a fresh empty volume.
func DeriveClone(engine json.RawMessage, opt CloneOptions) (*CloneSpec, error) {
	ins, err := decodeRecord(engine)
	if err != nil {
		return nil, err
	}
	cfg := *ins.Config
	hc := *ins.HostConfig
	if opt.Image != "" {
		cfg.Image = opt.Image
	}
	if len(ins.ID) >= 12 && cfg.Hostname == ins.ID[:12] {
		cfg.Hostname = ""
	}
	cfg.MacAddress = "" //nolint:staticcheck // still sent to API 1.41
	hc.ContainerIDFile = ""
	if opt.Runtime != "" {
		hc.Runtime = opt.Runtime
	}
	if opt.Publish != nil {
		hc.PortBindings = opt.Publish
		if cfg.ExposedPorts == nil {
			cfg.ExposedPorts = nat.PortSet{}
		}
		for p := range opt.Expose {
			cfg.ExposedPorts[p] = struct{}{}
		}
	}
	hc.Binds = append([]string{}, hc.Binds...)
	hc.Binds = append(hc.Binds, anonymousVolumes(ins)...)
	if len(opt.Annotations) > 0 {
		recorded := hc.Annotations
		hc.Annotations = map[string]string{}
		for k, v := range recorded {
			hc.Annotations[k] = v
		}
		for k, v := range opt.Annotations {
			hc.Annotations[k] = v
		}
	}
	spec := &CloneSpec{Name: opt.Name, Config: &cfg, HostConfig: &hc, Network: cloneNetworks(ins, hc.NetworkMode)}
	if opt.NetworkFrom != "" {
		joinNetwork(spec, opt.NetworkFrom)
	}
	return spec, nil
}

// joinNetwork makes the spec join the network of container holder, and
// drops what Docker refuses beside NetworkMode container:X (it belongs to
// the holder now): port bindings and exposed ports, hostname and domain
// name, DNS settings, extra hosts, links, the MAC and the endpoints.
func joinNetwork(spec *CloneSpec, holder string) {
	cfg, hc := spec.Config, spec.HostConfig
	hc.NetworkMode = container.NetworkMode("container:" + holder)
	hc.PortBindings, hc.PublishAllPorts = nil, false
	hc.DNS, hc.DNSOptions, hc.DNSSearch, hc.ExtraHosts, hc.Links = nil, nil, nil, nil, nil
	cfg.ExposedPorts = nil
	cfg.Hostname, cfg.Domainname = "", ""
	cfg.MacAddress = "" //nolint:staticcheck // still sent to API 1.41
	spec.Network = nil
}

// anonymousVolumes returns "name:dest[:ro]" binds for the original's volume
// mounts that neither HostConfig.Binds nor HostConfig.Mounts name (the
// image's VOLUMEs and `-v /dest`): without them the clone would get new,
// empty volumes there.
func anonymousVolumes(ins container.InspectResponse) []string {
	named := map[string]bool{}
	for _, b := range ins.HostConfig.Binds {
		parts := strings.Split(b, ":")
		if len(parts) >= 2 {
			named[parts[1]] = true
		} else if len(parts) == 1 {
			named[parts[0]] = true
		}
	}
	for _, m := range ins.HostConfig.Mounts {
		named[m.Target] = true
	}
	var out []string
	for _, m := range ins.Mounts {
		if m.Type != mount.TypeVolume || m.Name == "" || named[m.Destination] {
			continue
		}
		b := m.Name + ":" + m.Destination
		if !m.RW {
			b += ":ro"
		}
		out = append(out, b)
	}
	return out
}

// cloneNetworks keeps the user-defined network the original was attached
// to through NetworkMode, with its aliases, but not its addresses.
func cloneNetworks(ins container.InspectResponse, mode container.NetworkMode) *network.NetworkingConfig {
	if ins.NetworkSettings == nil || mode.IsHost() || mode.IsNone() || mode.IsContainer() || mode.IsDefault() || mode.IsBridge() {
		return nil
	}
	ep, ok := ins.NetworkSettings.Networks[string(mode)]
	if !ok || ep == nil {
		return nil
	}
	var aliases []string
	for _, a := range ep.Aliases {
		if len(ins.ID) >= 12 && a == ins.ID[:12] {
			continue
		}
		aliases = append(aliases, a)
	}
	return &network.NetworkingConfig{EndpointsConfig: map[string]*network.EndpointSettings{
		string(mode): {Aliases: aliases, Links: ep.Links, DriverOpts: ep.DriverOpts},
	}}
}
