package registry

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"dancu/internal/accesslog"
	"dancu/internal/actor"
	"dancu/internal/civil"
	"dancu/internal/errs"
	"dancu/internal/events"
)

// A duplicate record is one human registered twice. Merging keeps both
// records and all their events: the surviving record gets a merge event,
// the duplicate a merged_into event, the duplicate's number resolves to the
// survivor from then on, and the survivor's history shows the duplicate's
// events. A wrong merge is reversed by an unmerge event on both. Because a
// merge changes whose data a number returns, it needs two officers: one
// proposes (maker), another approves (checker).

// MergeStatus is where a merge request stands.
type MergeStatus string

const (
	MergeProposed MergeStatus = "proposed"
	MergeApproved MergeStatus = "approved"
	MergeRejected MergeStatus = "rejected"
	MergeUndone   MergeStatus = "unmerged"
)

// MergeRequest is a proposal to merge a duplicate into a surviving record.
type MergeRequest struct {
	ID         string
	Survivor   PersonKey
	Duplicate  PersonKey
	Candidate  int64 // the duplicate candidate it came from, 0 when none
	Reason     string
	Status     MergeStatus
	ProposedBy string
	ProposedAt time.Time
	DecidedBy  string
	DecidedAt  time.Time
	Note       string
}

// Candidate is a pair of records the duplicate detector found alike.
type Candidate struct {
	ID      int64
	A, B    PersonKey
	Score   float64
	Likely  bool            // above the duplicate threshold
	Reasons json.RawMessage // the detector's reasons, as JSON
	Status  string          // open, rejected, proposed, merged
	FoundAt time.Time
}

// MergeStore is what merging needs of a transaction, beyond Tx.
type MergeStore interface {
	CreateMergeRequest(ctx context.Context, m *MergeRequest) error
	// MergeRequest returns a request, locked until the transaction ends.
	MergeRequest(ctx context.Context, id string) (*MergeRequest, error)
	UpdateMergeRequest(ctx context.Context, m *MergeRequest) error
	// ReviveAlias makes a retired number the person's number in use again.
	ReviveAlias(ctx context.Context, number, eventID string) error
	// SetCandidateStatus records an officer's decision on a candidate.
	SetCandidateStatus(ctx context.Context, id int64, status, by string, at time.Time) error
	Candidate(ctx context.Context, id int64) (*Candidate, error)
}

// MergeView is a merge request as shown to officers.
type MergeView struct {
	Request      *MergeRequest
	SurvivorPID  string
	DuplicatePID string
}

func (s *Service) mergeTx(tx Tx) (MergeStore, error) {
	ms, ok := tx.(MergeStore)
	if !ok {
		return nil, fmt.Errorf("registry: the store cannot merge records")
	}
	return ms, nil
}

// ProposeMerge records an officer's proposal that duplicate is the same
// human as survivor. Nothing changes until a second officer approves it.
func (s *Service) ProposeMerge(ctx context.Context, a actor.Actor, survivorPID, duplicatePID, reason string, candidate int64) (*MergeView, error) {
	var fs errs.Fields
	if CheckNumber(survivorPID) != nil {
		fs.Add("survivor_pid", "format", "a personal ID number has 12 digits")
	}
	if CheckNumber(duplicatePID) != nil {
		fs.Add("duplicate_pid", "format", "a personal ID number has 12 digits")
	}
	reason = checkText(&fs, "reason", reason)
	if reason == "" {
		fs.Add("reason", "required", "say why the two records are the same person")
	}
	if err := fs.Err(); err != nil {
		return nil, err
	}
	var view *MergeView
	err := s.Store.Update(ctx, func(tx Tx) error {
		ms, err := s.mergeTx(tx)
		if err != nil {
			return err
		}
		surv, dup, err := s.mergePair(ctx, tx, a, survivorPID, duplicatePID)
		if err != nil {
			return err
		}
		if candidate != 0 {
			c, err := ms.Candidate(ctx, candidate)
			if err != nil {
				return errs.InvalidField("candidate_id", "unknown", "no duplicate candidate %d", candidate)
			}
			if !(c.A == surv.Key && c.B == dup.Key) && !(c.A == dup.Key && c.B == surv.Key) {
				return errs.InvalidField("candidate_id", "mismatch", "candidate %d is about other records", candidate)
			}
			if c.Status != "open" {
				return errs.E(errs.Conflict, "candidate-decided", "candidate %d was already %s", candidate, c.Status).With("field", "candidate_id")
			}
			if err := ms.SetCandidateStatus(ctx, candidate, "proposed", a.ID, s.now()); err != nil {
				return err
			}
		}
		m := &MergeRequest{
			ID: s.newID(s.now()), Survivor: surv.Key, Duplicate: dup.Key, Candidate: candidate, Reason: reason,
			Status: MergeProposed, ProposedBy: a.ID, ProposedAt: s.now(),
		}
		if err := ms.CreateMergeRequest(ctx, m); err != nil {
			return err
		}
		view = &MergeView{Request: m, SurvivorPID: string(surv.PID), DuplicatePID: string(dup.PID)}
		return tx.LogAccess(ctx, []accesslog.Entry{
			s.entry(a, surv.Key, []string{"merge"}, accesslog.ActionWrite),
			s.entry(a, dup.Key, []string{"merge"}, accesslog.ActionWrite),
		})
	})
	return view, err
}

