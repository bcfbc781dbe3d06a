// Package web serves the pages people use: logging in (for relying
// parties of the OpenID Provider or to the account page), the second
// factor, consent, online enrolment, activation of an account verified in
// person, recovery, and the account page (sessions, second factors,
// consents, locking). Pages are rendered on the server, in Vietnamese by
// default and in English on request, and work without JavaScript except
// passkeys.
//
// Every form carries a CSRF token that must equal the HttpOnly,
// SameSite=Strict cookie set with it (double submit), and a POST whose
// Origin is another site is refused outright.
package web

import (
	"bytes"
	"context"
	"crypto/rand"
	"embed"
	"encoding/base64"
	"errors"
	"html/template"
	"image/png"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"time"

	"dancu/internal/accesslog"
	"dancu/internal/eid"
	"dancu/internal/errs"
	"dancu/internal/exchange"
	"dancu/internal/oidc"
	"dancu/internal/place"

	"github.com/pquerna/otp"
)

const (
	sessionCookie = "dancu_session"
	csrfCookie    = "dancu_csrf"
	langCookie    = "dancu_lang"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Sealer encrypts what a page hands to the browser and takes back (a
// TOTP secret being set up).
type Sealer interface {
	Seal(plaintext, additional []byte) ([]byte, error)
	Open(ciphertext, additional []byte) ([]byte, error)
}

// Server serves the pages.
type Server struct {
	Accounts *eid.Service
	OIDC     *oidc.Provider
	Sealer   Sealer
	Log      *slog.Logger
	// Secure marks cookies Secure: true whenever pages are served over
	// https (always in production).
	Secure bool
	// Origin is the scheme and host pages are served from; POSTs from any
	// other origin are refused.
	Origin string
	// TrustProxy takes the client's address from X-Forwarded-For.
	TrustProxy bool
	// Owner names an account's person, and their ID number, on the
	// account page; the number lets password managers file the password.
	Owner func(r *http.Request, a *eid.Account) (name, pid string)
	// AccessLog shows the person who used their data; Places names the
	// units of the officers who did.
	AccessLog accesslog.Reader
	Places    *place.Catalogue
	// MemberName names a member organisation of the data-sharing gateway
	// whose system used the person's data.
	MemberName func(ctx context.Context, id string) string
	// DataSharing lets the person give and withdraw the consents members of
	// the data-sharing gateway need; nil hides the section.
	DataSharing DataSharing

	tmpl *template.Template
}

// Handler returns the pages' handler.
func (s *Server) Handler() (http.Handler, error) {
	if s.Log == nil {
		s.Log = slog.Default()
	}
	funcs := template.FuncMap{
		"t":         func(string) string { return "" },
		"fieldList": func([]string) string { return "" },
		"maskPhone": eid.MaskPhone,
		"fmtTime":   func(t time.Time) string { return t.In(hcm).Format("15:04 02/01/2006") },
		"sessionID": func(id []byte) string { return base64.RawURLEncoding.EncodeToString(id) },
		"device":    deviceName,
	}
	t, err := template.New("").Funcs(funcs).ParseFS(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	s.tmpl = t
	static, err := fs.Sub(staticFS, "static")
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.Handle("GET /static/", http.StripPrefix("/static/", http.FileServerFS(static)))
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/account", http.StatusSeeOther) })
	mux.HandleFunc("GET /login", s.loginPage)
	mux.HandleFunc("POST /login", s.login)
	mux.HandleFunc("POST /login/second-factor", s.secondFactor)
	mux.HandleFunc("POST /login/cancel", s.cancel)
	mux.HandleFunc("POST /consent", s.consent)
	mux.HandleFunc("GET /enrol", s.enrolPage)
	mux.HandleFunc("POST /enrol", s.enrol)
	mux.HandleFunc("POST /enrol/verify", s.enrolVerify)
	mux.HandleFunc("GET /activate", s.activatePage)
	mux.HandleFunc("POST /activate", s.activate)
	mux.HandleFunc("GET /recover", s.recoverPage)
	mux.HandleFunc("POST /recover", s.recover)
	mux.HandleFunc("POST /recover/verify", s.recoverVerify)
	mux.HandleFunc("GET /account", s.accountPage)
	mux.HandleFunc("POST /account/sessions/end", s.endSession)
	mux.HandleFunc("POST /account/credentials/remove", s.removeCredential)
	mux.HandleFunc("POST /account/consents/revoke", s.revokeConsent)
	mux.HandleFunc("POST /account/notify", s.notify)
	mux.HandleFunc("POST /account/sharing", s.sharingConsent)
	mux.HandleFunc("POST /account/lock", s.lock)
	mux.HandleFunc("POST /account/password", s.changePassword)
	mux.HandleFunc("POST /account/children", s.registerChild)
	mux.HandleFunc("GET /account/totp", s.totpPage)
	mux.HandleFunc("POST /account/totp", s.totpConfirm)
	mux.HandleFunc("GET /logout", s.logoutFromProvider)
	mux.HandleFunc("POST /logout", s.logout)
	mux.HandleFunc("POST /passkey/{kind}/begin", s.passkeyBegin)
	mux.HandleFunc("POST /passkey/{kind}/finish", s.passkeyFinish)
	return s.guard(mux), nil
}

var hcm = func() *time.Location {
	l, err := time.LoadLocation("Asia/Ho_Chi_Minh")
	if err != nil {
		return time.FixedZone("ICT", 7*3600)
	}
	return l
}()

// guard sets security headers, the CSRF cookie, and refuses a POST that
// lacks the CSRF token or comes from another origin.
func (s *Server) guard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self' *; frame-ancestors 'none'; base-uri 'none'")
		if !strings.HasPrefix(r.URL.Path, "/static/") {
			h.Set("Cache-Control", "no-store")
		}
		if l := r.URL.Query().Get("lang"); l == "vi" || l == "en" {
			http.SetCookie(w, &http.Cookie{Name: langCookie, Value: l, Path: "/", MaxAge: 365 * 24 * 3600, SameSite: http.SameSiteLaxMode, Secure: s.Secure})
		}
		token := ""
		if c, err := r.Cookie(csrfCookie); err == nil && len(c.Value) >= 20 {
			token = c.Value
		} else {
			b := make([]byte, 24)
			if _, err := io.ReadFull(rand.Reader, b); err != nil {
				http.Error(w, "internal error", http.StatusInternalServerError)
				return
			}
			token = base64.RawURLEncoding.EncodeToString(b)
			http.SetCookie(w, &http.Cookie{Name: csrfCookie, Value: token, Path: "/", HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: s.Secure})
		}
		r = r.WithContext(withCSRF(r.Context(), token))
		if r.Method == http.MethodPost {
			if o := r.Header.Get("Origin"); o != "" && o != "null" && s.Origin != "" && o != s.Origin {
				s.fail(w, r, http.StatusForbidden, errs.E(errs.Forbidden, "cross-origin", "the form was sent from another site"))
				return
			}
			r.Body = http.MaxBytesReader(w, r.Body, 256<<10)
			sent := r.Header.Get("X-CSRF-Token")
			if sent == "" {
				sent = r.PostFormValue("csrf")
			}
			if c, err := r.Cookie(csrfCookie); err != nil || sent == "" || c.Value != sent {
				s.fail(w, r, http.StatusForbidden, errs.E(errs.Forbidden, "csrf", "the form expired or was not sent from this site: reload the page and try again"))
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// page is what every template gets.
type page struct {
	Lang          Lang
	LangQuery     template.URL
	Title         string
	CSRF          string
	Error         *shownError
	Notice        string
	Form          map[string]string
	AuthRequestID string
	Interaction   *oidc.Interaction
	Relogin       bool
	HasTOTP       bool
	HasPasskey    bool
	Back          string

	Account     *eid.Account
	Owner       string
	OwnerPID    string
	Session     *eid.Session
	Sessions    []eid.Session
	Credentials []eid.Credential
	Consents    []consentView
	History     []eid.AuditEntry
	Accesses    []accessView
	Sharing     []exchange.ConsentChoice
	Need2FA     bool
	TOTPURL     template.URL
	TOTPQR      template.URL
}

// DataSharing is the person's side of the data-sharing gateway's
// consents (exchange.Service).
type DataSharing interface {
	ConsentChoices(ctx context.Context, person int64) ([]exchange.ConsentChoice, error)
	GiveConsent(ctx context.Context, person int64, memberID, purpose string, expires time.Time) (*exchange.Consent, error)
	WithdrawConsent(ctx context.Context, person int64, memberID, purpose string) error
}

type consentView struct {
	ClientID string
	Name     string
	Scopes   []string
}

type shownError struct {
	Message string
	Fields  []string
}

// IsCurrent reports whether a session is the one of this request.
func (p *page) IsCurrent(id []byte) bool {
	return p.Session != nil && string(p.Session.ID) == string(id)
}

func (s *Server) newPage(r *http.Request, titleKey string) *page {
	l := langOf(r)
	q := r.URL.Query()
	q.Set("lang", l.T("lang.other"))
	return &page{Lang: l, LangQuery: template.URL(q.Encode()), Title: l.T(titleKey), CSRF: csrfFrom(r.Context()), Form: map[string]string{}}
}

func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name string, p *page) {
	t, err := s.tmpl.Clone()
	if err == nil {
		t.Funcs(template.FuncMap{"t": p.Lang.T, "fieldList": func(f []string) string { return fieldNames(p.Lang, f) }})
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(status)
		err = t.ExecuteTemplate(w, name, p)
	}
	if err != nil {
		s.Log.Error("rendering a page", "page", name, "err", err)
	}
}

// showError turns an error into what a page shows: the domain's message
// for the person's mistakes, a generic one for ours (logged).
func (s *Server) showError(r *http.Request, err error) (*shownError, int) {
	var e *errs.Error
	if !errors.As(err, &e) || e.Kind == errs.Internal {
		s.Log.Error("page", "path", r.URL.Path, "err", err)
		return &shownError{Message: langOf(r).T("error.title")}, http.StatusInternalServerError
	}
	se := &shownError{Message: e.Message}
	for _, f := range e.Fields {
		if f.Message != "" && !strings.Contains(e.Message, f.Message) {
			se.Fields = append(se.Fields, f.Message)
		}
	}
	status := map[errs.Kind]int{errs.Invalid: 400, errs.Unauthenticated: 401, errs.Forbidden: 403, errs.NotFound: 404,
		errs.Conflict: 409, errs.Unprocessable: 422, errs.TooMany: 429, errs.Unavailable: 503}[e.Kind]
	if status == 0 {
		status = 400
	}
	return se, status
}

// fail shows an error page.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, status int, err error) {
	p := s.newPage(r, "error.title")
	p.Error, status = s.showError(r, err)
	p.Back = "/account"
	s.render(w, r, status, "message", p)
}

// clientAddr is the request's source address.
func (s *Server) clientAddr(r *http.Request) netip.Addr {
	if s.TrustProxy {
		if f := r.Header.Get("X-Forwarded-For"); f != "" {
			if a, err := netip.ParseAddr(strings.TrimSpace(strings.Split(f, ",")[0])); err == nil {
				return a
			}
		}
	}
	ap, err := netip.ParseAddrPort(r.RemoteAddr)
	if err != nil {
		return netip.Addr{}
	}
	return ap.Addr().Unmap()
}

// session returns the request's e-ID session, or nil.
func (s *Server) session(r *http.Request) (*eid.Session, *eid.Account) {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return nil, nil
	}
	sess, a, err := s.Accounts.Authenticate(r.Context(), c.Value)
	if err != nil {
		return nil, nil
	}
	return sess, a
}

func (s *Server) setSession(w http.ResponseWriter, token string) {
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: token, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode,
		Secure: s.Secure, MaxAge: int(eid.SessionMax.Seconds())})
}

