package storetest

import (
	"testing"

	"dancu/internal/civil"
	"dancu/internal/errs"
	"dancu/internal/registry"
)

func testResidence(t *testing.T, f *fixture) {
	a := f.person(t, "Lý Văn Hải", "1985-02-02", "male")
	b := f.person(t, "Dương Thị Thu", "1987-03-03", "female")
	pa, pb := string(a.PID), string(b.PID)

	res := f.event(t, f.national, pa, registry.EventRequest{Type: "permanent_residence", EffectiveDate: afterReform,
		Place: hanoiBaDinh, Address: "12 Phố Quán Thánh", NewHousehold: true})
	hid := res.Citizen.Residences[0].HouseholdID
	if len(hid) != 12 || res.Citizen.Residences[0].Relation != registry.RelationHead {
		t.Fatalf("new household %+v", res.Citizen.Residences)
	}
	res = f.event(t, f.national, pb, registry.EventRequest{Type: "permanent_residence", EffectiveDate: "2025-09-01",
		HouseholdID: hid, Relation: "spouse"})
	if r, ok := res.Citizen.Residence(registry.Permanent, date("2025-09-01")); !ok || r.Place != hanoiBaDinh || r.Address != "12 Phố Quán Thánh" {
		t.Fatalf("joining member's residence %+v", res.Citizen.Residences)
	}
	hv, err := f.reg.Household(f.ctx, f.national, hid, civil.Date{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(hv.Household.Members) != 2 || hv.Household.Head() != a.Key {
		t.Fatalf("household members %+v", hv.Household.Members)
	}

	// Moving to another commune's household closes the previous permanent
	// residence in the same event.
	res = f.event(t, f.national, pb, registry.EventRequest{Type: "permanent_residence", EffectiveDate: "2026-01-10",
		Place: hcmSaiGon, Address: "5 Lê Lợi", NewHousehold: true})
	c := res.Citizen
	if len(c.Residences) != 2 || c.Residences[0].Ended != date("2026-01-10") || c.Residences[1].Place != hcmSaiGon {
		t.Fatalf("after the move: %+v", c.Residences)
	}
	hv, _ = f.reg.Household(f.ctx, f.national, hid, civil.Date{}, nil)
	if len(hv.Household.Members) != 1 {
		t.Fatalf("old household still lists %d members", len(hv.Household.Members))
	}
	hv, _ = f.reg.Household(f.ctx, f.national, hid, date("2025-12-01"), nil)
	if len(hv.Household.Members) != 2 {
		t.Fatalf("household as of 2025-12-01 lists %d members, want 2", len(hv.Household.Members))
	}

	f.event(t, f.national, pa, registry.EventRequest{Type: "temporary_residence", EffectiveDate: "2026-02-01",
		Place: hcmSaiGon, Address: "Ký túc xá 3", Until: "2027-02-01"})
	f.event(t, f.national, pa, registry.EventRequest{Type: "current_residence", EffectiveDate: "2026-02-01", Place: hcmSaiGon, Address: "Ký túc xá 3"})
	f.event(t, f.national, pa, registry.EventRequest{Type: "temporary_absence", EffectiveDate: "2026-02-01", Until: "2026-12-31", Destination: "Thành phố Hồ Chí Minh"})
	got := f.read(t, f.national, pa, registry.ReadOptions{})
	for _, k := range []registry.ResidenceKind{registry.Permanent, registry.Temporary, registry.Current} {
		if _, ok := got.Residence(k, Today); !ok {
			t.Errorf("no %s residence in force today: %+v", k, got.Residences)
		}
	}
	if len(got.Absences) != 1 {
		t.Errorf("absences %+v", got.Absences)
	}
	// As of a date before the temporary residence began, only the
	// permanent one holds.
	old := f.read(t, f.national, pa, registry.ReadOptions{AsOf: date("2025-12-31")})
	if _, ok := old.Residence(registry.Temporary, date("2025-12-31")); ok {
		t.Errorf("temporary residence shown before it began")
	}

	bad := []struct {
		name  string
		req   registry.EventRequest
		kind  errs.Kind
		field string
	}{
		{"permanent without household", registry.EventRequest{Type: "permanent_residence", Place: hanoiBaDinh, Address: "x"}, errs.Invalid, "household_id"},
		{"both household and new", registry.EventRequest{Type: "permanent_residence", HouseholdID: hid, NewHousehold: true, Relation: "child"}, errs.Invalid, "new_household"},
		{"unknown household", registry.EventRequest{Type: "permanent_residence", HouseholdID: "000000000001", Relation: "child"}, errs.Unprocessable, "household_id"},
		{"malformed household", registry.EventRequest{Type: "permanent_residence", HouseholdID: "12", Relation: "child"}, errs.Invalid, "household_id"},
		{"no relation", registry.EventRequest{Type: "permanent_residence", HouseholdID: hid}, errs.Invalid, "relation"},
		{"unknown relation", registry.EventRequest{Type: "permanent_residence", HouseholdID: hid, Relation: "cousin"}, errs.Invalid, "relation"},
		{"second head", registry.EventRequest{Type: "permanent_residence", HouseholdID: hid, Relation: "head"}, errs.Unprocessable, "relation"},
		{"temporary over two years", registry.EventRequest{Type: "temporary_residence", Place: hcmSaiGon, Address: "x", Until: "2029-01-01"}, errs.Invalid, "until"},
		{"temporary without end", registry.EventRequest{Type: "temporary_residence", Place: hcmSaiGon, Address: "x"}, errs.Invalid, "until"},
		{"end before start", registry.EventRequest{Type: "temporary_absence", EffectiveDate: "2026-05-01", Until: "2026-04-01"}, errs.Invalid, "until"},
		{"field of another type", registry.EventRequest{Type: "temporary_absence", Until: "2026-12-31", SpousePID: pa}, errs.Invalid, "spouse_pid"},
		{"unknown type", registry.EventRequest{Type: "adoption"}, errs.Invalid, "type"},
		{"missing type", registry.EventRequest{}, errs.Invalid, "type"},
		{"birth through events", registry.EventRequest{Type: "birth"}, errs.Invalid, "type"},
		{"future effective date", registry.EventRequest{Type: "current_residence", Place: hcmSaiGon, EffectiveDate: "2030-01-01"}, errs.Invalid, "effective_date"},
		{"partial effective date", registry.EventRequest{Type: "current_residence", Place: hcmSaiGon, EffectiveDate: "2026-01"}, errs.Invalid, "effective_date"},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			before := f.counts(t)
			_, err := f.reg.RecordEvent(f.ctx, f.national, pb, tt.req, registry.WriteOptions{})
			wantErr(t, err, tt.kind, tt.field)
			sameCounts(t, tt.name, before, f.counts(t))
		})
	}
}

