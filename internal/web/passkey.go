package web

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"

	"dancu/internal/eid"
	"dancu/internal/errs"
)

type csrfKey struct{}

func withCSRF(ctx context.Context, token string) context.Context {
	return context.WithValue(ctx, csrfKey{}, token)
}

func csrfFrom(ctx context.Context) string {
	s, _ := ctx.Value(csrfKey{}).(string)
	return s
}

// jsonError answers a passkey request with a problem document.
func (s *Server) jsonError(w http.ResponseWriter, r *http.Request, err error) {
	se, status := s.showError(r, err)
	var e *errs.Error
	title := se.Message
	code := "internal"
	if errors.As(err, &e) {
		code = e.Code
	}
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]any{"type": "urn:dancu:problem:" + code, "title": title, "status": status, "detail": se.Message})
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v)
}

// passkeyBegin starts a passkey ceremony: "login" (a passkey alone),
// "stepup" (the second factor of the session) or "register" (adding one).
func (s *Server) passkeyBegin(w http.ResponseWriter, r *http.Request) {
	var c eid.Ceremony
	var err error
	switch r.PathValue("kind") {
	case "login":
		c, err = s.Accounts.BeginPasskeyLogin(r.Context())
	case "stepup", "register":
		sess, _ := s.session(r)
		if sess == nil {
			err = errs.E(errs.Unauthenticated, "unauthenticated", "your session ended: log in again")
			break
		}
		if r.PathValue("kind") == "stepup" {
			c, err = s.Accounts.BeginPasskeyStepUp(r.Context(), sess)
		} else {
			c, err = s.Accounts.BeginPasskeyRegistration(r.Context(), sess, "e-ID")
		}
	default:
		err = errs.E(errs.NotFound, "not-found", "no such passkey ceremony")
	}
	if err != nil {
		s.jsonError(w, r, err)
		return
	}
	writeJSON(w, map[string]any{"ceremony": c.ID, "options": c.Options})
}

// passkeyFinish checks the browser's answer and says where to go next.
func (s *Server) passkeyFinish(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	ceremony := r.URL.Query().Get("ceremony")
	next := "/account"
	if id := r.URL.Query().Get("authRequestID"); id != "" {
		next = "/login?authRequestID=" + url.QueryEscape(id)
	}
	switch r.PathValue("kind") {
	case "login":
		login, err := s.Accounts.FinishPasskeyLogin(ctx, ceremony, r.Body, s.clientAddr(r), r.UserAgent())
		if err != nil {
			s.jsonError(w, r, err)
			return
		}
		if old, _ := s.session(r); old != nil {
			s.Accounts.EndSession(ctx, old, old.ID, "replaced by a new login")
		}
		s.setSession(w, login.Token)
	case "stepup":
		sess, _ := s.session(r)
		if sess == nil {
			s.jsonError(w, r, errs.E(errs.Unauthenticated, "unauthenticated", "your session ended: log in again"))
			return
		}
		if _, err := s.Accounts.FinishPasskeyStepUp(ctx, sess, ceremony, r.Body); err != nil {
			s.jsonError(w, r, err)
			return
		}
	case "register":
		sess, _ := s.session(r)
		if sess == nil {
			s.jsonError(w, r, errs.E(errs.Unauthenticated, "unauthenticated", "your session ended: log in again"))
			return
		}
		if err := s.Accounts.FinishPasskeyRegistration(ctx, sess, ceremony, deviceName(r.UserAgent()), r.Body); err != nil {
			s.jsonError(w, r, err)
			return
		}
		next = "/account"
	default:
		s.jsonError(w, r, errs.E(errs.NotFound, "not-found", "no such passkey ceremony"))
		return
	}
	writeJSON(w, map[string]string{"next": next})
}
