package archive

import (
	"archive/tar"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/ckpt/ckpt/engine"
	"github.com/ckpt/ckpt/engine/enginetest"
	"github.com/ckpt/ckpt/progress"
	"github.com/ckpt/ckpt/store"
)

// folder makes a checkpoint folder as ckpt dump leaves it.
func folder(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range map[string]string{
		"inventory.img": "inv", "pstree.img": "ps", "pages-1.img": "pages", "stats-dump": "st",
		"dump.log": "log", "descriptors.json": "[]", "restore.log": "old",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	eng, _ := json.Marshal(map[string]any{"Id": "abc", "Created": "2026-01-02T03:04:05Z", "Config": map[string]any{"Image": "img"}, "HostConfig": map[string]any{}})
	m := &store.Meta{ID: "abc", Name: "app", Checkpoint: "c1", Image: "img", ImageID: "sha256:1", Runtime: "runc", Engine: eng}
	if err := store.WriteMeta(dir, m); err != nil {
		t.Fatal(err)
	}
	return dir
}

func fakeEngine() *enginetest.Fake {
	f := &enginetest.Fake{
		Containers: map[string]*engine.Container{"app": {ID: "abc", Name: "app", Volumes: []engine.Volume{{Name: "data", Destination: "/data"}}}},
		Images:     map[string]*engine.Image{"img": {ID: "sha256:1"}},
	}
	f.Files = map[string]map[string]string{"app": {
		"/etc/": "", "/etc/new": "new file", "/data/": "", "/data/log": "0\n1\n", "/data/sub/": "", "/data/sub/x": "x",
	}}
	f.Diffs = map[string][]engine.Change{"app": {
		{Path: "/etc", Kind: engine.Modified}, {Path: "/etc/new", Kind: engine.Added},
		{Path: "/etc/motd", Kind: engine.Deleted}, {Path: "/tmp/gone-meanwhile", Kind: engine.Added},
	}}
	f.Saved = map[string][]byte{"img": []byte("docker save stream")}
	return f
}

func TestExportRoundTrip(t *testing.T) {
	for _, comp := range []Compression{Zstd, Gzip, None} {
		t.Run(string(comp), func(t *testing.T) {
			dir := folder(t)
			eng := fakeEngine()
			var buf bytes.Buffer
			res, err := Export(context.Background(), eng, &buf, ExportOptions{Folder: dir, Compression: comp, WithVolumes: true, WithImage: true})
			if err != nil {
				t.Fatal(err)
			}
			if res.Changed != 2 || res.Deleted != 1 || len(res.Volumes) != 1 || res.Image != "img" || res.Bytes != int64(buf.Len()) {
				t.Fatalf("result %+v (archive %d bytes)", res, buf.Len())
			}
			m, err := Check(bytes.NewReader(buf.Bytes()))
			if err != nil {
				t.Fatal(err)
			}
			if m.Compression != comp || m.Meta.Name != "app" || !m.Image || !m.RootfsDiff {
				t.Fatalf("manifest %+v", m)
			}
			out := t.TempDir()
			tg := Target{Folder: filepath.Join(out, "f"), Extras: filepath.Join(out, "x")}
			os.Mkdir(tg.Folder, 0o700)
			os.Mkdir(tg.Extras, 0o700)
			if _, err := Extract(bytes.NewReader(buf.Bytes()), tg); err != nil {
				t.Fatal(err)
			}
			want := map[string]string{
				"f/inventory.img": "inv", "f/pages-1.img": "pages", "f/dump.log": "log", "f/stats-dump": "st",
				"f/descriptors.json": "[]", "x/deleted.files": `["/etc/motd"]`, "x/image.tar": "docker save stream",
			}
			for p, body := range want {
				if b, err := os.ReadFile(filepath.Join(out, p)); err != nil || string(b) != body {
					t.Errorf("%s: %q, %v; want %q", p, b, err, body)
				}
			}
			if _, err := os.Stat(filepath.Join(out, "f/restore.log")); err == nil {
				t.Error("restore.log of an earlier restore was exported")
			}
			if got := tarNames(t, filepath.Join(out, "x", RootfsDiffTar)); got != "etc/ etc/new=new file " {
				t.Errorf("rootfs-diff.tar: %q", got)
			}
			if got := tarNames(t, filepath.Join(out, "x", "volumes", "data.tar")); got != "log=0\n1\n sub/ sub/x=x " {
				t.Errorf("volume tar: %q", got)
			}
		})
	}
}

// tarNames lists a tar's entries as "name[=content] ".
func tarNames(t *testing.T, p string) string {
	t.Helper()
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tr := tar.NewReader(f)
	var s string
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return s
		}
		if err != nil {
			t.Fatal(err)
		}
		s += h.Name
		if h.Typeflag == tar.TypeReg {
			b, _ := io.ReadAll(tr)
			s += "=" + string(b)
		}
		s += " "
	}
}

