package mountscan

import (
	"encoding/json"
	"reflect"
	"sort"
	"testing"
)

func TestDecisionJSONKeys(t *testing.T) {
	b, err := json.Marshal(Decision{Mountpoint: "/a", Action: ActionExternal})
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	var keys []string
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	wantKeys := []string{"action", "criu_arg", "fstype", "mountpoint", "reason", "source"}
	if !reflect.DeepEqual(keys, wantKeys) {
		t.Errorf("keys = %v, want %v", keys, wantKeys)
	}
	if m["action"] != "external" {
		t.Errorf("action = %v, want external", m["action"])
	}
}

func TestExternalsSkipsOthers(t *testing.T) {
	ds := []Decision{
		{Action: ActionRoot},
		{Action: ActionExternal, CriuArg: "mnt[/a]:/a"},
		{Action: ActionInternal},
		{Action: ActionExternal, CriuArg: "mnt[/b]:/dev/null"},
	}
	if got, w := Externals(ds), []string{"mnt[/a]:/a", "mnt[/b]:/dev/null"}; !reflect.DeepEqual(got, w) {
		t.Errorf("Externals = %q, want %q", got, w)
	}
	if got := Externals(nil); len(got) != 0 {
		t.Errorf("Externals(nil) = %q, want none", got)
	}
}
