package vntext

import "testing"

var (
	sinkString string
	sinkBool   bool
	sinkFloat  float64
)

var benchNames = []struct{ name, s string }{
	{"NFC", "Nguyễn Văn An"},
	{"NFC long", "Huỳnh Thị Thúy Hằng"},
	{"NFD", "Nguye\u0302\u0303n Va\u0306n An"},
	{"ASCII", "NGUYEN VAN AN"},
	{"folded", "nguyen van an"},
}

func BenchmarkFold(b *testing.B) {
	for _, bn := range benchNames {
		b.Run(bn.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				sinkString = Fold(bn.s)
			}
		})
	}
}

func BenchmarkEqualFold(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		sinkBool = EqualFold("Nguyễn Văn An", "NGUYEN VAN AN")
	}
}

func BenchmarkCanonical(b *testing.B) {
	for _, bn := range []struct{ name, s string }{
		{"canonical", "Nguyễn Thị Thúy Hòa"},
		{"new style", "Nguyễn Thị Thuý Hoà"},
		{"ASCII", "Nguyen Van An"},
	} {
		b.Run(bn.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				sinkString = Canonical(bn.s)
			}
		})
	}
}

func BenchmarkSimilarity(b *testing.B) {
	for _, bn := range []struct{ name, a, b string }{
		{"same", "Nguyễn Văn An", "Nguyễn Văn An"},
		{"diacritics", "Nguyễn Văn An", "Nguyen Van An"},
		{"swapped", "Nguyễn Văn An", "Văn An Nguyễn"},
		{"typo", "Nguyễn Thị Lan", "Nguyễn Thị Lam"},
		{"missing middle", "Trần Thị Bích Ngọc", "Trần Ngọc"},
		{"different", "Nguyễn Văn An", "Trần Thị Bích"},
	} {
		b.Run(bn.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				sinkFloat = Similarity(bn.a, bn.b)
			}
		})
	}
}
