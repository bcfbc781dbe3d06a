package api

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"time"

	"dancu/internal/civil"
	"dancu/internal/errs"
	"dancu/internal/place"
	"dancu/internal/registry"
)

// writeOptions reads If-Match and Idempotency-Key and prepares the
// renderer whose output is stored with the key.
func (s *Server) writeOptions(r *http.Request, body []byte, status int) (registry.WriteOptions, error) {
	opt := registry.WriteOptions{IfMatch: strings.TrimSpace(r.Header.Get("If-Match")), Fields: citizenFields}
	key := r.Header.Get("Idempotency-Key")
	if key == "" {
		return opt, nil
	}
	if len(key) > 200 || strings.ContainsFunc(key, func(c rune) bool { return c < 0x21 || c > 0x7e }) {
		return opt, errs.InvalidField("Idempotency-Key", "format", "an idempotency key is 1–200 printable ASCII characters")
	}
	h := sha256.New()
	h.Write([]byte(r.Method + " " + r.URL.Path + "\n"))
	h.Write(body)
	opt.IdempotencyKey, opt.RequestHash = key, hex.EncodeToString(h.Sum(nil))
	opt.Render = func(res *registry.Result) (registry.StoredResponse, error) {
		b, err := json.Marshal(s.writeResponse(res))
		if err != nil {
			return registry.StoredResponse{}, err
		}
		return registry.StoredResponse{Status: status, Body: append(b, '\n'), Location: "/api/v1/citizens/" + string(res.Citizen.PID)}, nil
	}
	return opt, nil
}

// WriteResponseJSON is what a write returns: the citizen after the event,
// and the event.
type WriteResponseJSON struct {
	CitizenJSON
	Event EventJSON `json:"event"`
}

func (s *Server) writeResponse(res *registry.Result) WriteResponseJSON {
	pids := res.PIDs
	pids[res.Citizen.Key] = string(res.Citizen.PID)
	today := civil.DateOf(res.Event.RecordedAt)
	return WriteResponseJSON{CitizenJSON: s.citizenJSON(res.Citizen, pids, today, time.Time{}), Event: eventJSON(res.Event, pids, &registry.Citizen{Key: res.Event.Subject})}
}

func (s *Server) respondWrite(w http.ResponseWriter, r *http.Request, res *registry.Result, status int) {
	if res.Replay != nil {
		if res.Replay.Location != "" {
			w.Header().Set("Location", res.Replay.Location)
		}
		w.Header().Set("Idempotent-Replayed", "true")
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(res.Replay.Status)
		w.Write(res.Replay.Body)
		return
	}
	w.Header().Set("Location", "/api/v1/citizens/"+string(res.Citizen.PID))
	w.Header().Set("ETag", registry.ETag(res.Citizen))
	writeJSON(w, status, s.writeResponse(res))
}

func (s *Server) handleBirth(w http.ResponseWriter, r *http.Request) {
	var req registry.BirthRequest
	body, err := decode(w, r, &req)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	opt, err := s.writeOptions(r, body, http.StatusCreated)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	res, err := s.registry.RegisterBirth(r.Context(), actorOf(r), req, opt)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.respondWrite(w, r, res, http.StatusCreated)
}

func (s *Server) handleRecordEvent(w http.ResponseWriter, r *http.Request) {
	var req registry.EventRequest
	body, err := decode(w, r, &req)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	opt, err := s.writeOptions(r, body, http.StatusCreated)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	res, err := s.registry.RecordEvent(r.Context(), actorOf(r), r.PathValue("pid"), req, opt)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.respondWrite(w, r, res, http.StatusCreated)
}

// queryOnly refuses query parameters an endpoint does not know, so a typo
// (asof=) is not silently ignored.
func queryOnly(r *http.Request, known ...string) error {
	for k := range r.URL.Query() {
		ok := false
		for _, n := range known {
			ok = ok || k == n
		}
		if !ok {
			return errs.InvalidField(k, "unknown", "unknown query parameter %q; this endpoint takes: %s", k, strings.Join(known, ", "))
		}
	}
	return nil
}

func parseAsOf(r *http.Request, name string) (civil.Date, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return civil.Date{}, nil
	}
	d, err := civil.ParseDate(v)
	if err != nil {
		return d, errs.InvalidField(name, "format", "%v", err)
	}
	return d, nil
}

