package bulk

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode/utf8"

	"dancu/internal/errs"
	"dancu/internal/vntext"
)

// MaxRecordBytes bounds one record, line endings included. A longer record
// is rejected and skipped without being held in memory.
const MaxRecordBytes = 1 << 20

// MaxRecordLines bounds the physical lines one CSV record may span (through
// line breaks in quoted fields). It also bounds the work a stray quote
// causes: the reader looks at most this far for the closing quote before it
// rejects the line and goes on with the next.
const MaxRecordLines = 32

var bom = []byte("\xef\xbb\xbf")

// Record is one record of a file: a Row, or Problems saying why there is
// none.
type Record struct {
	// Line is the 1-based line on which the record starts; the CSV header
	// is line 1.
	Line int64
	// Offset is the byte offset in the file of the record's first byte.
	Offset int64
	// Raw is the record's text, without its line ending, at most
	// MaxRawBytes, for the rejects file. A record rejected because it could
	// not be read is its first line only: reading goes on after it.
	Raw string
	// Row is the record's values, trimmed and in NFC; the zero Row when
	// there are Problems.
	Row Row
	// Problems say why the record could not be read. They concern the file
	// (encoding, quoting, fields, keys), not the values: Row.Check checks
	// those.
	Problems []Problem
}

// Position is a place in a file where a record may start: the byte offset
// and the line number there.
type Position struct {
	Offset int64 `json:"offset"`
	Line   int64 `json:"line"`
}

// Reader reads the records of an import file. It is not safe for
// concurrent use.
type Reader struct {
	format Format
	src    source
	line   int64    // the line number of the next line
	header []string // CSV: the file's columns, lower-cased
	cols   []int    // CSV: the index in Columns of each of the file's columns
	body   int64    // offset of the first record (after the BOM and header)

	buf   []byte   // the record being read
	vals  []byte   // its raw text and unescaped values
	spans []span   // where each value is
	strs  []string // the values
}

// NewReader returns a reader of r in format f. For CSV it reads the header
// line. A file that is empty, is UTF-16, or whose header names unknown or
// duplicate columns, or lacks a required one, is an *errs.Error of kind
// Invalid (codes "empty-file", "encoding", "invalid-header") naming what is
// wrong; anything else is an I/O error.
func NewReader(r io.Reader, f Format) (*Reader, error) {
	if f != CSV && f != JSONLines {
		return nil, errs.E(errs.Invalid, "unknown-format", "unknown file format %d", int(f))
	}
	rd := &Reader{format: f, src: newSource(r, 0), line: 1}
	head, err := rd.src.r.Peek(3)
	if err != nil && err != io.EOF {
		return nil, err
	}
	switch {
	case bytes.HasPrefix(head, bom):
		rd.src.consume(len(bom), false)
	case len(head) >= 2 && (head[0] == 0xff && head[1] == 0xfe || head[0] == 0xfe && head[1] == 0xff):
		return nil, errs.E(errs.Invalid, "encoding", "the file is UTF-16 (Excel's \"Unicode text\"); save it as CSV UTF-8")
	}
	if _, err := rd.src.r.Peek(1); err == io.EOF {
		return nil, errs.E(errs.Invalid, "empty-file", "the file is empty")
	} else if err != nil {
		return nil, err
	}
	if f == CSV {
		if err := rd.readHeader(); err != nil {
			return nil, err
		}
	}
	rd.body = rd.src.off
	return rd, nil
}

