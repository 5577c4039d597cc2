package engine

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/docker/go-connections/nat"
)

// A container on user network n29 with a fixed name, an alias, a port and
// DNS settings, as inspect records it.
const userNetView = `{
 "Id": "9c7931cf5a0c0000000000000000000000000000000000000000000000000000",
 "Name": "/u1",
 "Config": {"Image": "ckpt-apps", "Hostname": "9c7931cf5a0c", "Cmd": ["echo", "-listen", ":7000"],
   "ExposedPorts": {"7000/tcp": {}}, "Env": ["GODEBUG=multipathtcp=0"], "MacAddress": "02:42:0a:1d:00:02"},
 "HostConfig": {"NetworkMode": "n29", "PortBindings": {"7000/tcp": [{"HostPort": "7002"}]},
   "Dns": ["10.0.0.53"], "ExtraHosts": ["db:10.0.0.9"], "Binds": ["/srv:/srv"]},
 "Mounts": [{"Type": "bind", "Source": "/srv", "Destination": "/srv", "RW": true}],
 "NetworkSettings": {"Networks": {"n29": {"Aliases": ["web", "9c7931cf5a0c"], "IPAddress": "10.29.0.2", "MacAddress": "02:42:0a:1d:00:02"}}}
}`

func TestDeriveHolder(t *testing.T) {
	spec, err := DeriveHolder(json.RawMessage(userNetView), HolderOptions{Name: "ckpt-net-u1", For: "u1", KeepAddress: true, Binary: "/usr/local/bin/ckpt"})
	if err != nil {
		t.Fatal(err)
	}
	c, h := spec.Config, spec.HostConfig
	if spec.Name != "ckpt-net-u1" || c.Image != "ckpt-apps" || c.Labels[HolderLabel] != "u1" || c.Hostname != "" {
		t.Errorf("config %+v", c)
	}
	if len(c.Entrypoint) != 2 || c.Entrypoint[0] != HoldBinaryPath || c.Entrypoint[1] != "hold" || c.Cmd != nil || len(c.Env) != 0 {
		t.Errorf("process %q %q env %q", c.Entrypoint, c.Cmd, c.Env)
	}
	if len(h.Binds) != 1 || h.Binds[0] != "/usr/local/bin/ckpt:"+HoldBinaryPath+":ro" {
		t.Errorf("binds %q: want only the ckpt binary, read-only", h.Binds)
	}
	if h.NetworkMode != "n29" || h.PortBindings["7000/tcp"][0].HostPort != "7002" || h.DNS[0] != "10.0.0.53" || h.ExtraHosts[0] != "db:10.0.0.9" {
		t.Errorf("host config %+v", h)
	}
	if _, ok := c.ExposedPorts["7000/tcp"]; !ok {
		t.Errorf("exposed %v", c.ExposedPorts)
	}
	ep := spec.Network.EndpointsConfig["n29"]
	if ep == nil || ep.IPAMConfig == nil || ep.IPAMConfig.IPv4Address != "10.29.0.2" || ep.MacAddress != "02:42:0a:1d:00:02" {
		t.Fatalf("endpoint %+v", ep)
	}
	if len(ep.Aliases) != 2 || ep.Aliases[0] != "u1" || ep.Aliases[1] != "web" {
		t.Errorf("aliases %q, want the name and the alias, not the old short ID", ep.Aliases)
	}

	// A clone's holder: new addresses, its own ports, the image's sleep.
	spec, err = DeriveHolder(json.RawMessage(userNetView), HolderOptions{Name: "ckpt-net-u2", For: "u2", Publish: nat.PortMap{"7000/tcp": {{HostPort: "7003"}}}})
	if err != nil {
		t.Fatal(err)
	}
	ep = spec.Network.EndpointsConfig["n29"]
	if ep.IPAMConfig != nil || ep.MacAddress != "" || spec.HostConfig.PortBindings["7000/tcp"][0].HostPort != "7003" || spec.Config.Entrypoint[0] != "sleep" || spec.HostConfig.Binds != nil {
		t.Errorf("clone holder %+v %+v %+v", ep, spec.HostConfig, spec.Config)
	}

	var multi map[string]any
	_ = json.Unmarshal([]byte(userNetView), &multi)
	multi["NetworkSettings"] = map[string]any{"Networks": map[string]any{"a": map[string]any{}, "b": map[string]any{}}}
	b, _ := json.Marshal(multi)
	if _, err := DeriveHolder(b, HolderOptions{Name: "h", For: "u1"}); !errors.Is(err, ErrHolderUnsupported) {
		t.Errorf("two networks: %v", err)
	}
	if _, err := DeriveHolder(nil, HolderOptions{}); !errors.Is(err, ErrNoRecord) {
		t.Errorf("no record: %v", err)
	}
}

func TestDeriveCloneJoiningHolder(t *testing.T) {
	spec, err := DeriveClone(json.RawMessage(userNetView), CloneOptions{Name: "u1", NetworkFrom: "ckpt-net-u1", Annotations: map[string]string{"org.criu.config": "/x.conf"}})
	if err != nil {
		t.Fatal(err)
	}
	c, h := spec.Config, spec.HostConfig
	if h.NetworkMode != "container:ckpt-net-u1" || h.PortBindings != nil || h.DNS != nil || h.ExtraHosts != nil || spec.Network != nil {
		t.Errorf("network settings kept beside container mode: %+v %+v", h, spec.Network)
	}
	if c.ExposedPorts != nil || c.Hostname != "" || c.MacAddress != "" { //nolint:staticcheck
		t.Errorf("config %+v", c)
	}
	if h.Annotations["org.criu.config"] != "/x.conf" || len(h.Binds) != 1 || c.Env[0] != "GODEBUG=multipathtcp=0" {
		t.Errorf("kept: annotations %v binds %q env %q", h.Annotations, h.Binds, c.Env)
	}
}
