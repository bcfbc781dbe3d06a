package registry

import (
	"context"
	"time"

	"dancu/internal/accesslog"
	"dancu/internal/civil"
	"dancu/internal/events"
)

// Store is the registry's storage. Implementations: internal/store/sqlite
// and internal/store/postgres, both checked by internal/store/storetest.
//
// Errors: methods return *errs.Error of kind NotFound for missing rows;
// anything else is an internal error.
type Store interface {
	// Update runs fn in one read-write transaction and commits when fn
	// returns nil; when fn returns an error nothing fn wrote survives.
	// Implementations may run fn more than once when the database reports a
	// serialisation failure or deadlock, so fn must not have effects outside
	// the transaction.
	Update(ctx context.Context, fn func(Tx) error) error
	// View runs fn in a read-only transaction that sees one snapshot.
	View(ctx context.Context, fn func(ReadTx) error) error
	// Record writes access-log entries durably (see accesslog.Recorder).
	accesslog.Recorder
}

// ReadTx reads the registry.
type ReadTx interface {
	// Resolve returns the alias a number is, whatever its kind.
	Resolve(ctx context.Context, number string) (Alias, error)
	// Citizen returns the stored current record of a person.
	Citizen(ctx context.Context, key PersonKey) (*Citizen, error)
	// CitizenByNumber returns the stored record of the person a number
	// (of any kind) is an alias of: Resolve and Citizen in one lookup.
	CitizenByNumber(ctx context.Context, number string) (*Citizen, error)
	// ResolveNumbers returns the persons the numbers (sorted, distinct) are
	// aliases of, each at its number's place, 0 for numbers no one has.
	ResolveNumbers(ctx context.Context, numbers []string) ([]PersonKey, error)
	// ExaminedRecords returns the examined part (ExaminedRecord) of the
	// stored records of keys (ascending, distinct); keys no one has are
	// left out.
	ExaminedRecords(ctx context.Context, keys []PersonKey) ([]*Citizen, error)
	// Events returns every event in which key is a party and that was
	// recorded at or before knownAt (all when knownAt is zero), in the order
	// they apply.
	Events(ctx context.Context, key PersonKey, knownAt time.Time) ([]*Event, error)
	// EventPage returns up to limit events of any of keys after the cursor
	// position, in the order they apply, each once.
	EventPage(ctx context.Context, keys []PersonKey, after EventPosition, limit int) ([]*Event, error)
	// LatestRecordedAt returns the latest recording instant of any event of
	// the persons, or the zero time when they have none.
	LatestRecordedAt(ctx context.Context, keys []PersonKey) (time.Time, error)
	// Children returns the stored records of the persons whose mother or
	// father is key.
	Children(ctx context.Context, key PersonKey) ([]*Citizen, error)
	// PIDs returns the current personal ID numbers of persons.
	PIDs(ctx context.Context, keys []PersonKey) (map[PersonKey]string, error)
	// Household returns a household with its members in force on day (no
	// members when day is zero).
	Household(ctx context.Context, id string, day civil.Date) (*Household, error)
	// HouseholdHistory returns every membership period of a household,
	// ended ones included, in the order they began.
	HouseholdHistory(ctx context.Context, id string) ([]Member, error)
	// Search finds persons by folded name, newest cursor first.
	Search(ctx context.Context, q SearchQuery) ([]*Citizen, error)
	// ExportPage returns up to limit records, oldest birth first, after the
	// cursor; attached to unit when unit is not empty.
	ExportPage(ctx context.Context, unit string, after ExportCursor, limit int) ([]*Citizen, error)
	// Counts returns the number of rows in every table, for tests that check
	// a failed request wrote nothing.
	Counts(ctx context.Context) (map[string]int64, error)
}

// ExportCursor is where an export stands: records are exported oldest
// birth first, so parents come before their children and a file exported
// can be imported again.
type ExportCursor struct {
	BirthFrom string
	Key       PersonKey
}

// EventPosition is where an event stands in the order events apply.
type EventPosition struct {
	Effective string // first day of the effective date, YYYY-MM-DD
	Seq       int64
}

