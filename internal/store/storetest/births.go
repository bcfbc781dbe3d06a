package storetest

import (
	"strings"
	"sync"
	"testing"

	"dancu/internal/errs"
	"dancu/internal/pid"
	"dancu/internal/registry"
)

func testBirth(t *testing.T, f *fixture) {
	tests := []struct {
		name       string
		req        registry.BirthRequest
		wantPrefix string // place code + century/sex digit + year
	}{
		// 00004 was Phường Trúc Bạch in 2003; a number issued today uses the
		// 34-province list, where Hà Nội is still 01.
		{"old commune, Hà Nội", birthReq("Nguyễn Văn An", "2003-05-01", "male", hanoiBaDinh), "001203"},
		{"new commune, Hồ Chí Minh", birthReq("Trần Thị Bình", "2025-08-02", "female", hcmSaiGon), "079325"},
		// Hà Giang (02) merged into Tuyên Quang (08) on 2025-07-01.
		{"merged province takes today's code", birthReq("Lò Văn Páo", "2010-03-03", "male", haGiangOld), "008210"},
		{"year-only date", birthReq("Hoàng Thị Nhài", "1931", "female", hanoiBaDinh), "001131"},
		{"Vietnamese sex word", birthReq("H'Hen Niê", "1999-12-31", "nữ", hanoiBaDinh), "001199"},
		{"abroad", registry.BirthRequest{FullName: "Phạm Minh Khôi", BirthDate: "2024-02-29", Sex: "male", BirthCountry: "JP", RegistrationCountry: "JP"}, "392224"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := f.birth(t, f.national, tt.req)
			if !strings.HasPrefix(string(c.PID), tt.wantPrefix) {
				t.Fatalf("pid %s, want prefix %s", c.PID, tt.wantPrefix)
			}
			if err := pid.Validate(c.PID, f.reg.ExpectedPID(c)); err != nil {
				t.Fatalf("issued number does not validate against the person: %v", err)
			}
			got := f.read(t, f.national, string(c.PID), registry.ReadOptions{})
			if got.FullName != c.FullName || got.Status != registry.Alive || got.Version != 1 || got.Nationality != "VN" {
				t.Fatalf("read back %+v", got)
			}
			if got.FullName != tt.req.FullName {
				t.Errorf("stored name %q, want the exact form %q", got.FullName, tt.req.FullName)
			}
		})
	}
}

func testBirthBadInput(t *testing.T, f *fixture) {
	mother := f.person(t, "Đỗ Thị Mai", "1980-01-01", "female")
	ok := func() registry.BirthRequest { return birthReq("Vũ Văn Nam", "2020-01-01", "male", hanoiBaDinh) }
	tests := []struct {
		name  string
		edit  func(*registry.BirthRequest)
		kind  errs.Kind
		field string
	}{
		{"missing name", func(r *registry.BirthRequest) { r.FullName = "" }, errs.Invalid, "full_name"},
		{"blank name", func(r *registry.BirthRequest) { r.FullName = "   " }, errs.Invalid, "full_name"},
		{"digits in name", func(r *registry.BirthRequest) { r.FullName = "Vũ Văn 3" }, errs.Invalid, "full_name"},
		{"missing birth date", func(r *registry.BirthRequest) { r.BirthDate = "" }, errs.Invalid, "birth_date"},
		{"impossible date", func(r *registry.BirthRequest) { r.BirthDate = "2020-02-30" }, errs.Invalid, "birth_date"},
		{"future date", func(r *registry.BirthRequest) { r.BirthDate = "2027-01-01" }, errs.Invalid, "birth_date"},
		{"full-width digits", func(r *registry.BirthRequest) { r.BirthDate = "２０２０-01-01" }, errs.Invalid, "birth_date"},
		{"before numbers existed", func(r *registry.BirthRequest) { r.BirthDate = "1899-12-31" }, errs.Invalid, "birth_date"},
		{"missing sex", func(r *registry.BirthRequest) { r.Sex = "" }, errs.Invalid, "sex"},
		{"bad sex", func(r *registry.BirthRequest) { r.Sex = "x" }, errs.Invalid, "sex"},
		{"unknown place", func(r *registry.BirthRequest) { r.BirthPlace = "99999" }, errs.Invalid, "birth_place"},
		{"place not in force", func(r *registry.BirthRequest) { r.BirthDate = "2026-01-01"; r.RegistrationPlace = hanoiPhucXa }, errs.Invalid, "registration_place"},
		{"province is not a commune", func(r *registry.BirthRequest) { r.BirthPlace = "01" }, errs.Invalid, "birth_place"},
		{"missing registration place", func(r *registry.BirthRequest) { r.RegistrationPlace = "" }, errs.Invalid, "registration_place"},
		{"malformed mother", func(r *registry.BirthRequest) { r.MotherPID = "12345" }, errs.Invalid, "mother_pid"},
		{"unknown mother", func(r *registry.BirthRequest) { r.MotherPID = "001180999999" }, errs.Unprocessable, "mother_pid"},
		{"mother as father", func(r *registry.BirthRequest) { r.FatherPID = string(mother.PID) }, errs.Unprocessable, "father_pid"},
		{"unknown ethnicity", func(r *registry.BirthRequest) { r.Ethnicity = "99" }, errs.Invalid, "ethnicity"},
		{"unknown nationality", func(r *registry.BirthRequest) { r.Nationality = "XX" }, errs.Invalid, "nationality"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := f.counts(t)
			req := ok()
			tt.edit(&req)
			_, err := f.reg.RegisterBirth(f.ctx, f.national, req, registry.WriteOptions{})
			wantErr(t, err, tt.kind, tt.field)
			sameCounts(t, tt.name, before, f.counts(t))
		})
	}
	t.Run("mother born after child", func(t *testing.T) {
		req := birthReq("Vũ Văn Nam", "1975-01-01", "male", hanoiBaDinh)
		req.MotherPID = string(mother.PID)
		_, err := f.reg.RegisterBirth(f.ctx, f.national, req, registry.WriteOptions{})
		wantErr(t, err, errs.Unprocessable, "mother_pid")
	})
}

