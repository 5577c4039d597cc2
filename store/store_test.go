package store

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fill writes a fake CRIU dump into a pending folder.
func fill(t *testing.T, dir, content string) {
	t.Helper()
	for _, f := range []string{"inventory.img", "pstree.img", "dump.log", MetaFile} {
		if err := os.WriteFile(filepath.Join(dir, f), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestBeginCommit(t *testing.T) {
	s := Store{Dir: t.TempDir()}
	p, err := s.Begin("web", "first", false)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(filepath.Base(p.Dir), ".first.partial-") {
		t.Errorf("partial folder %s is not hidden beside its final place", p.Dir)
	}
	if _, err := os.Stat(p.Final()); !os.IsNotExist(err) {
		t.Fatalf("final folder exists before commit: %v", err)
	}
	fill(t, p.Dir, "one")
	if err := p.Commit(); err != nil {
		t.Fatal(err)
	}
	final := s.Path("web", "first")
	if err := Complete(final); err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]os.FileMode{
		filepath.Join(s.Dir, "web"):           0o700,
		final:                                 0o700,
		filepath.Join(final, "inventory.img"): 0o600,
		filepath.Join(final, MetaFile):        0o600,
	} {
		st, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if got := st.Mode().Perm(); got != want {
			t.Errorf("%s: mode %o, want %o", path, got, want)
		}
	}

	// The same name again is refused, and nothing is left behind.
	if _, err := s.Begin("web", "first", false); !errors.Is(err, ErrExists) {
		t.Fatalf("second Begin = %v, want ErrExists", err)
	}
	// With force, the old one stays until the new one commits.
	p2, err := s.Begin("web", "first", true)
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(filepath.Join(final, "pstree.img")); string(b) != "one" {
		t.Fatalf("old checkpoint touched before commit: %q", b)
	}
	fill(t, p2.Dir, "two")
	if err := p2.Commit(); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(filepath.Join(final, "pstree.img")); string(b) != "two" {
		t.Fatalf("forced commit did not replace: %q", b)
	}
	entries, _ := os.ReadDir(filepath.Join(s.Dir, "web"))
	if len(entries) != 1 || entries[0].Name() != "first" {
		t.Errorf("left behind: %v", entries)
	}
}

func TestAbortKeepsOnlyTheLog(t *testing.T) {
	s := Store{Dir: t.TempDir()}
	p, err := s.Begin("web", "bad", false)
	if err != nil {
		t.Fatal(err)
	}
	fill(t, p.Dir, "partial")
	kept := p.Abort()
	if want := filepath.Join(s.Dir, "web", ".bad.failed-dump.log"); kept != want {
		t.Errorf("kept log %q, want %q", kept, want)
	}
	if _, err := os.Stat(p.Dir); !os.IsNotExist(err) {
		t.Errorf("partial folder still there: %v", err)
	}
	if _, err := os.Stat(s.Path("web", "bad")); !os.IsNotExist(err) {
		t.Errorf("an aborted dump looks like a checkpoint: %v", err)
	}
}

func TestBeginRefusesBadNames(t *testing.T) {
	s := Store{Dir: t.TempDir()}
	for _, tc := range [][2]string{{"web", ".."}, {"web", "a/b"}, {"web", ""}, {"..", "x"}} {
		if _, err := s.Begin(tc[0], tc[1], false); !errors.Is(err, ErrBadName) {
			t.Errorf("Begin(%q, %q) = %v, want ErrBadName", tc[0], tc[1], err)
		}
	}
	if entries, _ := os.ReadDir(s.Dir); len(entries) != 0 {
		t.Errorf("bad names created %v", entries)
	}
}

func TestComplete(t *testing.T) {
	dir := t.TempDir()
	if err := Complete(dir); !errors.Is(err, ErrIncomplete) || !strings.Contains(err.Error(), "inventory.img") {
		t.Errorf("Complete(empty) = %v", err)
	}
	fill(t, dir, "x")
	os.Remove(filepath.Join(dir, MetaFile))
	if err := Complete(dir); !errors.Is(err, ErrIncomplete) || !strings.Contains(err.Error(), MetaFile) {
		t.Errorf("Complete(no meta) = %v", err)
	}
}

// A checkpoint that a restore reads cannot be removed or replaced; once
// the reader is done it can.
func TestReadLockHoldsOffRemoveAndReplace(t *testing.T) {
	s := Store{Dir: t.TempDir()}
	p, err := s.Begin("web", "c1", false)
	if err != nil {
		t.Fatal(err)
	}
	fill(t, p.Dir, "{}")
	if err := p.Commit(); err != nil {
		t.Fatal(err)
	}
	unlock, err := ReadLock(s.Path("web", "c1"))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Remove("web", "c1"); !errors.Is(err, ErrBusy) {
		t.Errorf("Remove while read = %v, want ErrBusy", err)
	}
	p2, err := s.Begin("web", "c1", true)
	if err != nil {
		t.Fatal(err)
	}
	fill(t, p2.Dir, "{}")
	if err := p2.Commit(); !errors.Is(err, ErrBusy) {
		t.Errorf("Commit --force while read = %v, want ErrBusy", err)
	}
	p2.Abort()
	unlock()
	if err := s.Remove("web", "c1"); err != nil {
		t.Errorf("Remove after the read: %v", err)
	}
	if _, err := ReadLock(s.Path("web", "c1")); err == nil {
		t.Error("ReadLock of a removed checkpoint succeeded")
	}
}