func (s *Server) clearSession(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.Secure, MaxAge: -1})
}

// interaction returns the authorization request a page serves, if any.
func (s *Server) interaction(r *http.Request) (*oidc.Interaction, error) {
	id := r.FormValue("authRequestID")
	if id == "" || s.OIDC == nil {
		return nil, nil
	}
	return s.OIDC.Interaction(r.Context(), id)
}

// proceed takes a person as far as they can go for the request: login,
// second factor, consent, or back to the client.
func (s *Server) proceed(w http.ResponseWriter, r *http.Request, in *oidc.Interaction, sess *eid.Session, a *eid.Account, relogin bool) {
	if in == nil {
		if sess == nil {
			s.loginForm(w, r, nil, false, nil, http.StatusOK)
			return
		}
		http.Redirect(w, r, "/account", http.StatusSeeOther)
		return
	}
	now := time.Now()
	switch {
	case in.NeedsLogin(sess, now) || relogin:
		if in.PromptNone {
			s.backToClient(w, r, in, "login_required", "the person must log in")
			return
		}
		s.loginForm(w, r, in, sess != nil, nil, http.StatusOK)
		return
	case in.Level >= 2 && a.Level < eid.Level2:
		s.backToClient(w, r, in, "access_denied", "the service needs a level-2 account, verified in person")
		return
	case in.NeedsStepUp(sess):
		if in.PromptNone {
			s.backToClient(w, r, in, "interaction_required", "a second factor is needed")
			return
		}
		s.stepUpForm(w, r, in, a, nil)
		return
	}
	need, err := s.OIDC.NeedsConsent(r.Context(), in, a.ID)
	if err != nil {
		s.fail(w, r, 500, err)
		return
	}
	if need {
		if in.PromptNone {
			s.backToClient(w, r, in, "consent_required", "the person must consent")
			return
		}
		p := s.newPage(r, "consent.title")
		p.Interaction, p.AuthRequestID = in, in.Request.ID
		s.render(w, r, http.StatusOK, "consent", p)
		return
	}
	s.complete(w, r, in, sess, a, false)
}

