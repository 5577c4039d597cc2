package restore

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ckpt/ckpt/archive"
	"github.com/ckpt/ckpt/engine"
	"github.com/ckpt/ckpt/progress"
)

// exported is the fixture checkpoint as ckpt export writes it (without a
// rootfs diff: the fixture's container is not on the fake engine).
func exported(t *testing.T, withImage bool, layers ...string) []byte {
	t.Helper()
	f, _, _ := fixture(t)
	f.Images["ckpt-busybox"].Layers = layers
	f.Saved = map[string][]byte{"ckpt-busybox": []byte("image stream")}
	var buf bytes.Buffer
	_, err := archive.Export(context.Background(), f, &buf, archive.ExportOptions{
		Folder: filepath.Join(storeDir, container, "fixture"), Compression: archive.Zstd, IgnoreRootfs: true, WithImage: withImage,
	})
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// importFile writes b to a file and imports it into a fresh store.
func importFile(t *testing.T, f engine.Engine, b []byte, as string) (*Imported, string, error) {
	t.Helper()
	r := archiveRequest(t, b, as)
	res, err := Import(context.Background(), f, r)
	return res, r.Dir, err
}

// archiveRequest writes b to a file and asks for its import as container
// as into a fresh store, with a runc.conf of its own; the file is closed
// when the test ends.
func archiveRequest(t *testing.T, b []byte, as string) ImportRequest {
	t.Helper()
	dir := t.TempDir()
	p := filepath.Join(dir, "a.tar.zst")
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
	file, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { file.Close() })
	return ImportRequest{Archive: file, Dir: filepath.Join(dir, "store"), As: as,
		RuncConf: RuncConf{Path: filepath.Join(dir, "runc.conf"), Lock: filepath.Join(dir, "lock")}}
}

// storeHolds lists what an import left in the store, hidden folders too.
func storeHolds(t *testing.T, store string) []string {
	var out []string
	filepath.WalkDir(store, func(p string, d os.DirEntry, err error) error {
		if err == nil && p != store {
			rel, _ := filepath.Rel(store, p)
			out = append(out, rel)
		}
		return nil
	})
	return out
}

func TestImport(t *testing.T) {
	f, _, _ := fixture(t)
	res, store, err := importFile(t, f, exported(t, false), "moved")
	if err != nil {
		t.Fatal(err)
	}
	if !res.Clone || res.Container != "moved" || res.Checkpoint != "fixture" || res.Loaded {
		t.Fatalf("result %+v", res)
	}
	if c := f.Containers["moved"]; c == nil || !c.State.Running {
		t.Fatal("the new container is not running")
	}
	if _, err := os.Stat(filepath.Join(store, "moved", "fixture", "pstree.img")); err != nil {
		t.Errorf("the checkpoint is not in the store: %v", err)
	}
	for _, p := range storeHolds(t, store) {
		if strings.Contains(p, ".import") {
			t.Errorf("left behind: %s", p)
		}
	}
}

func TestImportMissingImage(t *testing.T) {
	f, _, _ := fixture(t)
	delete(f.Images, "ckpt-busybox")
	_, store, err := importFile(t, f, exported(t, false), "moved")
	if !errors.Is(err, ErrImageMismatch) || !strings.Contains(err.Error(), "image ckpt-busybox (54c5e8158f99) of ii-fx-busybox is not on this engine") {
		t.Fatalf("got %v, want an error naming the image", err)
	}
	if held := storeHolds(t, store); len(held) != 0 || len(f.Created) != 0 {
		t.Fatalf("a refused import wrote %v, created %v", held, f.Created)
	}
}

