package restore

import (
	"context"
	"errors"
	"os"
	"path/filepath"
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

// Checkpoints the engine cannot restore are refused before anything is
// touched: an emptied network namespace on Engine 29, an external one on
// 20.10, a name ckpt needs that something else has.
func TestHolderRefusals(t *testing.T) {
	cases := []struct {
		name  string
		netns string
		setup func(*enginetest.Fake)
		want  error
		msg   string
	}{
		{"empty netns on 29", "empty", nil, ErrNetNS, "containerd#12141"},
		{"first release's checkpoint on 29", "", nil, ErrNetNS, "dump the container again"},
		{"external netns on 20.10", "external", func(f *enginetest.Fake) { f.EngineInfo.Version = "20.10.24" }, ErrNetNS, "dumped with its network namespace external"},
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