func (s *Server) complete(w http.ResponseWriter, r *http.Request, in *oidc.Interaction, sess *eid.Session, a *eid.Account, consented bool) {
	next, err := s.OIDC.Complete(r.Context(), in, sess, a, consented)
	if err != nil {
		s.fail(w, r, 500, err)
		return
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}

func (s *Server) backToClient(w http.ResponseWriter, r *http.Request, in *oidc.Interaction, code, desc string) {
	next, err := s.OIDC.Fail(r.Context(), in, code, desc)
	if err != nil {
		s.fail(w, r, 500, err)
		return
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}

func (s *Server) loginForm(w http.ResponseWriter, r *http.Request, in *oidc.Interaction, relogin bool, err error, status int) {
	p := s.newPage(r, "login.title")
	p.Interaction, p.Relogin = in, relogin
	if in != nil {
		p.AuthRequestID = in.Request.ID
		p.Form["pid"] = in.Request.Params.LoginHint
	}
	if v := r.PostFormValue("pid"); v != "" {
		p.Form["pid"] = v
	}
	if err != nil {
		p.Error, status = s.showError(r, err)
	}
	if r.URL.Query().Get("done") != "" {
		p.Notice = p.Lang.T(r.URL.Query().Get("done"))
	}
	s.render(w, r, status, "login", p)
}

func (s *Server) stepUpForm(w http.ResponseWriter, r *http.Request, in *oidc.Interaction, a *eid.Account, err error) {
	p := s.newPage(r, "step.title")
	if in != nil {
		p.Interaction, p.AuthRequestID = in, in.Request.ID
	}
	creds, cerr := s.Accounts.Credentials(r.Context(), a.ID)
	if cerr != nil {
		s.fail(w, r, 500, cerr)
		return
	}
	for _, c := range creds {
		p.HasTOTP = p.HasTOTP || c.Kind == eid.CredentialTOTP
		p.HasPasskey = p.HasPasskey || c.Kind == eid.CredentialPasskey
	}
	status := http.StatusOK
	if err != nil {
		p.Error, status = s.showError(r, err)
	}
	s.render(w, r, status, "stepup", p)
}

func (s *Server) loginPage(w http.ResponseWriter, r *http.Request) {
	in, err := s.interaction(r)
	if err != nil {
		s.fail(w, r, 404, err)
		return
	}
	sess, a := s.session(r)
	s.proceed(w, r, in, sess, a, false)
}

func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	in, err := s.interaction(r)
	if err != nil {
		s.fail(w, r, 404, err)
		return
	}
	login, err := s.Accounts.Login(r.Context(), eid.LoginInput{PID: r.PostFormValue("pid"), Password: r.PostFormValue("password"),
		Address: s.clientAddr(r), UserAgent: r.UserAgent()})
	if err != nil {
		s.loginForm(w, r, in, false, err, http.StatusUnauthorized)
		return
	}
	// A login replaces whatever session the browser had.
	if old, _ := s.session(r); old != nil {
		s.Accounts.EndSession(r.Context(), old, old.ID, "replaced by a new login")
	}
	s.setSession(w, login.Token)
	if in == nil {
		http.Redirect(w, r, "/account", http.StatusSeeOther)
		return
	}
	s.proceed(w, r, in, login.Session, login.Account, false)
}

func (s *Server) secondFactor(w http.ResponseWriter, r *http.Request) {
	in, err := s.interaction(r)
	if err != nil {
		s.fail(w, r, 404, err)
		return
	}
	sess, a := s.session(r)
	if sess == nil {
		s.loginForm(w, r, in, false, nil, http.StatusUnauthorized)
		return
	}
	if _, err := s.Accounts.VerifyTOTP(r.Context(), sess, r.PostFormValue("code")); err != nil {
		s.stepUpForm(w, r, in, a, err)
		return
	}
	s.proceed(w, r, in, sess, a, false)
}

func (s *Server) cancel(w http.ResponseWriter, r *http.Request) {
	in, err := s.interaction(r)
	if err != nil || in == nil {
		http.Redirect(w, r, "/account", http.StatusSeeOther)
		return
	}
	s.backToClient(w, r, in, "access_denied", "the person cancelled")
}

func (s *Server) consent(w http.ResponseWriter, r *http.Request) {
	in, err := s.interaction(r)
	if err != nil || in == nil {
		s.fail(w, r, 404, errOr(err))
		return
	}
	sess, a := s.session(r)
	if sess == nil || in.NeedsLogin(sess, time.Now()) || in.NeedsStepUp(sess) {
		s.proceed(w, r, in, sess, a, false)
		return
	}
	if r.PostFormValue("decision") != "allow" {
		s.backToClient(w, r, in, "access_denied", "the person did not consent")
		return
	}
	s.complete(w, r, in, sess, a, true)
}

func errOr(err error) error {
	if err != nil {
		return err
	}
	return errs.E(errs.NotFound, "auth-request-unknown", "this login request is unknown or expired")
}

func (s *Server) enrolPage(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "enrol", s.newPage(r, "enrol.title"))
}

