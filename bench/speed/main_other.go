//go:build !linux

package main

import (
	"fmt"
	"runtime"
)

func run(Config) error { return fmt.Errorf("the bench needs Linux, not %s", runtime.GOOS) }

func fillPages(string) (float64, int64, error) {
	return 0, 0, fmt.Errorf("the bench needs Linux, not %s", runtime.GOOS)
}
