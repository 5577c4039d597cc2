package namespaces

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// loadSpec reads a config.json captured from a running container.
func loadSpec(t *testing.T, name string) []specs.LinuxNamespace {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	var s specs.Spec
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return s.Linux.Namespaces
}

func TestDecideNetwork(t *testing.T) {
	const engineNet, hostNet, holderNet, ownNet = 4026532465, 4026531833, 4026532624, 4026532700
	tests := []struct {
		name     string
		fixture  string
		in       Input
		action   Action
		criuArg  string
		runIn    string
		lock     Lock
		outlives bool
		reason   string
	}{
		{
			name: "Engine 29, --network host, ckpt in the host's namespace: criu joins the engine's",
			// The engine runs in a namespace of its own; config.json names no
			// network namespace at all.
			fixture: "engine29-host.config.json",
			in:      Input{PID: 21892, NetInode: engineNet, SelfNetInode: hostNet},
			action:  Join, runIn: "/proc/21892/ns/net", lock: LockConnections, outlives: true,
			reason: "shares the engine's (net:[4026532465]); criu runs in it",
		},
		{
			name:    "Engine 29, --network host, ckpt in the engine's namespace: the same, a no-op",
			fixture: "engine29-host.config.json",
			in:      Input{PID: 7, NetInode: engineNet, SelfNetInode: engineNet},
			action:  Join, runIn: "/proc/7/ns/net", lock: LockConnections, outlives: true,
			reason: "it is ckpt's own, so nothing changes",
		},
		{
			name: "Engine 20.10, --network host: given by path, ckpt's own namespace",
			// 20.10 names the host's namespace by path (/var/run/docker/netns/default).
			fixture: "engine20-host.config.json",
			in:      Input{PID: 9, NetInode: hostNet, SelfNetInode: hostNet, PathInodes: map[string]uint64{"network": hostNet}},
			action:  External, criuArg: "--external net[4026531833]:extRootNetNS", lock: LockConnections, outlives: true,
			reason: "CRIU locks only the dumped connections",
		},
		{
			name:    "Engine 20.10 reached from another namespace, --network host: the whole namespace is locked",
			fixture: "engine20-host.config.json",
			in:      Input{PID: 9, NetInode: hostNet, SelfNetInode: engineNet, PathInodes: map[string]uint64{"network": hostNet}},
			action:  External, criuArg: "--external net[4026531833]:extRootNetNS", lock: LockNamespace, outlives: true,
			reason: "ckpt removes what the lock leaves",
		},
		{
			name:    "--network container:X: external, as runc does",
			fixture: "engine20-container.config.json",
			in:      Input{PID: 9, NetInode: holderNet, SelfNetInode: hostNet, PathInodes: map[string]uint64{"network": holderNet}},
			action:  External, criuArg: "--external net[4026532624]:extRootNetNS", lock: LockNamespace, outlives: true,
			reason: "config.json joins /proc/29585/ns/net (net:[4026532624])",
		},
		{
			name:    "default bridge: own namespace, recreated empty",
			fixture: "engine20-bridge.config.json",
			in:      Input{PID: 9, NetInode: ownNet, SelfNetInode: hostNet},
			action:  Empty, criuArg: "--empty-ns net", lock: LockNamespace,
			reason: "the engine plumbs a new one at restore",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := tt.in
			in.Namespaces = loadSpec(t, tt.fixture)
			ds, err := Decide(in)
			if err != nil {
				t.Fatal(err)
			}
			if len(ds) != len(Types) || ds[0].Type != "network" {
				t.Fatalf("want one decision per type, network first: %+v", ds)
			}
			d, ok := Net(ds)
			if !ok {
				t.Fatal("no network decision")
			}
			if d.Action != tt.action || d.CriuArg != tt.criuArg || d.RunIn != tt.runIn || d.Lock != tt.lock || d.Outlives != tt.outlives {
				t.Errorf("got %+v\nwant action %s, criu arg %q, run in %q, lock %s, outlives %v", d, tt.action, tt.criuArg, tt.runIn, tt.lock, tt.outlives)
			}
			if !strings.Contains(d.Reason, tt.reason) {
				t.Errorf("reason %q lacks %q", d.Reason, tt.reason)
			}
		})
	}
}

func TestDecideOthers(t *testing.T) {
	ds, err := Decide(Input{PID: 1, Namespaces: loadSpec(t, "engine29-host.config.json")})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]Action{"pid": Own, "mount": Own, "ipc": Own, "uts": Own, "time": Own, "user": Shared, "cgroup": Shared}
	for _, d := range ds[1:] {
		if d.Action != want[d.Type] || d.CriuArg != "" || d.Reason == "" {
			t.Errorf("%s: %+v, want %s with a reason and no criu argument", d.Type, d, want[d.Type])
		}
	}

	ds, err = Decide(Input{Namespaces: []specs.LinuxNamespace{{Type: "pid", Path: "/proc/7/ns/pid"}}, PathInodes: map[string]uint64{"pid": 4026532001}})
	if err != nil {
		t.Fatal(err)
	}
	if d := ds[1]; d.Action != External || d.ExternalKey() != "pid[4026532001]:extRootPidNS" {
		t.Errorf("pid by path: %+v", d)
	}
	if ds[0].ExternalKey() != "" {
		t.Errorf("a shared network namespace has an external key %q", ds[0].ExternalKey())
	}
}

func TestDecideErrors(t *testing.T) {
	for _, tt := range []struct {
		ns  specs.LinuxNamespace
		err string
	}{
		{specs.LinuxNamespace{Type: "ipc", Path: "/proc/7/ns/ipc"}, "joins the ipc namespace at /proc/7/ns/ipc"},
		{specs.LinuxNamespace{Type: "network", Path: "/x"}, "no inode known for the network namespace at /x"},
		{specs.LinuxNamespace{Type: "pid", Path: "/y"}, "no inode known for the pid namespace at /y"},
	} {
		_, err := Decide(Input{Namespaces: []specs.LinuxNamespace{tt.ns}})
		if err == nil || !strings.Contains(err.Error(), tt.err) {
			t.Errorf("%+v: err = %v, want %q", tt.ns, err, tt.err)
		}
	}
}

func TestCheckAfter(t *testing.T) {
	own := Decision{Action: Empty}
	shared := Decision{Action: Join, Outlives: true}
	if own.CheckAfter(false) || !own.CheckAfter(true) {
		t.Error("the container's own namespace is checked only while the container runs")
	}
	if !shared.CheckAfter(false) || !shared.CheckAfter(true) {
		t.Error("a namespace that outlives the container is always checked")
	}
}
