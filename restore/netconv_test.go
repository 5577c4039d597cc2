package restore

import (
	"bytes"
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

// netnsImages are the ids and netns images of a counter ckpt dumped on
// each engine (imageinfo/testdata/netns): on Engine 20.10 with its
// network namespace emptied (no netns image), on 29 external.
const (
	netnsFrom20 = "../imageinfo/testdata/netns/engine20"
	netnsFrom29 = "../imageinfo/testdata/netns/engine29"
)

// movedFixture is holderFixture with the fixture checkpoint recorded as
// dumped with netns and the root task's ids and netns images of the
// engine in from; on Engine 20.10 when on20.
func movedFixture(t *testing.T, netns, from string, on20 bool) (*enginetest.Fake, Request, string) {
	t.Helper()
	f, r := holderFixture(t, netns)
	if on20 {
		f.EngineInfo.Version = "20.10.24"
	}
	cp := filepath.Join(r.Dir, container, "fixture")
	for _, name := range []string{"ids-1.img", "netns-10.img"} {
		b, err := os.ReadFile(filepath.Join(from, name))
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(cp, name), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return f, r, cp
}

// placedSeen records, at the start, the placed checkpoint's netns image
// (nil if none) and recorded form.
type placedSeen struct {
	netns []byte
	form  string
}

func watchPlaced(t *testing.T, f *enginetest.Fake) *placedSeen {
	seen := &placedSeen{}
	f.StartFunc = func(c *engine.Container, checkpoint string) error {
		if checkpoint == "" {
			return nil // the holder
		}
		dir := filepath.Join(engine.CheckpointsDir(f.Root, c.ID), engine.CheckpointID(checkpoint))
		b, err := os.ReadFile(filepath.Join(dir, "netns-10.img"))
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			t.Error(err)
		}
		seen.netns = b
		m, err := store.ReadMeta(dir)
		if err != nil {
			t.Fatal(err)
		}
		seen.form = m.NetNS
		return nil
	}
	return seen
}

// An Engine 20.10 checkpoint restores on Engine 29 through a holder, its
// placed copy made external; the store's folder stays as it was dumped.
func TestMoveEmptyTo29(t *testing.T) {
	for _, netns := range []string{"empty", ""} { // "": ckpt's first release
		f, r, cp := movedFixture(t, netns, netnsFrom20, false)
		seen := watchPlaced(t, f)
		r.As = "moved"
		res, err := Run(context.Background(), f, r)
		if err != nil {
			t.Fatalf("netns %q: %v", netns, err)
		}
		want, err := os.ReadFile(filepath.Join(netnsFrom29, "netns-10.img"))
		if err != nil {
			t.Fatal(err)
		}
		if res.Holder != "ckpt-net-moved" || res.NetNS != "external" || !bytes.Equal(seen.netns, want) || seen.form != "external" {
			t.Errorf("netns %q: holder %q, placed netns image %x (want %x), form %q", netns, res.Holder, seen.netns, want, seen.form)
		}
		if _, err := os.Stat(filepath.Join(cp, "netns-10.img")); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("netns %q: the store's folder got a netns image (%v)", netns, err)
		}
		if m, _ := store.ReadMeta(cp); m.NetNS != netns {
			t.Errorf("netns %q: the store's container.json says %q", netns, m.NetNS)
		}
	}
}

// An Engine 29 checkpoint restores on Engine 20.10 without a holder, its
// placed copy emptied; the store's hard-linked files are not written
// through.
func TestMoveExternalTo20(t *testing.T) {
	f, r, cp := movedFixture(t, "external", netnsFrom29, true)
	seen := watchPlaced(t, f)
	r.As = "moved"
	res, err := Run(context.Background(), f, r)
	if err != nil {
		t.Fatal(err)
	}
	if res.Holder != "" || res.NetNS != "empty" || seen.netns != nil || seen.form != "empty" {
		t.Errorf("holder %q, placed netns image %x, form %q; want no holder, no image, empty", res.Holder, seen.netns, seen.form)
	}
	want, _ := os.ReadFile(filepath.Join(netnsFrom29, "netns-10.img"))
	if b, err := os.ReadFile(filepath.Join(cp, "netns-10.img")); err != nil || !bytes.Equal(b, want) {
		t.Errorf("the store's netns image changed: %x, %v", b, err)
	}
	if m, _ := store.ReadMeta(cp); m.NetNS != "external" {
		t.Errorf("the store's container.json says %q", m.NetNS)
	}
}

// What cannot be converted is refused before the engine is touched.
func TestMoveRefusals(t *testing.T) {
	// A NETNS image whose entry holds one nsids record (target 3, value 0).
	configured := []byte{0x19, 0x43, 0x56, 0x54, 0x52, 0x37, 0x93, 0x55, 0x06, 0, 0, 0, 0x3a, 0x04, 0x08, 0x03, 0x10, 0x00}
	cases := []struct {
		name, netns, from string
		on20              bool
		extra             map[string][]byte
		msg               string
	}{
		{"configured netns to 29", "empty", netnsFrom20, false, map[string][]byte{"netns-10.img": configured}, "holds the namespace's configuration"},
		{"two netns to 20.10", "external", netnsFrom29, true, map[string][]byte{"netns-20.img": configured}, "1 more network namespaces"},
		{"unknown form", "borrowed", netnsFrom29, false, nil, `records its network namespace as "borrowed"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f, r, cp := movedFixture(t, c.netns, c.from, c.on20)
			for name, b := range c.extra {
				if err := os.WriteFile(filepath.Join(cp, name), b, 0o600); err != nil {
					t.Fatal(err)
				}
			}
			r.As = "moved"
			_, err := Run(context.Background(), f, r)
			if !errors.Is(err, ErrNetNS) || !strings.Contains(err.Error(), c.msg) {
				t.Fatalf("err = %v, want ErrNetNS with %q", err, c.msg)
			}
			for _, k := range []string{"rename", "holder", "create", "start", "place"} {
				if called(f, k+" ") {
					t.Errorf("touched the engine (%s): %v", k, f.Calls)
				}
			}
		})
	}
}
