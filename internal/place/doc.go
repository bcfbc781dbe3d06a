// Package place is dancu's catalogue of Viet Nam's administrative units and
// of how they changed: the 63 provinces, their districts and communes in
// force until 30 June 2025, the 34 provinces and their communes in force
// since the reform of 1 July 2025 (ReformDate), and which new units stand for
// each old one.
//
// A code means nothing without a date. The reform re-used old codes for new
// units, often for a different place: province 15 was Yên Bái until
// 2025-06-30 and is Lào Cai from 2025-07-01; commune 00004 was Phường Trúc
// Bạch and is now Phường Ba Đình. Every query therefore takes the date on
// which the code was valid (the date of the record that carries it), and
// every old unit and new unit is a distinct Unit, even when the name and code
// did not change (they are then linked as Unchanged).
//
// Resolve maps an old unit to the unit or units that stand for it today. An
// old commune split between several new communes resolves to all of them,
// with Resolution.Ambiguous set: the catalogue never guesses which part of a
// split unit an address lies in. Successor.AllResidents marks the successor
// that, according to the conversion table, received all of the old unit's
// population even though its land was divided.
//
// The catalogue is built from two published tables, cleaned by the generator
// in internal/gencatalog into data/units.csv and data/successions.csv and
// embedded in the binary; data/README.md says where the tables come from and
// every cleaning decision. Default returns the embedded catalogue, parsed
// once and safe for concurrent use.
package place

//go:generate go run ./internal/gencatalog -src ../../../shared/data/places -out data
