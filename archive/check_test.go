package archive

import (
	"archive/tar"
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// entry is one member of a tar a test builds.
type entry struct {
	name, body, link string
	typ              byte
	size             int64 // header size when not len(body)
}

func reg(name, body string) entry { return entry{name: name, body: body, typ: tar.TypeReg, size: -1} }

// build writes the entries as a plain tar. A size other than -1 is put in
// the header while body is written whole, to make members that are
// longer or shorter than their headers say.
func build(t *testing.T, es ...entry) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, e := range es {
		size := int64(len(e.body))
		if e.size >= 0 && e.typ == tar.TypeReg {
			size = e.size
		}
		if e.typ != tar.TypeReg {
			size = 0
		}
		h := &tar.Header{Name: e.name, Typeflag: e.typ, Size: size, Mode: 0o600, Linkname: e.link}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if e.typ == tar.TypeReg {
			b := []byte(e.body)
			if int64(len(b)) > size {
				// archive/tar refuses to write past the header: write the
				// surplus raw after the padded member instead.
				tw.Write(b[:size])
				tw.Flush()
				buf.Write(b[size:])
				continue
			}
			if _, err := tw.Write(b); err != nil {
				t.Fatal(err)
			}
		}
	}
	tw.Close()
	return buf.Bytes()
}

const metaJSON = `{"id":"abc","name":"app","checkpoint":"c1"}`

// base is a minimal archive ckpt restores from.
func base(extra ...entry) []entry {
	return append([]entry{
		reg(MetaFile, metaJSON),
		{name: "checkpoint/", typ: tar.TypeDir},
		reg("checkpoint/inventory.img", "inv"),
		reg("checkpoint/pstree.img", "ps"),
	}, extra...)
}

func TestCheckAccepts(t *testing.T) {
	rootfs := build(t, entry{name: "etc/", typ: tar.TypeDir}, reg("etc/x", "1"),
		entry{name: "etc/link", typ: tar.TypeSymlink, link: "/usr/bin/busybox"},
		entry{name: "etc/rel", typ: tar.TypeSymlink, link: "../usr/x"},
		entry{name: "etc/hard", typ: tar.TypeLink, link: "etc/x"})
	b := build(t, base(reg(RootfsDiffTar, string(rootfs)), reg(DeletedFilesFile, `["/etc/motd"]`),
		reg(VolumeMember("data"), string(build(t, reg("log", "0\n")))), reg(ConfigDumpFile, "{}"))...)
	m, err := Check(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if m.Meta.Name != "app" || !m.RootfsDiff || len(m.Volumes) != 1 || m.Volumes[0] != "data" || m.Deleted[0] != "/etc/motd" || m.Compression != None {
		t.Fatalf("manifest %+v", m)
	}
}

func TestCheckRejects(t *testing.T) {
	nested := func(es ...entry) entry { return reg(RootfsDiffTar, string(build(t, es...))) }
	cases := []struct {
		name string
		es   []entry
		want string
	}{
		{"absolute path", base(reg("/etc/passwd", "x")), "absolute path"},
		{"dot-dot", base(reg("checkpoint/../../x", "x")), "'..' element"},
		{"dot-dot at the start", base(reg("../x", "x")), "'..' element"},
		{"symlink outside", base(entry{name: "checkpoint/l", typ: tar.TypeSymlink, link: "../../etc"}), "outside the archive"},
		{"absolute symlink", base(entry{name: "checkpoint/l", typ: tar.TypeSymlink, link: "/etc/passwd"}), "outside the archive"},
		{"hard link", base(entry{name: "checkpoint/h", typ: tar.TypeLink, link: "/etc/shadow"}), "outside the archive"},
		{"device", base(entry{name: "checkpoint/sda", typ: tar.TypeBlock}), "device"},
		{"char device", base(entry{name: "x", typ: tar.TypeChar}), "device"},
		{"duplicate", base(reg("checkpoint/pstree.img", "again")), "appears twice"},
		{"longer than its header", base(entry{name: "checkpoint/pages-1.img", body: strings.Repeat("A", 4096), typ: tar.TypeReg, size: 10}), "not a readable tar"},
		{"no container.json", base()[1:], "no container.json"},
		{"no pstree", base()[:3], "no checkpoint/pstree.img"},
		{"bad container.json", append([]entry{reg(MetaFile, `{"name":"../x"}`)}, base()[1:]...), "container.json"},
		{"bad deleted.files", base(reg(DeletedFilesFile, `["/etc/../../x"]`)), "'..' element"},
		{"record too big", base(entry{name: DeletedFilesFile, typ: tar.TypeReg, size: maxRecord + 1, body: ""}), "more than a record"},
		{"rootfs absolute", base(nested(reg("/etc/x", "1"))), "absolute path"},
		{"rootfs dot-dot", base(nested(reg("etc/../../x", "1"))), "'..' element"},
		{"rootfs symlink escape", base(nested(entry{name: "etc/l", typ: tar.TypeSymlink, link: "../../../x"})), "outside the root"},
		{"rootfs hard link escape", base(nested(entry{name: "etc/h", typ: tar.TypeLink, link: "../../etc/shadow"})), "hard link"},
		{"rootfs hard link to nothing", base(nested(entry{name: "etc/h", typ: tar.TypeLink, link: "etc/shadow"})), "not an earlier entry"},
		{"rootfs device", base(nested(entry{name: "dev/kmem", typ: tar.TypeChar})), "device node"},
		{"rootfs duplicate", base(nested(reg("a", "1"), reg("a", "2"))), "appears twice"},
		{"volume escape", base(reg(VolumeMember("vol"), string(build(t, reg("../../x", "1"))))), "'..' element"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b := build(t, c.es...)
			_, err := Check(bytes.NewReader(b))
			if !errors.Is(err, ErrRejected) || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("Check: %v, want ErrRejected with %q", err, c.want)
			}
			dir := t.TempDir()
			tg := Target{Folder: filepath.Join(dir, "f"), Extras: filepath.Join(dir, "x")}
			os.Mkdir(tg.Folder, 0o700)
			os.Mkdir(tg.Extras, 0o700)
			if _, err := Extract(bytes.NewReader(b), tg); !errors.Is(err, ErrRejected) {
				t.Fatalf("Extract: %v, want ErrRejected", err)
			}
		})
	}
}

