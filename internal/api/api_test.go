package api_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"dancu/internal/actor"
	"dancu/internal/api"
	"dancu/internal/officer"
	"dancu/internal/place"
	"dancu/internal/registry"
	"dancu/internal/store/sqlite"
	"dancu/internal/store/sqlstore"
)

type testAPI struct {
	t      testing.TB
	srv    *httptest.Server
	db     *sqlstore.DB
	tokens map[string]string // by unit
}

func newTestAPI(t testing.TB) *testAPI {
	t.Helper()
	ctx := context.Background()
	db, _, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "dancu.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	places := place.Default()
	officers := &officer.Service{Store: db.Officers(), Places: places, Clock: time.Now, Rand: rand.Reader, HashKey: []byte("api-test-key-api-test-key-api-te")}
	reg := registry.NewService(db.Registry(), places, time.Now, rand.Reader)
	h := api.NewServer(api.Deps{Registry: reg, Officers: officers, Places: places, Log: slog.New(slog.DiscardHandler), Ready: db.Ping})
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	ta := &testAPI{t: t, srv: srv, db: db, tokens: map[string]string{}}
	for _, unit := range []string{"VN", "00004", "26740", "01"} {
		_, tok, err := officers.Create(ctx, actor.Actor{Kind: actor.KindOperator, ID: "test"}, "Cán bộ "+unit, unit, "registry")
		if err != nil {
			t.Fatal(err)
		}
		ta.tokens[unit] = tok
	}
	return ta
}

type response struct {
	status int
	header http.Header
	body   []byte
	json   map[string]any
}

