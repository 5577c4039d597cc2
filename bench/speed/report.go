package main

import (
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
)

// Tools and operations the bench compares.
const (
	Ckpt   = "ckpt"
	Criu   = "criu"
	Docker = "docker"
	Floor  = "floor"

	Dump    = "dump"
	Restore = "restore"
	Write   = "write" // the floor: 1 GiB written to the store's file system
	// A Floor sample of a workload with Op Restore is a restore's floor:
	// the checkpoint's pages read from the page cache into new anonymous
	// memory, measured right after ckpt's restore while the clone runs.
)

// Sample is one measured run of one tool on one workload.
type Sample struct {
	Workload string
	Rep      int
	Tool     string
	Op       string
	WallMS   float64
	// CRIU's statistics of a dump (stats-dump), in milliseconds; NaN when
	// the tool left none.
	FreezingMS, FrozenMS, MemdumpMS, MemwriteMS float64
	PagesWritten                                float64
	// HeldMS is how long the container was held, whoever held it: the
	// longer of what was seen from outside (its freezer cgroup frozen or
	// its init process stopped by ptrace, sampled every millisecond) and
	// CRIU's freezing + frozen time. Docker's engine pauses the container
	// around its whole checkpoint, which CRIU's FrozenMS does not see.
	HeldMS    float64
	SizeBytes float64 // the checkpoint on disk; NaN if unknown
	RSSKiB    float64 // the tool's own peak RSS (ckpt only); NaN if not measured
}

// Metric names a number of a Sample.
type Metric struct {
	Name  string
	field func(*Sample) *float64
}

// Of is m's number of s.
func (m Metric) Of(s Sample) float64 { return *m.field(&s) }

// Metrics are the numbers the report gives for a dump; a restore and the
// floor give wall time (and a restore ckpt's peak RSS).
var Metrics = []Metric{
	{"wall_ms", func(s *Sample) *float64 { return &s.WallMS }},
	{"frozen_ms", func(s *Sample) *float64 { return &s.FrozenMS }},
	{"held_ms", func(s *Sample) *float64 { return &s.HeldMS }},
	{"freezing_ms", func(s *Sample) *float64 { return &s.FreezingMS }},
	{"memdump_ms", func(s *Sample) *float64 { return &s.MemdumpMS }},
	{"memwrite_ms", func(s *Sample) *float64 { return &s.MemwriteMS }},
	{"pages_written", func(s *Sample) *float64 { return &s.PagesWritten }},
	{"size_bytes", func(s *Sample) *float64 { return &s.SizeBytes }},
	{"peak_rss_kib", func(s *Sample) *float64 { return &s.RSSKiB }},
}

func metric(name string) Metric {
	for _, m := range Metrics {
		if m.Name == name {
			return m
		}
	}
	panic("bench: unknown metric " + name) // a typo in this file, not bad input
}

// Median is the median of the values that are not NaN; NaN if none.
func Median(xs []float64) float64 {
	var v []float64
	for _, x := range xs {
		if !math.IsNaN(x) {
			v = append(v, x)
		}
	}
	if len(v) == 0 {
		return math.NaN()
	}
	slices.Sort(v)
	if n := len(v); n%2 == 1 {
		return v[n/2]
	} else {
		return (v[n/2-1] + v[n/2]) / 2
	}
}

// Results are the samples of one bench run.
type Results struct {
	Samples []Sample
	// NoDockerRestore says why docker start --checkpoint was not run
	// ("" when it was): the table and the goals say n/a and why.
	NoDockerRestore string
}

func (r Results) pick(wl, tool, op string) []Sample {
	var out []Sample
	for _, s := range r.Samples {
		if s.Workload == wl && s.Tool == tool && s.Op == op {
			out = append(out, s)
		}
	}
	return out
}

// Median of metric m over the runs of tool's op on workload wl.
func (r Results) Median(wl, tool, op, m string) float64 {
	of := metric(m).Of
	var xs []float64
	for _, s := range r.pick(wl, tool, op) {
		xs = append(xs, of(s))
	}
	return Median(xs)
}

