package api

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"dancu/internal/errs"
	"dancu/internal/registry"
)

// CandidateJSON is a pair of records that may be one person.
type CandidateJSON struct {
	ID      int64           `json:"id"`
	Score   float64         `json:"score"`
	Likely  bool            `json:"likely_duplicate"`
	Status  string          `json:"status"`
	Reasons json.RawMessage `json:"reasons"`
	FoundAt string          `json:"found_at"`
	A       CandidateSide   `json:"a"`
	B       CandidateSide   `json:"b"`
}

// CandidateSide is what an officer compares of each record.
type CandidateSide struct {
	PID          string `json:"pid"`
	FullName     string `json:"full_name"`
	BirthDate    string `json:"birth_date"`
	Sex          string `json:"sex"`
	Registration string `json:"registration_place,omitempty"`
	Status       string `json:"status"`
}

// CandidatesJSON is a page of candidates.
type CandidatesJSON struct {
	Candidates []CandidateJSON `json:"candidates"`
	NextCursor string          `json:"next_cursor,omitempty"`
}

func side(c *registry.Citizen) CandidateSide {
	return CandidateSide{PID: string(c.PID), FullName: c.FullName, BirthDate: c.BirthDate.String(), Sex: string(c.Sex),
		Registration: c.RegistrationPlace, Status: string(c.Status)}
}

func (s *Server) handleDuplicates(w http.ResponseWriter, r *http.Request) {
	if err := queryOnly(r, "unit", "status", "cursor", "limit"); err != nil {
		s.writeError(w, r, err)
		return
	}
	limit, err := parseLimit(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	q := r.URL.Query()
	views, next, err := s.registry.Candidates(r.Context(), actorOf(r), q.Get("unit"), q.Get("status"), q.Get("cursor"), limit)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := CandidatesJSON{Candidates: []CandidateJSON{}, NextCursor: next}
	for _, v := range views {
		c := v.Candidate
		reasons := c.Reasons
		if len(reasons) == 0 {
			reasons = json.RawMessage("[]")
		}
		out.Candidates = append(out.Candidates, CandidateJSON{ID: c.ID, Score: c.Score, Likely: c.Likely, Status: c.Status,
			Reasons: reasons, FoundAt: c.FoundAt.UTC().Format(time.RFC3339), A: side(v.A), B: side(v.B)})
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) handleRejectCandidate(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		s.writeError(w, r, errs.InvalidField("id", "format", "a candidate id is a positive integer"))
		return
	}
	if err := s.registry.RejectCandidate(r.Context(), actorOf(r), id); err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// MergeJSON is a merge request.
type MergeJSON struct {
	ID           string `json:"id"`
	SurvivorPID  string `json:"survivor_pid"`
	DuplicatePID string `json:"duplicate_pid"`
	CandidateID  int64  `json:"candidate_id,omitempty"`
	Reason       string `json:"reason"`
	Status       string `json:"status"`
	ProposedBy   string `json:"proposed_by"`
	ProposedAt   string `json:"proposed_at"`
	DecidedBy    string `json:"decided_by,omitempty"`
	DecidedAt    string `json:"decided_at,omitempty"`
	Note         string `json:"note,omitempty"`
}

func mergeJSON(v *registry.MergeView) MergeJSON {
	m := v.Request
	out := MergeJSON{ID: m.ID, SurvivorPID: v.SurvivorPID, DuplicatePID: v.DuplicatePID, CandidateID: m.Candidate,
		Reason: m.Reason, Status: string(m.Status), ProposedBy: m.ProposedBy, ProposedAt: m.ProposedAt.UTC().Format(time.RFC3339),
		DecidedBy: m.DecidedBy, Note: m.Note}
	if !m.DecidedAt.IsZero() {
		out.DecidedAt = m.DecidedAt.UTC().Format(time.RFC3339)
	}
	return out
}

// MergeProposalJSON proposes a merge.
type MergeProposalJSON struct {
	SurvivorPID  string `json:"survivor_pid"`
	DuplicatePID string `json:"duplicate_pid"`
	Reason       string `json:"reason"`
	CandidateID  int64  `json:"candidate_id,omitempty"`
}

func (s *Server) handleProposeMerge(w http.ResponseWriter, r *http.Request) {
	var req MergeProposalJSON
	if _, err := decode(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	v, err := s.registry.ProposeMerge(r.Context(), actorOf(r), req.SurvivorPID, req.DuplicatePID, req.Reason, req.CandidateID)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/merges/"+v.Request.ID)
	writeJSON(w, http.StatusCreated, mergeJSON(v))
}

// MergeDecisionJSON approves or rejects a merge, or reverses one.
type MergeDecisionJSON struct {
	Note   string `json:"note,omitempty"`
	Reason string `json:"reason,omitempty"`
}

func (s *Server) handleMergeDecision(action string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var req MergeDecisionJSON
		if _, err := decode(w, r, &req); err != nil {
			s.writeError(w, r, err)
			return
		}
		id := r.PathValue("id")
		var v *registry.MergeView
		var err error
		switch action {
		case "approve":
			v, err = s.registry.DecideMerge(r.Context(), actorOf(r), id, true, req.Note)
		case "reject":
			v, err = s.registry.DecideMerge(r.Context(), actorOf(r), id, false, req.Note)
		default:
			v, err = s.registry.Unmerge(r.Context(), actorOf(r), id, req.Reason)
		}
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, mergeJSON(v))
	}
}

// MergesJSON lists merge requests.
type MergesJSON struct {
	Merges []MergeJSON `json:"merges"`
}

func (s *Server) handleMerges(w http.ResponseWriter, r *http.Request) {
	if err := queryOnly(r, "status", "limit"); err != nil {
		s.writeError(w, r, err)
		return
	}
	limit, err := parseLimit(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	views, err := s.registry.MergeRequests(r.Context(), actorOf(r), r.URL.Query().Get("status"), limit)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := MergesJSON{Merges: []MergeJSON{}}
	for _, v := range views {
		out.Merges = append(out.Merges, mergeJSON(v))
	}
	writeJSON(w, http.StatusOK, out)
}
