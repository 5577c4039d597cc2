package main

import (
	"bytes"
	"math"
	"strings"
	"testing"
)

func TestMedian(t *testing.T) {
	for _, tc := range []struct {
		in   []float64
		want float64
	}{
		{[]float64{3, 1, 2}, 2},
		{[]float64{4, 1, 3, 2}, 2.5},
		{[]float64{math.NaN(), 5}, 5},
	} {
		if got := Median(tc.in); got != tc.want {
			t.Errorf("Median(%v) = %v, want %v", tc.in, got, tc.want)
		}
	}
	if got := Median([]float64{math.NaN()}); !math.IsNaN(got) {
		t.Errorf("Median of nothing measured = %v, want NaN", got)
	}
}

// Paired ratios divide within a repetition: a machine twice as slow in the
// second repetition does not move them.
func TestRatioIsPaired(t *testing.T) {
	r := Results{Samples: []Sample{
		{Workload: "W1", Rep: 1, Tool: Ckpt, Op: Dump, WallMS: 100},
		{Workload: "W1", Rep: 1, Tool: Docker, Op: Dump, WallMS: 1000},
		{Workload: "W1", Rep: 2, Tool: Ckpt, Op: Dump, WallMS: 200},
		{Workload: "W1", Rep: 2, Tool: Docker, Op: Dump, WallMS: 2000},
		{Workload: "W1", Rep: 3, Tool: Ckpt, Op: Dump, WallMS: 400}, // no docker run to pair with
	}}
	if got := r.Ratio("W1", Dump, "wall_ms", Ckpt, Docker); got != 0.1 {
		t.Errorf("Ratio = %v, want 0.1", got)
	}
	if got := r.Median("W1", Ckpt, Dump, "wall_ms"); got != 200 {
		t.Errorf("Median = %v, want 200", got)
	}
}

func TestGoalsAndTables(t *testing.T) {
	var ss []Sample
	for rep := 1; rep <= 3; rep++ {
		ss = append(ss,
			Sample{Workload: Floor, Rep: rep, Tool: Floor, Op: Write, WallMS: 400},
			Sample{Workload: "W2", Rep: rep, Tool: Ckpt, Op: Dump, WallMS: 1000, FrozenMS: 700, HeldMS: 700, RSSKiB: 20 << 10},
			Sample{Workload: "W2", Rep: rep, Tool: Criu, Op: Dump, WallMS: 950, FrozenMS: 700, HeldMS: 700},
			Sample{Workload: "W2", Rep: rep, Tool: Docker, Op: Dump, WallMS: 30000, FrozenMS: 900, HeldMS: 900},
			Sample{Workload: "W2", Rep: rep, Tool: Ckpt, Op: Restore, WallMS: 1800, RSSKiB: 15 << 10},
			Sample{Workload: "W2", Rep: rep, Tool: Docker, Op: Restore, WallMS: 10000},
			Sample{Workload: "W2", Rep: rep, Tool: Floor, Op: Restore, WallMS: 1000 + 100*float64(rep)},
		)
	}
	r := Results{Samples: ss}
	met := map[string]bool{}
	for _, g := range r.Goals() {
		met[g.Text] = g.Met
	}
	for text, want := range map[string]bool{
		"W2: ckpt dump / raw criu, same argv":            true,  // 1.05
		"W2: ckpt dump / docker checkpoint create":       true,  // 0.033
		"W2: frozen (seen held), ckpt / docker":          true,  // 0.78
		"W2: frozen (seen held) / floor (1 GiB written)": true,  // 1.75
		"W2: ckpt restore":                               true,  // 1800 ms
		"W2: ckpt restore / docker start --checkpoint":   false, // 0.18
		"W2: ckpt peak RSS, dump":                        true,  // 20 MiB
		"W2: ckpt peak RSS, restore":                     true,  // 15 MiB
	} {
		if got, ok := met[text]; !ok || got != want {
			t.Errorf("goal %q met %v (there: %v), want %v", text, got, ok, want)
		}
	}
	r.Samples[1].WallMS = 2000 // one ckpt dump of three slower: the median holds
	if !r.Goals()[0].Met {
		t.Error("one slow repetition of three moved the median")
	}
	var md, csv bytes.Buffer
	r.Markdown(&md)
	if err := r.CSV(&csv); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"| W2 | dump, ms | 1000 | 950 | 30000 | 1.05 | 0.033 |", "| W2: frozen (seen held) / floor (1 GiB written) | 1.750 x | 2.00 x | yes |",
		// floors 1100, 1200, 1300 against restores of 1800: paired ratios 1.64, 1.5, 1.38
		"| W2 | restore's floor (its pages read into new memory), ms; ckpt restore / floor | 1200 | | | 1.50 | |"} {
		if !strings.Contains(md.String(), want) {
			t.Errorf("markdown lacks %q:\n%s", want, md.String())
		}
	}
	for _, want := range []string{"W2,dump,wall_ms,1000,950,30000,1.05263,0.0333333", "floor,write,wall_ms,400,", "W2,restore_floor,wall_ms,1200,"} {
		if !strings.Contains(csv.String(), want) {
			t.Errorf("CSV lacks %q:\n%s", want, csv.String())
		}
	}
}

