package criucmd

import (
	"errors"
	"testing"
)

func TestParseVersion(t *testing.T) {
	for _, tc := range []struct {
		out  string
		want Version
	}{
		{"Version: 4.2.1\n", Version{4, 2, 1}},
		{"Version: 3.17.1", Version{3, 17, 1}},
		{"Version: 4.1.1\nGitID: v4.1.1-12-gdeadbeef\n", Version{4, 1, 1}},
		{"Version: 4.1\n", Version{4, 1, 0}},
		{"Warn: something first\nVersion:  4.2\n", Version{4, 2, 0}},
	} {
		got, err := ParseVersion(tc.out)
		if err != nil || got != tc.want {
			t.Errorf("ParseVersion(%q) = %v, %v; want %v", tc.out, got, err, tc.want)
		}
	}
}

func TestParseVersionBad(t *testing.T) {
	for _, out := range []string{
		"",
		"criu: command not found",
		"Version: four",
		"GitID: v4.2.1\n",
		"Version: 99999999999999999999.1",
		"  Version: 4.2.1", // not at the start of a line
	} {
		if v, err := ParseVersion(out); !errors.Is(err, ErrBadVersion) {
			t.Errorf("ParseVersion(%q) = %v, %v; want ErrBadVersion", out, v, err)
		}
	}
}

func TestVersionLessAndString(t *testing.T) {
	order := []Version{{3, 17, 1}, {4, 1, 0}, {4, 1, 1}, {4, 2, 0}, {4, 2, 1}, {4, 10, 0}, {5, 0, 0}}
	for i, a := range order {
		for j, b := range order {
			if got, want := a.Less(b), i < j; got != want {
				t.Errorf("%v.Less(%v) = %v, want %v", a, b, got, want)
			}
		}
	}
	if got := (Version{4, 2, 0}).String(); got != "4.2.0" {
		t.Errorf("String() = %q", got)
	}
	if !(Version{4, 1, 1}).Less(MinVersion) || (Version{4, 2, 1}).Less(MinVersion) {
		t.Errorf("MinVersion %v should be between 4.1.1 and 4.2.1", MinVersion)
	}
}