func (ta *testAPI) do(method, path, unit string, body any, headers ...string) response {
	ta.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			ta.t.Fatal(err)
		}
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, ta.srv.URL+path, rd)
	if err != nil {
		ta.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if tok, ok := ta.tokens[unit]; ok {
		req.Header.Set("Authorization", "Bearer "+tok)
	} else if unit != "" {
		req.Header.Set("Authorization", "Bearer "+unit)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		ta.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	r := response{status: resp.StatusCode, header: resp.Header, body: b}
	json.Unmarshal(b, &r.json)
	return r
}

func (ta *testAPI) counts() map[string]int64 {
	ta.t.Helper()
	c, err := ta.db.Counts(context.Background())
	if err != nil {
		ta.t.Fatal(err)
	}
	return c
}

func (ta *testAPI) birth(name, date, sex, place string) string {
	ta.t.Helper()
	r := ta.do("POST", "/api/v1/births", "VN", map[string]any{"full_name": name, "birth_date": date, "sex": sex, "birth_place": place, "registration_place": place})
	if r.status != 201 {
		ta.t.Fatalf("birth: %d %s", r.status, r.body)
	}
	return r.json["pid"].(string)
}

func TestBirthReadAndHistory(t *testing.T) {
	ta := newTestAPI(t)
	r := ta.do("POST", "/api/v1/births", "00004", map[string]any{
		"full_name": "Nguyễn Thị Thuý", "birth_date": "2024-03-15", "sex": "female",
		"birth_place": "00004", "registration_place": "00004", "ethnicity": "Kinh",
	}, "X-Purpose", "đăng ký khai sinh")
	if r.status != 201 {
		t.Fatalf("POST births: %d %s", r.status, r.body)
	}
	pid := r.json["pid"].(string)
	if r.header.Get("Location") != "/api/v1/citizens/"+pid || r.header.Get("ETag") == "" {
		t.Fatalf("headers %v", r.header)
	}
	for k, want := range map[string]any{"full_name": "Nguyễn Thị Thuý", "birth_date": "2024-03-15", "sex": "female", "birth_place": "00004", "registration_place": "00004", "ethnicity": "01", "status": "alive"} {
		if r.json[k] != want {
			t.Errorf("%s = %v, want %v", k, r.json[k], want)
		}
	}
	if ev, _ := r.json["event"].(map[string]any); ev["type"] != "birth" {
		t.Errorf("event %v", r.json["event"])
	}
	g := ta.do("GET", "/api/v1/citizens/"+pid, "00004", nil)
	if g.status != 200 || g.json["pid"] != pid || g.header.Get("ETag") != r.header.Get("ETag") {
		t.Fatalf("GET: %d %s", g.status, g.body)
	}
	if !strings.Contains(g.json["birth_place_name"].(string), "Hà Nội") {
		t.Errorf("birth place name %v", g.json["birth_place_name"])
	}
	ev := ta.do("POST", "/api/v1/citizens/"+pid+"/events", "00004", map[string]any{
		"type": "permanent_residence", "effective_date": "2025-08-01", "place": "00004", "address": "1 Hàng Ngang", "new_household": true,
	}, "If-Match", g.header.Get("ETag"))
	if ev.status != 201 {
		t.Fatalf("event: %d %s", ev.status, ev.body)
	}
	hid := ev.json["permanent_residence"].(map[string]any)["household_id"].(string)
	hh := ta.do("GET", "/api/v1/households/"+hid, "00004", nil)
	if hh.status != 200 || hh.json["head_pid"] != pid {
		t.Fatalf("household: %d %s", hh.status, hh.body)
	}
	h := ta.do("GET", "/api/v1/citizens/"+pid+"/events?limit=1", "00004", nil)
	if h.status != 200 || len(h.json["events"].([]any)) != 1 || h.json["next_cursor"] == nil {
		t.Fatalf("events page 1: %s", h.body)
	}
	h2 := ta.do("GET", "/api/v1/citizens/"+pid+"/events?limit=1&cursor="+h.json["next_cursor"].(string), "00004", nil)
	if evs := h2.json["events"].([]any); h2.status != 200 || len(evs) != 1 || evs[0].(map[string]any)["type"] != "permanent_residence" {
		t.Fatalf("events page 2: %s", h2.body)
	}
	s := ta.do("GET", "/api/v1/citizens?name=nguyen+thi+thuy&birth_date=2024-03-15", "VN", nil)
	if res := s.json["results"].([]any); s.status != 200 || len(res) != 1 {
		t.Fatalf("search: %s", s.body)
	}
	old := ta.do("GET", "/api/v1/citizens/"+pid+"?as_of=2025-01-01", "00004", nil)
	if old.status != 200 || old.json["permanent_residence"] != nil {
		t.Fatalf("as_of before the residence: %s", old.body)
	}
	p := ta.do("GET", "/api/v1/places/00004?date=2024-01-01", "00004", nil)
	if p.status != 200 || p.json["name"] != "Phường Trúc Bạch" {
		t.Fatalf("place: %s", p.body)
	}
	if cur := p.json["current"].([]any); len(cur) != 1 || cur[0].(map[string]any)["name"] != "Phường Ba Đình" {
		t.Fatalf("successor: %s", p.body)
	}
	split := ta.do("GET", "/api/v1/places/00007?date=2024-01-01", "VN", nil)
	if split.json["ambiguous"] != true || len(split.json["current"].([]any)) < 2 {
		t.Fatalf("split unit: %s", split.body)
	}
}

func TestIdempotencyOverHTTP(t *testing.T) {
	ta := newTestAPI(t)
	body := map[string]any{"full_name": "Trần Văn Bảy", "birth_date": "2026-01-02", "sex": "male", "birth_place": "26740", "registration_place": "26740"}
	first := ta.do("POST", "/api/v1/births", "26740", body, "Idempotency-Key", "abc-123")
	again := ta.do("POST", "/api/v1/births", "26740", body, "Idempotency-Key", "abc-123")
	if first.status != 201 || again.status != 201 || !bytes.Equal(first.body, again.body) || again.header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("retry: %d %d\n%s\n%s", first.status, again.status, first.body, again.body)
	}
	if again.header.Get("Location") != first.header.Get("Location") {
		t.Fatalf("Location %q vs %q", again.header.Get("Location"), first.header.Get("Location"))
	}
	if n := ta.counts()["persons"]; n != 1 {
		t.Fatalf("%d persons after a retried birth", n)
	}
	body["full_name"] = "Trần Văn Tám"
	other := ta.do("POST", "/api/v1/births", "26740", body, "Idempotency-Key", "abc-123")
	if other.status != 422 || other.json["type"] != "urn:dancu:problem:idempotency-key-reused" {
		t.Fatalf("reused key: %d %s", other.status, other.body)
	}
}