func (s *Server) enrol(w http.ResponseWriter, r *http.Request) {
	p := s.newPage(r, "enrol.title")
	for _, k := range []string{"pid", "full_name", "birth_date", "phone"} {
		p.Form[k] = r.PostFormValue(k)
	}
	pc, err := s.Accounts.StartEnrolment(r.Context(), eid.EnrolInput{PID: p.Form["pid"], FullName: p.Form["full_name"],
		BirthDate: p.Form["birth_date"], Phone: p.Form["phone"], Address: s.clientAddr(r)})
	if err != nil {
		var status int
		p.Error, status = s.showError(r, err)
		s.render(w, r, status, "enrol", p)
		return
	}
	p.Form["challenge"], p.Form["sent_to"], p.Form["action"] = pc.ChallengeID, pc.SentTo, "/enrol/verify"
	s.render(w, r, http.StatusOK, "enrol-verify", p)
}

// checkRepeat refuses two different passwords.
func checkRepeat(r *http.Request, l Lang) error {
	if r.PostFormValue("password") != r.PostFormValue("password2") {
		return errs.InvalidField("password2", "mismatch", "%s", l.T("password.mismatch"))
	}
	return nil
}

func (s *Server) enrolVerify(w http.ResponseWriter, r *http.Request) {
	p := s.newPage(r, "enrol.title")
	p.Form["challenge"], p.Form["action"], p.Form["pid"] = r.PostFormValue("challenge"), "/enrol/verify", r.PostFormValue("pid")
	err := checkRepeat(r, p.Lang)
	if err == nil {
		_, err = s.Accounts.FinishEnrolment(r.Context(), r.PostFormValue("challenge"), r.PostFormValue("code"), r.PostFormValue("password"))
	}
	if err != nil {
		var status int
		p.Error, status = s.showError(r, err)
		s.render(w, r, status, "enrol-verify", p)
		return
	}
	http.Redirect(w, r, "/login?done=enrol.done", http.StatusSeeOther)
}

