// Package batchfs keeps the files of batch verification jobs (exchange.BatchFiles)
// on the local file system: DATA/batches/ID/input, plan and results.jsonl.
package batchfs

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"dancu/internal/exchange"
)

// Dir keeps batch jobs' files under a directory, one directory per job.
type Dir struct{ Path string }

func (f Dir) path(id, name string) (string, error) {
	if id == "" || strings.ContainsAny(id, `/\.`) {
		return "", fmt.Errorf("batch id %q", id)
	}
	return filepath.Join(f.Path, id, name), nil
}

func (f Dir) AppendInput(id string, offset int64, r io.Reader) (int64, error) {
	p, err := f.path(id, "input")
	if err != nil {
		return 0, err
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		return 0, err
	}
	w, err := os.OpenFile(p, os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		return 0, err
	}
	defer w.Close()
	// What a broken earlier piece left past the offset is not part of
	// the input: the database's size is.
	if err := w.Truncate(offset); err != nil {
		return 0, err
	}
	if _, err := w.Seek(offset, io.SeekStart); err != nil {
		return 0, err
	}
	n, err := io.Copy(w, r)
	if err != nil {
		return 0, err
	}
	if err := w.Sync(); err != nil {
		return 0, err
	}
	return offset + n, nil
}

func (f Dir) OpenInput(id string) (io.ReadSeekCloser, error) {
	p, err := f.path(id, "input")
	if err != nil {
		return nil, err
	}
	r, err := os.Open(p)
	if errors.Is(err, os.ErrNotExist) {
		// Nothing uploaded: an empty input.
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			return nil, err
		}
		if err := os.WriteFile(p, nil, 0o600); err != nil {
			return nil, err
		}
		return os.Open(p)
	}
	return r, err
}

// MapInput maps the input into memory: a file of gigabytes is read by
// the page cache as records are used, not copied.
func (f Dir) MapInput(id string) ([]byte, func() error, error) {
	r, err := f.OpenInput(id)
	if err != nil {
		return nil, nil, err
	}
	file := r.(*os.File)
	defer file.Close()
	fi, err := file.Stat()
	if err != nil {
		return nil, nil, err
	}
	if fi.Size() == 0 {
		return nil, func() error { return nil }, nil
	}
	data, err := syscall.Mmap(int(file.Fd()), 0, int(fi.Size()), syscall.PROT_READ, syscall.MAP_SHARED)
	if err != nil {
		return nil, nil, fmt.Errorf("batch %s: mapping its input: %w", id, err)
	}
	return data, func() error { return syscall.Munmap(data) }, nil
}

// WritePlan writes the plan next to the input through a temporary file,
// synced and renamed (the directory synced too), so a plan is there
// whole or not at all.
func (f Dir) WritePlan(id string, write func(io.Writer) error) error {
	p, err := f.path(id, "plan")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		return err
	}
	tmp := p + ".tmp"
	w, err := os.OpenFile(tmp, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	if err := write(w); err != nil {
		w.Close()
		return err
	}
	if err := w.Sync(); err != nil {
		w.Close()
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp, p); err != nil {
		return err
	}
	d, err := os.Open(filepath.Dir(p))
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

func (f Dir) ReadPlan(id string) ([]byte, error) {
	p, err := f.path(id, "plan")
	if err != nil {
		return nil, err
	}
	return os.ReadFile(p)
}

func (f Dir) OpenResults(id string, size int64) (exchange.ResultsWriter, error) {
	p, err := f.path(id, "results.jsonl")
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		return nil, err
	}
	w, err := os.OpenFile(p, os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		return nil, err
	}
	// Results written after the last checkpoint were never final.
	if err := w.Truncate(size); err != nil {
		w.Close()
		return nil, err
	}
	if _, err := w.Seek(size, io.SeekStart); err != nil {
		w.Close()
		return nil, err
	}
	return w, nil
}

func (f Dir) ReadResults(id string, size int64) (io.ReadCloser, error) {
	p, err := f.path(id, "results.jsonl")
	if err != nil {
		return nil, err
	}
	r, err := os.Open(p)
	if errors.Is(err, os.ErrNotExist) && size == 0 {
		return io.NopCloser(strings.NewReader("")), nil
	}
	if err != nil {
		return nil, err
	}
	return struct {
		io.Reader
		io.Closer
	}{io.LimitReader(r, size), r}, nil
}
