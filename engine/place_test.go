package engine

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ckpt/ckpt/store"
)

func TestPlaceInReplacesStale(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "store", "web", "c1")
	for f, body := range map[string]string{"inventory.img": "i", "pstree.img": "p", "container.json": "{}", "restore.log": "old restore", "pre/pages-1.img": "x", ".lock": ""} {
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

	got, err := PlaceIn(engine, src, "c1", LinkPages)
	if err != nil {
		t.Fatal(err)
	}
	if got.Dir != stale || got.Method != HardLinked {
		t.Errorf("PlaceIn = %+v; want %s, linked (same filesystem)", got, stale)
	}
	for _, gone := range []string{"stale.img", "restore.log", ".lock"} {
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
	if _, err := PlaceIn(engine, src, "../x", LinkPages); err == nil {
		t.Error("PlaceIn accepted a name with ..")
	}
}

func TestPlaceInSymlinksPages(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "store", "web", "c1")
	files := map[string]string{"inventory.img": "i", "pagemap-1.img": "m", "pages-1.img": "pages", "pages-12.img": "more", ".lock": ""}
	for f, body := range files {
		if err := os.MkdirAll(src, 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(src, f), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	got, err := PlaceIn(CheckpointsDir(filepath.Join(dir, "docker"), "abc"), src, "c1", SymlinkPages)
	if err != nil {
		t.Fatal(err)
	}
	if got.Method != Symlinked || got.Fallback != "" {
		t.Errorf("PlaceIn = %+v; want symlinked pages, no fallback", got)
	}
	for f := range files {
		p := filepath.Join(got.Dir, f)
		fi, err := os.Lstat(p)
		if f == store.LockFile {
			if err == nil {
				t.Errorf("%s was placed", f)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		isLink := fi.Mode()&os.ModeSymlink != 0
		if isLink != IsPages(f) {
			t.Errorf("%s: symlink %v, want %v", f, isLink, IsPages(f))
		}
		a, _ := os.Stat(filepath.Join(src, f))
		b, err := os.Stat(p)
		if err != nil || !os.SameFile(a, b) {
			t.Errorf("%s does not lead to the stored file: %v", f, err)
		}
		if !isLink {
			continue
		}
		text, _ := os.Readlink(p)
		if !strings.HasPrefix(text, strings.Repeat("../", upLevels)) || filepath.IsAbs(text) {
			t.Errorf("%s links to %q; want %d or more ../ then the stored path", f, text, upLevels)
		}
	}
}

func TestRelativeLinkFromAnyDepth(t *testing.T) {
	target := "/var/lib/ckpt/web/c1/pages-1.img"
	for _, dir := range []string{"/", "/tmp/ctrd-checkpoint1", "/var/lib/docker/containers/abc/checkpoints/c1"} {
		link := relativeLink(dir, target)
		if got := filepath.Join(dir, link); got != target {
			t.Errorf("from %s, %q resolves to %s; want %s", dir, link, got, target)
		}
	}
}
