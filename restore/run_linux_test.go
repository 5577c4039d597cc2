package restore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/ckpt/ckpt/engine"
	"github.com/ckpt/ckpt/engine/enginetest"
	"github.com/ckpt/ckpt/store"
)

// The checkpoint these tests restore is one written by ckpt's first
// release (store/testdata/release1, copied into a store of the test's own
// with a pages-1.img added): container ii-fx-busybox, checkpoint fixture,
// image ckpt-busybox, no volumes, dumped with --file-locks.
const (
	storeDir  = "../store/testdata/release1"
	container = "ii-fx-busybox"
	imageID   = "sha256:54c5e8158f99d4463dd6f592fd18345d2260fda0e8e64bc41b2562eb6820b0f5"
)

// fixture is an engine that has the checkpointed container, stopped, and
// its image; and a runc.conf of its own.
func fixture(t *testing.T) (*enginetest.Fake, Request, string) {
	t.Helper()
	dir := t.TempDir()
	f := &enginetest.Fake{
		Root: filepath.Join(dir, "docker"),
		Containers: map[string]*engine.Container{container: {
			ID: strings.Repeat("b9", 32), Name: container, Image: "ckpt-busybox", ImageID: imageID,
			State: engine.State{Status: "exited"},
		}},
		Images: map[string]*engine.Image{"ckpt-busybox": {ID: imageID}},
	}
	conf := filepath.Join(dir, "etc", "runc.conf")
	st := filepath.Join(dir, "store")
	if err := os.CopyFS(st, os.DirFS(storeDir)); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(st, container, "fixture", "pages-1.img"), []byte("pages"), 0o600); err != nil {
		t.Fatal(err)
	}
	r := Request{Container: container, Dir: st, RuncConf: RuncConf{Path: conf, Lock: filepath.Join(dir, "lock")}}
	return f, r, conf
}

// checkRuncConf makes Start see ckpt's settings in runc.conf.
func checkRuncConf(t *testing.T, f *enginetest.Fake, conf string) {
	f.StartFunc = func(c *engine.Container, checkpoint string) error {
		b, err := os.ReadFile(conf)
		if err != nil {
			t.Errorf("start of %s: no runc.conf: %v", c.Name, err)
			return nil
		}
		for _, want := range []string{runcConfMarker, "tcp-close", "log-file " + filepath.Join(engine.CheckpointsDir(f.Root, c.ID), checkpoint, "restore.log"), "file-locks"} {
			if !strings.Contains(string(b), want) {
				t.Errorf("runc.conf during the start lacks %q:\n%s", want, b)
			}
		}
		return nil
	}
}

func TestRestoreInPlace(t *testing.T) {
	f, r, conf := fixture(t)
	checkRuncConf(t, f, conf)
	res, err := Run(context.Background(), f, r)
	if err != nil {
		t.Fatal(err)
	}
	id := f.Containers[container].ID
	if res.Container != container || res.ID != id || res.Checkpoint != "fixture" || res.Clone {
		t.Errorf("result %+v", res)
	}
	if want := filepath.Join(engine.CheckpointsDir(f.Root, id), "fixture"); res.Placed != want {
		t.Errorf("placed in %s, want %s", res.Placed, want)
	}
	for _, file := range []string{"container.json", "inventory.img", "pstree.img", "core-1.img", "pages-1.img"} {
		if _, err := os.Stat(filepath.Join(res.Placed, file)); err != nil {
			t.Errorf("placed checkpoint lacks %s: %v", file, err)
		}
	}
	if fi, err := os.Lstat(filepath.Join(res.Placed, "pages-1.img")); err != nil || fi.Mode()&os.ModeSymlink == 0 || res.Placement != engine.Symlinked || res.Fallback != "" {
		t.Errorf("pages-1.img placed as %v (%v), result %+v; want a symlink", fi.Mode(), err, res)
	}
	if !f.Containers[container].State.Running {
		t.Error("the container was not started")
	}
	if _, err := os.Stat(conf); !os.IsNotExist(err) {
		t.Errorf("runc.conf was left behind: %v", err)
	}
	if len(f.Created) != 0 {
		t.Errorf("an in-place restore created %v", f.Created)
	}
}

