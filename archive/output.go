package archive

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// ErrExists is returned for an archive file that is already there.
var ErrExists = errors.New("archive file already exists")

// Output is where an archive goes: standard output for "-", else a new
// file, private to its owner (0600), written under a hidden name beside it
// and put in place only when Commit is called, so a failed export leaves
// no half-written archive.
type Output struct {
	io.Writer
	f     *os.File
	final string
	force bool
}

// Create opens the output for path ("-" for stdout). An existing file is
// refused unless force is set; it is then replaced on Commit.
func Create(path string, stdout io.Writer, force bool) (*Output, error) {
	if path == "-" {
		return &Output{Writer: stdout}, nil
	}
	if _, err := os.Lstat(path); err == nil && !force {
		return nil, fmt.Errorf("%w: %s (use --force to replace it)", ErrExists, path)
	}
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".partial-")
	if err != nil {
		return nil, fmt.Errorf("create archive %s: %w", path, err)
	}
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		os.Remove(f.Name())
		return nil, fmt.Errorf("create archive %s: %w", path, err)
	}
	return &Output{Writer: f, f: f, final: path, force: force}, nil
}

// Commit puts the finished file in place.
func (o *Output) Commit() error {
	if o.f == nil {
		return nil
	}
	tmp := o.f.Name()
	err := o.f.Sync()
	if cerr := o.f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		if o.force {
			err = os.Rename(tmp, o.final)
		} else if err = os.Link(tmp, o.final); errors.Is(err, fs.ErrExist) {
			err = fmt.Errorf("%w: %s (use --force to replace it)", ErrExists, o.final)
		}
	}
	os.Remove(tmp)
	if err != nil {
		return fmt.Errorf("write archive %s: %w", o.final, err)
	}
	return nil
}

// Abort removes the unfinished file.
func (o *Output) Abort() {
	if o.f != nil {
		o.f.Close()
		os.Remove(o.f.Name())
	}
}
