package checkpoint

import (
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/docker/go-connections/nat"

	"github.com/ckpt/ckpt/mountscan"
)

func TestParsePublish(t *testing.T) {
	pm, ps, err := ParsePublish([]string{"8081:80", "127.0.0.1:9000:9000/udp", "8082:80"})
	if err != nil {
		t.Fatal(err)
	}
	want := nat.PortMap{
		"80/tcp":   {{HostPort: "8081"}, {HostPort: "8082"}},
		"9000/udp": {{HostIP: "127.0.0.1", HostPort: "9000"}},
	}
	if len(pm) != len(want) {
		t.Fatalf("bindings = %v, want %v", pm, want)
	}
	for p, bs := range want {
		if len(pm[p]) != len(bs) {
			t.Fatalf("bindings[%s] = %v, want %v", p, pm[p], bs)
		}
		for i := range bs {
			if pm[p][i] != bs[i] {
				t.Errorf("bindings[%s][%d] = %v, want %v", p, i, pm[p][i], bs[i])
			}
		}
		if _, ok := ps[p]; !ok {
			t.Errorf("port %s not exposed", p)
		}
	}
	for _, bad := range []string{"80", "x:80", "8080:0", "8080:70000", "8080:80/icmp", "nope:8080:80", "8080-8090:80", ""} {
		if _, _, err := ParsePublish([]string{bad}); !errors.Is(err, ErrBadPublish) {
			t.Errorf("ParsePublish(%q) error = %v, want ErrBadPublish", bad, err)
		}
	}
}

func TestValidContainerName(t *testing.T) {
	for _, ok := range []string{"web", "web-2", "a.b_c", "0x"} {
		if err := ValidContainerName(ok); err != nil {
			t.Errorf("%q: %v", ok, err)
		}
	}
	for _, bad := range []string{"", "-web", ".web", "a/b", "a b", "é"} {
		if err := ValidContainerName(bad); !errors.Is(err, ErrBadName) {
			t.Errorf("%q: %v, want ErrBadName", bad, err)
		}
	}
}

func TestRestoreValidate(t *testing.T) {
	cases := []struct {
		r    Restore
		want error
	}{
		{Restore{Container: "web"}, nil},
		{Restore{Container: "web", As: "web2", Publish: []string{"1:2"}}, nil},
		{Restore{Container: "web", Publish: []string{"8081:80"}}, ErrBadPublish},
		{Restore{Container: "web", As: "-x"}, ErrBadName},
		{Restore{Container: "web", Name: "../x"}, ErrBadName},
		{Restore{Container: ""}, ErrBadName},
	}
	for _, c := range cases {
		err := c.r.validate()
		if (c.want == nil) != (err == nil) || (c.want != nil && !errors.Is(err, c.want)) {
			t.Errorf("%+v: validate = %v, want %v", c.r, err, c.want)
		}
	}
}

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
	if !contains(c.Env, "FOO=bar") {
		t.Errorf("env = %v, lacks FOO=bar", c.Env)
	}
	if c.Hostname != "" {
		t.Errorf("hostname %q derived from the original's ID was kept", c.Hostname)
	}
	if !hc.ReadonlyRootfs || hc.Tmpfs["/scratch"] != "" || len(hc.Tmpfs) != 1 {
		t.Errorf("read-only %v tmpfs %v", hc.ReadonlyRootfs, hc.Tmpfs)
	}
	if !contains(hc.Binds, "ckptvol:/data") {
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
	if ep == nil || !contains(ep.Aliases, "richsvc") || len(ep.Aliases) != 1 || ep.IPAddress != "" || ep.EndpointID != "" {
		t.Errorf("endpoint = %+v; want alias richsvc only, no address", ep)
	}
}

func TestDeriveClonePublishAndImage(t *testing.T) {
	pm, ps, err := ParsePublish([]string{"8091:80"})
	if err != nil {
		t.Fatal(err)
	}
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
		if _, err := DeriveClone(json.RawMessage(raw), CloneOptions{Name: "x"}); !errors.Is(err, ErrNoEngine) {
			t.Errorf("%s: %v, want ErrNoEngine", name, err)
		}
	}
}

func TestCheckMountsAndImage(t *testing.T) {
	m := &Meta{Checkpoint: "c1", ImageID: "sha256:aaa", Image: "app", Mounts: []mountscan.Decision{
		{Mountpoint: "/", Action: mountscan.ActionRoot},
		{Mountpoint: "/proc", Action: mountscan.ActionInternal},
		{Mountpoint: "/etc/hosts", Action: mountscan.ActionExternal},
		{Mountpoint: "/sys/fs/cgroup/cpu", Action: mountscan.ActionExternal},
		{Mountpoint: "/data", Action: mountscan.ActionExternal},
	}}
	if err := CheckMounts(m, "t", []string{"/data"}); err != nil {
		t.Errorf("matching mounts: %v", err)
	}
	err := CheckMounts(m, "t", nil)
	if !errors.Is(err, ErrMountMismatch) || !strings.Contains(err.Error(), "/data") {
		t.Errorf("missing /data: %v", err)
	}
	err = CheckMounts(m, "t", []string{"/data", "/extra"})
	if !errors.Is(err, ErrMountMismatch) || !strings.Contains(err.Error(), "/extra") {
		t.Errorf("extra /extra: %v", err)
	}
	if err := CheckImage(m, "t", "sha256:aaa"); err != nil {
		t.Errorf("same image: %v", err)
	}
	if err := CheckImage(m, "t", "sha256:bbb"); !errors.Is(err, ErrImageMismatch) {
		t.Errorf("other image: %v", err)
	}
}

func TestRestoreConf(t *testing.T) {
	got := restoreConf("log-level 4", "/x/restore.log", false)
	want := "log-level 4\n" + runcConfMarker + "\ntcp-close\nlog-file /x/restore.log\n"
	if got != want {
		t.Errorf("restoreConf = %q, want %q", got, want)
	}
	if s := stripRestoreConf(got); s != "log-level 4\n" {
		t.Errorf("strip = %q", s)
	}
	if s := stripRestoreConf(restoreConf("", "/l", true)); s != "" {
		t.Errorf("strip of ckpt's own lines = %q, want empty", s)
	}
	if got := restoreConf("", "/l", true); !strings.HasSuffix(got, "\nfile-locks\n") {
		t.Errorf("restoreConf with file locks = %q", got)
	}
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}