// On an engine whose own restore cannot run, the restore goals against it
// say so, and the table names the reason; workloads the goals do not name
// have none.
func TestNoDockerRestore(t *testing.T) {
	r := Results{NoDockerRestore: "n/a (containerd#12141)", Samples: []Sample{
		{Workload: "W1", Rep: 1, Tool: Ckpt, Op: Dump, WallMS: 100},
		{Workload: "W1", Rep: 1, Tool: Docker, Op: Dump, WallMS: 1000},
		{Workload: "W1", Rep: 1, Tool: Ckpt, Op: Restore, WallMS: 300},
		{Workload: "redis", Rep: 1, Tool: Ckpt, Op: Dump, WallMS: 900},
	}}
	var restoreGoal *Goal
	for i, g := range r.Goals() {
		if strings.HasPrefix(g.Text, "redis") {
			t.Errorf("a goal for redis: %q", g.Text)
		}
		if g.Text == "W1: ckpt restore / docker start --checkpoint" {
			restoreGoal = &r.Goals()[i]
		}
	}
	if restoreGoal == nil || restoreGoal.Met || restoreGoal.Why != r.NoDockerRestore {
		t.Errorf("restore goal %+v: want not met, with the reason", restoreGoal)
	}
	var md bytes.Buffer
	r.Markdown(&md)
	for _, want := range []string{"| W1 | restore, ms | 300 | – | n/a (containerd#12141) | – | n/a |", "| W1: ckpt restore / docker start --checkpoint | – x | 1.00 x | n/a (containerd#12141) |", "| redis | dump, ms | 900 |"} {
		if !strings.Contains(md.String(), want) {
			t.Errorf("markdown lacks %q:\n%s", want, md.String())
		}
	}
}

func TestDockerRestores(t *testing.T) {
	for _, tc := range []struct {
		mode, version string
		want          bool
	}{
		{"auto", "20.10.24+dfsg1", true}, {"auto", "29.8.0", false}, {"auto", "28.0.1", false},
		{"yes", "29.8.0", true}, {"no", "20.10.24", false},
	} {
		if got, err := dockerRestores(tc.mode, tc.version); err != nil || got != tc.want {
			t.Errorf("dockerRestores(%q, %q) = %v, %v; want %v", tc.mode, tc.version, got, err, tc.want)
		}
	}
	if _, err := dockerRestores("maybe", "29.8.0"); err == nil {
		t.Error("mode maybe accepted")
	}
}

func TestEngineTag(t *testing.T) {
	for in, want := range map[string]string{"20.10.24+dfsg1": "20.10", "29.1.3": "29"} {
		if got := engineTag(in); got != want {
			t.Errorf("engineTag(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestRetarget(t *testing.T) {
	got := retarget([]string{"dump", "-t", "1", "-D", "/a", "-W", "/a", "-o", "dump.log"}, "/b")
	if strings.Join(got, " ") != "dump -t 1 -D /b -W /b -o dump.log" {
		t.Errorf("retarget = %v", got)
	}
}

// A run's samples read back from its runs CSV give the same tables.
func TestReadRunsRoundTrip(t *testing.T) {
	ss := []Sample{
		{Workload: "W2", Rep: 1, Tool: Ckpt, Op: Dump, WallMS: 1000, FrozenMS: 700, HeldMS: 700, FreezingMS: 0.4, MemdumpMS: 500, MemwriteMS: 300, PagesWritten: 262144, SizeBytes: 1 << 30, RSSKiB: 18000},
		Sample{Workload: "W2", Rep: 1, Tool: Floor, Op: Restore, WallMS: 900, SizeBytes: 1 << 30}.noStats(),
	}
	ss[1].RSSKiB = math.NaN()
	var buf bytes.Buffer
	if err := RunsCSV(&buf, ss); err != nil {
		t.Fatal(err)
	}
	got, err := ReadRuns(&buf)
	if err != nil {
		t.Fatal(err)
	}
	var a, b bytes.Buffer
	Results{Samples: ss}.Markdown(&a)
	Results{Samples: got}.Markdown(&b)
	if a.String() != b.String() || len(got) != 2 || !math.IsNaN(got[1].RSSKiB) || got[0].PagesWritten != 262144 {
		t.Errorf("read back %+v; tables\n%s\nagainst\n%s", got, b.String(), a.String())
	}
	if _, err := ReadRuns(strings.NewReader("a,b\n")); err == nil {
		t.Error("a CSV of two columns was read as runs")
	}
}
