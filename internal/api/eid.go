package api

import (
	"net/http"
	"time"

	"dancu/internal/eid"
	"dancu/internal/errs"
)

// EnrolmentRequest is an officer's in-person level-2 enrolment.
type EnrolmentRequest struct {
	PID   string `json:"pid"`
	Phone string `json:"phone,omitempty"`
	Email string `json:"email,omitempty"`
}

// EnrolmentJSON is the result: the code to hand the person, shown once.
type EnrolmentJSON struct {
	AccountID      string `json:"account_id"`
	Level          int    `json:"level"`
	Status         string `json:"status"`
	ActivationCode string `json:"activation_code"`
	TookOver       bool   `json:"took_over"`
	Level2At       string `json:"level2_at"`
}

func (s *Server) handleEnrolment(w http.ResponseWriter, r *http.Request) {
	if s.eid == nil {
		s.writeError(w, r, errs.E(errs.Unavailable, "unavailable", "e-ID is not configured on this server"))
		return
	}
	var req EnrolmentRequest
	if _, err := decode(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	if req.PID == "" {
		s.writeError(w, r, errs.InvalidField("pid", "required", "the personal ID number of the person before you is required"))
		return
	}
	out, err := s.eid.EnrolInPerson(r.Context(), actorOf(r), req.PID, req.Phone, req.Email)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, EnrolmentJSON{AccountID: out.Account.ID, Level: int(out.Account.Level), Status: string(out.Account.Status),
		ActivationCode: out.ActivationCode, TookOver: out.TookOver, Level2At: out.Account.Level2At.UTC().Format(time.RFC3339)})
}

// AccountJSON is what an officer sees of a person's e-ID account.
type AccountJSON struct {
	AccountID string `json:"account_id"`
	Level     int    `json:"level"`
	Status    string `json:"status"`
	CreatedAt string `json:"created_at"`
	Level2At  string `json:"level2_at,omitempty"`
	Phone     string `json:"phone,omitempty"`
}

func (s *Server) handleAccount(w http.ResponseWriter, r *http.Request) {
	if err := queryOnly(r); err != nil {
		s.writeError(w, r, err)
		return
	}
	if s.eid == nil {
		s.writeError(w, r, errs.E(errs.Unavailable, "unavailable", "e-ID is not configured on this server"))
		return
	}
	a, err := s.eid.AccountOf(r.Context(), actorOf(r), r.PathValue("pid"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := AccountJSON{AccountID: a.ID, Level: int(a.Level), Status: string(a.Status), CreatedAt: a.CreatedAt.UTC().Format(time.RFC3339)}
	if !a.Level2At.IsZero() {
		out.Level2At = a.Level2At.UTC().Format(time.RFC3339)
	}
	if a.Phone != "" {
		out.Phone = eid.MaskPhone(a.Phone)
	}
	writeJSON(w, http.StatusOK, out)
}
