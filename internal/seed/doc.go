// Package seed generates a synthetic population of Viet Nam for loading
// into the registry: realistic enough to test search, duplicate detection,
// household and residence rules and the 2025 administrative reform at
// national scale, and entirely invented. No real person's data is read or
// reproduced; names, places and rates come from public aggregate
// statistics (see names.go, places.go and people.go).
//
// A Generator emits registry.LoadBatch values, one per family group (a
// household, sometimes with the household an adult child or a divorced
// spouse set up elsewhere), so that every event's parties are in the batch
// that carries it. Duplicate records are added to a later batch than their
// original, as a separate person with no household. Each person's events
// fold without error (registry.Fold); within a batch they are in recording
// order, and each person's events are recorded in the order they apply, so
// a bulk loader may store them as they are.
//
// Places follow the 2025 reform: events before 1 July 2025 name the old
// commune in force then, later ones its successor; personal ID numbers
// carry the province code of the list in force on their issue date (the
// day the birth was recorded, for older people the 2021 migration into the
// registry). The place catalogue has no history before 4 January 2025 and
// treats the communes of that date as always in force, so older events use
// them too.
//
// Why it is built the way it is:
//
//   - Determinism. The same Config gives byte-identical output: one seeded
//     generator (wyrand) drives every choice in emission order, and nothing
//     depends on map iteration, time or the machine. (A few choices use
//     floating-point functions such as math.Exp; an architecture whose
//     results differ in the last bit could, with vanishing probability,
//     flip one of them.)
//   - Uniqueness without memory. Personal ID serials, household numbers,
//     legacy numbers, phone numbers and event ids come from counters passed
//     through keyed permutations (perm), so they look random, never
//     collide, and need no set of used numbers — the generator runs for 10
//     million persons in bounded memory. Only a small reservoir of recent
//     persons is kept, to copy duplicates and namesakes from.
//   - Speed. Dates are day numbers until an event is written; strings are
//     assembled into reused buffers; no fmt on the hot path.
//   - Known defects. Real registries hold duplicates, gaps and stale data;
//     the generator injects them at documented rates (Rates) and reports
//     each one as a Truth row, so duplicate detection and data-quality
//     checks can be scored against the truth.
package seed
