package store

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// release1 is a store holding one checkpoint written by ckpt's first
// release, with its container.json keys.
const release1 = "testdata/release1"

func TestReadMetaOfFirstRelease(t *testing.T) {
	m, err := ReadMeta(filepath.Join(release1, "ii-fx-busybox", "fixture"))
	if err != nil {
		t.Fatal(err)
	}
	if m.Name != "ii-fx-busybox" || m.Checkpoint != "fixture" || !m.LeaveRunning || !m.FileLocks {
		t.Errorf("name %q checkpoint %q leave_running %v file_locks %v", m.Name, m.Checkpoint, m.LeaveRunning, m.FileLocks)
	}
	if !strings.HasPrefix(m.BundlePath, "/run/docker/containerd/") {
		t.Errorf("bundle_path = %q, want the old \"bundle\"", m.BundlePath)
	}
	if want := time.Date(2026, 11, 29, 15, 32, 0, 0, time.UTC); m.Timestamp.Before(want) || m.Timestamp.After(want.Add(time.Minute)) {
		t.Errorf("timestamp = %v, want the old \"created\"", m.Timestamp)
	}
	if len(m.Namespaces) != 5 || m.Namespaces["network"] != "" {
		t.Errorf("namespaces = %v, want 5 of the container's own", m.Namespaces)
	}
	if _, ok := m.Namespaces["mount"]; !ok {
		t.Errorf("namespaces = %v, lack mount", m.Namespaces)
	}
	if len(m.Mounts) == 0 || len(m.Engine) == 0 || len(m.Processes) == 0 || m.CriuVersion == "" {
		t.Errorf("mounts %d, engine %d bytes, processes %d, criu %q", len(m.Mounts), len(m.Engine), len(m.Processes), m.CriuVersion)
	}
}

// What this release writes has the docker-checkpoint tool's keys, and
// reads back the same.
func TestMetaKeys(t *testing.T) {
	dir := t.TempDir()
	in := &Meta{
		ID: "abc", Name: "web", Runtime: "runc", Rootfs: "/merged", BundlePath: "/bundle",
		Namespaces: map[string]string{"network": "/proc/1/ns/net", "pid": ""},
		CgroupPath: "/docker/abc", Timestamp: time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC),
		Checkpoint: "c1",
	}
	in.LeaveRunning = true
	if err := WriteMeta(dir, in); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, MetaFile))
	if err != nil {
		t.Fatal(err)
	}
	var keys map[string]json.RawMessage
	if err := json.Unmarshal(b, &keys); err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]string{
		"id": `"abc"`, "name": `"web"`, "runtime": `"runc"`, "rootfs": `"/merged"`, "bundle_path": `"/bundle"`,
		"namespaces": `{"network":"/proc/1/ns/net","pid":""}`, "cgroup_path": `"/docker/abc"`,
		"timestamp": `"2026-12-01T08:00:00Z"`, "checkpoint": `"c1"`, "leave_running": "true",
	} {
		var got any
		json.Unmarshal(keys[k], &got)
		compact, _ := json.Marshal(got)
		if string(compact) != want {
			t.Errorf("%s = %s, want %s", k, keys[k], want)
		}
	}
	for _, old := range []string{"bundle", "created"} {
		if _, ok := keys[old]; ok {
			t.Errorf("container.json still has the old key %q", old)
		}
	}
	out, err := ReadMeta(dir)
	if err != nil {
		t.Fatal(err)
	}
	if out.BundlePath != in.BundlePath || !out.Timestamp.Equal(in.Timestamp) || out.Namespaces["network"] != "/proc/1/ns/net" || !out.LeaveRunning {
		t.Errorf("read back %+v", out)
	}
}

func TestReadMetaBadNamespaces(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, MetaFile), []byte(`{"namespaces": 3}`), 0o600)
	if _, err := ReadMeta(dir); err == nil || !strings.Contains(err.Error(), "namespaces") {
		t.Errorf("ReadMeta = %v, want a namespaces error", err)
	}
}

func TestListFirstRelease(t *testing.T) {
	es, err := Store{Dir: release1}.List("")
	if err != nil {
		t.Fatal(err)
	}
	if len(es) != 1 {
		t.Fatalf("List = %+v, want the one checkpoint", es)
	}
	e := es[0]
	if e.Container != "ii-fx-busybox" || e.Name != "fixture" || e.Processes != 2 || e.Stopped || !e.FileLocks || e.Created.IsZero() || e.Size == 0 {
		t.Errorf("entry = %+v", e)
	}
}
