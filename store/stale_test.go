package store

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestStatStart(t *testing.T) {
	// A command name with spaces and parentheses, as /proc/PID/stat shows it.
	stat := "4242 (a (b) c) S 1 4242 4242 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 987654 1000 10 18446744073709551615"
	got, err := StatStart(stat)
	if err != nil || got != 987654 {
		t.Fatalf("StatStart = %d, %v; want 987654", got, err)
	}
	for _, bad := range []string{"", "4242 no parens", "1 (x) S 1 2"} {
		if _, err := StatStart(bad); err == nil {
			t.Errorf("StatStart(%q) did not fail", bad)
		}
	}
}

func TestParseOwner(t *testing.T) {
	o := Owner{PID: 17, Start: 99}
	got, err := ParseOwner(o.String())
	if err != nil || got != o {
		t.Fatalf("ParseOwner(%q) = %v, %v", o.String(), got, err)
	}
	for _, bad := range []string{"", "17", "x 99", "0 99", "-3 9", "17 y", "1 2 3"} {
		if _, err := ParseOwner(bad); err == nil {
			t.Errorf("ParseOwner(%q) did not fail", bad)
		}
	}
}

// TestSweep: a partial folder whose owner is gone (no such pid, or the pid
// now runs another process) is removed; one whose owner runs, one without
// an owner and a failed dump's log are left and reported.
func TestSweep(t *testing.T) {
	dir := t.TempDir()
	c := filepath.Join(dir, "web")
	mk := func(name, owner string) string {
		p := filepath.Join(c, name)
		if err := os.MkdirAll(p, 0o700); err != nil {
			t.Fatal(err)
		}
		if owner != "" {
			if err := os.WriteFile(filepath.Join(p, OwnerFile), []byte(owner), 0o600); err != nil {
				t.Fatal(err)
			}
		}
		os.WriteFile(filepath.Join(p, "pages-1.img"), make([]byte, 10), 0o600)
		return p
	}
	dead := mk(".a.partial-1", "100 5\n")
	reused := mk(".b.partial-2", "200 5\n")
	running := mk(".c.partial-3", "300 7\n")
	ownerless := mk(".d.partial-4", "")
	old := time.Now().Add(-time.Minute)
	os.Chtimes(ownerless, old, old)
	mk("done", "")
	os.WriteFile(filepath.Join(c, ".e.failed-dump.log"), []byte("log"), 0o600)
	start := func(pid int) (uint64, error) {
		switch pid {
		case 200:
			return 6, nil // pid reused by a later process
		case 300:
			return 7, nil
		}
		return 0, os.ErrNotExist
	}
	left, err := Store{Dir: dir}.sweep(start, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{dead, reused} {
		if _, err := os.Stat(p); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s of a gone owner is still there", p)
		}
	}
	var got []string
	for _, l := range left {
		got = append(got, filepath.Base(l.Path)+":"+l.Kind)
		switch l.Path {
		case running:
			if l.Owner != 300 || l.Problem != "" {
				t.Errorf("running partial: %+v", l)
			}
		case ownerless:
			if !strings.Contains(l.Problem, "no owner recorded") {
				t.Errorf("ownerless partial: %+v", l)
			}
		}
	}
	if want := ".c.partial-3:partial .d.partial-4:partial .e.failed-dump.log:failed-log"; strings.Join(got, " ") != want {
		t.Errorf("left %q, want %q", strings.Join(got, " "), want)
	}
	if _, err := os.Stat(filepath.Join(c, "done")); err != nil {
		t.Errorf("sweep touched a checkpoint: %v", err)
	}
}

