package restore

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/ckpt/ckpt/engine"
	"github.com/ckpt/ckpt/engine/enginetest"
	"github.com/ckpt/ckpt/store"
)

// holderFixture is fixture on Engine 29, with the checkpoint copied into a
// store of its own and recorded as dumped with its network namespace
// external (netns), as ckpt dumps on that engine.
func holderFixture(t *testing.T, netns string) (*enginetest.Fake, Request) {
	t.Helper()
	f, r, _ := fixture(t)
	f.EngineInfo = engine.Info{Version: "29.8.0", APIVersion: "1.51", Experimental: true}
	dir := filepath.Join(t.TempDir(), "store")
	if err := os.CopyFS(dir, os.DirFS(storeDir)); err != nil {
		t.Fatal(err)
	}
	cp := filepath.Join(dir, container, "fixture")
	m, err := store.ReadMeta(cp)
	if err != nil {
		t.Fatal(err)
	}
	m.NetNS = netns
	if err := store.WriteMeta(cp, m); err != nil {
		t.Fatal(err)
	}
	r.Dir = dir
	r.HoldBinary = "/usr/local/bin/ckpt"
	return f, r
}

func called(f *enginetest.Fake, prefix string) bool {
	for _, c := range f.Calls {
		if strings.HasPrefix(c, prefix) {
			return true
		}
	}
	return false
}

func TestHolderInPlace(t *testing.T) {
	f, r := holderFixture(t, "external")
	oldID := f.Containers[container].ID
	f.Carried = engine.Carried{Paths: []string{"/tmp/held.log"}}
	res, err := Run(context.Background(), f, r)
	if err != nil {
		t.Fatal(err)
	}
	holder := "ckpt-net-" + container
	c, h := f.Containers[container], f.Containers[holder]
	if c == nil || h == nil || c.ID == oldID {
		t.Fatalf("want a new %s and %s; have %v", container, holder, f.Calls)
	}
	if f.Containers[container+".ckpt-old"] != nil || called(f, "remove "+oldID) == false {
		t.Errorf("the original is not removed: %v", f.Calls)
	}
	if !c.State.Running || !h.State.Running {
		t.Errorf("running: target %v, holder %v", c.State.Running, h.State.Running)
	}
	if res.ID != c.ID || res.Replaced != oldID || res.Holder != holder || res.Carried != 1 || res.Clone {
		t.Errorf("result %+v", res)
	}
	if len(f.Holders) != 1 || f.Holders[0].For != container || !f.Holders[0].KeepAddress || f.Holders[0].Binary != r.HoldBinary {
		t.Errorf("holder options %+v", f.Holders)
	}
	conf := filepath.Join(r.Dir, ".restore", container+".criu.conf")
	if len(f.Created) != 1 || f.Created[0].NetworkFrom != holder || f.Created[0].Annotations["org.criu.config"] != conf {
		t.Errorf("target options %+v", f.Created)
	}
	b, err := os.ReadFile(conf)
	if err != nil || !strings.Contains(string(b), "\ntcp-close\nlog-file "+strings.TrimSuffix(conf, ".criu.conf")+".restore.log\n") {
		t.Errorf("CRIU settings %q: %v", b, err)
	}
	if _, err := os.Stat(r.RuncConf.Path); !os.IsNotExist(err) {
		t.Errorf("runc.conf was written: %v", err)
	}
	// The order: aside, holder up, target made, layer carried, started.
	var order []string
	for _, call := range f.Calls {
		for _, k := range []string{"rename", "holder", "start", "create", "copy", "place", "remove"} {
			if strings.HasPrefix(call, k+" ") {
				order = append(order, k)
			}
		}
	}
	if got := strings.Join(order, " "); got != "rename holder start create copy place start remove" {
		t.Errorf("calls in order %q; all: %v", got, f.Calls)
	}
}