// Ratio is the median over repetitions of a's metric divided by b's in the
// same repetition (paired ratios: this machine's speed drifts between
// minutes, not within one repetition).
func (r Results) Ratio(wl, op, m, a, b string) float64 {
	of := metric(m).Of
	bs := map[int]float64{}
	for _, s := range r.pick(wl, b, op) {
		bs[s.Rep] = of(s)
	}
	var xs []float64
	for _, s := range r.pick(wl, a, op) {
		if y, ok := bs[s.Rep]; ok && y > 0 {
			xs = append(xs, of(s)/y)
		}
	}
	return Median(xs)
}

// Workloads are the workload names in the order the samples first name
// them, the floor left out.
func (r Results) Workloads() []string {
	var out []string
	for _, s := range r.Samples {
		if s.Tool != Floor && !slices.Contains(out, s.Workload) {
			out = append(out, s.Workload)
		}
	}
	return out
}

// Goal is one of the targets, checked on a bench run.
type Goal struct {
	Text  string
	Value float64 // the measured value, NaN if not measured
	Limit float64
	Unit  string // "x" for a ratio, "ms", "MiB"
	Met   bool
	Why   string // why the goal could not be checked ("" when it was)
}

// Goals checks the targets: ckpt dump within 1.10x raw criu; against
// docker checkpoint create per workload; frozen time against Docker's and
// the floor; restore against docker start --checkpoint; ckpt's peak RSS.
// A workload the run did not measure has no goals, nor has one the goals
// do not name (redis).
func (r Results) Goals() []Goal {
	var gs []Goal
	// atMost goals hold at the limit, the "under" ones below it only.
	add := func(text string, v, limit float64, unit string, atMost bool) {
		met := v < limit || atMost && v == limit
		g := Goal{Text: text, Value: v, Limit: limit, Unit: unit, Met: met}
		if math.IsNaN(v) && strings.Contains(text, "docker start") {
			g.Why = r.NoDockerRestore
		}
		gs = append(gs, g)
	}
	vsDocker := map[string]float64{"W0": 0.8, "W1": 0.25, "W2": 0.05}
	floor := r.Median(Floor, Floor, Write, "wall_ms")
	for _, wl := range r.Workloads() {
		if _, ok := vsDocker[wl]; !ok {
			continue
		}
		add(wl+": ckpt dump / raw criu, same argv", r.Ratio(wl, Dump, "wall_ms", Ckpt, Criu), 1.10, "x", true)
		if lim, ok := vsDocker[wl]; ok {
			add(wl+": ckpt dump / docker checkpoint create", r.Ratio(wl, Dump, "wall_ms", Ckpt, Docker), lim, "x", true)
		}
		frozenLim := 1.0
		if wl == "W0" {
			frozenLim = 0.5
		}
		add(wl+": frozen (seen held), ckpt / docker", r.Ratio(wl, Dump, "held_ms", Ckpt, Docker), frozenLim, "x", true)
		switch wl {
		case "W2":
			add("W2: frozen (seen held) / floor (1 GiB written)", r.Median(wl, Ckpt, Dump, "held_ms")/floor, 2, "x", true)
			add("W2: ckpt restore", r.Median(wl, Ckpt, Restore, "wall_ms"), 2500, "ms", false)
			add("W2: ckpt restore / docker start --checkpoint", r.Ratio(wl, Restore, "wall_ms", Ckpt, Docker), 0.1, "x", true)
			add("W2: ckpt peak RSS, dump", r.Median(wl, Ckpt, Dump, "peak_rss_kib")/1024, 50, "MiB", false)
			add("W2: ckpt peak RSS, restore", r.Median(wl, Ckpt, Restore, "peak_rss_kib")/1024, 50, "MiB", false)
		default:
			add(wl+": ckpt restore / docker start --checkpoint", r.Ratio(wl, Restore, "wall_ms", Ckpt, Docker), 1, "x", true)
		}
	}
	return gs
}

// num renders a value for the tables: "–" for NaN.
func num(x float64, prec int) string {
	if math.IsNaN(x) {
		return "–"
	}
	return strconv.FormatFloat(x, 'f', prec, 64)
}

func mib(bytes float64) string { return num(bytes/(1<<20), 1) }

