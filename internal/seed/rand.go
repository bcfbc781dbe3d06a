package seed

import "math/bits"

// rng is wyrand: one word of state, fast, and the same sequence on every
// platform and Go version, which a generator promising byte-identical
// output for a seed needs (math/rand's sources make no such promise across
// releases for every method).
type rng struct{ s uint64 }

func newRNG(seed, stream uint64) rng {
	return rng{s: mix64(seed ^ mix64(stream+0x9e3779b97f4a7c15))}
}

func (r *rng) u64() uint64 {
	r.s += 0xa0761d6478bd642f
	hi, lo := bits.Mul64(r.s, r.s^0xe7037ed1a0b428db)
	return hi ^ lo
}

// intn returns a number in [0, n); n must be positive. Lemire's
// multiply-high reduction: unbiased enough for data generation and without
// a division.
func (r *rng) intn(n int) int {
	hi, _ := bits.Mul64(r.u64(), uint64(n))
	return int(hi)
}

// between returns a number in [lo, hi]; hi < lo gives lo.
func (r *rng) between(lo, hi int) int {
	if hi <= lo {
		return lo
	}
	return lo + r.intn(hi-lo+1)
}

// dayIn returns a day in [lo, hi]; hi < lo gives lo.
func (r *rng) dayIn(lo, hi day) day {
	if hi <= lo {
		return lo
	}
	return lo + day(r.intn(int(hi-lo)+1))
}

func (r *rng) f64() float64 { return float64(r.u64()>>11) / (1 << 53) }

func (r *rng) chance(p float64) bool { return p > 0 && r.f64() < p }

// normal returns an approximately standard normal number (Irwin–Hall with
// four terms, rescaled): cheap, bounded at ±3.46, which keeps ages and
// dates away from absurd tails.
func (r *rng) normal() float64 {
	s := r.f64() + r.f64() + r.f64() + r.f64()
	return (s - 2) * 1.7320508075688772
}

// mix64 is the SplitMix64 finaliser. It is a bijection on uint64, which the
// id generators rely on: distinct counters give distinct outputs.
func mix64(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}

// table draws indexes with fixed relative weights.
type table struct {
	cum []uint32
}

func newTable(ws []uint32) table {
	t := table{cum: make([]uint32, len(ws))}
	var s uint32
	for i, w := range ws {
		s += w
		t.cum[i] = s
	}
	if s == 0 {
		panic("seed: table with no weight")
	}
	return t
}

// pick returns an index with probability proportional to its weight.
func (t *table) pick(r *rng) int {
	x := uint32(r.intn(int(t.cum[len(t.cum)-1])))
	lo, hi := 0, len(t.cum)-1
	for lo < hi {
		m := (lo + hi) / 2
		if t.cum[m] > x {
			hi = m
		} else {
			lo = m + 1
		}
	}
	return lo
}

// perm is a keyed pseudo-random permutation of [0, n): a four-round
// Feistel network on the smallest even number of bits that holds n, with
// cycle walking to stay below n. It turns counters into numbers that look
// random (serials, household numbers, phone numbers) while staying unique
// by construction, with no set of numbers already used to keep in memory.
type perm struct {
	n    uint64
	half uint
	mask uint64
}

func newPerm(n uint64) perm {
	b := uint(bits.Len64(n - 1))
	if b < 2 {
		b = 2
	}
	b = (b + 1) / 2
	return perm{n: n, half: b, mask: 1<<b - 1}
}

// at returns the image of i < n under the permutation keyed by key.
func (p perm) at(i, key uint64) uint64 {
	x := i
	for {
		l, r := x>>p.half, x&p.mask
		for k := uint64(0); k < 4; k++ {
			l, r = r, l^(mix64(r^key^(k+1)*0x9e3779b97f4a7c15)&p.mask)
		}
		x = l<<p.half | r
		if x < p.n {
			return x
		}
	}
}