// NewReaderAt returns a reader of r in format f that continues at pos, a
// position Reader.Position returned while reading the same file. The CSV
// header is read again from the start. When r is an io.Seeker the reader
// seeks to pos; otherwise (a decompressing reader) it reads up to pos and
// discards what it read. A position before the first record, or one that
// does not start a line (the byte before it is no '\n'), is an *errs.Error
// of kind Invalid, code "invalid-position": the file is not the one the
// position was recorded in. Checking that it is the same file (its hash) is
// the caller's.
func NewReaderAt(r io.Reader, f Format, pos Position) (*Reader, error) {
	seeker, seekable := r.(io.Seeker)
	if seekable {
		if _, err := seeker.Seek(0, io.SeekStart); err != nil {
			seekable = false // a pipe: read from where it is
		}
	}
	rd, err := NewReader(r, f)
	if err != nil {
		return nil, err
	}
	if pos.Offset < rd.body || pos.Line < rd.line {
		return nil, errs.E(errs.Invalid, "invalid-position",
			"cannot resume at offset %d, line %d: the first record starts at offset %d, line %d", pos.Offset, pos.Line, rd.body, rd.line)
	}
	if pos.Offset > rd.body {
		if seekable {
			if _, err := seeker.Seek(pos.Offset-1, io.SeekStart); err != nil {
				return nil, err
			}
			rd.src = newSource(r, pos.Offset-1)
		} else {
			n := pos.Offset - 1 - rd.src.off
			if _, err := rd.src.r.Discard(int(n)); err != nil && err != io.EOF {
				return nil, err
			}
			rd.src.off += n
		}
		b, err := rd.src.r.ReadByte()
		switch {
		case err == io.EOF:
			return nil, errs.E(errs.Invalid, "invalid-position", "cannot resume at offset %d: the file is shorter; it is not the file the position was recorded in", pos.Offset)
		case err != nil:
			return nil, err
		case b != '\n' && !rd.atEOF():
			return nil, errs.E(errs.Invalid, "invalid-position", "cannot resume at offset %d: no line starts there; the file has changed since the position was recorded", pos.Offset)
		}
		rd.src.off = pos.Offset
	}
	rd.line = pos.Line
	return rd, nil
}

// atEOF reports whether nothing is left to read: a position at the end of
// a file whose last line has no line ending follows no '\n'.
func (r *Reader) atEOF() bool {
	_, err := r.src.r.Peek(1)
	return err == io.EOF
}

// Header returns the CSV file's columns as its header names them,
// lower-cased; nil for JSON lines.
func (r *Reader) Header() []string { return slices.Clone(r.header) }

// Position returns where the next record starts: after the last one Next
// returned (or the header), blank lines not skipped yet.
func (r *Reader) Position() Position { return Position{Offset: r.src.off, Line: r.line} }

// Next returns the next record, and io.EOF after the last. A record that
// cannot be read is returned with Problems, not as an error: the error is
// for I/O failures only, after which the reader is not usable.
func (r *Reader) Next() (Record, error) {
	if r.format == JSONLines {
		return r.nextJSON()
	}
	rec, vals, err := r.readCSV(r.header)
	if err != nil || len(rec.Problems) > 0 {
		return rec, err
	}
	if len(vals) != len(r.cols) {
		rec.Problems = []Problem{{Code: CodeColumns, Message: fmt.Sprintf("the row has %d fields; the header has %d", len(vals), len(r.cols))}}
		return rec, nil
	}
	f := rec.Row.fields()
	for i, v := range vals {
		*f[r.cols[i]] = v
	}
	return rec, nil
}

