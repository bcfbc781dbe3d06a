package api

import (
	"net/http"
	"strconv"

	"dancu/internal/actor"
	"dancu/internal/errs"
	"dancu/internal/quality"
	"dancu/internal/registry"
)

// QualityJSON is a unit's data-quality report.
type QualityJSON = quality.Report

func (s *Server) handleQuality(w http.ResponseWriter, r *http.Request) {
	if err := queryOnly(r, "unit", "worst"); err != nil {
		s.writeError(w, r, err)
		return
	}
	if s.quality == nil {
		s.writeError(w, r, errs.E(errs.Unavailable, "unavailable", "quality reports are not configured on this server"))
		return
	}
	a := actorOf(r)
	q := r.URL.Query()
	unit := q.Get("unit")
	if unit == "" {
		unit = a.Unit
	}
	worst := 20
	if v := q.Get("worst"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > registry.MaxPageSize {
			s.writeError(w, r, errs.InvalidField("worst", "range", "worst is how many records to list, 0–%d", registry.MaxPageSize))
			return
		}
		worst = n
	}
	today := s.today()
	covering := []string{unit}
	if unit != actor.NationalUnit {
		u, err := s.places.Lookup(unit, today)
		if err != nil {
			s.writeError(w, r, errs.InvalidField("unit", "unknown", "%s is not a province or commune code in force today", unit))
			return
		}
		covering = append(covering, s.places.Province(u).Code)
	}
	if !a.Covers(covering) {
		s.writeError(w, r, errs.E(errs.Forbidden, "forbidden", "unit %s is outside your unit %s", unit, a.Unit).With("field", "unit"))
		return
	}
	lang := "vi"
	if english(r) {
		lang = "en"
	}
	rep, err := s.quality.Report(r.Context(), unit, today, worst, lang)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	// The worst records are people's data: each is an access.
	keys := make([]registry.PersonKey, len(rep.Worst))
	for i, wr := range rep.Worst {
		keys[i] = wr.Key
	}
	if err := s.registry.LogReads(r.Context(), a, keys, []string{"quality"}); err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, rep)
}