func (s *Server) activatePage(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "activate", s.newPage(r, "activate.title"))
}

func (s *Server) activate(w http.ResponseWriter, r *http.Request) {
	p := s.newPage(r, "activate.title")
	p.Form["pid"] = r.PostFormValue("pid")
	err := checkRepeat(r, p.Lang)
	if err == nil {
		_, err = s.Accounts.Activate(r.Context(), r.PostFormValue("pid"), r.PostFormValue("code"), r.PostFormValue("password"))
	}
	if err != nil {
		var status int
		p.Error, status = s.showError(r, err)
		s.render(w, r, status, "activate", p)
		return
	}
	http.Redirect(w, r, "/login?done=activate.done", http.StatusSeeOther)
}

func (s *Server) recoverPage(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "recover", s.newPage(r, "recover.title"))
}

func (s *Server) recover(w http.ResponseWriter, r *http.Request) {
	p := s.newPage(r, "recover.title")
	p.Form["pid"], p.Form["contact"] = r.PostFormValue("pid"), r.PostFormValue("contact")
	pc, err := s.Accounts.StartRecovery(r.Context(), p.Form["pid"], p.Form["contact"], s.clientAddr(r))
	if err != nil {
		var status int
		p.Error, status = s.showError(r, err)
		s.render(w, r, status, "recover", p)
		return
	}
	p.Form["challenge"], p.Form["sent_to"], p.Form["action"] = pc.ChallengeID, pc.SentTo, "/recover/verify"
	p.Notice = p.Lang.T("recover.sent")
	s.render(w, r, http.StatusOK, "enrol-verify", p)
}