// TestBadRequests sends each kind of bad input and checks the problem
// document and that no table changed.
func TestBadRequests(t *testing.T) {
	ta := newTestAPI(t)
	hn := ta.birth("Phạm Văn Đức", "1990-01-01", "male", "00004")
	okBirth := func(edit func(map[string]any)) map[string]any {
		b := map[string]any{"full_name": "Lê Thị Hồng", "birth_date": "2026-01-01", "sex": "female", "birth_place": "00004", "registration_place": "00004"}
		edit(b)
		return b
	}
	huge := `{"full_name":"` + strings.Repeat("a", api.MaxBodyBytes) + `"}`
	tests := []struct {
		name         string
		method, path string
		unit         string
		body         any
		headers      []string
		status       int
		problem      string
		field        string
	}{
		{"no token", "GET", "/api/v1/citizens/" + hn, "", nil, nil, 401, "unauthenticated", ""},
		{"bad token", "GET", "/api/v1/citizens/" + hn, "dancu_nottoken", nil, nil, 401, "unauthenticated", ""},
		{"another commune's person", "GET", "/api/v1/citizens/" + hn, "26740", nil, nil, 403, "forbidden", ""},
		{"unknown person", "GET", "/api/v1/citizens/001090999999", "VN", nil, nil, 404, "not-found", "pid"},
		{"malformed number", "GET", "/api/v1/citizens/00109O000001", "VN", nil, nil, 400, "invalid-field", "pid"},
		{"full-width digits in number", "GET", "/api/v1/citizens/00109000000１", "VN", nil, nil, 400, "invalid-field", "pid"},
		{"bad as_of", "GET", "/api/v1/citizens/" + hn + "?as_of=yesterday", "VN", nil, nil, 400, "invalid-field", "as_of"},
		{"future as_of", "GET", "/api/v1/citizens/" + hn + "?as_of=2099-01-01", "VN", nil, nil, 400, "invalid-field", "as_of"},
		{"unknown query parameter", "GET", "/api/v1/citizens/" + hn + "?asof=2020-01-01", "VN", nil, nil, 400, "invalid-field", "asof"},
		{"bad limit", "GET", "/api/v1/citizens/" + hn + "/events?limit=0", "VN", nil, nil, 400, "invalid-field", "limit"},
		{"missing field", "POST", "/api/v1/births", "VN", okBirth(func(b map[string]any) { delete(b, "sex") }), nil, 400, "invalid-field", "sex"},
		{"wrong JSON type", "POST", "/api/v1/births", "VN", okBirth(func(b map[string]any) { b["birth_date"] = 20260101 }), nil, 400, "invalid-field", "birth_date"},
		{"unknown field", "POST", "/api/v1/births", "VN", okBirth(func(b map[string]any) { b["nickname"] = "Bé" }), nil, 400, "invalid-field", "nickname"},
		{"future date", "POST", "/api/v1/births", "VN", okBirth(func(b map[string]any) { b["birth_date"] = "2099-01-01" }), nil, 400, "invalid-field", "birth_date"},
		{"unknown place", "POST", "/api/v1/births", "VN", okBirth(func(b map[string]any) { b["birth_place"] = "99999" }), nil, 400, "invalid-field", "birth_place"},
		{"inconsistent parent number", "POST", "/api/v1/births", "VN", okBirth(func(b map[string]any) { b["mother_pid"] = hn }), nil, 422, "rule-violation", "mother_pid"},
		{"malformed parent number", "POST", "/api/v1/births", "VN", okBirth(func(b map[string]any) { b["father_pid"] = "1234" }), nil, 400, "invalid-field", "father_pid"},
		{"birth outside the unit", "POST", "/api/v1/births", "26740", okBirth(func(map[string]any) {}), nil, 403, "forbidden", ""},
		{"malformed JSON", "POST", "/api/v1/births", "VN", `{"full_name": "x",`, nil, 400, "invalid-json", "body"},
		{"not an object", "POST", "/api/v1/births", "VN", `["x"]`, nil, 400, "invalid-json", "body"},
		{"trailing data", "POST", "/api/v1/births", "VN", `{"full_name":"Lê Hồng"} {}`, nil, 400, "invalid-json", "body"},
		{"empty body", "POST", "/api/v1/births", "VN", ``, nil, 400, "invalid-json", "body"},
		{"body over 1 MiB", "POST", "/api/v1/births", "VN", huge, nil, 413, "payload-too-large", "body"},
		{"not JSON", "POST", "/api/v1/births", "VN", "x", []string{"Content-Type", "text/plain"}, 415, "unsupported-media-type", "Content-Type"},
		{"unknown event type", "POST", "/api/v1/citizens/" + hn + "/events", "VN", map[string]any{"type": "adoption"}, nil, 400, "invalid-field", "type"},
		{"event field of another type", "POST", "/api/v1/citizens/" + hn + "/events", "VN", map[string]any{"type": "death", "spouse_pid": hn}, nil, 400, "invalid-field", "spouse_pid"},
		{"event for unknown person", "POST", "/api/v1/citizens/001090999999/events", "VN", map[string]any{"type": "missing"}, nil, 404, "not-found", "pid"},
		{"stale If-Match", "POST", "/api/v1/citizens/" + hn + "/events", "VN", map[string]any{"type": "phone_number", "phone": "0912000000"}, []string{"If-Match", `"v0"`}, 412, "precondition-failed", ""},
		{"bad idempotency key", "POST", "/api/v1/births", "VN", okBirth(func(map[string]any) {}), []string{"Idempotency-Key", "a b"}, 400, "invalid-field", "Idempotency-Key"},
		{"name search across the country without birth date", "GET", "/api/v1/citizens?name=Pham", "VN", nil, nil, 400, "invalid-field", "birth_date"},
		{"bad household number", "GET", "/api/v1/households/abc", "VN", nil, nil, 400, "invalid-field", "id"},
		{"unknown household", "GET", "/api/v1/households/000000000001", "VN", nil, nil, 404, "not-found", ""},
		{"unknown place code", "GET", "/api/v1/places/99999", "VN", nil, nil, 404, "not-found", "code"},
		{"place not in force", "GET", "/api/v1/places/00001?date=2026-01-01", "VN", nil, nil, 404, "not-found", "date"},
		{"wrong method", "DELETE", "/api/v1/citizens/" + hn, "VN", nil, nil, 405, "method-not-allowed", ""},
		{"unknown path", "GET", "/api/v1/nothing", "VN", nil, nil, 404, "not-found", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := ta.counts()
			r := ta.do(tt.method, tt.path, tt.unit, tt.body, tt.headers...)
			if r.status != tt.status {
				t.Fatalf("status %d, want %d: %s", r.status, tt.status, r.body)
			}
			if ct := r.header.Get("Content-Type"); ct != "application/problem+json" {
				t.Fatalf("Content-Type %q", ct)
			}
			if r.json["type"] != "urn:dancu:problem:"+tt.problem || r.json["status"] != float64(tt.status) || r.json["title"] == "" || r.json["detail"] == "" {
				t.Fatalf("problem %s", r.body)
			}
			if tt.field != "" && r.json["field"] != tt.field {
				t.Fatalf("field %v, want %q: %s", r.json["field"], tt.field, r.body)
			}
			after := ta.counts()
			for table, n := range before {
				// Refused reads still leave nothing behind: no access-log row
				// is written for data that was not sent.
				if after[table] != n {
					t.Errorf("%s: %d rows before, %d after", table, n, after[table])
				}
			}
		})
	}
}

