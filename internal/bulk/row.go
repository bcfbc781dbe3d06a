package bulk

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"dancu/internal/errs"
)

// Row is one person as a file holds them: every value a string, exactly as
// read (trimmed and in NFC). Check turns it into a Person. The json tags are
// the CSV column names.
type Row struct {
	PID       string `json:"pid,omitempty"`        // số định danh cá nhân, 12 digits
	LegacyIDs string `json:"legacy_ids,omitempty"` // CMND numbers, 9 or 12 digits, ";"-separated

	FullName   string `json:"full_name,omitempty"`
	OtherNames string `json:"other_names,omitempty"` // ";"-separated
	BirthDate  string `json:"birth_date,omitempty"`  // YYYY-MM-DD, YYYY-MM or YYYY
	Sex        string `json:"sex,omitempty"`         // male, female (nam, nữ accepted)

	BirthPlace          string `json:"birth_place,omitempty"`          // commune code valid on the birth date
	BirthCountry        string `json:"birth_country,omitempty"`        // ISO 3166-1 code, for a birth abroad
	RegistrationPlace   string `json:"registration_place,omitempty"`   // commune of birth registration (nơi đăng ký khai sinh)
	RegistrationCountry string `json:"registration_country,omitempty"` // country of a birth registered abroad
	HomeTown            string `json:"home_town,omitempty"`            // quê quán: a unit code of any level
	Ethnicity           string `json:"ethnicity,omitempty"`            // 2008 code or name
	Religion            string `json:"religion,omitempty"`             // code or name
	Nationality         string `json:"nationality,omitempty"`          // ISO 3166-1 code; empty is VN
	PIDIssuedOn         string `json:"pid_issued_on,omitempty"`

	MotherPID    string `json:"mother_pid,omitempty"`
	FatherPID    string `json:"father_pid,omitempty"`
	SpousePID    string `json:"spouse_pid,omitempty"`    // the marriage in force (or ended by this person's death)
	MarriageDate string `json:"marriage_date,omitempty"` // its date

	HouseholdID string `json:"household_id,omitempty"` // the permanent residence's household, 12 digits
	Relation    string `json:"relation,omitempty"`     // to its head: a registry.Relations key

	PermanentPlace   string `json:"permanent_place,omitempty"` // thường trú
	PermanentAddress string `json:"permanent_address,omitempty"`
	PermanentFrom    string `json:"permanent_from,omitempty"`

	TemporaryPlace   string `json:"temporary_place,omitempty"` // tạm trú
	TemporaryAddress string `json:"temporary_address,omitempty"`
	TemporaryFrom    string `json:"temporary_from,omitempty"`
	TemporaryUntil   string `json:"temporary_until,omitempty"`

	CurrentPlace   string `json:"current_place,omitempty"` // nơi ở hiện tại
	CurrentAddress string `json:"current_address,omitempty"`
	CurrentFrom    string `json:"current_from,omitempty"`

	Phones string `json:"phones,omitempty"` // ";"-separated

	Status       string `json:"status,omitempty"` // alive (or empty), dead, missing
	DeathDate    string `json:"death_date,omitempty"`
	DeathPlace   string `json:"death_place,omitempty"` // free text, as the registry holds it
	MissingSince string `json:"missing_since,omitempty"`
}

// Columns are the column names in the order Writer writes them.
var Columns = []string{
	"pid", "legacy_ids", "full_name", "other_names", "birth_date", "sex",
	"birth_place", "birth_country", "registration_place", "registration_country",
	"home_town", "ethnicity", "religion", "nationality", "pid_issued_on",
	"mother_pid", "father_pid", "spouse_pid", "marriage_date",
	"household_id", "relation",
	"permanent_place", "permanent_address", "permanent_from",
	"temporary_place", "temporary_address", "temporary_from", "temporary_until",
	"current_place", "current_address", "current_from",
	"phones", "status", "death_date", "death_place", "missing_since",
}

