package engine

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// Caps is what ckpt can do on one engine, derived from its version and
// the API version agreed with it (CapsOf). Every version difference ckpt
// acts on is one field here.
type Caps struct {
	// NetnsHolder: the engine cannot start a container that has a network
	// namespace of its own from a checkpoint (Engine 28 and newer bind
	// /proc/<pid>/ns/net of a task whose pid is still 0: containerd#12141),
	// so ckpt dumps such a container with its network namespace marked
	// external and restores it into a container that joins the network of
	// a holder container (ckpt-net-NAME) owning its networks and ports.
	NetnsHolder bool
	// Annotations: containers can be created with annotations (API 1.43),
	// so ckpt hands CRIU its restore settings per container
	// (org.criu.config) rather than through the shared runc.conf.
	Annotations bool
}

// HolderSince and HolderSinceAPI are the first engine version needing a
// network holder and its API version (Engine 28.0 speaks API 1.48);
// AnnotationsSince is the first API version taking annotations.
const (
	HolderSince      = 28
	HolderSinceAPI   = "1.48"
	AnnotationsSince = "1.43"
)

// CapsOf derives the capabilities from what the engine says about itself:
// its version or, where only its ping was asked (a dump), the newest API
// version it speaks. An engine ckpt cannot read is taken as an old one.
func CapsOf(info Info) Caps {
	major, _ := leadingInt(info.Version)
	return Caps{
		NetnsHolder: major >= HolderSince || apiAtLeast(info.ServerAPI, HolderSinceAPI),
		Annotations: apiAtLeast(info.APIVersion, AnnotationsSince),
	}
}

// Feature is one thing ckpt does differently by engine, as `ckpt check`
// shows it.
type Feature struct {
	Name   string
	Detail string
}

// Describe says what ckpt does on an engine with these capabilities.
func (c Caps) Describe() []Feature {
	net := Feature{"restore with own network", "in place and as clones; the engine plumbs the network again"}
	if c.NetnsHolder {
		net.Detail = "through a network holder container ckpt-net-NAME (the engine cannot restore these itself: containerd#12141); dumped with the network namespace external; in place re-creates the container under its name (new ID)"
	}
	conf := Feature{"restore CRIU settings", "/etc/criu/runc.conf, for the length of each restore (annotations need API " + AnnotationsSince + ")"}
	if c.Annotations {
		conf.Detail = "per container (org.criu.config annotation) for the containers ckpt creates; /etc/criu/runc.conf otherwise"
	}
	ids := Feature{"checkpoint IDs", "names outside [a-zA-Z0-9][a-zA-Z0-9_.-]+ (or ending in '.') become " + idEscapePrefix + "<escaped name> for the engine"}
	return []Feature{net, conf, ids}
}

// leadingInt reads the number "29.8.0" or "20.10.24+dfsg1" starts with.
func leadingInt(s string) (int, bool) {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	n, err := strconv.Atoi(s[:i])
	return n, err == nil
}

// apiAtLeast compares API versions "1.41" and "1.43" numerically.
func apiAtLeast(have, want string) bool {
	hm, hn, ok1 := splitAPI(have)
	wm, wn, ok2 := splitAPI(want)
	if !ok1 || !ok2 {
		return false
	}
	return hm > wm || (hm == wm && hn >= wn)
}

func splitAPI(v string) (int, int, bool) {
	a, b, ok := strings.Cut(v, ".")
	if !ok {
		return 0, 0, false
	}
	x, err1 := strconv.Atoi(a)
	y, err2 := strconv.Atoi(b)
	return x, y, err1 == nil && err2 == nil
}

// engineIDRE is the checkpoint ID rule of Engine 29 (checked when placing
// and starting): two or more characters, and no trailing '.'. Engine 20.10
// takes any folder name at start.
var engineIDRE = regexp.MustCompile(`^[a-zA-Z0-9][a-zA-Z0-9_.-]+$`)

// idEscapePrefix starts the engine ID of a checkpoint name that is not an
// engine ID itself; no name is kept as it is if it starts so.
const idEscapePrefix = "ckpt_"

// maxEscaped bounds an escaped ID, so that the folder's name (and the
// hidden one it is built under) stays within a path element.
const maxEscaped = 200

// CheckpointID is the ID under which the engine knows ckpt's checkpoint
// name, the same on every engine. A name that is an ID Engine 29 accepts
// (and does not start with "ckpt_") is kept as it is. Any other is
// "ckpt_" followed by the name with every byte outside [a-zA-Z0-9-]
// written as _XX (lowercase hex), or, if that would be longer than 200
// bytes, "ckpt_." and the name's SHA-256. The mapping is deterministic and
// one-to-one: kept names never start with "ckpt_", escaped ones have no
// '.', hashed ones do.
func CheckpointID(name string) string {
	if engineIDRE.MatchString(name) && !strings.HasSuffix(name, ".") && !strings.HasPrefix(name, idEscapePrefix) {
		return name
	}
	var b strings.Builder
	b.WriteString(idEscapePrefix)
	for i := 0; i < len(name); i++ {
		c := name[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' {
			b.WriteByte(c)
			continue
		}
		fmt.Fprintf(&b, "_%02x", c)
	}
	if b.Len() <= maxEscaped {
		return b.String()
	}
	sum := sha256.Sum256([]byte(name))
	return idEscapePrefix + "." + hex.EncodeToString(sum[:])
}

// ValidEngineID reports whether id passes Engine 29's checkpoint ID rule.
func ValidEngineID(id string) bool {
	return engineIDRE.MatchString(id) && !strings.HasSuffix(id, ".")
}