func TestRestoreAs(t *testing.T) {
	f, r, conf := fixture(t)
	checkRuncConf(t, f, conf)
	delete(f.Containers, container) // the original is gone
	r.As = "bb2"
	res, err := Run(context.Background(), f, r)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Clone || res.Container != "bb2" || !f.Containers["bb2"].State.Running {
		t.Errorf("result %+v, containers %v", res, f.Containers)
	}
	if len(f.Created) != 1 || f.Created[0].Name != "bb2" || f.Created[0].Image != "ckpt-busybox" || f.Created[0].Publish != nil {
		t.Errorf("created %+v; want bb2 from ckpt-busybox with the recorded ports", f.Created)
	}
}

func TestRestoreAsPublish(t *testing.T) {
	f, r, _ := fixture(t)
	r.As, r.Publish = "bb3", []string{"127.0.0.1:8081:80", "9000:9000/udp"}
	if _, err := Run(context.Background(), f, r); err != nil {
		t.Fatal(err)
	}
	if len(f.Created) != 1 {
		t.Fatalf("created %+v", f.Created)
	}
	o := f.Created[0]
	if b := o.Publish["80/tcp"]; len(b) != 1 || b[0].HostIP != "127.0.0.1" || b[0].HostPort != "8081" {
		t.Errorf("80/tcp bound to %v", b)
	}
	if b := o.Publish["9000/udp"]; len(b) != 1 || b[0].HostPort != "9000" {
		t.Errorf("9000/udp bound to %v", b)
	}
	if _, ok := o.Expose["9000/udp"]; !ok || len(o.Expose) != 2 {
		t.Errorf("exposed %v", o.Expose)
	}
}

func TestRestoreAsMissingImage(t *testing.T) {
	f, r, _ := fixture(t)
	f.Images = nil
	r.As = "bb4"
	_, err := Run(context.Background(), f, r)
	if !errors.Is(err, ErrImageMismatch) || !strings.Contains(err.Error(), "is not on this host") || !strings.Contains(err.Error(), "docker load") {
		t.Fatalf("Run = %v, want ErrImageMismatch saying the image is not here", err)
	}
	if len(f.Created) != 0 || f.Containers["bb4"] != nil {
		t.Errorf("a container was created: %v", f.Created)
	}
}

func TestRestoreMountMismatch(t *testing.T) {
	f, r, _ := fixture(t)
	f.Containers[container].Mounts = []string{"/data"}
	_, err := Run(context.Background(), f, r)
	if !errors.Is(err, ErrMountMismatch) || !strings.Contains(err.Error(), "ii-fx-busybox mounts /data that the checkpoint did not have") {
		t.Fatalf("Run = %v, want ErrMountMismatch naming /data", err)
	}
	for _, c := range f.Calls {
		if strings.HasPrefix(c, "start") || strings.HasPrefix(c, "place") {
			t.Errorf("%s after a mount mismatch", c)
		}
	}
}

func TestRestoreRefusesRunningAndOtherImage(t *testing.T) {
	f, r, _ := fixture(t)
	c := f.Containers[container]
	c.State = engine.State{Status: "running", Running: true, Pid: os.Getpid()}
	if _, err := Run(context.Background(), f, r); !errors.Is(err, ErrRunning) {
		t.Errorf("running: %v, want ErrRunning", err)
	}
	c.State = engine.State{Status: "exited"}
	c.ImageID = "sha256:0ther"
	if _, err := Run(context.Background(), f, r); !errors.Is(err, ErrImageMismatch) {
		t.Errorf("other image: %v, want ErrImageMismatch", err)
	}
	delete(f.Containers, container)
	if _, err := Run(context.Background(), f, r); !errors.Is(err, ErrNoContainer) || !strings.Contains(err.Error(), "--as NEWNAME") {
		t.Errorf("gone: %v, want ErrNoContainer pointing at --as", err)
	}
}

