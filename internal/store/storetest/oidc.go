package storetest

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"dancu/internal/errs"
	"dancu/internal/oidc"
)

// The OpenID Provider's scenarios drive oidc.Tx directly, for accounts of
// persons born through the registry.

func (f *fixture) oidcUpdate(t *testing.T, what string, fn func(oidc.Tx) error) {
	t.Helper()
	if err := f.b.OIDC().Update(f.ctx, fn); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

func (f *fixture) oidcView(t *testing.T, what string, fn func(oidc.Tx) error) {
	t.Helper()
	if err := f.b.OIDC().View(f.ctx, fn); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

func (f *fixture) client(t *testing.T, id string) *oidc.Client {
	t.Helper()
	var c *oidc.Client
	f.oidcView(t, "ClientByID "+id, func(tx oidc.Tx) (err error) {
		c, err = tx.ClientByID(f.ctx, id)
		return err
	})
	return c
}

func testOIDCClients(t *testing.T, f *fixture) {
	rp := oidc.Client{ID: "dichvucong", Name: "Cổng Dịch vụ công", SecretHash: []byte{0x5e, 0xc7, 0x00, 0x01},
		AuthMethod: "client_secret_basic", RedirectURIs: []string{"https://dichvucong.gov.vn/cb", "https://dichvucong.gov.vn/cb2"},
		PostLogoutRedirectURIs: []string{"https://dichvucong.gov.vn/"}, Scopes: []string{"openid", "profile", "pid"},
		GrantTypes: []string{"authorization_code", "refresh_token"}, MaxLevel: 2, SubjectType: "pairwise",
		Sector: "dichvucong.gov.vn", Purpose: "Nộp hồ sơ trực tuyến", CreatedAt: f.instant(0), CreatedBy: "off_national"}
	// A machine client: no secret, keys instead, no redirects.
	m2m := oidc.Client{ID: "bhxh", Name: "Bảo hiểm xã hội", AuthMethod: "private_key_jwt",
		JWKS: []byte(`{"keys":[{"kty":"EC","crv":"P-256","x":"f83O","y":"x_FE"}]}`), Scopes: []string{"registry.read"},
		GrantTypes: []string{"client_credentials"}, MaxLevel: 1, SubjectType: "public", Purpose: "Đối chiếu nhân thân",
		CreatedAt: f.instant(time.Minute), CreatedBy: "off_national"}
	f.oidcUpdate(t, "InsertClient", func(tx oidc.Tx) error {
		if err := tx.InsertClient(f.ctx, &m2m); err != nil {
			return err
		}
		return tx.InsertClient(f.ctx, &rp)
	})
	same(t, "ClientByID", f.client(t, rp.ID), &rp)
	same(t, "machine ClientByID", f.client(t, m2m.ID), &m2m)
	var all []oidc.Client
	f.oidcView(t, "Clients", func(tx oidc.Tx) (err error) {
		all, err = tx.Clients(f.ctx)
		return err
	})
	same(t, "Clients, oldest first", all, []oidc.Client{rp, m2m})
	wantErr(t, f.b.OIDC().View(f.ctx, func(tx oidc.Tx) error {
		_, err := tx.ClientByID(f.ctx, "nobody")
		return err
	}), errs.NotFound, "")

	// A second client with the id is refused and changes nothing.
	dup := rp
	dup.Name, dup.RedirectURIs = "Kẻ mạo danh", []string{"https://evil.example/cb"}
	wantErr(t, f.b.OIDC().Update(f.ctx, func(tx oidc.Tx) error { return tx.InsertClient(f.ctx, &dup) }), errs.Conflict, "")
	same(t, "client after refused duplicate", f.client(t, rp.ID), &rp)

	at := f.instant(time.Hour)
	f.oidcUpdate(t, "DisableClient", func(tx oidc.Tx) error { return tx.DisableClient(f.ctx, m2m.ID, at) })
	m2m.DisabledAt = at
	same(t, "disabled client", f.client(t, m2m.ID), &m2m)
	same(t, "other client", f.client(t, rp.ID), &rp)
	wantErr(t, f.b.OIDC().Update(f.ctx, func(tx oidc.Tx) error { return tx.DisableClient(f.ctx, "nobody", at) }), errs.NotFound, "")
}

func testOIDCAuthRequests(t *testing.T, f *fixture) {
	a := f.account(t, "acc_authz", "Hồ Thị Thu")
	maxAge := uint(300)
	r := oidc.AuthRequest{ID: "ar_1", ClientID: "dichvucong", Params: oidc.Params{
		RedirectURI: "https://dichvucong.gov.vn/cb", Scopes: []string{"openid", "profile"}, State: "st-1", Nonce: "n-1",
		ResponseType: "code", ResponseMode: "query", CodeChallenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
		CodeChallengeMethod: "S256", Prompt: []string{"login", "consent"}, MaxAge: &maxAge,
		ACRValues: []string{"urn:dancu:loa:2"}, UILocales: []string{"vi", "en"}, LoginHint: "001088000001"},
		CreatedAt: f.instant(0), ExpiresAt: f.instant(10 * time.Minute)}
	expired := oidc.AuthRequest{ID: "ar_expired", ClientID: "dichvucong", Params: oidc.Params{RedirectURI: "https://dichvucong.gov.vn/cb",
		Scopes: []string{"openid"}, ResponseType: "code", CodeChallenge: "x", CodeChallengeMethod: "S256"},
		CreatedAt: f.instant(-time.Hour), ExpiresAt: f.instant(-50 * time.Minute)}
	f.oidcUpdate(t, "InsertAuthRequest", func(tx oidc.Tx) error {
		if err := tx.InsertAuthRequest(f.ctx, &r); err != nil {
			return err
		}
		return tx.InsertAuthRequest(f.ctx, &expired)
	})
	byID := func(id string) *oidc.AuthRequest {
		t.Helper()
		var got *oidc.AuthRequest
		f.oidcView(t, "AuthRequestByID", func(tx oidc.Tx) (err error) {
			got, err = tx.AuthRequestByID(f.ctx, id)
			return err
		})
		return got
	}
	byCode := func(hash []byte) (*oidc.AuthRequest, error) {
		var got *oidc.AuthRequest
		err := f.b.OIDC().View(f.ctx, func(tx oidc.Tx) (err error) {
			got, err = tx.AuthRequestByCode(f.ctx, hash)
			return err
		})
		return got, err
	}
	same(t, "AuthRequestByID", byID(r.ID), &r)
	same(t, "expired AuthRequestByID", byID(expired.ID), &expired)
	// Requests without a code do not answer to an empty code.
	_, err := byCode(nil)
	wantErr(t, err, errs.NotFound, "")
	_, err = byCode([]byte{})
	wantErr(t, err, errs.NotFound, "")

	// The person logs in and consents; a code is issued.
	r.AccountID, r.SessionID, r.AuthTime = a.ID, []byte("sess-hash"), f.instant(time.Minute)
	r.AMR, r.ACR, r.Done = []string{"pwd", "otp", "mfa"}, "urn:dancu:loa:2", true
	r.CodeHash, r.ExpiresAt = []byte{0xc0, 0xde, 0x01}, f.instant(2*time.Minute)
	f.oidcUpdate(t, "UpdateAuthRequest", func(tx oidc.Tx) error { return tx.UpdateAuthRequest(f.ctx, &r) })
	same(t, "AuthRequestByID after update", byID(r.ID), &r)
	got, err := byCode(r.CodeHash)
	if err != nil {
		t.Fatalf("AuthRequestByCode: %v", err)
	}
	same(t, "AuthRequestByCode", got, &r)
	_, err = byCode([]byte{0xc0, 0xde, 0x02})
	wantErr(t, err, errs.NotFound, "")

	f.oidcUpdate(t, "DeleteExpiredAuthRequests", func(tx oidc.Tx) error { return tx.DeleteExpiredAuthRequests(f.ctx, f.instant(0)) })
	wantErr(t, f.b.OIDC().View(f.ctx, func(tx oidc.Tx) error {
		_, err := tx.AuthRequestByID(f.ctx, expired.ID)
		return err
	}), errs.NotFound, "")
	same(t, "unexpired request after cleanup", byID(r.ID), &r)

	// Exchanging the code deletes the request: the code is spent.
	f.oidcUpdate(t, "DeleteAuthRequest", func(tx oidc.Tx) error { return tx.DeleteAuthRequest(f.ctx, r.ID) })
	_, err = byCode(r.CodeHash)
	wantErr(t, err, errs.NotFound, "")
	wantErr(t, f.b.OIDC().View(f.ctx, func(tx oidc.Tx) error {
		_, err := tx.AuthRequestByID(f.ctx, r.ID)
		return err
	}), errs.NotFound, "")
	// Deleting it again reports that it was spent.
	wantErr(t, f.b.OIDC().Update(f.ctx, func(tx oidc.Tx) error { return tx.DeleteAuthRequest(f.ctx, r.ID) }), errs.NotFound, "")
}

// testOIDCCodeExchangedOnce has 8 goroutines exchange one authorization
// code at once, each reading the request by its code and deleting it in
// one transaction: exactly one may succeed (RFC 6749 §4.1.2).
func testOIDCCodeExchangedOnce(t *testing.T, f *fixture) {
	const n = 8
	for round := range 3 {
		code := []byte(fmt.Sprintf("code-%d", round))
		r := oidc.AuthRequest{ID: fmt.Sprintf("ar_race_%d", round), ClientID: "dichvucong",
			Params:    oidc.Params{RedirectURI: "https://dichvucong.gov.vn/cb", Scopes: []string{"openid"}, ResponseType: "code"},
			AccountID: "acc_race", SessionID: []byte("s"), AuthTime: f.instant(0), Done: true, CodeHash: code,
			CreatedAt: f.instant(0), ExpiresAt: f.instant(time.Minute)}
		f.oidcUpdate(t, "InsertAuthRequest", func(tx oidc.Tx) error { return tx.InsertAuthRequest(f.ctx, &r) })
		start := make(chan struct{})
		results := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				<-start
				results[i] = f.b.OIDC().Update(f.ctx, func(tx oidc.Tx) error {
					got, err := tx.AuthRequestByCode(f.ctx, code)
					if err != nil {
						return err
					}
					return tx.DeleteAuthRequest(f.ctx, got.ID)
				})
			})
		}
		close(start)
		wg.Wait()
		wins := 0
		for _, err := range results {
			switch {
			case err == nil:
				wins++
			case errs.Is(err, errs.NotFound):
			default:
				t.Errorf("round %d: unexpected error: %v", round, err)
			}
		}
		if wins != 1 {
			t.Fatalf("round %d: %d of %d exchanges of one code succeeded, want exactly 1", round, wins, n)
		}
	}
}

