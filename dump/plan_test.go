package dump

import (
	"reflect"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/ckpt/ckpt/criucmd"
	"github.com/ckpt/ckpt/store"
)

func spec(nss ...specs.LinuxNamespace) *specs.Spec {
	return &specs.Spec{Linux: &specs.Linux{Namespaces: nss}}
}

func TestCriuOptions(t *testing.T) {
	base := Plan{
		PID: 42, Rootfs: "/merged", ImagesDir: "/ck/web/.x.partial-1",
		Externals:    []string{"mnt[/data]:/data"},
		FreezeCgroup: "/sys/fs/cgroup/freezer/docker/abc",
		Flags:        criucmd.DumpFlags{LeaveRunning: true, TCPEstablished: true, FileLocks: true},
	}
	tests := []struct {
		name      string
		plan      func(Plan) Plan
		externals []string
		emptyNS   []string
		netns     string
		shellJob  bool
		err       string
	}{
		{
			name: "docker default: own net namespace, emptied",
			plan: func(p Plan) Plan {
				p.Spec = spec(specs.LinuxNamespace{Type: "pid"}, specs.LinuxNamespace{Type: "network"})
				return p
			},
			externals: []string{"mnt[/data]:/data"},
			emptyNS:   []string{"net"},
		},
		{
			name: "holder engine: own net namespace, external by inode",
			plan: func(p Plan) Plan {
				p.Spec = spec(specs.LinuxNamespace{Type: "pid"}, specs.LinuxNamespace{Type: "network"})
				p.NetHolder, p.NetInode = true, 4026532252
				return p
			},
			externals: []string{"mnt[/data]:/data", "net[4026532252]:extRootNetNS"},
		},
		{
			name:      "host network: no net namespace, nothing emptied, criu runs in the container's",
			plan:      func(p Plan) Plan { p.Spec = spec(specs.LinuxNamespace{Type: "pid"}); return p },
			externals: []string{"mnt[/data]:/data"},
			netns:     "/proc/42/ns/net",
		},
		{
			name: "network of another container: external by inode",
			plan: func(p Plan) Plan {
				p.Spec = spec(specs.LinuxNamespace{Type: "network", Path: "/proc/7/ns/net"})
				p.NSInodes = map[string]uint64{"network": 4026532001}
				return p
			},
			externals: []string{"mnt[/data]:/data", "net[4026532001]:extRootNetNS"},
		},
		{
			name: "terminal: shell job and the pty external",
			plan: func(p Plan) Plan {
				p.Spec = spec(specs.LinuxNamespace{Type: "network"})
				p.Ttys = []string{"tty[8800000:4a]"}
				return p
			},
			externals: []string{"mnt[/data]:/data", "tty[8800000:4a]"},
			emptyNS:   []string{"net"},
			shellJob:  true,
		},
		{
			name: "ipc of another container is refused",
			plan: func(p Plan) Plan {
				p.Spec = spec(specs.LinuxNamespace{Type: "ipc", Path: "/proc/7/ns/ipc"})
				return p
			},
			err: "joins the ipc namespace",
		},
		{
			name: "path without a known inode",
			plan: func(p Plan) Plan { p.Spec = spec(specs.LinuxNamespace{Type: "network", Path: "/x"}); return p },
			err:  "no inode known",
		},
		{
			name: "no linux section",
			plan: func(p Plan) Plan { p.Spec = &specs.Spec{}; return p },
			err:  "no linux section",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, err := tt.plan(base).CriuOptions()
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err = %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(o.External, tt.externals) {
				t.Errorf("External = %q, want %q", o.External, tt.externals)
			}
			if !reflect.DeepEqual(o.EmptyNS, tt.emptyNS) {
				t.Errorf("EmptyNS = %q, want %q", o.EmptyNS, tt.emptyNS)
			}
			if o.NetNS != tt.netns {
				t.Errorf("NetNS = %q, want %q", o.NetNS, tt.netns)
			}
			if o.ShellJob != tt.shellJob {
				t.Errorf("ShellJob = %v, want %v", o.ShellJob, tt.shellJob)
			}
			if o.PID != 42 || o.Root != "/merged" || !o.ManageCgroups || !o.ExtUnixSk || o.LogFile != "dump.log" ||
				o.ImagesDir != base.ImagesDir || o.WorkDir != base.ImagesDir || o.FreezeCgroup != base.FreezeCgroup ||
				!o.LeaveRunning || !o.TCPEstablished || !o.FileLocks {
				t.Errorf("runc-style options lost: %+v", o)
			}
		})
	}
}