// A start that fails quotes CRIU's restore log and removes the clone.
func TestRestoreFailureQuotesTheLog(t *testing.T) {
	f, r, conf := fixture(t)
	r.As = "bb5"
	f.StartFunc = func(c *engine.Container, checkpoint string) error {
		log := filepath.Join(engine.CheckpointsDir(f.Root, c.ID), checkpoint, "restore.log")
		os.WriteFile(log, []byte("(00.001) Error (criu/mount.c:1): mnt: No mapping for 42:(null) mountpoint\n"), 0o600)
		return errors.New("OCI runtime restore failed: criu failed: type NOTIFY errno 0\nlog file: /run/gone/restore.log")
	}
	_, err := Run(context.Background(), f, r)
	if !errors.Is(err, ErrRestoreFailed) {
		t.Fatalf("Run = %v, want ErrRestoreFailed", err)
	}
	for _, want := range []string{"No mapping for 42:(null) mountpoint", "ckpt removed the container bb5", "type NOTIFY errno 0"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
	if strings.Contains(err.Error(), "/run/gone") {
		t.Errorf("error names the engine's deleted log:\n%v", err)
	}
	if f.Containers["bb5"] != nil {
		t.Error("the clone was not removed")
	}
	if _, err := os.Stat(conf); !os.IsNotExist(err) {
		t.Errorf("runc.conf was left behind: %v", err)
	}
}

// copyFixture copies the fixture's store, for a test to change its
// container.json: the store, the checkpoint folder and its record.
func copyFixture(t *testing.T) (dir, ck string, m *store.Meta) {
	t.Helper()
	dir = filepath.Join(t.TempDir(), "store")
	if err := os.CopyFS(dir, os.DirFS(storeDir)); err != nil {
		t.Fatal(err)
	}
	ck = filepath.Join(dir, container, "fixture")
	m, err := store.ReadMeta(ck)
	if err != nil {
		t.Fatal(err)
	}
	return dir, ck, m
}

// withRestartPolicy copies the fixture's store and records in its
// container.json that the dump suspended policy p (as a stop-mode dump of
// a container run with --restart does), with p also in the recorded view.
func withRestartPolicy(t *testing.T, r Request, p store.RestartPolicy) Request {
	t.Helper()
	dir, ck, m := copyFixture(t)
	m.RestartPolicy = &p
	m.Engine = json.RawMessage(fmt.Sprintf(`{"Id":%q,"Name":"/%s","Image":%q,"Config":{"Image":"ckpt-busybox"},"HostConfig":{"RestartPolicy":{"Name":%q,"MaximumRetryCount":%d}}}`,
		m.ID, container, imageID, p.Name, p.MaximumRetryCount))
	if err := store.WriteMeta(ck, m); err != nil {
		t.Fatal(err)
	}
	r.Dir = dir
	return r
}

// In place, the policy the dump suspended is put back once the container
// runs again, and not before.
func TestRestoreInPlaceResumesRestartPolicy(t *testing.T) {
	f, r, _ := fixture(t)
	r = withRestartPolicy(t, r, store.RestartPolicy{Name: "unless-stopped"})
	c := f.Containers[container]
	c.RestartPolicy = engine.NoRestart // as the dump left it
	f.StartFunc = func(c *engine.Container, _ string) error {
		if c.RestartPolicy != engine.NoRestart {
			t.Errorf("policy %v before the start, want no", c.RestartPolicy)
		}
		return nil
	}
	res, err := Run(context.Background(), f, r)
	if err != nil {
		t.Fatal(err)
	}
	if c.RestartPolicy != (engine.RestartPolicy{Name: "unless-stopped"}) || res.RestartPolicy != "unless-stopped" || len(res.Warnings) != 0 {
		t.Errorf("policy now %v, result %+v; want unless-stopped put back", c.RestartPolicy, res)
	}
	if last := f.Calls[len(f.Calls)-1]; last != "restart-policy "+c.ID+" unless-stopped" {
		t.Errorf("last call %q, want the policy put back after the start", last)
	}
}

// A policy that cannot be put back is a warning: the container runs.
func TestRestoreInPlaceRestartPolicyWarning(t *testing.T) {
	f, r, _ := fixture(t)
	r = withRestartPolicy(t, r, store.RestartPolicy{Name: "always"})
	f.SetRestartErr = errors.New("engine says no")
	res, err := Run(context.Background(), f, r)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Warnings) != 1 || !strings.Contains(res.Warnings[0], "docker update --restart always") || res.RestartPolicy != "" {
		t.Errorf("result %+v; want one warning with the docker update to run", res)
	}
}

// A clone is created with the recorded policy; the original is untouched.
func TestRestoreAsKeepsRestartPolicy(t *testing.T) {
	f, r, _ := fixture(t)
	r = withRestartPolicy(t, r, store.RestartPolicy{Name: "on-failure", MaximumRetryCount: 4})
	r.As = "bb6"
	res, err := Run(context.Background(), f, r)
	if err != nil {
		t.Fatal(err)
	}
	want := engine.RestartPolicy{Name: "on-failure", MaximumRetryCount: 4}
	if got := f.Containers["bb6"].RestartPolicy; got != want || res.RestartPolicy != "on-failure:4" {
		t.Errorf("clone's policy %v, result %+v; want %v", got, res, want)
	}
	for _, c := range f.Calls {
		if strings.HasPrefix(c, "restart-policy") {
			t.Errorf("%s: a clone needs no policy change", c)
		}
	}
}

