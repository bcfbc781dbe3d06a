package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// progressBar draws a one-line bar with the rate and time left on a
// terminal, and nothing when the output is not one (a file, a pipe, CI):
// logs stay readable and tests see only the summary.
type progressBar struct {
	w     io.Writer
	label string
	unit  string
	total int64
	done  atomic.Int64
	start time.Time
	stop  chan struct{}
	wg    sync.WaitGroup
}

// isTerminal reports whether w is a character device.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// newProgress starts a bar on w for total items (0 when unknown).
func newProgress(w io.Writer, label, unit string, total int64) *progressBar {
	p := &progressBar{w: w, label: label, unit: unit, total: total, start: time.Now(), stop: make(chan struct{})}
	if !isTerminal(w) {
		p.w = nil
		return p
	}
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		t := time.NewTicker(200 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				p.draw(false)
			case <-p.stop:
				p.draw(true)
				return
			}
		}
	}()
	return p
}

// Add records n more items done.
func (p *progressBar) Add(n int64) { p.done.Add(n) }

// Finish draws the final state and ends the line.
func (p *progressBar) Finish() {
	if p.w == nil {
		return
	}
	close(p.stop)
	p.wg.Wait()
}

func (p *progressBar) draw(final bool) {
	done := p.done.Load()
	elapsed := time.Since(p.start)
	rate := float64(done) / max(elapsed.Seconds(), 1e-9)
	var b strings.Builder
	fmt.Fprintf(&b, "\r%s ", p.label)
	if p.total > 0 {
		frac := min(1, float64(done)/float64(p.total))
		const width = 30
		filled := int(frac * width)
		b.WriteString("[" + strings.Repeat("█", filled) + strings.Repeat("░", width-filled) + "]")
		fmt.Fprintf(&b, " %5.1f%% %s/%s %s", frac*100, thousands(done), thousands(p.total), p.unit)
	} else {
		fmt.Fprintf(&b, "%s %s", thousands(done), p.unit)
	}
	fmt.Fprintf(&b, "  %s/s", thousands(int64(rate)))
	switch {
	case final:
		fmt.Fprintf(&b, "  %s", elapsed.Round(time.Second))
	case p.total > 0 && rate > 0:
		left := time.Duration(float64(p.total-done) / rate * float64(time.Second))
		fmt.Fprintf(&b, "  ETA %s", left.Round(time.Second))
	}
	b.WriteString("\x1b[K")
	if final {
		b.WriteString("\n")
	}
	io.WriteString(p.w, b.String())
}

// thousands formats n with separators: 1,234,567 reads faster than
// 1234567 at a glance.
func thousands(n int64) string {
	s := fmt.Sprint(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var out []byte
	for i := range len(s) {
		if i > 0 && (len(s)-i)%3 == 0 {
			out = append(out, ',')
		}
		out = append(out, s[i])
	}
	if neg {
		return "-" + string(out)
	}
	return string(out)
}
