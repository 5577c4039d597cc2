package preflight

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The status files in testdata are real: root-no-sys-resource.status is
// /proc/self/status of root on the VM these tests were written on, whose
// root lacks CAP_SYS_RESOURCE (CapEff 000001fffeffffff: bit 24 clear);
// user-1000.status is `cat /proc/self/status` in a `docker run --user
// 1000:1000` container.
func readStatus(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// ordinaryRoot is root with every capability, as on an ordinary host.
func ordinaryRoot(t *testing.T) string {
	return strings.Replace(readStatus(t, "root-no-sys-resource.status"), "CapEff:\t000001fffeffffff", "CapEff:\t000001ffffffffff", 1)
}

func TestParseStatus(t *testing.T) {
	for _, tc := range []struct {
		name     string
		status   string
		uid, gid [3]int
		sysRes   bool
		capAdmin bool
	}{
		{"root without CAP_SYS_RESOURCE", readStatus(t, "root-no-sys-resource.status"), [3]int{0, 0, 0}, [3]int{0, 0, 0}, false, true},
		{"root on an ordinary host", ordinaryRoot(t), [3]int{0, 0, 0}, [3]int{0, 0, 0}, true, true},
		{"docker run --user 1000:1000", readStatus(t, "user-1000.status"), [3]int{1000, 1000, 1000}, [3]int{1000, 1000, 1000}, false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := ParseStatus(tc.status)
			if err != nil {
				t.Fatal(err)
			}
			if c.UID != tc.uid || c.GID != tc.gid {
				t.Errorf("ids %v %v, want %v %v", c.UID, c.GID, tc.uid, tc.gid)
			}
			if got := c.Has(CapSysResource); got != tc.sysRes {
				t.Errorf("Has(CAP_SYS_RESOURCE) = %v, want %v (CapEff %x)", got, tc.sysRes, c.CapEff)
			}
			if got := c.Has(21); got != tc.capAdmin { // CAP_SYS_ADMIN
				t.Errorf("Has(CAP_SYS_ADMIN) = %v, want %v", got, tc.capAdmin)
			}
			if c.Has(-1) || c.Has(64) {
				t.Error("capabilities out of range are held")
			}
		})
	}
}

func TestParseStatusMalformed(t *testing.T) {
	good := readStatus(t, "user-1000.status")
	for _, tc := range []struct{ name, status, want string }{
		{"empty", "", "no Uid: line"},
		{"no CapEff", strings.Replace(good, "CapEff:", "CapEfx:", 1), "no CapEff: line"},
		{"short Uid", strings.Replace(good, "Uid:\t1000\t1000\t1000\t1000", "Uid:\t1000", 1), "'Uid:\t1000'"},
		{"bad Gid", strings.Replace(good, "Gid:\t1000", "Gid:\tx", 1), "parsing status line 'Gid:\tx"},
		{"bad CapEff", strings.Replace(good, "CapEff:\t0000000000000000", "CapEff:\tzz", 1), "'CapEff:\tzz'"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseStatus(tc.status)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want it to contain %q", err, tc.want)
			}
		})
	}
}

func TestCheckForeignUsers(t *testing.T) {
	parse := func(s string) Creds {
		c, err := ParseStatus(s)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	vmRoot := parse(readStatus(t, "root-no-sys-resource.status"))
	hostRoot := parse(ordinaryRoot(t))
	user := parse(readStatus(t, "user-1000.status"))
	rootProc := Proc{PID: 10, Cmd: "sh", Creds: vmRoot, SameUserNS: true}
	userProc := Proc{PID: 11, Cmd: "nginx", Creds: user, SameUserNS: true}
	setgid := rootProc // root's uids, a group of its own
	setgid.PID, setgid.Creds.GID = 12, [3]int{0, 33, 33}
	for _, tc := range []struct {
		name   string
		self   Creds
		procs  []Proc
		refuse string // "" when the dump may go on
	}{
		{"all root, no capability", vmRoot, []Proc{rootProc}, ""},
		{"another user, no capability", vmRoot, []Proc{rootProc, userProc}, "pid 11 (nginx) has uid 1000 and gid 1000"},
		{"another group only", vmRoot, []Proc{setgid}, "pid 12 (sh) has uid 0 and gid 33"},
		{"another user, capability held", hostRoot, []Proc{rootProc, userProc}, ""},
		{"another user namespace is left to CRIU", vmRoot, []Proc{{PID: 13, Creds: user}}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := CheckForeignUsers(tc.self, tc.procs)
			if tc.refuse == "" {
				if err != nil {
					t.Errorf("refused: %v", err)
				}
				return
			}
			if !errors.Is(err, ErrForeignUser) {
				t.Fatalf("err = %v, want ErrForeignUser", err)
			}
			for _, want := range []string{tc.refuse, "CAP_SYS_RESOURCE", "nothing was frozen", "Fix: run ckpt with CAP_SYS_RESOURCE"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("message lacks %q:\n%v", want, err)
				}
			}
		})
	}
}
