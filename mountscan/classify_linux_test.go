// The fixture tests parse mountinfo with moby/sys/mountinfo's reader,
// which that module only builds for Linux; Classify itself is portable.

package mountscan

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/moby/sys/mountinfo"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// loadFixture reads testdata/<name>/{mountinfo,config.json}.
func loadFixture(t *testing.T, name string) ([]*mountinfo.Info, *specs.Spec) {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name, "mountinfo"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	infos, err := mountinfo.GetMountsFromReader(f, nil)
	if err != nil {
		t.Fatalf("parse %s/mountinfo: %v", name, err)
	}
	b, err := os.ReadFile(filepath.Join("testdata", name, "config.json"))
	if err != nil {
		t.Fatal(err)
	}
	var spec specs.Spec
	if err := json.Unmarshal(b, &spec); err != nil {
		t.Fatalf("parse %s/config.json: %v", name, err)
	}
	return infos, &spec
}

// want is the expected action of one mountpoint, and for external mounts
// the --external value.
type want struct {
	action Action
	arg    string
}

var (
	root = want{action: ActionRoot}
	in   = want{action: ActionInternal}
)

func ext(mp string) want     { return want{ActionExternal, "mnt[" + mp + "]:" + mp} }
func extNull(mp string) want { return want{ActionExternal, "mnt[" + mp + "]:/dev/null"} }
func with(base map[string]want, kv ...any) map[string]want {
	out := map[string]want{}
	for k, v := range base {
		out[k] = v
	}
	for i := 0; i < len(kv); i += 2 {
		mp := kv[i].(string)
		if kv[i+1] == nil {
			delete(out, mp)
			continue
		}
		out[mp] = kv[i+1].(want)
	}
	return out
}

var cgroupV1Controllers = []string{"cpu", "cpuacct", "cpuset", "memory", "devices", "freezer", "blkio", "pids", "systemd"}

// dockerDefault is what a plain `docker run -d` container on this cgroup v1
// host must get.
func dockerDefault() map[string]want {
	m := map[string]want{
		"/":                root,
		"/proc":            in,
		"/dev":             in,
		"/dev/pts":         in,
		"/sys":             in,
		"/sys/fs/cgroup":   in,
		"/dev/mqueue":      in,
		"/dev/shm":         in,
		"/etc/resolv.conf": ext("/etc/resolv.conf"),
		"/etc/hostname":    ext("/etc/hostname"),
		"/etc/hosts":       ext("/etc/hosts"),
		"/proc/bus":        in,
		"/proc/fs":         in,
		"/proc/irq":        in,
		"/proc/sys":        in,
		"/proc/acpi":       in,
		"/proc/keys":       in,
		"/proc/timer_list": in,
		"/sys/firmware":    in,
	}
	for _, c := range cgroupV1Controllers {
		mp := "/sys/fs/cgroup/" + c
		m[mp] = ext(mp)
	}
	return m
}

