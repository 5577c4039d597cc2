package enginetest

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/ckpt/ckpt/engine"
)

// List returns the running containers that match the label and name
// filters (the engine's other keys are not faked), sorted by name.
func (f *Fake) List(_ context.Context, filters map[string][]string) ([]*engine.Container, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.log("list %v", filters)
	var out []*engine.Container
	for _, c := range f.Containers {
		if c.State.Running && matches(c, filters) {
			cp := *c
			out = append(out, &cp)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

func matches(c *engine.Container, filters map[string][]string) bool {
	for k, vs := range filters {
		for _, v := range vs {
			switch k {
			case "label":
				lk, lv, hasValue := strings.Cut(v, "=")
				got, ok := c.Labels[lk]
				if !ok || (hasValue && got != lv) {
					return false
				}
			case "name":
				if !strings.Contains(c.Name, v) {
					return false
				}
			default:
				return false
			}
		}
	}
	return true
}

// Pause marks the container paused; PauseErr, if set for its name, is
// returned instead.
func (f *Fake) Pause(_ context.Context, id string) error {
	return f.changeErr("pause", id, func(c *engine.Container) error {
		if err := f.PauseErr[c.Name]; err != nil {
			return err
		}
		c.State.Paused = true
		return nil
	})
}

// Unpause marks the container running again.
func (f *Fake) Unpause(_ context.Context, id string) error {
	return f.changeErr("unpause", id, func(c *engine.Container) error {
		if !c.State.Paused {
			return fmt.Errorf("unpause %s: container is not paused", id)
		}
		c.State.Paused = false
		return nil
	})
}

// Network returns the record of a network in Networks.
func (f *Fake) Network(_ context.Context, name string) (json.RawMessage, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.log("network %s", name)
	rec, ok := f.Networks[name]
	if !ok {
		return nil, fmt.Errorf("inspect network %s: %w", name, engine.ErrNotFound)
	}
	return rec, nil
}

// EnsureNetwork adds the recorded network to Networks unless it is there.
func (f *Fake) EnsureNetwork(_ context.Context, record json.RawMessage) (bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	n, err := engine.NetworkSpec(record)
	if err != nil {
		return false, err
	}
	f.log("ensure-network %s", n.Name)
	if _, ok := f.Networks[n.Name]; ok {
		return false, nil
	}
	if f.Networks == nil {
		f.Networks = map[string]json.RawMessage{}
	}
	f.Networks[n.Name] = record
	return true, nil
}

// Reconnect logs the call.
func (f *Fake) Reconnect(_ context.Context, id, network string, aliases []string) error {
	return f.change("reconnect", id, func(*engine.Container) {}, network, aliases)
}

// changeErr is change for a method that can fail on the container.
func (f *Fake) changeErr(method, id string, fn func(*engine.Container) error) error {
	var err error
	if cerr := f.change(method, id, func(c *engine.Container) { err = fn(c) }); cerr != nil {
		return cerr
	}
	return err
}
