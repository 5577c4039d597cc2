package dump

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/ckpt/ckpt/engine"
	"github.com/ckpt/ckpt/engine/enginetest"
	"github.com/ckpt/ckpt/store"
)

// groupEngine has a compose project of an app and its database, running
// under restart policies, and a container outside the project.
func groupEngine() *enginetest.Fake {
	run := engine.State{Status: "running", Running: true, Pid: 1}
	project := func(svc, deps string) map[string]string {
		l := map[string]string{engine.ComposeProject: "web", engine.ComposeService: svc}
		if deps != "" {
			l[engine.ComposeDependsOn] = deps
		}
		return l
	}
	return &enginetest.Fake{
		Containers: map[string]*engine.Container{
			"web-app-1": {ID: "a1", Name: "web-app-1", State: run, Labels: project("app", "db:service_started:false"), Networks: []string{"web_default"}, RestartPolicy: engine.RestartPolicy{Name: "always"}},
			"web-db-1":  {ID: "d1", Name: "web-db-1", State: run, Labels: project("db", ""), Networks: []string{"bridge", "web_default"}},
			"other":     {ID: "o1", Name: "other", State: run},
		},
		Networks: map[string]json.RawMessage{"web_default": json.RawMessage(`{"Name":"web_default","Driver":"bridge"}`)},
	}
}

// fakeDump stands for Run: it commits a checkpoint folder with a
// container.json for the member (failing for the names in fail), and
// suspends the restart policy as Run does.
func fakeDump(t *testing.T, fail map[string]bool, seen *[]Options) func(context.Context, engine.Engine, Options) (*Result, error) {
	return func(ctx context.Context, eng engine.Engine, o Options) (*Result, error) {
		*seen = append(*seen, o)
		c, err := eng.Container(ctx, o.Container)
		if err != nil {
			return nil, err
		}
		if !c.State.Paused {
			t.Errorf("%s dumped while not paused", c.Name)
		}
		if fail[c.Name] {
			return nil, errors.New("criu dump failed: exit status 1")
		}
		suspended, err := engine.SuspendRestart(ctx, eng, c.ID, c.RestartPolicy, o.LeaveRunning)
		if err != nil {
			return nil, err
		}
		p, err := store.Store{Dir: o.Dir}.Begin(c.Name, o.Name, o.Force)
		if err != nil {
			return nil, err
		}
		m := &store.Meta{ID: c.ID, Name: c.Name, Checkpoint: o.Name, Group: o.Group, Networks: o.Networks, RestartPolicy: suspended}
		for _, f := range []string{"inventory.img", "pstree.img"} {
			os.WriteFile(filepath.Join(p.Dir, f), nil, 0o600)
		}
		if err := store.WriteMeta(p.Dir, m); err != nil {
			return nil, err
		}
		if err := p.Commit(); err != nil {
			return nil, err
		}
		return &Result{Path: p.Final(), Meta: m}, nil
	}
}

// fakeKill logs the kill among the engine's calls.
func fakeKill(f *enginetest.Fake) func(*store.Meta) error {
	return func(m *store.Meta) error {
		if c := f.Containers[m.Name]; c == nil || !c.State.Paused {
			return errors.New("killed a container that is not frozen")
		}
		f.Calls = append(f.Calls, "kill "+m.ID)
		return nil
	}
}

func TestRunGroupStopMode(t *testing.T) {
	f := groupEngine()
	dir := t.TempDir()
	var seen []Options
	g := GroupOptions{Filters: []string{"label=com.docker.compose.project=web"}, Options: Options{Name: "g1", Dir: dir}}
	res, err := runGroup(context.Background(), f, g, groupSteps{fakeDump(t, nil, &seen), fakeKill(f)})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, r := range res.Members {
		names = append(names, r.Meta.Name)
	}
	if !reflect.DeepEqual(names, []string{"web-db-1", "web-app-1"}) {
		t.Errorf("dumped %v, want the database first", names)
	}
	for _, o := range seen {
		if !o.Paused || o.Name != "g1" || o.Group == nil || o.LeaveRunning {
			t.Errorf("member options %+v", o)
		}
	}
	if got := seen[1].Networks["web_default"]; string(got) != `{"Name":"web_default","Driver":"bridge"}` {
		t.Errorf("app's recorded networks %v", seen[1].Networks)
	}
	m, err := store.ReadMeta(res.Members[1].Path)
	if err != nil {
		t.Fatal(err)
	}
	if m.Group == nil || !reflect.DeepEqual(m.Group.Members, []string{"web-db-1", "web-app-1"}) || m.Group.DumpedAt.IsZero() ||
		m.Group.FrozenAt.Before(m.Group.PausedAt) || m.Group.DumpedAt.Before(m.Group.FrozenAt) {
		t.Errorf("recorded group %+v", m.Group)
	}
	if m.RestartPolicy == nil || m.RestartPolicy.Name != "always" {
		t.Errorf("app's suspended policy %+v", m.RestartPolicy)
	}
	// All paused before the first dump; stopped (not thawed) after the last.
	calls := strings.Join(f.Calls, "\n")
	for _, want := range []string{"pause d1\npause a1\ninspect d1", "kill d1\nstop d1\nkill a1\nstop a1"} {
		if !strings.Contains(calls, want) {
			t.Errorf("calls lack %q:\n%s", want, calls)
		}
	}
	if strings.Contains(calls, "unpause") || strings.Contains(calls, " o1") {
		t.Errorf("stop mode unpaused, or touched the container outside the project:\n%s", calls)
	}
}