func (f *fixture) refreshToken(t *testing.T, hash []byte) *oidc.RefreshToken {
	t.Helper()
	var r *oidc.RefreshToken
	f.oidcView(t, "RefreshTokenByHash", func(tx oidc.Tx) (err error) {
		r, err = tx.RefreshTokenByHash(f.ctx, hash)
		return err
	})
	return r
}

func (f *fixture) useRefreshToken(t *testing.T, hash []byte, at time.Time) bool {
	t.Helper()
	var ok bool
	f.oidcUpdate(t, "UseRefreshToken", func(tx oidc.Tx) (err error) {
		ok, err = tx.UseRefreshToken(f.ctx, hash, at)
		return err
	})
	return ok
}

func testOIDCRefreshTokens(t *testing.T, f *fixture) {
	a := f.account(t, "acc_rt", "Ngô Văn Tâm")
	b := f.account(t, "acc_rt_other", "Ngô Thị Xuân")
	tok := func(n int, family, account, client string) oidc.RefreshToken {
		return oidc.RefreshToken{Hash: []byte(fmt.Sprintf("rt-hash-%d", n)), ID: fmt.Sprintf("rt_%d", n), Family: family,
			ClientID: client, AccountID: account, Scopes: []string{"openid", "profile", "offline_access"},
			ACR: "urn:dancu:loa:2", AMR: []string{"pwd", "otp", "mfa"}, AuthTime: f.instant(0),
			CreatedAt: f.instant(time.Duration(n) * time.Minute), ExpiresAt: f.instant(30 * 24 * time.Hour)}
	}
	t1 := tok(1, "fam_1", a.ID, "dichvucong")
	t2 := tok(2, "fam_1", a.ID, "dichvucong") // rotated from t1
	t3 := tok(3, "fam_3", a.ID, "bhxh")
	t4 := tok(4, "fam_4", a.ID, "dichvucong")
	t5 := tok(5, "fam_4", a.ID, "dichvucong")
	t6 := tok(6, "fam_6", a.ID, "dichvucong")
	t7 := tok(7, "fam_7", b.ID, "dichvucong")
	t7.Scopes, t7.AMR, t7.ACR = []string{"openid"}, []string{"pwd"}, "urn:dancu:loa:1"
	all := []*oidc.RefreshToken{&t1, &t2, &t3, &t4, &t5, &t6, &t7}
	f.oidcUpdate(t, "InsertRefreshToken", func(tx oidc.Tx) error {
		for _, r := range all {
			if err := tx.InsertRefreshToken(f.ctx, r); err != nil {
				return err
			}
		}
		return nil
	})
	for _, r := range all {
		same(t, "RefreshTokenByHash "+r.ID, f.refreshToken(t, r.Hash), r)
	}
	wantErr(t, f.b.OIDC().View(f.ctx, func(tx oidc.Tx) error {
		_, err := tx.RefreshTokenByHash(f.ctx, []byte("no such token"))
		return err
	}), errs.NotFound, "")

	// Used once: true, then false, and the first use is what stays.
	used := f.instant(time.Hour)
	if !f.useRefreshToken(t, t1.Hash, used) {
		t.Fatal("first UseRefreshToken reported false")
	}
	if f.useRefreshToken(t, t1.Hash, f.instant(2*time.Hour)) {
		t.Fatal("second UseRefreshToken reported true")
	}
	t1.UsedAt = used
	same(t, "used token", f.refreshToken(t, t1.Hash), &t1)
	if f.useRefreshToken(t, []byte("no such token"), used) {
		t.Fatal("UseRefreshToken of an unknown token reported true")
	}

	// A stolen copy presented again revokes the family.
	revoked := f.instant(3 * time.Hour)
	f.oidcUpdate(t, "RevokeFamily", func(tx oidc.Tx) error { return tx.RevokeFamily(f.ctx, "fam_1", revoked) })
	t1.RevokedAt, t2.RevokedAt = revoked, revoked
	same(t, "revoked used token", f.refreshToken(t, t1.Hash), &t1)
	same(t, "revoked token", f.refreshToken(t, t2.Hash), &t2)
	if f.useRefreshToken(t, t2.Hash, f.instant(4*time.Hour)) {
		t.Fatal("UseRefreshToken of a revoked token reported true")
	}
	same(t, "revoked token after refused use", f.refreshToken(t, t2.Hash), &t2)
	same(t, "token of another family", f.refreshToken(t, t3.Hash), &t3)

	// Revoking the grants at one client returns the families it revoked,
	// each once; the other client's and account's tokens stay.
	var families []string
	at := f.instant(5 * time.Hour)
	f.oidcUpdate(t, "RevokeGrants", func(tx oidc.Tx) (err error) {
		families, err = tx.RevokeGrants(f.ctx, a.ID, "dichvucong", at)
		return err
	})
	same(t, "families revoked at one client", families, []string{"fam_4", "fam_6"})
	t4.RevokedAt, t5.RevokedAt, t6.RevokedAt = at, at, at
	for _, r := range all {
		same(t, "after RevokeGrants "+r.ID, f.refreshToken(t, r.Hash), r)
	}
	// Every client.
	at2 := f.instant(6 * time.Hour)
	f.oidcUpdate(t, "RevokeGrants all clients", func(tx oidc.Tx) (err error) {
		families, err = tx.RevokeGrants(f.ctx, a.ID, "", at2)
		return err
	})
	same(t, "families revoked at every client", families, []string{"fam_3"})
	t3.RevokedAt = at2
	for _, r := range all {
		same(t, "after RevokeGrants of every client "+r.ID, f.refreshToken(t, r.Hash), r)
	}
	if !f.useRefreshToken(t, t7.Hash, at2) {
		t.Fatal("the other account's token was revoked")
	}
}