// mergePair resolves and checks the two records of a merge.
func (s *Service) mergePair(ctx context.Context, tx Tx, a actor.Actor, survivorPID, duplicatePID string) (*Citizen, *Citizen, error) {
	load := func(field, number string) (*Citizen, error) {
		al, err := tx.Resolve(ctx, number)
		if errs.Is(err, errs.NotFound) {
			return nil, errs.RuleField(field, "unknown", "no person has the number %s", number)
		}
		if err != nil {
			return nil, err
		}
		c, err := tx.Citizen(ctx, al.Person)
		if err != nil {
			return nil, err
		}
		if c.MergedInto != 0 {
			return nil, errs.RuleField(field, "merged", "the record %s was already merged into another", number)
		}
		if !s.covers(a, c, civil.DateOf(s.now())) {
			return nil, errs.E(errs.Forbidden, "forbidden", "the person %s is outside your unit %s", number, a.Unit).With("field", field)
		}
		return c, nil
	}
	surv, err := load("survivor_pid", survivorPID)
	if err != nil {
		return nil, nil, err
	}
	dup, err := load("duplicate_pid", duplicatePID)
	if err != nil {
		return nil, nil, err
	}
	switch {
	case surv.Key == dup.Key:
		return nil, nil, errs.RuleField("duplicate_pid", "same_record", "both numbers name the same record")
	case surv.Mother == dup.Key || surv.Father == dup.Key || dup.Mother == surv.Key || dup.Father == surv.Key:
		return nil, nil, errs.RuleField("duplicate_pid", "parent_child", "one record is the other's parent: they are two people")
	case surv.Spouse() == dup.Key:
		return nil, nil, errs.RuleField("duplicate_pid", "spouses", "the records are married to each other: they are two people")
	case len(dup.Merged) > 0:
		return nil, nil, errs.RuleField("duplicate_pid", "has_merged", "other duplicates were merged into this record; make it the survivor instead")
	}
	return surv, dup, nil
}

// DecideMerge approves or rejects a proposed merge. The officer deciding
// must not be the one who proposed it. Approval writes the merge and
// merged_into events.
func (s *Service) DecideMerge(ctx context.Context, a actor.Actor, id string, approve bool, note string) (*MergeView, error) {
	var fs errs.Fields
	note = checkText(&fs, "note", note)
	if err := fs.Err(); err != nil {
		return nil, err
	}
	var view *MergeView
	err := s.Store.Update(ctx, func(tx Tx) error {
		ms, err := s.mergeTx(tx)
		if err != nil {
			return err
		}
		m, err := ms.MergeRequest(ctx, id)
		if err != nil {
			return err
		}
		if m.Status != MergeProposed {
			return errs.E(errs.Conflict, "merge-decided", "the merge request was already %s by %s", m.Status, m.DecidedBy)
		}
		if m.ProposedBy == a.ID {
			return errs.E(errs.Forbidden, "maker-checker", "a merge must be approved or rejected by another officer than the one who proposed it")
		}
		if err := tx.LockPersons(ctx, m.Survivor, m.Duplicate); err != nil {
			return err
		}
		pids, err := tx.PIDs(ctx, []PersonKey{m.Survivor, m.Duplicate})
		if err != nil {
			return err
		}
		surv, dup, err := s.mergePair(ctx, tx, a, pids[m.Survivor], pids[m.Duplicate])
		if err != nil && approve {
			return err
		}
		now := s.now()
		m.DecidedBy, m.DecidedAt, m.Note = a.ID, now, note
		candStatus := "rejected"
		if approve {
			m.Status = MergeApproved
			candStatus = "merged"
			if err := s.writeMerge(ctx, tx, a, m, surv, dup); err != nil {
				return err
			}
		} else {
			m.Status = MergeRejected
		}
		if m.Candidate != 0 {
			if err := ms.SetCandidateStatus(ctx, m.Candidate, candStatus, a.ID, now); err != nil {
				return err
			}
		}
		if err := ms.UpdateMergeRequest(ctx, m); err != nil {
			return err
		}
		view = &MergeView{Request: m, SurvivorPID: pids[m.Survivor], DuplicatePID: pids[m.Duplicate]}
		return nil
	})
	return view, err
}

