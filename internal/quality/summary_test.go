package quality

import (
	"encoding/json"
	"math"
	"testing"
)

func TestSummary(t *testing.T) {
	commune := Summary{Unit: "00004"}
	commune.Add(0)
	commune.Add(Flag("adult_without_phone") | Flag("missing_religion"))       // 95
	commune.Add(Flag("temporary_residence_expired") | FlagDuplicateSuspected) // 65
	if commune.Persons != 3 || math.Abs(commune.Score-(100+95+65)/3.0) > 1e-9 {
		t.Fatalf("commune: %d persons, score %v", commune.Persons, commune.Score)
	}
	if commune.ByRule["adult_without_phone"] != 1 || commune.ByRule["duplicate_suspected"] != 1 || len(commune.ByRule) != 4 {
		t.Errorf("by rule %v", commune.ByRule)
	}
	if commune.ByDimension[Complete] != 1 || commune.ByDimension[Clean] != 1 || commune.ByDimension[Alive] != 1 || commune.ByDimension[Correct] != 0 {
		t.Errorf("by dimension %v", commune.ByDimension)
	}

	other := Summary{Unit: "00008"}
	other.Add(Flag("missing_religion")) // 98
	province := Summary{Unit: "01"}
	province.Merge(commune)
	province.Merge(other)
	province.Merge(Summary{})
	if province.Unit != "01" || province.Persons != 4 || math.Abs(province.Score-(100+95+65+98)/4.0) > 1e-9 {
		t.Fatalf("province: %+v", province)
	}
	if province.ByRule["missing_religion"] != 2 || province.ByDimension[Complete] != 2 {
		t.Errorf("province: %+v", province)
	}
	if _, err := json.Marshal(province); err != nil {
		t.Fatal(err)
	}
}

func TestSummaryMeanOverManyRecords(t *testing.T) {
	var s Summary
	for i := range 1_000_000 {
		if i%2 == 0 {
			s.Add(0)
		} else {
			s.Add(Flag("missing_religion"))
		}
	}
	if math.Abs(s.Score-99) > 1e-9 {
		t.Fatalf("mean %v, want 99", s.Score)
	}
}