// testOIDCRefreshTokenUsedOnce has 8 goroutines use one refresh token at
// once, each in its own transaction: exactly one may rotate it. On
// PostgreSQL this is a real race.
func testOIDCRefreshTokenUsedOnce(t *testing.T, f *fixture) {
	const n = 8
	for round := range 5 {
		r := oidc.RefreshToken{Hash: []byte(fmt.Sprintf("race-%d", round)), ID: fmt.Sprintf("rt_race_%d", round), Family: "fam_race",
			ClientID: "dichvucong", AccountID: "acc_race", Scopes: []string{"openid"}, AMR: []string{"pwd"},
			AuthTime: f.instant(0), CreatedAt: f.instant(0), ExpiresAt: f.instant(time.Hour)}
		f.oidcUpdate(t, "InsertRefreshToken", func(tx oidc.Tx) error { return tx.InsertRefreshToken(f.ctx, &r) })
		start := make(chan struct{})
		oks := make([]bool, n)
		failed := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				<-start
				failed[i] = f.b.OIDC().Update(f.ctx, func(tx oidc.Tx) (err error) {
					oks[i], err = tx.UseRefreshToken(f.ctx, r.Hash, f.instant(time.Duration(i+1)*time.Second))
					return err
				})
			})
		}
		close(start)
		wg.Wait()
		wins, winner := 0, 0
		for i := range n {
			if failed[i] != nil {
				t.Fatalf("round %d: UseRefreshToken: %v", round, failed[i])
			}
			if oks[i] {
				wins, winner = wins+1, i
			}
		}
		if wins != 1 {
			t.Fatalf("round %d: %d of %d concurrent uses of one refresh token reported true, want exactly 1", round, wins, n)
		}
		got := f.refreshToken(t, r.Hash)
		if want := f.instant(time.Duration(winner+1) * time.Second); !got.UsedAt.Equal(want) {
			t.Fatalf("round %d: UsedAt = %v, want the winner's %v", round, got.UsedAt, want)
		}
	}
}

