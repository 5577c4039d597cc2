package preflight

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

// good is the machine as measured here: CRIU 4.2.1, no hardware
// breakpoints, no soft-dirty, dockerd 20.10 with experimental on.
func good() Facts {
	return Facts{
		CriuPath:      "/usr/local/sbin/criu",
		CriuVersion:   Probe{Out: "Version: 4.2.1\n"},
		CriuCheck:     Probe{Out: "Warn  (criu/kerndat.c:1290): Can't keep kdat cache on non-tempfs\nLooks good.\n"},
		Breakpoints:   Probe{Out: "Warn (criu/cr-check.c:1595): Hardware breakpoints don't seem to work\n", Err: errors.New("exit status 1")},
		DirtyTrack:    Probe{Out: "Dirty tracking is OFF.\n", Err: errors.New("exit status 1")},
		NetLockNft:    Probe{Out: "network_lock_nftables is supported\n"},
		IptablesPath:  "/usr/sbin/iptables-restore",
		Docker:        DockerFacts{Version: "20.10.24+dfsg1", APIVersion: "1.41", Experimental: true},
		EUID:          0,
		CgroupVersion: "v1 hybrid",
		Self:          Creds{CapEff: 0x000001fffeffffff}, // root without CAP_SYS_RESOURCE
	}
}

func status(r Report, name string) Status {
	for _, it := range r.Items {
		if it.Name == name {
			return it.Status
		}
	}
	return "missing"
}

func TestEvaluate(t *testing.T) {
	tests := []struct {
		name   string
		change func(*Facts)
		item   string
		want   Status
		ok     bool
	}{
		{"this machine", func(*Facts) {}, "criu", OK, true},
		{"no breakpoints is a warning", func(*Facts) {}, "hardware breakpoints", Warn, true},
		{"no soft-dirty is a warning", func(*Facts) {}, "memory dirty tracking", Warn, true},
		{"criu 4.1.1 fails", func(f *Facts) { f.CriuVersion.Out = "Version: 4.1.1\nGitID: v4.1.1\n" }, "criu", Fail, false},
		{"criu 3.17.1 fails", func(f *Facts) { f.CriuVersion.Out = "Version: 3.17.1\n" }, "criu", Fail, false},
		{"criu 4.2 is enough", func(f *Facts) { f.CriuVersion.Out = "Version: 4.2\n" }, "criu", OK, true},
		{"garbage version fails", func(f *Facts) { f.CriuVersion.Out = "hello\n" }, "criu", Fail, false},
		{"no criu fails", func(f *Facts) { f.CriuPath, f.CriuPathErr = "", errors.New("not on PATH") }, "criu check", Fail, false},
		{"criu check fails", func(f *Facts) {
			f.CriuCheck = Probe{Out: "Error (criu/vdso.c:1): vdso: Unexpected rt vDSO area bounds\n", Err: errors.New("exit status 1")}
		}, "criu check", Fail, false},
		{"breakpoints work", func(f *Facts) { f.Breakpoints = Probe{} }, "hardware breakpoints", OK, true},
		{"daemon down", func(f *Facts) { f.Docker = DockerFacts{Err: errors.New("connection refused")} }, "docker daemon", Fail, false},
		{"experimental off", func(f *Facts) { f.Docker.Experimental = false }, "docker experimental", Fail, false},
		{"not root", func(f *Facts) { f.EUID = 1000 }, "root", Fail, false},
		{"cgroup unknown warns", func(f *Facts) { f.CgroupVersion, f.CgroupErr = "", errors.New("statfs") }, "cgroups", Warn, true},
		{"no CAP_SYS_RESOURCE warns", func(*Facts) {}, "CAP_SYS_RESOURCE", Warn, true},
		{"CAP_SYS_RESOURCE held", func(f *Facts) { f.Self.CapEff = 0x000001ffffffffff }, "CAP_SYS_RESOURCE", OK, true},
		{"capabilities unknown warn", func(f *Facts) { f.SelfErr = errors.New("no /proc") }, "CAP_SYS_RESOURCE", Warn, true},
		{"nft only warns", func(f *Facts) { f.IptablesPath = "" }, "network lock", Warn, true},
		{"no lock fails", func(f *Facts) { f.IptablesPath, f.NetLockNft.Err = "", errors.New("exit status 1") }, "network lock", Fail, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := good()
			tt.change(&f)
			r := Evaluate(f)
			if got := status(r, tt.item); got != tt.want {
				t.Errorf("%s: status %q, want %q (report %+v)", tt.item, got, tt.want, r.Items)
			}
			if r.OK != tt.ok {
				t.Errorf("OK = %v, want %v", r.OK, tt.ok)
			}
		})
	}
}

func TestReportRendering(t *testing.T) {
	f := good()
	f.Docker.Experimental = false
	r := Evaluate(f)
	var text bytes.Buffer
	if err := r.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	out := text.String()
	for _, want := range []string{"ok    criu", "CRIU 4.2.1", "fail  docker experimental", "fix: put {\"experimental\": true}", "not ready"} {
		if !strings.Contains(out, want) {
			t.Errorf("text report lacks %q:\n%s", want, out)
		}
	}
	var js bytes.Buffer
	if err := r.WriteJSON(&js); err != nil {
		t.Fatal(err)
	}
	var back Report
	if err := json.Unmarshal(js.Bytes(), &back); err != nil {
		t.Fatalf("JSON report does not parse: %v\n%s", err, js.String())
	}
	if back.OK || len(back.Items) != len(r.Items) || back.Items[0].Name != "criu" {
		t.Errorf("JSON report round trip: %+v", back)
	}
}