func testHeadLeaves(t *testing.T, f *fixture) {
	head := f.person(t, "Phan Văn Long", "1960-01-01", "male")
	son := f.person(t, "Phan Văn Phúc", "1990-01-01", "male")
	res := f.event(t, f.national, string(head.PID), registry.EventRequest{Type: "permanent_residence", EffectiveDate: afterReform, Place: hanoiHongHa, Address: "1 Ngõ Trạm", NewHousehold: true})
	hid := res.Citizen.Residences[0].HouseholdID
	f.event(t, f.national, string(son.PID), registry.EventRequest{Type: "permanent_residence", EffectiveDate: afterReform, HouseholdID: hid, Relation: "child"})

	_, err := f.reg.RecordEvent(f.ctx, f.national, string(head.PID), registry.EventRequest{Type: "permanent_residence_deregistration", EffectiveDate: "2026-03-01"}, registry.WriteOptions{})
	wantErr(t, err, errs.Unprocessable, "new_head_pid")
	_, err = f.reg.RecordEvent(f.ctx, f.national, string(son.PID), registry.EventRequest{Type: "permanent_residence_deregistration", NewHeadPID: string(head.PID)}, registry.WriteOptions{})
	wantErr(t, err, errs.Unprocessable, "new_head_pid")

	f.event(t, f.national, string(head.PID), registry.EventRequest{Type: "permanent_residence_deregistration", EffectiveDate: "2026-03-01", NewHeadPID: string(son.PID)})
	hv, err := f.reg.Household(f.ctx, f.national, hid, civil.Date{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(hv.Household.Members) != 1 || hv.Household.Head() != son.Key {
		t.Fatalf("after the head left: %+v", hv.Household.Members)
	}
	s := f.read(t, f.national, string(son.PID), registry.ReadOptions{})
	if r, _ := s.Residence(registry.Permanent, Today); r.Relation != registry.RelationHead {
		t.Fatalf("son's relation %q, want head; history %+v", r.Relation, s.Residences)
	}
	// The history keeps the son's earlier relation.
	if s.Residences[0].Relation != "child" || s.Residences[0].Ended != date("2026-03-01") {
		t.Fatalf("history lost the earlier relation: %+v", s.Residences)
	}
}

func testPlaceValidity(t *testing.T, f *fixture) {
	p := f.person(t, "Tạ Văn Quý", "1970-01-01", "male")
	tests := []struct {
		name, place, date string
		ok                bool
	}{
		{"old unit before the reform", hanoiPhucXa, beforeReform, true},
		{"old unit after the reform", hanoiPhucXa, afterReform, false},
		{"new unit before the reform: the code then meant another unit", hanoiHongHa, beforeReform, true},
		{"new unit on the reform day", hcmSaiGon, reformDay, true},
		{"unknown code", "12345", afterReform, false},
		{"malformed code", "1234", afterReform, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := f.counts(t)
			_, err := f.reg.RecordEvent(f.ctx, f.national, string(p.PID), registry.EventRequest{Type: "current_residence", EffectiveDate: tt.date, Place: tt.place}, registry.WriteOptions{})
			if tt.ok {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			wantErr(t, err, errs.Invalid, "place")
			sameCounts(t, tt.name, before, f.counts(t))
		})
	}
}