func TestClassifyFixtures(t *testing.T) {
	base := dockerDefault()
	noV1 := with(base)
	for _, c := range cgroupV1Controllers {
		delete(noV1, "/sys/fs/cgroup/"+c)
	}
	tests := []struct {
		name string
		want map[string]want
	}{
		{"default", base},
		{"bind", with(base, "/data", ext("/data"))},
		{"volume", with(base, "/vol", ext("/vol"))},
		{"tmpfs", with(base, "/run", in)},
		{"readonly", base},
		{"tty", with(base, "/dev/console", ext("/dev/console"))},
		{"hostnet", base},
		{"restored", with(base, "/proc/keys", extNull("/proc/keys"), "/proc/timer_list", extNull("/proc/timer_list"))},
		{"privileged", with(base, "/proc/bus", nil, "/proc/fs", nil, "/proc/irq", nil, "/proc/sys", nil,
			"/proc/acpi", nil, "/proc/keys", nil, "/proc/timer_list", nil, "/sys/firmware", nil)},
		{"cgroupv2", noV1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			infos, spec := loadFixture(t, tt.name)
			ds, err := Classify(infos, spec)
			if err != nil {
				t.Fatalf("Classify: %v", err)
			}
			if len(ds) != len(infos) {
				t.Fatalf("got %d decisions for %d mounts", len(ds), len(infos))
			}
			seen := map[string]bool{}
			for i, d := range ds {
				if d.Mountpoint != infos[i].Mountpoint {
					t.Errorf("decision %d is for %s, mountinfo line is %s", i, d.Mountpoint, infos[i].Mountpoint)
				}
				seen[d.Mountpoint] = true
				w, ok := tt.want[d.Mountpoint]
				if !ok {
					t.Errorf("%s: unexpected mount, decided %s (%s)", d.Mountpoint, d.Action, d.Reason)
					continue
				}
				if d.Action != w.action || d.CriuArg != w.arg {
					t.Errorf("%s: got %s %q, want %s %q (reason: %s)", d.Mountpoint, d.Action, d.CriuArg, w.action, w.arg, d.Reason)
				}
				if d.Reason == "" || !strings.HasSuffix(d.Reason, ".") {
					t.Errorf("%s: reason %q is not one sentence", d.Mountpoint, d.Reason)
				}
			}
			for mp := range tt.want {
				if !seen[mp] {
					t.Errorf("%s: expected in mountinfo, not found", mp)
				}
			}
		})
	}
}

func TestExternalsDefault(t *testing.T) {
	infos, spec := loadFixture(t, "default")
	ds, err := Classify(infos, spec)
	if err != nil {
		t.Fatal(err)
	}
	got := Externals(ds)
	wantArgs := []string{}
	for _, c := range cgroupV1Controllers {
		wantArgs = append(wantArgs, "mnt[/sys/fs/cgroup/"+c+"]:/sys/fs/cgroup/"+c)
	}
	wantArgs = append(wantArgs, "mnt[/etc/resolv.conf]:/etc/resolv.conf", "mnt[/etc/hostname]:/etc/hostname", "mnt[/etc/hosts]:/etc/hosts")
	if !reflect.DeepEqual(got, wantArgs) {
		t.Errorf("Externals =\n%q\nwant\n%q", got, wantArgs)
	}
}

// parse builds mountinfo entries from literal lines.
func parse(t *testing.T, lines ...string) []*mountinfo.Info {
	t.Helper()
	infos, err := mountinfo.GetMountsFromReader(strings.NewReader(strings.Join(lines, "\n")+"\n"), nil)
	if err != nil {
		t.Fatal(err)
	}
	return infos
}

const (
	rootLine = "1 0 0:39 / / rw,relatime - overlay overlay rw"
	devLine  = "2 1 0:43 / /dev rw,nosuid - tmpfs tmpfs rw,mode=755"
)