// SearchQuery selects persons by name.
type SearchQuery struct {
	// Name is a folded name (vntext.Fold): it matches a folded full, other
	// or former name exactly or as a prefix of whole tokens.
	Name string
	// BirthFrom and BirthTo, when set, keep persons whose birth interval
	// overlaps them.
	BirthFrom, BirthTo civil.Date
	// Unit, when set, keeps persons attached to that unit on day On.
	Unit string
	On   civil.Date
	// AfterPID is the cursor: results have a greater personal ID number.
	AfterPID string
	Limit    int
}

// Tx writes the registry inside one transaction.
type Tx interface {
	ReadTx
	// LockPersons takes a row lock on each person, in key order, and holds
	// it until the transaction ends, so checks made after it cannot be
	// invalidated by a concurrent writer.
	LockPersons(ctx context.Context, keys ...PersonKey) error
	// LockHousehold locks a household row the same way.
	LockHousehold(ctx context.Context, id string) error
	// NewPerson creates a person and returns its internal key.
	NewPerson(ctx context.Context, at time.Time) (PersonKey, error)
	// AddAlias stores a number for a person. It reports false, writing
	// nothing, when the number is already taken by anyone, ever.
	AddAlias(ctx context.Context, a Alias) (bool, error)
	// RetireAlias marks a person's number as retired from validTo on.
	RetireAlias(ctx context.Context, number string, validTo civil.Date, eventID string) error
	// AppendEvent stores a new event and sets its Seq.
	AppendEvent(ctx context.Context, e *Event) error
	// SaveCitizen stores the current record of a person (its fold over
	// every known event) with its projection: the units it is attached to,
	// for searches within a unit, and its quality mark.
	SaveCitizen(ctx context.Context, c *Citizen, p Projection) error
	// CreateHousehold stores a new household.
	CreateHousehold(ctx context.Context, h *Household) error
	// Outbox appends a message to the transactional outbox.
	Outbox(ctx context.Context, m events.Message) error
	// LogAccess writes access-log entries in this transaction.
	LogAccess(ctx context.Context, entries []accesslog.Entry) error
	// ClaimIdempotencyKey reserves (actor, key) for a request with the given
	// hash. When the key was used before it returns the stored response
	// instead; when it was used for a different request it returns an
	// Unprocessable error.
	ClaimIdempotencyKey(ctx context.Context, actorID, key, requestHash string) (*StoredResponse, error)
	// CompleteIdempotencyKey stores the response for a claimed key.
	CompleteIdempotencyKey(ctx context.Context, actorID, key string, resp StoredResponse) error
}

// StoredResponse is the first response to an idempotent request.
type StoredResponse struct {
	Status int
	Body   []byte
	// Location is the Location header, if the response had one.
	Location string
	// Person is whose data the response carries: a replay is a read of it
	// and is access-logged as one.
	Person PersonKey
}

// Projection is what is stored beside a person's record for searches and
// reports.
type Projection struct {
	Units   []UnitSpan
	Quality QualityMark
}

// QualityMark is a record's data-quality grade (see internal/quality).
type QualityMark struct {
	Flags uint64 // one bit per rule broken
	Score int    // 0–100
	// AliveFrom is the first day a time-dependent rule would fire with no
	// new event (a temporary residence running out), zero when none would.
	AliveFrom civil.Date
}

// Assessor grades a record on a day.
type Assessor func(c *Citizen, today civil.Date) QualityMark

// UnitSpan is a current commune or province a person is attached to, until
// a date (zero: with no end in sight).
type UnitSpan struct {
	Unit  string
	Until civil.Date
}

type readYourWritesKey struct{}

// ReadYourWrites marks reads that must see the caller's own recent writes:
// they go to the primary database rather than a replica that may lag.
func ReadYourWrites(ctx context.Context) context.Context {
	return context.WithValue(ctx, readYourWritesKey{}, true)
}

// ReadsYourWrites reports whether ctx was marked by ReadYourWrites.
func ReadsYourWrites(ctx context.Context) bool {
	v, _ := ctx.Value(readYourWritesKey{}).(bool)
	return v
}