// writeMerge appends the two events of a merge and retires the
// duplicate's number, which from now on resolves to the survivor.
func (s *Service) writeMerge(ctx context.Context, tx Tx, a actor.Actor, m *MergeRequest, surv, dup *Citizen) error {
	now, err := s.stamp(ctx, tx, []PersonKey{surv.Key, dup.Key})
	if err != nil {
		return err
	}
	today := civil.DateOf(now)
	merge := &Event{
		ID: s.newID(now), Type: EventMerge, Subject: surv.Key, Parties: []PersonKey{surv.Key},
		Effective: today, RecordedAt: now, Officer: a.ID, LegalBasis: DefaultLegalBasis[EventMerge], Reason: m.Reason,
		Data: Details{Merged: dup.Key, MergeRequest: m.ID},
	}
	into := &Event{
		ID: s.newID(now), Type: EventMergedInto, Subject: dup.Key, Parties: []PersonKey{dup.Key},
		Effective: today, RecordedAt: now, Officer: a.ID, LegalBasis: DefaultLegalBasis[EventMergedInto], Reason: m.Reason,
		Data: Details{Survivor: surv.Key, MergeRequest: m.ID, RetiredPID: dup.PID},
	}
	if err := s.appendAndSave(ctx, tx, merge, into); err != nil {
		return err
	}
	if err := tx.RetireAlias(ctx, string(dup.PID), today, into.ID); err != nil {
		return err
	}
	return tx.LogAccess(ctx, []accesslog.Entry{
		s.entry(a, surv.Key, []string{"merge"}, accesslog.ActionWrite),
		s.entry(a, dup.Key, []string{"merge"}, accesslog.ActionWrite),
	})
}

// appendAndSave stores events and refolds every party's record.
func (s *Service) appendAndSave(ctx context.Context, tx Tx, evs ...*Event) error {
	var keys []PersonKey
	for _, e := range evs {
		if err := tx.AppendEvent(ctx, e); err != nil {
			return err
		}
		for _, p := range e.Parties {
			if !slices.Contains(keys, p) {
				keys = append(keys, p)
			}
		}
		payload, err := json.Marshal(map[string]any{
			"event_id": e.ID, "type": e.Type, "effective_date": e.Effective.String(),
			"recorded_at": e.RecordedAt.UTC().Format(time.RFC3339Nano),
		})
		if err != nil {
			return err
		}
		if err := tx.Outbox(ctx, events.Message{EventID: e.ID, Subject: events.Subject("registry", string(e.Type)), Payload: payload, CreatedAt: e.RecordedAt}); err != nil {
			return err
		}
	}
	for _, k := range keys {
		evs, err := tx.Events(ctx, k, time.Time{})
		if err != nil {
			return err
		}
		c, rerr := Fold(k, evs, civil.Date{})
		if rerr != nil {
			return s.ruleError(evs[len(evs)-1], rerr)
		}
		if err := s.save(ctx, tx, c); err != nil {
			return err
		}
	}
	return nil
}

