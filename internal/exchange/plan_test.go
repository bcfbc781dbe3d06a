package exchange

import (
	"bytes"
	"cmp"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"dancu/internal/registry"
)

// TestPlanReadInParts: a file read in parts side by side gives the same
// records, numbered the same, as read whole, with blank lines and spaces
// about; and the plan survives its file, any damage to which is caught.
func TestPlanReadInParts(t *testing.T) {
	var file bytes.Buffer
	for i := range 5000 {
		switch i % 7 {
		case 3:
			file.WriteString("   \n")
		case 5:
			fmt.Fprintf(&file, "\t {\"idDocument\":\"0010900%05d\"}  \r\n", i)
		default:
			fmt.Fprintf(&file, "{\"idDocument\":\"0010900%05d\",\"ref\":\"%d\"}\n", i, i)
		}
	}
	file.WriteString(`{"idDocument":"bad"`) // no newline at the end, malformed
	data := file.Bytes()
	whole, wholeNumbers, err := readPlan(data, 0, len(data), "jsonl", nil)
	numberOf := map[int]string{}
	for _, n := range wholeNumbers {
		numberOf[n.record] = string(appendUnpacked(nil, n.number))
	}
	if blank := (5000 + 3) / 7; len(numberOf) != 5000-blank || numberOf[0] != "001090000000" {
		t.Fatalf("%d numbers read, the first %q", len(numberOf), numberOf[0])
	}
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []int{2, 3, 8} {
		bounds := splitLines(data, 0, n)
		var plan []planEntry
		var numbers []numbered
		for p := range n {
			if b := bounds[p]; b > 0 && data[b-1] != '\n' {
				t.Fatalf("part %d of %d begins inside a line", p, n)
			}
			part, nums, err := readPlan(data, bounds[p], bounds[p+1], "jsonl", nil)
			if err != nil {
				t.Fatal(err)
			}
			for i := range part {
				part[i].line += int64(len(plan))
			}
			for _, x := range nums {
				numbers = append(numbers, numbered{x.number, len(plan) + x.record})
			}
			plan = append(plan, part...)
		}
		if !slices.Equal(plan, whole) || !slices.Equal(numbers, wholeNumbers) {
			t.Fatalf("in %d parts: %d records, whole: %d", n, len(plan), len(whole))
		}
	}
	for i, e := range whole {
		text := bytes.TrimSpace(data[e.off : e.off+int64(e.size)])
		if len(text) != int(e.size) || e.line != int64(i+1) {
			t.Fatalf("record %d: %q at line %d", i, data[e.off:e.off+int64(e.size)], e.line)
		}
	}
	if last, ok := numberOf[len(whole)-1]; ok {
		t.Fatalf("the malformed last record names %q", last)
	}

	for i := range whole {
		whole[i].key = registry.PersonKey(7 * (i % 13))
	}
	var buf bytes.Buffer
	if err := encodePlan(&buf, whole); err != nil {
		t.Fatal(err)
	}
	raw := buf.Bytes()
	back, err := decodePlan(raw)
	if err != nil || !slices.Equal(back, whole) {
		t.Fatalf("plan read back: %v", err)
	}
	for _, at := range []int{0, len(planMagic) + 3, len(raw) / 2, len(raw) - 1} {
		bad := bytes.Clone(raw)
		bad[at] ^= 1
		if _, err := decodePlan(bad); err == nil {
			t.Fatalf("a plan damaged at byte %d was read", at)
		}
	}
	if _, err := decodePlan(raw[:len(raw)-40]); err == nil {
		t.Fatal("a cut plan was read")
	}
}

// TestSortedByKey sorts as a stable comparison sort does, on keys that
// differ in any of their bytes and on keys that share most of them.
func TestSortedByKey(t *testing.T) {
	type pair struct {
		k     uint64
		order int
	}
	r := rand.New(rand.NewPCG(1, 2))
	for _, keyOf := range []func() uint64{
		func() uint64 { return r.Uint64() },
		func() uint64 { return uint64(r.IntN(1000)) << 40 },
		func() uint64 { return 7 },
	} {
		s := make([]pair, 200_000)
		for i := range s {
			s[i] = pair{keyOf(), i}
		}
		want := slices.Clone(s)
		slices.SortStableFunc(want, func(x, y pair) int { return cmp.Compare(x.k, y.k) })
		if got := sortedByKey(s, func(p *pair) uint64 { return p.k }); !slices.Equal(got, want) {
			t.Fatal("sortedByKey differs from a stable sort")
		}
	}
	if got := sortedByKey([]pair{{3, 0}}, func(p *pair) uint64 { return p.k }); len(got) != 1 {
		t.Fatal("one entry lost")
	}
}

// TestPackedNumbersSortAsText: numbers packed for the plan's sort come
// back as they were and sort as their text does; text that is no one's
// number (not digits, too long) is not packed.
func TestPackedNumbersSortAsText(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	var texts []string
	for range 20_000 {
		n := make([]byte, 1+r.IntN(16))
		for i := range n {
			n[i] = byte('0' + r.IntN(10))
		}
		texts = append(texts, string(n))
	}
	texts = append(texts, "0", "00", "000000000000", "999999999999", "9999999999999999", "001090012345", "00109001234")
	packed := make([]uint64, len(texts))
	for i, n := range texts {
		p, ok := packNumber(n)
		if !ok || string(appendUnpacked(nil, p)) != n {
			t.Fatalf("%q packs to %x (%v), back as %q", n, p, ok, appendUnpacked(nil, p))
		}
		packed[i] = p
	}
	order := func(less func(i, j int) bool) []int {
		idx := make([]int, len(texts))
		for i := range idx {
			idx[i] = i
		}
		slices.SortStableFunc(idx, func(i, j int) int {
			if less(i, j) {
				return -1
			}
			if less(j, i) {
				return 1
			}
			return 0
		})
		return idx
	}
	byText := order(func(i, j int) bool { return texts[i] < texts[j] })
	byPacked := order(func(i, j int) bool { return packed[i] < packed[j] })
	if !slices.Equal(byText, byPacked) {
		t.Fatal("packed numbers sort otherwise than their text")
	}
	for _, n := range []string{"", "12345678901234567", "00109001234a", " 001090012345", "٣"} {
		if _, ok := packNumber(n); ok {
			t.Errorf("%q was packed", n)
		}
	}
}