func (r *Reader) readHeader() error {
	rec, names, err := r.readCSV(nil)
	if err == io.EOF {
		return errs.E(errs.Invalid, "empty-file", "the file is empty: it has no header line")
	}
	if err != nil {
		return err
	}
	if len(rec.Problems) > 0 {
		p := rec.Problems[0]
		return &errs.Error{Kind: errs.Invalid, Code: "invalid-header",
			Message: fmt.Sprintf("the header line %d cannot be read: %s", rec.Line, p.Message),
			Fields:  []errs.Field{{Name: "header", Reason: p.Code, Message: p.Message}}}
	}
	var fs errs.Fields
	var msgs []string
	seen := map[int]bool{}
	r.header = make([]string, len(names))
	r.cols = make([]int, len(names))
	var unknown, dup []string
	for i, n := range names {
		n = strings.ToLower(n)
		r.header[i] = n
		j, ok := columnIndex[n]
		switch {
		case n == "":
			fs.Add(fmt.Sprintf("column %d", i+1), "required", "column %d of the header has no name", i+1)
			msgs = append(msgs, fmt.Sprintf("column %d has no name", i+1))
		case !ok:
			fs.Add(n, "unknown", "%q is not a column of the import format", n)
			unknown = append(unknown, fmt.Sprintf("%q", n))
		case seen[j]:
			fs.Add(n, "duplicate", "column %s appears twice", n)
			dup = append(dup, n)
		}
		if ok {
			seen[j] = true
		}
		r.cols[i] = j
	}
	if len(unknown) > 0 {
		m := "unknown columns " + strings.Join(unknown, ", ") + " (the columns are " + strings.Join(Columns, ", ") + ")"
		if strings.Contains(strings.Join(names, ""), "\r") {
			m += "; the lines seem to end in a bare carriage return (classic Mac): save the file with LF or CRLF line endings"
		}
		msgs = append(msgs, m)
	}
	if len(dup) > 0 {
		msgs = append(msgs, "columns given twice: "+strings.Join(dup, ", "))
	}
	var missing []string
	for _, c := range requiredColumns {
		if !seen[columnIndex[c]] {
			missing = append(missing, c)
			fs.Add(c, "required", "the header has no %s column", c)
		}
	}
	if !seen[columnIndex[registrationColumns[0]]] && !seen[columnIndex[registrationColumns[1]]] {
		missing = append(missing, strings.Join(registrationColumns, " or "))
		fs.Add(registrationColumns[0], "required", "the header has neither %s column", strings.Join(registrationColumns, " nor "))
	}
	if len(missing) > 0 {
		msgs = append(msgs, "missing required columns "+strings.Join(missing, ", "))
	}
	if len(fs) > 0 {
		return &errs.Error{Kind: errs.Invalid, Code: "invalid-header",
			Message: fmt.Sprintf("the header line %d is not valid: %s", rec.Line, strings.Join(msgs, "; ")), Fields: fs}
	}
	return nil
}

// span is where a value lies: [start, end) in Reader.vals, [rawStart,
// rawEnd) in the record's text.
type span struct{ start, end, rawStart, rawEnd int }

// readCSV reads the next CSV record and returns its values (names, the
// header's columns, name them in problems). Blank lines are skipped.
func (r *Reader) readCSV(names []string) (Record, []string, error) {
	for {
		start, startLine := r.src.off, r.line
		raw, eol, err := r.src.appendLine(r.buf[:0], MaxRecordBytes)
		r.buf = raw
		if err != nil && err != io.EOF {
			return Record{}, nil, err
		}
		if len(raw) == 0 {
			return Record{}, nil, io.EOF
		}
		rec := Record{Line: startLine, Offset: start}
		if !eol && err == nil {
			return r.tooLongLine(rec, raw)
		}
		if eol {
			r.line++
		}
		if isBlank(raw) {
			continue
		}
		first := len(raw)
		// reject rejects the record's first line; reading goes on with the
		// next line, whatever this record had read beyond it.
		reject := func(code, msg string) (Record, []string, error) {
			r.src.unread(raw[first:])
			r.line = startLine + 1
			rec.Raw = rawString(raw[:first])
			rec.Problems = []Problem{{Code: code, Message: msg}}
			return rec, nil, nil
		}
		// A record ends at the first line end after an even number of
		// quotes: RFC 4180 quoting always pairs them.
		quotes := bytes.Count(raw, quote)
		for lines := 1; quotes%2 == 1 && eol; lines++ {
			if lines == MaxRecordLines {
				return reject(CodeSyntax, fmt.Sprintf("a quoted field opened on line %d is not closed within %d lines: a quote is missing or stray", startLine, MaxRecordLines))
			}
			n := len(raw)
			raw, eol, err = r.src.appendLine(raw, MaxRecordBytes)
			r.buf = raw
			if err != nil && err != io.EOF {
				return Record{}, nil, err
			}
			if !eol && err == nil {
				return reject(CodeTooLong, fmt.Sprintf("a quoted field opened on line %d runs past %d bytes: a quote is missing or stray", startLine, MaxRecordBytes))
			}
			if eol {
				r.line++
			}
			quotes += bytes.Count(raw[n:], quote)
		}
		if quotes%2 == 1 {
			return reject(CodeSyntax, fmt.Sprintf("a quoted field opened on line %d is never closed: a quote is missing or stray", startLine))
		}
		text := trimEOL(raw)
		rawLen := cut(text, MaxRawBytes)
		r.vals = append(r.vals[:0], text[:rawLen]...)
		var msg string
		r.vals, r.spans, msg = splitCSV(text, r.vals, r.spans[:0])
		if msg != "" {
			return reject(CodeSyntax, msg)
		}
		if !utf8.Valid(text) {
			i := firstInvalid(text)
			field := ""
			for k, sp := range r.spans {
				if i >= sp.rawStart && i < sp.rawEnd && k < len(names) {
					field = names[k]
				}
			}
			rec.Raw = string(text[:rawLen])
			rec.Problems = []Problem{encodingProblem(field, text[i], start+int64(i))}
			return rec, nil, nil
		}
		s := string(r.vals)
		rec.Raw = s[:rawLen]
		r.strs = r.strs[:0]
		for _, sp := range r.spans {
			r.strs = append(r.strs, clean(s[sp.start:sp.end]))
		}
		return rec, r.strs, nil
	}
}

