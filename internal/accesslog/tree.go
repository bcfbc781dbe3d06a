// The tree turns the whole log into one 32-byte root hash that changes if
// any entry is edited, removed, reordered or added. Signing that root from
// time to time (a checkpoint) is what makes the log tamper-evident. The
// shape is RFC 6962's, as used by Certificate Transparency and Go's checksum
// database, so standard tools and proofs apply to it.
//
// Appending needs only the roots of the perfect subtrees the log decomposes
// into — one per set bit of its size, at most 63 — not the entries, so the
// sequencer keeps a few kilobytes of state, persists it in one row, and the
// verifier streams a log of any length in constant memory.

package accesslog

import (
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"math/bits"

	"golang.org/x/mod/sumdb/tlog"
)

// treeStateVersion is the first byte of a marshalled Tree.
const treeStateVersion = 1

// maxLevels is the number of perfect subtrees a tree of up to
// math.MaxInt64 leaves can hold: one per bit of its size.
const maxLevels = 63

// Tree is an append-only RFC 6962 Merkle tree that keeps only its compact
// range: for each set bit i of its size, the root of the perfect subtree of
// 2^i leaves at that position. The zero Tree is empty and ready to use.
//
// A Tree is a plain value: copying it takes an independent snapshot.
type Tree struct {
	size int64
	// subtrees[i] is the root of the perfect subtree of 2^i leaves when
	// bit i of size is set, and meaningless otherwise.
	subtrees [maxLevels][32]byte
}

// AppendHash adds a leaf, given its leaf hash (see LeafHash).
// It panics if the tree already holds math.MaxInt64 leaves.
func (t *Tree) AppendHash(leaf [32]byte) {
	if t.size == math.MaxInt64 {
		panic("accesslog: Merkle tree is full")
	}
	// Adding one leaf carries like binary addition: each trailing one bit
	// of the size is a perfect subtree that merges with the new one.
	h := tlog.Hash(leaf)
	level := 0
	for ; t.size&(1<<level) != 0; level++ {
		h = tlog.NodeHash(t.subtrees[level], h)
	}
	t.subtrees[level] = h
	t.size++
}

// Append adds e as the next leaf.
func (t *Tree) Append(e Entry) {
	t.AppendHash(LeafHash(e))
}

// Size returns the number of leaves.
func (t *Tree) Size() int64 {
	return t.size
}

// Root returns the RFC 6962 tree hash of all leaves so far. The empty
// tree's root is SHA-256 of the empty string.
func (t *Tree) Root() [32]byte {
	if t.size == 0 {
		return sha256.Sum256(nil)
	}
	// RFC 6962 hashes the largest perfect subtree with the tree of the
	// rest, so fold from the smallest subtree (rightmost) up.
	var root tlog.Hash
	first := true
	for level := range maxLevels {
		if t.size&(1<<level) == 0 {
			continue
		}
		if first {
			root, first = t.subtrees[level], false
			continue
		}
		root = tlog.NodeHash(t.subtrees[level], root)
	}
	return root
}

// MarshalBinary encodes the tree's state so that a sequencer can keep it in
// one database row and continue appending after a restart:
//
//	byte     version, 1
//	uint64   size, big-endian
//	32 bytes per set bit of size: the subtree roots, largest (leftmost) first
//
// At most 1 + 8 + 63*32 = 2025 bytes.
//
// Whoever can write the database can write this row too. Before signing a
// checkpoint on top of restored state, compare Root and Size with the last
// checkpoint signed (kept outside the database), or the new checkpoint may
// vouch for a log that was changed while the sequencer was down.
func (t *Tree) MarshalBinary() ([]byte, error) {
	b := make([]byte, 0, 1+8+32*bits.OnesCount64(uint64(t.size)))
	b = append(b, treeStateVersion)
	b = binary.BigEndian.AppendUint64(b, uint64(t.size))
	for level := maxLevels - 1; level >= 0; level-- {
		if t.size&(1<<level) != 0 {
			b = append(b, t.subtrees[level][:]...)
		}
	}
	return b, nil
}

// UnmarshalBinary restores state written by MarshalBinary. On error the
// tree is left unchanged.
func (t *Tree) UnmarshalBinary(data []byte) error {
	if len(data) < 1+8 {
		return errors.New("accesslog: tree state is truncated")
	}
	if data[0] != treeStateVersion {
		return fmt.Errorf("accesslog: tree state has unknown version %d", data[0])
	}
	u := binary.BigEndian.Uint64(data[1:9])
	if u > math.MaxInt64 {
		return fmt.Errorf("accesslog: tree state has impossible size %d", u)
	}
	size := int64(u)
	hashes := data[9:]
	if want := 32 * bits.OnesCount64(u); len(hashes) != want {
		return fmt.Errorf("accesslog: tree state of size %d has %d bytes of hashes, want %d", size, len(hashes), want)
	}

	var restored Tree
	restored.size = size
	for level := maxLevels - 1; level >= 0; level-- {
		if size&(1<<level) != 0 {
			copy(restored.subtrees[level][:], hashes)
			hashes = hashes[32:]
		}
	}
	*t = restored
	return nil
}
