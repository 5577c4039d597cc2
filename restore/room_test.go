package restore

import "testing"

func TestRoomLeft(t *testing.T) {
	const gib = 1 << 30
	for _, c := range []struct{ free, size, want int64 }{
		{8 << 20, 8 << 20, 8<<20 - 8<<20/20}, // an 8 MiB tmpfs, empty: 5% kept
		{100 * gib, 500 * gib, 99 * gib},     // a big disk: 1 GiB kept
		{1 << 10, 500 * gib, 1},              // full: no room, but still a bound
	} {
		if got := roomLeft(c.free, c.size); got != c.want {
			t.Errorf("roomLeft(%d, %d) = %d, want %d", c.free, c.size, got, c.want)
		}
	}
}
