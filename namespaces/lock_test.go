package namespaces

import (
	"net/netip"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func readFixture(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func table(t *testing.T, tool, fixture string) Table {
	t.Helper()
	tb, err := ParseSave(tool, readFixture(t, fixture))
	if err != nil {
		t.Fatal(err)
	}
	return tb
}

func conn(from, to string) Conn {
	return Conn{From: netip.MustParseAddrPort(from), To: netip.MustParseAddrPort(to)}
}

func TestLockedConns(t *testing.T) {
	f, err := os.Open(filepath.Join("testdata", "engine20-host-stop.dump.log"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	got, err := LockedConns(f)
	if err != nil {
		t.Fatal(err)
	}
	want := []Conn{conn("127.0.0.1:7393", "127.0.0.1:40464"), conn("127.0.0.1:40464", "127.0.0.1:7393")}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("LockedConns = %v, want %v", got, want)
	}

	// A dump that leaves the tree running unlocks what it locked; IPv6
	// and IPv4-mapped addresses read as CRIU prints them.
	log := `(00.1) Locked 127.0.0.1:7393 - 127.0.0.1:40464 connection
(00.2) Locked ::1:8080 - ::1:51000 connection
(00.3) Locked ::ffff:10.0.0.2:80 - ::ffff:10.0.0.3:5000 connection
(00.4) Unlocked 127.0.0.1:7393 - 127.0.0.1:40464 connection
(00.5) Locked nonsense:x - y:z connection`
	got, err = LockedConns(strings.NewReader(log))
	if err != nil {
		t.Fatal(err)
	}
	want = []Conn{conn("[::1]:8080", "[::1]:51000"), conn("10.0.0.2:80", "10.0.0.3:5000")}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("LockedConns = %v, want %v", got, want)
	}
}

func TestParseSave(t *testing.T) {
	tb := table(t, "iptables", "engine20-host-after-stop.iptables-save")
	if len(tb.Chains) != 7 || tb.Chains[3] != "DOCKER" || len(tb.Rules) != 14 {
		t.Fatalf("chains %q, %d rules", tb.Chains, len(tb.Rules))
	}
	if r := tb.Rules[0]; r.Chain != "INPUT" || !strings.HasPrefix(r.Args, "-s 127.0.0.1/32 -d 127.0.0.1/32 -p tcp -m mark ! --mark 0xc114") {
		t.Errorf("first rule %+v", r)
	}
	// Other tables are skipped; a line that is neither a chain nor a rule is an error.
	if tb, err := ParseSave("iptables", "*nat\n-A POSTROUTING -j MASQUERADE\nCOMMIT\n*filter\n:INPUT ACCEPT [0:0]\nCOMMIT\n"); err != nil || len(tb.Rules) != 0 || len(tb.Chains) != 1 {
		t.Errorf("nat section not skipped: %+v, %v", tb, err)
	}
	if _, err := ParseSave("iptables", "*filter\n-I INPUT -j DROP\nCOMMIT\n"); err == nil || !strings.Contains(err.Error(), "line 2") {
		t.Errorf("err = %v, want one naming line 2", err)
	}
}

func TestFindLeftoversPerConnection(t *testing.T) {
	// A real stop-mode dump of a --network host container on Engine 20.10:
	// CRIU's per-connection rules stay in the host's table.
	before := table(t, "iptables", "engine20-host-before.iptables-save")
	after := table(t, "iptables", "engine20-host-after-stop.iptables-save")
	locked := []Conn{conn("127.0.0.1:7393", "127.0.0.1:40464"), conn("127.0.0.1:40464", "127.0.0.1:7393")}
	l := FindLeftovers(before, after, locked)
	if l.Chain || l.Foreign || len(l.Rules) != 2 || l.Rules[0].Chain != "INPUT" || l.Rules[1].Chain != "OUTPUT" {
		t.Fatalf("leftovers %+v", l)
	}
	wantScript := "*filter\n" +
		"-D INPUT -s 127.0.0.1/32 -d 127.0.0.1/32 -p tcp -m mark ! --mark 0xc114 -m tcp --sport 40464 --dport 7393 -j DROP\n" +
		"-D OUTPUT -s 127.0.0.1/32 -d 127.0.0.1/32 -p tcp -m mark ! --mark 0xc114 -m tcp --sport 7393 --dport 40464 -j DROP\n" +
		"COMMIT\n"
	if got := l.Script(); got != wantScript {
		t.Errorf("script:\n%s\nwant:\n%s", got, wantScript)
	}
	if got, want := l.Describe(), "iptables: 2 per-connection DROP rule(s) for 127.0.0.1:7393 - 127.0.0.1:40464"; got != want {
		t.Errorf("Describe = %q, want %q", got, want)
	}

	// Rules of connections this dump did not lock are not ckpt's to remove.
	if l := FindLeftovers(before, after, []Conn{conn("127.0.0.1:7393", "127.0.0.1:40465")}); !l.Empty() {
		t.Errorf("removes another connection's rules: %+v", l)
	}
	// Without a log nothing per connection is ours either; the table before is unchanged.
	if l := FindLeftovers(before, before, locked); !l.Empty() {
		t.Errorf("leftovers in the table before the dump: %+v", l)
	}
}

func TestFindLeftoversWholeNamespace(t *testing.T) {
	// A real stop-mode dump of a --network container:X container: the
	// whole namespace of X stays locked, in both families.
	before := table(t, "iptables", "engine20-container-before.iptables-save")
	for _, tc := range []struct{ tool, fixture string }{
		{"iptables", "engine20-container-after-stop.iptables-save"},
		{"ip6tables", "engine20-container-after-stop.ip6tables-save"},
	} {
		after := table(t, tc.tool, tc.fixture)
		l := FindLeftovers(Table{Tool: tc.tool, Chains: before.Chains}, after, nil)
		if !l.Chain || len(l.Rules) != 2 || l.Foreign {
			t.Fatalf("%s: leftovers %+v", tc.tool, l)
		}
		want := "*filter\n-D INPUT -j CRIU\n-D OUTPUT -j CRIU\n-F CRIU\n-X CRIU\nCOMMIT\n"
		if got := l.Script(); got != want {
			t.Errorf("%s script:\n%s\nwant:\n%s", tc.tool, got, want)
		}
		if got := l.Describe(); got != tc.tool+": chain CRIU (the whole-namespace lock) with 2 jump(s) into it" {
			t.Errorf("Describe = %q", got)
		}
		// A CRIU chain that was there before the dump is someone else's.
		if l := FindLeftovers(after, after, nil); !l.Foreign || !l.Empty() {
			t.Errorf("%s: a chain from before is removed: %+v", tc.tool, l)
		}
	}
}
