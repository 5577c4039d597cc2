package bundle

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"github.com/ckpt/ckpt/engine"
)

// Read refuses a container that is not running, paused or restarting,
// and reads its OCI bundle: the one opt names, or the one its shim runs
// in. It works from the inspect result alone and asks the engine nothing.
func Read(c *engine.Container, opt Options) (*ContainerInfo, error) {
	name := c.Name
	if name == "" {
		name = c.ID
	}
	st := c.State
	if opt.Paused && st.Paused {
		st.Paused = false // paused by the caller for a group dump
	}
	if err := checkState(name, st); err != nil {
		return nil, err
	}
	pid := c.State.Pid

	shimCwd := ""
	if ppid, err := readParentPID(pid); err == nil {
		if cwd, err := os.Readlink(filepath.Join("/proc", strconv.Itoa(ppid), "cwd")); err == nil {
			shimCwd = cwd
		}
	}
	dir, err := locateBundle(name, c.ID, opt.Bundle, shimCwd, stateRootGlobs)
	if err != nil {
		return nil, err
	}
	spec, err := ReadSpec(filepath.Join(dir, "config.json"))
	if err != nil {
		return nil, fmt.Errorf("bundle of %s: %w", name, err)
	}
	rootfs, err := rootfsPath(dir, spec, c.MergedDir)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	nsPaths, err := namespacePaths(pid, spec.Linux.Namespaces)
	if err != nil {
		return nil, fmt.Errorf("bundle %s of %s: %w", dir, name, err)
	}

	return &ContainerInfo{
		ID:             c.ID,
		Name:           name,
		PID:            pid,
		State:          c.State.Status,
		Rootfs:         rootfs,
		Runtime:        c.Runtime,
		BundlePath:     dir,
		Namespaces:     spec.Linux.Namespaces,
		NamespacePaths: nsPaths,
		CgroupPath:     spec.Linux.CgroupsPath,
		Image:          c.Image,
		ImageID:        c.ImageID,
		Tty:            c.Tty,
		RestartPolicy:  c.RestartPolicy,
		Spec:           spec,
		Engine:         c.Raw,
	}, nil
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
