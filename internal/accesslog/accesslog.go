// Package accesslog records every read of a person's data: who read it, in
// what role and unit, for which declared purpose, which fields, and when.
// A row is written durably before the data leaves dancu — no log, no data —
// and there is one row per person returned, searches included.
//
// This package holds the record and the interface. Tamper evidence (signed
// Merkle checkpoints) and the citizen's own view of the log are built on the
// same rows by the data-sharing gateway.
package accesslog

import (
	"context"
	"time"
)

// Action says what the access was part of.
type Action string

const (
	ActionRead   Action = "read"   // a record or its history was returned
	ActionSearch Action = "search" // the person was among search results
	ActionWrite  Action = "write"  // the person was returned after a change
)

// Entry is one access to one person's data.
type Entry struct {
	At        time.Time
	ActorKind string
	ActorID   string
	Role      string
	Unit      string
	Purpose   string
	// PersonKey is the internal key of the person whose data was returned.
	PersonKey int64
	// Fields names the fields returned, as the API spells them.
	Fields    []string
	Action    Action
	RequestID string
	// Member is the organisation of an agency system (ActorKind client
	// acting through the data-sharing gateway); empty otherwise.
	Member string
	// LegalBasis is the law or decision the purpose rests on, for reads
	// through a grant of the data-sharing gateway.
	LegalBasis string
	// Result is what the read answered, where that matters to the person
	// ("match", "no_match", "not_found" for a verification).
	Result string
	// VisibleFrom withholds the entry from the person's own view until
	// then, where a legal basis allows (an investigation); zero means at
	// once.
	VisibleFrom time.Time
}

// Reader lists what was read of one person, newest first: the person's own
// view of who used their data. before pages back: entries strictly older
// than it (the zero time means from now). visibleAt leaves out the entries
// withheld from the person until after it (the zero time leaves none out,
// for officers who may see them).
type Reader interface {
	About(ctx context.Context, person int64, before, visibleAt time.Time, limit int) ([]Entry, error)
}

// Recorder writes access entries durably.
type Recorder interface {
	// Record writes all entries, or none, and returns only once they are
	// durable. Callers must not send the data if it returns an error.
	Record(ctx context.Context, entries []Entry) error
}