func (s *Server) recoverVerify(w http.ResponseWriter, r *http.Request) {
	p := s.newPage(r, "recover.title")
	p.Form["challenge"], p.Form["action"], p.Form["pid"] = r.PostFormValue("challenge"), "/recover/verify", r.PostFormValue("pid")
	err := checkRepeat(r, p.Lang)
	if err == nil {
		_, err = s.Accounts.FinishRecovery(r.Context(), r.PostFormValue("challenge"), r.PostFormValue("code"), r.PostFormValue("password"))
	}
	if err != nil {
		var status int
		p.Error, status = s.showError(r, err)
		s.render(w, r, status, "enrol-verify", p)
		return
	}
	s.clearSession(w)
	http.Redirect(w, r, "/login?done=recover.done", http.StatusSeeOther)
}

// requireSession returns the session of an account page request, or sends
// the browser to log in.
func (s *Server) requireSession(w http.ResponseWriter, r *http.Request) (*eid.Session, *eid.Account) {
	sess, a := s.session(r)
	if sess == nil {
		if r.Method == http.MethodGet {
			http.Redirect(w, r, "/login", http.StatusSeeOther)
		} else {
			s.loginForm(w, r, nil, false, errs.E(errs.Unauthenticated, "unauthenticated", "your session ended: log in again"), http.StatusUnauthorized)
		}
	}
	return sess, a
}

func (s *Server) accountPage(w http.ResponseWriter, r *http.Request) {
	sess, a := s.requireSession(w, r)
	if sess == nil {
		return
	}
	s.renderAccount(w, r, sess, a, nil, "")
}

func (s *Server) renderAccount(w http.ResponseWriter, r *http.Request, sess *eid.Session, a *eid.Account, err error, notice string) {
	ctx := r.Context()
	p := s.newPage(r, "account.title")
	p.Account, p.Session = a, sess
	if notice != "" {
		p.Notice = p.Lang.T(notice)
	}
	if s.Owner != nil {
		p.Owner, p.OwnerPID = s.Owner(r, a)
	}
	var lerr error
	if p.Sessions, lerr = s.Accounts.Sessions(ctx, sess); lerr == nil {
		if p.Credentials, lerr = s.Accounts.Credentials(ctx, a.ID); lerr == nil {
			if p.History, lerr = s.Accounts.AuditTrail(ctx, a.ID); lerr == nil {
				p.Accesses, lerr = s.accesses(ctx, p.Lang, a)
			}
		}
	}
	if lerr == nil && s.OIDC != nil {
		cs, clients, cerr := s.OIDC.ConsentsOf(ctx, a.ID)
		lerr = cerr
		for _, c := range cs {
			p.Consents = append(p.Consents, consentView{ClientID: c.ClientID, Name: clients[c.ClientID].Name, Scopes: c.Scopes})
		}
	}
	if lerr == nil && s.DataSharing != nil {
		p.Sharing, lerr = s.DataSharing.ConsentChoices(ctx, int64(a.Person))
	}
	if lerr != nil {
		s.fail(w, r, 500, lerr)
		return
	}
	p.Need2FA = a.Level == eid.Level2 && len(p.Credentials) == 0
	status := http.StatusOK
	if err != nil {
		p.Error, status = s.showError(r, err)
	}
	s.render(w, r, status, "account", p)
}

