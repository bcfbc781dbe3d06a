package vntext

import (
	"math"
	"strings"
	"testing"
	"time"
)

func TestSimilarity(t *testing.T) {
	tests := []struct {
		name     string
		a, b     string
		min, max float64 // inclusive bounds
	}{
		{"identical", "Nguyễn Văn An", "Nguyễn Văn An", 1, 1},
		{"tone placement only", "Nguyễn Thị Thuý", "Nguyễn Thị Thúy", 1, 1},
		{"hoà/hòa", "Lê Văn Hoà", "Lê Văn Hòa", 1, 1},
		{"NFD vs NFC", nfd("Nguyễn Văn An"), "Nguyễn Văn An", 1, 1},
		{"whitespace only", "Nguyễn  Văn An ", "Nguyễn Văn An", 1, 1},
		{"both empty", "", "", 1, 1},
		{"empty vs blank", "", " \t", 1, 1},
		{"empty vs name", "", "Nguyễn Văn An", 0, 0},
		{"punctuation vs empty", "-", "", 0, 0},

		{"case only", "NGUYỄN VĂN AN", "Nguyễn Văn An", 0.99, 0.99},
		{"diacritics dropped", "Nguyễn Văn An", "Nguyen Van An", 0.97, 0.97},
		{"one tone missing", "Nguyễn Văn An", "Nguyễn Văn Ân", 0.97, 0.97},
		{"Đ vs D", "Đặng Thị Hòa", "Dang Thi Hoa", 0.97, 0.97},
		{"apostrophe variants", "H'Hen Niê", "H’Hen Niê", 0.97, 0.97},

		{"swapped order", "Nguyễn Văn An", "Văn An Nguyễn", 0.9, 0.95},
		{"given name first", "Nguyễn Văn An", "An Nguyễn Văn", 0.9, 0.95},
		{"minority name swapped", "Y Moan Ênuôl", "Ênuôl Y Moan", 0.9, 0.95},
		{"minority name swapped, no diacritics", "H'Hen Niê", "Nie Hhen", 0.9, 0.95},

		{"typo: substitution", "Nguyễn Thị Lan", "Nguyễn Thị Lam", 0.85, 0.96},
		{"typo: transposition", "Nguyễn Văn An", "Ngyuễn Văn An", 0.85, 0.96},
		{"typo: deletion", "Trần Văn Thắng", "Trần Văn Thắn", 0.85, 0.96},
		{"typo: insertion", "Phạm Minh Tuấn", "Phạm Minhh Tuấn", 0.85, 0.96},
		{"typo: short token", "Nguyễn Văn An", "Nguyễn Văn Ah", 0.85, 0.96},
		{"typo and no diacritics", "Nguyễn Thị Thu Hương", "Nguyen Thi Thu Huong", 0.97, 0.97},
		{"typo without diacritics", "Nguyễn Thị Hương", "Nguyen Thi Huonq", 0.85, 0.96},

		{"missing middle name", "Nguyễn Văn An", "Nguyễn An", 0.8, 0.95},
		{"missing one of two middle names", "Trần Thị Bích Ngọc", "Trần Thị Ngọc", 0.8, 0.95},
		{"missing middle name, swapped", "Nguyễn Văn An", "An Nguyễn", 0.75, 0.95},

		{"different names", "Nguyễn Văn An", "Trần Thị Bích", 0, 0.5},
		{"different names 2", "Lê Minh", "Phạm Quốc Hùng", 0, 0.5},
		{"different names 3", "Hoàng Văn Thụ", "Lý Thị Mai", 0, 0.5},
		{"different given names", "Nguyễn Văn An", "Nguyễn Thị Bình", 0, 0.7},
		{"different minority names", "H'Hen Niê", "Ksor H'Bia", 0, 0.5},
		{"single token vs full name", "An", "Nguyễn Văn An", 0, 0.5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Similarity(tt.a, tt.b)
			if got < tt.min-1e-9 || got > tt.max+1e-9 {
				t.Errorf("Similarity(%q, %q) = %.4f, want in [%.2f, %.2f]", tt.a, tt.b, got, tt.min, tt.max)
			}
			if rev := Similarity(tt.b, tt.a); math.Abs(rev-got) > 1e-12 {
				t.Errorf("Similarity not symmetric: %.6f vs %.6f", got, rev)
			}
		})
	}
}

