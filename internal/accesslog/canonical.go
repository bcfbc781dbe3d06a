// The canonical encoding turns an Entry into the bytes the Merkle tree
// commits to. Signed checkpoints vouch for these bytes, not for database
// rows, so the encoding must be the same on every machine and for ever: a
// verifier years from now recomputes it from the rows and compares against
// checkpoints signed today. It must also be unambiguous, so that no two
// different entries share an encoding and a forger cannot move bytes from
// one field to the next while keeping the hash.

package accesslog

import (
	"encoding/binary"
	"fmt"
	"math"
	"time"

	"golang.org/x/mod/sumdb/tlog"
)

// leafVersion is the first byte of every leaf. A change to the encoding
// below must use a new version and keep encoding old entries with the old
// one, or logs written before the change stop verifying.
const leafVersion = 1

// Leaf returns the canonical encoding of e that the log's Merkle tree
// hashes. The format is stable: changing it breaks verification of every
// log already written.
//
// Version 1, all integers big-endian, each field in this order:
//
//	byte     version, 1
//	int64    At, Unix microseconds (UTC)
//	string   ActorKind
//	string   ActorID
//	string   Role
//	string   Unit
//	string   Purpose
//	int64    PersonKey
//	uint32   number of Fields, then each field name as a string, in order
//	string   Action
//	string   RequestID
//	string   Member
//	string   LegalBasis
//	string   Result
//	int64    VisibleFrom, Unix microseconds (UTC)
//
// where a string is a uint32 byte length followed by the bytes as given
// (not normalised). Times keep microseconds and drop nanoseconds, which is
// what SQL databases store; a zero time encodes as the zero time's Unix
// microseconds (-62135596800000000), not as 0. A nil and an empty Fields
// encode alike.
//
// Whoever appends entries to the tree must hash them exactly as the store
// will later return them: a store that rounds times differently, or reads
// a zero VisibleFrom back as 1970-01-01, makes an honest log fail to verify.
func (e Entry) Leaf() []byte {
	size := 1 + 8 + 8 + 4 + 8
	for _, s := range e.strings() {
		size += 4 + len(s)
	}
	for _, f := range e.Fields {
		size += 4 + len(f)
	}

	b := make([]byte, 0, size)
	b = append(b, leafVersion)
	b = appendTime(b, e.At)
	b = appendString(b, e.ActorKind)
	b = appendString(b, e.ActorID)
	b = appendString(b, e.Role)
	b = appendString(b, e.Unit)
	b = appendString(b, e.Purpose)
	b = binary.BigEndian.AppendUint64(b, uint64(e.PersonKey))
	b = binary.BigEndian.AppendUint32(b, checkedLen(len(e.Fields)))
	for _, f := range e.Fields {
		b = appendString(b, f)
	}
	b = appendString(b, string(e.Action))
	b = appendString(b, e.RequestID)
	b = appendString(b, e.Member)
	b = appendString(b, e.LegalBasis)
	b = appendString(b, e.Result)
	b = appendTime(b, e.VisibleFrom)
	return b
}

// LeafHash returns the RFC 6962 leaf hash of e: SHA-256(0x00 || e.Leaf()).
// The 0x00 prefix keeps a leaf from ever hashing like an interior node.
func LeafHash(e Entry) [32]byte {
	return tlog.RecordHash(e.Leaf())
}

// strings lists the string fields other than Fields, for sizing the buffer.
func (e Entry) strings() [10]string {
	return [10]string{
		e.ActorKind, e.ActorID, e.Role, e.Unit, e.Purpose,
		string(e.Action), e.RequestID, e.Member, e.LegalBasis, e.Result,
	}
}

func appendTime(b []byte, t time.Time) []byte {
	return binary.BigEndian.AppendUint64(b, uint64(t.UnixMicro()))
}

func appendString(b []byte, s string) []byte {
	b = binary.BigEndian.AppendUint32(b, checkedLen(len(s)))
	return append(b, s...)
}

// checkedLen panics rather than let a length wrap around, which would make
// the encoding ambiguous. No database row comes near 4 GiB.
func checkedLen(n int) uint32 {
	if uint64(n) > math.MaxUint32 {
		panic(fmt.Sprintf("accesslog: entry field of %d bytes is too long to encode", n))
	}
	return uint32(n)
}