func TestProblemTitleLanguage(t *testing.T) {
	ta := newTestAPI(t)
	vi := ta.do("GET", "/api/v1/citizens/abc", "VN", nil)
	en := ta.do("GET", "/api/v1/citizens/abc", "VN", nil, "Accept-Language", "en-US,en;q=0.9")
	if vi.json["title"] != "Dữ liệu không hợp lệ" || en.json["title"] != "Invalid input" {
		t.Fatalf("titles %q / %q", vi.json["title"], en.json["title"])
	}
}

func TestAccessLogRowsEqualPersonsReturned(t *testing.T) {
	ta := newTestAPI(t)
	for _, n := range []string{"Đoàn Văn Anh", "Đoàn Văn Ánh", "Đoàn Thị Ảnh"} {
		ta.birth(n, "1999-09-09", map[bool]string{true: "female", false: "male"}[strings.Contains(n, "Thị")], "00004")
	}
	before := ta.counts()["access_log"]
	s := ta.do("GET", "/api/v1/citizens?name=doan&birth_date=1999-09-09", "VN", nil)
	got := len(s.json["results"].([]any))
	if got != 3 {
		t.Fatalf("search found %d: %s", got, s.body)
	}
	if n := ta.counts()["access_log"] - before; n != int64(got) {
		t.Fatalf("search returned %d persons and wrote %d access-log rows", got, n)
	}
}

