package preflight

import (
	"fmt"
	"strings"

	"github.com/ckpt/ckpt/criucmd"
	"github.com/ckpt/ckpt/engine"
)

// MinCriu is the oldest CRIU that works here: older ones cannot dump TCP or
// UDP sockets on kernels >= 6.16 ("Can't get 1:16 opt", CRIU issue 2705).
var MinCriu = criucmd.Version{Major: 4, Minor: 2}

const setupFix = "run scripts/setup.sh as root (it builds and installs CRIU 4.2.1 under /usr/local)"

// Probe is the outcome of running one command: its output and error.
type Probe struct {
	Out string
	Err error
}

// Facts is everything the checks look at, gathered from the machine.
type Facts struct {
	CriuPath      string // criu found on PATH or given with --criu; "" when none
	CriuPathErr   error  // why no criu was found
	CriuVersion   Probe  // criu --version
	CriuCheck     Probe  // criu check
	Breakpoints   Probe  // criu check --feature breakpoints
	DirtyTrack    Probe  // criu check --feature mem_dirty_track
	NetLockNft    Probe  // criu check --feature network_lock_nftables
	IptablesPath  string // iptables-restore on PATH, "" when none
	Docker        DockerFacts
	EUID          int
	Self          Creds  // ckpt's own ids and capabilities
	SelfErr       error  // why they could not be read
	CgroupVersion string // "v1", "v1 hybrid", "v2"; "" when unknown
	CgroupErr     error
}

// DockerFacts is what the daemon said about itself.
type DockerFacts struct {
	Version      string
	APIVersion   string
	Experimental bool
	Caps         engine.Caps // what ckpt can do on it
	Err          error       // the daemon did not answer
}

// Evaluate turns facts into the report, in a fixed order.
func Evaluate(f Facts) Report {
	items := []Item{
		criuItem(f),
		criuCheckItem(f),
		breakpointsItem(f),
		dirtyTrackItem(f),
		dockerItem(f.Docker),
		experimentalItem(f.Docker),
	}
	items = append(items, engineItems(f.Docker)...)
	return newReport(append(items,
		rootItem(f.EUID),
		capSysResourceItem(f.Self, f.SelfErr),
		cgroupItem(f),
		netLockItem(f),
	))
}

func criuItem(f Facts) Item {
	it := Item{Name: "criu", Fix: setupFix}
	if f.CriuPath == "" {
		it.Status, it.Detail = Fail, fmt.Sprintf("no criu binary: %v", f.CriuPathErr)
		return it
	}
	if f.CriuVersion.Err != nil {
		it.Status, it.Detail = Fail, fmt.Sprintf("%s --version: %v", f.CriuPath, f.CriuVersion.Err)
		return it
	}
	v, err := criucmd.ParseVersion(f.CriuVersion.Out)
	if err != nil {
		it.Status, it.Detail = Fail, fmt.Sprintf("%s: %v", f.CriuPath, err)
		return it
	}
	if v.Less(MinCriu) {
		it.Status = Fail
		it.Detail = fmt.Sprintf("%s is CRIU %s; %s or newer is needed to dump TCP/UDP sockets on kernels >= 6.16", f.CriuPath, v, MinCriu)
		return it
	}
	it.Status, it.Detail, it.Fix = OK, fmt.Sprintf("%s, CRIU %s", f.CriuPath, v), ""
	return it
}

func criuCheckItem(f Facts) Item {
	it := Item{Name: "criu check"}
	switch {
	case f.CriuPath == "":
		it.Status, it.Detail, it.Fix = Fail, "not run: no criu", setupFix
	case f.CriuCheck.Err != nil:
		it.Status, it.Detail = Fail, fmt.Sprintf("failed: %s", lastLine(f.CriuCheck.Out, f.CriuCheck.Err))
		it.Fix = "read 'criu check' output; an older CRIU than the kernel needs is the usual cause: " + setupFix
	default:
		it.Status, it.Detail = OK, lastLine(f.CriuCheck.Out, nil)
	}
	return it
}

func breakpointsItem(f Facts) Item {
	return featureItem(f, "hardware breakpoints", f.Breakpoints,
		"work (CRIU uses them to stop tasks quickly)",
		"do not work here (common in VMs); CRIU 4.2 notices and steps tasks instead, slower",
		"nothing to do with CRIU >= 4.2; CRIU 4.1 hangs without CRIU_FAULT=130 in its environment")
}

func dirtyTrackItem(f Facts) Item {
	return featureItem(f, "memory dirty tracking", f.DirtyTrack,
		"soft-dirty bit available: pre-dump can track memory",
		"no soft-dirty bit in this kernel: 'ckpt dump --pre-dump' is refused, plain dumps work",
		"a kernel built with CONFIG_MEM_SOFT_DIRTY is needed for pre-dump")
}

