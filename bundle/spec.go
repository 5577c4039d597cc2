package bundle

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// ReadSpec reads and decodes an OCI config.json. It rejects a file that is
// not JSON, has trailing data, or lacks the root and linux sections a
// Linux container always has.
func ReadSpec(path string) (*specs.Spec, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read OCI spec %s: %w", path, err)
	}
	spec, err := decodeSpec(b)
	if err != nil {
		return nil, fmt.Errorf("OCI spec %s: %w", path, err)
	}
	return spec, nil
}

func decodeSpec(b []byte) (*specs.Spec, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	var spec specs.Spec
	if err := dec.Decode(&spec); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBadSpec, err)
	}
	if dec.More() {
		return nil, fmt.Errorf("%w: trailing data after the JSON object", ErrBadSpec)
	}
	if spec.Root == nil || spec.Root.Path == "" {
		return nil, fmt.Errorf("%w: no root.path", ErrBadSpec)
	}
	if spec.Linux == nil {
		return nil, fmt.Errorf("%w: no linux section", ErrBadSpec)
	}
	return &spec, nil
}

// rootfsPath returns the rootfs as the host sees it: root.path, resolved
// against the bundle when relative (as runc does), else mergedDir (Docker's
// GraphDriver MergedDir).
func rootfsPath(bundleDir string, spec *specs.Spec, mergedDir string) (string, error) {
	if spec != nil && spec.Root != nil && spec.Root.Path != "" {
		p := spec.Root.Path
		if !filepath.IsAbs(p) {
			p = filepath.Join(bundleDir, p)
		}
		return filepath.Clean(p), nil
	}
	if mergedDir != "" {
		return filepath.Clean(mergedDir), nil
	}
	return "", fmt.Errorf("no rootfs: config.json in %s has no root.path and docker gives no MergedDir", bundleDir)
}

// procNSName maps OCI namespace types to their names under /proc/<pid>/ns.
var procNSName = map[specs.LinuxNamespaceType]string{
	specs.PIDNamespace:     "pid",
	specs.NetworkNamespace: "net",
	specs.MountNamespace:   "mnt",
	specs.IPCNamespace:     "ipc",
	specs.UTSNamespace:     "uts",
	specs.UserNamespace:    "user",
	specs.CgroupNamespace:  "cgroup",
	specs.TimeNamespace:    "time",
}

// namespacePaths maps each namespace of the spec to a path naming it: the
// configured path if config.json gives one, else /proc/<pid>/ns/<name>. An
// unknown namespace type is an error rather than a guessed name.
func namespacePaths(pid int, nss []specs.LinuxNamespace) (map[string]string, error) {
	out := make(map[string]string, len(nss))
	for _, ns := range nss {
		if ns.Path != "" {
			out[string(ns.Type)] = ns.Path
			continue
		}
		name, ok := procNSName[ns.Type]
		if !ok {
			return nil, fmt.Errorf("%w: unknown namespace type %q", ErrBadSpec, ns.Type)
		}
		out[string(ns.Type)] = filepath.Join("/proc", strconv.Itoa(pid), "ns", name)
	}
	return out, nil
}
