// Package registry is the population registry (Cơ sở dữ liệu quốc gia về
// dân cư): citizens, households, residence and life events.
//
// Every change is an Event with an effective date (when it became true), the
// time it was recorded (when the registry learned it), the recording
// officer, a legal basis and a reason. Events are appended, never moved or
// rewritten. A citizen's state is the fold of their events in effective-date
// order; the stored current record is that fold, updated in the same
// transaction as the event. Reads take as_of (what was true on a date) and
// known_at (what the registry knew at an instant), so a back-dated
// correction changes what is answered from its recording on, never what was
// answered before. A back-dated event is folded together with everything
// after it, and refused, naming the conflicting event, if it would make any
// later event impossible.
//
// Each person has an internal key that never leaves the process. Personal
// ID numbers, legacy 9-digit numbers and numbers retired by corrections are
// aliases that all resolve to the key.
//
// The package holds types, rules and the Store interface; storage adapters
// live in internal/store.
package registry
