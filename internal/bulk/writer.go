package bulk

import (
	"bufio"
	"io"
	"strings"
	"unicode/utf8"

	"dancu/internal/civil"
	"dancu/internal/errs"
	"dancu/internal/registry"
)

// Writer writes rows in a format Reader reads back unchanged. A CSV file
// gets the header line with every column of Columns; a JSON lines object
// leaves out empty values. It buffers: call Flush at the end.
//
// Spreadsheet programs opening an export directly read the personal ID
// numbers as numbers and drop their leading zeros; import the file as text
// columns instead.
type Writer struct {
	format Format
	w      *bufio.Writer
	header bool // written
	buf    []byte
	err    error
}

// NewWriter returns a writer of f to w.
func NewWriter(w io.Writer, f Format) *Writer {
	return &Writer{format: f, w: bufio.NewWriterSize(w, 64<<10)}
}

// Write writes one row. A value that is not UTF-8 is refused (an
// *errs.Error naming the column) and nothing is written; any other error is
// the underlying writer's, and sticks.
func (w *Writer) Write(r Row) error {
	if w.err != nil {
		return w.err
	}
	if w.format != CSV && w.format != JSONLines {
		return errs.E(errs.Invalid, "unknown-format", "unknown file format %d", int(w.format))
	}
	f := r.fields()
	for i, v := range f {
		if !utf8.ValidString(*v) {
			return errs.InvalidField(Columns[i], CodeEncoding, "the value is not valid UTF-8")
		}
	}
	w.writeHeader()
	b := w.buf[:0]
	if w.format == CSV {
		for i, v := range f {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendCSV(b, *v)
		}
	} else {
		b = append(b, '{')
		first := true
		for i, v := range f {
			if *v == "" {
				continue
			}
			if !first {
				b = append(b, ',')
			}
			first = false
			b = appendJSONString(b, Columns[i])
			b = append(b, ':')
			b = appendJSONString(b, *v)
		}
		b = append(b, '}')
	}
	b = append(b, '\n')
	w.buf = b
	_, w.err = w.w.Write(b)
	return w.err
}

// Flush writes what is buffered (for CSV, at least the header line).
func (w *Writer) Flush() error {
	if w.err != nil {
		return w.err
	}
	w.writeHeader()
	if w.err == nil {
		w.err = w.w.Flush()
	}
	return w.err
}

func (w *Writer) writeHeader() {
	if w.header || w.format != CSV {
		return
	}
	w.header = true
	_, w.err = w.w.WriteString(strings.Join(Columns, ",") + "\n")
}

// appendCSV appends one CSV field, quoted when it holds a comma, a quote
// or a line break (or starts or ends with white space, which Reader would
// trim).
func appendCSV(b []byte, s string) []byte {
	needs := strings.ContainsAny(s, ",\"\r\n") || (s != "" && (isSpaceByte(s[0]) || isSpaceByte(s[len(s)-1])))
	if !needs {
		return append(b, s...)
	}
	b = append(b, '"')
	for {
		i := strings.IndexByte(s, '"')
		if i < 0 {
			break
		}
		b = append(b, s[:i+1]...)
		b = append(b, '"')
		s = s[i+1:]
	}
	b = append(b, s...)
	return append(b, '"')
}

func isSpaceByte(c byte) bool { return c == ' ' || c == '\t' }

// appendJSONString appends s, valid UTF-8, as a JSON string. Only what JSON
// requires is escaped, so a line never grows beyond what its values need.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' {
			continue
		}
		b = append(b, s[start:i]...)
		switch c {
		case '"', '\\':
			b = append(b, '\\', c)
		case '\n':
			b = append(b, '\\', 'n')
		case '\r':
			b = append(b, '\\', 'r')
		case '\t':
			b = append(b, '\\', 't')
		default:
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		}
		start = i + 1
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// RowFromCitizen flattens a registry record for export. pids maps the
// internal keys of the people it refers to (parents, spouse) to their
// current personal ID numbers; a key missing from it is left out. The
// residences are those in force on today, or for a dead person on the eve
// of death; the marriage is the one in force, or the one the person's death
// ended. A marriage thus appears on both spouses' rows (or only the dead
// one's), and the loader records it once.
//
// Not exported, because the format has no column for them: former names,
// retired numbers, the issue dates of legacy numbers, the sources of phone
// numbers, earlier marriages and residences, temporary absences, and the
// household of a temporary residence.
func RowFromCitizen(c *registry.Citizen, pids map[registry.PersonKey]string, today civil.Date) Row {
	r := Row{
		PID:                 string(c.PID),
		FullName:            c.FullName,
		OtherNames:          strings.Join(c.OtherNames, ";"),
		BirthDate:           c.BirthDate.String(),
		Sex:                 string(c.Sex),
		BirthPlace:          c.BirthPlace,
		BirthCountry:        c.BirthCountry,
		RegistrationPlace:   c.RegistrationPlace,
		RegistrationCountry: c.RegistrationCountry,
		HomeTown:            c.HomeTown,
		Ethnicity:           c.Ethnicity,
		Religion:            c.Religion,
		Nationality:         c.Nationality,
		PIDIssuedOn:         c.PIDIssuedOn.String(),
		Status:              string(c.Status),
		DeathDate:           c.DeathDate.String(),
		DeathPlace:          c.DeathPlace,
		MissingSince:        c.MissingSince.String(),
	}
	ls := make([]string, len(c.LegacyIDs))
	for i, l := range c.LegacyIDs {
		ls[i] = l.Number
	}
	r.LegacyIDs = strings.Join(ls, ";")
	ps := make([]string, len(c.Phones))
	for i, p := range c.Phones {
		ps[i] = p.Number
	}
	r.Phones = strings.Join(ps, ";")
	ref := func(k registry.PersonKey) string {
		if k == 0 {
			return ""
		}
		return pids[k]
	}
	r.MotherPID, r.FatherPID = ref(c.Mother), ref(c.Father)

	day := today
	if c.Status == registry.Dead && !c.DeathDate.IsZero() {
		day = c.DeathDate.First().AddDays(-1)
	}
	if n := len(c.Marriages); n > 0 {
		m := c.Marriages[n-1]
		if m.Ended.IsZero() || (c.Status == registry.Dead && m.EndReason == "death" && m.Ended.Equal(c.DeathDate)) {
			if s := ref(m.Spouse); s != "" {
				r.SpousePID, r.MarriageDate = s, m.From.String()
			}
		}
	}
	if res, ok := c.Residence(registry.Permanent, day); ok {
		r.PermanentPlace, r.PermanentAddress, r.PermanentFrom = res.Place, res.Address, res.From.String()
		r.HouseholdID, r.Relation = res.HouseholdID, string(res.Relation)
	}
	if res, ok := c.Residence(registry.Temporary, day); ok {
		r.TemporaryPlace, r.TemporaryAddress, r.TemporaryFrom, r.TemporaryUntil = res.Place, res.Address, res.From.String(), res.Until.String()
	}
	if res, ok := c.Residence(registry.Current, day); ok {
		r.CurrentPlace, r.CurrentAddress, r.CurrentFrom = res.Place, res.Address, res.From.String()
	}
	return r
}
