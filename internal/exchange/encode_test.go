package exchange

import (
	"encoding/json"
	"testing"

	gojson "github.com/goccy/go-json"
)

// TestBatchRecordEncoding holds the results' encoder (go-json, for speed)
// to what encoding/json writes, on results of every shape: text that
// encoding/json escapes for HTML, invalid UTF-8, control characters,
// scores, and attributes left out.
func TestBatchRecordEncoding(t *testing.T) {
	score := 87
	zero := 0
	records := []BatchRecord{
		{Line: 1, Result: "match", Matches: &VerifyResult{Result: "match", IDDocumentMatch: MatchTrue, NameMatch: MatchTrue, NameMatchKind: "exact"}},
		{Line: 2, Ref: "<ref & \"quoted\">", Result: "mismatch", Mismatched: []string{"birthdate", "name"},
			Matches: &VerifyResult{Result: "mismatch", IDDocumentMatch: MatchTrue, NameMatch: MatchFalse, NameMatchScore: &score,
				GivenNameMatchScore: &zero, BirthdateMatch: MatchFalse, PhoneNumberMatch: MatchNotAvailable}},
		{Line: 3, Ref: "a\x00b\u2028\u2029\xff\t", Result: "invalid", Reason: "attribute \"x\" is not text: <>&"},
		{Line: 1 << 40, Result: "not_found"},
		{},
	}
	for _, r := range records {
		want, err := json.Marshal(&r)
		if err != nil {
			t.Fatal(err)
		}
		got, err := gojson.Marshal(&r)
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != string(want) {
			t.Errorf("go-json writes\n%s\nencoding/json writes\n%s", got, want)
		}
	}
}
