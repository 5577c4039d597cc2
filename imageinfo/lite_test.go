package imageinfo

import (
	"os"
	"path/filepath"
	"testing"
)

// TestLiteReaders wants the wire-walking readers of the summaries to agree
// with the full decode on every process of every fixture.
func TestLiteReaders(t *testing.T) {
	for _, fx := range fixtures {
		t.Run(fx, func(t *testing.T) {
			c, err := openCheckpoint(filepath.Join("testdata", fx))
			if err != nil {
				t.Fatal(err)
			}
			tree, err := c.pstree()
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range tree {
				pid := p.GetPid()
				core, err := c.core(pid)
				if err != nil {
					t.Fatal(err)
				}
				if comm, err := c.comm(pid); err != nil || comm != core.GetTc().GetComm() {
					t.Errorf("pid %d: comm %q, %v; want %q", pid, comm, err, core.GetTc().GetComm())
				}
				m, err := c.mm(pid)
				if err != nil {
					t.Fatal(err)
				}
				var mapped uint64
				for _, v := range m.GetVmas() {
					if v.GetEnd() > v.GetStart() {
						mapped += v.GetEnd() - v.GetStart()
					}
				}
				if n, got, err := c.mmSize(pid); err != nil || n != len(m.GetVmas()) || got != mapped {
					t.Errorf("pid %d: mmSize %d, %d, %v; want %d, %d", pid, n, got, err, len(m.GetVmas()), mapped)
				}
				pm, err := c.pagemap(pid)
				if err != nil {
					t.Fatal(err)
				}
				var dumped, parent uint64
				for _, e := range pm {
					switch n := nrPages(e); {
					case e.GetInParent() || e.GetFlags()&pageInParent != 0:
						parent += n
					case e.GetFlags()&pagePresent != 0 || e.Flags == nil:
						dumped += n
					}
				}
				if d, p, err := c.pageCounts(pid); err != nil || d != dumped || p != parent {
					t.Errorf("pid %d: pageCounts %d, %d, %v; want %d, %d", pid, d, p, err, dumped, parent)
				}
				if dumped == 0 {
					t.Errorf("pid %d: no pages dumped", pid)
				}
			}
		})
	}
}

// TestLiteFallback wants the readers to give DecodeFile's error for a bad
// image, and no error where the full decode has none.
func TestLiteFallback(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"inventory.img", "pstree.img"} {
		b, err := os.ReadFile(filepath.Join("testdata", "tree", name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	m := magicMap()
	bad := map[string][]byte{
		"core-1.img":    append(le32(uint32(m.ByName["IMG_COMMON"]), uint32(m.ByName["CORE"]), 4), 0xff, 0xff, 0xff, 0xff),
		"mm-1.img":      le32(uint32(m.ByName["IMG_COMMON"]), uint32(m.ByName["PSTREE"])),
		"pagemap-1.img": append(le32(uint32(m.ByName["IMG_COMMON"]), uint32(m.ByName["PAGEMAP"]), 9), 1, 2),
	}
	for name, b := range bad {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	c, err := openCheckpoint(dir)
	if err != nil {
		t.Fatal(err)
	}
	_, want := c.core(1)
	if _, err := c.comm(1); err == nil || err.Error() != want.Error() {
		t.Errorf("comm: %v, want %v", err, want)
	}
	_, want = c.mm(1)
	if _, _, err := c.mmSize(1); err == nil || err.Error() != want.Error() {
		t.Errorf("mmSize: %v, want %v", err, want)
	}
	_, want = c.pagemap(1)
	if _, _, err := c.pageCounts(1); err == nil || err.Error() != want.Error() {
		t.Errorf("pageCounts: %v, want %v", err, want)
	}
	if _, err := c.comm(2); err == nil {
		t.Error("comm of a missing core image: no error")
	}
}
