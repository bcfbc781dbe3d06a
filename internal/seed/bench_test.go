package seed

import (
	"errors"
	"io"
	"testing"
)

// BenchmarkGenerate measures generation speed in persons per second; b.N
// is the number of persons.
func BenchmarkGenerate(b *testing.B) {
	g, err := New(Config{Citizens: b.N, Seed: 1, Today: testToday})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for {
		_, err := g.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			b.Fatal(err)
		}
		g.Truth()
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "persons/s")
}
