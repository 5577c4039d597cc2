package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"sort"
	"strings"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/mount"
	"github.com/docker/docker/client"
)

// Docker is Engine over the Docker API.
type Docker struct {
	cli *client.Client
}

var _ Engine = (*Docker)(nil)

// NewDocker sets up a client of the Docker engine at host (a docker -H
// value such as unix:///run/docker.sock or tcp://host:2375), or, when host
// is "", the one DOCKER_HOST names (and the rest of the docker CLI's
// environment: DOCKER_API_VERSION, DOCKER_CERT_PATH, DOCKER_TLS_VERIFY),
// else the local socket. The API version is negotiated with the engine on
// first use. Nothing is dialled yet.
func NewDocker(host string) (*Docker, error) {
	opts := []client.Opt{client.FromEnv, client.WithAPIVersionNegotiation()}
	if host != "" {
		opts = append(opts, client.WithHost(host))
	}
	cli, err := client.NewClientWithOpts(opts...)
	if err != nil {
		where := host
		if where == "" {
			where = "DOCKER_HOST"
		}
		return nil, fmt.Errorf("set up a docker client (check %s): %w", where, err)
	}
	return &Docker{cli: cli}, nil
}

// Close closes the client's idle connections.
func (d *Docker) Close() error { return d.cli.Close() }

// classify wraps err from the engine with ErrNotFound or ErrUnreachable
// when it is one of those, naming what was asked.
func classify(err error, what string) error {
	switch {
	case cerrdefs.IsNotFound(err):
		return fmt.Errorf("%s: %w: %w", what, ErrNotFound, err)
	case client.IsErrConnectionFailed(err):
		return fmt.Errorf("%s: %w: %w", what, ErrUnreachable, err)
	default:
		return fmt.Errorf("%s: %w", what, err)
	}
}

// Info asks the engine for its version and its settings.
func (d *Docker) Info(ctx context.Context) (Info, error) {
	v, err := d.cli.ServerVersion(ctx)
	if err != nil {
		return Info{}, classify(err, "docker version")
	}
	info, err := d.cli.Info(ctx)
	if err != nil {
		return Info{}, classify(err, "docker info")
	}
	out := Info{
		Version:      v.Version,
		APIVersion:   d.cli.ClientVersion(),
		ServerAPI:    v.APIVersion,
		RootDir:      info.DockerRootDir,
		Experimental: info.ExperimentalBuild,
		OS:           info.OSType,
	}
	for name := range info.Runtimes {
		out.Runtimes = append(out.Runtimes, name)
	}
	sort.Strings(out.Runtimes)
	out.Caps = CapsOf(out)
	return out, nil
}

// Caps is CapsOf the engine's ping (its API versions): what a dump needs,
// without docker version, which takes the engine 10-20 ms (Engine 29 asks
// containerd for its components' versions), nor docker info (10-15 ms).
// The ping is the one the client negotiates the API version with.
func (d *Docker) Caps(ctx context.Context) (Caps, error) {
	p, err := d.cli.Ping(ctx)
	if err != nil {
		return Caps{}, classify(err, "ping the engine")
	}
	d.cli.NegotiateAPIVersionPing(p)
	return CapsOf(Info{ServerAPI: p.APIVersion, APIVersion: d.cli.ClientVersion()}), nil
}

// Container inspects ref.
func (d *Docker) Container(ctx context.Context, ref string) (*Container, error) {
	ins, err := d.cli.ContainerInspect(ctx, ref)
	if err != nil {
		return nil, classify(err, "inspect container "+ref)
	}
	if ins.ContainerJSONBase == nil {
		return nil, fmt.Errorf("inspect container %s: %w: the engine returned no container", ref, ErrNotFound)
	}
	return fromInspect(ins)
}

