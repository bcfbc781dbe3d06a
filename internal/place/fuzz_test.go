package place

import (
	"errors"
	"testing"

	"dancu/internal/civil"
)

// FuzzResolve feeds unit codes and dates as they arrive in URLs: every
// answer is a unit in force on that date, or one of the package's errors.
func FuzzResolve(f *testing.F) {
	for _, s := range [][2]string{{"00004", "2024-01-01"}, {"00004", "2025-07-01"}, {"15", "2025"}, {"00007", "2024-06"}, {"001", "2020-01-01"}, {"99999", "2026-01-01"}, {"０００04", "2024-01-01"}, {"", ""}} {
		f.Add(s[0], s[1])
	}
	c := Default()
	f.Fuzz(func(t *testing.T, code, date string) {
		d, err := civil.ParseDate(date)
		if err != nil {
			return
		}
		r, err := c.Resolve(code, d)
		if err != nil {
			if !errors.Is(err, ErrUnknownCode) && !errors.Is(err, ErrNotInForce) && !errors.Is(err, ErrAmbiguousDate) {
				t.Fatalf("Resolve(%q, %s): unexpected error %v", code, date, err)
			}
			return
		}
		if r.Unit.Code != code || !r.Unit.ValidOn(d) {
			t.Fatalf("Resolve(%q, %s) = %+v", code, date, r.Unit)
		}
		if r.Ambiguous != (len(r.Current) > 1) {
			t.Fatalf("Ambiguous %v with %d successors", r.Ambiguous, len(r.Current))
		}
	})
}
