// Package store is a folder of checkpoints: their names, listing and
// removal, the atomic swap that puts a finished folder into place (Swap,
// also used to place a checkpoint where the engine reads it), and
// container.json's one schema (Meta). The layout is
// <dir>/<container name>/<checkpoint name>/ holding CRIU's images,
// dump.log, runc's descriptors.json and ckpt's container.json. A checkpoint
// is made in a hidden sibling folder and swapped into place only when
// complete, so a failed or interrupted dump never looks like a checkpoint,
// and a folder without container.json is never listed as one.
package store
