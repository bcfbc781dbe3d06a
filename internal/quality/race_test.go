//go:build race

package quality

// raceEnabled reports whether the race detector is on; it allocates where
// the allocation tests do not expect it.
const raceEnabled = true
