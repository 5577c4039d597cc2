package bundle

import (
	"errors"
	"io/fs"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

func TestReadSpecHostnet(t *testing.T) {
	spec, err := ReadSpec(filepath.Join("testdata", "hostnet.json"))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := spec.Root.Path, "/var/lib/docker/overlay2/fe5d115e547fcf7a940510aee737f12ee073d34071dc5282b121cf2ece8f6790/merged"; got != want {
		t.Errorf("root.path = %q, want %q", got, want)
	}
	if got, want := spec.Linux.CgroupsPath, "/docker/"; len(got) < len(want) || got[:len(want)] != want {
		t.Errorf("cgroupsPath = %q, want it under %q", got, want)
	}
	wantNS := []specs.LinuxNamespace{
		{Type: specs.MountNamespace},
		{Type: specs.NetworkNamespace, Path: "/var/run/docker/netns/default"},
		{Type: specs.UTSNamespace},
		{Type: specs.PIDNamespace},
		{Type: specs.IPCNamespace},
	}
	if !reflect.DeepEqual(spec.Linux.Namespaces, wantNS) {
		t.Errorf("namespaces = %+v, want %+v", spec.Linux.Namespaces, wantNS)
	}
	paths, err := namespacePaths(4242, spec.Linux.Namespaces)
	if err != nil {
		t.Fatal(err)
	}
	wantPaths := map[string]string{
		"mount":   "/proc/4242/ns/mnt",
		"network": "/var/run/docker/netns/default",
		"uts":     "/proc/4242/ns/uts",
		"pid":     "/proc/4242/ns/pid",
		"ipc":     "/proc/4242/ns/ipc",
	}
	if !reflect.DeepEqual(paths, wantPaths) {
		t.Errorf("namespacePaths = %v, want %v", paths, wantPaths)
	}
}

func TestReadSpecBad(t *testing.T) {
	tests := []struct {
		file    string
		wantErr error
	}{
		{"truncated.json", ErrBadSpec},
		{"trailing.json", ErrBadSpec},
		{"no-root.json", ErrBadSpec},
		{"no-linux.json", ErrBadSpec},
		{"empty.json", ErrBadSpec},
		{"wrong-type.json", ErrBadSpec},
		{"does-not-exist.json", fs.ErrNotExist},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			path := filepath.Join("testdata", tt.file)
			_, err := ReadSpec(path)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("ReadSpec(%s) err = %v, want %v", tt.file, err, tt.wantErr)
			}
			if got := err.Error(); !strings.Contains(got, path) {
				t.Errorf("error %q does not name %s", got, path)
			}
		})
	}
}

func TestNamespacePathsUnknownType(t *testing.T) {
	spec, err := ReadSpec(filepath.Join("testdata", "bogus-ns.json"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := namespacePaths(1, spec.Linux.Namespaces); !errors.Is(err, ErrBadSpec) || !strings.Contains(err.Error(), "bogus") {
		t.Fatalf("err = %v, want ErrBadSpec naming bogus", err)
	}
}

func TestRootfsPath(t *testing.T) {
	rel, err := ReadSpec(filepath.Join("testdata", "relative-root.json"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		bundle string
		spec   *specs.Spec
		merged string
		want   string
		err    bool
	}{
		{"relative root.path joins the bundle", "/run/b/x", rel, "/ignored", "/run/b/x/rootfs", false},
		{"absolute root.path wins", "/run/b/x", &specs.Spec{Root: &specs.Root{Path: "/var/lib/m/merged/"}}, "/ignored", "/var/lib/m/merged", false},
		{"MergedDir when spec has no root", "/run/b/x", &specs.Spec{}, "/var/lib/docker/overlay2/a/merged", "/var/lib/docker/overlay2/a/merged", false},
		{"nil spec falls back too", "/run/b/x", nil, "/m", "/m", false},
		{"nothing to go on", "/run/b/x", &specs.Spec{Root: &specs.Root{}}, "", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := rootfsPath(tt.bundle, tt.spec, tt.merged)
			if (err != nil) != tt.err {
				t.Fatalf("err = %v, want error %v", err, tt.err)
			}
			if got != tt.want {
				t.Errorf("rootfsPath = %q, want %q", got, tt.want)
			}
		})
	}
}
