package engine

import (
	"strings"
	"testing"
)

func TestCapsOf(t *testing.T) {
	cases := []struct {
		version, api string
		want         Caps
	}{
		{"20.10.24+dfsg1", "1.41", Caps{}},
		{"27.5.1", "1.47", Caps{Annotations: true}},
		{"28.0.0", "1.48", Caps{NetnsHolder: true, Annotations: true}},
		{"29.8.0", "1.56", Caps{NetnsHolder: true, Annotations: true}},
		{"29.8.0", "1.41", Caps{NetnsHolder: true}}, // pinned DOCKER_API_VERSION
		{"24.0.7", "1.43", Caps{Annotations: true}},
		{"", "", Caps{}},
		{"dev", "x", Caps{}},
	}
	for _, c := range cases {
		if got := CapsOf(Info{Version: c.version, APIVersion: c.api}); got != c.want {
			t.Errorf("CapsOf(%s, API %s) = %+v, want %+v", c.version, c.api, got, c.want)
		}
	}
	// From a ping only (a dump): the engine's newest API version and the
	// agreed one.
	for _, c := range []struct {
		server, agreed string
		want           Caps
	}{
		{"1.41", "1.41", Caps{}},                                     // 20.10
		{"1.47", "1.47", Caps{Annotations: true}},                    // 27.5
		{"1.48", "1.48", Caps{NetnsHolder: true, Annotations: true}}, // 28.0
		{"1.56", "1.51", Caps{NetnsHolder: true, Annotations: true}}, // 29.8, an older client
		{"1.56", "1.41", Caps{NetnsHolder: true}},                    // pinned DOCKER_API_VERSION
		{"", "1.24", Caps{}},                                         // no Api-Version header
	} {
		if got := CapsOf(Info{ServerAPI: c.server, APIVersion: c.agreed}); got != c.want {
			t.Errorf("CapsOf(server API %s, agreed %s) = %+v, want %+v", c.server, c.agreed, got, c.want)
		}
	}
	if d := (Caps{NetnsHolder: true}).Describe(); !strings.Contains(d[0].Detail, "containerd#12141") {
		t.Errorf("Describe of a holder engine does not name the upstream issue: %+v", d)
	}
}

func TestCheckpointID(t *testing.T) {
	kept := []string{"c1", "ab", "w1", "ckpt-20261201-085500", "a.b_c-d", "ckpt-x", "ckpt"}
	for _, n := range kept {
		if got := CheckpointID(n); got != n {
			t.Errorf("CheckpointID(%q) = %q, want it kept", n, got)
		}
	}
	mapped := map[string]string{
		"a":        "ckpt_a",
		"x.y.":     "ckpt_x_2ey_2e",
		"_a":       "ckpt__5fa",
		"ckpt_a":   "ckpt_ckpt_5fa",
		"é":        "ckpt__c3_a9",
		"a b":      "ckpt_a_20b",
		"-lead":    "ckpt_-lead",
		"1":        "ckpt_1",
		"x:y":      "ckpt_x_3ay",
		"a..":      "ckpt_a_2e_2e",
		"ckpt_.ab": "ckpt_ckpt_5f_2eab",
	}
	for n, want := range mapped {
		if got := CheckpointID(n); got != want {
			t.Errorf("CheckpointID(%q) = %q, want %q", n, got, want)
		}
	}
	long := strings.Repeat("é", 100) // 200 bytes, 600 once escaped
	id := CheckpointID(long)
	if !strings.HasPrefix(id, "ckpt_.") || len(id) != 6+64 {
		t.Errorf("CheckpointID(long) = %q, want ckpt_. and a SHA-256", id)
	}
	if CheckpointID(long) != id {
		t.Error("CheckpointID is not deterministic")
	}

	// Every name ckpt accepts maps to an ID the engine accepts, and no two
	// names to the same ID.
	names := append(append([]string{}, kept...), long, long[:198]+"x", strings.Repeat("a", 200), "..a", "a.", "_", "__", "ckpt_", "ckpt__5fa", "ckpt_5fa", "\x01", "%", "a\tb")
	for n := range mapped {
		names = append(names, n)
	}
	seen := map[string]string{}
	for _, n := range names {
		id := CheckpointID(n)
		if !ValidEngineID(id) {
			t.Errorf("CheckpointID(%q) = %q, which Engine 29 refuses", n, id)
		}
		if len(id) > maxEscaped+len(idEscapePrefix) {
			t.Errorf("CheckpointID(%q) is %d bytes long", n, len(id))
		}
		if other, dup := seen[id]; dup && other != n {
			t.Errorf("CheckpointID(%q) = CheckpointID(%q) = %q", n, other, id)
		}
		seen[id] = n
	}
	for _, bad := range []string{"a", "x.", "-a", "", "a/b"} {
		if ValidEngineID(bad) {
			t.Errorf("ValidEngineID(%q) = true", bad)
		}
	}
}
