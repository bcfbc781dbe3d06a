package quality

import (
	"sync"
	"testing"

	"dancu/internal/registry"
)

var sinkAssessment Assessment

func BenchmarkAssess(b *testing.B) {
	k := newChecker(b)
	faulty := cleanCitizen()
	faulty.FullName = "NGUYEN VAN HOANG"
	faulty.Phones = nil
	faulty.Residences[1].Until = d("2026-01-31")
	for _, bc := range []struct {
		name string
		c    *registry.Citizen
	}{
		{"clean", cleanCitizen()},
		{"faulty", faulty},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				sinkAssessment = k.Assess(bc.c, today)
			}
		})
	}
}

// TestAssessAllocations keeps a clean record cheap: the only allocations
// are those of the registry's ExpectedPID (the place code and its slice).
func TestAssessAllocations(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates")
	}
	k := newChecker(t)
	c := cleanCitizen()
	k.Assess(c, today) // load the catalogues
	if n := testing.AllocsPerRun(100, func() { k.Assess(c, today) }); n > 2 {
		t.Errorf("Assess of a clean record: %v allocations", n)
	}
	var plain Checker
	if n := testing.AllocsPerRun(100, func() { plain.Assess(c, today) }); n > 0 {
		t.Errorf("Assess of a clean record without ExpectedPID: %v allocations", n)
	}
}

// TestAssessConcurrently runs assessments from several goroutines, as a
// nightly job does, so that the race detector sees the shared caches.
func TestAssessConcurrently(t *testing.T) {
	k := newChecker(t)
	cases := ruleCases()
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i, tc := range cases {
				if i%4 != g {
					continue
				}
				c := cleanCitizen()
				tc.mutate(c)
				if a := k.Assess(c, today); a.Score != ScoreOf(a.Flags) {
					t.Errorf("%s: score %d", tc.name, a.Score)
				}
			}
		})
	}
	wg.Wait()
}