// featureItem reports a `criu check --feature` probe: ok when it passed, a
// warning (with its fix) when the feature is missing, since ckpt works
// without it, and a failure only when there is no criu to ask.
func featureItem(f Facts, name string, p Probe, okDetail, warnDetail, fix string) Item {
	switch {
	case f.CriuPath == "":
		return Item{Name: name, Status: Fail, Detail: "not checked: no criu", Fix: setupFix}
	case p.Err == nil:
		return Item{Name: name, Status: OK, Detail: okDetail}
	default:
		return Item{Name: name, Status: Warn, Detail: warnDetail, Fix: fix}
	}
}

func dockerItem(d DockerFacts) Item {
	it := Item{Name: "docker daemon"}
	if d.Err != nil {
		it.Status, it.Detail = Fail, fmt.Sprintf("not reachable: %v", d.Err)
		it.Fix = "start dockerd (scripts/setup.sh does), or set DOCKER_HOST"
		return it
	}
	it.Status, it.Detail = OK, fmt.Sprintf("engine %s, API %s", d.Version, d.APIVersion)
	return it
}

func experimentalItem(d DockerFacts) Item {
	it := Item{Name: "docker experimental"}
	switch {
	case d.Err != nil:
		it.Status, it.Detail, it.Fix = Fail, "not checked: daemon not reachable", "start dockerd"
	case d.Experimental:
		it.Status, it.Detail = OK, "on: the engine can start a container from a checkpoint"
	default:
		it.Status = Fail
		it.Detail = "off: the engine refuses to restore checkpoints"
		it.Fix = `put {"experimental": true} in /etc/docker/daemon.json and restart dockerd (scripts/setup.sh does)`
	}
	return it
}

func rootItem(euid int) Item {
	if euid == 0 {
		return Item{Name: "root", Status: OK, Detail: "running as root"}
	}
	return Item{Name: "root", Status: Fail, Detail: fmt.Sprintf("running as uid %d; CRIU needs root to dump containers", euid), Fix: "run ckpt with sudo"}
}

// capSysResourceItem says whether ckpt can dump processes of other users:
// CRIU reads every process's rlimits, which needs CAP_SYS_RESOURCE for a
// process whose ids are not ckpt's own. Without it ckpt still dumps
// containers whose processes all run as root, so it is a warning.
func capSysResourceItem(self Creds, err error) Item {
	it := Item{Name: "CAP_SYS_RESOURCE"}
	switch {
	case err != nil:
		it.Status, it.Detail = Warn, fmt.Sprintf("not checked: %v", err)
	case self.Has(CapSysResource):
		it.Status, it.Detail = OK, "held: containers whose processes run as another user (docker run --user, nginx workers, PostgreSQL) can be dumped"
	default:
		it.Status = Warn
		it.Detail = "not held: containers whose processes run as another user than ckpt's (docker run --user, nginx workers, PostgreSQL) cannot be dumped, since CRIU cannot read their rlimits; ckpt refuses them before freezing anything"
		it.Fix = "run ckpt with CAP_SYS_RESOURCE (root on an ordinary host has it; a VM, sandbox or container that drops it from root must grant it back)"
	}
	return it
}

func cgroupItem(f Facts) Item {
	it := Item{Name: "cgroups"}
	switch {
	case f.CgroupErr != nil:
		it.Status, it.Detail = Warn, fmt.Sprintf("unknown layout: %v", f.CgroupErr)
	case f.CgroupVersion == "":
		it.Status, it.Detail = Warn, "unknown layout"
	default:
		it.Status, it.Detail = OK, fmt.Sprintf("cgroup %s: ckpt marks the container's cgroup mounts external as runc does", f.CgroupVersion)
	}
	return it
}

func netLockItem(f Facts) Item {
	it := Item{Name: "network lock"}
	switch {
	case f.IptablesPath != "":
		it.Status, it.Detail = OK, fmt.Sprintf("iptables (%s), CRIU's default, locks TCP connections during a dump", f.IptablesPath)
	case f.CriuPath != "" && f.NetLockNft.Err == nil:
		it.Status, it.Detail = Warn, "no iptables-restore; CRIU supports nftables but uses iptables unless told --network-lock nftables"
		it.Fix = "apt-get install iptables"
	default:
		it.Status, it.Detail = Fail, "neither iptables-restore nor CRIU's nftables lock: TCP connections cannot be dumped"
		it.Fix = "apt-get install iptables"
	}
	return it
}

// lastLine gives the last non-empty line of out, or err's text.
func lastLine(out string, err error) string {
	lines := strings.Split(strings.TrimSpace(out), "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		if l := strings.TrimSpace(lines[i]); l != "" {
			return l
		}
	}
	if err != nil {
		return err.Error()
	}
	return "(no output)"
}