// Markdown writes the table of medians and paired ratios, then the goals.
func (r Results) Markdown(w io.Writer) {
	fmt.Fprintln(w, "| workload | | ckpt | raw criu | docker | ckpt / criu | ckpt / docker |")
	fmt.Fprintln(w, "|---|---|---:|---:|---:|---:|---:|")
	row := func(wl, label, op, m string, prec int, scale float64) {
		med := func(tool string) string { return num(r.Median(wl, tool, op, m)/scale, prec) }
		docker, vsDocker := med(Docker), num(r.Ratio(wl, op, m, Ckpt, Docker), 3)
		if op == Restore && r.NoDockerRestore != "" {
			docker, vsDocker = r.NoDockerRestore, "n/a"
		}
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %s | %s |\n", wl, label, med(Ckpt), med(Criu), docker,
			num(r.Ratio(wl, op, m, Ckpt, Criu), 2), vsDocker)
	}
	for _, wl := range r.Workloads() {
		row(wl, "dump, ms", Dump, "wall_ms", 0, 1)
		row(wl, "frozen, seen held, ms", Dump, "held_ms", 0, 1)
		row(wl, "frozen, CRIU's statistics, ms", Dump, "frozen_ms", 0, 1)
		phases := func(tool string) string {
			return num(r.Median(wl, tool, Dump, "freezing_ms"), 1) + " / " + num(r.Median(wl, tool, Dump, "memdump_ms"), 0) + " / " + num(r.Median(wl, tool, Dump, "memwrite_ms"), 0)
		}
		fmt.Fprintf(w, "| %s | freezing / memdump / memwrite, ms | %s | %s | %s | | |\n", wl, phases(Ckpt), phases(Criu), phases(Docker))
		row(wl, "pages written", Dump, "pages_written", 0, 1)
		row(wl, "size on disk, MiB", Dump, "size_bytes", 1, 1<<20)
		row(wl, "restore, ms", Restore, "wall_ms", 0, 1)
		if fl := r.Median(wl, Floor, Restore, "wall_ms"); !math.IsNaN(fl) {
			// The ratio only where the floor is a material part of the
			// restore: a few pages' floor (W0) is a fraction of a millisecond.
			ratio := math.NaN()
			if fl > r.Median(wl, Ckpt, Restore, "wall_ms")/10 {
				ratio = r.Ratio(wl, Restore, "wall_ms", Ckpt, Floor)
			}
			fmt.Fprintf(w, "| %s | restore's floor (its pages read into new memory), ms; ckpt restore / floor | %s | | | %s | |\n", wl,
				num(fl, 0), num(ratio, 2))
		}
		fmt.Fprintf(w, "| %s | ckpt peak RSS dump / restore, MiB | %s / %s | | | | |\n", wl,
			num(r.Median(wl, Ckpt, Dump, "peak_rss_kib")/1024, 1), num(r.Median(wl, Ckpt, Restore, "peak_rss_kib")/1024, 1))
	}
	fmt.Fprintf(w, "| floor | 1 GiB written to the store's file system, ms | %s | | | | |\n", num(r.Median(Floor, Floor, Write, "wall_ms"), 0))
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| goal | measured | limit | met |")
	fmt.Fprintln(w, "|---|---:|---:|---|")
	for _, g := range r.Goals() {
		met := "no"
		switch {
		case g.Why != "":
			met = g.Why
		case g.Met:
			met = "yes"
		}
		fmt.Fprintf(w, "| %s | %s %s | %s %s | %s |\n", g.Text, num(g.Value, 3), g.Unit, num(g.Limit, 2), g.Unit, met)
	}
}

// CSV writes one row per workload, operation and metric: the medians of
// each tool and the medians of the paired ratios.
func (r Results) CSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"workload", "op", "metric", "ckpt", "criu", "docker", "ckpt_over_criu", "ckpt_over_docker"})
	for _, wl := range r.Workloads() {
		for _, op := range []string{Dump, Restore} {
			for _, m := range Metrics {
				vals := []string{wl, op, m.Name}
				any := false
				for _, t := range []string{Ckpt, Criu, Docker} {
					v := r.Median(wl, t, op, m.Name)
					any = any || !math.IsNaN(v)
					vals = append(vals, csvNum(v))
				}
				if !any {
					continue
				}
				vals = append(vals, csvNum(r.Ratio(wl, op, m.Name, Ckpt, Criu)), csvNum(r.Ratio(wl, op, m.Name, Ckpt, Docker)))
				cw.Write(vals)
			}
		}
	}
	// The floors have one column of their own: they are no tool's.
	cw.Write([]string{Floor, Write, "wall_ms", csvNum(r.Median(Floor, Floor, Write, "wall_ms")), "", "", "", ""})
	for _, wl := range r.Workloads() {
		if fl := r.Median(wl, Floor, Restore, "wall_ms"); !math.IsNaN(fl) {
			cw.Write([]string{wl, "restore_floor", "wall_ms", csvNum(fl), "", "", "", ""})
		}
	}
	cw.Flush()
	return cw.Error()
}

