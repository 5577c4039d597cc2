package engine

import (
	"encoding/json"
	"errors"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/docker/go-connections/nat"
)

func readEngine(t *testing.T, file string) json.RawMessage {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// engine-rich.json is the inspect view of a real container started with
// --network ckptnet --network-alias richsvc -v ckptvol:/data -v /anon
// -p 8090:80 --tmpfs /scratch --read-only -e FOO=bar -w /data --label app=x.
func TestDeriveCloneKeepsConfiguration(t *testing.T) {
	spec, err := DeriveClone(readEngine(t, "testdata/engine-rich.json"), CloneOptions{Name: "rich2"})
	if err != nil {
		t.Fatal(err)
	}
	c, hc := spec.Config, spec.HostConfig
	if spec.Name != "rich2" || c.Image != "ckpt-apps" || c.WorkingDir != "/data" || c.Labels["app"] != "x" {
		t.Errorf("name %q image %q workdir %q labels %v", spec.Name, c.Image, c.WorkingDir, c.Labels)
	}
	if strings.Join(c.Cmd, " ") != "counter -state /data/c" {
		t.Errorf("cmd = %v", c.Cmd)
	}
	if !slices.Contains(c.Env, "FOO=bar") {
		t.Errorf("env = %v, lacks FOO=bar", c.Env)
	}
	if c.Hostname != "" {
		t.Errorf("hostname %q derived from the original's ID was kept", c.Hostname)
	}
	if !hc.ReadonlyRootfs || hc.Tmpfs["/scratch"] != "" || len(hc.Tmpfs) != 1 {
		t.Errorf("read-only %v tmpfs %v", hc.ReadonlyRootfs, hc.Tmpfs)
	}
	if !slices.Contains(hc.Binds, "ckptvol:/data") {
		t.Errorf("binds = %v, lack ckptvol:/data", hc.Binds)
	}
	var anon string
	for _, b := range hc.Binds {
		if strings.HasSuffix(b, ":/anon") {
			anon = b
		}
	}
	if len(anon) < 64 {
		t.Errorf("binds = %v: the anonymous volume at /anon is not mounted by name", hc.Binds)
	}
	if b := hc.PortBindings["80/tcp"]; len(b) != 1 || b[0].HostPort != "8090" {
		t.Errorf("port bindings = %v, want the recorded 8090", hc.PortBindings)
	}
	if string(hc.NetworkMode) != "ckptnet" || spec.Network == nil {
		t.Fatalf("network mode %q, config %v", hc.NetworkMode, spec.Network)
	}
	ep := spec.Network.EndpointsConfig["ckptnet"]
	if ep == nil || !slices.Contains(ep.Aliases, "richsvc") || len(ep.Aliases) != 1 || ep.IPAddress != "" || ep.EndpointID != "" {
		t.Errorf("endpoint = %+v; want alias richsvc only, no address", ep)
	}
}

func TestDeriveClonePublishAndImage(t *testing.T) {
	pm := nat.PortMap{"80/tcp": {{HostPort: "8091"}}}
	ps := nat.PortSet{"80/tcp": {}}
	spec, err := DeriveClone(readEngine(t, "testdata/engine-rich.json"), CloneOptions{Name: "r", Image: "sha256:1234", Publish: pm, Expose: ps})
	if err != nil {
		t.Fatal(err)
	}
	if b := spec.HostConfig.PortBindings["80/tcp"]; len(b) != 1 || b[0].HostPort != "8091" || len(spec.HostConfig.PortBindings) != 1 {
		t.Errorf("port bindings = %v, want only 8091", spec.HostConfig.PortBindings)
	}
	if _, ok := spec.Config.ExposedPorts["80/tcp"]; !ok {
		t.Errorf("80/tcp not exposed: %v", spec.Config.ExposedPorts)
	}
	if spec.Config.Image != "sha256:1234" {
		t.Errorf("image = %q", spec.Config.Image)
	}
	// The default bridge needs no networking config.
	spec, err = DeriveClone(readEngine(t, "testdata/engine-counter.json"), CloneOptions{Name: "c"})
	if err != nil {
		t.Fatal(err)
	}
	if spec.Network != nil || len(spec.HostConfig.Binds) != 0 {
		t.Errorf("counter clone: network %v binds %v; want none", spec.Network, spec.HostConfig.Binds)
	}
}

func TestDeriveCloneBadEngine(t *testing.T) {
	for name, raw := range map[string]string{"empty": "", "not json": "{", "no config": `{"Id":"x"}`} {
		if _, err := DeriveClone(json.RawMessage(raw), CloneOptions{Name: "x"}); !errors.Is(err, ErrNoRecord) {
			t.Errorf("%s: %v, want ErrNoRecord", name, err)
		}
	}
}
