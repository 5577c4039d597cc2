//go:build !linux

package main

import (
	"fmt"
	"runtime"
)

func run(Config) error { return fmt.Errorf("the bench needs Linux, not %s", runtime.GOOS) }
