package bulk

import (
	"bufio"
	"bytes"
	"io"
)

// source serves a file line by line, counting bytes, with bytes pushed back
// (after a malformed multi-line record) served before the rest of the file.
type source struct {
	r    *bufio.Reader
	back []byte // pushed back; served first
	off  int64  // offset in the file of the next byte served
}

func newSource(r io.Reader, off int64) source {
	return source{r: bufio.NewReaderSize(r, 64<<10), off: off}
}

// appendLine appends the rest of the current line to dst, up to and
// including its '\n', stopping once dst holds limit bytes. It reports
// whether it reached the '\n'. At the end of the file it returns io.EOF,
// possibly after appending a last line that has no '\n'.
func (s *source) appendLine(dst []byte, limit int) ([]byte, bool, error) {
	for len(dst) < limit {
		var chunk []byte
		fromBack := len(s.back) > 0
		if fromBack {
			chunk = s.back
		} else {
			if _, err := s.r.Peek(1); err != nil {
				return dst, false, err
			}
			chunk, _ = s.r.Peek(s.r.Buffered())
		}
		if room := limit - len(dst); len(chunk) > room {
			chunk = chunk[:room]
		}
		eol := false
		if i := bytes.IndexByte(chunk, '\n'); i >= 0 {
			chunk, eol = chunk[:i+1], true
		}
		dst = append(dst, chunk...)
		s.consume(len(chunk), fromBack)
		if eol {
			return dst, true, nil
		}
	}
	return dst, false, nil
}

// discardLine skips the rest of the current line, '\n' included, keeping
// nothing of it.
func (s *source) discardLine() error {
	for {
		var chunk []byte
		fromBack := len(s.back) > 0
		if fromBack {
			chunk = s.back
		} else {
			if _, err := s.r.Peek(1); err != nil {
				return err
			}
			chunk, _ = s.r.Peek(s.r.Buffered())
		}
		if i := bytes.IndexByte(chunk, '\n'); i >= 0 {
			s.consume(i+1, fromBack)
			return nil
		}
		s.consume(len(chunk), fromBack)
	}
}

func (s *source) consume(n int, fromBack bool) {
	if fromBack {
		s.back = s.back[n:]
	} else {
		s.r.Discard(n) // n bytes are buffered: cannot fail
	}
	s.off += int64(n)
}

// unread pushes b back: it is served again, before anything not yet read.
// b must be the bytes just read.
func (s *source) unread(b []byte) {
	if len(b) == 0 {
		return
	}
	nb := make([]byte, 0, len(b)+len(s.back))
	nb = append(nb, b...)
	s.back = append(nb, s.back...)
	s.off -= int64(len(b))
}
