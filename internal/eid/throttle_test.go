package eid

import (
	"net/netip"
	"testing"
	"time"
)

var t0 = time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)

func TestThrottleNext(t *testing.T) {
	tests := []struct {
		name     string
		th       Throttle
		failures int
		wait     time.Duration // after LastFailure; 0: allowed at once
	}{
		{"account empty", AccountThrottle, 0, 0},
		{"account 1", AccountThrottle, 1, 0},
		{"account 5 free", AccountThrottle, 5, 0},
		{"account 6", AccountThrottle, 6, 30 * time.Second},
		{"account 7", AccountThrottle, 7, time.Minute},
		{"account 8", AccountThrottle, 8, 2 * time.Minute},
		{"account 9", AccountThrottle, 9, 4 * time.Minute},
		{"account 10", AccountThrottle, 10, 8 * time.Minute},
		{"account 11 capped", AccountThrottle, 11, 15 * time.Minute},
		{"account 1000 capped", AccountThrottle, 1000, 15 * time.Minute},
		{"account huge capped", AccountThrottle, 1 << 62, 15 * time.Minute},
		{"address 30 free", AddressThrottle, 30, 0},
		{"address 31", AddressThrottle, 31, 5 * time.Second},
		{"address 33", AddressThrottle, 33, 20 * time.Second},
		{"address 37 capped", AddressThrottle, 37, 5 * time.Minute},
		{"zero throttle never waits", Throttle{}, 100, 0},
		{"max below base", Throttle{Free: 0, Base: time.Minute, Max: time.Second}, 5, time.Minute},
		{"forget below max", Throttle{Base: time.Hour, Max: 100 * time.Hour, Forget: 2 * time.Hour}, 10, 2 * time.Hour},
		{"no max overflow", Throttle{Base: time.Second, Max: 1<<63 - 1}, 200, 1<<63 - 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := FailureRecord{Failures: tt.failures, LastFailure: t0}
			got := tt.th.Next(r)
			if tt.wait == 0 {
				if !got.IsZero() {
					t.Errorf("Next = %v, want the zero time", got)
				}
				if !tt.th.Allow(r, t0) {
					t.Errorf("Allow at the last failure = false")
				}
				return
			}
			if want := t0.Add(tt.wait); !got.Equal(want) {
				t.Errorf("Next = +%v, want +%v", got.Sub(t0), tt.wait)
			}
			if tt.th.Allow(r, got.Add(-time.Nanosecond)) || !tt.th.Allow(r, got) {
				t.Errorf("Allow does not switch at Next")
			}
		})
	}
}

func TestThrottleRecord(t *testing.T) {
	th := AccountThrottle
	tests := []struct {
		name string
		r    FailureRecord
		now  time.Time
		want int
	}{
		{"first", FailureRecord{}, t0, 1},
		{"second", FailureRecord{Failures: 1, LastFailure: t0}, t0.Add(time.Minute), 2},
		{"just before forgetting", FailureRecord{Failures: 9, LastFailure: t0}, t0.Add(24*time.Hour - time.Second), 10},
		{"forgotten", FailureRecord{Failures: 9, LastFailure: t0}, t0.Add(24 * time.Hour), 1},
		{"negative count", FailureRecord{Failures: -3, LastFailure: t0}, t0, 1},
		{"saturates", FailureRecord{Failures: 1 << 30, LastFailure: t0}, t0.Add(time.Hour), 1 << 30},
		{"never forgets with zero Forget", FailureRecord{Failures: 4, LastFailure: t0.AddDate(-1, 0, 0)}, t0, 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			th := th
			if tt.name == "never forgets with zero Forget" {
				th.Forget = 0
			}
			got := th.Record(tt.r, tt.now)
			if got.Failures != tt.want || !got.LastFailure.Equal(tt.now) {
				t.Errorf("Record = %+v, want %d failures at %v", got, tt.want, tt.now)
			}
		})
	}
}

// TestThrottleGuessing plays an attacker who tries whenever allowed, and
// checks the two promises: guessing is slow, and the holder is never
// locked out for longer than Max.
func TestThrottleGuessing(t *testing.T) {
	th := AccountThrottle
	var r FailureRecord
	now := t0
	guesses := 0
	for now.Before(t0.Add(24 * time.Hour)) {
		if next := th.Next(r); now.Before(next) {
			if next.Sub(now) > th.Max {
				t.Fatalf("after %d failures the wait is %v, over Max", r.Failures, next.Sub(now))
			}
			now = next
			continue
		}
		r = th.Record(r, now)
		guesses++
	}
	if guesses > 110 {
		t.Errorf("%d guesses in a day, want about 100", guesses)
	}
	// The attacker stops; a day later the holder starts afresh.
	later := r.LastFailure.Add(th.Forget)
	if !th.Allow(r, later) || th.Record(r, later).Failures != 1 {
		t.Errorf("the record is not forgotten after Forget")
	}
}

func TestAddressKey(t *testing.T) {
	tests := []struct{ ip, want string }{
		{"203.0.113.7", "203.0.113.7"},
		{"::ffff:203.0.113.7", "203.0.113.7"},
		{"2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"},
		{"2001:db8:1:2:ffff:ffff:ffff:ffff", "2001:db8:1:2::/64"},
		{"2001:db8:1:3::1", "2001:db8:1:3::/64"},
		{"fe80::1%eth0", "fe80::/64"},
		{"::1", "::/64"},
	}
	for _, tt := range tests {
		t.Run(tt.ip, func(t *testing.T) {
			if got := AddressKey(netip.MustParseAddr(tt.ip)); got != tt.want {
				t.Errorf("AddressKey(%s) = %q, want %q", tt.ip, got, tt.want)
			}
		})
	}
	if got := AddressKey(netip.Addr{}); got != "" {
		t.Errorf("AddressKey(zero) = %q, want empty", got)
	}
}
