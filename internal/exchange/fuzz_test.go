package exchange_test

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"dancu/internal/actor"
	"dancu/internal/errs"
	"dancu/internal/exchange"
	"dancu/internal/exchange/exchangetest"
	"dancu/internal/place"
	"dancu/internal/registry"
	"dancu/internal/store/sqlite"
)

// FuzzVerify sends arbitrary verification requests, as a system's JSON
// body decodes, to the gateway over a real registry: whatever arrives,
// the answer is a result or an error the caller can act on (never an
// internal one, never a panic), and a result answers only what was asked.
func FuzzVerify(f *testing.F) {
	ctx := context.Background()
	db, _, err := sqlite.Open(ctx, filepath.Join(f.TempDir(), "dancu.db"))
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { db.Close() })
	reg := registry.NewService(db.Registry(), place.Default(), time.Now, rand.Reader)
	officer := actor.Actor{Kind: actor.KindOfficer, ID: "fuzz", Unit: "VN", Scope: actor.ScopeNational, Role: actor.RoleRegistry}
	res, err := reg.RegisterBirth(ctx, officer, registry.BirthRequest{FullName: "Nguyễn Thị Hoà", BirthDate: "1990-05-02", Sex: "female",
		BirthPlace: "00004", RegistrationPlace: "00004"}, registry.WriteOptions{})
	if err != nil {
		f.Fatal(err)
	}
	pid := string(res.Citizen.PID)
	svc := &exchange.Service{Store: db.Exchange(), Registry: reg, DefaultRateLimit: 1e9}
	if _, _, err := exchangetest.Onboard(ctx, svc, time.Now(), "Nhà mạng", exchange.MemberTelco, "client-telco", "kyc",
		[]exchange.Operation{exchange.OpVerify}, exchange.FieldNames, false); err != nil {
		f.Fatal(err)
	}
	for _, s := range []string{
		`{"idDocument":"` + pid + `","name":"Nguyen Thi Hoa","birthdate":"1990-05-02","gender":"FEMALE","phoneNumber":"0912345678"}`,
		`{"idDocument":"` + pid + `","givenName":"Hoà","familyName":"Nguyễn","address":"Số 1 phố Huế"}`,
		`{"idDocument":"012345678","name":"x"}`, `{"idDocument":"` + pid + `","birthdate":"1990"}`,
		`{"idDocument":""}`, `{"idDocument":"` + pid + `","name":"\u0000"}`, `{"idDocument":"` + pid + `","gender":"x","birthdate":"99999"}`,
	} {
		f.Add([]byte(s))
	}
	caller := exchange.Caller{ClientID: "client-telco"}
	f.Fuzz(func(t *testing.T, body []byte) {
		var req exchange.VerifyRequest
		if json.Unmarshal(body, &req) != nil {
			return
		}
		out, err := svc.Verify(ctx, caller, "kyc", req)
		if err != nil {
			if k := errs.KindOf(err); k == errs.Internal {
				t.Fatalf("internal error for %s: %v", body, err)
			}
			return
		}
		sent := func(v string) bool { return strings.TrimSpace(v) != "" }
		if sent(req.Name) != (out.NameMatch != "") || sent(req.Birthdate) != (out.BirthdateMatch != "") || sent(req.PhoneNumber) != (out.PhoneNumberMatch != "") {
			t.Fatalf("answered other than asked: %s → %+v", body, out)
		}
	})
}
