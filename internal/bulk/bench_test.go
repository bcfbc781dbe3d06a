package bulk

import (
	"bytes"
	"fmt"
	"io"
	"testing"
)

const benchRows = 100_000

// benchFile is benchRows full rows (every column of the sample person,
// numbers varied), about 330 bytes each.
func benchFile(b *testing.B, f Format) []byte {
	b.Helper()
	rows := make([]Row, benchRows)
	for i := range rows {
		r := sampleRow()
		r.PID = fmt.Sprintf("001090%06d", i+1)
		r.LegacyIDs = fmt.Sprintf("0%08d", i+1)
		rows[i] = r
	}
	return writeRows(b, f, rows...)
}

func benchRead(b *testing.B, f Format, check bool) {
	data := benchFile(b, f)
	ctx := checkContext()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		r, err := NewReader(bytes.NewReader(data), f)
		if err != nil {
			b.Fatal(err)
		}
		n := 0
		for {
			rec, err := r.Next()
			if err == io.EOF {
				break
			}
			if err != nil || rec.Problems != nil {
				b.Fatal(err, rec.Problems)
			}
			if check {
				if _, ps := rec.Row.Check(ctx); ps != nil {
					b.Fatal(ps)
				}
			}
			n++
		}
		if n != benchRows {
			b.Fatalf("%d rows", n)
		}
	}
	b.ReportMetric(float64(benchRows*b.N)/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkReadCSV reads 100k CSV rows per iteration.
func BenchmarkReadCSV(b *testing.B)        { benchRead(b, CSV, false) }
func BenchmarkReadJSONL(b *testing.B)      { benchRead(b, JSONLines, false) }
func BenchmarkReadCheckCSV(b *testing.B)   { benchRead(b, CSV, true) }
func BenchmarkReadCheckJSONL(b *testing.B) { benchRead(b, JSONLines, true) }

func BenchmarkWriteCSV(b *testing.B) {
	r := sampleRow()
	w := NewWriter(io.Discard, CSV)
	b.ReportAllocs()
	for b.Loop() {
		if err := w.Write(r); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}