// TestSweepHeals: a gone owner's partial folder that records a freeze is
// handed to the healer and removed once healed; kept, with why, when the
// healer fails or there is none; a running owner's is not healed.
func TestSweepHeals(t *testing.T) {
	dir := t.TempDir()
	mk := func(name, owner string, f Freeze) string {
		p := filepath.Join(dir, "web", name)
		if err := os.MkdirAll(p, 0o700); err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(p, OwnerFile), []byte(owner), 0o600)
		if err := (&Pending{Dir: p}).RecordFreeze(f); err != nil {
			t.Fatal(err)
		}
		return p
	}
	healed := mk(".a.partial-1", "100 5\n", Freeze{Cgroup: "/cg/a", Container: "ida"})
	failing := mk(".b.partial-2", "101 5\n", Freeze{Cgroup: "/cg/b", Container: "idb"})
	running := mk(".c.partial-3", "300 7\n", Freeze{Cgroup: "/cg/c", Container: "idc"})
	start := func(pid int) (uint64, error) {
		if pid == 300 {
			return 7, nil
		}
		return 0, os.ErrNotExist
	}
	var asked []Freeze
	heal := func(f Freeze) error {
		asked = append(asked, f)
		if f.Cgroup == "/cg/b" {
			return errors.New("engine does not answer")
		}
		return nil
	}
	left, err := Store{Dir: dir}.sweep(start, heal)
	if err != nil {
		t.Fatal(err)
	}
	if len(asked) != 2 || asked[0].Container != "ida" || asked[1].Cgroup != "/cg/b" {
		t.Errorf("healer asked for %+v; want /cg/a then /cg/b", asked)
	}
	if _, err := os.Stat(healed); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("healed partial %s is still there", healed)
	}
	problems := map[string]string{}
	for _, l := range left {
		problems[l.Path] = l.Problem
	}
	if p, ok := problems[failing]; !ok || !strings.Contains(p, "/cg/b was frozen, and it could not be thawed: engine does not answer") {
		t.Errorf("failed heal: kept %v, problem %q", ok, p)
	}
	if p, ok := problems[running]; !ok || p != "" {
		t.Errorf("running dump: kept %v, problem %q", ok, p)
	}

	// Without a healer the record stays, and says what to do.
	left, err = Store{Dir: dir}.sweep(start, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range left {
		if l.Path == failing && !strings.Contains(l.Problem, "run `ckpt list` to thaw it") {
			t.Errorf("no healer: problem %q", l.Problem)
		}
	}
	p := &Pending{Dir: failing}
	if err := p.ClearFreeze(); err != nil {
		t.Fatal(err)
	}
	if err := p.ClearFreeze(); err != nil {
		t.Errorf("second ClearFreeze: %v", err)
	}
	if _, err := (Store{Dir: dir}).sweep(start, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(failing); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("partial whose freeze was cleared is still there")
	}
}

func TestSweepMissingStore(t *testing.T) {
	left, err := Store{Dir: filepath.Join(t.TempDir(), "none")}.Sweep(nil)
	if err != nil || left != nil {
		t.Fatalf("Sweep of a missing store = %v, %v", left, err)
	}
}

// TestBeginRecordsOwner: the partial folder names this process, Sweep
// leaves it while it runs, and Commit does not keep the record.
func TestBeginRecordsOwner(t *testing.T) {
	st := Store{Dir: t.TempDir()}
	p, err := st.Begin("web", "c1", false)
	if err != nil {
		t.Fatal(err)
	}
	o, err := readOwner(p.Dir)
	if err != nil || o.PID != os.Getpid() {
		t.Fatalf("owner %v, %v; want pid %d", o, err, os.Getpid())
	}
	left, err := st.Sweep(nil)
	if err != nil || len(left) != 1 || left[0].Owner != os.Getpid() {
		t.Fatalf("Sweep during the dump: %+v, %v", left, err)
	}
	if err := p.Commit(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(p.Final(), OwnerFile)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("committed checkpoint keeps %s: %v", OwnerFile, err)
	}
}

func TestLockDump(t *testing.T) {
	st := Store{Dir: filepath.Join(t.TempDir(), "s")}
	unlock, err := st.LockDump("web")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.LockDump("web"); !errors.Is(err, ErrBusy) || !strings.Contains(err.Error(), "a dump of web is in progress") {
		t.Fatalf("second lock: %v; want ErrBusy", err)
	}
	other, err := st.LockDump("db")
	if err != nil {
		t.Fatalf("a dump of another container: %v", err)
	}
	other()
	unlock()
	again, err := st.LockDump("web")
	if err != nil {
		t.Fatalf("lock after unlock: %v", err)
	}
	again()
	if _, err := st.LockDump("../x"); !errors.Is(err, ErrBadName) {
		t.Errorf("lock of a bad name: %v", err)
	}
}