func testBirthParents(t *testing.T, f *fixture) {
	mother := f.person(t, "Bùi Thị Lan", "1980-04-04", "female")
	father := f.person(t, "Ngô Văn Hùng", "1978-07-07", "male")
	req := birthReq("Ngô Bảo Ngọc", "2005-09-09", "female", hanoiBaDinh)
	req.MotherPID, req.FatherPID = string(mother.PID), string(father.PID)
	c := f.birth(t, f.national, req)
	v, err := f.reg.Citizen(f.ctx, f.national, string(c.PID), registry.ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if v.PIDs[v.Citizen.Mother] != string(mother.PID) || v.PIDs[v.Citizen.Father] != string(father.PID) {
		t.Fatalf("parents resolve to %v", v.PIDs)
	}
}

func testIdempotentBirth(t *testing.T, f *fixture) {
	req := birthReq("Đặng Văn Lâm", "2026-11-20", "male", hanoiBaDinh)
	opt := func(hash string) registry.WriteOptions {
		return registry.WriteOptions{IdempotencyKey: "key-1", RequestHash: hash, Render: func(r *registry.Result) (registry.StoredResponse, error) {
			return registry.StoredResponse{Status: 201, Body: []byte(r.Citizen.PID), Location: "/x/" + string(r.Citizen.PID)}, nil
		}}
	}
	before := f.counts(t)
	var wg sync.WaitGroup
	bodies := make([]string, 8)
	errors := make([]error, 8)
	for i := range bodies {
		wg.Go(func() {
			res, err := f.reg.RegisterBirth(f.ctx, f.national, req, opt("h1"))
			errors[i] = err
			if err != nil {
				return
			}
			if res.Replay != nil {
				bodies[i] = string(res.Replay.Body)
			} else {
				bodies[i] = string(res.Citizen.PID)
			}
		})
	}
	wg.Wait()
	for i, b := range bodies {
		if errors[i] != nil {
			t.Fatalf("retry %d: %v", i, errors[i])
		}
		if b != bodies[0] || b == "" {
			t.Fatalf("retries returned different people: %v", bodies)
		}
	}
	after := f.counts(t)
	if after["persons"] != before["persons"]+1 || after["events"] != before["events"]+1 {
		t.Fatalf("8 retries created %d persons, %d events", after["persons"]-before["persons"], after["events"]-before["events"])
	}
	_, err := f.reg.RegisterBirth(f.ctx, f.national, req, opt("other body"))
	wantErr(t, err, errs.Unprocessable, "Idempotency-Key")
	sameCounts(t, "reused key", after, f.counts(t))
}
