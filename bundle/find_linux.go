package bundle

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/docker/docker/client"
)

// Find resolves ref (a container name or ID prefix) through the Docker API,
// refuses a container that is not running, paused or restarting, and reads
// its OCI bundle. Every error names the container and says what to do.
func Find(ctx context.Context, ref string, opt Options) (*ContainerInfo, error) {
	if strings.TrimSpace(ref) == "" {
		return nil, &findError{msg: "no container given: name one from `docker ps`", kind: ErrNoContainer}
	}
	cli, err := client.NewClientWithOpts(client.FromEnv, client.WithAPIVersionNegotiation())
	if err != nil {
		return nil, &findError{msg: fmt.Sprintf("cannot set up a docker client to resolve %s: check DOCKER_HOST", ref), kind: ErrNoDaemon, cause: err}
	}
	defer cli.Close()

	ins, err := cli.ContainerInspect(ctx, ref)
	switch {
	case err == nil:
	case cerrdefs.IsNotFound(err):
		return nil, &findError{msg: fmt.Sprintf("container %s not found: check `docker ps`", ref), kind: ErrNoContainer, cause: err}
	case client.IsErrConnectionFailed(err):
		return nil, &findError{msg: fmt.Sprintf("cannot reach dockerd to resolve %s: is the docker daemon running?", ref), kind: ErrNoDaemon, cause: err}
	default:
		return nil, &findError{msg: fmt.Sprintf("cannot resolve container %s: use a full name or a longer ID from `docker ps`", ref), kind: ErrNoContainer, cause: err}
	}
	if ins.ContainerJSONBase == nil {
		return nil, &findError{msg: fmt.Sprintf("docker inspect of %s returned no container", ref), kind: ErrNoContainer}
	}
	name := strings.TrimPrefix(ins.Name, "/")
	if name == "" {
		name = ins.ID
	}
	if err := checkState(name, ins.State); err != nil {
		return nil, err
	}
	pid := ins.State.Pid

	shimCwd := ""
	if ppid, err := readParentPID(pid); err == nil {
		if cwd, err := os.Readlink(filepath.Join("/proc", strconv.Itoa(ppid), "cwd")); err == nil {
			shimCwd = cwd
		}
	}
	dir, err := locateBundle(name, ins.ID, opt.Bundle, shimCwd, stateRootGlobs)
	if err != nil {
		return nil, err
	}
	spec, err := ReadSpec(filepath.Join(dir, "config.json"))
	if err != nil {
		return nil, fmt.Errorf("bundle of %s: %w", name, err)
	}
	rootfs, err := rootfsPath(dir, spec, ins.GraphDriver.Data["MergedDir"])
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	nsPaths, err := namespacePaths(pid, spec.Linux.Namespaces)
	if err != nil {
		return nil, fmt.Errorf("bundle %s of %s: %w", dir, name, err)
	}

	info := &ContainerInfo{
		ID:             ins.ID,
		Name:           name,
		PID:            pid,
		State:          string(ins.State.Status),
		Rootfs:         rootfs,
		BundlePath:     dir,
		Namespaces:     spec.Linux.Namespaces,
		NamespacePaths: nsPaths,
		CgroupPath:     spec.Linux.CgroupsPath,
		ImageID:        ins.Image,
		Spec:           spec,
		Inspect:        ins,
	}
	if ins.HostConfig != nil {
		info.Runtime = ins.HostConfig.Runtime
	}
	if ins.Config != nil {
		info.Image = ins.Config.Image
		info.Tty = ins.Config.Tty
	}
	return info, nil
}

// readParentPID returns the parent of pid, the containerd shim for a
// container's init process.
func readParentPID(pid int) (int, error) {
	b, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "status"))
	if err != nil {
		return 0, fmt.Errorf("read status of pid %d: %w", pid, err)
	}
	ppid, err := parentPID(string(b))
	if err != nil {
		return 0, fmt.Errorf("status of pid %d: %w", pid, err)
	}
	return ppid, nil
}