func TestExportContainerGone(t *testing.T) {
	dir := folder(t)
	eng := &enginetest.Fake{}
	_, err := Export(context.Background(), eng, io.Discard, ExportOptions{Folder: dir})
	if !errors.Is(err, engine.ErrNotFound) {
		t.Fatalf("got %v, want ErrNotFound with advice", err)
	}
	if _, err := Export(context.Background(), eng, io.Discard, ExportOptions{Folder: dir, IgnoreRootfs: true}); err != nil {
		t.Fatalf("--ignore-rootfs: %v", err)
	}
}

func TestOutput(t *testing.T) {
	p := filepath.Join(t.TempDir(), "a.tar")
	o, err := Create(p, nil, false)
	if err != nil {
		t.Fatal(err)
	}
	o.Write([]byte("one"))
	if _, err := os.Stat(p); err == nil {
		t.Fatal("the archive is visible before Commit")
	}
	if err := o.Commit(); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(p)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v, %v; want 0600", st.Mode(), err)
	}
	if _, err := Create(p, nil, false); !errors.Is(err, ErrExists) {
		t.Fatalf("second Create: %v, want ErrExists", err)
	}
	o, err = Create(p, nil, true)
	if err != nil {
		t.Fatal(err)
	}
	o.Write([]byte("two"))
	o.Abort()
	if b, _ := os.ReadFile(p); string(b) != "one" {
		t.Fatalf("an aborted export changed the file: %q", b)
	}
	entries, _ := os.ReadDir(filepath.Dir(p))
	if len(entries) != 1 {
		t.Fatalf("left behind: %v", entries)
	}
}

func TestParseCompression(t *testing.T) {
	if _, err := ParseCompression("lz4"); err == nil {
		t.Fatal("lz4 accepted")
	}
	if c, err := ParseCompression("gzip"); err != nil || c != Gzip {
		t.Fatal(c, err)
	}
}

// An export with --progress off a terminal writes one line per part, the
// checkpoint's against its size on disk.
func TestExportProgressPhases(t *testing.T) {
	dir := folder(t)
	size, err := store.DirSize(dir)
	if err != nil {
		t.Fatal(err)
	}
	var lines bytes.Buffer
	o := ExportOptions{Folder: dir, WithVolumes: true, WithImage: true, Progress: progress.New(&lines, true)}
	if _, err := Export(context.Background(), fakeEngine(), io.Discard, o); err != nil {
		t.Fatal(err)
	}
	var phases []string
	for _, l := range strings.Split(strings.TrimSpace(lines.String()), "\n") {
		phases = append(phases, strings.SplitN(l, "  ", 2)[0])
	}
	want := []string{"exporting checkpoint c1", "exporting filesystem changes", "exporting volumes", "exporting image img"}
	if !slices.Equal(phases, want) {
		t.Errorf("phases %q, want %q (lines %q)", phases, want, lines.String())
	}
	if first := strings.SplitN(lines.String(), "\n", 2)[0]; !strings.Contains(first, " / "+progress.Bytes(size)+"  0%") {
		t.Errorf("first line %q: want the checkpoint's %s as the total", first, progress.Bytes(size))
	}
}
