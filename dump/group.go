package dump

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/ckpt/ckpt/engine"
	"github.com/ckpt/ckpt/store"
)

// ErrGroupFailed is returned when one member of a group dump failed: no
// checkpoint of the group is kept, and every member runs on.
var ErrGroupFailed = errors.New("group dump failed")

// GroupOptions is what `ckpt dump --all` or `--filter` asks for: the
// members are the running containers that match, and Options applies to
// each (its Container, Bundle and PreDump are not used).
type GroupOptions struct {
	All     bool     // every running container
	Filters []string // docker ps --filter KEY=VALUE values
	Options
}

// GroupResult is a group checkpoint: one per member, in dump order.
type GroupResult struct {
	Name     string
	Members  []*Result
	PausedAt time.Time // ckpt began to pause the members
	FrozenAt time.Time // every member was paused
	DumpedAt time.Time // the last dump ended
}

// Selector is how container.json records what chose the members.
func (g GroupOptions) Selector() []string {
	if g.All {
		return []string{"--all"}
	}
	return g.Filters
}

// RunGroup checkpoints the matching containers as one consistent group:
// it pauses all of them through the engine (the cgroup freezer), dumps
// each with CRIU while all stay frozen, then thaws them (leave-running) or
// has the engine stop them (stop mode: the frozen processes never run
// again), so no member runs between the first freeze and the end of the
// last dump. Every member's checkpoint gets the same name and a Group
// record. If one dump fails, the checkpoints already made are removed,
// the restart policies put back, and every member thawed.
func RunGroup(ctx context.Context, eng engine.Engine, g GroupOptions) (*GroupResult, error) {
	return runGroup(ctx, eng, g, groupSteps{dump: Run, kill: killFrozen})
}

// groupSteps are the steps of a group dump outside the engine: the dump of
// one member (Run) and the kill of a frozen member's processes
// (killFrozen). Tests give fakes.
type groupSteps struct {
	dump func(context.Context, engine.Engine, Options) (*Result, error)
	kill func(*store.Meta) error
}

func runGroup(ctx context.Context, eng engine.Engine, g GroupOptions, steps groupSteps) (*GroupResult, error) {
	if g.All == (len(g.Filters) > 0) {
		return nil, errors.New("a group dump takes either --all or --filter, not both")
	}
	if g.PreDump {
		return nil, errors.New("--pre-dump is not supported for a group dump: the group is frozen for the whole dump anyway")
	}
	if g.Bundle != "" {
		return nil, errors.New("--bundle names the bundle of one container; a group dump finds each member's")
	}
	filters, err := engine.ParseFilters(g.Filters)
	if err != nil {
		return nil, err
	}
	listed, err := eng.List(ctx, filters)
	if err != nil {
		return nil, err
	}
	if len(listed) == 0 {
		return nil, fmt.Errorf("no running container matches %s: check `docker ps --filter ...`", strings.Join(g.Selector(), " "))
	}
	members, err := engine.DependencyOrder(listed)
	if err != nil {
		return nil, err
	}
	if g.Name == "" {
		g.Name = defaultName()
	}
	if err := g.precheck(members); err != nil {
		return nil, err
	}
	networks, err := memberNetworks(ctx, eng, members)
	if err != nil {
		return nil, err
	}
	group := &store.Group{Selector: g.Selector()}
	for _, c := range members {
		group.Members = append(group.Members, c.Name)
	}

	res := &GroupResult{Name: g.Name, PausedAt: time.Now().UTC()}
	var paused []*engine.Container
	for _, c := range members {
		if err := eng.Pause(ctx, c.ID); err != nil {
			return nil, errors.Join(fmt.Errorf("%w: pause %s: %w", ErrGroupFailed, c.Name, err), thawAll(ctx, eng, paused))
		}
		paused = append(paused, c)
	}
	res.FrozenAt = time.Now().UTC()
	group.PausedAt, group.FrozenAt = res.PausedAt, res.FrozenAt
	for _, c := range members {
		o := g.Options
		o.Container, o.Name = c.ID, g.Name
		o.Paused, o.Group, o.Networks = true, group, networks[c.Name]
		r, err := steps.dump(ctx, eng, o)
		if err != nil {
			undo := undoGroup(ctx, eng, g.Dir, res.Members)
			return nil, errors.Join(fmt.Errorf("%w: %s: %w\nno checkpoint %s of the group is kept (%d removed) and every member runs on",
				ErrGroupFailed, c.Name, err, g.Name, len(res.Members)), undo, thawAll(ctx, eng, paused))
		}
		res.Members = append(res.Members, r)
	}
	res.DumpedAt = time.Now().UTC()
	group.DumpedAt = res.DumpedAt
	var errs []error
	for _, r := range res.Members {
		if err := store.WriteMeta(r.Path, r.Meta); err != nil {
			errs = append(errs, err)
		}
	}
	if g.LeaveRunning {
		errs = append(errs, thawAll(ctx, eng, paused))
	} else {
		for i, c := range members {
			// Killed while frozen, the processes die as the engine's stop
			// thaws them, without running again.
			if err := steps.kill(res.Members[i].Meta); err != nil {
				errs = append(errs, err)
			}
			if err := eng.Stop(context.WithoutCancel(ctx), c.ID); err != nil {
				errs = append(errs, fmt.Errorf("stop %s after its dump: %w", c.Name, err))
			}
		}
	}
	return res, errors.Join(errs...)
}

