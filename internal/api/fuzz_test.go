package api_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// fuzzBodies posts arbitrary bodies to a write endpoint: whatever arrives,
// the answer is a 2xx or a problem document, never a server error.
func fuzzBodies(f *testing.F, path func(ta *testAPI) string, seeds []string) {
	for _, s := range seeds {
		f.Add(s)
	}
	ta := newTestAPI(f)
	target := path(ta)
	f.Fuzz(func(t *testing.T, body string) {
		req, _ := http.NewRequest("POST", ta.srv.URL+target, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+ta.tokens["VN"])
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out map[string]any
		if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
			t.Fatalf("response is not JSON: %v", err)
		}
		if resp.StatusCode >= 500 {
			t.Fatalf("server error %d for %q: %v", resp.StatusCode, body, out)
		}
		if resp.StatusCode >= 400 && (resp.Header.Get("Content-Type") != "application/problem+json" || out["type"] == nil) {
			t.Fatalf("error %d without a problem document: %v", resp.StatusCode, out)
		}
	})
}

func FuzzBirthRequest(f *testing.F) {
	fuzzBodies(f, func(*testAPI) string { return "/api/v1/births" }, []string{
		`{"full_name":"Nguyễn Văn A","birth_date":"2020-01-01","sex":"male","birth_place":"00004","registration_place":"00004"}`,
		`{"full_name":"H'Hen Niê","birth_date":"1931","sex":"nữ","birth_country":"JP","registration_country":"JP"}`,
		`{"full_name":"x","birth_date":"2020-02-30"}`,
		`{"full_name":1}`, `[]`, `null`, ``, `{"mother_pid":"001080000001"}`, "{\"full_name\":\"\xff\"}",
	})
}

func FuzzEventRequest(f *testing.F) {
	fuzzBodies(f, func(ta *testAPI) string {
		return "/api/v1/citizens/" + ta.birth("Trương Văn Phong", "1980-01-01", "male", "00004") + "/events"
	}, []string{
		`{"type":"permanent_residence","effective_date":"2025-08-01","place":"00004","address":"1 Phố Huế","new_household":true}`,
		`{"type":"temporary_residence","place":"26740","address":"x","until":"2027-01-01"}`,
		`{"type":"marriage","spouse_pid":"001180000001"}`,
		`{"type":"correction","birth_date":"1981","sex":"female"}`,
		`{"type":"phone_number","phone":"+84912345678"}`,
		`{"type":"death","effective_date":"1970-01-01"}`,
		`{"type":"legacy_id","legacy_id":"012345678"}`,
		`{"type":"x"}`, `{}`,
	})
}

// FuzzReadQuery sends arbitrary query strings to the citizen read: bad
// as_of or known_at values are problems naming the parameter, never errors.
func FuzzReadQuery(f *testing.F) {
	for _, s := range []string{"as_of=2025-01-01", "known_at=2026-01-01T00:00:00Z", "as_of=1990&known_at=2026-01-01", "as_of=%00", "known_at=yesterday", "x=1", "as_of=2025-02-30"} {
		f.Add(s)
	}
	ta := newTestAPI(f)
	pid := ta.birth("Thái Văn Hòa", "1985-01-01", "male", "00004")
	f.Fuzz(func(t *testing.T, query string) {
		if strings.ContainsFunc(query, func(c rune) bool { return c <= ' ' || c >= 0x7f || c == '#' }) {
			return // not a request line net/http would send; the server's parser refuses it before dancu sees it
		}
		req, err := http.NewRequest("GET", ta.srv.URL+"/api/v1/citizens/"+pid+"?"+query, nil)
		if err != nil {
			return
		}
		req.Header.Set("Authorization", "Bearer "+ta.tokens["VN"])
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return
		}
		defer resp.Body.Close()
		if resp.StatusCode >= 500 {
			t.Fatalf("server error %d for query %q", resp.StatusCode, query)
		}
		if resp.StatusCode != 200 && resp.Header.Get("Content-Type") != "application/problem+json" {
			t.Fatalf("%d without a problem document for %q", resp.StatusCode, query)
		}
	})
}
