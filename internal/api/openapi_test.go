package api

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"dancu/internal/actor"
	"dancu/internal/officer"
	"dancu/internal/place"
	"dancu/internal/registry"
	"dancu/internal/store/sqlite"
)

func TestZZDumpExamples(t *testing.T) {
	ctx := context.Background()
	db, _, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "d.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	places := place.Default()
	officers := &officer.Service{Store: db.Officers(), Places: places, Clock: time.Now, Rand: rand.Reader, HashKey: []byte("api-test-key-api-test-key-api-te")}
	reg := registry.NewService(db.Registry(), places, time.Now, rand.Reader)
	srv := httptest.NewServer(NewServer(Deps{Registry: reg, Officers: officers, Places: places, Ready: db.Ping}))
	defer srv.Close()
	tok := map[string]string{}
	for _, u := range []string{"VN", "00004", "26740"} {
		_, tk, err := officers.Create(ctx, actor.Actor{Kind: actor.KindOperator, ID: "t"}, "Cán bộ "+u, u, "registry")
		if err != nil {
			t.Fatal(err)
		}
		tok[u] = tk
	}
	n := 0
	do := func(name, method, path, unit string, body any, hdr ...string) map[string]any {
		var rd io.Reader
		switch b := body.(type) {
		case nil:
		case string:
			rd = bytes.NewReader([]byte(b))
		default:
			j, _ := json.Marshal(b)
			rd = bytes.NewReader(j)
		}
		req, _ := http.NewRequest(method, srv.URL+path, rd)
		if body != nil {
			req.Header.Set("Content-Type", "application/json")
		}
		req.Header.Set("Accept-Language", "en")
		if unit != "" {
			req.Header.Set("Authorization", "Bearer "+tok[unit])
		}
		for i := 0; i+1 < len(hdr); i += 2 {
			req.Header.Set(hdr[i], hdr[i+1])
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		n++
		var hs bytes.Buffer
		resp.Header.Write(&hs)
		os.WriteFile(fmt.Sprintf("/tmp/oa/%02d-%s-%d.txt", n, name, resp.StatusCode), []byte(method+" "+path+"\n"+hs.String()+"\n"+string(b)), 0o644)
		var m map[string]any
		json.Unmarshal(b, &m)
		return m
	}
	mother := do("birth-mother", "POST", "/api/v1/births", "VN", map[string]any{"full_name": "Trần Thị Mai", "birth_date": "1998-04-12", "sex": "female", "birth_place": "00004", "registration_place": "00004", "ethnicity": "Kinh"})
	father := do("birth-father", "POST", "/api/v1/births", "VN", map[string]any{"full_name": "Nguyễn Văn Hùng", "birth_date": "1996", "sex": "male", "birth_place": "00004", "registration_place": "00004"})
	mp, fp := mother["pid"].(string), father["pid"].(string)
	do("marriage", "POST", "/api/v1/citizens/"+fp+"/events", "VN", map[string]any{"type": "marriage", "spouse_pid": mp, "effective_date": "2023-05-20"})
	hh := do("perm-new", "POST", "/api/v1/citizens/"+fp+"/events", "VN", map[string]any{"type": "permanent_residence", "new_household": true, "place": "00004", "address": "Số 12 phố Phan Đình Phùng", "effective_date": "2025-08-01"}, "Idempotency-Key", "k1")
	do("perm-new-replay", "POST", "/api/v1/citizens/"+fp+"/events", "VN", map[string]any{"type": "permanent_residence", "new_household": true, "place": "00004", "address": "Số 12 phố Phan Đình Phùng", "effective_date": "2025-08-01"}, "Idempotency-Key", "k1")
	do("idem-reused", "POST", "/api/v1/citizens/"+fp+"/events", "VN", map[string]any{"type": "phone_number", "phone": "0912345678"}, "Idempotency-Key", "k1")
	hid := hh["permanent_residence"].(map[string]any)["household_id"].(string)
	child := do("birth-child", "POST", "/api/v1/births", "00004", map[string]any{"full_name": "Nguyễn Thị Bích Ngọc", "birth_date": "2026-03-15", "sex": "nữ", "birth_place": "00004", "registration_place": "00004", "mother_pid": mp, "father_pid": fp, "religion": "Không"}, "X-Purpose", "Đăng ký khai sinh", "X-Request-ID", "req-2026-0001")
	cp := child["pid"].(string)
	do("child-perm", "POST", "/api/v1/citizens/"+cp+"/events", "00004", map[string]any{"type": "permanent_residence", "household_id": hid, "relation": "child"}, "If-Match", `"v1"`)
	do("precond", "POST", "/api/v1/citizens/"+cp+"/events", "00004", map[string]any{"type": "phone_number", "phone": "0912345678"}, "If-Match", `"v1"`)
	do("phone", "POST", "/api/v1/citizens/"+fp+"/events", "00004", map[string]any{"type": "phone_number", "phone": "+84 912 345 678"})
	do("legacy", "POST", "/api/v1/citizens/"+fp+"/events", "00004", map[string]any{"type": "legacy_id", "legacy_id": "012345678", "legacy_issued_on": "2012-06-01"})
	do("legacy-taken", "POST", "/api/v1/citizens/"+mp+"/events", "00004", map[string]any{"type": "legacy_id", "legacy_id": "012345678"})
	do("citizen", "GET", "/api/v1/citizens/"+fp, "00004", nil)
	do("citizen-asof", "GET", "/api/v1/citizens/"+fp+"?as_of=2024-01-01&known_at=2026-01-01", "00004", nil)
	do("citizen-child", "GET", "/api/v1/citizens/"+cp, "00004", nil)
	do("citizen-forbidden", "GET", "/api/v1/citizens/"+fp, "26740", nil)
	do("citizen-404", "GET", "/api/v1/citizens/001203012345", "00004", nil)
	do("citizen-badpid", "GET", "/api/v1/citizens/12345", "00004", nil)
	do("citizen-unknownq", "GET", "/api/v1/citizens/"+fp+"?asof=2024-01-01", "00004", nil)
	do("events", "GET", "/api/v1/citizens/"+fp+"/events?limit=2", "00004", nil)
	do("household", "GET", "/api/v1/households/"+hid, "00004", nil)
	do("search", "GET", "/api/v1/citizens?name=nguyen%20van%20hung", "00004", nil)
	do("search-limited", "GET", "/api/v1/citizens?name=nguyen&birth_date=1996", "26740", nil)
	do("search-national-nodate", "GET", "/api/v1/citizens?name=nguyen", "VN", nil)
	do("place", "GET", "/api/v1/places/00004?date=2025-01-01", "00004", nil)
	do("place-now", "GET", "/api/v1/places/00004", "00004", nil)
	do("place-split", "GET", "/api/v1/places/00016?date=2024-01-01", "00004", nil)
	do("place-404", "GET", "/api/v1/places/99999", "00004", nil)
	do("unauth", "GET", "/api/v1/citizens/"+fp, "", nil)
	do("badjson", "POST", "/api/v1/births", "VN", "{bad")
	do("badfields", "POST", "/api/v1/births", "VN", map[string]any{"full_name": "Nguyễn 3", "birth_date": "2030-01-01"})
	do("unknownfield", "POST", "/api/v1/births", "VN", map[string]any{"fullname": "x"})
	do("notallowed", "POST", "/api/v1/citizens/"+fp+"/events", "VN", map[string]any{"type": "marriage", "phone": "0912345678"})
	do("conflict", "POST", "/api/v1/citizens/"+mp+"/events", "VN", map[string]any{"type": "death", "effective_date": "2020-01-01"})
	do("rule", "POST", "/api/v1/citizens/"+mp+"/events", "VN", map[string]any{"type": "marriage", "spouse_pid": cp})
	do("healthz", "GET", "/healthz", "", nil)
	do("405", "DELETE", "/api/v1/births", "", nil)
	do("404", "GET", "/api/v2/x", "", nil)
	do("415", "POST", "/api/v1/births", "VN", nil, "Content-Type", "text/plain")
}