// precheck refuses, before anything is frozen, what would fail a member's
// dump: a paused member (ckpt would thaw it afterwards), a terminal in stop
// mode, a checkpoint name already taken.
func (g GroupOptions) precheck(members []*engine.Container) error {
	s := store.Store{Dir: g.Dir}
	for _, c := range members {
		switch {
		case c.State.Paused:
			return fmt.Errorf("%s is paused: a group dump pauses and thaws its members itself; unpause it first (docker unpause %s)", c.Name, c.Name)
		case c.Tty && !g.LeaveRunning:
			return fmt.Errorf("%w: %s has a terminal (docker run -t), which Docker cannot restore; dump the group with --leave-running, or without it", ErrTtyStop, c.Name)
		}
		if !g.Force {
			if _, err := s.Get(c.Name, g.Name); err == nil {
				return fmt.Errorf("%w: checkpoint %s of %s exists; choose another --name or use --force", store.ErrExists, g.Name, c.Name)
			}
		}
	}
	return nil
}

// memberNetworks records the user networks each member is on.
func memberNetworks(ctx context.Context, eng engine.Engine, members []*engine.Container) (map[string]map[string]json.RawMessage, error) {
	seen := map[string]json.RawMessage{}
	out := map[string]map[string]json.RawMessage{}
	for _, c := range members {
		for _, n := range c.Networks {
			if !engine.UserNetwork(n) {
				continue
			}
			rec, ok := seen[n]
			if !ok {
				var err error
				if rec, err = eng.Network(ctx, n); err != nil {
					return nil, fmt.Errorf("record network %s of %s: %w", n, c.Name, err)
				}
				seen[n] = rec
			}
			if out[c.Name] == nil {
				out[c.Name] = map[string]json.RawMessage{}
			}
			out[c.Name][n] = rec
		}
	}
	return out, nil
}

// thawAll unpauses the members, even when ctx is cancelled.
func thawAll(ctx context.Context, eng engine.Engine, paused []*engine.Container) error {
	var errs []error
	for _, c := range paused {
		if err := eng.Unpause(context.WithoutCancel(ctx), c.ID); err != nil {
			errs = append(errs, fmt.Errorf("%w; unpause it with: docker unpause %s", err, c.Name))
		}
	}
	return errors.Join(errs...)
}

// undoGroup removes the checkpoints of a failed group dump and puts back
// the restart policies their dumps suspended.
func undoGroup(ctx context.Context, eng engine.Engine, dir string, done []*Result) error {
	var errs []error
	for _, r := range done {
		if err := (store.Store{Dir: dir}).Remove(r.Meta.Name, r.Meta.Checkpoint); err != nil {
			errs = append(errs, err)
		}
		if err := engine.ResumeRestart(ctx, eng, r.Meta.ID, r.Meta.RestartPolicy); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// defaultName is a checkpoint name made from the time.
func defaultName() string { return "ckpt-" + time.Now().UTC().Format("20060102-150405") }
