package engine_test

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/ckpt/ckpt/engine"
	"github.com/ckpt/ckpt/engine/enginetest"
	"github.com/ckpt/ckpt/store"
)

func TestRestartPolicyString(t *testing.T) {
	for _, tt := range []struct {
		p        engine.RestartPolicy
		want     string
		restarts bool
	}{
		{engine.RestartPolicy{}, "no", false},
		{engine.NoRestart, "no", false},
		{engine.RestartPolicy{Name: "always"}, "always", true},
		{engine.RestartPolicy{Name: "unless-stopped"}, "unless-stopped", true},
		{engine.RestartPolicy{Name: "on-failure"}, "on-failure", true},
		{engine.RestartPolicy{Name: "on-failure", MaximumRetryCount: 3}, "on-failure:3", true},
	} {
		if got := tt.p.String(); got != tt.want {
			t.Errorf("%+v.String() = %q, want %q", tt.p, got, tt.want)
		}
		if got := tt.p.Restarts(); got != tt.restarts {
			t.Errorf("%+v.Restarts() = %v, want %v", tt.p, got, tt.restarts)
		}
	}
}

// A stop-mode dump suspends a restarting policy and the restore puts the
// same one back; a leave-running dump, or a policy that restarts nothing,
// changes nothing.
func TestSuspendResumeRestart(t *testing.T) {
	ctx := context.Background()
	onFailure := engine.RestartPolicy{Name: "on-failure", MaximumRetryCount: 3}
	for _, tt := range []struct {
		name         string
		policy       engine.RestartPolicy
		leaveRunning bool
		suspended    bool
	}{
		{"always, stop mode", engine.RestartPolicy{Name: "always"}, false, true},
		{"unless-stopped, stop mode", engine.RestartPolicy{Name: "unless-stopped"}, false, true},
		{"on-failure:3, stop mode", onFailure, false, true},
		{"always, leave running", engine.RestartPolicy{Name: "always"}, true, false},
		{"no policy, stop mode", engine.RestartPolicy{}, false, false},
		{"no, stop mode", engine.NoRestart, false, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := &engine.Container{ID: "c0ffee", Name: "svc", RestartPolicy: tt.policy}
			f := &enginetest.Fake{Containers: map[string]*engine.Container{"svc": c}}
			rec, err := engine.SuspendRestart(ctx, f, c.ID, tt.policy, tt.leaveRunning)
			if err != nil {
				t.Fatal(err)
			}
			if !tt.suspended {
				if rec != nil || len(f.Calls) != 0 || c.RestartPolicy != tt.policy {
					t.Fatalf("suspended %+v, calls %q, policy now %v; want nothing changed", rec, f.Calls, c.RestartPolicy)
				}
				if err := engine.ResumeRestart(ctx, f, c.ID, rec); err != nil || len(f.Calls) != 0 {
					t.Fatalf("resume of nothing: %v, calls %q", err, f.Calls)
				}
				return
			}
			if want := (store.RestartPolicy{Name: tt.policy.Name, MaximumRetryCount: tt.policy.MaximumRetryCount}); rec == nil || *rec != want {
				t.Fatalf("recorded %+v, want %+v", rec, want)
			}
			if c.RestartPolicy != engine.NoRestart {
				t.Errorf("policy during the dump %v, want no", c.RestartPolicy)
			}
			if err := engine.ResumeRestart(ctx, f, c.ID, rec); err != nil {
				t.Fatal(err)
			}
			if c.RestartPolicy != tt.policy {
				t.Errorf("policy after restore %v, want %v", c.RestartPolicy, tt.policy)
			}
			want := []string{"restart-policy c0ffee no", "restart-policy c0ffee " + tt.policy.String()}
			if !reflect.DeepEqual(f.Calls, want) {
				t.Errorf("calls %q, want %q", f.Calls, want)
			}
		})
	}
}

func TestSuspendRestartFails(t *testing.T) {
	f := &enginetest.Fake{SetRestartErr: errors.New("engine says no")}
	rec, err := engine.SuspendRestart(context.Background(), f, "x", engine.RestartPolicy{Name: "always"}, false)
	if rec != nil || err == nil || !strings.Contains(err.Error(), "suspend the restart policy always") {
		t.Errorf("SuspendRestart = %+v, %v; want an error naming the policy", rec, err)
	}
	err = engine.ResumeRestart(context.Background(), f, "x", &store.RestartPolicy{Name: "on-failure", MaximumRetryCount: 2})
	if err == nil || !strings.Contains(err.Error(), "docker update --restart on-failure:2 x") {
		t.Errorf("ResumeRestart = %v; want the docker update to run by hand", err)
	}
}
