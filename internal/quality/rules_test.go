package quality

import (
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// TestRuleBitsStable pins every released rule's bit, code and dimension.
// Flags are stored in the database: a change here corrupts every stored
// assessment. Add new rules at the end with new bits; never edit or remove
// a line.
func TestRuleBitsStable(t *testing.T) {
	released := []struct {
		bit  uint
		code string
		dim  Dimension
	}{
		{0, "pid_malformed", Correct},
		{1, "pid_digits_mismatch", Correct},
		{2, "death_before_birth", Correct},
		{3, "date_in_future", Correct},
		{4, "date_before_birth", Correct},
		{5, "place_invalid_on_date", Correct},
		{6, "unknown_code", Correct},
		{7, "place_country_conflict", Correct},
		{8, "status_inconsistent", Correct},
		{9, "residence_inconsistent", Correct},
		{16, "missing_full_name", Complete},
		{17, "missing_birth_date", Complete},
		{18, "missing_sex", Complete},
		{19, "missing_registration_place", Complete},
		{20, "missing_birth_place", Complete},
		{21, "missing_ethnicity", Complete},
		{22, "missing_religion", Complete},
		{23, "missing_nationality", Complete},
		{24, "missing_home_town", Complete},
		{25, "missing_permanent_residence", Complete},
		{26, "adult_without_phone", Complete},
		{27, "birth_date_imprecise", Complete},
		{28, "residence_without_address", Complete},
		{32, "junk_name", Clean},
		{33, "name_not_canonical", Clean},
		{34, "name_missing_diacritics", Clean},
		{35, "placeholder_value", Clean},
		{36, "phone_malformed", Clean},
		{37, "phone_test_number", Clean},
		{38, "legacy_id_malformed", Clean},
		{39, "duplicate_suspected", Clean},
		{40, "phone_shared", Clean},
		{48, "temporary_residence_expired", Alive},
		{49, "no_residence_in_force", Alive},
		{50, "over_120_alive", Alive},
		{51, "missing_not_followed_up", Alive},
	}
	for _, want := range released {
		r, ok := RuleByCode(want.code)
		if !ok {
			t.Errorf("released rule %s is gone", want.code)
			continue
		}
		if r.Bit != want.bit || r.Dimension != want.dim {
			t.Errorf("rule %s: bit %d, dimension %s; released as bit %d, %s", want.code, r.Bit, r.Dimension, want.bit, want.dim)
		}
	}
	if len(Rules) != len(released) {
		t.Errorf("%d rules, %d released: add the new rules to this test", len(Rules), len(released))
	}
	if FlagDuplicateSuspected != Flag("duplicate_suspected") || FlagPhoneShared != Flag("phone_shared") {
		t.Error("external flag constants disagree with the rules")
	}
}

func TestRuleTable(t *testing.T) {
	bits := map[uint]string{}
	ranges := map[Dimension][2]uint{Correct: {0, 15}, Complete: {16, 31}, Clean: {32, 47}, Alive: {48, 63}}
	codeRE := regexp.MustCompile(`^[a-z][a-z0-9_]*[a-z0-9]$`)
	var external uint64
	for i, r := range Rules {
		if prev, dup := bits[r.Bit]; dup {
			t.Errorf("bit %d used by %s and %s", r.Bit, prev, r.Code)
		}
		bits[r.Bit] = r.Code
		if i > 0 && r.Bit <= Rules[i-1].Bit {
			t.Errorf("rule %s: Rules is not in bit order", r.Code)
		}
		rg, ok := ranges[r.Dimension]
		if !ok || r.Bit < rg[0] || r.Bit > rg[1] {
			t.Errorf("rule %s: bit %d outside its dimension %q", r.Code, r.Bit, r.Dimension)
		}
		if !codeRE.MatchString(r.Code) {
			t.Errorf("rule code %q is not snake_case", r.Code)
		}
		if r.Weight <= 0 || r.Weight > 100 {
			t.Errorf("rule %s: weight %d", r.Code, r.Weight)
		}
		if r.Title["vi"] == "" || r.Title["en"] == "" || len(r.Title) != 2 {
			t.Errorf("rule %s: titles %v", r.Code, r.Title)
		}
		if r.External {
			external |= 1 << r.Bit
		}
		if got, ok := RuleByCode(r.Code); !ok || got.Bit != r.Bit {
			t.Errorf("RuleByCode(%s)", r.Code)
		}
	}
	if external != ExternalMask {
		t.Errorf("ExternalMask %x, external rules %x", ExternalMask, external)
	}
	var all uint64
	for _, d := range Dimensions {
		m := DimensionMask(d)
		if all&m != 0 {
			t.Errorf("dimension %s shares flags", d)
		}
		all |= m
	}
	if all != ruleMask {
		t.Errorf("dimension masks %x, rules %x", all, ruleMask)
	}
}

// TestWeightsDocumented checks the weight table of the package
// documentation against Rules.
func TestWeightsDocumented(t *testing.T) {
	doc, err := os.ReadFile("doc.go")
	if err != nil {
		t.Fatal(err)
	}
	line := regexp.MustCompile(`^//\t\s*(\d+) ([a-z0-9_]+)\s+(\d+)\b`)
	seen := 0
	for l := range strings.SplitSeq(string(doc), "\n") {
		m := line.FindStringSubmatch(l)
		if m == nil {
			continue
		}
		seen++
		r, ok := RuleByCode(m[2])
		bit, _ := strconv.Atoi(m[1])
		w, _ := strconv.Atoi(m[3])
		if !ok || int(r.Bit) != bit || r.Weight != w {
			t.Errorf("doc.go says %s: bit %d weight %d; Rules has bit %d weight %d", m[2], bit, w, r.Bit, r.Weight)
		}
	}
	if seen != len(Rules) {
		t.Errorf("doc.go documents %d rules, Rules has %d", seen, len(Rules))
	}
}

func TestScoreOf(t *testing.T) {
	for _, tc := range []struct {
		flags uint64
		want  int
	}{
		{0, 100},
		{Flag("missing_religion"), 98},
		{Flag("missing_religion") | Flag("adult_without_phone"), 95},
		{FlagDuplicateSuspected, 75},
		{Flag("pid_malformed") | Flag("missing_full_name") | Flag("missing_sex"), 0},
		{1 << 63, 100}, // no rule: ignored
	} {
		if got := ScoreOf(tc.flags); got != tc.want {
			t.Errorf("ScoreOf(%v) = %d, want %d", firedCodes(tc.flags), got, tc.want)
		}
	}
}

func TestDescribe(t *testing.T) {
	flags := Flag("adult_without_phone") | Flag("pid_digits_mismatch") | FlagDuplicateSuspected | 1<<63
	got := Describe(flags, "en")
	var rules []string
	for _, f := range got {
		rules = append(rules, f.Rule)
	}
	if want := []string{"pid_digits_mismatch", "duplicate_suspected", "adult_without_phone"}; !slices.Equal(rules, want) {
		t.Fatalf("Describe: %v, want %v", rules, want)
	}
	if got[0].Field != "pid" || got[0].Message != "Personal ID number disagrees with the birth year, sex or place of birth registration" {
		t.Errorf("Describe: %+v", got[0])
	}
	if vi := Describe(flags, "vi-VN"); vi[2].Message != "Người từ 18 tuổi chưa có số điện thoại" {
		t.Errorf("Vietnamese: %+v", vi[2])
	}
	if Describe(0, "en") != nil {
		t.Error("Describe(0) is not nil")
	}
}

func TestDimensionTitle(t *testing.T) {
	if Alive.Title("vi") != "Sống" || Correct.Title("en-US") != "Correct" || Dimension("x").Title("vi") != "x" {
		t.Error("dimension titles")
	}
}