func TestPlanNetNS(t *testing.T) {
	own := spec(specs.LinuxNamespace{Type: "pid"}, specs.LinuxNamespace{Type: "network"})
	cases := []struct {
		p    Plan
		want string
	}{
		{Plan{Spec: own}, store.NetNSEmpty},
		{Plan{Spec: own, NetHolder: true, NetInode: 9}, store.NetNSExternal},
		{Plan{Spec: spec(specs.LinuxNamespace{Type: "network", Path: "/proc/7/ns/net"}), NetHolder: true, NetInode: 9}, store.NetNSJoined},
		{Plan{Spec: spec(specs.LinuxNamespace{Type: "pid"}), NetHolder: true, NetInode: 9}, store.NetNSShared},
		{Plan{}, store.NetNSShared},
	}
	for i, c := range cases {
		if got := c.p.NetNS(); got != c.want {
			t.Errorf("case %d: NetNS = %q, want %q", i, got, c.want)
		}
	}
}

func TestFreezerDir(t *testing.T) {
	tests := []struct {
		v2   bool
		path string
		want string
	}{
		{false, "/docker/abc", "/sys/fs/cgroup/freezer/docker/abc"},
		{true, "/docker/abc", "/sys/fs/cgroup/docker/abc"},
		{false, "system.slice:docker:abc", "/sys/fs/cgroup/freezer/system.slice/docker-abc.scope"},
		{true, ":docker:abc", "/sys/fs/cgroup/system.slice/docker-abc.scope"},
	}
	for _, tt := range tests {
		if got := FreezerDir("/sys/fs/cgroup", tt.v2, tt.path); got != tt.want {
			t.Errorf("FreezerDir(v2=%v, %q) = %q, want %q", tt.v2, tt.path, got, tt.want)
		}
	}
}

func TestWithPreDump(t *testing.T) {
	o, err := Plan{PID: 9, Rootfs: "/m", ImagesDir: "/ck/a/.x", Spec: spec(specs.LinuxNamespace{Type: "network"}), Flags: criucmd.DumpFlags{LeaveRunning: true}}.CriuOptions()
	if err != nil {
		t.Fatal(err)
	}
	pre, final := WithPreDump(o)
	if pre.Action != "pre-dump" || pre.ImagesDir != "/ck/a/.x/pre" || pre.LogFile != "pre-dump.log" || !pre.TrackMem || pre.LeaveRunning {
		t.Errorf("pre-dump options: %+v", pre)
	}
	if final.Action != "dump" || final.ImagesDir != "/ck/a/.x" || final.PrevImagesDir != "pre" || !final.TrackMem || !final.LeaveRunning {
		t.Errorf("dump options after pre-dump: %+v", final)
	}
	preArgv, err := criucmd.Args(pre)
	if err != nil {
		t.Fatalf("pre-dump argv: %v", err)
	}
	if preArgv[0] != "pre-dump" || !strings.Contains(strings.Join(preArgv, " "), "--track-mem") {
		t.Errorf("pre-dump argv %q", preArgv)
	}
	finalArgv, err := criucmd.Args(final)
	if err != nil {
		t.Fatalf("dump argv: %v", err)
	}
	if !strings.Contains(strings.Join(finalArgv, " "), "--prev-images-dir pre") {
		t.Errorf("dump argv lacks the parent: %q", finalArgv)
	}
}