func testOIDCRevocations(t *testing.T, f *fixture) {
	revoked := func(ids ...string) bool {
		t.Helper()
		var ok bool
		f.oidcView(t, "Revoked", func(tx oidc.Tx) (err error) {
			ok, err = tx.Revoked(f.ctx, ids...)
			return err
		})
		return ok
	}
	if revoked() || revoked("at_1") {
		t.Fatal("revoked before any revocation")
	}
	f.oidcUpdate(t, "RevokeTokenID", func(tx oidc.Tx) error {
		if err := tx.RevokeTokenID(f.ctx, "at_1", f.instant(time.Hour)); err != nil {
			return err
		}
		if err := tx.RevokeTokenID(f.ctx, "family:fam_1", f.instant(2*time.Hour)); err != nil {
			return err
		}
		// Listed twice: the later expiry holds.
		if err := tx.RevokeTokenID(f.ctx, "at_3", f.instant(time.Hour)); err != nil {
			return err
		}
		return tx.RevokeTokenID(f.ctx, "at_3", f.instant(3*time.Hour))
	})
	for _, c := range []struct {
		ids  []string
		want bool
	}{
		{[]string{"at_1"}, true},
		{[]string{"at_2"}, false},
		{[]string{"at_2", "family:fam_1"}, true},
		{[]string{"at_2", "family:fam_2"}, false},
		{[]string{"at_3"}, true},
	} {
		if got := revoked(c.ids...); got != c.want {
			t.Errorf("Revoked(%v) = %v, want %v", c.ids, got, c.want)
		}
	}
	f.oidcUpdate(t, "DeleteExpiredRevocations", func(tx oidc.Tx) error {
		return tx.DeleteExpiredRevocations(f.ctx, f.instant(90*time.Minute))
	})
	for _, c := range []struct {
		id   string
		want bool
	}{{"at_1", false}, {"family:fam_1", true}, {"at_3", true}} {
		if got := revoked(c.id); got != c.want {
			t.Errorf("after cleanup Revoked(%s) = %v, want %v", c.id, got, c.want)
		}
	}
}

