package store

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/ckpt/ckpt/criucmd"
)

// mkCheckpoint writes a checkpoint folder with the files a restore needs,
// a real pstree.img and a container.json created at the given time.
func mkCheckpoint(t *testing.T, dir, container, name string, created time.Time, leaveRunning bool) string {
	t.Helper()
	p := filepath.Join(dir, container, name)
	if err := os.MkdirAll(p, 0o700); err != nil {
		t.Fatal(err)
	}
	pstree, err := os.ReadFile("testdata/pstree-forker.img")
	if err != nil {
		t.Fatal(err)
	}
	for f, b := range map[string][]byte{"inventory.img": []byte("x"), "pstree.img": pstree} {
		if err := os.WriteFile(filepath.Join(p, f), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := WriteMeta(p, &Meta{Checkpoint: name, Name: container, Timestamp: created, DumpFlags: criucmd.DumpFlags{LeaveRunning: leaveRunning}, ImageID: "sha256:abc"}); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestListSkipsWhatIsNotACheckpoint(t *testing.T) {
	dir := t.TempDir()
	t0 := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	mkCheckpoint(t, dir, "web", "new", t0.Add(time.Hour), true)
	mkCheckpoint(t, dir, "web", "old", t0, false)
	mkCheckpoint(t, dir, "db", "only", t0, true)
	// A partial dump, a folder without container.json, one without
	// pstree.img, one with a broken container.json, and stray files.
	mkCheckpoint(t, dir, "web", ".new.partial-123", t0.Add(2*time.Hour), true)
	os.MkdirAll(filepath.Join(dir, "web", "foreign"), 0o700)
	os.WriteFile(filepath.Join(dir, "web", "foreign", "inventory.img"), nil, 0o600)
	nopstree := mkCheckpoint(t, dir, "web", "nopstree", t0.Add(3*time.Hour), true)
	os.Remove(filepath.Join(nopstree, "pstree.img"))
	broken := mkCheckpoint(t, dir, "web", "broken", t0.Add(4*time.Hour), true)
	os.WriteFile(filepath.Join(broken, MetaFile), []byte("{"), 0o600)
	os.WriteFile(filepath.Join(dir, "web", ".new.failed-dump.log"), []byte("x"), 0o600)
	os.WriteFile(filepath.Join(dir, "stray"), []byte("x"), 0o600)
	os.MkdirAll(filepath.Join(dir, ".hidden", "x"), 0o700)

	s := Store{Dir: dir}
	all, err := s.List("")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range all {
		got = append(got, e.Container+"/"+e.Name)
	}
	want := []string{"db/only", "web/old", "web/new"}
	if len(got) != len(want) {
		t.Fatalf("List = %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("List = %v, want %v", got, want)
		}
	}
	old := all[1]
	if !old.Stopped || old.Processes != 4 || old.Size == 0 || !old.Created.Equal(t0) {
		t.Errorf("entry old = %+v; want stopped, 4 processes, a size, created %v", old, t0)
	}
	if all[2].Stopped {
		t.Errorf("entry new was dumped with leave-running but shows stopped")
	}

	web, err := s.List("web")
	if err != nil || len(web) != 2 {
		t.Fatalf("List(web) = %v, %v; want 2 entries", web, err)
	}
	if none, err := s.List("nosuch"); err != nil || len(none) != 0 {
		t.Errorf("List(nosuch) = %v, %v; want nothing, no error", none, err)
	}
	if none, err := (Store{Dir: filepath.Join(dir, "missing")}).List(""); err != nil || len(none) != 0 {
		t.Errorf("List of a missing store = %v, %v; want nothing, no error", none, err)
	}
	if _, err := s.List("../x"); !errors.Is(err, ErrBadName) {
		t.Errorf("List(../x) error = %v, want ErrBadName", err)
	}
}

func TestNewestAndGet(t *testing.T) {
	dir := t.TempDir()
	t0 := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	s := Store{Dir: dir}
	if _, err := s.Newest("web"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Newest of nothing: %v, want ErrNotFound", err)
	}
	mkCheckpoint(t, dir, "web", "b-middle", t0.Add(time.Minute), true)
	mkCheckpoint(t, dir, "web", "a-newest", t0.Add(time.Hour), true)
	mkCheckpoint(t, dir, "web", "c-oldest", t0, true)
	// Newer, but incomplete: must not be chosen.
	inc := mkCheckpoint(t, dir, "web", "d-incomplete", t0.Add(2*time.Hour), true)
	os.Remove(filepath.Join(inc, "inventory.img"))
	mkCheckpoint(t, dir, "web", ".e.partial-1", t0.Add(3*time.Hour), true)

	e, err := s.Newest("web")
	if err != nil || e.Name != "a-newest" {
		t.Fatalf("Newest = %q, %v; want a-newest", e.Name, err)
	}
	if e, err := s.Get("web", "c-oldest"); err != nil || e.Name != "c-oldest" {
		t.Errorf("Get(c-oldest) = %q, %v", e.Name, err)
	}
	if _, err := s.Get("web", "d-incomplete"); !errors.Is(err, ErrIncomplete) {
		t.Errorf("Get(d-incomplete) error = %v, want ErrIncomplete", err)
	}
	if _, err := s.Get("web", "nosuch"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Get(nosuch) error = %v, want ErrNotFound", err)
	}
	if _, err := s.Get("web", ".e.partial-1"); !errors.Is(err, ErrBadName) {
		t.Errorf("Get(hidden) error = %v, want ErrBadName", err)
	}
}

func TestRemove(t *testing.T) {
	dir := t.TempDir()
	s := Store{Dir: dir}
	mkCheckpoint(t, dir, "web", "one", time.Now(), true)
	mkCheckpoint(t, dir, "web", "two", time.Now(), true)
	os.MkdirAll(filepath.Join(dir, "web", "foreign"), 0o700)

	if err := s.Remove("web", "one"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(s.Path("web", "one")); !os.IsNotExist(err) {
		t.Errorf("one still there: %v", err)
	}
	if err := s.Remove("web", "one"); !errors.Is(err, ErrNotFound) {
		t.Errorf("second Remove: %v, want ErrNotFound", err)
	}
	if err := s.Remove("web", "foreign"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Remove of a folder ckpt did not make: %v, want ErrNotFound", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "web", "foreign")); err != nil {
		t.Errorf("foreign folder was touched: %v", err)
	}
	if err := s.Remove("web", ".."); !errors.Is(err, ErrBadName) {
		t.Errorf("Remove(..) = %v, want ErrBadName", err)
	}
	des, _ := os.ReadDir(filepath.Join(dir, "web"))
	for _, de := range des {
		if de.Name() != "two" && de.Name() != "foreign" {
			t.Errorf("left behind: %s", de.Name())
		}
	}
}
