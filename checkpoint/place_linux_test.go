package checkpoint

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestPlaceReplacesStale(t *testing.T) {
	dir := t.TempDir()
	src := mkCheckpoint(t, dir, "web", "c1", time.Now(), false)
	os.WriteFile(filepath.Join(src, "restore.log"), []byte("old restore"), 0o600)
	engine := filepath.Join(dir, "engine", "checkpoints")
	stale := filepath.Join(engine, "c1")
	os.MkdirAll(stale, 0o700)
	os.WriteFile(filepath.Join(stale, "stale.img"), []byte("x"), 0o600)

	dst, linked, err := Place(src, engine, "c1")
	if err != nil {
		t.Fatal(err)
	}
	if dst != stale || !linked {
		t.Errorf("Place = %s, linked %v; want %s, linked (same filesystem)", dst, linked, stale)
	}
	if err := Complete(dst); err != nil {
		t.Error(err)
	}
	for _, gone := range []string{"stale.img", "restore.log"} {
		if _, err := os.Stat(filepath.Join(dst, gone)); !os.IsNotExist(err) {
			t.Errorf("%s was carried over: %v", gone, err)
		}
	}
	a, _ := os.Stat(filepath.Join(src, "pstree.img"))
	b, _ := os.Stat(filepath.Join(dst, "pstree.img"))
	if !os.SameFile(a, b) {
		t.Error("pstree.img was copied, not linked")
	}
	des, _ := os.ReadDir(engine)
	if len(des) != 1 {
		t.Errorf("engine folder holds %d entries, want only c1", len(des))
	}
	if _, _, err := Place(src, engine, "../x"); err == nil {
		t.Error("Place accepted a name with ..")
	}
}