// accountAction runs an account page action and shows the page again.
func (s *Server) accountAction(w http.ResponseWriter, r *http.Request, fn func(*eid.Session, *eid.Account) error) {
	sess, a := s.requireSession(w, r)
	if sess == nil {
		return
	}
	if err := fn(sess, a); err != nil {
		s.renderAccount(w, r, sess, a, err, "")
		return
	}
	http.Redirect(w, r, "/account", http.StatusSeeOther)
}

func (s *Server) endSession(w http.ResponseWriter, r *http.Request) {
	s.accountAction(w, r, func(sess *eid.Session, _ *eid.Account) error {
		id, err := base64.RawURLEncoding.DecodeString(r.PostFormValue("id"))
		if err != nil {
			return errs.InvalidField("id", "format", "no such session")
		}
		return s.Accounts.EndSession(r.Context(), sess, id, "ended by its owner")
	})
}

func (s *Server) removeCredential(w http.ResponseWriter, r *http.Request) {
	s.accountAction(w, r, func(sess *eid.Session, _ *eid.Account) error {
		return s.Accounts.RemoveCredential(r.Context(), sess, r.PostFormValue("id"))
	})
}

func (s *Server) revokeConsent(w http.ResponseWriter, r *http.Request) {
	s.accountAction(w, r, func(_ *eid.Session, a *eid.Account) error {
		return s.OIDC.RevokeConsent(r.Context(), a.ID, r.PostFormValue("client"))
	})
}

// sharingConsent gives or withdraws a consent of the data-sharing gateway.
func (s *Server) sharingConsent(w http.ResponseWriter, r *http.Request) {
	s.accountAction(w, r, func(_ *eid.Session, a *eid.Account) error {
		if s.DataSharing == nil {
			return errs.E(errs.NotFound, "not-found", "data sharing is not configured")
		}
		member, purpose := r.PostFormValue("member"), r.PostFormValue("purpose")
		if r.PostFormValue("decision") == "give" {
			_, err := s.DataSharing.GiveConsent(r.Context(), int64(a.Person), member, purpose, time.Time{})
			return err
		}
		return s.DataSharing.WithdrawConsent(r.Context(), int64(a.Person), member, purpose)
	})
}

func (s *Server) notify(w http.ResponseWriter, r *http.Request) {
	s.accountAction(w, r, func(sess *eid.Session, _ *eid.Account) error {
		return s.Accounts.SetNotifyLogins(r.Context(), sess, r.PostFormValue("on") == "1")
	})
}

func (s *Server) lock(w http.ResponseWriter, r *http.Request) {
	sess, _ := s.requireSession(w, r)
	if sess == nil {
		return
	}
	if err := s.Accounts.Lock(r.Context(), sess); err != nil {
		s.fail(w, r, 500, err)
		return
	}
	s.clearSession(w)
	p := s.newPage(r, "account.title")
	p.Notice = p.Lang.T("account.lock.confirm") + " ✓"
	p.Back = "/recover"
	s.render(w, r, http.StatusOK, "message", p)
}

func (s *Server) changePassword(w http.ResponseWriter, r *http.Request) {
	s.accountAction(w, r, func(sess *eid.Session, _ *eid.Account) error {
		if err := checkRepeat(r, langOf(r)); err != nil {
			return err
		}
		return s.Accounts.ChangePassword(r.Context(), sess, r.PostFormValue("current_password"), r.PostFormValue("password"))
	})
}

func (s *Server) registerChild(w http.ResponseWriter, r *http.Request) {
	s.accountAction(w, r, func(sess *eid.Session, _ *eid.Account) error {
		_, err := s.Accounts.EnrolChild(r.Context(), sess, r.PostFormValue("pid"), r.PostFormValue("password"))
		return err
	})
}