func TestHealthAndSpec(t *testing.T) {
	ta := newTestAPI(t)
	if r := ta.do("GET", "/healthz", "", nil); r.status != 200 {
		t.Fatalf("healthz %d", r.status)
	}
	r := ta.do("GET", "/api/openapi.json", "", nil)
	if r.status != 200 || r.json["openapi"] != "3.1.0" {
		t.Fatalf("spec: %d %.100s", r.status, r.body)
	}
}

// TestHistoryShowsOthersOnlyAsParties: an event in a person's history whose
// subject is someone else (a head who moved away naming them head) shows
// how it concerns them, not the other person's new address.
func TestHistoryShowsOthersOnlyAsParties(t *testing.T) {
	ta := newTestAPI(t)
	head := ta.birth("Từ Văn Chủ", "1960-01-01", "male", "00097")
	kid := ta.birth("Từ Văn Con", "1990-01-01", "male", "00004")
	hh := ta.do("POST", "/api/v1/citizens/"+head+"/events", "VN", map[string]any{"type": "permanent_residence", "effective_date": "2025-08-01", "place": "00004", "address": "5 Hàng Bạc", "new_household": true})
	hid := hh.json["permanent_residence"].(map[string]any)["household_id"].(string)
	ta.do("POST", "/api/v1/citizens/"+kid+"/events", "VN", map[string]any{"type": "permanent_residence", "effective_date": "2025-08-01", "household_id": hid, "relation": "child"})
	mv := ta.do("POST", "/api/v1/citizens/"+head+"/events", "VN", map[string]any{"type": "permanent_residence", "effective_date": "2026-01-01", "place": "26740", "address": "99 Bí Mật", "new_household": true, "new_head_pid": kid})
	if mv.status != 201 {
		t.Fatalf("move: %s", mv.body)
	}
	h := ta.do("GET", "/api/v1/citizens/"+kid+"/events", "00004", nil)
	if h.status != 200 {
		t.Fatalf("history: %s", h.body)
	}
	if bytes.Contains(h.body, []byte("Bí Mật")) || bytes.Contains(h.body, []byte(`"26740"`)) {
		t.Fatalf("the history of %s shows the head's new address: %s", kid, h.body)
	}
	var found bool
	for _, e := range h.json["events"].([]any) {
		ev := e.(map[string]any)
		if ev["pid"] == head {
			found = ev["details"].(map[string]any)["new_head_pid"] == kid
		}
	}
	if !found {
		t.Fatalf("the head change is not in the history: %s", h.body)
	}
}
