package restore

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/ckpt/ckpt/engine"
	"github.com/ckpt/ckpt/store"
)

// ErrNoGroup is returned when no group checkpoint matches a group restore.
var ErrNoGroup = errors.New("no group checkpoint")

// GroupRequest is what `ckpt restore --all` or `--filter` asks for: the
// group checkpoint (made by `ckpt dump --all|--filter`) whose containers
// match, restored in place.
type GroupRequest struct {
	All      bool          // any container in the store
	Filters  []string      // label=KEY[=VALUE], name=REGEXP, id=PREFIX, matched on the recorded containers
	Name     string        // the group's checkpoint name; "" for the newest group
	Dir      string        // store folder
	RuncConf RuncConf      // as Request's
	Timeout  time.Duration // bound on each member's start, as Request's
}

// GroupResult is a group restored: the networks made first, then the
// members in the order they were started.
type GroupResult struct {
	Checkpoint string    `json:"checkpoint"`
	Networks   []string  `json:"networks_created"`
	Members    []*Result `json:"members"`
}

// member is one checkpoint of a group in the store.
type member struct {
	entry store.Entry
	meta  *store.Meta
	rec   *engine.Container // the recorded container; nil without a record
}

// RunGroup restores a group: the user networks its members were on first
// (a missing one is created from the record), then each member in
// dependency order (compose's depends_on, else dump order), in place.
// It stops at the first member that fails, saying which are running again.
func RunGroup(ctx context.Context, eng engine.Engine, g GroupRequest) (*GroupResult, error) {
	if g.All == (len(g.Filters) > 0) {
		return nil, errors.New("a group restore takes either --all or --filter, not both")
	}
	if g.Name != "" {
		if err := store.ValidName("checkpoint name", g.Name); err != nil {
			return nil, err
		}
	}
	match, err := recordFilter(g.Filters)
	if err != nil {
		return nil, err
	}
	all, err := groupMembers(store.Store{Dir: g.Dir})
	if err != nil {
		return nil, err
	}
	members, err := pickGroup(all, match, g.Name)
	if err != nil {
		return nil, err
	}
	res := &GroupResult{Checkpoint: members[0].meta.Checkpoint}
	for _, rec := range groupNetworks(members) {
		created, err := eng.EnsureNetwork(ctx, rec.record)
		if err != nil {
			return res, fmt.Errorf("network %s of group %s: %w", rec.name, res.Checkpoint, err)
		}
		if !created {
			continue
		}
		res.Networks = append(res.Networks, rec.name)
		// The members still name the old network's ID.
		for _, m := range members {
			if _, on := m.meta.Networks[rec.name]; !on || m.rec == nil {
				continue
			}
			if err := eng.Reconnect(ctx, m.meta.Name, rec.name, m.rec.Aliases[rec.name]); err != nil {
				return res, fmt.Errorf("network %s of group %s, made again: %w", rec.name, res.Checkpoint, err)
			}
		}
	}
	for i, m := range members {
		r, err := Run(ctx, eng, Request{Container: m.meta.Name, Name: m.entry.Name, Dir: g.Dir, RuncConf: g.RuncConf, Timeout: g.Timeout})
		if err != nil {
			var left []string
			for _, n := range members[i+1:] {
				left = append(left, n.meta.Name)
			}
			return res, fmt.Errorf("group %s: %s: %w\n%s; not restored: %s", res.Checkpoint, m.meta.Name, err,
				restoredSoFar(res.Members), strings.Join(append([]string{m.meta.Name}, left...), ", "))
		}
		res.Members = append(res.Members, r)
	}
	return res, nil
}

func restoredSoFar(rs []*Result) string {
	if len(rs) == 0 {
		return "no member was restored"
	}
	var names []string
	for _, r := range rs {
		names = append(names, r.Container)
	}
	return "running again: " + strings.Join(names, ", ")
}

// groupMembers reads the store's checkpoints that belong to a group.
func groupMembers(s store.Store) ([]member, error) {
	entries, err := s.List("")
	if err != nil {
		return nil, err
	}
	var out []member
	for _, e := range entries {
		m, err := store.ReadMeta(e.Path)
		if err != nil || m.Group == nil {
			continue
		}
		m.Checkpoint = e.Name
		mb := member{entry: e, meta: m}
		if rec, err := engine.FromRecord(m.Engine); err == nil {
			mb.rec = rec
		}
		out = append(out, mb)
	}
	return out, nil
}

