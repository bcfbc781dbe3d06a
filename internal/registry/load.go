package registry

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"dancu/internal/civil"
)

// Initial loads (seeding, importing a migrated registry) write millions of
// people with their whole histories. Event by event, with a fold, a
// transaction and an outbox message each, that would take days and flood
// change subscribers with events that are not changes. The load path
// instead folds each new person once over the events of its batch and
// writes persons, numbers, events, records and their projections in bulk,
// one transaction per batch. The rules are the same: every person's history
// must fold, exactly as an online write would.

// LoadBatch is a piece of an initial load: new persons with their whole
// histories. Every event's parties are persons of the same batch or persons
// already stored; each event appears once, under no particular person. Keys
// of the batch's persons are provisional: the loader replaces them with
// keys reserved in the store, wherever they appear.
type LoadBatch struct {
	Persons    []LoadPerson
	Events     []*Event
	Households []*Household // new households (their Members are ignored)
}

// LoadPerson is a new person of a batch.
type LoadPerson struct {
	Key     PersonKey
	Created time.Time
	// Aliases are every number the person has: the personal ID number (kind
	// pid, whose ValidFrom is its issue date) and legacy numbers.
	Aliases []Alias
}

// PreparedBatch is a batch with real keys, every record folded and
// projected, ready to be written in one transaction.
type PreparedBatch struct {
	Persons    []LoadPerson
	Events     []*Event // in recording order; the store assigns Seq in this order
	Households []*Household
	// Citizens are the new persons' records and Projections theirs.
	Citizens    []*Citizen
	Projections []Projection
	// Updated are stored persons whose records the batch changes (a spouse
	// loaded earlier), with the version the change was folded on: the load
	// fails with ErrLoadConflict if it changed meanwhile.
	Updated            []*Citizen
	UpdatedProjections []Projection
	UpdatedFrom        []int64
	// Checkpoint, when set, is stored in the same transaction: where an
	// import stands once this batch is loaded.
	Checkpoint *ImportCheckpoint
	// Encoded is the store's own form of the batch (Loader.Encode).
	Encoded any
}

// ImportCheckpoint is how far an import of one file has got. It is written
// in the transaction of the batch it follows, so a killed import resumes at
// the first record not loaded, never loading one twice.
type ImportCheckpoint struct {
	FileID     string // sha256 of the file's content
	Name       string
	Format     string
	NextOffset int64 // byte offset of the first record not yet handled
	NextLine   int64
	Records    int64 // records handled (loaded or rejected)
	Loaded     int64
	Rejected   int64
	StartedAt  time.Time
	UpdatedAt  time.Time
	Finished   bool
}

// ErrLoadConflict says a batch met a concurrent writer (a key or sequence
// number taken, a spouse's record changed); preparing it again resolves it.
var ErrLoadConflict = errors.New("load conflicts with a concurrent write")

// Loader is the store's bulk path.
type Loader interface {
	// ReserveKeys returns n person keys that no other writer will use.
	ReserveKeys(ctx context.Context, n int) ([]PersonKey, error)
	// Encode turns a prepared batch into the store's rows ahead of Load,
	// so that work runs in parallel with the writer; Load does it when it
	// was not done.
	Encode(ctx context.Context, b *PreparedBatch) error
	// Load writes a prepared batch in one transaction.
	Load(ctx context.Context, b *PreparedBatch) error
}

// PrepareLoad gives a batch real keys and folds and projects every person
// it touches. It does not modify b. A history that does not fold is an
// error naming the person and the event: a loader bug or a bad input row.
func (s *Service) PrepareLoad(ctx context.Context, ld Loader, b *LoadBatch, today civil.Date) (*PreparedBatch, error) {
	keys, err := ld.ReserveKeys(ctx, len(b.Persons))
	if err != nil {
		return nil, err
	}
	remap := make(map[PersonKey]PersonKey, len(b.Persons))
	isNew := make(map[PersonKey]bool, len(b.Persons))
	for i, p := range b.Persons {
		remap[p.Key] = keys[i]
		isNew[keys[i]] = true
	}
	key := func(k PersonKey) PersonKey {
		if r, ok := remap[k]; ok {
			return r
		}
		return k
	}
	pb := &PreparedBatch{
		Persons:    make([]LoadPerson, len(b.Persons)),
		Events:     make([]*Event, len(b.Events)),
		Households: b.Households,
	}
	for i, p := range b.Persons {
		p.Key = keys[i]
		p.Aliases = slices.Clone(p.Aliases)
		for j := range p.Aliases {
			p.Aliases[j].Person = keys[i]
		}
		pb.Persons[i] = p
	}
	byParty := make(map[PersonKey][]*Event, len(b.Persons))
	var outside []PersonKey
	for i, e := range b.Events {
		ce := *e
		ce.Subject = key(e.Subject)
		ce.Parties = make([]PersonKey, len(e.Parties))
		for j, p := range e.Parties {
			ce.Parties[j] = key(p)
		}
		d := &ce.Data
		d.Mother, d.Father, d.Spouse, d.NewHead = key(d.Mother), key(d.Father), key(d.Spouse), key(d.NewHead)
		// Provisional sequence numbers keep the batch's order; the store's
		// are assigned in the same order, after every stored event.
		ce.Seq = pendingSeq - int64(len(b.Events)) + int64(i)
		pb.Events[i] = &ce
		for _, p := range ce.Parties {
			if _, seen := byParty[p]; !seen && !isNew[p] {
				outside = append(outside, p)
			}
			byParty[p] = append(byParty[p], &ce)
		}
	}
	pb.Citizens = make([]*Citizen, len(pb.Persons))
	pb.Projections = make([]Projection, len(pb.Persons))
	for i, p := range pb.Persons {
		c, rerr := Fold(p.Key, byParty[p.Key], civil.Date{})
		if rerr != nil {
			return nil, fmt.Errorf("person %d of the batch: %s event %s: %s", i, rerr.Event.Type, rerr.Event.ID, rerr.Message)
		}
		if !c.Exists() {
			return nil, fmt.Errorf("person %d of the batch has no birth event", i)
		}
		pb.Citizens[i] = c
		pb.Projections[i] = s.Project(c, today)
	}
	if len(outside) == 0 {
		return pb, nil
	}
	err = s.Store.View(ctx, func(tx ReadTx) error {
		for _, k := range outside {
			stored, err := tx.Citizen(ctx, k)
			if err != nil {
				return fmt.Errorf("person %d named by the batch: %w", k, err)
			}
			evs, err := tx.Events(ctx, k, time.Time{})
			if err != nil {
				return err
			}
			c, rerr := Fold(k, append(evs, byParty[k]...), civil.Date{})
			if rerr != nil {
				return fmt.Errorf("%s (%s event %s): %s", stored.PID, rerr.Event.Type, rerr.Event.ID, rerr.Message)
			}
			pb.Updated = append(pb.Updated, c)
			pb.UpdatedProjections = append(pb.UpdatedProjections, s.Project(c, today))
			pb.UpdatedFrom = append(pb.UpdatedFrom, stored.Version)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return pb, nil
}
