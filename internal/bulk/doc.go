// Package bulk is the file format of dancu import and dancu export: one
// person per row, in CSV or JSON lines, with the same columns in both (see
// Columns and Row). It reads and writes such files and checks each row
// against the registry's rules; loading rows into the registry, resuming an
// interrupted import and the command line live elsewhere.
//
// # Format
//
// A CSV file (RFC 4180, UTF-8, comma-separated, LF or CRLF line endings, an
// optional UTF-8 byte-order mark) begins with a header line naming its
// columns, in any order; a column the file does not have is empty in every
// row, but pid, full_name, birth_date, sex and registration_place or
// registration_country must be there. A field holding a comma, a quote or a
// line break is quoted, with quotes inside doubled; a quoted field may span
// lines (at most MaxRecordLines).
//
// A JSON lines file holds one JSON object per line whose keys are the same
// column names and whose values are strings (or null, read as empty). A
// number is refused even for pid: a personal ID number written as a JSON
// number has lost its leading zeros.
//
// In both formats every value is trimmed of surrounding white space and
// brought to Unicode NFC, so text typed in decomposed form (NFD), or a file
// mixing the two, reads the same as precomposed text. Lists (legacy_ids,
// other_names, phones) are one string whose items are separated by ";".
// Dates are YYYY-MM-DD, or YYYY-MM or YYYY where only that much is known
// (dates of events, such as residences, marriages and deaths, must be full).
// Place codes are administrative unit codes as they were on the date they
// go with: a birth place on the birth date, a residence on its start date.
//
// # Bad input
//
// Reading never stops at a bad row. A row that cannot be read (not UTF-8, a
// wrong number of fields, malformed quoting or JSON, a duplicate or unknown
// JSON key, a value that is not a string, more than MaxRecordBytes) comes
// back from Reader.Next as a Record with Problems, so the importer can write
// it to its rejects file (WriteReject) and go on; Next returns an error only
// when reading the file itself fails. After a malformed multi-line record,
// only its first line is rejected and reading resumes on the next line, so
// one stray quote costs one row, not the rest of the file. Memory stays
// bounded whatever the file holds.
//
// # Checking
//
// Row.Check applies to each value the rules the registry applies to the
// same value online (number syntax, names, dates not in the future, places
// in force on their dates, catalogue codes, phone numbers, consistency of
// status, death and residence dates) and returns a typed Person for the
// loader, or every problem. A personal ID number whose digits disagree with
// the person is kept, with a warning: a migration must not drop real people
// over data-quality findings. Numbers finds a number given by two rows of
// one file; relations between rows (parents, spouses, households) are the
// loader's to resolve.
//
// Problems carry stable codes (the Code constants) that name what is wrong,
// the column it is wrong in, and an English message that says what would be
// right.
//
// # Positions
//
// Every record carries the 1-based line on which it starts and the byte
// offset of its first byte. Reader.Position after a record is where the next
// one starts; NewReaderAt continues from such a position, so an importer that
// stores the position with each committed batch resumes exactly after it
// without reading the file again.
package bulk