// tooLongLine rejects a line longer than MaxRecordBytes, of which raw is
// the start, and skips the rest of it.
func (r *Reader) tooLongLine(rec Record, raw []byte) (Record, []string, error) {
	rec.Raw = rawString(raw)
	if err := r.src.discardLine(); err != nil && err != io.EOF {
		return Record{}, nil, err
	}
	r.line++
	rec.Problems = []Problem{{Code: CodeTooLong, Message: fmt.Sprintf("line %d is longer than %d bytes; it is skipped", rec.Line, MaxRecordBytes)}}
	return rec, nil, nil
}

var quote = []byte{'"'}

// splitCSV splits one record's text (without its line ending) into values,
// appending them unescaped to dst. It returns a message saying what is
// wrong when the quoting is malformed.
func splitCSV(rec, dst []byte, spans []span) ([]byte, []span, string) {
	i := 0
	for n := 1; ; n++ {
		rawStart, start := i, len(dst)
		if i < len(rec) && rec[i] == '"' {
			i++
			for {
				j := bytes.IndexByte(rec[i:], '"')
				if j < 0 {
					return dst, spans, fmt.Sprintf("field %d: the quoted value is not closed", n)
				}
				dst = append(dst, rec[i:i+j]...)
				i += j + 1
				if i < len(rec) && rec[i] == '"' {
					dst = append(dst, '"')
					i++
					continue
				}
				break
			}
			if i < len(rec) && rec[i] != ',' {
				return dst, spans, fmt.Sprintf("field %d: %q follows the closing quote; a quote inside a quoted value is written twice (\"\")", n, rune(rec[i]))
			}
		} else {
			end := len(rec)
			if j := bytes.IndexByte(rec[i:], ','); j >= 0 {
				end = i + j
			}
			if bytes.IndexByte(rec[i:end], '"') >= 0 {
				return dst, spans, fmt.Sprintf("field %d has a quote but is not quoted: quote the whole value and write the quote twice (\"\")", n)
			}
			dst = append(dst, rec[i:end]...)
			i = end
		}
		spans = append(spans, span{start, len(dst), rawStart, i})
		if i >= len(rec) {
			return dst, spans, ""
		}
		i++ // the comma
	}
}

