package storetest

import (
	"testing"

	"dancu/internal/errs"
	"dancu/internal/registry"
)

// testMergeUnmerge: a duplicate registered twice is merged by two officers;
// its number resolves to the survivor, whose history shows both records'
// events; nothing can be recorded on the duplicate; an unmerge restores
// both records as they were.
func testMergeUnmerge(t *testing.T, f *fixture) {
	orig := f.person(t, "Nguyễn Văn Bình", "1980-03-04", "male")
	dup := f.person(t, "Nguyen Van Binh", "1980-03-04", "male")
	f.event(t, f.national, string(dup.PID), registry.EventRequest{Type: "phone_number", Phone: "0912345678"})
	checker := f.national
	checker.ID = "off_checker"

	before := f.counts(t)
	_, err := f.reg.ProposeMerge(f.ctx, f.national, string(orig.PID), string(orig.PID), "same", 0)
	wantErr(t, err, errs.Unprocessable, "duplicate_pid")
	_, err = f.reg.ProposeMerge(f.ctx, f.national, string(orig.PID), string(dup.PID), "", 0)
	wantErr(t, err, errs.Invalid, "reason")
	sameCounts(t, "refused proposals", before, f.counts(t))

	m, err := f.reg.ProposeMerge(f.ctx, f.national, string(orig.PID), string(dup.PID), "cùng cha mẹ, cùng ngày sinh; đăng ký hai lần", 0)
	if err != nil {
		t.Fatal(err)
	}
	// Proposed only: nothing changed yet.
	if got := f.read(t, f.national, string(dup.PID), registry.ReadOptions{}); got.Key != dup.Key {
		t.Fatal("a proposal alone redirected the duplicate's number")
	}
	_, err = f.reg.DecideMerge(f.ctx, f.national, m.Request.ID, true, "")
	wantErr(t, err, errs.Forbidden, "")
	if _, err := f.reg.DecideMerge(f.ctx, checker, m.Request.ID, true, "đã đối chiếu"); err != nil {
		t.Fatal(err)
	}
	_, err = f.reg.DecideMerge(f.ctx, checker, m.Request.ID, true, "")
	wantErr(t, err, errs.Conflict, "")

	// The duplicate's number resolves to the survivor.
	got := f.read(t, f.national, string(dup.PID), registry.ReadOptions{})
	if got.Key != orig.Key || len(got.Merged) != 1 || got.Merged[0] != dup.Key {
		t.Fatalf("read of the duplicate's number: key %d merged %v, want survivor %d with %d", got.Key, got.Merged, orig.Key, dup.Key)
	}
	// The survivor's history includes the duplicate's events, none moved.
	page, err := f.reg.Events(f.ctx, f.national, string(orig.PID), "", 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	types := map[registry.EventType]int{}
	for _, e := range page.Events {
		types[e.Type]++
	}
	if types[registry.EventBirth] != 2 || types[registry.EventPhoneNumber] != 1 || types[registry.EventMerge] != 1 || types[registry.EventMergedInto] != 1 {
		t.Fatalf("survivor's history %v, want both births, the phone, merge and merged_into", types)
	}
	// A write through the duplicate's number lands on the survivor.
	res := f.event(t, f.national, string(dup.PID), registry.EventRequest{Type: "phone_number", Phone: "0987654321"})
	if res.Citizen.Key != orig.Key {
		t.Fatalf("write through the duplicate's number went to %d, want the survivor %d", res.Citizen.Key, orig.Key)
	}

	if _, err := f.reg.Unmerge(f.ctx, f.national, m.Request.ID, "hai người khác nhau: xác minh lại tại xã"); err != nil {
		t.Fatal(err)
	}
	back := f.read(t, f.national, string(dup.PID), registry.ReadOptions{})
	if back.Key != dup.Key || back.MergedInto != 0 || len(back.Phones) != 1 {
		t.Fatalf("after unmerge the duplicate's number reads key %d merged_into %d phones %v", back.Key, back.MergedInto, back.Phones)
	}
	if s := f.read(t, f.national, string(orig.PID), registry.ReadOptions{}); len(s.Merged) != 0 {
		t.Fatalf("survivor still lists merged records %v", s.Merged)
	}
	_, err = f.reg.Unmerge(f.ctx, f.national, m.Request.ID, "again")
	wantErr(t, err, errs.Conflict, "")

	// Parent and child are never merged.
	child := f.birth(t, f.national, registry.BirthRequest{FullName: "Nguyễn Văn Bình", BirthDate: "2010-01-01", Sex: "male",
		BirthPlace: hanoiBaDinh, RegistrationPlace: hanoiBaDinh, FatherPID: string(orig.PID)})
	_, err = f.reg.ProposeMerge(f.ctx, f.national, string(orig.PID), string(child.PID), "same name", 0)
	wantErr(t, err, errs.Unprocessable, "duplicate_pid")
}