// pickGroup chooses the group among the store's group checkpoints: the one
// named name (else the newest) among those whose containers match. Every
// member of the group must have its checkpoint, and the filter must match
// the whole group, not a part of it. The members come back in the order
// to restore them.
func pickGroup(all []member, match func(member) bool, name string) ([]member, error) {
	groups := map[string][]member{} // by name and pause time: one dump command
	var keys []string
	for _, m := range all {
		if name != "" && m.entry.Name != name {
			continue
		}
		k := m.entry.Name + "@" + m.meta.Group.PausedAt.String()
		if groups[k] == nil {
			keys = append(keys, k)
		}
		groups[k] = append(groups[k], m)
	}
	var matched []string
	for _, k := range keys {
		for _, m := range groups[k] {
			if match(m) {
				matched = append(matched, k)
				break
			}
		}
	}
	if len(matched) == 0 {
		what := "any"
		if name != "" {
			what = "a checkpoint " + name + " of"
		}
		return nil, fmt.Errorf("%w: the store has no group checkpoint of %s matching container (ckpt dump --all or --filter makes one; ckpt list shows them)", ErrNoGroup, what)
	}
	sort.Slice(matched, func(i, j int) bool {
		return groups[matched[i]][0].meta.Group.PausedAt.After(groups[matched[j]][0].meta.Group.PausedAt)
	})
	if name != "" && len(matched) > 1 {
		return nil, fmt.Errorf("%d group dumps named %s match; remove the older (ckpt rm) or narrow --filter", len(matched), name)
	}
	ms := groups[matched[0]]
	g := ms[0].meta.Group
	for _, m := range ms {
		if m.meta.Group.DumpedAt.IsZero() {
			return nil, fmt.Errorf("%w: the group dump %s did not finish (%s's record has no end time); dump the group again", store.ErrIncomplete, m.entry.Name, m.meta.Name)
		}
	}
	byName := map[string]member{}
	for _, m := range ms {
		if !match(m) {
			return nil, fmt.Errorf("the filter matches part of group %s (%s), not %s; restore the whole group (its members: %s)",
				m.entry.Name, matchedNames(ms, match), m.meta.Name, strings.Join(g.Members, ", "))
		}
		byName[m.meta.Name] = m
	}
	var ordered []*engine.Container
	recOf := map[*engine.Container]member{}
	for _, n := range g.Members {
		m, ok := byName[n]
		if !ok {
			return nil, fmt.Errorf("%w: group %s is incomplete: %s has no checkpoint %s (of members %s)",
				store.ErrIncomplete, ms[0].entry.Name, n, ms[0].entry.Name, strings.Join(g.Members, ", "))
		}
		c := m.rec
		if c == nil {
			c = &engine.Container{Name: n}
		}
		ordered = append(ordered, c)
		recOf[c] = m
	}
	ordered, err := engine.DependencyOrder(ordered)
	if err != nil {
		return nil, err
	}
	out := make([]member, 0, len(ordered))
	for _, c := range ordered {
		out = append(out, recOf[c])
	}
	return out, nil
}

func matchedNames(ms []member, match func(member) bool) string {
	var out []string
	for _, m := range ms {
		if match(m) {
			out = append(out, m.meta.Name)
		}
	}
	return strings.Join(out, ", ")
}

// recordFilter turns --filter values into a test on a recorded container:
// label=KEY or label=KEY=VALUE on its labels, name=REGEXP on its name (as
// docker ps --filter name= does), id=PREFIX on its ID. No filter matches
// every checkpoint (--all).
func recordFilter(args []string) (func(member) bool, error) {
	fs, err := engine.ParseFilters(args)
	if err != nil {
		return nil, err
	}
	var tests []func(member) bool
	for k, vs := range fs {
		for _, v := range vs {
			switch k {
			case "label":
				lk, lv, hasValue := strings.Cut(v, "=")
				tests = append(tests, func(m member) bool {
					if m.rec == nil {
						return false
					}
					got, ok := m.rec.Labels[lk]
					return ok && (!hasValue || got == lv)
				})
			case "name":
				re, err := regexp.Compile(v)
				if err != nil {
					return nil, fmt.Errorf("filter name=%s: %w", v, err)
				}
				tests = append(tests, func(m member) bool { return re.MatchString(m.meta.Name) })
			case "id":
				tests = append(tests, func(m member) bool { return strings.HasPrefix(m.meta.ID, v) })
			default:
				return nil, fmt.Errorf("filter %s=%s: a restore matches the recorded containers by label, name or id only", k, v)
			}
		}
	}
	return func(m member) bool {
		for _, t := range tests {
			if !t(m) {
				return false
			}
		}
		return true
	}, nil
}

type namedNetwork struct {
	name   string
	record []byte
}

// groupNetworks is the union of the members' recorded networks, by name.
func groupNetworks(ms []member) []namedNetwork {
	seen := map[string]bool{}
	var out []namedNetwork
	for _, m := range ms {
		for n, rec := range m.meta.Networks {
			if !seen[n] {
				seen[n] = true
				out = append(out, namedNetwork{n, rec})
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}