// TestSimilarityRanking checks that the score orders kinds of difference as
// documented.
func TestSimilarityRanking(t *testing.T) {
	const name = "Nguyễn Văn An"
	order := []string{
		"Nguyễn Văn An", // same spelling
		"NGUYỄN VĂN AN", // case
		"Nguyen Van An", // diacritics
		"Nguyễn Văn Anh",
		"Văn An Nguyễn", // order
		"Nguyễn An",     // missing middle name
		"Nguyễn Thị Bình",
		"Trần Thị Bích",
	}
	prev := 2.0
	for _, other := range order {
		s := Similarity(name, other)
		if s >= prev {
			t.Errorf("Similarity(%q, %q) = %.4f, not below the previous %.4f", name, other, s, prev)
		}
		prev = s
	}
}

func TestSimilarityRange(t *testing.T) {
	names := readLines(t, "testdata/syllables.txt")
	names = append(names, "", "-", "A", "Y", "Nguyễn Nguyễn Nguyễn", "a b c d e f g h i j k l m n o p q r s t")
	for i, a := range names {
		for _, b := range names[max(0, i-20):min(len(names), i+20)] {
			s := Similarity(a, b)
			if s < 0 || s > 1 || math.IsNaN(s) {
				t.Fatalf("Similarity(%q, %q) = %v", a, b, s)
			}
			if (s == 1) != SameSpelling(a, b) {
				t.Errorf("Similarity(%q, %q) = %v but SameSpelling is %v", a, b, s, SameSpelling(a, b))
			}
		}
	}
}

func TestSimilarityManyTokens(t *testing.T) {
	// Beyond the exact assignment's limit the greedy one takes over.
	a := "a1 b2 c3 d4 e5 f6 g7 h8 i9 j10 k11 l12"
	b := "l12 k11 j10 i9 h8 g7 f6 e5 d4 c3 b2 a1"
	if s := Similarity(a, b); s < 0.9 || s > 0.93 {
		t.Errorf("Similarity of reversed 12-token names = %.4f, want about 0.92", s)
	}
	if s := Similarity(a, a+" m13"); s < 0.9 {
		t.Errorf("Similarity with one extra token = %.4f, want ≥ 0.9", s)
	}
}

func TestSimilarityHugeInput(t *testing.T) {
	long := strings.Repeat("nguyen van an ", 20000)
	word := strings.Repeat("abcdefghij", 20000)
	start := time.Now()
	for _, p := range [][2]string{{long, long + "x"}, {word, word + "x"}, {long, word}} {
		if s := Similarity(p[0], p[1]); s < 0 || s > 1 {
			t.Errorf("Similarity = %v", s)
		}
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("Similarity on huge input took %v", d)
	}
}

func TestSimilarityAllocations(t *testing.T) {
	if got := testing.AllocsPerRun(100, func() { Similarity("Nguyễn Văn An", "Văn An Nguyen") }); got != 0 {
		t.Errorf("Similarity: %v allocations, want 0", got)
	}
}

func TestJaroWinkler(t *testing.T) {
	tests := []struct {
		a, b string
		want float64
	}{
		{"martha", "marhta", 0.9611},
		{"dwayne", "duane", 0.84},
		{"dixon", "dicksonx", 0.8133},
		{"an", "an", 1},
		{"an", "", 0},
		{"abc", "xyz", 0},
		{"nguyên", "nguyen", 0.9333},
	}
	for _, tt := range tests {
		t.Run(tt.a+"/"+tt.b, func(t *testing.T) {
			if got := jaroWinkler([]byte(tt.a), []byte(tt.b)); math.Abs(got-tt.want) > 1e-4 {
				t.Errorf("jaroWinkler(%q, %q) = %.4f, want %.4f", tt.a, tt.b, got, tt.want)
			}
		})
	}
}
