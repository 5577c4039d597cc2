package bundle

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// stateRootGlobs are where containerd shims keep bundles, newest layout
// first; %s is the container ID. Docker 20.10+ runs its own containerd
// under /run/docker/containerd; a system containerd uses /run/containerd
// with one directory per namespace ("moby" for Docker).
var stateRootGlobs = []string{
	"/run/docker/containerd/daemon/io.containerd.runtime.v2.task/moby/%s",
	"/run/containerd/io.containerd.runtime.v2.task/*/%s",
	"/run/docker/containerd/daemon/io.containerd.runtime.v1.linux/moby/%s",
	"/run/containerd/io.containerd.runtime.v1.linux/*/%s",
}

// locateBundle picks the bundle directory: explicit if given (it must hold
// config.json), else shimCwd (the working directory of the shim, the init
// process's parent) if it holds config.json, else the first state root
// matching id. globs are stateRootGlobs outside tests.
func locateBundle(name, id, explicit, shimCwd string, globs []string) (string, error) {
	if explicit != "" {
		if !hasConfig(explicit) {
			return "", &findError{
				msg:  fmt.Sprintf("bundle %s given for %s has no config.json: pass the directory that holds it", explicit, name),
				kind: ErrNoBundle,
			}
		}
		return filepath.Clean(explicit), nil
	}
	if shimCwd != "" && hasConfig(shimCwd) {
		return filepath.Clean(shimCwd), nil
	}
	if id == "" || strings.ContainsAny(id, "/*?[") {
		return "", &findError{msg: fmt.Sprintf("cannot search bundles of %s: bad container id %q", name, id), kind: ErrNoBundle}
	}
	var tried []string
	for _, g := range globs {
		pattern := fmt.Sprintf(g, id)
		tried = append(tried, pattern)
		matches, err := filepath.Glob(pattern)
		if err != nil {
			return "", fmt.Errorf("search bundle of %s in %s: %w", name, pattern, err)
		}
		for _, m := range matches {
			if hasConfig(m) {
				return m, nil
			}
		}
	}
	return "", &findError{
		msg:  fmt.Sprintf("no OCI bundle found for %s (tried the shim's cwd and %s): pass --bundle DIR", name, strings.Join(tried, ", ")),
		kind: ErrNoBundle,
	}
}

func hasConfig(dir string) bool {
	fi, err := os.Stat(filepath.Join(dir, "config.json"))
	return err == nil && fi.Mode().IsRegular()
}

// parentPID reads PPid from a /proc/<pid>/status text.
func parentPID(status string) (int, error) {
	for _, line := range strings.Split(status, "\n") {
		rest, ok := strings.CutPrefix(line, "PPid:")
		if !ok {
			continue
		}
		var ppid int
		if _, err := fmt.Sscan(strings.TrimSpace(rest), &ppid); err != nil {
			return 0, fmt.Errorf("parse PPid %q: %w", strings.TrimSpace(rest), err)
		}
		return ppid, nil
	}
	return 0, errors.New("no PPid line")
}