func csvNum(x float64) string {
	if math.IsNaN(x) {
		return ""
	}
	return strconv.FormatFloat(x, 'g', 6, 64)
}

// RunsCSV writes every sample.
func RunsCSV(w io.Writer, samples []Sample) error {
	cw := csv.NewWriter(w)
	head := []string{"workload", "rep", "tool", "op"}
	for _, m := range Metrics {
		head = append(head, m.Name)
	}
	cw.Write(head)
	for _, s := range samples {
		row := []string{s.Workload, strconv.Itoa(s.Rep), s.Tool, s.Op}
		for _, m := range Metrics {
			row = append(row, csvNum(m.Of(s)))
		}
		cw.Write(row)
	}
	cw.Flush()
	return cw.Error()
}

// ReadRuns reads the samples RunsCSV wrote (an empty cell is NaN), so
// that a run's tables can be made again (speed -rerender).
func ReadRuns(r io.Reader) ([]Sample, error) {
	rows, err := csv.NewReader(r).ReadAll()
	if err != nil {
		return nil, err
	}
	if len(rows) == 0 || len(rows[0]) != 4+len(Metrics) {
		return nil, fmt.Errorf("not a runs CSV of this bench: want a header of %d columns", 4+len(Metrics))
	}
	var out []Sample
	for i, row := range rows[1:] {
		rep, err := strconv.Atoi(row[1])
		if err != nil {
			return nil, fmt.Errorf("row %d: repetition %q: %w", i+2, row[1], err)
		}
		s := Sample{Workload: row[0], Rep: rep, Tool: row[2], Op: row[3]}
		for j, m := range Metrics {
			v := math.NaN()
			if cell := row[4+j]; cell != "" {
				if v, err = strconv.ParseFloat(cell, 64); err != nil {
					return nil, fmt.Errorf("row %d: %s %q: %w", i+2, m.Name, cell, err)
				}
			}
			*m.field(&s) = v
		}
		out = append(out, s)
	}
	return out, nil
}

// engineRestoreGap is why Docker's own restore is not measured on Engine 28
// and newer: docker start --checkpoint of a container with a network
// namespace of its own fails there (containerd#12141); docker checkpoint
// create still works.
const engineRestoreGap = "n/a (containerd#12141)"

// dockerRestores says whether docker start --checkpoint runs on the engine
// of version: always (yes), never (no), or where it works (auto).
func dockerRestores(mode, version string) (bool, error) {
	switch mode {
	case "yes":
		return true, nil
	case "no":
		return false, nil
	case "auto":
		var major int
		if _, err := fmt.Sscanf(version, "%d", &major); err != nil {
			return false, fmt.Errorf("engine version %q: %w", version, err)
		}
		return major < 28, nil
	}
	return false, fmt.Errorf("-docker-restore %q: want auto, yes or no", mode)
}

// engineTag is the engine's version as a file name part: "20.10" of
// "20.10.24+dfsg1", "29" of "29.1.3".
func engineTag(version string) string {
	parts := strings.SplitN(version, ".", 3)
	if len(parts) >= 2 && parts[0] == "20" {
		return parts[0] + "." + parts[1]
	}
	return parts[0]
}

// retarget is a criu argv with its images (-D) and work (-W) folders
// replaced by dir.
func retarget(argv []string, dir string) []string {
	out := append([]string(nil), argv...)
	for i := 0; i+1 < len(out); i++ {
		switch out[i] {
		case "-D", "--images-dir", "-W", "--work-dir":
			out[i+1] = dir
		}
	}
	return out
}