// Unmerge reverses an approved merge found to be wrong: an unmerge event
// on both records, and the duplicate's number is its own again.
func (s *Service) Unmerge(ctx context.Context, a actor.Actor, id, reason string) (*MergeView, error) {
	var fs errs.Fields
	reason = checkText(&fs, "reason", reason)
	if reason == "" {
		fs.Add("reason", "required", "say why the merge was wrong")
	}
	if err := fs.Err(); err != nil {
		return nil, err
	}
	var view *MergeView
	err := s.Store.Update(ctx, func(tx Tx) error {
		ms, err := s.mergeTx(tx)
		if err != nil {
			return err
		}
		m, err := ms.MergeRequest(ctx, id)
		if err != nil {
			return err
		}
		if m.Status != MergeApproved {
			return errs.E(errs.Conflict, "not-merged", "the merge request is %s, not approved", m.Status)
		}
		if err := tx.LockPersons(ctx, m.Survivor, m.Duplicate); err != nil {
			return err
		}
		surv, err := tx.Citizen(ctx, m.Survivor)
		if err != nil {
			return err
		}
		dup, err := tx.Citizen(ctx, m.Duplicate)
		if err != nil {
			return err
		}
		today := civil.DateOf(s.now())
		if !s.covers(a, surv, today) || !s.covers(a, dup, today) {
			return errs.E(errs.Forbidden, "forbidden", "the records are outside your unit %s", a.Unit)
		}
		now, err := s.stamp(ctx, tx, []PersonKey{surv.Key, dup.Key})
		if err != nil {
			return err
		}
		e := &Event{
			ID: s.newID(now), Type: EventUnmerge, Subject: surv.Key, Parties: []PersonKey{surv.Key, dup.Key},
			Effective: civil.DateOf(now), RecordedAt: now, Officer: a.ID, LegalBasis: DefaultLegalBasis[EventUnmerge], Reason: reason,
			Data: Details{Merged: dup.Key, Survivor: surv.Key, MergeRequest: m.ID},
		}
		if err := s.appendAndSave(ctx, tx, e); err != nil {
			return err
		}
		if err := ms.ReviveAlias(ctx, string(dup.PID), e.ID); err != nil {
			return err
		}
		m.Status, m.DecidedBy, m.DecidedAt, m.Note = MergeUndone, a.ID, now, reason
		if err := ms.UpdateMergeRequest(ctx, m); err != nil {
			return err
		}
		if err := tx.LogAccess(ctx, []accesslog.Entry{
			s.entry(a, surv.Key, []string{"merge"}, accesslog.ActionWrite),
			s.entry(a, dup.Key, []string{"merge"}, accesslog.ActionWrite),
		}); err != nil {
			return err
		}
		view = &MergeView{Request: m, SurvivorPID: string(surv.PID), DuplicatePID: string(dup.PID)}
		return nil
	})
	return view, err
}

// CandidateQuery selects duplicate candidates for officers.
type CandidateQuery struct {
	Unit       string // a commune or province; empty for all
	Status     string
	AfterScore float64
	AfterID    int64
	Limit      int
}

// CandidateReader lists candidates and merge requests.
type CandidateReader interface {
	Candidates(ctx context.Context, q CandidateQuery) ([]*Candidate, error)
	MergeRequests(ctx context.Context, status MergeStatus, limit int) ([]*MergeRequest, error)
}

// CandidateView is a duplicate candidate as shown to officers: both
// records' numbers, names and birth dates, so they can compare them.
type CandidateView struct {
	Candidate *Candidate
	A, B      *Citizen
}

