package exchange

import (
	"testing"
	"time"
)

func TestRateLimitRefillsAtTheRate(t *testing.T) {
	var l limiters
	sys := &System{ID: "s"}
	now := time.Date(2026, 12, 3, 0, 0, 0, 0, time.UTC)
	for i := range 10 {
		if _, ok := l.allow(sys, 10, now); !ok {
			t.Fatalf("request %d of a burst of the rate refused", i)
		}
	}
	wait, ok := l.allow(sys, 10, now)
	if ok || wait <= 0 || wait > 100*time.Millisecond {
		t.Fatalf("the 11th request at once: ok %v, wait %v", ok, wait)
	}
	if _, ok := l.allow(sys, 10, now.Add(100*time.Millisecond)); !ok {
		t.Fatal("a token a tenth of a second later was refused")
	}
	if _, ok := l.allow(&System{ID: "other"}, 10, now); !ok {
		t.Fatal("one system's burst limited another")
	}
}

func TestMeterCountsByMonthInVietnam(t *testing.T) {
	var m meter
	sys := &System{ID: "s", MemberID: "m"}
	// 17:30 UTC on 30 November is 00:30 on 1 December in Hà Nội.
	m.add(sys, OpVerify, time.Date(2026, 11, 30, 16, 59, 0, 0, time.UTC), 1)
	m.add(sys, OpVerify, time.Date(2026, 11, 30, 17, 30, 0, 0, time.UTC), 2)
	c := m.take()
	if c[meterKey{"2026-11", "m", "s", OpVerify}] != 1 || c[meterKey{"2026-12", "m", "s", OpVerify}] != 2 {
		t.Fatalf("counts: %v", c)
	}
	if len(m.take()) != 0 {
		t.Fatal("counts taken twice")
	}
}

// BenchmarkMeterAndLimit is the per-request cost of rate limiting and
// metering: what every gateway request pays for quotas and fees.
func BenchmarkMeterAndLimit(b *testing.B) {
	s := &Service{}
	sys := &System{ID: "s", MemberID: "m", RateLimit: 1e9}
	now := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			s.limiters.allow(sys, s.rate(sys), now)
			s.meter.add(sys, OpVerify, now, 1)
		}
	})
}
