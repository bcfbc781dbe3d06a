package eid

import (
	"net/netip"
	"time"
)

// Throttle is the policy that slows down password (and one-time code)
// guessing. It is pure: it reads and updates a FailureRecord that the
// caller keeps per key (an account, a source address) and never stores
// anything itself.
//
// The design follows NIST SP 800-63B §5.2.2 and OWASP's authentication
// guidance. A hard lockout after N failures would stop guessing, but it
// would also let anyone who knows a person's ID number lock that person out
// of every public service for as long as they care to keep failing. So
// instead of locking, each failure past a free allowance doubles the wait
// before the next attempt, up to a cap: a person who mistypes a few times
// never notices, a guessing attack is held to a few attempts per cap
// interval (about 100 a day per account with AccountThrottle), and the
// victim can always log in again within the cap once the attacker stops or
// is throttled by address. Nothing is ever permanent: a record untouched
// for Forget is treated as empty.
//
// Attempts refused because of the throttle must not be recorded as
// failures; otherwise an attacker hammering during the wait would extend
// it without bound. A successful login clears the account's record.
type Throttle struct {
	// Free is how many failures cost no wait at all.
	Free int
	// Base is the wait after the first failure past Free; each further
	// failure doubles it.
	Base time.Duration
	// Max caps the wait. It is what keeps the throttle from becoming a
	// lockout. A Max below Base counts as Base.
	Max time.Duration
	// Forget is how long after the last failure the record counts as
	// empty; zero means never.
	Forget time.Duration
}

// AccountThrottle limits guesses at one account: 5 free failures (typos,
// a forgotten caps lock), then 30 s doubling to 15 min. A steady attacker
// gets about 100 guesses a day. NIST SP 800-63B asks for no more than 100
// consecutive failures in all before other measures; this allows that many
// per day instead, the price of never locking the holder out, who waits at
// most 15 minutes. The common-password check and the address throttle
// carry the rest.
var AccountThrottle = Throttle{Free: 5, Base: 30 * time.Second, Max: 15 * time.Minute, Forget: 24 * time.Hour}

// AddressThrottle limits guesses from one source address (see AddressKey)
// across all accounts, against an attacker who tries one common password
// on many accounts. It is more generous than AccountThrottle because Viet
// Nam's mobile carriers put many subscribers behind one carrier-grade NAT
// address, and a commune office may send a whole queue of people through
// one connection: 30 free failures, then 5 s doubling to 5 min, forgotten
// after an hour.
var AddressThrottle = Throttle{Free: 30, Base: 5 * time.Second, Max: 5 * time.Minute, Forget: time.Hour}

// FailureRecord counts the recent consecutive failures of one key.
type FailureRecord struct {
	Failures    int
	LastFailure time.Time
}

// Next returns the earliest time another attempt is allowed: the zero time
// when one is allowed at once (no more than Free failures), otherwise
// LastFailure plus the delay of the failure count. Next needs no clock: a
// record that has been forgotten has a Next in the past anyway, since the
// delay is never longer than Forget.
func (t Throttle) Next(r FailureRecord) time.Time {
	d := t.delay(r.Failures)
	if d <= 0 {
		return time.Time{}
	}
	if t.Forget > 0 && d > t.Forget {
		d = t.Forget
	}
	return r.LastFailure.Add(d)
}

// Allow reports whether an attempt at now is allowed by r.
func (t Throttle) Allow(r FailureRecord, now time.Time) bool {
	return !now.Before(t.Next(r))
}

// delay returns the wait after n failures: nothing up to Free, then Base,
// 2·Base, 4·Base, ... up to Max.
func (t Throttle) delay(n int) time.Duration {
	if n <= t.Free || t.Base <= 0 {
		return 0
	}
	limit := max(t.Max, t.Base)
	d := t.Base
	// Doubling stops at the limit, so the loop runs at most about 63 times
	// however large n is and never overflows.
	for i := n - t.Free - 1; i > 0 && d < limit; i-- {
		if d > limit/2 {
			d = limit
			break
		}
		d *= 2
	}
	return min(d, limit)
}

// Record returns r with one more failure at now. A record that has been
// forgotten (no failure for Forget) starts again from one failure.
func (t Throttle) Record(r FailureRecord, now time.Time) FailureRecord {
	if r.Failures <= 0 || (t.Forget > 0 && !now.Before(r.LastFailure.Add(t.Forget))) {
		return FailureRecord{Failures: 1, LastFailure: now}
	}
	// Saturate rather than wrap: the delay stopped growing long before.
	n := r.Failures
	if n < 1<<30 {
		n++
	}
	return FailureRecord{Failures: n, LastFailure: now}
}

// AddressKey returns the throttling key of a source address: an IPv4
// address itself, an IPv6 address its /64 prefix ("2001:db8:1:2::/64").
// Providers give each subscriber, home or phone, a whole /64, so keying on
// the full IPv6 address would let one attacker rotate through 2^64
// addresses. IPv4-mapped IPv6 addresses count as IPv4 and zones are
// dropped. The zero Addr keys as "".
func AddressKey(ip netip.Addr) string {
	if !ip.IsValid() {
		return ""
	}
	ip = ip.Unmap().WithZone("")
	if ip.Is4() {
		return ip.String()
	}
	return netip.PrefixFrom(ip, 64).Masked().String()
}