func (r *Reader) nextJSON() (Record, error) {
	for {
		start, startLine := r.src.off, r.line
		raw, eol, err := r.src.appendLine(r.buf[:0], MaxRecordBytes)
		r.buf = raw
		if err != nil && err != io.EOF {
			return Record{}, err
		}
		if len(raw) == 0 {
			return Record{}, io.EOF
		}
		rec := Record{Line: startLine, Offset: start}
		if !eol && err == nil {
			rec, _, err := r.tooLongLine(rec, raw)
			return rec, err
		}
		if eol {
			r.line++
		}
		if isBlank(raw) {
			continue
		}
		text := trimEOL(raw)
		if !utf8.Valid(text) {
			i := firstInvalid(text)
			rec.Raw = rawString(text)
			rec.Problems = []Problem{encodingProblem("", text[i], start+int64(i))}
			return rec, nil
		}
		s := string(text)
		rec.Raw = s[:cut(s, MaxRawBytes)]
		rec.Problems = parseJSON(text, s, &rec.Row)
		if len(rec.Problems) > 0 {
			rec.Row = Row{}
		}
		return rec, nil
	}
}

// parseJSON reads one object of string values into row. text is the
// line, s the same as a string.
func parseJSON(text []byte, s string, row *Row) []Problem {
	if ps, ok := parseFlatJSON(text, s, row); ok {
		return ps
	}
	*row = Row{}
	return decodeJSON(text, row)
}

// parseFlatJSON is the fast path of parseJSON: an object whose values are
// all strings or null. It reports false, having done nothing reliable, for
// anything else (another kind of value, malformed JSON), which decodeJSON
// then reads and explains.
func parseFlatJSON(text []byte, s string, row *Row) ([]Problem, bool) {
	i := skipWS(text, 0)
	if i == len(text) || text[i] != '{' {
		return nil, false
	}
	i = skipWS(text, i+1)
	if i < len(text) && text[i] == '}' {
		return nil, skipWS(text, i+1) == len(text)
	}
	var ps []Problem
	var seen [numColumns]bool
	f := row.fields()
	for {
		ks, ke, kesc, ok := flatString(text, i)
		if !ok {
			return nil, false
		}
		i = skipWS(text, ke+1)
		if i == len(text) || text[i] != ':' {
			return nil, false
		}
		i = skipWS(text, i+1)
		vs, ve, vesc := 0, 0, false
		isNull := false
		if bytes.HasPrefix(text[i:], []byte("null")) {
			isNull, i = true, i+4
		} else if vs, ve, vesc, ok = flatString(text, i); !ok {
			return nil, false
		} else {
			i = ve + 1
		}
		val := s[vs:ve]
		if vesc {
			if val, ok = unquote(s[vs-1 : ve+1]); !ok {
				return nil, false
			}
		}
		var k int
		var known bool
		if kesc {
			key, ok := unquote(s[ks-1 : ke+1])
			if !ok {
				return nil, false
			}
			k, known = columnIndex[key]
		} else {
			k, known = columnIndex[s[ks:ke]]
		}
		switch {
		case !known:
			key, _ := unquote(s[ks-1 : ke+1])
			ps = append(ps, Problem{Code: CodeUnknownField, Field: key, Message: fmt.Sprintf("%q is not a column of the import format", key)})
		case seen[k]:
			ps = append(ps, Problem{Code: CodeDuplicateKey, Field: Columns[k], Message: "duplicate key " + Columns[k]})
		default:
			seen[k] = true
			if !isNull {
				*f[k] = clean(val)
			}
		}
		i = skipWS(text, i)
		if i == len(text) {
			return nil, false
		}
		switch text[i] {
		case ',':
			i = skipWS(text, i+1)
		case '}':
			return ps, skipWS(text, i+1) == len(text)
		default:
			return nil, false
		}
	}
}

// flatString finds the JSON string starting at text[i]: its contents are
// text[start:end] (the closing quote at end), with escapes if escaped.
func flatString(text []byte, i int) (start, end int, escaped, ok bool) {
	if i >= len(text) || text[i] != '"' {
		return 0, 0, false, false
	}
	for j := i + 1; j < len(text); j++ {
		switch c := text[j]; {
		case c == '"':
			return i + 1, j, escaped, true
		case c == '\\':
			escaped = true
			j++ // whatever follows is escaped; unquote checks it
		case c < 0x20:
			return 0, 0, false, false
		}
	}
	return 0, 0, false, false
}

