// Package checkpoint is a folder of checkpoints and the steps that make and
// use them. The layout is <dir>/<container name>/<checkpoint name>/ holding
// CRIU's images, dump.log, runc's descriptors.json and ckpt's
// container.json. A checkpoint is made in a hidden sibling folder and renamed
// into place only when complete, so a failed or interrupted dump never looks
// like a checkpoint, and a folder without container.json is never listed as
// one.
package checkpoint
