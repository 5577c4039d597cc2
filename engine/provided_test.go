package engine

import (
	"encoding/json"
	"errors"
	"testing"
)

func TestProvides(t *testing.T) {
	plain := &Container{}
	withInit := &Container{Init: true}
	for _, tt := range []struct {
		dest          string
		plain, onInit bool
	}{
		{"/etc/hosts", true, true},
		{"/etc/resolv.conf", true, true},
		{"/etc/hostname", true, true},
		{"/dev/shm", true, true},
		{"/sys/fs/cgroup/cpu", true, true},
		{"/proc/kcore", true, true},
		{InitPath, false, true},
		{"/data", false, false},
		{"/etc/passwd", false, false},
		{"/sbin/init", false, false},
	} {
		if got := plain.Provides(tt.dest); got != tt.plain {
			t.Errorf("without --init: Provides(%s) = %v, want %v", tt.dest, got, tt.plain)
		}
		if got := withInit.Provides(tt.dest); got != tt.onInit {
			t.Errorf("with --init: Provides(%s) = %v, want %v", tt.dest, got, tt.onInit)
		}
	}
}

// FromRecord reads the recorded inspect view as Container reads the live
// one: --init and the restart policy come from HostConfig.
func TestFromRecord(t *testing.T) {
	raw := readEngine(t, "testdata/engine-counter.json")
	c, err := FromRecord(raw)
	if err != nil {
		t.Fatal(err)
	}
	if c.Init || c.RestartPolicy.Restarts() || c.Name == "" {
		t.Errorf("counter record: %+v; want a named container without init or a restarting policy", c)
	}
	var view map[string]any
	if err := json.Unmarshal(raw, &view); err != nil {
		t.Fatal(err)
	}
	hc := view["HostConfig"].(map[string]any)
	hc["Init"] = true
	hc["RestartPolicy"] = map[string]any{"Name": "on-failure", "MaximumRetryCount": 5}
	changed, _ := json.Marshal(view)
	if c, err = FromRecord(changed); err != nil {
		t.Fatal(err)
	}
	if !c.Init || c.RestartPolicy != (RestartPolicy{Name: "on-failure", MaximumRetryCount: 5}) {
		t.Errorf("record with --init --restart on-failure:5: Init %v, policy %+v", c.Init, c.RestartPolicy)
	}
	for _, bad := range []string{"", "{", "{}"} {
		if _, err := FromRecord(json.RawMessage(bad)); !errors.Is(err, ErrNoRecord) {
			t.Errorf("FromRecord(%q) = %v, want ErrNoRecord", bad, err)
		}
	}
}