func TestImportLoadsTheImage(t *testing.T) {
	f, _, _ := fixture(t)
	delete(f.Images, "ckpt-busybox")
	f.OnLoad = func(b []byte) error {
		// Another engine's store names the same image otherwise: it is
		// found by its layers.
		f.Images["ckpt-busybox"] = &engine.Image{ID: "sha256:other"}
		return nil
	}
	_, _, err := importFile(t, f, exported(t, true), "moved")
	if err == nil || !strings.Contains(err.Error(), "no image of it is ckpt-busybox") {
		t.Fatalf("an image without the recorded layers: %v", err)
	}
	f, _, _ = fixture(t)
	b := exported(t, true, "sha256:layer") // records the layers
	delete(f.Images, "ckpt-busybox")
	f.OnLoad = func([]byte) error {
		f.Images["ckpt-busybox"] = &engine.Image{ID: "sha256:other", Layers: []string{"sha256:layer"}}
		return nil
	}
	res, store, err := importFile(t, f, b, "moved")
	if err != nil {
		t.Fatal(err)
	}
	if !res.Loaded || string(f.Loaded[0]) != "image stream" || f.Containers["moved"].ImageID != "sha256:other" {
		t.Fatalf("result %+v, loaded %q", res, f.Loaded)
	}
	b, _ = os.ReadFile(filepath.Join(store, "moved", "fixture", "container.json"))
	if !strings.Contains(string(b), `"image_id": "sha256:other"`) {
		t.Errorf("the imported record keeps another engine's image ID:\n%s", b)
	}
}

func TestImportFailureLeavesNothing(t *testing.T) {
	f, _, _ := fixture(t)
	f.StartFunc = func(*engine.Container, string) error { return errors.New("criu failed") }
	_, store, err := importFile(t, f, exported(t, false), "moved")
	if !errors.Is(err, ErrRestoreFailed) {
		t.Fatalf("got %v, want ErrRestoreFailed", err)
	}
	if _, ok := f.Containers["moved"]; ok {
		t.Error("the failed import left its container")
	}
	for _, p := range storeHolds(t, store) {
		if p != "moved" { // the container's folder of the store, empty
			t.Errorf("left behind: %s", p)
		}
	}
}

func TestImportNameTaken(t *testing.T) {
	f, _, _ := fixture(t)
	_, store, err := importFile(t, f, exported(t, false), container)
	if !errors.Is(err, ErrNameTaken) {
		t.Fatalf("got %v, want ErrNameTaken", err)
	}
	if held := storeHolds(t, store); len(held) != 0 {
		t.Fatalf("left behind: %v", held)
	}
}

func TestRuntimeHere(t *testing.T) {
	f, _, _ := fixture(t)
	cases := []struct {
		has      []string
		recorded string
		want     string
		fails    bool
	}{
		{[]string{"io.containerd.runc.v2", "runc"}, "runc", "", false},
		{[]string{"runc"}, "runc-1.3", "runc", false},
		{nil, "runc-1.3", "", false},
		{[]string{"crun"}, "runc-1.3", "", true},
	}
	for _, c := range cases {
		f.EngineInfo.Runtimes = c.has
		got, err := runtimeHere(context.Background(), f, c.recorded)
		if got != c.want || (err != nil) != c.fails {
			t.Errorf("runtimeHere(%v, %q) = %q, %v; want %q, fails %v", c.has, c.recorded, got, err, c.want, c.fails)
		}
	}
}

// With progress asked for, an import from a file shows its check and its
// extraction against the archive's size, then the restore's phases.
func TestImportProgress(t *testing.T) {
	f, _, _ := fixture(t)
	b := exported(t, false)
	var lines bytes.Buffer
	r := archiveRequest(t, b, "moved")
	r.Progress = progress.New(&lines, true)
	if _, err := Import(context.Background(), f, r); err != nil {
		t.Fatal(err)
	}
	total := " / " + progress.Bytes(int64(len(b))) + "  0%"
	var phases []string
	for _, l := range strings.Split(strings.TrimSpace(lines.String()), "\n") {
		phases = append(phases, strings.SplitN(l, "  ", 2)[0])
		if (strings.HasPrefix(l, "checking") || strings.HasPrefix(l, "extracting")) && !strings.Contains(l, total) {
			t.Errorf("line %q: want the archive's %d bytes as the total", l, len(b))
		}
	}
	if len(phases) < 4 || phases[0] != "checking archive" || phases[1] != "extracting archive" ||
		phases[2] != "placing checkpoint fixture" || !strings.HasPrefix(phases[3], "restoring ") {
		t.Errorf("phases %q: want the check, the extraction, then the restore's", phases)
	}
}
