package archive

import (
	"archive/tar"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/ckpt/ckpt/progress"
)

// Writer writes an archive as a stream: each member goes out as it is
// added, compressed on the way, so nothing is copied on disk first.
type Writer struct {
	tw    *tar.Writer
	enc   io.WriteCloser
	names map[string]bool
	// ModTime is the time every member is stamped with.
	ModTime time.Time
}

// NewWriter starts an archive on w, compressed with c.
func NewWriter(w io.Writer, c Compression) (*Writer, error) {
	return newWriter(w, c, nil)
}

// newWriter is NewWriter whose tar stream, before compression, counts as
// done in m's phase: what was read of the checkpoint, not what the
// compressor made of it.
func newWriter(w io.Writer, c Compression, m *progress.Meter) (*Writer, error) {
	enc, err := compressor(w, c)
	if err != nil {
		return nil, err
	}
	return &Writer{tw: tar.NewWriter(m.Writer(enc)), enc: enc, names: map[string]bool{}, ModTime: time.Now()}, nil
}

func (w *Writer) header(name string, size int64, mode int64, typ byte) error {
	if w.names[name] {
		return fmt.Errorf("archive member %s written twice", name)
	}
	w.names[name] = true
	h := &tar.Header{Typeflag: typ, Name: name, Size: size, Mode: mode, ModTime: w.ModTime, Format: tar.FormatPAX}
	if err := w.tw.WriteHeader(h); err != nil {
		return fmt.Errorf("write archive member %s: %w", name, err)
	}
	return nil
}

// AddDir adds a folder member.
func (w *Writer) AddDir(name string) error { return w.header(name+"/", 0, 0o700, tar.TypeDir) }

// AddBytes adds a member holding b.
func (w *Writer) AddBytes(name string, b []byte) error {
	if err := w.header(name, int64(len(b)), 0o600, tar.TypeReg); err != nil {
		return err
	}
	if _, err := w.tw.Write(b); err != nil {
		return fmt.Errorf("write archive member %s: %w", name, err)
	}
	return nil
}

// AddReader adds a member of size bytes read from r.
func (w *Writer) AddReader(name string, size int64, r io.Reader) error {
	if err := w.header(name, size, 0o600, tar.TypeReg); err != nil {
		return err
	}
	n, err := io.Copy(w.tw, r)
	if err == nil && n != size {
		err = fmt.Errorf("got %d bytes of %d", n, size)
	}
	if err != nil {
		return fmt.Errorf("write archive member %s: %w", name, err)
	}
	return nil
}

// AddFile adds the regular file at path as member name.
func (w *Writer) AddFile(name, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("archive %s: %w", path, err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return fmt.Errorf("archive %s: %w", path, err)
	}
	if !st.Mode().IsRegular() {
		return fmt.Errorf("archive %s: not a regular file", path)
	}
	return w.AddReader(name, st.Size(), f)
}

// AddSpooled adds a member whose size is not known before it is made
// (a tar built from the engine's answers): fill writes it to a private
// temporary file in tmpDir ("" for the system's), which is then streamed
// into the archive and removed.
func (w *Writer) AddSpooled(name, tmpDir string, fill func(io.Writer) error) error {
	f, err := os.CreateTemp(tmpDir, ".ckpt-spool-")
	if err != nil {
		return fmt.Errorf("archive member %s: %w", name, err)
	}
	defer os.Remove(f.Name())
	defer f.Close()
	if err := fill(f); err != nil {
		return fmt.Errorf("archive member %s: %w", name, err)
	}
	size, err := f.Seek(0, io.SeekCurrent)
	if err == nil {
		_, err = f.Seek(0, io.SeekStart)
	}
	if err != nil {
		return fmt.Errorf("archive member %s: %w", name, err)
	}
	return w.AddReader(name, size, f)
}

// AddFolder adds a checkpoint folder: its records under their own names,
// CRIU's images under checkpoint/ (FolderName), and CRIU's statistics once
// more as stats-dump at the top, where checkpointctl reads them. A member
// named in replace gets that content instead of the file's.
func (w *Writer) AddFolder(dir string, replace map[string][]byte) error {
	if err := w.AddDir(CheckpointDirectory); err != nil {
		return err
	}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil || rel == "." {
			return err
		}
		rel = filepath.ToSlash(rel)
		name, ok := FolderName(rel)
		switch {
		case !ok:
			return nil
		case d.IsDir():
			return w.AddDir(name)
		case !d.Type().IsRegular():
			return nil
		}
		if b, ok := replace[name]; ok {
			return w.AddBytes(name, b)
		}
		return w.AddFile(name, p)
	})
	if err != nil {
		return fmt.Errorf("archive checkpoint %s: %w", dir, err)
	}
	if st := filepath.Join(dir, StatsDumpFile); fileExists(st) {
		return w.AddFile(StatsDumpFile, st)
	}
	return nil
}

func fileExists(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.Mode().IsRegular()
}

// Close ends the tar stream and flushes the compressor.
func (w *Writer) Close() error {
	if err := w.tw.Close(); err != nil {
		return fmt.Errorf("finish archive: %w", err)
	}
	if err := w.enc.Close(); err != nil {
		return fmt.Errorf("finish archive compression: %w", err)
	}
	return nil
}