// A group restore of a one-member group whose network is gone: the
// network is made again from the record, the member reattached to it with
// its aliases, then restored in place.
func TestRunGroupRemakesNetwork(t *testing.T) {
	f, r, _ := fixture(t)
	dir, ck, m := copyFixture(t)
	at := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	m.Group = &store.Group{Members: []string{container}, Selector: []string{"--all"}, PausedAt: at, FrozenAt: at, DumpedAt: at.Add(time.Second)}
	m.Networks = map[string]json.RawMessage{"proj_default": json.RawMessage(`{"Name":"proj_default","Driver":"bridge","Labels":{"com.docker.compose.project":"proj"}}`)}
	m.Engine = json.RawMessage(fmt.Sprintf(`{"Id":%q,"Name":"/%s","Config":{"Labels":{"com.docker.compose.project":"proj"}},"HostConfig":{},"NetworkSettings":{"Networks":{"proj_default":{"Aliases":["db",%q]}}}}`,
		m.ID, container, m.ID[:12]))
	if err := store.WriteMeta(ck, m); err != nil {
		t.Fatal(err)
	}
	res, err := RunGroup(context.Background(), f, GroupRequest{Filters: []string{"label=com.docker.compose.project=proj"}, Dir: dir, RuncConf: r.RuncConf})
	if err != nil {
		t.Fatal(err)
	}
	if res.Checkpoint != "fixture" || len(res.Members) != 1 || !reflect.DeepEqual(res.Networks, []string{"proj_default"}) {
		t.Errorf("result %+v", res)
	}
	calls := strings.Join(f.Calls, "\n")
	if want := "ensure-network proj_default\nreconnect " + container + " proj_default [db]"; !strings.Contains(calls, want) {
		t.Errorf("calls lack %q:\n%s", want, calls)
	}
	if strings.Index(calls, "reconnect") > strings.Index(calls, "start") {
		t.Errorf("started before the network was back:\n%s", calls)
	}
	if !f.Containers[container].State.Running {
		t.Error("the member was not started")
	}
}

// When CRIU cannot open the linked pages, the restore places the
// checkpoint again by hard links, starts once more and says why.
func TestRestoreFallsBackWhenLinkedPagesUnreadable(t *testing.T) {
	f, r, _ := fixture(t)
	starts := 0
	f.StartFunc = func(c *engine.Container, checkpoint string) error {
		starts++
		placed := filepath.Join(engine.CheckpointsDir(f.Root, c.ID), checkpoint)
		fi, err := os.Lstat(filepath.Join(placed, "pages-1.img"))
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode()&os.ModeSymlink == 0 {
			return nil
		}
		os.WriteFile(filepath.Join(placed, "restore.log"), []byte("(00.068) 1: Error (criu/pagemap.c:265): No pages-1.img image\n"), 0o600)
		return errors.New("OCI runtime restore failed: criu failed: type RESTORE errno 0")
	}
	res, err := Run(context.Background(), f, r)
	if err != nil {
		t.Fatal(err)
	}
	if starts != 2 || res.Placement != engine.HardLinked || !strings.Contains(res.Fallback, "could not open the linked pages") {
		t.Errorf("%d starts, result %+v; want a second start from hard links, and why", starts, res)
	}
}

// ckpt rm refuses a checkpoint while a restore reads it.
func TestRestoreHoldsTheCheckpoint(t *testing.T) {
	f, r, _ := fixture(t)
	var rmErr error
	f.StartFunc = func(*engine.Container, string) error {
		rmErr = store.Store{Dir: r.Dir}.Remove(container, "fixture")
		return nil
	}
	if _, err := Run(context.Background(), f, r); err != nil {
		t.Fatal(err)
	}
	if !errors.Is(rmErr, store.ErrBusy) {
		t.Errorf("rm during the start = %v, want ErrBusy", rmErr)
	}
	if err := (store.Store{Dir: r.Dir}).Remove(container, "fixture"); err != nil {
		t.Errorf("rm after the restore: %v", err)
	}
}
