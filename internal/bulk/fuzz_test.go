package bulk

import (
	"bytes"
	"io"
	"reflect"
	"slices"
	"strings"
	"testing"

	"dancu/internal/errs"
)

// FuzzReader feeds arbitrary bytes as CSV and as JSON lines. The reader
// never panics, never returns more records than the input has lines (so it
// cannot loop), keeps lines and offsets increasing, and returns every
// record either with problems (and no row) or with a row that the writer
// writes and the reader reads back unchanged. Resuming at any recorded
// position gives exactly the records that followed it.
func FuzzReader(f *testing.F) {
	h := minimalHeader + "\n"
	for _, s := range []string{
		h + goodLine(1) + "\n" + goodLine(2),
		h + "001090000001,\"Nguyễn\r\nVăn\",1990,male,00004\r\n",
		h + "001090000001,\"stray,1990,male,00004\n" + goodLine(2) + "\n",
		h + "001090000001,Nguy\xean,1990,male,00004\n",
		h + "a,b\n\n\"\"\"\",x,\"y\"z\n",
		"\xef\xbb\xbf" + h + goodLine(1),
		"Phones,sex,registration_place,birth_date,full_name,pid\n\"0912345678;0398765432\",nữ,00004,1990,An,001090000001\n",
		`{"pid":"001090000001","full_name":"An"}` + "\n" + `{"pid":1}` + "\n" + `{"pid":"1","pid":"2"}`,
		`{"phones":["1"],"x":null}` + "\n\n{}\n{",
		` { "p\u0069d" : "0010\u0039", "full_name":null , "x\"":"\ud800"}	` + "\n" + `{"sex":"nam","sex":null}`,
		"{\"full_name\":\"Nguy\xean\"}\n",
		"",
	} {
		f.Add([]byte(s), false)
		f.Add([]byte(s), true)
	}
	f.Fuzz(func(t *testing.T, data []byte, jsonl bool) {
		format := CSV
		if jsonl {
			format = JSONLines
		}
		r, err := NewReader(bytes.NewReader(data), format)
		if err != nil {
			if !errs.Is(err, errs.Invalid) {
				t.Fatalf("NewReader: not a file error: %v", err)
			}
			return
		}
		limit := bytes.Count(data, []byte{'\n'}) + 1
		positions := []Position{r.Position()}
		var recs []Record
		var rows []Row
		for {
			rec, err := r.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("Next: %v", err)
			}
			if len(recs) == limit {
				t.Fatalf("more than %d records from %d lines", limit, limit)
			}
			last := positions[len(positions)-1]
			if rec.Offset < last.Offset || rec.Line < last.Line || rec.Offset >= int64(len(data)) {
				t.Fatalf("record at line %d offset %d after position %+v", rec.Line, rec.Offset, last)
			}
			if len(rec.Raw) > MaxRawBytes {
				t.Fatalf("raw of %d bytes", len(rec.Raw))
			}
			if len(rec.Problems) > 0 {
				if rec.Row != (Row{}) {
					t.Fatalf("rejected record with a row: %+v", rec)
				}
				for _, p := range rec.Problems {
					if p.Code == "" || p.Message == "" {
						t.Fatalf("empty problem %+v", p)
					}
				}
			} else {
				rows = append(rows, rec.Row)
			}
			if format == JSONLines && len(rec.Raw) < MaxRawBytes && (len(rec.Problems) == 0 || rec.Problems[0].Code != CodeEncoding && rec.Problems[0].Code != CodeTooLong) {
				// The fast path agrees with encoding/json.
				var row Row
				ps := decodeJSON([]byte(rec.Raw), &row)
				if len(ps) > 0 {
					row = Row{}
				}
				if row != rec.Row || !slices.Equal(ps, rec.Problems) {
					t.Fatalf("%q: encoding/json reads %+v %v, the reader %+v %v", rec.Raw, row, ps, rec.Row, rec.Problems)
				}
			}
			recs = append(recs, rec)
			positions = append(positions, r.Position())
		}
		if rows != nil {
			back := readAll(t, format, string(writeRows(t, format, rows...)))
			if len(back) != len(rows) {
				t.Fatalf("wrote %d rows, read back %d", len(rows), len(back))
			}
			for i, b := range back {
				if b.Problems != nil || b.Row != rows[i] {
					t.Fatalf("round trip of %+v gave %+v", rows[i], b)
				}
			}
		}
		// Resume at the first, a middle and the last position.
		for _, k := range []int{0, len(positions) / 2, len(positions) - 1} {
			pos := positions[k]
			r, err := NewReaderAt(bytes.NewReader(data), format, pos)
			if err != nil {
				t.Fatalf("resume at %+v: %v", pos, err)
			}
			if rest := drain(t, r); !equalRecords(rest, recs[k:]) {
				t.Fatalf("resumed at %+v:\n got %+v\nwant %+v", pos, rest, recs[k:])
			}
		}
	})
}

// FuzzCheck checks arbitrary values ("|" separates the columns, in the
// order of Columns). Check never panics; every problem names a known code
// and column; a person it accepts turns into a row that checks to the same
// person.
func FuzzCheck(f *testing.F) {
	join := func(r Row) string {
		var vs []string
		for _, p := range r.fields() {
			vs = append(vs, *p)
		}
		return strings.Join(vs, "|")
	}
	f.Add(join(sampleRow()))
	for _, edit := range []func(r *Row){
		func(r *Row) { r.Status, r.DeathDate = "dead", "2026-01-10"; r.TemporaryFrom = "" },
		func(r *Row) {
			r.RegistrationPlace, r.RegistrationCountry, r.BirthPlace, r.BirthCountry = "", "JPN", "", "392"
		},
		func(r *Row) { r.BirthDate, r.Sex = "1931", "Nữ" },
		func(r *Row) { r.FullName = "Nguy\xean" },
		func(r *Row) { r.Phones = "+84 912 345 678;0912345678" },
	} {
		r := sampleRow()
		edit(&r)
		f.Add(join(r))
	}
	known := []string{CodeEncoding, CodeTooLong, CodeRequired, CodeInvalid, CodeFuture, CodeInconsistent,
		CodeUnknownPlace, CodeNotInForce, CodeUnknownCode}
	ctx := checkContext()
	f.Fuzz(func(t *testing.T, s string) {
		var r Row
		vs := strings.Split(s, "|")
		for i, p := range r.fields() {
			if i < len(vs) {
				*p = vs[i]
			}
		}
		p, ps := r.Check(ctx)
		if (p == nil) == (ps == nil) {
			t.Fatalf("person %v with problems %v", p, ps)
		}
		for _, q := range ps {
			if !slices.Contains(known, q.Code) || !slices.Contains(Columns, q.Field) || q.Message == "" {
				t.Fatalf("problem %+v", q)
			}
		}
		if p == nil {
			return
		}
		if p.PID == "" || p.FullName == "" || p.BirthDate.IsZero() || p.Sex == "" ||
			(p.RegistrationPlace == "") == (p.RegistrationCountry == "") || (p.Spouse == "") != p.MarriageDate.IsZero() {
			t.Fatalf("accepted an incomplete person %+v", p)
		}
		r2 := p.Row()
		p2, ps := r2.Check(ctx)
		if ps != nil || !reflect.DeepEqual(p, p2) {
			t.Fatalf("Row() checks differently: %v\n%+v\n%+v", ps, p, p2)
		}
	})
}
