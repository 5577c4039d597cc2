package restore

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/docker/go-connections/nat"

	"github.com/ckpt/ckpt/engine"
	"github.com/ckpt/ckpt/mountscan"
	"github.com/ckpt/ckpt/store"
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
		if err := ValidContainerName(bad); !errors.Is(err, store.ErrBadName) {
			t.Errorf("%q: %v, want store.ErrBadName", bad, err)
		}
	}
}

func TestRestoreValidate(t *testing.T) {
	cases := []struct {
		r    Request
		want error
	}{
		{Request{Container: "web"}, nil},
		{Request{Container: "web", As: "web2", Publish: []string{"1:2"}}, nil},
		{Request{Container: "web", Publish: []string{"8081:80"}}, ErrBadPublish},
		{Request{Container: "web", As: "-x"}, store.ErrBadName},
		{Request{Container: "web", Name: "../x"}, store.ErrBadName},
		{Request{Container: ""}, store.ErrBadName},
	}
	for _, c := range cases {
		err := c.r.validate()
		if (c.want == nil) != (err == nil) || (c.want != nil && !errors.Is(err, c.want)) {
			t.Errorf("%+v: validate = %v, want %v", c.r, err, c.want)
		}
	}
}

func TestCheckMountsAndImage(t *testing.T) {
	m := &store.Meta{Checkpoint: "c1", ImageID: "sha256:aaa", Image: "app", Mounts: []mountscan.Decision{
		{Mountpoint: "/", Action: mountscan.ActionRoot},
		{Mountpoint: "/proc", Action: mountscan.ActionInternal},
		{Mountpoint: "/etc/hosts", Action: mountscan.ActionExternal},
		{Mountpoint: "/sys/fs/cgroup/cpu", Action: mountscan.ActionExternal},
		{Mountpoint: "/data", Action: mountscan.ActionExternal},
	}}
	if err := CheckMounts(m, &engine.Container{Name: "t", Mounts: []string{"/data"}}); err != nil {
		t.Errorf("matching mounts: %v", err)
	}
	err := CheckMounts(m, &engine.Container{Name: "t"})
	if !errors.Is(err, ErrMountMismatch) || !strings.Contains(err.Error(), "/data") {
		t.Errorf("missing /data: %v", err)
	}
	err = CheckMounts(m, &engine.Container{Name: "t", Mounts: []string{"/data", "/extra"}})
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

// docker-init is bound by the engine, not the user: a target run with
// --init has it without listing it among its mounts; one without lacks it.
func TestCheckMountsInit(t *testing.T) {
	m := &store.Meta{Checkpoint: "c1", Mounts: []mountscan.Decision{
		{Mountpoint: "/", Action: mountscan.ActionRoot},
		{Mountpoint: "/sbin/docker-init", Action: mountscan.ActionExternal},
		{Mountpoint: "/etc/hosts", Action: mountscan.ActionExternal},
	}}
	if err := CheckMounts(m, &engine.Container{Name: "t", Init: true}); err != nil {
		t.Errorf("target with --init: %v", err)
	}
	err := CheckMounts(m, &engine.Container{Name: "t"})
	if !errors.Is(err, ErrMountMismatch) || !strings.Contains(err.Error(), "external mounts at /sbin/docker-init that t lacks") {
		t.Errorf("target without --init: %v", err)
	}
}

func TestCheckInit(t *testing.T) {
	record := func(init bool) json.RawMessage {
		return json.RawMessage(fmt.Sprintf(`{"Id":"abc","Name":"/svc","HostConfig":{"Init":%v},"Config":{}}`, init))
	}
	withInit := &store.Meta{Checkpoint: "c1", Engine: record(true)}
	without := &store.Meta{Checkpoint: "c1", Engine: record(false)}
	// A checkpoint without a record: its mounts tell.
	oldWithInit := &store.Meta{Checkpoint: "c1", Mounts: []mountscan.Decision{{Mountpoint: "/sbin/docker-init", Action: mountscan.ActionExternal}}}
	for _, tt := range []struct {
		name   string
		m      *store.Meta
		target bool
		want   string
	}{
		{"both with init", withInit, true, ""},
		{"both without", without, false, ""},
		{"checkpoint with, target without", withInit, false, "run with --init (docker-init as PID 1, bound at /sbin/docker-init), and t runs without it"},
		{"checkpoint without, target with", without, true, "t runs with --init (docker-init as PID 1), and the checkpoint c1 is of a container without it"},
		{"no record, mounts show init", oldWithInit, false, "run with --init"},
		{"no record, mounts show init, target with", oldWithInit, true, ""},
	} {
		err := CheckInit(tt.m, &engine.Container{Name: "t", Init: tt.target})
		if tt.want == "" {
			if err != nil {
				t.Errorf("%s: %v", tt.name, err)
			}
			continue
		}
		if !errors.Is(err, ErrMountMismatch) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: %v, want ErrMountMismatch saying %q", tt.name, err, tt.want)
		}
	}
}

func TestRestoreConf(t *testing.T) {
	got := restoreConf("log-level 4", "/x/restore.log", Settings{})
	want := "log-level 4\n" + runcConfMarker + "\ntcp-close\nlog-file /x/restore.log\n"
	if got != want {
		t.Errorf("restoreConf = %q, want %q", got, want)
	}
	if s := stripRestoreConf(got); s != "log-level 4\n" {
		t.Errorf("strip = %q", s)
	}
	if s := stripRestoreConf(restoreConf("", "/l", Settings{FileLocks: true})); s != "" {
		t.Errorf("strip of ckpt's own lines = %q, want empty", s)
	}
	if got := restoreConf("", "/l", Settings{FileLocks: true}); !strings.HasSuffix(got, "\nfile-locks\n") {
		t.Errorf("restoreConf with file locks = %q", got)
	}
	if got := restoreConf("", "/l", Settings{MntnsCompat: true}); !strings.HasSuffix(got, "\nmntns-compat-mode\n") || strings.Contains(got, "file-locks") {
		t.Errorf("restoreConf for --init = %q", got)
	}
}
