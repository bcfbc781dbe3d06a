package bulk

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"testing"

	"dancu/internal/civil"
	"dancu/internal/place"
)

var today = civil.MustParse("2026-03-01")

func checkContext() CheckContext { return CheckContext{Places: place.Default(), Today: today} }

// sampleRow is a complete, valid row: a man born in Hà Nội in 1990,
// married, heading a household in Ba Đình, temporarily resident in Sài Gòn.
func sampleRow() Row {
	return Row{
		PID: "001090012345", LegacyIDs: "012345678", FullName: "Nguyễn Văn An", OtherNames: "Tí",
		BirthDate: "1990-05-17", Sex: "male", BirthPlace: "00004", RegistrationPlace: "00004", HomeTown: "01",
		Ethnicity: "01", Religion: "00", Nationality: "VN", PIDIssuedOn: "2021-03-01",
		MotherPID: "001165000001", FatherPID: "001062000002", SpousePID: "001192000003", MarriageDate: "2018-10-20",
		HouseholdID: "000000000123", Relation: "head",
		PermanentPlace: "00004", PermanentAddress: "12 Phố Quán Thánh", PermanentFrom: "2025-08-01",
		TemporaryPlace: "26740", TemporaryAddress: "5 Lê Lợi, tổ 3", TemporaryFrom: "2025-09-01", TemporaryUntil: "2027-08-31",
		Phones: "0912345678", Status: "alive",
	}
}

// minimalHeader has the required columns only.
const minimalHeader = "pid,full_name,birth_date,sex,registration_place"

// goodLine is a valid row under minimalHeader; n varies the number.
func goodLine(n int) string {
	return fmt.Sprintf("001090%06d,Nguyễn Văn An,1990-05-17,male,00004", n)
}

func readAll(tb testing.TB, f Format, data string) []Record {
	tb.Helper()
	r, err := NewReader(strings.NewReader(data), f)
	if err != nil {
		tb.Fatalf("NewReader: %v", err)
	}
	return drain(tb, r)
}

func drain(tb testing.TB, r *Reader) []Record {
	tb.Helper()
	var out []Record
	for {
		rec, err := r.Next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			tb.Fatalf("Next: %v", err)
		}
		out = append(out, rec)
	}
}

// codes lists each record's problem codes, "ok" for none.
func codes(recs []Record) []string {
	out := make([]string, len(recs))
	for i, r := range recs {
		if len(r.Problems) == 0 {
			out[i] = "ok"
			continue
		}
		cs := make([]string, len(r.Problems))
		for j, p := range r.Problems {
			cs[j] = p.Code
		}
		out[i] = strings.Join(cs, "+")
	}
	return out
}

func writeRows(tb testing.TB, f Format, rows ...Row) []byte {
	tb.Helper()
	var b bytes.Buffer
	w := NewWriter(&b, f)
	for _, r := range rows {
		if err := w.Write(r); err != nil {
			tb.Fatalf("Write: %v", err)
		}
	}
	if err := w.Flush(); err != nil {
		tb.Fatalf("Flush: %v", err)
	}
	return b.Bytes()
}

// genReader produces a header and n generated rows without holding them.
type genReader struct {
	n, i int
	buf  []byte // the unread rest of line
	line []byte
	row  func(i int) string
}

func (g *genReader) Read(p []byte) (int, error) {
	for len(g.buf) == 0 {
		if g.i > g.n {
			return 0, io.EOF
		}
		g.line = g.line[:0]
		if g.i == 0 {
			g.line = append(g.line, minimalHeader...)
		} else {
			g.line = append(g.line, g.row(g.i)...)
		}
		g.line = append(g.line, '\n')
		g.buf = g.line
		g.i++
	}
	n := copy(p, g.buf)
	g.buf = g.buf[n:]
	return n, nil
}
