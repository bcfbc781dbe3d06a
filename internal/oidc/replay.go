package oidc

import (
	"crypto/sha256"
	"sync"
	"time"
)

// replayCache remembers the client assertions (private_key_jwt) already
// spent, each until it expires: zitadel checks an assertion's signature
// and times, never its jti. Entries sit in buckets by expiry, so
// forgetting the expired costs nothing per request: a whole bucket goes
// at once, and every entry is removed exactly once. Only verified
// assertions are remembered, so only a registered client signing with its
// own key can grow the cache. The cache is per process; several
// processes behind one address each refuse a replay to themselves.
type replayCache struct {
	mu      sync.Mutex
	seen    map[replayKey]int64   // the bucket each spent assertion expires in
	buckets map[int64][]replayKey // bucket → the assertions expiring in it
	swept   int64                 // buckets before this are gone
}

type replayKey [16]byte

// replayBucket is the width of a bucket: an assertion is forgotten at
// most this long after it expires.
const replayBucket = 10 * time.Second

func newReplayCache() *replayCache {
	return &replayCache{seen: map[replayKey]int64{}, buckets: map[int64][]replayKey{}}
}

// spend records the assertion issuer/jti, valid until exp, and reports
// whether it was fresh; false means it was already spent.
func (c *replayCache) spend(issuer, jti string, exp, now time.Time) bool {
	h := sha256.Sum256([]byte(issuer + "\x00" + jti))
	key := replayKey(h[:16])
	bucket := exp.UnixNano()/int64(replayBucket) + 1 // the first bucket wholly after exp
	current := now.UnixNano() / int64(replayBucket)
	c.mu.Lock()
	defer c.mu.Unlock()
	if current > c.swept {
		for b, keys := range c.buckets {
			if b > current {
				continue
			}
			for _, k := range keys {
				if c.seen[k] == b {
					delete(c.seen, k)
				}
			}
			delete(c.buckets, b)
		}
		c.swept = current
	}
	if b, ok := c.seen[key]; ok && b > current {
		return false
	}
	c.seen[key] = bucket
	c.buckets[bucket] = append(c.buckets[bucket], key)
	return true
}

// size is how many spent assertions are remembered.
func (c *replayCache) size() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.seen)
}
