// Package criucmd runs the criu binary for ckpt.
//
// It is split so that most of it can be tested without root:
//
//   - Args turns a typed Options value into the argv of a dump or a
//     pre-dump. It is pure and checked against golden files in testdata.
//     (Restores go through the engine, which has runc run CRIU.)
//   - ParseLog and Hint turn CRIU's dump.log/restore.log into a few error
//     lines and advice a person can act on. They are tested on real logs
//     kept in testdata/logs.
//   - ParseVersion reads `criu --version`; FindCriu locates the binary.
//   - Run (Linux only) makes the directories, execs criu with a timeout and
//     wraps a failure in *Error, which carries the parsed log lines.
//
// ckpt execs criu itself instead of using go-criu's RPC so that the exact
// command line can be shown to, and rerun by, the user.
package criucmd
