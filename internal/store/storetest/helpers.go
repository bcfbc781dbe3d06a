package storetest

import (
	"errors"
	"testing"
	"time"

	"dancu/internal/actor"
	"dancu/internal/civil"
	"dancu/internal/errs"
	"dancu/internal/registry"
)

// Commune codes used by the suite, from the embedded catalogue.
const (
	hanoiBaDinh  = "00004" // Phường Ba Đình (new, 2025-07-01); before: Phường Trúc Bạch, same code
	hanoiHongHa  = "00097" // Phường Hồng Hà (new)
	hanoiPhucXa  = "00001" // Phường Phúc Xá: only until 2025-06-30
	hcmSaiGon    = "26740" // Phường Sài Gòn (new), Hồ Chí Minh 79
	haGiangOld   = "00688" // Phường Quang Trung, Hà Giang (02) until 2025-06-30; now Tuyên Quang (08)
	splitCongVi  = "00007" // Phường Cống Vị, split between two new wards
	provinceHN   = "01"
	provinceHCM  = "79"
	reformDay    = "2025-07-01"
	afterReform  = "2025-08-01"
	beforeReform = "2024-01-15"
)

func birthReq(name, date, sex, place string) registry.BirthRequest {
	return registry.BirthRequest{FullName: name, BirthDate: date, Sex: sex, BirthPlace: place, RegistrationPlace: place}
}

func (f *fixture) birth(t *testing.T, a actor.Actor, req registry.BirthRequest) *registry.Citizen {
	t.Helper()
	res, err := f.reg.RegisterBirth(f.ctx, a, req, registry.WriteOptions{})
	if err != nil {
		t.Fatalf("RegisterBirth(%s): %v", req.FullName, err)
	}
	return res.Citizen
}

func (f *fixture) person(t *testing.T, name, date, sex string) *registry.Citizen {
	t.Helper()
	place := hanoiBaDinh // valid on both sides of the reform, with different names
	return f.birth(t, f.national, birthReq(name, date, sex, place))
}

func (f *fixture) event(t *testing.T, a actor.Actor, pid string, req registry.EventRequest) *registry.Result {
	t.Helper()
	res, err := f.reg.RecordEvent(f.ctx, a, pid, req, registry.WriteOptions{})
	if err != nil {
		t.Fatalf("RecordEvent(%s %s): %v", req.Type, pid, err)
	}
	return res
}

func (f *fixture) read(t *testing.T, a actor.Actor, pid string, opt registry.ReadOptions) *registry.Citizen {
	t.Helper()
	v, err := f.reg.Citizen(f.ctx, a, pid, opt)
	if err != nil {
		t.Fatalf("Citizen(%s): %v", pid, err)
	}
	return v.Citizen
}

// wantErr checks that err is an *errs.Error of kind k naming field (when
// field is not empty).
func wantErr(t *testing.T, err error, k errs.Kind, field string) *errs.Error {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want kind %d on %q", k, field)
	}
	var e *errs.Error
	if !errors.As(err, &e) {
		t.Fatalf("got %T %v, want *errs.Error", err, err)
	}
	if e.Kind != k {
		t.Fatalf("got kind %d (%s), want %d: %v", e.Kind, e.Code, k, err)
	}
	if field == "" {
		return e
	}
	for _, fe := range e.Fields {
		if fe.Name == field {
			return e
		}
	}
	if fe, _ := e.Extra["field"].(string); fe == field {
		return e
	}
	t.Fatalf("error %v does not name field %q (fields %+v)", err, field, e.Fields)
	return nil
}

func (f *fixture) counts(t *testing.T) map[string]int64 {
	t.Helper()
	c, err := f.b.Counts(f.ctx)
	if err != nil {
		t.Fatalf("Counts: %v", err)
	}
	return c
}

func sameCounts(t *testing.T, what string, before, after map[string]int64) {
	t.Helper()
	for table, n := range before {
		if after[table] != n {
			t.Errorf("%s wrote to %s: %d rows before, %d after", what, table, n, after[table])
		}
	}
}

func date(s string) civil.Date { return civil.MustParse(s) }

func (f *fixture) now() time.Time {
	f.clock.mu.Lock()
	defer f.clock.mu.Unlock()
	return f.clock.now
}