func testOIDCConsents(t *testing.T, f *fixture) {
	a := f.account(t, "acc_consent", "Dương Thị Yến")
	b := f.account(t, "acc_consent_other", "Dương Văn Khoa")
	consent := func(account, client string) (*oidc.Consent, error) {
		var c *oidc.Consent
		err := f.b.OIDC().View(f.ctx, func(tx oidc.Tx) (err error) {
			c, err = tx.Consent(f.ctx, account, client)
			return err
		})
		return c, err
	}
	consents := func(account string) []oidc.Consent {
		t.Helper()
		var out []oidc.Consent
		f.oidcView(t, "Consents", func(tx oidc.Tx) (err error) {
			out, err = tx.Consents(f.ctx, account)
			return err
		})
		return out
	}
	set := func(c *oidc.Consent) {
		t.Helper()
		f.oidcUpdate(t, "SetConsent", func(tx oidc.Tx) error { return tx.SetConsent(f.ctx, c) })
	}
	_, err := consent(a.ID, "dichvucong")
	wantErr(t, err, errs.NotFound, "")

	dvc := oidc.Consent{AccountID: a.ID, ClientID: "dichvucong", Scopes: []string{"openid", "profile"}, GrantedAt: f.instant(0)}
	bank := oidc.Consent{AccountID: a.ID, ClientID: "nganhang", Scopes: []string{"openid", "pid"}, GrantedAt: f.instant(time.Minute)}
	otherDVC := oidc.Consent{AccountID: b.ID, ClientID: "dichvucong", Scopes: []string{"openid"}, GrantedAt: f.instant(0)}
	set(&dvc)
	set(&bank)
	set(&otherDVC)
	got, err := consent(a.ID, "dichvucong")
	if err != nil {
		t.Fatal(err)
	}
	same(t, "Consent", got, &dvc)
	same(t, "Consents", consents(a.ID), []oidc.Consent{dvc, bank})
	same(t, "other account's Consents", consents(b.ID), []oidc.Consent{otherDVC})

	// Agreeing to more replaces the consent.
	dvc.Scopes, dvc.GrantedAt = []string{"openid", "profile", "pid"}, f.instant(time.Hour)
	set(&dvc)
	got, err = consent(a.ID, "dichvucong")
	if err != nil {
		t.Fatal(err)
	}
	same(t, "Consent replaced", got, &dvc)

	// A revoked consent is gone until granted again.
	f.oidcUpdate(t, "RevokeConsent", func(tx oidc.Tx) error {
		return tx.RevokeConsent(f.ctx, a.ID, "dichvucong", f.instant(2*time.Hour))
	})
	_, err = consent(a.ID, "dichvucong")
	wantErr(t, err, errs.NotFound, "")
	same(t, "Consents after revocation", consents(a.ID), []oidc.Consent{bank})
	same(t, "other account's consent after revocation", consents(b.ID), []oidc.Consent{otherDVC})

	dvc.Scopes, dvc.GrantedAt = []string{"openid"}, f.instant(3*time.Hour)
	set(&dvc)
	got, err = consent(a.ID, "dichvucong")
	if err != nil {
		t.Fatal(err)
	}
	same(t, "Consent granted again", got, &dvc)
	same(t, "Consents after granting again", consents(a.ID), []oidc.Consent{bank, dvc})
}