// parseKnownAt accepts an RFC 3339 instant, or a date meaning the end of
// that day in Asia/Ho_Chi_Minh.
func parseKnownAt(r *http.Request) (time.Time, error) {
	v := r.URL.Query().Get("known_at")
	if v == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
		return t, nil
	}
	if d, err := civil.ParseDate(v); err == nil && d.Precision() == civil.PrecisionDay {
		return d.AddDays(1).Time().Add(-time.Microsecond), nil
	}
	return time.Time{}, errs.InvalidField("known_at", "format", "known_at is an RFC 3339 time (2025-08-01T09:30:00+07:00) or a date YYYY-MM-DD")
}

func (s *Server) handleCitizen(w http.ResponseWriter, r *http.Request) {
	if err := queryOnly(r, "as_of", "known_at"); err != nil {
		s.writeError(w, r, err)
		return
	}
	asOf, err := parseAsOf(r, "as_of")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	knownAt, err := parseKnownAt(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	v, err := s.registry.Citizen(r.Context(), actorOf(r), r.PathValue("pid"), registry.ReadOptions{AsOf: asOf, KnownAt: knownAt, Fields: citizenFields})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	day := asOf
	if day.IsZero() {
		day = s.today()
	}
	pids := v.PIDs
	pids[v.Citizen.Key] = string(v.Citizen.PID)
	w.Header().Set("ETag", registry.ETag(v.Current))
	writeJSON(w, http.StatusOK, s.citizenJSON(v.Citizen, pids, day.Last(), knownAt))
}

// EventsPageJSON is a page of a person's history.
type EventsPageJSON struct {
	PID        string      `json:"pid"`
	Events     []EventJSON `json:"events"`
	NextCursor string      `json:"next_cursor,omitempty"`
}

func (s *Server) handleEvents(w http.ResponseWriter, r *http.Request) {
	if err := queryOnly(r, "cursor", "limit"); err != nil {
		s.writeError(w, r, err)
		return
	}
	limit, err := parseLimit(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	page, err := s.registry.Events(r.Context(), actorOf(r), r.PathValue("pid"), r.URL.Query().Get("cursor"), limit, []string{"events"})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := EventsPageJSON{PID: string(page.Citizen.PID), Events: []EventJSON{}, NextCursor: page.Next}
	for _, e := range page.Events {
		out.Events = append(out.Events, eventJSON(e, page.PIDs, page.Citizen))
	}
	w.Header().Set("ETag", registry.ETag(page.Citizen))
	writeJSON(w, http.StatusOK, out)
}

func parseLimit(r *http.Request) (int, error) {
	v := r.URL.Query().Get("limit")
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > registry.MaxPageSize {
		return 0, errs.InvalidField("limit", "range", "limit is a whole number from 1 to %d", registry.MaxPageSize)
	}
	return n, nil
}

// SearchJSON is a page of search results.
type SearchJSON struct {
	Results    []any  `json:"results"`
	NextCursor string `json:"next_cursor,omitempty"`
}

func (s *Server) handleSearch(w http.ResponseWriter, r *http.Request) {
	if err := queryOnly(r, "name", "birth_date", "cursor", "limit"); err != nil {
		s.writeError(w, r, err)
		return
	}
	limit, err := parseLimit(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	q := r.URL.Query()
	res, err := s.registry.Search(r.Context(), actorOf(r), registry.SearchRequest{
		Name: q.Get("name"), BirthDate: q.Get("birth_date"), Cursor: q.Get("cursor"), Limit: limit, Fields: citizenFields,
	})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := SearchJSON{Results: []any{}, NextCursor: res.Next}
	today := s.today()
	for _, m := range res.Matches {
		c := m.Citizen
		if m.Limited {
			out.Results = append(out.Results, LimitedCitizenJSON{PID: string(c.PID), FullName: c.FullName, BirthDate: c.BirthDate.String(), Sex: string(c.Sex), Status: string(c.Status), Limited: true})
			continue
		}
		// Search results show a record without resolving related persons'
		// numbers; the full record has them.
		out.Results = append(out.Results, s.citizenJSON(c, map[registry.PersonKey]string{}, today, time.Time{}))
	}
	writeJSON(w, http.StatusOK, out)
}

// HouseholdJSON is a household with its members.
type HouseholdJSON struct {
	ID        string       `json:"id"`
	Kind      string       `json:"kind"`
	Place     string       `json:"place"`
	PlaceName string       `json:"place_name"`
	Address   string       `json:"address"`
	Created   string       `json:"created"`
	HeadPID   string       `json:"head_pid,omitempty"`
	AsOf      string       `json:"as_of"`
	Members   []MemberJSON `json:"members"`
}

// MemberJSON is one member of a household.
type MemberJSON struct {
	PID       string `json:"pid"`
	FullName  string `json:"full_name"`
	BirthDate string `json:"birth_date"`
	Sex       string `json:"sex"`
	Relation  string `json:"relation"`
	Since     string `json:"since"`
}

var memberFields = jsonFields(reflect.TypeFor[MemberJSON]())

func (s *Server) handleHousehold(w http.ResponseWriter, r *http.Request) {
	if err := queryOnly(r, "as_of"); err != nil {
		s.writeError(w, r, err)
		return
	}
	day, err := parseAsOf(r, "as_of")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	v, err := s.registry.Household(r.Context(), actorOf(r), r.PathValue("id"), day, memberFields)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	h := v.Household
	if day.IsZero() {
		day = s.today()
	}
	out := HouseholdJSON{ID: h.ID, Kind: string(h.Kind), Place: h.Place, PlaceName: placeName(s.places, h.Place, h.Created),
		Address: h.Address, Created: h.Created.String(), AsOf: day.String(), Members: []MemberJSON{}}
	for _, m := range h.Members {
		c := v.Members[m.Key]
		if m.Relation == registry.RelationHead {
			out.HeadPID = string(c.PID)
		}
		out.Members = append(out.Members, MemberJSON{PID: string(c.PID), FullName: c.FullName, BirthDate: c.BirthDate.String(),
			Sex: string(c.Sex), Relation: string(m.Relation), Since: m.From.String()})
	}
	writeJSON(w, http.StatusOK, out)
}

// PlaceJSON is an administrative unit valid on a date with its current
// successor(s).
type PlaceJSON struct {
	Code      string          `json:"code"`
	Level     string          `json:"level"`
	Name      string          `json:"name"`
	FullName  string          `json:"full_name"`
	Kind      string          `json:"kind"`
	Province  string          `json:"province_code"`
	District  string          `json:"district_code,omitempty"`
	ValidFrom string          `json:"valid_from,omitempty"`
	ValidTo   string          `json:"valid_to,omitempty"`
	Date      string          `json:"date"`
	Current   []SuccessorJSON `json:"current"`
	Ambiguous bool            `json:"ambiguous"`
}

// SuccessorJSON is a unit that stands for another today.
type SuccessorJSON struct {
	Code     string `json:"code"`
	Level    string `json:"level"`
	Name     string `json:"name"`
	FullName string `json:"full_name"`
	Province string `json:"province_code"`
	Kind     string `json:"succession"`
}

func (s *Server) handlePlace(w http.ResponseWriter, r *http.Request) {
	if err := queryOnly(r, "date"); err != nil {
		s.writeError(w, r, err)
		return
	}
	day, err := parseAsOf(r, "date")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if day.IsZero() {
		day = s.today()
	}
	day = day.First()
	code := r.PathValue("code")
	res, err := s.places.Resolve(code, day)
	switch {
	case errors.Is(err, place.ErrUnknownCode):
		s.writeError(w, r, errs.E(errs.NotFound, "not-found", "%v", err).With("field", "code"))
		return
	case errors.Is(err, place.ErrNotInForce):
		s.writeError(w, r, errs.E(errs.NotFound, "not-found", "%v", err).With("field", "date"))
		return
	case err != nil:
		s.writeError(w, r, err)
		return
	}
	u := res.Unit
	out := PlaceJSON{Code: u.Code, Level: string(u.Level), Name: u.Name, FullName: placeName(s.places, u.Code, day), Kind: u.Kind,
		Province: u.ProvinceCode, District: u.DistrictCode, ValidFrom: u.ValidFrom.String(), ValidTo: u.ValidTo.String(),
		Date: day.String(), Current: []SuccessorJSON{}, Ambiguous: res.Ambiguous}
	for _, c := range res.Current {
		cu := c.Unit
		from := cu.ValidFrom
		if from.IsZero() {
			from = day
		}
		out.Current = append(out.Current, SuccessorJSON{Code: cu.Code, Level: string(cu.Level), Name: cu.Name,
			FullName: placeName(s.places, cu.Code, from), Province: cu.ProvinceCode, Kind: string(c.Kind)})
	}
	writeJSON(w, http.StatusOK, out)
}
