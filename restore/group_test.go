package restore

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/ckpt/ckpt/engine"
	"github.com/ckpt/ckpt/store"
)

// gm is a group member checkpoint as the store would hold it.
func gm(container, name string, g *store.Group, labels map[string]string) member {
	return member{
		entry: store.Entry{Container: container, Name: name},
		meta:  &store.Meta{Name: container, ID: "id-" + container, Checkpoint: name, Group: g},
		rec:   &engine.Container{Name: container, Labels: labels},
	}
}

func memberNames(ms []member) []string {
	var out []string
	for _, m := range ms {
		out = append(out, m.meta.Name)
	}
	return out
}

func TestPickGroup(t *testing.T) {
	t0 := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	group := func(at time.Time, members ...string) *store.Group {
		return &store.Group{Members: members, PausedAt: at, FrozenAt: at, DumpedAt: at.Add(time.Second)}
	}
	web := func(svc, deps string) map[string]string {
		l := map[string]string{engine.ComposeProject: "web", engine.ComposeService: svc}
		if deps != "" {
			l[engine.ComposeDependsOn] = deps
		}
		return l
	}
	// Dumped app first, but the app depends on the database.
	g1 := group(t0, "web-app-1", "web-db-1")
	g2 := group(t0.Add(time.Hour), "web-app-1", "web-db-1")
	other := group(t0.Add(2*time.Hour), "solo")
	all := []member{
		gm("web-app-1", "g1", g1, web("app", "db:service_started:false")),
		gm("web-db-1", "g1", g1, web("db", "")),
		gm("web-app-1", "g2", g2, web("app", "db:service_started:false")),
		gm("web-db-1", "g2", g2, web("db", "")),
		gm("solo", "s1", other, nil),
	}
	project, err := recordFilter([]string{"label=com.docker.compose.project=web"})
	if err != nil {
		t.Fatal(err)
	}
	everything, _ := recordFilter(nil)
	dbOnly, _ := recordFilter([]string{"name=db"})

	got, err := pickGroup(all, project, "g1")
	if err != nil || !reflect.DeepEqual(memberNames(got), []string{"web-db-1", "web-app-1"}) || got[0].entry.Name != "g1" {
		t.Errorf("g1 by project: %v, %v; want the database first", memberNames(got), err)
	}
	if got, err = pickGroup(all, project, ""); err != nil || got[0].entry.Name != "g2" {
		t.Errorf("newest by project: %+v, %v; want g2", got, err)
	}
	if got, err = pickGroup(all, everything, ""); err != nil || !reflect.DeepEqual(memberNames(got), []string{"solo"}) {
		t.Errorf("--all, newest: %v, %v; want solo's group", memberNames(got), err)
	}
	if _, err = pickGroup(all, dbOnly, "g1"); err == nil || !strings.Contains(err.Error(), "matches part of group g1") {
		t.Errorf("part of a group: %v", err)
	}
	if _, err = pickGroup(all, project, "nosuch"); !errors.Is(err, ErrNoGroup) {
		t.Errorf("no such group: %v", err)
	}
	// A member's checkpoint is gone: incomplete.
	if _, err = pickGroup(all[1:2], everything, "g1"); !errors.Is(err, store.ErrIncomplete) || !strings.Contains(err.Error(), "web-app-1 has no checkpoint g1") {
		t.Errorf("incomplete group: %v", err)
	}
	// A dump that did not finish.
	unfinished := group(t0, "solo")
	unfinished.DumpedAt = time.Time{}
	if _, err = pickGroup([]member{gm("solo", "u", unfinished, nil)}, everything, ""); !errors.Is(err, store.ErrIncomplete) {
		t.Errorf("unfinished group: %v", err)
	}
}

func TestRecordFilter(t *testing.T) {
	m := gm("web-db-1", "g", &store.Group{}, map[string]string{"tier": "data", engine.ComposeProject: "web"})
	for _, tt := range []struct {
		args []string
		want bool
	}{
		{nil, true},
		{[]string{"label=tier"}, true},
		{[]string{"label=tier=data"}, true},
		{[]string{"label=tier=web"}, false},
		{[]string{"label=com.docker.compose.project=web", "name=^web-db"}, true},
		{[]string{"name=app"}, false},
		{[]string{"id=id-web"}, true},
		{[]string{"id=zz"}, false},
	} {
		match, err := recordFilter(tt.args)
		if err != nil {
			t.Fatalf("%v: %v", tt.args, err)
		}
		if got := match(m); got != tt.want {
			t.Errorf("%v matches %v, want %v", tt.args, got, tt.want)
		}
	}
	for _, bad := range []string{"status=running", "name=(", "label"} {
		if _, err := recordFilter([]string{bad}); err == nil {
			t.Errorf("filter %q accepted", bad)
		}
	}
}