func TestClassifyOddInputs(t *testing.T) {
	spec := &specs.Spec{
		Mounts: []specs.Mount{
			{Destination: "/srv/", Type: "none", Source: "/data", Options: []string{"rbind", "rw"}},
		},
		Linux: &specs.Linux{
			Devices:     []specs.LinuxDevice{{Path: "/dev/fuse", Type: "c", Major: 10, Minor: 229}},
			MaskedPaths: []string{"/proc/kcore"},
		},
	}
	tests := []struct {
		name    string
		lines   []string
		spec    *specs.Spec
		wantErr error
		errHas  []string
		want    map[string]want
	}{
		{
			name:    "nil spec",
			lines:   []string{rootLine},
			wantErr: ErrNoSpec,
		},
		{
			name:    "no root mount",
			lines:   []string{devLine},
			spec:    spec,
			wantErr: ErrNoRoot,
		},
		{
			name:    "empty mountinfo",
			spec:    spec,
			wantErr: ErrNoRoot,
		},
		{
			name:    "host bind not in config.json",
			lines:   []string{rootLine, "3 1 254:0 /srv/data /mnt rw,relatime - ext4 /dev/vda rw"},
			spec:    spec,
			wantErr: ErrUnknownMount,
			errHas:  []string{"/mnt", "ext4", "/dev/vda[/srv/data]"},
		},
		{
			name:    "unknown filesystem at its root",
			lines:   []string{rootLine, "3 1 0:77 / /mnt/fuse rw - fuse.sshfs host:/x rw"},
			spec:    spec,
			wantErr: ErrUnknownMount,
			errHas:  []string{"/mnt/fuse", "fuse.sshfs", "host:/x"},
		},
		{
			name:    "masked path bound from a non-tmpfs root",
			lines:   []string{rootLine, "3 1 0:90 / /proc/kcore rw - ext4 /dev/vdb rw"},
			spec:    spec,
			wantErr: ErrUnknownMount,
			errHas:  []string{"/proc/kcore"},
		},
		{
			name: "rbind option counts as bind, device bind, masked from host null",
			lines: []string{rootLine, devLine,
				"3 1 254:0 /data /srv rw - ext4 /dev/vda rw",
				"4 2 0:6 /fuse /dev/fuse rw - devtmpfs udev rw",
				"5 1 0:6 /null /proc/kcore rw - devtmpfs udev rw",
			},
			spec: spec,
			want: map[string]want{
				"/": root, "/dev": in, "/srv": ext("/srv"), "/dev/fuse": ext("/dev/fuse"),
				"/proc/kcore": extNull("/proc/kcore"),
			},
		},
		{
			name: "masked path bound from the container's own null",
			lines: []string{rootLine, devLine,
				"5 1 0:43 /null /proc/kcore rw - tmpfs tmpfs rw",
			},
			spec: spec,
			want: map[string]want{"/": root, "/dev": in, "/proc/kcore": in},
		},
		{
			name: "two binds of one outside file do not vouch for each other",
			lines: []string{rootLine,
				"5 1 0:6 /null /proc/kcore rw - devtmpfs udev rw",
				"6 1 0:6 /null /mnt/null rw - devtmpfs udev rw",
			},
			spec:    spec,
			wantErr: ErrUnknownMount,
			errHas:  []string{"/mnt/null"},
		},
		{
			name: "cgroup v1 inside a cgroup namespace is a real mount",
			lines: []string{rootLine,
				"3 1 0:29 / /sys/fs/cgroup/cpu ro - cgroup cgroup rw,cpu",
			},
			spec: &specs.Spec{Linux: &specs.Linux{Namespaces: []specs.LinuxNamespace{{Type: specs.CgroupNamespace}}}},
			want: map[string]want{"/": root, "/sys/fs/cgroup/cpu": in},
		},
		{
			name:  "spec without linux section",
			lines: []string{rootLine, "3 1 0:29 /docker/x /sys/fs/cgroup/cpu ro - cgroup cgroup rw,cpu"},
			spec:  &specs.Spec{},
			want:  map[string]want{"/": root, "/sys/fs/cgroup/cpu": ext("/sys/fs/cgroup/cpu")},
		},
		{
			name:  "escaped mountpoint",
			lines: []string{rootLine, "3 1 0:50 / /my\\040dir rw - tmpfs tmpfs rw"},
			spec:  spec,
			want:  map[string]want{"/": root, "/my dir": in},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var infos []*mountinfo.Info
			if len(tt.lines) > 0 {
				infos = parse(t, tt.lines...)
			}
			ds, err := Classify(infos, tt.spec)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("err = %v, want %v", err, tt.wantErr)
				}
				for _, s := range tt.errHas {
					if !strings.Contains(err.Error(), s) {
						t.Errorf("error %q does not name %q", err, s)
					}
				}
				return
			}
			if err != nil {
				t.Fatalf("Classify: %v", err)
			}
			got := map[string]want{}
			for _, d := range ds {
				got[d.Mountpoint] = want{d.Action, d.CriuArg}
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got  %v\nwant %v", got, tt.want)
			}
		})
	}
}

func TestClassifyNilEntry(t *testing.T) {
	_, err := Classify([]*mountinfo.Info{nil}, &specs.Spec{})
	if err == nil || !strings.Contains(err.Error(), "entry 0") {
		t.Fatalf("err = %v, want an error naming entry 0", err)
	}
}
