package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/oauth2/clientcredentials"
)

// TestGateway runs the data-sharing gateway against the real binary: the
// tax authority's system passes the security gate, gets an access token
// from the OpenID Provider with client_credentials, verifies a person
// under a grant, is refused a field outside it and everything once
// suspended (mid-traffic); the person, logged in with e-ID, reads at once
// who verified them, in words; metering counted every answer.
func TestGateway(t *testing.T) {
	b := backend{name: "sqlite", data: t.TempDir()}
	ctx := context.Background()
	srv := startArgs(t, append([]string{"--issuer", "http://localhost:{port}"}, b.args()...)...)
	issuer := strings.Replace(srv.url, "127.0.0.1", "localhost", 1)
	officer := &client{t: t, url: srv.url, token: newOfficer(t, b, "VN")}

	pid := str(officer.call("POST", "/api/v1/births", map[string]any{"full_name": "Hoàng Thị Thuỷ", "birth_date": "1988-11-20",
		"sex": "female", "birth_place": "00004", "registration_place": "00004"}, 201), "pid")
	officer.call("POST", "/api/v1/citizens/"+pid+"/events", map[string]any{"type": "phone_number", "phone": "0912000222"}, 201)
	const password = "trăng rằm tháng tám sáng tỏ"
	cmd := exec.Command(binary, append([]string{"eid", "create", "--pid", pid, "--level", "1"}, b.args()...)...)
	cmd.Stdin = strings.NewReader(password + "\n")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("eid create: %v\n%s", err, out)
	}

	machine := createClient(t, b, "--name", "Hệ thống quản lý thuế", "--grant-types", "client_credentials", "--scopes", "exchange:verify exchange:lookup")
	tax := str(officer.call("POST", "/api/v1/exchange/members", map[string]any{"name": "Cục Thuế", "type": "ministry"}, 201), "id")
	sys := str(officer.call("POST", "/api/v1/exchange/systems", map[string]any{"member_id": tax, "name": "Quản lý thuế TMS", "client_id": machine.ID}, 201), "id")

	cc := clientcredentials.Config{ClientID: machine.ID, ClientSecret: machine.Secret, TokenURL: issuer + "/oauth2/token", Scopes: []string{"exchange:verify"}}
	tok, err := cc.Token(ctx)
	if err != nil {
		t.Fatal(err)
	}
	const purpose = "kiểm tra đăng ký thuế"
	system := &client{t: t, url: srv.url, token: tok.AccessToken}
	verify := map[string]any{"idDocument": pid, "name": "HOANG THI THUY", "birthdate": "1988-11-20"}
	if p := system.call("POST", "/api/v1/gateway/verify", verify, 403, "X-Purpose", purpose); str(p, "type") != "urn:dancu:problem:system-not-active" {
		t.Fatalf("a system at the gate: %v", p)
	}

	// The security gate: assessment, every check, approval, activation.
	activate := func(sys string) {
		t.Helper()
		officer.call("POST", "/api/v1/exchange/systems/"+sys+"/stage", map[string]any{"stage": "assessment"}, 200)
		if p := officer.call("POST", "/api/v1/exchange/systems/"+sys+"/stage", map[string]any{"stage": "approved"}, 422); len(p["missing"].([]any)) != 6 {
			t.Fatalf("approval without checks: %v", p)
		}
		for _, item := range []string{"security_level", "pentest_date", "tls", "ip_allowlist", "dpo", "incident_contact"} {
			value := "cấp độ 3"
			if item == "pentest_date" {
				value = "2026-09-15"
			}
			officer.call("POST", "/api/v1/exchange/systems/"+sys+"/checks", map[string]any{"item": item, "value": value, "evidence": "Quyết định 88/QĐ-BCA"}, 200)
		}
		officer.call("POST", "/api/v1/exchange/systems/"+sys+"/stage", map[string]any{"stage": "approved"}, 200)
		officer.call("POST", "/api/v1/exchange/systems/"+sys+"/stage", map[string]any{"stage": "active"}, 200)
	}
	activate(sys)
	stages := officer.call("GET", "/api/v1/exchange/stages", nil, 200)
	if s, _ := json.Marshal(stages["stages"]); !strings.Contains(string(s), `{"member_type":"ministry","stage":"active","systems":1}`) {
		t.Fatalf("stages: %s", s)
	}

	if p := system.call("POST", "/api/v1/gateway/verify", verify, 403, "X-Purpose", purpose); str(p, "type") != "urn:dancu:problem:no-grant" {
		t.Fatalf("no grant: %v", p)
	}
	officer.call("POST", "/api/v1/exchange/grants", map[string]any{"member_id": tax, "purpose": purpose, "legal_basis": "Luật Quản lý thuế 2019",
		"operations": []string{"verify", "lookup"}, "fields": []string{"pid", "full_name", "birth_date"},
		"valid_until": time.Now().AddDate(1, 0, 0).UTC().Format(time.RFC3339)}, 201)
	// A token obtained now names the member and the system.
	tok, err = cc.Token(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if claims := jwtClaims(t, tok.AccessToken); claims["dancu_member"] != tax || claims["dancu_system"] != sys {
		t.Fatalf("the system's access token: %v", claims)
	}
	system.token = tok.AccessToken
	res := system.call("POST", "/api/v1/gateway/verify", verify, 200, "X-Purpose", purpose)
	if res["result"] != "match" || res["nameMatch"] != "true" || res["nameMatchKind"] != "folded" || res["birthdateMatch"] != "true" {
		t.Fatalf("verify: %v", res)
	}
	if p := system.call("POST", "/api/v1/gateway/lookup", map[string]any{"idDocument": pid, "fields": []string{"full_name", "phones", "religion"}}, 403, "X-Purpose", purpose); !slices.Equal(anyStrings(p["fields_not_granted"]), []string{"phones", "religion"}) {
		t.Fatalf("fields outside the grant: %v", p)
	}

	// The person sees the verification at once, in words.
	br := newBrowser(t, issuer)
	br.get("/login")
	if p := br.post("/login", url.Values{"pid": {pid}, "password": {password}}); p.status != 303 {
		t.Fatalf("login: %d %s", p.status, p.body)
	}
	page := br.get("/api/v1/me/access-log")
	var log struct {
		Entries []struct {
			Who, Purpose, Text, Result string
		}
	}
	if err := json.Unmarshal([]byte(page.body), &log); err != nil || page.status != 200 {
		t.Fatalf("my access log: %d %s\n%s", page.status, page.body, srv.logs)
	}
	// Logging in read the person's status (the e-ID system's entry);
	// before that, the verification.
	if !slices.ContainsFunc(log.Entries, func(e struct{ Who, Purpose, Text, Result string }) bool {
		return e.Who == "Cục Thuế" && e.Result == "match" &&
			strings.HasPrefix(e.Text, "Cục Thuế đã xác minh số định danh cá nhân, họ và tên, ngày sinh của bạn (mục đích: kiểm tra đăng ký thuế), ")
	}) {
		t.Fatalf("the verification, as the person reads it: %+v", log.Entries)
	}
	if en := br.get("/api/v1/me/access-log?lang=en&limit=2"); !strings.Contains(en.body, "Cục Thuế verified your personal ID number, full name, date of birth (purpose: kiểm tra đăng ký thuế)") {
		t.Fatalf("in English: %s", en.body)
	}
	if anon := newBrowser(t, issuer).get("/api/v1/me/access-log"); anon.status != 401 {
		t.Fatalf("without a session: %d", anon.status)
	}

	// A bank's customer identification needs the person's consent, which
	// they give and withdraw on their account page.
	bankClient := createClient(t, b, "--name", "Ngân hàng eKYC", "--grant-types", "client_credentials", "--scopes", "exchange:verify")
	bank := str(officer.call("POST", "/api/v1/exchange/members", map[string]any{"name": "Ngân hàng TMCP Sông Hồng", "type": "bank"}, 201), "id")
	activate(str(officer.call("POST", "/api/v1/exchange/systems", map[string]any{"member_id": bank, "name": "eKYC", "client_id": bankClient.ID}, 201), "id"))
	const kyc = "định danh khách hàng mở tài khoản"
	officer.call("POST", "/api/v1/exchange/grants", map[string]any{"member_id": bank, "purpose": kyc, "legal_basis": "Thông tư 17/2024/TT-NHNN",
		"operations": []string{"verify"}, "fields": []string{"pid", "full_name", "birth_date"}, "consent_required": true,
		"valid_until": time.Now().AddDate(1, 0, 0).UTC().Format(time.RFC3339)}, 201)
	bankTok, err := (&clientcredentials.Config{ClientID: bankClient.ID, ClientSecret: bankClient.Secret, TokenURL: issuer + "/oauth2/token", Scopes: []string{"exchange:verify"}}).Token(ctx)
	if err != nil {
		t.Fatal(err)
	}
	bankSystem := &client{t: t, url: srv.url, token: bankTok.AccessToken}
	if p := bankSystem.call("POST", "/api/v1/gateway/verify", verify, 403, "X-Purpose", kyc); str(p, "type") != "urn:dancu:problem:consent-required" {
		t.Fatalf("without consent: %v", p)
	}
	account := br.get("/account")
	if !strings.Contains(account.body, "Ngân hàng TMCP Sông Hồng") || !strings.Contains(account.body, kyc) || !strings.Contains(account.body, `value="give"`) {
		t.Fatalf("the account page does not ask for the consent:\n%s", account.body)
	}
	sharing := func(decision string) {
		t.Helper()
		if p := br.post("/account/sharing", url.Values{"member": {bank}, "purpose": {kyc}, "decision": {decision}}); p.status != 303 {
			t.Fatalf("%s consent: %d %s", decision, p.status, p.body)
		}
	}
	sharing("give")
	if p := bankSystem.call("POST", "/api/v1/gateway/verify", verify, 200, "X-Purpose", kyc); p["result"] != "match" {
		t.Fatalf("with consent: %v", p)
	}
	if !strings.Contains(br.get("/account").body, `value="withdraw"`) {
		t.Fatal("the account page does not offer to withdraw the consent given")
	}
	sharing("withdraw")
	bankSystem.call("POST", "/api/v1/gateway/verify", verify, 403, "X-Purpose", kyc)
	if mine := br.get("/api/v1/me/access-log?limit=3").body; !strings.Contains(mine, "Ngân hàng TMCP Sông Hồng đã yêu cầu nhưng bị từ chối vì chưa có sự đồng ý của bạn") ||
		!strings.Contains(mine, "Ngân hàng TMCP Sông Hồng đã xác minh") {
		t.Errorf("the bank's verifications, as the person reads them: %s", mine)
	}

	// Suspended mid-traffic: once the suspension returns, nothing more is
	// answered.
	var answered, refused atomic.Int64
	var suspended atomic.Bool
	var afterSuspension atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				wasSuspended := suspended.Load()
				st := system.statusOf("POST", "/api/v1/gateway/verify", verify, "X-Purpose", purpose)
				switch st {
				case 200:
					answered.Add(1)
					if wasSuspended {
						afterSuspension.Add(1)
					}
				case 403:
					refused.Add(1)
				case 429:
					// Over the system's rate (200 a second by default):
					// the client backs off.
					time.Sleep(20 * time.Millisecond)
				default:
					t.Errorf("verify during suspension: %d", st)
				}
			}
		})
	}
	time.Sleep(300 * time.Millisecond)
	officer.call("POST", "/api/v1/exchange/systems/"+sys+"/stage", map[string]any{"stage": "suspended", "note": "nghi lộ khóa"}, 200)
	suspended.Store(true)
	time.Sleep(300 * time.Millisecond)
	close(stop)
	wg.Wait()
	if answered.Load() == 0 || refused.Load() == 0 || afterSuspension.Load() != 0 {
		t.Fatalf("answered %d, refused %d, answered after the suspension returned %d", answered.Load(), refused.Load(), afterSuspension.Load())
	}

	usage := officer.call("GET", "/api/v1/exchange/usage", nil, 200)
	rows, _ := json.Marshal(usage["usage"])
	want := answered.Load() + 1 // and the first verification
	if !strings.Contains(string(rows), `{"count":`+strconv.FormatInt(want, 10)+`,"member_id":"`+tax+`","operation":"verify","system_id":"`+sys+`"}`) {
		t.Fatalf("usage %s, want %d verifications", rows, want)
	}

	// The month's statements: the ministry is exempt, the bank pays for
	// its one answered verification.
	out, _ := mustDancu(t, append([]string{"fees", "statement", "--json"}, b.args()...)...)
	var fees struct {
		Statements []struct {
			MemberID string `json:"member_id"`
			Exempt   bool
			Total    int64
			Lines    []struct{ Count, Amount int64 }
		}
	}
	if err := json.Unmarshal([]byte(out), &fees); err != nil || len(fees.Statements) != 2 {
		t.Fatalf("fees statement: %v\n%s", err, out)
	}
	for _, st := range fees.Statements {
		switch {
		case st.MemberID == tax && (!st.Exempt || st.Total != 0 || st.Lines[0].Count != want):
			t.Errorf("the ministry's statement: %+v", st)
		case st.MemberID == bank && (st.Exempt || st.Total != 500):
			t.Errorf("the bank's statement: %+v", st)
		}
	}
	text, _ := mustDancu(t, append([]string{"fees", "statement"}, b.args()...)...)
	if !strings.Contains(text, "Ngân hàng TMCP Sông Hồng") || !strings.Contains(text, "(exempt: ministry)") {
		t.Errorf("fees statement as text:\n%s", text)
	}

	// A disabled client's token is refused at once.
	mustDancu(t, append([]string{"client", "disable", "--id", machine.ID}, b.args()...)...)
	officer.call("POST", "/api/v1/exchange/systems/"+sys+"/stage", map[string]any{"stage": "active"}, 200)
	time.Sleep(2100 * time.Millisecond) // the provider's client cache
	if st := system.statusOf("POST", "/api/v1/gateway/verify", verify, "X-Purpose", purpose); st != 401 {
		t.Fatalf("a disabled client's token: %d", st)
	}
}

func anyStrings(v any) []string {
	l, _ := v.([]any)
	out := make([]string, len(l))
	for i, x := range l {
		out[i], _ = x.(string)
	}
	return out
}

// statusOf sends a request with a JSON body and returns only the status.
func (c *client) statusOf(method, path string, body any, headers ...string) int {
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest(method, c.url+path, bytes.NewReader(b))
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

// jwtClaims reads a JWT's claims without verifying it (the server did).
func jwtClaims(t *testing.T, token string) map[string]any {
	t.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWT: %q", token)
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	return m
}
