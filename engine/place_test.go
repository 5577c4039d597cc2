package engine

import (
	"os"
	"path/filepath"
	"testing"
)

func TestPlaceInReplacesStale(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "store", "web", "c1")
	for f, body := range map[string]string{"inventory.img": "i", "pstree.img": "p", "container.json": "{}", "restore.log": "old restore", "pre/pages-1.img": "x"} {
		p := filepath.Join(src, f)
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	engine := CheckpointsDir(filepath.Join(dir, "docker"), "abc")
	stale := filepath.Join(engine, "c1")
	os.MkdirAll(stale, 0o700)
	os.WriteFile(filepath.Join(stale, "stale.img"), []byte("x"), 0o600)

	got, err := PlaceIn(engine, src, "c1")
	if err != nil {
		t.Fatal(err)
	}
	if got.Dir != stale || !got.Linked {
		t.Errorf("PlaceIn = %+v; want %s, linked (same filesystem)", got, stale)
	}
	for _, gone := range []string{"stale.img", "restore.log"} {
		if _, err := os.Stat(filepath.Join(got.Dir, gone)); !os.IsNotExist(err) {
			t.Errorf("%s was carried over: %v", gone, err)
		}
	}
	for _, f := range []string{"pstree.img", "pre/pages-1.img"} {
		a, _ := os.Stat(filepath.Join(src, f))
		b, err := os.Stat(filepath.Join(got.Dir, f))
		if err != nil || !os.SameFile(a, b) {
			t.Errorf("%s was not linked: %v", f, err)
		}
	}
	des, _ := os.ReadDir(engine)
	if len(des) != 1 {
		t.Errorf("engine folder holds %d entries, want only c1", len(des))
	}
	if _, err := PlaceIn(engine, src, "../x"); err == nil {
		t.Error("PlaceIn accepted a name with ..")
	}
}