// Candidates lists duplicate candidates in a unit the officer covers,
// highest score first. Showing both records is a read of each, and is
// access-logged as one.
func (s *Service) Candidates(ctx context.Context, a actor.Actor, unit, status, cursor string, limit int) ([]CandidateView, string, error) {
	var fs errs.Fields
	if unit == "" {
		unit = a.Unit
	}
	if unit == actor.NationalUnit {
		unit = ""
	}
	if unit != "" && !a.Covers([]string{unit}) {
		return nil, "", errs.E(errs.Forbidden, "forbidden", "unit %s is outside your unit %s", unit, a.Unit).With("field", "unit")
	}
	if status == "" {
		status = "open"
	}
	if !slices.Contains([]string{"open", "rejected", "proposed", "merged"}, status) {
		fs.Add("status", "unknown", "status is one of open, rejected, proposed, merged")
	}
	q := CandidateQuery{Unit: unit, Status: status, Limit: clampLimit(limit) + 1}
	if cursor != "" {
		raw, err := base64.RawURLEncoding.DecodeString(cursor)
		if err == nil {
			_, err = fmt.Sscanf(string(raw), "c1:%g:%d", &q.AfterScore, &q.AfterID)
		}
		if err != nil || q.AfterID <= 0 {
			fs.Add("cursor", "format", "the cursor is not one this API returned")
		}
	}
	if err := fs.Err(); err != nil {
		return nil, "", err
	}
	var out []CandidateView
	next := ""
	err := s.Store.View(ctx, func(tx ReadTx) error {
		cr, ok := tx.(CandidateReader)
		if !ok {
			return fmt.Errorf("registry: the store cannot list candidates")
		}
		cands, err := cr.Candidates(ctx, q)
		if err != nil {
			return err
		}
		if len(cands) == q.Limit {
			cands = cands[:q.Limit-1]
			last := cands[len(cands)-1]
			next = base64.RawURLEncoding.EncodeToString(fmt.Appendf(nil, "c1:%g:%d", last.Score, last.ID))
		}
		for _, c := range cands {
			ca, err := tx.Citizen(ctx, c.A)
			if err != nil {
				return err
			}
			cb, err := tx.Citizen(ctx, c.B)
			if err != nil {
				return err
			}
			out = append(out, CandidateView{Candidate: c, A: ca, B: cb})
		}
		return nil
	})
	if err != nil {
		return nil, "", err
	}
	var entries []accesslog.Entry
	at := s.now()
	for _, v := range out {
		entries = append(entries, s.entryAt(at, a, v.A.Key, []string{"duplicates"}, accesslog.ActionSearch),
			s.entryAt(at, a, v.B.Key, []string{"duplicates"}, accesslog.ActionSearch))
	}
	if err := s.Store.Record(ctx, entries); err != nil {
		return nil, "", err
	}
	return out, next, nil
}

// RejectCandidate records an officer's finding that a candidate pair are
// two people; later searches keep it rejected.
func (s *Service) RejectCandidate(ctx context.Context, a actor.Actor, id int64) error {
	return s.Store.Update(ctx, func(tx Tx) error {
		ms, err := s.mergeTx(tx)
		if err != nil {
			return err
		}
		c, err := ms.Candidate(ctx, id)
		if err != nil {
			return err
		}
		if c.Status != "open" {
			return errs.E(errs.Conflict, "candidate-decided", "candidate %d was already %s", id, c.Status)
		}
		today := civil.DateOf(s.now())
		for _, k := range []PersonKey{c.A, c.B} {
			p, err := tx.Citizen(ctx, k)
			if err != nil {
				return err
			}
			if !s.covers(a, p, today) {
				return errs.E(errs.Forbidden, "forbidden", "the records are outside your unit %s", a.Unit)
			}
		}
		return ms.SetCandidateStatus(ctx, id, "rejected", a.ID, s.now())
	})
}

// MergeRequests lists merge requests with a status for officers to decide.
func (s *Service) MergeRequests(ctx context.Context, a actor.Actor, status string, limit int) ([]*MergeView, error) {
	if status == "" {
		status = string(MergeProposed)
	}
	if !slices.Contains([]MergeStatus{MergeProposed, MergeApproved, MergeRejected, MergeUndone}, MergeStatus(status)) {
		return nil, errs.InvalidField("status", "unknown", "status is one of proposed, approved, rejected, unmerged")
	}
	var out []*MergeView
	err := s.Store.View(ctx, func(tx ReadTx) error {
		cr, ok := tx.(CandidateReader)
		if !ok {
			return fmt.Errorf("registry: the store cannot list merges")
		}
		ms, err := cr.MergeRequests(ctx, MergeStatus(status), clampLimit(limit))
		if err != nil {
			return err
		}
		today := civil.DateOf(s.now())
		for _, m := range ms {
			surv, err := tx.Citizen(ctx, m.Survivor)
			if err != nil {
				return err
			}
			dup, err := tx.Citizen(ctx, m.Duplicate)
			if err != nil {
				return err
			}
			// Officers see only the requests about people in their unit.
			if !s.covers(a, surv, today) || !s.covers(a, dup, today) {
				continue
			}
			out = append(out, &MergeView{Request: m, SurvivorPID: string(surv.PID), DuplicatePID: string(dup.PID)})
		}
		return nil
	})
	return out, err
}