// unquote decodes a JSON string, quotes included.
func unquote(q string) (string, bool) {
	var s string
	err := json.Unmarshal([]byte(q), &s)
	return s, err == nil
}

func skipWS(text []byte, i int) int {
	for i < len(text) && (text[i] == ' ' || text[i] == '\t' || text[i] == '\r' || text[i] == '\n') {
		i++
	}
	return i
}

// decodeJSON reads one object with encoding/json, explaining what is wrong.
func decodeJSON(text []byte, row *Row) []Problem {
	dec := json.NewDecoder(bytes.NewReader(text))
	syntax := func(err error) []Problem {
		var se *json.SyntaxError
		msg := err.Error()
		if errors.As(err, &se) {
			msg = fmt.Sprintf("%s (at character %d)", se.Error(), se.Offset)
		}
		return []Problem{{Code: CodeSyntax, Message: "not a JSON object: " + msg}}
	}
	tok, err := dec.Token()
	if err != nil {
		return syntax(err)
	}
	if tok != json.Delim('{') {
		return []Problem{{Code: CodeSyntax, Message: "each line must be one JSON object {...}"}}
	}
	var ps []Problem
	var seen [numColumns]bool
	f := row.fields()
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return syntax(err)
		}
		key, _ := tok.(string)
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return syntax(err)
		}
		i, ok := columnIndex[key]
		switch {
		case !ok:
			ps = append(ps, Problem{Code: CodeUnknownField, Field: key, Message: fmt.Sprintf("%q is not a column of the import format", key)})
			continue
		case seen[i]:
			ps = append(ps, Problem{Code: CodeDuplicateKey, Field: key, Message: "duplicate key " + key})
			continue
		}
		seen[i] = true
		switch v[0] {
		case '"':
			var s string
			if err := json.Unmarshal(v, &s); err != nil {
				return syntax(err)
			}
			*f[i] = clean(s)
		case 'n': // null
		default:
			kind := map[byte]string{'t': "a boolean", 'f': "a boolean", '[': "an array", '{': "an object"}[v[0]]
			if kind == "" {
				kind = "a number"
			}
			msg := fmt.Sprintf("%s must be a JSON string, not %s", key, kind)
			switch {
			case kind == "a number" && (key == "pid" || strings.HasSuffix(key, "_pid") || key == "household_id" || key == "legacy_ids"):
				msg += ": as a number it has lost its leading zeros; write it in quotes, e.g. \"001090000001\""
			case kind == "an array":
				msg += ": write a list as one string with items separated by \";\""
			}
			ps = append(ps, Problem{Code: CodeType, Field: key, Message: msg})
		}
	}
	if _, err := dec.Token(); err != nil { // the closing brace
		return syntax(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return []Problem{{Code: CodeSyntax, Message: "text follows the JSON object on the same line; write one object per line"}}
	}
	return ps
}

// clean trims a value and brings it to NFC.
func clean(s string) string { return vntext.NFC(strings.TrimSpace(s)) }

func encodingProblem(field string, b byte, off int64) Problem {
	return Problem{Code: CodeEncoding, Field: field, Message: fmt.Sprintf(
		"byte 0x%02X at offset %d is not UTF-8: the file may be in Windows-1258, TCVN3 (ABC) or VNI encoding; convert it to UTF-8 (for example iconv -f CP1258 -t UTF-8)", b, off)}
}

func firstInvalid(b []byte) int {
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n == 1 {
			return i
		}
		i += n
	}
	return len(b)
}

func isBlank(b []byte) bool {
	for _, c := range b {
		if c != ' ' && c != '\t' && c != '\r' && c != '\n' {
			return false
		}
	}
	return true
}

func trimEOL(b []byte) []byte {
	b = bytes.TrimSuffix(b, []byte{'\n'})
	return bytes.TrimSuffix(b, []byte{'\r'})
}

func rawString(b []byte) string {
	b = trimEOL(b)
	return string(b[:cut(b, MaxRawBytes)])
}