func TestCheckNotATar(t *testing.T) {
	for name, b := range map[string][]byte{
		"text":      []byte("hello, this is no archive at all, just some text that goes on"),
		"truncated": build(t, base()...)[:700],
		"empty":     nil,
	} {
		if _, err := Check(bytes.NewReader(b)); !errors.Is(err, ErrRejected) {
			t.Errorf("%s: %v, want ErrRejected", name, err)
		}
	}
}

func TestCleanName(t *testing.T) {
	for in, want := range map[string]string{"./checkpoint/": "checkpoint", "a//b": "a/b", "config.dump": "config.dump"} {
		if got, err := CleanName(in); err != nil || got != want {
			t.Errorf("CleanName(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"", ".", "/", "/a", "a/../b", "..", "a\x00b"} {
		if _, err := CleanName(bad); err == nil {
			t.Errorf("CleanName(%q) accepted", bad)
		}
	}
}

func TestClassify(t *testing.T) {
	cases := map[string]Kind{
		MetaFile: KindMeta, "checkpoint/pages-1.img": KindCheckpoint, "volumes/data.tar": KindVolume,
		"volumes/.x.tar": KindIgnored, "volumes/data": KindIgnored, RootfsDiffTar: KindRootfsDiff,
		DeletedFilesFile: KindDeleted, ConfigDumpFile: KindPodmanConfig, ImageTar: KindImage, DumpLogFile: KindDumpLog,
	}
	for name, want := range cases {
		if got, _ := Classify(name); got != want {
			t.Errorf("Classify(%q) = %v, want %v", name, got, want)
		}
	}
	if n, ok := FolderName("pages-1.img"); !ok || n != "checkpoint/pages-1.img" {
		t.Errorf("FolderName(pages-1.img) = %q", n)
	}
	if _, ok := FolderName("restore.log"); ok {
		t.Error("restore.log goes into the archive")
	}
}

// A compression bomb: 64 MiB of zeros that zstd packs into a few KiB.
// Extract refuses the member from its header, before writing any of it.
func TestExtractRefusesWhatHasNoRoom(t *testing.T) {
	var tarred bytes.Buffer
	tw := tar.NewWriter(&tarred)
	for _, e := range base() {
		h := &tar.Header{Name: e.name, Typeflag: e.typ, Size: int64(len(e.body)), Mode: 0o600}
		if e.typ != tar.TypeReg {
			h.Size = 0
		}
		tw.WriteHeader(h)
		tw.Write([]byte(e.body))
	}
	const big = 64 << 20
	tw.WriteHeader(&tar.Header{Name: "checkpoint/pages-1.img", Typeflag: tar.TypeReg, Size: big, Mode: 0o600})
	tw.Write(make([]byte, big))
	tw.Close()
	var packed bytes.Buffer
	zw, err := compressor(&packed, Zstd)
	if err != nil {
		t.Fatal(err)
	}
	zw.Write(tarred.Bytes())
	zw.Close()
	if packed.Len() > 1<<20 {
		t.Fatalf("the bomb is %d bytes packed: not a bomb", packed.Len())
	}

	dir := t.TempDir()
	tg := Target{Folder: filepath.Join(dir, "f"), Extras: filepath.Join(dir, "x"), Limit: 1 << 20}
	os.Mkdir(tg.Folder, 0o700)
	os.Mkdir(tg.Extras, 0o700)
	_, err = Extract(bytes.NewReader(packed.Bytes()), tg)
	if !errors.Is(err, ErrNoRoom) || !strings.Contains(err.Error(), "member checkpoint/pages-1.img is 64.0 MiB") {
		t.Fatalf("Extract: %v, want ErrNoRoom naming the member", err)
	}
	if _, err := os.Stat(filepath.Join(tg.Folder, "pages-1.img")); !os.IsNotExist(err) {
		t.Fatalf("the refused member was written: %v", err)
	}
	// With room, the same archive extracts.
	dir = t.TempDir()
	tg = Target{Folder: filepath.Join(dir, "f"), Extras: filepath.Join(dir, "x"), Limit: 2 * big}
	os.Mkdir(tg.Folder, 0o700)
	os.Mkdir(tg.Extras, 0o700)
	if _, err := Extract(bytes.NewReader(packed.Bytes()), tg); err != nil {
		t.Fatalf("Extract with room: %v", err)
	}
}