// A failure at any step puts the original back under its name and removes
// what was made.
func TestHolderRollback(t *testing.T) {
	for _, step := range []string{"holder", "create", "copy", "start"} {
		t.Run(step, func(t *testing.T) {
			f, r := holderFixture(t, "external")
			oldID := f.Containers[container].ID
			f.Fail = map[string]error{step: errors.New("injected " + step + " failure")}
			_, err := Run(context.Background(), f, r)
			if err == nil || !strings.Contains(err.Error(), "injected "+step) || !strings.Contains(err.Error(), "gave "+container+" its name back") {
				t.Fatalf("err = %v", err)
			}
			if c := f.Containers[container]; c == nil || c.ID != oldID || c.State.Running {
				t.Errorf("original not back as it was: %+v", c)
			}
			if len(f.Containers) != 1 {
				t.Errorf("left behind: %v", f.Containers)
			}
		})
	}
}

func TestHolderAs(t *testing.T) {
	f, r := holderFixture(t, "external")
	r.As, r.Publish = "web2", []string{"8081:80"}
	oldID := f.Containers[container].ID
	res, err := Run(context.Background(), f, r)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Clone || res.Holder != "ckpt-net-web2" || res.Replaced != "" || f.Containers[container].ID != oldID {
		t.Errorf("result %+v, containers %v", res, f.Containers)
	}
	if h := f.Holders[0]; h.KeepAddress || h.Publish == nil || h.For != "web2" {
		t.Errorf("clone's holder options %+v", h)
	}
	if called(f, "rename") {
		t.Errorf("a clone renamed something: %v", f.Calls)
	}
}

// A restore through a holder is refused before anything is touched when a
// name ckpt needs is taken by something else (netconv_test.go has the
// network namespaces ckpt cannot convert).
func TestHolderRefusals(t *testing.T) {
	cases := []struct {
		name  string
		netns string
		setup func(*enginetest.Fake)
		want  error
		msg   string
	}{
		{"holder name taken", "external", func(f *enginetest.Fake) {
			f.Containers["ckpt-net-"+container] = &engine.Container{ID: strings.Repeat("cc", 32), Name: "ckpt-net-" + container}
		}, ErrNameTaken, "docker rm -f ckpt-net-" + container},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f, r := holderFixture(t, c.netns)
			if c.setup != nil {
				c.setup(f)
			}
			n := len(f.Containers)
			_, err := Run(context.Background(), f, r)
			if !errors.Is(err, c.want) || !strings.Contains(err.Error(), c.msg) {
				t.Fatalf("err = %v, want %v with %q", err, c.want, c.msg)
			}
			for _, k := range []string{"rename", "holder", "create", "start", "remove", "place"} {
				if called(f, k+" ") {
					t.Errorf("touched the engine (%s): %v", k, f.Calls)
				}
			}
			if len(f.Containers) != n {
				t.Errorf("containers changed: %v", f.Containers)
			}
		})
	}
}

// A holder left from an earlier restore of the same name is replaced.
func TestHolderStaleReplaced(t *testing.T) {
	f, r := holderFixture(t, "external")
	r.As = "web2"
	if _, err := f.CreateHolder(context.Background(), mustMeta(t, r).Engine, engine.HolderOptions{Name: "ckpt-net-web2", For: "web2"}); err != nil {
		t.Fatal(err)
	}
	stale := f.Containers["ckpt-net-web2"].ID
	if _, err := Run(context.Background(), f, r); err != nil {
		t.Fatal(err)
	}
	if f.Containers["ckpt-net-web2"].ID == stale || !called(f, "remove "+stale) {
		t.Errorf("stale holder kept: %v", f.Calls)
	}
}