func testOIDCSigningKeys(t *testing.T, f *fixture) {
	day := 24 * time.Hour
	key := func(id string, created, retire, expires time.Duration) oidc.SigningKey {
		k := oidc.SigningKey{ID: id, Algorithm: "ES256", PrivateKey: []byte("sealed:" + id),
			PublicJWK: []byte(`{"kty":"EC","crv":"P-256","kid":"` + id + `","x":"f83O","y":"x_FE"}`), CreatedAt: f.instant(created)}
		if retire != 0 {
			k.RetireAt = f.instant(retire)
		}
		if expires != 0 {
			k.ExpiresAt = f.instant(expires)
		}
		return k
	}
	old := key("k0", -200*day, -100*day, -99*day)
	k1 := key("k1", 0, 90*day, 91*day)
	k2 := key("k2", day, 0, 0) // signs until retired, published until given an expiry
	f.oidcUpdate(t, "InsertSigningKey", func(tx oidc.Tx) error {
		for _, k := range []*oidc.SigningKey{&k1, &old, &k2} {
			if err := tx.InsertSigningKey(f.ctx, k); err != nil {
				return err
			}
		}
		return nil
	})
	keys := func(at time.Time) []oidc.SigningKey {
		t.Helper()
		var out []oidc.SigningKey
		f.oidcView(t, "SigningKeys", func(tx oidc.Tx) (err error) {
			out, err = tx.SigningKeys(f.ctx, at)
			return err
		})
		return out
	}
	same(t, "SigningKeys, newest first", keys(f.instant(2*day)), []oidc.SigningKey{k2, k1})
	same(t, "SigningKeys before the old one expired", keys(f.instant(-150*day)), []oidc.SigningKey{k2, k1, old})

	// Rotation: every key still signing stops now; those retired before
	// keep their instant.
	now := f.instant(3 * day)
	f.oidcUpdate(t, "RetireSigningKeys", func(tx oidc.Tx) error { return tx.RetireSigningKeys(f.ctx, now, now.Add(200*day)) })
	k1.RetireAt, k2.RetireAt = now, now
	for _, k := range []*oidc.SigningKey{&k1, &k2} {
		if k.ExpiresAt.IsZero() || k.ExpiresAt.After(now.Add(200*day)) {
			k.ExpiresAt = now.Add(200 * day)
		}
	}
	same(t, "SigningKeys after retiring", keys(now), []oidc.SigningKey{k2, k1})
	same(t, "SigningKeys before the old one expired, after retiring", keys(f.instant(-150*day)), []oidc.SigningKey{k2, k1, old})
	same(t, "SigningKeys after k1 expired", keys(f.instant(92*day)), []oidc.SigningKey{k2})
}