func TestRunGroupLeaveRunning(t *testing.T) {
	f := groupEngine()
	var seen []Options
	g := GroupOptions{All: true, Options: Options{Name: "g2", Dir: t.TempDir()}}
	g.LeaveRunning = true
	res, err := runGroup(context.Background(), f, g, groupSteps{fakeDump(t, nil, &seen), fakeKill(f)})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Members) != 3 {
		t.Fatalf("--all dumped %d members, want 3", len(res.Members))
	}
	for _, c := range f.Containers {
		if c.State.Paused || !c.State.Running || c.RestartPolicy.Name == "no" {
			t.Errorf("%s after a leave-running group dump: %+v, policy %v", c.Name, c.State, c.RestartPolicy)
		}
	}
	if strings.Contains(strings.Join(f.Calls, "\n"), "stop") {
		t.Errorf("leave-running stopped a member: %q", f.Calls)
	}
}

// One failed dump: no checkpoint of the group is left, the policies are
// back, every member runs.
func TestRunGroupFailure(t *testing.T) {
	f := groupEngine()
	dir := t.TempDir()
	var seen []Options
	g := GroupOptions{Filters: []string{"label=com.docker.compose.project=web"}, Options: Options{Name: "g3", Dir: dir}}
	_, err := runGroup(context.Background(), f, g, groupSteps{fakeDump(t, map[string]bool{"web-app-1": true}, &seen), fakeKill(f)})
	if !errors.Is(err, ErrGroupFailed) || !strings.Contains(err.Error(), "web-app-1: criu dump failed") || !strings.Contains(err.Error(), "no checkpoint g3 of the group is kept (1 removed)") {
		t.Fatalf("err = %v", err)
	}
	if es, _ := (store.Store{Dir: dir}).List(""); len(es) != 0 {
		t.Errorf("checkpoints left: %+v", es)
	}
	for _, c := range f.Containers {
		if c.State.Paused || !c.State.Running {
			t.Errorf("%s after a failed group dump: %+v", c.Name, c.State)
		}
	}
	if p := f.Containers["web-app-1"].RestartPolicy; p.Name != "always" {
		t.Errorf("app's policy %v", p)
	}
}

func TestRunGroupRefusals(t *testing.T) {
	ctx := context.Background()
	never := func(context.Context, engine.Engine, Options) (*Result, error) {
		t.Error("a refused group dump dumped")
		return nil, errors.New("no")
	}
	for _, tt := range []struct {
		name string
		g    GroupOptions
		prep func(*enginetest.Fake, string)
		want string
	}{
		{"neither", GroupOptions{}, nil, "either --all or --filter"},
		{"both", GroupOptions{All: true, Filters: []string{"name=x"}}, nil, "either --all or --filter"},
		{"bad filter", GroupOptions{Filters: []string{"label"}}, nil, "KEY=VALUE"},
		{"nothing matches", GroupOptions{Filters: []string{"label=nosuch"}}, nil, "no running container matches label=nosuch"},
		{"pre-dump", GroupOptions{All: true, Options: Options{PreDump: true}}, nil, "--pre-dump"},
		{"bundle", GroupOptions{All: true, Options: Options{Bundle: "/b"}}, nil, "--bundle names the bundle of one container"},
		{"paused member", GroupOptions{All: true}, func(f *enginetest.Fake, _ string) { f.Containers["other"].State.Paused = true }, "other is paused"},
		{"terminal in stop mode", GroupOptions{All: true}, func(f *enginetest.Fake, _ string) { f.Containers["other"].Tty = true }, "other has a terminal"},
		{"name taken", GroupOptions{Filters: []string{"name=other"}}, func(_ *enginetest.Fake, dir string) {
			p, _ := store.Store{Dir: dir}.Begin("other", "g", false)
			os.WriteFile(filepath.Join(p.Dir, "inventory.img"), nil, 0o600)
			os.WriteFile(filepath.Join(p.Dir, "pstree.img"), nil, 0o600)
			store.WriteMeta(p.Dir, &store.Meta{Name: "other"})
			p.Commit()
		}, "checkpoint g of other exists"},
	} {
		f := groupEngine()
		dir := t.TempDir()
		if tt.prep != nil {
			tt.prep(f, dir)
		}
		tt.g.Dir, tt.g.Name = dir, "g"
		_, err := runGroup(ctx, f, tt.g, groupSteps{never, fakeKill(f)})
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: err = %v, want %q", tt.name, err, tt.want)
		}
		for _, c := range f.Calls {
			if strings.HasPrefix(c, "pause") {
				t.Errorf("%s: %s before the refusal", tt.name, c)
			}
		}
	}
}
