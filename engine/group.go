package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/api/types/network"
)

// ParseFilters reads docker's --filter KEY=VALUE arguments
// ("label=com.docker.compose.project=web", "name=db") into the engine's
// filter map; the engine checks the keys. A value may hold "=" (a label's).
func ParseFilters(args []string) (map[string][]string, error) {
	out := map[string][]string{}
	for _, a := range args {
		k, v, ok := strings.Cut(a, "=")
		k = strings.TrimSpace(k)
		if !ok || k == "" || v == "" {
			return nil, fmt.Errorf("bad filter %q: use KEY=VALUE as docker ps --filter takes it (label=com.docker.compose.project=web, name=db)", a)
		}
		out[k] = append(out[k], v)
	}
	return out, nil
}

// UserNetwork reports whether name is a network a user made (docker
// network create, compose's project networks), not one of the engine's own
// (bridge, host, none), which every engine has.
func UserNetwork(name string) bool {
	switch name {
	case "bridge", "host", "none", "default":
		return false
	}
	return name != ""
}

// List inspects the running containers that match filters.
func (d *Docker) List(ctx context.Context, f map[string][]string) ([]*Container, error) {
	args := filters.NewArgs()
	for k, vs := range f {
		for _, v := range vs {
			args.Add(k, v)
		}
	}
	list, err := d.cli.ContainerList(ctx, container.ListOptions{Filters: args})
	if err != nil {
		return nil, classify(err, "list containers")
	}
	var out []*Container
	for _, s := range list {
		c, err := d.Container(ctx, s.ID)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// Pause freezes id (docker pause).
func (d *Docker) Pause(ctx context.Context, id string) error {
	if err := d.cli.ContainerPause(ctx, id); err != nil {
		return classify(err, "pause "+id)
	}
	return nil
}

// Unpause thaws id (docker unpause).
func (d *Docker) Unpause(ctx context.Context, id string) error {
	if err := d.cli.ContainerUnpause(ctx, id); err != nil {
		return classify(err, "unpause "+id)
	}
	return nil
}

// Network inspects the network name.
func (d *Docker) Network(ctx context.Context, name string) (json.RawMessage, error) {
	n, err := d.cli.NetworkInspect(ctx, name, network.InspectOptions{})
	if err != nil {
		return nil, classify(err, "inspect network "+name)
	}
	n.Containers = nil // who was attached belongs to that moment
	b, err := json.Marshal(n)
	if err != nil {
		return nil, fmt.Errorf("encode network %s: %w", name, err)
	}
	return b, nil
}

// EnsureNetwork creates the recorded network unless its name exists.
func (d *Docker) EnsureNetwork(ctx context.Context, record json.RawMessage) (bool, error) {
	n, err := NetworkSpec(record)
	if err != nil {
		return false, err
	}
	if _, err := d.cli.NetworkInspect(ctx, n.Name, network.InspectOptions{}); err == nil {
		return false, nil
	} else if !cerrdefs.IsNotFound(err) {
		return false, classify(err, "inspect network "+n.Name)
	}
	if _, err := d.cli.NetworkCreate(ctx, n.Name, n.Options); err != nil {
		return false, classify(err, "create network "+n.Name)
	}
	return true, nil
}

// Reconnect disconnects id from network (by force: the network it was on
// is gone) and connects it again with aliases.
func (d *Docker) Reconnect(ctx context.Context, id, net string, aliases []string) error {
	if err := d.cli.NetworkDisconnect(ctx, net, id, true); err != nil && !cerrdefs.IsNotFound(err) {
		return classify(err, "disconnect "+id+" from network "+net)
	}
	if err := d.cli.NetworkConnect(ctx, net, id, &network.EndpointSettings{Aliases: aliases}); err != nil {
		return classify(err, "connect "+id+" to network "+net)
	}
	return nil
}

// NetworkRequest is what EnsureNetwork asks the engine for.
type NetworkRequest struct {
	Name    string
	Options network.CreateOptions
}

// NetworkSpec turns a network record into a create request with the same
// driver, options, labels (compose finds its project networks by them),
// IPAM and flags. The addresses are kept: containers restored into it
// reach each other by name, and fixed addresses need their subnet.
func NetworkSpec(record json.RawMessage) (*NetworkRequest, error) {
	var n network.Inspect
	if err := json.Unmarshal(record, &n); err != nil || n.Name == "" {
		return nil, fmt.Errorf("%w: network record: not a network inspect view (%v)", ErrNoRecord, err)
	}
	ipam := n.IPAM
	return &NetworkRequest{Name: n.Name, Options: network.CreateOptions{
		Driver: n.Driver, Scope: n.Scope, IPAM: &ipam, Internal: n.Internal, Attachable: n.Attachable,
		Options: n.Options, Labels: n.Labels,
	}}, nil
}
