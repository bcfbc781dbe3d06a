package oidc

import (
	"fmt"
	"testing"
	"time"
)

func TestReplayCacheRefusesASpentAssertionUntilItExpires(t *testing.T) {
	c := newReplayCache()
	now := time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)
	exp := now.Add(2 * time.Minute)
	if !c.spend("bank", "j1", exp, now) {
		t.Fatal("a fresh assertion was refused")
	}
	if c.spend("bank", "j1", exp, now.Add(time.Minute)) {
		t.Error("an assertion was spent twice")
	}
	if !c.spend("telco", "j1", exp, now) {
		t.Error("another client's assertion with the same jti was refused")
	}
	if c.spend("bank", "j1", exp, exp.Add(-time.Second)) {
		t.Error("an assertion was spent again just before it expired")
	}
}

func TestReplayCacheForgetsExpiredAssertions(t *testing.T) {
	c := newReplayCache()
	now := time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)
	for i := range 1000 {
		c.spend("bank", fmt.Sprint(i), now.Add(time.Minute), now)
	}
	c.spend("bank", "late", now.Add(10*time.Minute), now)
	if n := c.size(); n != 1001 {
		t.Fatalf("remembered %d", n)
	}
	later := now.Add(time.Minute + replayBucket + time.Second)
	c.spend("bank", "new", later.Add(time.Minute), later)
	if n := c.size(); n != 2 {
		t.Errorf("after the first thousand expired, %d remembered, want 2", n)
	}
	if c.spend("bank", "late", now.Add(10*time.Minute), later) {
		t.Error("an assertion not yet expired was forgotten")
	}
}

func BenchmarkReplayCacheSpend(b *testing.B) {
	c := newReplayCache()
	now := time.Now()
	i := 0
	for b.Loop() {
		// 4,000 assertions a second, each living two minutes: a steady
		// state of about half a million remembered.
		t := now.Add(time.Duration(i) * time.Second / 4000)
		c.spend("bank", fmt.Sprint(i), t.Add(2*time.Minute), t)
		i++
	}
}