func mustMeta(t *testing.T, r Request) *store.Meta {
	t.Helper()
	m, err := store.ReadMeta(filepath.Join(r.Dir, container, "fixture"))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// Both ways of restoring, straight and through a network holder, end in
// the same steps: the import's hooks run on the container that starts
// (prepare before, started after), the runtime an import names is the new
// container's, and an in-place restore puts back the restart policy the
// dump suspended, on the container now running.
func TestOnePathAfterStart(t *testing.T) {
	for _, viaHolder := range []bool{false, true} {
		t.Run(map[bool]string{false: "direct", true: "holder"}[viaHolder], func(t *testing.T) {
			var f *enginetest.Fake
			var r Request
			if viaHolder {
				f, r = holderFixture(t, "external")
			} else {
				f, r, _ = fixture(t)
				r = withRestartPolicy(t, r, store.RestartPolicy{Name: "always"})
			}
			editMeta(t, r, func(m *store.Meta) { m.RestartPolicy = &store.RestartPolicy{Name: "always"} })
			var hooks []string
			r.prepare = func(_ context.Context, id string) error {
				hooks = append(hooks, "prepare "+id+" running="+strconv.FormatBool(f.Containers[container].State.Running && f.Containers[container].ID == id))
				return nil
			}
			r.started = func(_ context.Context, id string) error {
				hooks = append(hooks, "started "+id)
				return nil
			}
			res, err := Run(context.Background(), f, r)
			if err != nil {
				t.Fatal(err)
			}
			c := f.Containers[container]
			want := []string{"prepare " + c.ID + " running=false", "started " + c.ID}
			if strings.Join(hooks, "; ") != strings.Join(want, "; ") {
				t.Errorf("hooks %q, want %q", hooks, want)
			}
			if c.RestartPolicy != (engine.RestartPolicy{Name: "always"}) || res.RestartPolicy != "always" {
				t.Errorf("policy %v, result %+v; want always put back", c.RestartPolicy, res)
			}
		})
	}
	// An import's runtime reaches the container made through a holder.
	f, r := holderFixture(t, "external")
	r.As, r.runtime = "bb-rt", "runc-1.3"
	if _, err := Run(context.Background(), f, r); err != nil {
		t.Fatal(err)
	}
	if len(f.Created) != 1 || f.Created[0].Runtime != "runc-1.3" {
		t.Errorf("created %+v; want runtime runc-1.3", f.Created)
	}
}

// editMeta changes the container.json of the request's checkpoint.
func editMeta(t *testing.T, r Request, edit func(*store.Meta)) {
	t.Helper()
	cp := filepath.Join(r.Dir, container, "fixture")
	m, err := store.ReadMeta(cp)
	if err != nil {
		t.Fatal(err)
	}
	edit(m)
	if err := store.WriteMeta(cp, m); err != nil {
		t.Fatal(err)
	}
}

// The CRIU settings file of a container made through a holder stays while
// the container exists (its annotation names it); the restore log of a
// start that succeeded moves into the placed checkpoint; the settings of a
// container that is gone are swept at the next restore through a holder.
func TestHolderSettingsFiles(t *testing.T) {
	f, r := holderFixture(t, "external")
	restoreDir := filepath.Join(r.Dir, ".restore")
	if err := os.MkdirAll(restoreDir, 0o700); err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"gone.criu.conf", "gone.restore.log"} {
		if err := os.WriteFile(filepath.Join(restoreDir, n), []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	r.As = "web3"
	f.StartFunc = func(_ *engine.Container, checkpoint string) error {
		if checkpoint == "" {
			return nil // the holder
		}
		// CRIU writes its log where the settings file says.
		return os.WriteFile(filepath.Join(restoreDir, "web3.restore.log"), []byte("restore ok\n"), 0o600)
	}
	res, err := Run(context.Background(), f, r)
	if err != nil {
		t.Fatal(err)
	}
	left, _ := filepath.Glob(filepath.Join(restoreDir, "*"))
	if len(left) != 1 || filepath.Base(left[0]) != "web3.criu.conf" {
		t.Errorf(".restore holds %v; want web3.criu.conf only", left)
	}
	if _, err := os.Stat(filepath.Join(res.Placed, "restore.log")); err != nil {
		t.Errorf("restore log not in the placed checkpoint: %v", err)
	}
}