// fromInspect reduces Docker's inspect view to a Container, keeping the
// whole view as Raw.
func fromInspect(ins container.InspectResponse) (*Container, error) {
	raw, err := json.Marshal(ins)
	if err != nil {
		return nil, fmt.Errorf("encode inspect view of %s: %w", ins.ID, err)
	}
	c := &Container{
		ID:        ins.ID,
		Name:      strings.TrimPrefix(ins.Name, "/"),
		ImageID:   ins.Image,
		MergedDir: ins.GraphDriver.Data["MergedDir"],
		Raw:       raw,
	}
	if st := ins.State; st != nil {
		c.State = State{Status: string(st.Status), Running: st.Running, Paused: st.Paused, Restarting: st.Restarting, Pid: st.Pid}
	}
	if hc := ins.HostConfig; hc != nil {
		c.Runtime = hc.Runtime
		c.RestartPolicy = RestartPolicy{Name: string(hc.RestartPolicy.Name), MaximumRetryCount: hc.RestartPolicy.MaximumRetryCount}
		c.Init = hc.Init != nil && *hc.Init
	}
	if ins.Config != nil {
		c.Image = ins.Config.Image
		c.Tty = ins.Config.Tty
		c.Labels = ins.Config.Labels
	}
	if ins.NetworkSettings != nil {
		for name, ep := range ins.NetworkSettings.Networks {
			c.Networks = append(c.Networks, name)
			if ep == nil {
				continue
			}
			for _, a := range ep.Aliases {
				if len(ins.ID) < 12 || a != ins.ID[:12] {
					if c.Aliases == nil {
						c.Aliases = map[string][]string{}
					}
					c.Aliases[name] = append(c.Aliases[name], a)
				}
			}
		}
		sort.Strings(c.Networks)
	}
	for _, m := range ins.Mounts {
		c.Mounts = append(c.Mounts, m.Destination)
		if m.Type == mount.TypeVolume && m.Name != "" {
			c.Volumes = append(c.Volumes, Volume{Name: m.Name, Destination: m.Destination})
		}
	}
	return c, nil
}

// Image inspects ref.
func (d *Docker) Image(ctx context.Context, ref string) (*Image, error) {
	img, err := d.cli.ImageInspect(ctx, ref)
	if err != nil {
		return nil, classify(err, "inspect image "+ref)
	}
	out := &Image{ID: img.ID}
	if img.RootFS.Type != "" {
		out.Layers = img.RootFS.Layers
	}
	return out, nil
}

// Create makes a container from a recorded inspect view (DeriveClone).
func (d *Docker) Create(ctx context.Context, recorded json.RawMessage, opt CloneOptions) (string, error) {
	spec, err := DeriveClone(recorded, opt)
	if err != nil {
		return "", err
	}
	created, err := d.cli.ContainerCreate(ctx, spec.Config, spec.HostConfig, spec.Network, nil, spec.Name)
	if err != nil {
		return "", classify(err, "create container "+opt.Name)
	}
	return created.ID, nil
}

// Place puts src where the engine reads checkpoints of container id:
// <root>/containers/<id>/checkpoints/<checkpoint ID>/ (Engine 20.10 takes
// no other folder).
func (d *Docker) Place(ctx context.Context, id, src, name string, mode PlaceMode) (Placed, error) {
	info, err := d.cli.Info(ctx)
	if err != nil {
		return Placed{}, classify(err, "ask the engine for its root folder")
	}
	return PlaceIn(CheckpointsDir(info.DockerRootDir, id), src, CheckpointID(name), mode)
}

// CheckpointsDir is where an engine with root folder root reads the
// checkpoints of container id.
func CheckpointsDir(root, id string) string {
	return filepath.Join(root, "containers", id, "checkpoints")
}

// Start starts id from its placed checkpoint, or afresh when checkpoint
// is "".
func (d *Docker) Start(ctx context.Context, id, checkpoint string) error {
	opt := container.StartOptions{}
	what := "start " + id
	if checkpoint != "" {
		opt.CheckpointID = CheckpointID(checkpoint)
		what += " from checkpoint " + checkpoint
	}
	if err := d.cli.ContainerStart(ctx, id, opt); err != nil {
		return classify(err, what)
	}
	return nil
}

// SetRestartPolicy updates id's restart policy (docker update --restart).
// The engine applies it to a running container's restart manager at once.
func (d *Docker) SetRestartPolicy(ctx context.Context, id string, p RestartPolicy) error {
	_, err := d.cli.ContainerUpdate(ctx, id, container.UpdateConfig{RestartPolicy: container.RestartPolicy{
		Name: container.RestartPolicyMode(p.Name), MaximumRetryCount: p.MaximumRetryCount,
	}})
	if err != nil {
		return classify(err, "set the restart policy of "+id+" to "+p.String())
	}
	return nil
}

// Stop stops id with no grace period.
func (d *Docker) Stop(ctx context.Context, id string) error {
	timeout := 0
	if err := d.cli.ContainerStop(ctx, id, container.StopOptions{Timeout: &timeout}); err != nil {
		return classify(err, "stop "+id)
	}
	return nil
}

// Remove removes id, forcibly.
func (d *Docker) Remove(ctx context.Context, id string) error {
	if err := d.cli.ContainerRemove(ctx, id, container.RemoveOptions{Force: true}); err != nil {
		return classify(err, "remove "+id)
	}
	return nil
}
