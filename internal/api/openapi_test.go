package api

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers/legacy"

	"dancu/internal/actor"
	"dancu/internal/batchfs"
	"dancu/internal/civil"
	"dancu/internal/eid"
	"dancu/internal/exchange"
	"dancu/internal/keys"
	"dancu/internal/officer"
	"dancu/internal/place"
	"dancu/internal/quality"
	"dancu/internal/registry"
	"dancu/internal/store/sqlite"
	"dancu/internal/web"
)

// loadSpec parses and resolves the embedded OpenAPI description.
func loadSpec(t *testing.T) *openapi3.T {
	t.Helper()
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(OpenAPISpec())
	if err != nil {
		t.Fatalf("loading openapi.json: %v", err)
	}
	return doc
}

// specOperations lists the spec's operations as "METHOD /path".
func specOperations(doc *openapi3.T) map[string]*openapi3.Operation {
	ops := map[string]*openapi3.Operation{}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			ops[strings.ToUpper(method)+" "+path] = op
		}
	}
	return ops
}

func TestOpenAPIMatchesRoutes(t *testing.T) {
	doc := loadSpec(t)
	if doc.OpenAPI != "3.1.0" {
		t.Errorf("openapi = %q, want 3.1.0", doc.OpenAPI)
	}
	ops := specOperations(doc)
	routes := map[string]bool{}
	for _, rt := range Routes {
		// Routes use ServeMux patterns, whose {name} wildcards are the
		// OpenAPI path template syntax.
		key := rt.Method + " " + rt.Pattern
		routes[key] = true
		if ops[key] == nil {
			t.Errorf("route %s is not described in openapi.json", key)
		}
	}
	for key := range ops {
		if !routes[key] {
			t.Errorf("openapi.json describes %s, which is not in Routes", key)
		}
	}
}

func TestOpenAPIValid(t *testing.T) {
	doc := loadSpec(t)
	if !doc.IsOpenAPI31OrLater() {
		t.Fatalf("spec is not OpenAPI 3.1")
	}
	// Validate checks the document against OpenAPI 3.1 (JSON Schema 2020-12
	// for schemas), including that every example matches its schema.
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("openapi.json is not valid: %v", err)
	}
}

func TestOpenAPIOperations(t *testing.T) {
	doc := loadSpec(t)
	ids := map[string]string{}
	for key, op := range specOperations(doc) {
		if op.OperationID == "" {
			t.Errorf("%s: no operationId", key)
		} else if other, dup := ids[op.OperationID]; dup {
			t.Errorf("%s: operationId %q already used by %s", key, op.OperationID, other)
		} else {
			ids[op.OperationID] = key
		}
		if strings.TrimSpace(op.Summary) == "" {
			t.Errorf("%s: no summary", key)
		}
		if op.Responses == nil {
			t.Errorf("%s: no responses", key)
			continue
		}
		var codes []string
		success := false
		for code := range op.Responses.Map() {
			codes = append(codes, code)
			if n, err := strconv.Atoi(code); err == nil && n >= 200 && n < 300 {
				success = true
			}
		}
		if !success {
			t.Errorf("%s: no 2xx response (has %v)", key, codes)
		}
		_, path, _ := strings.Cut(key, " ")
		if !strings.HasPrefix(path, "/api/v1/") {
			continue
		}
		for _, code := range []string{"400", "401"} {
			r := op.Responses.Value(code)
			if r == nil || r.Value == nil {
				t.Errorf("%s: no %s response", key, code)
				continue
			}
			mt := r.Value.Content.Get("application/problem+json")
			if mt == nil || mt.Schema == nil {
				t.Errorf("%s: %s response has no application/problem+json schema", key, code)
			}
		}
		// Every error response is a problem document.
		for code, r := range op.Responses.Map() {
			if n, err := strconv.Atoi(code); err != nil || n < 400 || r.Value == nil {
				continue
			}
			if mt := r.Value.Content.Get("application/problem+json"); mt == nil || mt.Schema == nil {
				t.Errorf("%s: %s response is not application/problem+json", key, code)
			}
		}
		// Every /api/v1 operation needs credentials: an officer's token, an
		// agency system's access token, or a person's e-ID session.
		sec := doc.Security
		if op.Security != nil {
			sec = *op.Security
		}
		if !slices.ContainsFunc(sec, func(req openapi3.SecurityRequirement) bool {
			_, officer := req["bearerAuth"]
			_, system := req["systemAuth"]
			_, person := req["eidSession"]
			return officer || system || person
		}) {
			t.Errorf("%s: not secured", key)
		}
	}
}