func (s *Server) totpPage(w http.ResponseWriter, r *http.Request) {
	sess, a := s.requireSession(w, r)
	if sess == nil {
		return
	}
	en, err := s.Accounts.NewTOTP(r.Context(), sess, a.ID)
	if err != nil {
		s.fail(w, r, 500, err)
		return
	}
	s.renderTOTP(w, r, sess, a, en.Secret, "", nil)
}

func (s *Server) renderTOTP(w http.ResponseWriter, r *http.Request, sess *eid.Session, a *eid.Account, secret []byte, name string, err error) {
	p := s.newPage(r, "totp.title")
	sealed, serr := s.Sealer.Seal(secret, sess.ID)
	if serr != nil {
		s.fail(w, r, 500, serr)
		return
	}
	p.Form["sealed"] = base64.RawURLEncoding.EncodeToString(sealed)
	p.Form["secret_b32"] = eid.TOTPSecretText(secret)
	p.Form["name"] = name
	// The account's name in the app is the masked contact, so that two
	// accounts on one phone can be told apart without putting the ID
	// number on it; ASCII keeps the QR code sparse enough to scan.
	label := "e-ID"
	switch {
	case a.Phone != "":
		label = strings.ReplaceAll(eid.MaskPhone(a.Phone), "•", "*")
	case a.Email != "":
		label = a.Email
	}
	otpURL := eid.TOTPURL(secret, "dancu e-ID", label)
	p.TOTPURL = template.URL(otpURL)
	if qr, qerr := qrImage(otpURL); qerr == nil {
		p.TOTPQR = qr
	} else {
		s.Log.Warn("drawing the TOTP QR code", "err", qerr)
	}
	status := http.StatusOK
	if err != nil {
		p.Error, status = s.showError(r, err)
	}
	s.render(w, r, status, "totp", p)
}

func (s *Server) totpConfirm(w http.ResponseWriter, r *http.Request) {
	sess, a := s.requireSession(w, r)
	if sess == nil {
		return
	}
	sealed, err := base64.RawURLEncoding.DecodeString(r.PostFormValue("sealed"))
	var secret []byte
	if err == nil {
		secret, err = s.Sealer.Open(sealed, sess.ID)
	}
	if err != nil {
		s.fail(w, r, 400, errs.InvalidField("sealed", "format", "the setup expired: start again"))
		return
	}
	if err := s.Accounts.ConfirmTOTP(r.Context(), sess, secret, r.PostFormValue("code"), r.PostFormValue("name")); err != nil {
		s.renderTOTP(w, r, sess, a, secret, r.PostFormValue("name"), err)
		return
	}
	http.Redirect(w, r, "/account", http.StatusSeeOther)
}

// logoutFromProvider ends the session after an RP-initiated logout, then
// returns where the client asked (already checked against its
// registration by the provider).
func (s *Server) logoutFromProvider(w http.ResponseWriter, r *http.Request) {
	if sess, _ := s.session(r); sess != nil {
		s.Accounts.EndSession(r.Context(), sess, sess.ID, "logged out")
	}
	s.clearSession(w)
	if next := r.URL.Query().Get("post_logout_redirect_uri"); next != "" {
		if u, err := url.Parse(next); err == nil && u.IsAbs() {
			http.Redirect(w, r, next, http.StatusSeeOther)
			return
		}
	}
	p := s.newPage(r, "account.logout")
	p.Notice = p.Lang.T("logout.done")
	p.Back = "/login"
	s.render(w, r, http.StatusOK, "message", p)
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	if sess, _ := s.session(r); sess != nil {
		s.Accounts.EndSession(r.Context(), sess, sess.ID, "logged out")
	}
	s.clearSession(w)
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

// qrImage draws an otpauth URL as a PNG data URL: scanning it is how most
// people add an account to an authenticator app. It is inline because the
// secret must not travel in an image's address.
func qrImage(otpURL string) (template.URL, error) {
	k, err := otp.NewKeyFromURL(otpURL)
	if err != nil {
		return "", err
	}
	img, err := k.Image(232, 232)
	if err != nil {
		return "", err
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		return "", err
	}
	return template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(b.Bytes())), nil
}