const numColumns = 36

// fields returns pointers to r's values in the order of Columns.
func (r *Row) fields() [numColumns]*string {
	return [numColumns]*string{
		&r.PID, &r.LegacyIDs, &r.FullName, &r.OtherNames, &r.BirthDate, &r.Sex,
		&r.BirthPlace, &r.BirthCountry, &r.RegistrationPlace, &r.RegistrationCountry,
		&r.HomeTown, &r.Ethnicity, &r.Religion, &r.Nationality, &r.PIDIssuedOn,
		&r.MotherPID, &r.FatherPID, &r.SpousePID, &r.MarriageDate,
		&r.HouseholdID, &r.Relation,
		&r.PermanentPlace, &r.PermanentAddress, &r.PermanentFrom,
		&r.TemporaryPlace, &r.TemporaryAddress, &r.TemporaryFrom, &r.TemporaryUntil,
		&r.CurrentPlace, &r.CurrentAddress, &r.CurrentFrom,
		&r.Phones, &r.Status, &r.DeathDate, &r.DeathPlace, &r.MissingSince,
	}
}

// columnIndex maps a column name to its index in Columns.
var columnIndex = func() map[string]int {
	m := make(map[string]int, len(Columns))
	for i, c := range Columns {
		m[c] = i
	}
	return m
}()

// requiredColumns must be in every CSV header; registrationColumns: at
// least one of them.
var (
	requiredColumns     = []string{"pid", "full_name", "birth_date", "sex"}
	registrationColumns = []string{"registration_place", "registration_country"}
)

// Format is a file format.
type Format int

const (
	CSV       Format = iota + 1 // RFC 4180 with a header line
	JSONLines                   // one JSON object per line
)

func (f Format) String() string {
	switch f {
	case CSV:
		return "csv"
	case JSONLines:
		return "jsonl"
	}
	return fmt.Sprintf("Format(%d)", int(f))
}

// ParseFormat returns the format String names ("csv", "jsonl"; "ndjson"
// and "json" are read as jsonl).
func ParseFormat(s string) (Format, error) {
	switch strings.ToLower(s) {
	case "csv":
		return CSV, nil
	case "jsonl", "ndjson", "json":
		return JSONLines, nil
	}
	return 0, errs.E(errs.Invalid, "unknown-format", "unknown file format %q: csv or jsonl", s)
}

// IsGzip reports whether head, the first bytes of a file, is gzip data. The
// caller decompresses (compress/gzip) before NewReader; offsets are then in
// the decompressed stream, so a resumed import reads it again from the
// start (NewReaderAt does this when its reader cannot seek).
func IsGzip(head []byte) bool { return len(head) >= 2 && head[0] == 0x1f && head[1] == 0x8b }

// DetectFormat tells the format of a file from its name (.csv, .jsonl,
// .ndjson, each optionally followed by .gz) or, failing that, from head, its
// first bytes (decompressed): a line starting with "{" is JSON lines, a
// first line with commas naming a pid column is CSV.
func DetectFormat(name string, head []byte) (Format, error) {
	base := strings.TrimSuffix(strings.ToLower(filepath.Base(name)), ".gz")
	switch filepath.Ext(base) {
	case ".csv":
		return CSV, nil
	case ".jsonl", ".ndjson":
		return JSONLines, nil
	}
	if IsGzip(head) {
		return 0, errs.E(errs.Invalid, "unknown-format", "%s is gzip-compressed; name it .csv.gz or .jsonl.gz", name)
	}
	h := bytes.TrimPrefix(head, bom)
	h = bytes.TrimLeft(h, " \t\r\n")
	if len(h) == 0 {
		return 0, errs.E(errs.Invalid, "empty-file", "%s is empty", name)
	}
	if h[0] == '{' {
		return JSONLines, nil
	}
	first := h
	if i := bytes.IndexByte(h, '\n'); i >= 0 {
		first = h[:i]
	}
	if bytes.IndexByte(first, ',') >= 0 && bytes.Contains(bytes.ToLower(first), []byte("pid")) {
		return CSV, nil
	}
	return 0, errs.E(errs.Invalid, "unknown-format", "cannot tell whether %s is CSV or JSON lines; name it .csv or .jsonl", name)
}

