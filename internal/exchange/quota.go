package exchange

import (
	"context"
	"sync"
	"time"

	"dancu/internal/civil"
)

// Rate limits are token buckets inside each process, each enforcing its
// share of a system's rate (DESIGN.md: limiting never costs a shared write
// per request). A bucket holds one second of the share, so a system may
// burst to its rate and then keeps to it.

const defaultRate = 200

func (s *Service) rate(sys *System) float64 {
	r := sys.RateLimit
	if r <= 0 {
		r = s.DefaultRateLimit
	}
	if r <= 0 {
		r = defaultRate
	}
	return r
}

type bucket struct {
	tokens float64
	last   time.Time
}

type limiters struct {
	mu      sync.Mutex
	buckets map[string]*bucket
}

// allow takes a token from the system's bucket, or says how long until
// one is there.
func (l *limiters) allow(sys *System, rate float64, now time.Time) (time.Duration, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.buckets == nil {
		l.buckets = map[string]*bucket{}
	}
	b, ok := l.buckets[sys.ID]
	if !ok {
		b = &bucket{tokens: rate, last: now}
		l.buckets[sys.ID] = b
	}
	if el := now.Sub(b.last); el > 0 {
		b.tokens = min(rate, b.tokens+el.Seconds()*rate)
		b.last = now
	}
	if b.tokens >= 1 {
		b.tokens--
		return 0, true
	}
	return time.Duration((1 - b.tokens) / rate * float64(time.Second)), false
}

// share is this process's part of a system's rate.
func (s *Service) share(rate float64) float64 {
	if s.Processes > 1 {
		return rate / float64(s.Processes)
	}
	return rate
}

// Metering counts every operation and every batch record by member,
// system, operation and month. Counts add up in memory and are written
// by FlushUsage (every second while serving, and at shutdown), one
// additive write per counter rather than one per request. A process
// killed outright loses at most the counts since its last flush; they
// stay in the access log, from which a statement can be checked.

type meterKey struct {
	month, member, system string
	op                    Operation
}

type meter struct {
	mu     sync.Mutex
	counts map[meterKey]int64
}

func (m *meter) add(sys *System, op Operation, at time.Time, n int64) {
	k := meterKey{month: Month(at), member: sys.MemberID, system: sys.ID, op: op}
	m.mu.Lock()
	if m.counts == nil {
		m.counts = map[meterKey]int64{}
	}
	m.counts[k] += n
	m.mu.Unlock()
}

func (m *meter) take() map[meterKey]int64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	c := m.counts
	m.counts = nil
	return c
}

// restore puts counts back after a failed flush.
func (m *meter) restore(c map[meterKey]int64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.counts == nil {
		m.counts = map[meterKey]int64{}
	}
	for k, n := range c {
		m.counts[k] += n
	}
}

// Month is the month of t in Asia/Ho_Chi_Minh, as YYYY-MM.
func Month(t time.Time) string { return t.In(civil.Location).Format("2006-01") }

// FlushUsage writes the counts gathered since the last flush.
func (s *Service) FlushUsage(ctx context.Context) error {
	c := s.meter.take()
	if len(c) == 0 {
		return nil
	}
	us := make([]Usage, 0, len(c))
	for k, n := range c {
		us = append(us, Usage{Month: k.month, MemberID: k.member, SystemID: k.system, Operation: k.op, Count: n})
	}
	if err := s.Store.Update(ctx, func(tx Tx) error { return tx.AddUsage(ctx, us) }); err != nil {
		s.meter.restore(c)
		return err
	}
	return nil
}

// MeterEvery flushes usage every interval until ctx ends, then once more.
func (s *Service) MeterEvery(ctx context.Context, interval time.Duration, onError func(error)) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			if err := s.FlushUsage(context.WithoutCancel(ctx)); err != nil && onError != nil {
				onError(err)
			}
			return
		case <-t.C:
			if err := s.FlushUsage(ctx); err != nil && onError != nil {
				onError(err)
			}
		}
	}
}

// Usage returns the metered use of a month (YYYY-MM), this process's
// counts not yet flushed included.
func (s *Service) Usage(ctx context.Context, month string) ([]Usage, error) {
	if err := s.FlushUsage(ctx); err != nil {
		return nil, err
	}
	var us []Usage
	err := s.Store.View(ctx, func(tx Tx) error {
		var err error
		us, err = tx.Usage(ctx, month)
		return err
	})
	return us, err
}
