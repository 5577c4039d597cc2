package engine

import (
	"encoding/json"
	"fmt"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/network"
	"github.com/docker/go-connections/nat"
)

// HolderLabel marks a network holder; its value is the name of the
// container whose network it keeps.
const HolderLabel = "ckpt.holder-for"

// HolderPrefix starts the name of a network holder: ckpt-net-NAME.
const HolderPrefix = "ckpt-net-"

// HolderName is the name of the network holder of container name.
func HolderName(name string) string { return HolderPrefix + name }

// HoldBinaryPath is where a holder sees the ckpt binary it runs.
const HoldBinaryPath = "/.ckpt-hold/ckpt"

// HolderOptions says how to make a network holder from a recorded
// container (CreateHolder).
type HolderOptions struct {
	Name  string // the holder's name, HolderName(For)
	For   string // the container whose network it keeps (label, alias)
	Image string // image reference; "" keeps the recorded one
	// KeepAddress keeps the recorded IP addresses (on user networks) and
	// the MAC address: an in-place restore, where the original is stopped
	// and its addresses free. A clone beside the original gets new ones.
	KeepAddress bool
	// Publish, when not nil, replaces the recorded port bindings; Expose
	// adds its ports to the exposed ones.
	Publish nat.PortMap
	Expose  nat.PortSet
	// Binary is a statically linked ckpt on the host, bind-mounted
	// read-only at HoldBinaryPath to run `ckpt hold`; "" runs the
	// image's own `sleep`.
	Binary string
}

// DeriveHolder turns a recorded inspect view into the create request of a
// network holder: a container that does nothing but keep a network
// namespace with the recorded network (mode, the network's aliases plus
// the container's name, fixed addresses and MAC if KeepAddress), the
// exposed and published ports, hostname, domain name, DNS settings and
// extra hosts, for a restored container to join (NetworkMode
// container:<holder>). Its process is `ckpt hold` from Binary, or the
// image's sleep.
func DeriveHolder(recorded json.RawMessage, opt HolderOptions) (*CloneSpec, error) {
	ins, err := decodeRecord(recorded)
	if err != nil {
		return nil, err
	}
	rc, rh := ins.Config, ins.HostConfig
	cfg := container.Config{
		Image:        rc.Image,
		Hostname:     rc.Hostname,
		Domainname:   rc.Domainname,
		ExposedPorts: nat.PortSet{},
		Labels:       map[string]string{HolderLabel: opt.For},
		Entrypoint:   []string{"sleep"},
		Cmd:          []string{"2147483647"},
	}
	if opt.Image != "" {
		cfg.Image = opt.Image
	}
	if len(ins.ID) >= 12 && cfg.Hostname == ins.ID[:12] {
		cfg.Hostname = ""
	}
	for p := range rc.ExposedPorts {
		cfg.ExposedPorts[p] = struct{}{}
	}
	hc := container.HostConfig{
		NetworkMode:     rh.NetworkMode,
		PortBindings:    rh.PortBindings,
		PublishAllPorts: rh.PublishAllPorts,
		DNS:             rh.DNS,
		DNSOptions:      rh.DNSOptions,
		DNSSearch:       rh.DNSSearch,
		ExtraHosts:      rh.ExtraHosts,
	}
	if opt.Publish != nil {
		hc.PortBindings = opt.Publish
		for p := range opt.Expose {
			cfg.ExposedPorts[p] = struct{}{}
		}
	}
	if opt.Binary != "" {
		cfg.Entrypoint, cfg.Cmd = []string{HoldBinaryPath, "hold"}, nil
		hc.Binds = []string{opt.Binary + ":" + HoldBinaryPath + ":ro"}
	}
	if opt.KeepAddress {
		cfg.MacAddress = rc.MacAddress //nolint:staticcheck // still sent to API 1.41
	}
	mode := hc.NetworkMode
	if mode.IsContainer() || mode.IsHost() {
		return nil, fmt.Errorf("a network holder keeps a network of the container's own, not network mode %s", mode)
	}
	if ins.NetworkSettings != nil && len(ins.NetworkSettings.Networks) > 1 {
		return nil, fmt.Errorf("%w: %s was on %d networks; a network holder is created on one", ErrHolderUnsupported, opt.For, len(ins.NetworkSettings.Networks))
	}
	return &CloneSpec{Name: opt.Name, Config: &cfg, HostConfig: &hc, Network: holderNetworks(ins, mode, opt)}, nil
}

// ErrHolderUnsupported is returned for a container whose network a holder
// cannot reproduce.
var ErrHolderUnsupported = fmt.Errorf("network holder not supported for this container")

// holderNetworks is the holder's endpoint on the recorded network: its
// aliases and the container's name (user networks only: the default bridge
// takes none), the fixed or, with KeepAddress, the recorded address, and
// with KeepAddress the MAC.
func holderNetworks(ins container.InspectResponse, mode container.NetworkMode, opt HolderOptions) *network.NetworkingConfig {
	if ins.NetworkSettings == nil || mode.IsNone() {
		return nil
	}
	name := string(mode)
	if mode.IsDefault() {
		name = "bridge"
	}
	ep, ok := ins.NetworkSettings.Networks[name]
	if !ok || ep == nil {
		return nil
	}
	out := &network.EndpointSettings{DriverOpts: ep.DriverOpts, Links: ep.Links}
	if opt.KeepAddress {
		out.MacAddress = ep.MacAddress
	}
	if name != "bridge" {
		out.Aliases = []string{opt.For}
		for _, a := range ep.Aliases {
			if a != opt.For && !(len(ins.ID) >= 12 && a == ins.ID[:12]) {
				out.Aliases = append(out.Aliases, a)
			}
		}
		if ep.IPAMConfig != nil && opt.KeepAddress {
			c := *ep.IPAMConfig
			out.IPAMConfig = &c
		}
		if opt.KeepAddress && ep.IPAddress != "" {
			if out.IPAMConfig == nil {
				out.IPAMConfig = &network.EndpointIPAMConfig{}
			}
			out.IPAMConfig.IPv4Address = ep.IPAddress
		}
	}
	return &network.NetworkingConfig{EndpointsConfig: map[string]*network.EndpointSettings{name: out}}
}

// decodeRecord reads a recorded inspect view with its Config and
// HostConfig.
func decodeRecord(recorded json.RawMessage) (container.InspectResponse, error) {
	var ins container.InspectResponse
	if len(recorded) == 0 {
		return ins, fmt.Errorf("%w: container.json has no engine section", ErrNoRecord)
	}
	if err := json.Unmarshal(recorded, &ins); err != nil {
		return ins, fmt.Errorf("%w: engine section: %v", ErrNoRecord, err)
	}
	if ins.Config == nil || ins.ContainerJSONBase == nil || ins.HostConfig == nil {
		return ins, fmt.Errorf("%w: engine section lacks Config or HostConfig", ErrNoRecord)
	}
	return ins, nil
}