// TestOpenAPIProblemCodes checks that the Problem schema lists every
// problem code the server has a title for.
func TestOpenAPIProblemCodes(t *testing.T) {
	doc := loadSpec(t)
	p := doc.Components.Schemas["Problem"]
	if p == nil || p.Value == nil {
		t.Fatal("no Problem schema")
	}
	for code := range titles {
		if !strings.Contains(p.Value.Description, "`"+code+"`") {
			t.Errorf("Problem description does not list the code %q", code)
		}
	}
}

// TestOpenAPIResponsesConform drives a server through every operation and
// many of its errors, and checks each response (status, headers, body)
// against the description, and each well-formed request too.
func TestOpenAPIResponsesConform(t *testing.T) {
	ctx := context.Background()
	doc := loadSpec(t)
	router, err := legacy.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	db, _, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "dancu.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	places := place.Default()
	officers := &officer.Service{Store: db.Officers(), Places: places, Clock: time.Now, Rand: rand.Reader, HashKey: []byte("openapi-test-key-openapi-test-ke")}
	reg := registry.NewService(db.Registry(), places, time.Now, rand.Reader)
	checker := &quality.Checker{Places: places, ExpectedPID: reg.ExpectedPID}
	reg.Assess = checker.Mark
	reporter := &quality.Reporter{Store: db, Checker: checker, Places: places}
	accounts := &eid.Service{Store: db.EID(), Registry: reg, Notifier: eid.DirNotifier{Dir: t.TempDir()},
		Sealer: keys.Must(keys.NewMaster([]byte("openapi-test-master-key-openapi-test"))).Sealer("t"), HashKey: []byte("k"),
		Argon2: eid.Argon2Params{Memory: 64, Time: 1, Threads: 1, KeyLen: 32, SaltLen: 16}}
	// The systems' access tokens come from the OpenID Provider, which the
	// end-to-end tests run; here a fixed token names the client.
	machineAuth := func(_ context.Context, token string) (string, []string, error) {
		if token == "system-token-bank" {
			return "client-bank", nil, nil
		}
		return "", nil, errors.New("unknown token")
	}
	gateway := &exchange.Service{Store: db.Exchange(), Registry: reg, DefaultRateLimit: 1000,
		Sealer: keys.Must(keys.NewMaster([]byte("openapi-test-master-key-openapi-test"))).Sealer("webhook"), AllowPrivateTargets: true}
	srv := httptest.NewServer(NewServer(Deps{Registry: reg, Officers: officers, Places: places, Log: slog.New(slog.DiscardHandler), Ready: db.Ping, Quality: reporter, EID: accounts,
		Exchange: gateway, MachineAuth: machineAuth, Pages: &web.Server{Accounts: accounts}, AccessLog: db, BatchFiles: batchfs.Dir{Path: t.TempDir()}}))
	t.Cleanup(srv.Close)
	tokens := map[string]string{}
	for _, unit := range []string{"VN", "VN2", "00004", "26740"} {
		_, tok, err := officers.Create(ctx, actor.Actor{Kind: actor.KindOperator, ID: "openapi-test"}, "Cán bộ "+unit, strings.TrimSuffix(unit, "2"), "registry")
		if err != nil {
			t.Fatal(err)
		}
		tokens[unit] = tok
	}
	// Batch files and results are JSON lines: bodies the validator takes
	// as they are.
	openapi3filter.RegisterBodyDecoder("application/x-ndjson", openapi3filter.FileBodyDecoder)
	opts := &openapi3filter.Options{
		IncludeResponseStatus: true,
		MultiError:            true,
		AuthenticationFunc:    openapi3filter.NoopAuthenticationFunc,
	}
	seen := map[string]bool{}

	// call sends a request and checks the exchange against the spec. A
	// request the test means to be wrong (wantStatus >= 400) is not itself
	// validated, only the server's answer.
	call := func(wantStatus int, method, path, unit string, body any, headers ...string) map[string]any {
		t.Helper()
		var raw []byte
		switch b := body.(type) {
		case nil:
		case string:
			raw = []byte(b)
		default:
			raw, _ = json.Marshal(b)
		}
		req, err := http.NewRequest(method, srv.URL+path, bytes.NewReader(raw))
		if err != nil {
			t.Fatal(err)
		}
		if body != nil {
			req.Header.Set("Content-Type", "application/json")
		}
		if tok, ok := tokens[unit]; ok {
			req.Header.Set("Authorization", "Bearer "+tok)
		}
		req.Header.Set("X-Purpose", "Kiểm thử mô tả OpenAPI")
		for i := 0; i+1 < len(headers); i += 2 {
			req.Header.Set(headers[i], headers[i+1])
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != wantStatus {
			t.Fatalf("%s %s: status %d, want %d: %s", method, path, resp.StatusCode, wantStatus, got)
		}

		// Route on a copy of the request addressed like the spec's
		// relative server URL.
		rreq := req.Clone(ctx)
		rreq.URL.Scheme, rreq.URL.Host, rreq.Host = "", "", ""
		rreq.Body = io.NopCloser(bytes.NewReader(raw))
		route, params, err := router.FindRoute(rreq)
		if err != nil {
			t.Fatalf("%s %s: no operation in the spec: %v", method, path, err)
		}
		seen[method+" "+route.Path] = true
		in := &openapi3filter.RequestValidationInput{Request: rreq, PathParams: params, Route: route, Options: opts}
		if wantStatus < 400 {
			if err := openapi3filter.ValidateRequest(ctx, in); err != nil {
				t.Errorf("%s %s: request does not match the spec: %v", method, path, err)
			}
		}
		out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: resp.StatusCode, Header: resp.Header, Options: opts}
		out.SetBodyBytes(got)
		if err := openapi3filter.ValidateResponse(ctx, out); err != nil {
			t.Errorf("%s %s: %d response does not match the spec: %v\n%s", method, path, resp.StatusCode, err, got)
		}
		var m map[string]any
		json.Unmarshal(got, &m)
		return m
	}
	str := func(m map[string]any, keys ...string) string {
		t.Helper()
		var v any = m
		for _, k := range keys {
			obj, _ := v.(map[string]any)
			v = obj[k]
		}
		s, ok := v.(string)
		if !ok {
			t.Fatalf("no string at %v in %v", keys, m)
		}
		return s
	}

	inTwoMonths := time.Now().In(civil.Location).AddDate(0, 2, 0).Format(time.DateOnly)

	call(200, "GET", "/healthz", "", nil)
	call(200, "GET", "/readyz", "", nil)
	call(200, "GET", "/api/openapi.json", "", nil)

	mother := str(call(201, "POST", "/api/v1/births", "VN", map[string]any{"full_name": "Trần Thị Mai", "birth_date": "1998-04-12", "sex": "female", "birth_place": "00004", "registration_place": "00004", "ethnicity": "Kinh"}), "pid")
	father := str(call(201, "POST", "/api/v1/births", "VN", map[string]any{"full_name": "Nguyễn Văn Hùng", "birth_date": "1996", "sex": "nam", "birth_place": "00004", "registration_place": "00004"}), "pid")
	call(201, "POST", "/api/v1/citizens/"+father+"/events", "VN", map[string]any{"type": "marriage", "spouse_pid": mother, "effective_date": "2023-05-20"})
	newHousehold := map[string]any{"type": "permanent_residence", "new_household": true, "place": "00004", "address": "Số 12 phố Phan Đình Phùng", "effective_date": "2025-08-01"}
	w := call(201, "POST", "/api/v1/citizens/"+father+"/events", "00004", newHousehold, "Idempotency-Key", "hh-1")
	household := str(w, "permanent_residence", "household_id")
	call(201, "POST", "/api/v1/citizens/"+father+"/events", "00004", newHousehold, "Idempotency-Key", "hh-1")
	child := str(call(201, "POST", "/api/v1/births", "00004", map[string]any{"full_name": "Nguyễn Thị Bích Ngọc", "birth_date": "2025-09-15", "sex": "female", "birth_place": "00004", "registration_place": "00004", "mother_pid": mother, "father_pid": father, "religion": "Không"}, "X-Request-ID", "openapi-test-1"), "pid")
	call(201, "POST", "/api/v1/citizens/"+child+"/events", "00004", map[string]any{"type": "permanent_residence", "household_id": household, "relation": "child"}, "If-Match", `"v1"`)
	call(201, "POST", "/api/v1/citizens/"+father+"/events", "00004", map[string]any{"type": "phone_number", "phone": "+84 912 345 678"})
	call(201, "POST", "/api/v1/citizens/"+father+"/events", "00004", map[string]any{"type": "legacy_id", "legacy_id": "012345678", "legacy_issued_on": "2012-06-01"})
	call(201, "POST", "/api/v1/citizens/"+mother+"/events", "00004", map[string]any{"type": "permanent_residence", "household_id": household, "relation": "spouse"})
	call(201, "POST", "/api/v1/citizens/"+mother+"/events", "00004", map[string]any{"type": "temporary_absence", "until": inTwoMonths, "destination": "Thành phố Hồ Chí Minh"})

	call(200, "GET", "/api/v1/citizens/"+father, "00004", nil)
	call(200, "GET", "/api/v1/citizens/012345678?as_of=2025-12", "00004", nil)
	call(200, "GET", "/api/v1/citizens/"+child+"/events?limit=1", "00004", nil)
	call(200, "GET", "/api/v1/households/"+household+"?as_of=2026", "00004", nil)
	call(200, "GET", "/api/v1/citizens?name=nguyen+van+hung&limit=10", "00004", nil)
	call(200, "GET", "/api/v1/citizens?name=nguyen&birth_date=1996", "26740", nil)
	call(200, "GET", "/api/v1/places/00004?date=2025-01-01", "00004", nil)
	call(200, "GET", "/api/v1/places/00016?date=2024-01-01", "00004", nil)

	call(400, "GET", "/api/v1/citizens/12345", "00004", nil)
	call(400, "GET", "/api/v1/citizens/s%E1%BB%91%20sai", "00004", nil)
	call(400, "GET", "/api/v1/citizens/"+father+"?asof=2024-01-01", "00004", nil)
	call(400, "GET", "/api/v1/citizens?name=nguyen", "VN", nil)
	call(400, "GET", "/api/v1/citizens/"+father+"/events?limit=0", "00004", nil)
	call(400, "GET", "/api/v1/households/12", "00004", nil)
	call(400, "GET", "/api/v1/places/00004?date=hôm-nay", "00004", nil)
	call(400, "POST", "/api/v1/births", "VN", "{bad")
	call(400, "POST", "/api/v1/births", "VN", map[string]any{"full_name": "Nguyễn 3", "birth_date": "2030-01-01"})
	call(400, "POST", "/api/v1/citizens/"+father+"/events", "VN", map[string]any{"type": "marriage", "phone": "0912345678"})
	call(401, "GET", "/api/v1/citizens/"+father, "", nil)
	call(401, "POST", "/api/v1/births", "", map[string]any{})
	call(403, "GET", "/api/v1/citizens/"+father, "26740", nil)
	call(403, "GET", "/api/v1/citizens/"+father+"/events", "26740", nil)
	call(403, "GET", "/api/v1/households/"+household, "26740", nil)
	call(403, "POST", "/api/v1/births", "26740", map[string]any{"full_name": "Lê Văn Tám", "birth_date": "2025-10-02", "sex": "male", "birth_place": "00004", "registration_place": "00004"})
	call(404, "GET", "/api/v1/citizens/079203001234", "00004", nil)
	call(404, "GET", "/api/v1/citizens/"+father+"?known_at=2020-01-01", "00004", nil)
	call(404, "GET", "/api/v1/citizens/079203001234/events", "00004", nil)
	call(404, "POST", "/api/v1/citizens/079203001234/events", "00004", map[string]any{"type": "missing"})
	call(404, "GET", "/api/v1/households/012345678901", "00004", nil)
	call(404, "GET", "/api/v1/places/99999", "00004", nil)
	call(409, "POST", "/api/v1/citizens/"+mother+"/events", "VN", map[string]any{"type": "death", "effective_date": "2020-01-01"})
	call(409, "POST", "/api/v1/citizens/"+mother+"/events", "VN", map[string]any{"type": "legacy_id", "legacy_id": "012345678"})
	call(412, "POST", "/api/v1/citizens/"+child+"/events", "00004", map[string]any{"type": "phone_number", "phone": "0987654321"}, "If-Match", `"v1"`)
	call(413, "POST", "/api/v1/births", "VN", `{"full_name": "`+strings.Repeat("a", MaxBodyBytes)+`"}`)
	call(415, "POST", "/api/v1/births", "VN", "full_name=x", "Content-Type", "application/x-www-form-urlencoded")
	call(422, "POST", "/api/v1/citizens/"+mother+"/events", "VN", map[string]any{"type": "marriage", "spouse_pid": child})
	call(422, "POST", "/api/v1/births", "VN", map[string]any{"full_name": "Lê Văn Tám", "birth_date": "2025-10-02", "sex": "male", "birth_place": "00004", "registration_place": "00004", "mother_pid": "001180999999"})
	call(422, "POST", "/api/v1/citizens/"+father+"/events", "00004", map[string]any{"type": "phone_number", "phone": "0912345678"}, "Idempotency-Key", "hh-1")

	// Duplicates: a candidate pair, a maker–checker merge, an unmerge.
	dupA := str(call(201, "POST", "/api/v1/births", "VN", map[string]any{"full_name": "Phạm Văn Dũng", "birth_date": "1970-02-03", "sex": "male", "birth_place": "00004", "registration_place": "00004"}), "pid")
	dupB := str(call(201, "POST", "/api/v1/births", "VN", map[string]any{"full_name": "Pham Van Dung", "birth_date": "1970-02-03", "sex": "male", "birth_place": "00004", "registration_place": "00004"}), "pid")
	var keys []registry.PersonKey
	for _, p := range []string{dupA, dupB} {
		v, err := reg.Citizen(ctx, actor.Actor{Kind: actor.KindOfficer, ID: "t", Unit: "VN", Scope: actor.ScopeNational, Role: actor.RoleRegistry}, p, registry.ReadOptions{})
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, v.Citizen.Key)
	}
	if err := db.SaveCandidates(ctx, []registry.Candidate{
		{A: keys[0], B: keys[1], Score: 0.97, Likely: true, Reasons: []byte(`[{"code":"name_folded_equal","detail":"same name without diacritics","weight":0.4}]`), FoundAt: time.Now()},
		{A: keys[0], B: 1, Score: 0.51, Reasons: []byte(`[]`), FoundAt: time.Now()},
	}); err != nil {
		t.Fatal(err)
	}
	cands := call(200, "GET", "/api/v1/duplicates?unit=00004&limit=1", "00004", nil)
	next := str(cands, "next_cursor")
	call(200, "GET", "/api/v1/duplicates?cursor="+next, "00004", nil)
	call(204, "POST", "/api/v1/duplicates/2/reject", "VN", nil)
	call(409, "POST", "/api/v1/duplicates/2/reject", "VN", nil)
	call(404, "POST", "/api/v1/duplicates/999/reject", "VN", nil)
	call(400, "GET", "/api/v1/duplicates?status=maybe", "VN", nil)
	call(403, "GET", "/api/v1/duplicates?unit=01", "26740", nil)
	merge := str(call(201, "POST", "/api/v1/merges", "VN", map[string]any{"survivor_pid": dupA, "duplicate_pid": dupB, "reason": "Cùng một người, đăng ký hai lần", "candidate_id": 1}), "id")
	call(403, "POST", "/api/v1/merges/"+merge+"/approve", "VN", map[string]any{})
	call(200, "GET", "/api/v1/merges", "VN2", nil)
	call(200, "POST", "/api/v1/merges/"+merge+"/approve", "VN2", map[string]any{"note": "Đã đối chiếu ảnh và vân tay"})
	call(409, "POST", "/api/v1/merges/"+merge+"/approve", "VN2", map[string]any{})
	call(200, "GET", "/api/v1/citizens/"+dupB, "VN", nil)
	call(400, "POST", "/api/v1/merges/"+merge+"/unmerge", "VN", map[string]any{})
	call(200, "POST", "/api/v1/merges/"+merge+"/unmerge", "VN", map[string]any{"reason": "Hai người khác nhau"})
	again := str(call(201, "POST", "/api/v1/merges", "VN", map[string]any{"survivor_pid": dupA, "duplicate_pid": dupB, "reason": "Đề nghị lại"}), "id")
	call(200, "POST", "/api/v1/merges/"+again+"/reject", "VN2", map[string]any{"note": "Không đủ căn cứ"})
	call(404, "POST", "/api/v1/merges/01ABC/approve", "VN2", map[string]any{})
	call(422, "POST", "/api/v1/merges", "VN", map[string]any{"survivor_pid": dupA, "duplicate_pid": dupA, "reason": "x"})

	// Quality: the country, a province with its communes, a commune.
	rep := call(200, "GET", "/api/v1/quality?unit=VN&worst=3", "VN", nil)
	if sum, _ := rep["summary"].(map[string]any); sum["persons"].(float64) < 5 {
		t.Errorf("quality summary of the country counts %v persons", sum["persons"])
	}
	call(200, "GET", "/api/v1/quality?unit=01", "VN", nil, "Accept-Language", "en")
	call(200, "GET", "/api/v1/quality?unit=00004&worst=0", "00004", nil)
	call(200, "GET", "/api/v1/quality", "00004", nil)
	call(400, "GET", "/api/v1/quality?unit=99999", "VN", nil)
	call(400, "GET", "/api/v1/quality?worst=1000", "VN", nil)
	call(403, "GET", "/api/v1/quality?unit=01", "26740", nil)
	call(403, "GET", "/api/v1/quality?unit=VN", "00004", nil)

	// e-ID: an officer enrols a person in person, twice (the second takes
	// the account over), and reads the account.
	call(404, "GET", "/api/v1/eid/accounts/"+mother, "00004", nil)
	enr := call(201, "POST", "/api/v1/eid/enrolments", "00004", map[string]any{"pid": mother, "phone": "0912345678"})
	if str(enr, "activation_code") == "" || enr["took_over"] != false {
		t.Errorf("first enrolment: %v", enr)
	}
	if enr := call(201, "POST", "/api/v1/eid/enrolments", "00004", map[string]any{"pid": mother}); enr["took_over"] != true {
		t.Errorf("second enrolment did not take over: %v", enr)
	}
	call(200, "GET", "/api/v1/eid/accounts/"+mother, "00004", nil)
	call(400, "POST", "/api/v1/eid/enrolments", "00004", map[string]any{"pid": mother, "phone": "12"})
	call(400, "POST", "/api/v1/eid/enrolments", "00004", map[string]any{})
	call(401, "POST", "/api/v1/eid/enrolments", "", map[string]any{"pid": mother})
	call(403, "POST", "/api/v1/eid/enrolments", "26740", map[string]any{"pid": mother})
	call(404, "POST", "/api/v1/eid/enrolments", "00004", map[string]any{"pid": "079203001234"})
	call(403, "GET", "/api/v1/eid/accounts/"+mother, "26740", nil)

	// The data-sharing gateway: a bank's system passes the security gate,
	// gets a grant, and verifies, looks up and confirms; the person's own
	// view of the log needs an e-ID session.
	bank := str(call(201, "POST", "/api/v1/exchange/members", "VN", map[string]any{"name": "Ngân hàng TMCP Thử Nghiệm", "type": "bank"}), "id")
	call(400, "POST", "/api/v1/exchange/members", "VN", map[string]any{"name": "Cửa hàng", "type": "shop"})
	call(401, "POST", "/api/v1/exchange/members", "", map[string]any{"name": "x", "type": "bank"})
	call(403, "POST", "/api/v1/exchange/members", "00004", map[string]any{"name": "x", "type": "bank"})
	sys := str(call(201, "POST", "/api/v1/exchange/systems", "VN", map[string]any{"member_id": bank, "name": "eKYC", "client_id": "client-bank"}), "id")
	call(422, "POST", "/api/v1/exchange/systems", "VN", map[string]any{"member_id": bank, "name": "eKYC 2", "client_id": "client-bank"})
	call(409, "POST", "/api/v1/exchange/systems/"+sys+"/checks", "VN", map[string]any{"item": "tls", "value": "TLS 1.3", "evidence": "báo cáo 7"})
	call(200, "POST", "/api/v1/exchange/systems/"+sys+"/stage", "VN", map[string]any{"stage": "assessment"})
	call(422, "POST", "/api/v1/exchange/systems/"+sys+"/stage", "VN", map[string]any{"stage": "approved"})
	for _, item := range []string{"security_level", "pentest_date", "tls", "ip_allowlist", "dpo", "incident_contact"} {
		value := "đạt"
		if item == "pentest_date" {
			value = "2026-10-01"
		}
		call(200, "POST", "/api/v1/exchange/systems/"+sys+"/checks", "VN", map[string]any{"item": item, "value": value, "evidence": "biên bản 12/2026"})
	}
	call(400, "POST", "/api/v1/exchange/systems/"+sys+"/checks", "VN", map[string]any{"item": "colour", "value": "x", "evidence": "x"})
	call(404, "POST", "/api/v1/exchange/systems/s-none/checks", "VN", map[string]any{"item": "tls", "value": "x", "evidence": "x"})
	call(200, "POST", "/api/v1/exchange/systems/"+sys+"/stage", "VN", map[string]any{"stage": "approved"})
	call(409, "POST", "/api/v1/exchange/systems/"+sys+"/stage", "VN", map[string]any{"stage": "suspended"})
	call(404, "POST", "/api/v1/exchange/systems/s-none/stage", "VN", map[string]any{"stage": "active"})
	call(200, "POST", "/api/v1/exchange/systems/"+sys+"/stage", "VN", map[string]any{"stage": "active", "note": "đã kiểm tra"})
	call(200, "GET", "/api/v1/exchange/stages", "VN", nil)
	system := []string{"Authorization", "Bearer system-token-bank", "X-Purpose", "định danh khách hàng"}
	verify := map[string]any{"idDocument": father, "name": "Nguyen Van Hung", "birthdate": "1996-03-04", "gender": "MALE", "phoneNumber": "+84912345678"}
	call(403, "POST", "/api/v1/gateway/verify", "", verify, system...)
	until := time.Now().AddDate(1, 0, 0).UTC().Format(time.RFC3339)
	grant := str(call(201, "POST", "/api/v1/exchange/grants", "VN", map[string]any{"member_id": bank, "purpose": "định danh khách hàng", "legal_basis": "Thông tư 17/2024/TT-NHNN",
		"operations": []string{"verify", "lookup", "alive", "residence", "batch_verify", "subscribe", "household"}, "fields": []string{"pid", "full_name", "birth_date", "sex", "phones", "status"}, "valid_until": until}), "id")
	call(400, "POST", "/api/v1/exchange/grants", "VN", map[string]any{"member_id": bank, "purpose": "x", "legal_basis": "x", "operations": []string{"steal"}, "fields": []string{}, "valid_until": "next year"})
	call(422, "POST", "/api/v1/exchange/grants", "VN", map[string]any{"member_id": "m-none", "purpose": "x", "legal_basis": "x", "operations": []string{"verify"}, "fields": []string{}, "valid_until": until})
	if res := call(200, "POST", "/api/v1/gateway/verify", "", verify, system...); res["nameMatch"] != "true" || res["birthdateMatch"] != "true" || res["phoneNumberMatch"] != "true" {
		t.Errorf("verify: %v", res)
	}
	call(200, "POST", "/api/v1/gateway/verify", "", map[string]any{"idDocument": "079203001234", "name": "Ai Đó"}, system...)
	call(400, "POST", "/api/v1/gateway/verify", "", map[string]any{"idDocument": father, "birthdate": "04/03/1996"}, system...)
	call(400, "POST", "/api/v1/gateway/verify", "", map[string]any{"idDocument": father}, "Authorization", "Bearer system-token-bank", "X-Purpose", "")
	call(401, "POST", "/api/v1/gateway/verify", "", verify, "Authorization", "Bearer forged", "X-Purpose", "x")
	call(200, "POST", "/api/v1/gateway/lookup", "", map[string]any{"idDocument": father, "fields": []string{"full_name", "birth_date"}}, system...)
	call(403, "POST", "/api/v1/gateway/lookup", "", map[string]any{"idDocument": father, "fields": []string{"full_name", "religion"}}, system...)
	call(404, "POST", "/api/v1/gateway/lookup", "", map[string]any{"idDocument": "079203001234", "fields": []string{"full_name"}}, system...)
	call(400, "POST", "/api/v1/gateway/lookup", "", map[string]any{"idDocument": father}, system...)
	call(200, "POST", "/api/v1/gateway/alive", "", map[string]any{"idDocument": father}, system...)
	call(200, "POST", "/api/v1/gateway/residence", "", map[string]any{"idDocument": father, "unit": "00004"}, system...)
	if h := call(200, "POST", "/api/v1/gateway/household", "", map[string]any{"idDocument": child, "fields": []string{"pid", "full_name"}}, system...); len(h["members"].([]any)) != 3 {
		t.Errorf("the child's household: %v", h)
	}
	call(403, "POST", "/api/v1/gateway/household", "", map[string]any{"idDocument": child, "fields": []string{"religion"}}, system...)
	call(400, "POST", "/api/v1/gateway/residence", "", map[string]any{"idDocument": father}, system...)
	batch := str(call(201, "POST", "/api/v1/gateway/batches", "", map[string]any{"format": "jsonl"}, system...), "id")
	call(400, "POST", "/api/v1/gateway/batches", "", map[string]any{"format": "xlsx"}, system...)
	piece := `{"ref":"1","idDocument":"` + father + `","name":"Nguyễn Văn Hùng"}` + "\n"
	call(200, "PATCH", "/api/v1/gateway/batches/"+batch+"/input", "", piece, append(slices.Clone(system), "Upload-Offset", "0", "Content-Type", "application/x-ndjson")...)
	call(409, "PATCH", "/api/v1/gateway/batches/"+batch+"/input", "", piece, append(slices.Clone(system), "Upload-Offset", "0", "Content-Type", "application/x-ndjson")...)
	call(400, "PATCH", "/api/v1/gateway/batches/"+batch+"/input", "", piece, append(slices.Clone(system), "Upload-Offset", "x", "Content-Type", "application/x-ndjson")...)
	call(200, "GET", "/api/v1/gateway/batches/"+batch, "", nil, system...)
	call(404, "GET", "/api/v1/gateway/batches/b-none", "", nil, system...)
	if j := call(200, "POST", "/api/v1/gateway/batches/"+batch+"/start", "", nil, system...); j["total"] != 1.0 {
		t.Errorf("a batch of one record: %v", j)
	}
	call(409, "POST", "/api/v1/gateway/batches/"+batch+"/start", "", nil, system...)
	call(200, "GET", "/api/v1/gateway/batches/"+batch+"/results", "", nil, system...)
	call(200, "POST", "/api/v1/gateway/batches/"+batch+"/cancel", "", nil, system...)
	call(409, "POST", "/api/v1/gateway/batches/"+batch+"/cancel", "", nil, system...)
	sub := str(call(201, "POST", "/api/v1/gateway/subscriptions", "", map[string]any{"event_types": []string{"death"}, "url": "http://127.0.0.1:9/hook"}, system...), "id")
	call(400, "POST", "/api/v1/gateway/subscriptions", "", map[string]any{"event_types": []string{"lunch"}, "url": "gopher://x"}, system...)
	if w := call(200, "POST", "/api/v1/gateway/subscriptions/"+sub+"/watch", "", map[string]any{"numbers": []string{father, "079203001234"}}, system...); w["added"] != 1.0 {
		t.Errorf("watch: %v", w)
	}
	call(404, "POST", "/api/v1/gateway/subscriptions/w-none/watch", "", map[string]any{"numbers": []string{father}}, system...)
	call(200, "GET", "/api/v1/gateway/subscriptions/"+sub+"/deliveries?status=dead", "", nil, system...)
	call(400, "GET", "/api/v1/gateway/subscriptions/"+sub+"/deliveries?status=lost", "", nil, system...)
	call(200, "POST", "/api/v1/gateway/subscriptions/"+sub+"/replay", "", map[string]any{"since": "2026-01-01T00:00:00Z"}, system...)
	call(400, "POST", "/api/v1/gateway/subscriptions/"+sub+"/replay", "", map[string]any{"since": "yesterday"}, system...)
	call(200, "GET", "/api/v1/exchange/usage", "VN", nil)
	call(400, "GET", "/api/v1/exchange/usage?month=2026-13x", "VN", nil)
	if st := call(200, "GET", "/api/v1/exchange/statements", "VN", nil); len(st["statements"].([]any)) != 1 {
		t.Errorf("statements: %v", st)
	}
	call(200, "GET", "/api/v1/exchange/statements?member="+bank, "VN", nil)
	call(400, "GET", "/api/v1/exchange/statements?month=june", "VN", nil)
	call(403, "GET", "/api/v1/exchange/statements", "00004", nil)
	call(200, "POST", "/api/v1/exchange/grants/"+grant+"/revoke", "VN", nil)
	call(403, "POST", "/api/v1/gateway/alive", "", map[string]any{"idDocument": father}, system...)
	call(404, "POST", "/api/v1/exchange/grants/g-none/revoke", "VN", nil)
	call(401, "GET", "/api/v1/me/access-log", "", nil)

	for _, rt := range Routes {
		if !seen[rt.Method+" "+rt.Pattern] {
			t.Errorf("%s %s was not exercised", rt.Method, rt.Pattern)
		}
	}
}