// Problem codes. They are stable: importers and the people reading rejects
// files may rely on them.
const (
	// Reading the row.
	CodeEncoding     = "encoding"      // not UTF-8
	CodeSyntax       = "syntax"        // malformed CSV quoting or JSON
	CodeColumns      = "columns"       // a CSV row with more or fewer fields than the header
	CodeTooLong      = "too_long"      // a record over MaxRecordBytes, or a value over its length limit
	CodeDuplicateKey = "duplicate_key" // a key twice in one JSON object
	CodeUnknownField = "unknown_field" // a JSON key that is no column
	CodeType         = "type"          // a JSON value that is not a string

	// Checking the values.
	CodeRequired     = "required"      // a value the registry needs is missing
	CodeInvalid      = "invalid"       // malformed: a number, date, name, phone, ...
	CodeFuture       = "future"        // a date after today
	CodeInconsistent = "inconsistent"  // values that contradict each other (a death date for the living, ...)
	CodeUnknownPlace = "unknown_place" // no administrative unit ever had the code, or it is no commune
	CodeNotInForce   = "not_in_force"  // the unit did not exist on the date the row gives with it
	CodeUnknownCode  = "unknown_code"  // not in the catalogue: ethnicity, religion, country, relation
	CodeDuplicate    = "duplicate"     // a number an earlier row of the file already has

	// A warning, never a rejection: the personal ID number's digits do not
	// agree with the birth year, sex or place of registration.
	CodePIDMismatch = "pid_mismatch"
)

// Problem is one thing wrong with a row.
type Problem struct {
	Code    string `json:"code"`
	Field   string `json:"field,omitempty"` // the column, when one is to blame
	Message string `json:"message"`
}

func (p Problem) String() string {
	if p.Field == "" {
		return p.Code + ": " + p.Message
	}
	return p.Field + ": " + p.Code + ": " + p.Message
}

// MaxRawBytes bounds the raw text a Record and a Reject keep.
const MaxRawBytes = 4 << 10

// Reject is a rejected row as the rejects file holds it.
type Reject struct {
	Line   int64 `json:"line"`
	Offset int64 `json:"offset"`
	// Raw is the row as the file has it, without its line ending, at most
	// MaxRawBytes; bytes that are not UTF-8 are written as U+FFFD (the
	// problem's message gives the first one's offset and value).
	Raw      string    `json:"raw"`
	Problems []Problem `json:"problems"`
}

// NewReject returns the reject for a record and its problems (the record's
// own, the row check's, or both).
func NewReject(rec Record, problems []Problem) Reject {
	return Reject{Line: rec.Line, Offset: rec.Offset, Raw: truncate(rec.Raw, MaxRawBytes), Problems: problems}
}

// WriteReject writes rej to w as one JSON line.
func WriteReject(w io.Writer, rej Reject) error {
	rej.Raw = truncate(rej.Raw, MaxRawBytes)
	if rej.Problems == nil {
		rej.Problems = []Problem{}
	}
	b, err := json.Marshal(rej)
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}

// truncate cuts s to at most n bytes, at a character boundary where s is
// UTF-8 there.
func truncate(s string, n int) string { return s[:cut(s, n)] }

// cut returns the length of the longest prefix of s of at most n bytes that
// does not split a UTF-8 character.
func cut[T string | []byte](s T, n int) int {
	if len(s) <= n {
		return len(s)
	}
	for i := n; i > 0 && i > n-utf8.UTFMax; i-- {
		if utf8.RuneStart(s[i]) {
			return i
		}
	}
	return n
}
