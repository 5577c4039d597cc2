//go:build !linux

package store

// lock does nothing where ckpt cannot restore: nothing reads a checkpoint
// for long there.
func lock(string, bool) (func(), error) { return func() {}, nil }
