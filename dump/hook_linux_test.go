package dump

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// The script, run by sh as CRIU runs it (against a fake /proc and
// cgroup tree), freezes at pre-dump and leaves the state alone at the
// other stages; it is installed once, executable.
func TestHookScript(t *testing.T) {
	dir := t.TempDir()
	cg := filepath.Join(dir, "cgroup", "freezer", "docker", "abc")
	os.MkdirAll(cg, 0o755)
	os.MkdirAll(filepath.Join(dir, "proc", "42"), 0o755)
	os.WriteFile(filepath.Join(dir, "proc", "42", "cgroup"), []byte("12:pids:/docker/abc\n4:freezer:/docker/abc\n0::/\n"), 0o644)
	state := filepath.Join(cg, "freezer.state")
	os.WriteFile(state, []byte("THAWED\n"), 0o644)
	script := strings.NewReplacer("/sys/fs/cgroup", filepath.Join(dir, "cgroup"), "/proc/", filepath.Join(dir, "proc")+"/").Replace(hookScript)
	for _, step := range []struct{ action, want string }{
		{"network-lock", "THAWED"}, {"pre-dump", "FROZEN"}, {"post-dump", "FROZEN"},
	} {
		cmd := exec.Command("sh", "-c", script)
		cmd.Env = append(os.Environ(), "CRTOOLS_SCRIPT_ACTION="+step.action, "CRTOOLS_INIT_PID=42")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%s: %v: %s", step.action, err, out)
		}
		if b, _ := os.ReadFile(state); strings.TrimSpace(string(b)) != step.want {
			t.Errorf("after %s: freezer.state %q, want %s", step.action, b, step.want)
		}
	}
	path := filepath.Join(dir, "hook")
	if got := installHook(path); got != path {
		t.Fatalf("installHook = %q", got)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o755 {
		t.Errorf("installed hook: %v, %v", fi.Mode(), err)
	}
	if got := installHook(filepath.Join(dir, "no", "hook")); got != "" {
		t.Errorf("installHook into a missing folder = %q, want none", got)
	}
}

// The hook goes in only for a v1 freezer and a known ckpt path.
func TestHookInOptions(t *testing.T) {
	p := Plan{PID: 1, ImagesDir: "/ck", Spec: &specs.Spec{Linux: &specs.Linux{}}, FreezeCgroup: "/sys/fs/cgroup/freezer/docker/abc", Hook: "/usr/local/bin/ckpt"}
	if o, _ := p.CriuOptions(); len(o.ActionScripts) != 0 {
		t.Errorf("a freezer not known to be v1 got the hook: %q", o.ActionScripts)
	}
	p.FreezerV1 = true
	if o, _ := p.CriuOptions(); len(o.ActionScripts) != 1 || o.ActionScripts[0] != p.Hook {
		t.Errorf("ActionScripts = %q, want the hook", o.ActionScripts)
	}
	p.Hook = ""
	if o, _ := p.CriuOptions(); len(o.ActionScripts) != 0 {
		t.Errorf("no ckpt path, yet ActionScripts = %q", o.ActionScripts)
	}
}
