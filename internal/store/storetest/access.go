package storetest

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"dancu/internal/accesslog"
	"dancu/internal/actor"
	"dancu/internal/civil"
	"dancu/internal/errs"
	"dancu/internal/registry"
)

func testJurisdiction(t *testing.T, f *fixture) {
	hn := commune(hanoiBaDinh)
	hcm := commune(hcmSaiGon)
	c := f.birth(t, hn, birthReq("Lâm Văn Bảo", "2026-11-01", "male", hanoiBaDinh))
	p := string(c.PID)
	if _, err := f.reg.Citizen(f.ctx, hn, p, registry.ReadOptions{}); err != nil {
		t.Fatalf("own commune: %v", err)
	}
	_, err := f.reg.Citizen(f.ctx, hcm, p, registry.ReadOptions{})
	wantErr(t, err, errs.Forbidden, "")
	_, err = f.reg.RecordEvent(f.ctx, hcm, p, registry.EventRequest{Type: "phone_number", Phone: "0911111111"}, registry.WriteOptions{})
	wantErr(t, err, errs.Forbidden, "")
	_, err = f.reg.RegisterBirth(f.ctx, hcm, birthReq("Lâm Thị Cúc", "2026-11-01", "female", hanoiBaDinh), registry.WriteOptions{})
	wantErr(t, err, errs.Forbidden, "")
	_, err = f.reg.Events(f.ctx, hcm, p, "", 10, nil)
	wantErr(t, err, errs.Forbidden, "")

	province := actor.Actor{Kind: actor.KindOfficer, ID: "off_hn", Role: actor.RoleRegistry, Unit: provinceHN, Scope: actor.ScopeProvince}
	if _, err := f.reg.Citizen(f.ctx, province, p, registry.ReadOptions{}); err != nil {
		t.Fatalf("province officer: %v", err)
	}
	provinceHCMOfficer := actor.Actor{Kind: actor.KindOfficer, ID: "off_hcm", Role: actor.RoleRegistry, Unit: provinceHCM, Scope: actor.ScopeProvince}
	_, err = f.reg.Citizen(f.ctx, provinceHCMOfficer, p, registry.ReadOptions{})
	wantErr(t, err, errs.Forbidden, "")

	// The Hồ Chí Minh officer may register the person moving in, and then
	// has authority over them.
	res, err := f.reg.RecordEvent(f.ctx, hcm, p, registry.EventRequest{Type: "temporary_residence", Place: hcmSaiGon, Address: "20 Nguyễn Huệ", Until: "2027-11-01", NewHousehold: true}, registry.WriteOptions{})
	if err != nil {
		t.Fatalf("moving in: %v", err)
	}
	if _, err := f.reg.Citizen(f.ctx, hcm, p, registry.ReadOptions{}); err != nil {
		t.Fatalf("after moving in: %v", err)
	}
	hid := res.Citizen.Residences[0].HouseholdID
	if _, err := f.reg.Household(f.ctx, hcm, hid, civil.Date{}, nil); err != nil {
		t.Fatalf("own household: %v", err)
	}
	_, err = f.reg.Household(f.ctx, hn, hid, civil.Date{}, nil)
	wantErr(t, err, errs.Forbidden, "")
	// But not register them into a household of a third commune.
	_, err = f.reg.RecordEvent(f.ctx, hcm, p, registry.EventRequest{Type: "current_residence", Place: hanoiHongHa}, registry.WriteOptions{})
	if err != nil {
		t.Fatalf("a declaration by an officer with authority over the person: %v", err)
	}
	other := commune("00091")
	_, err = f.reg.RecordEvent(f.ctx, other, p, registry.EventRequest{Type: "current_residence", Place: hanoiBaDinh}, registry.WriteOptions{})
	wantErr(t, err, errs.Forbidden, "")
}

func testNothingWritten(t *testing.T, f *fixture) {
	a := f.person(t, "Khổng Văn Lễ", "1980-01-01", "male")
	p := string(a.PID)
	failing := []struct {
		name string
		do   func() error
	}{
		{"malformed number", func() error {
			_, err := f.reg.RecordEvent(f.ctx, f.national, "abc", registry.EventRequest{Type: "missing"}, registry.WriteOptions{})
			return err
		}},
		{"unknown person", func() error {
			_, err := f.reg.RecordEvent(f.ctx, f.national, "001080999999", registry.EventRequest{Type: "missing"}, registry.WriteOptions{})
			return err
		}},
		{"unknown spouse", func() error {
			_, err := f.reg.RecordEvent(f.ctx, f.national, p, registry.EventRequest{Type: "marriage", SpousePID: "001180999999"}, registry.WriteOptions{})
			return err
		}},
		{"rule broken after a household was created", func() error {
			// new_household creates a household row before the fold finds
			// the event impossible (before birth): it must roll back.
			_, err := f.reg.RecordEvent(f.ctx, f.national, p, registry.EventRequest{Type: "permanent_residence", EffectiveDate: "1979-01-01", Place: hanoiPhucXa, Address: "x", NewHousehold: true}, registry.WriteOptions{})
			return err
		}},
		{"idempotent write that fails", func() error {
			_, err := f.reg.RecordEvent(f.ctx, f.national, p, registry.EventRequest{Type: "divorce"}, registry.WriteOptions{IdempotencyKey: "k", RequestHash: "h", Render: func(*registry.Result) (registry.StoredResponse, error) { return registry.StoredResponse{}, nil }})
			return err
		}},
	}
	for _, tt := range failing {
		t.Run(tt.name, func(t *testing.T) {
			before := f.counts(t)
			if err := tt.do(); err == nil {
				t.Fatal("did not fail")
			}
			sameCounts(t, tt.name, before, f.counts(t))
		})
	}
}

func testAccessLogOutbox(t *testing.T, f *fixture) {
	c0 := f.counts(t)
	a := f.person(t, "Giang Văn Minh", "1970-01-01", "male")
	b := f.person(t, "Giang Thị Hạnh", "1972-01-01", "female")
	c1 := f.counts(t)
	if c1["outbox"]-c0["outbox"] != 2 || c1["access_log"]-c0["access_log"] != 2 {
		t.Fatalf("two births wrote %d outbox and %d access-log rows", c1["outbox"]-c0["outbox"], c1["access_log"]-c0["access_log"])
	}
	res := f.event(t, f.national, string(a.PID), registry.EventRequest{Type: "permanent_residence", EffectiveDate: afterReform, Place: hanoiBaDinh, Address: "7 Hàng Gai", NewHousehold: true})
	f.event(t, f.national, string(b.PID), registry.EventRequest{Type: "permanent_residence", EffectiveDate: afterReform, HouseholdID: res.Citizen.Residences[0].HouseholdID, Relation: "spouse"})
	c2 := f.counts(t)
	steps := []struct {
		name string
		do   func() error
		rows int64
	}{
		{"read", func() error {
			_, err := f.reg.Citizen(f.ctx, f.national, string(a.PID), registry.ReadOptions{})
			return err
		}, 1},
		{"read as of", func() error {
			_, err := f.reg.Citizen(f.ctx, f.national, string(a.PID), registry.ReadOptions{AsOf: date("2025-01-01")})
			return err
		}, 1},
		{"history", func() error { _, err := f.reg.Events(f.ctx, f.national, string(a.PID), "", 10, nil); return err }, 1},
		{"search matching one", func() error {
			_, err := f.reg.Search(f.ctx, f.national, registry.SearchRequest{Name: "Giang", BirthDate: "1970"})
			return err
		}, 1},
		{"household of two", func() error {
			_, err := f.reg.Household(f.ctx, f.national, res.Citizen.Residences[0].HouseholdID, civil.Date{}, nil)
			return err
		}, 2},
		{"refused read", func() error {
			_, err := f.reg.Citizen(f.ctx, commune(hcmSaiGon), string(a.PID), registry.ReadOptions{})
			return err
		}, 0},
	}
	prev := c2
	for _, s := range steps {
		s.do()
		now := f.counts(t)
		if got := now["access_log"] - prev["access_log"]; got != s.rows {
			t.Errorf("%s wrote %d access-log rows, want %d", s.name, got, s.rows)
		}
		prev = now
	}
}

func testOfficers(t *testing.T, f *fixture) {
	op := actor.Actor{Kind: actor.KindOperator, ID: "root"}
	o, token, err := f.officers.Create(f.ctx, op, "Nguyễn Văn Cảnh", hanoiBaDinh, "registry")
	if err != nil {
		t.Fatal(err)
	}
	a, err := f.officers.Authenticate(f.ctx, token)
	if err != nil || a.ID != o.ID || a.Scope != actor.ScopeCommune || a.Unit != hanoiBaDinh {
		t.Fatalf("Authenticate: %+v %v", a, err)
	}
	for _, bad := range []string{token + "x", "dancu_", "", "Bearer " + token} {
		_, err := f.officers.Authenticate(f.ctx, bad)
		wantErr(t, err, errs.Unauthenticated, "")
	}
	for _, tt := range []struct{ unit, field string }{{"99999", "unit"}, {hanoiPhucXa, "unit"}, {"1", "unit"}, {"01", ""}, {"VN", ""}} {
		_, _, err := f.officers.Create(f.ctx, op, "X", tt.unit, "registry")
		if (err != nil) != (tt.field != "") {
			t.Errorf("unit %q: %v", tt.unit, err)
		}
	}
	_, _, err = f.officers.Create(f.ctx, op, "X", hanoiBaDinh, "admin")
	wantErr(t, err, errs.Invalid, "role")
	if err := f.officers.Revoke(f.ctx, op, o.ID); err != nil {
		t.Fatal(err)
	}
	_, err = f.officers.Authenticate(f.ctx, token)
	wantErr(t, err, errs.Unauthenticated, "")
	wantErr(t, f.officers.Revoke(f.ctx, op, o.ID), errs.NotFound, "")
	audit, err := f.officers.Store.OfficerAudit(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, a := range audit {
		if a.OfficerID == o.ID {
			actions = append(actions, a.Action)
		}
	}
	if len(actions) != 2 || actions[0] != "create" || actions[1] != "revoke" {
		t.Fatalf("audit trail %v", actions)
	}
}

// testAccessLogAbout: a person's own view of the log holds every read of
// them, newest first, in pages, and nothing about anyone else.
func testAccessLogAbout(t *testing.T, f *fixture) {
	a := f.person(t, "Kha Văn Tín", "1981-02-03", "male")
	b := f.person(t, "Kha Thị Mỹ", "1983-04-05", "female")
	for _, purpose := range []string{"kiểm tra hồ sơ", "xác minh cư trú", "cấp thẻ"} {
		reader := f.national
		reader.Purpose = purpose
		if _, err := f.reg.Citizen(f.ctx, reader, string(a.PID), registry.ReadOptions{Fields: []string{"full_name", "birth_date"}}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := f.reg.Citizen(f.ctx, f.national, string(b.PID), registry.ReadOptions{}); err != nil {
		t.Fatal(err)
	}
	all, err := f.b.About(f.ctx, int64(a.Key), time.Time{}, time.Time{}, 100)
	if err != nil {
		t.Fatal(err)
	}
	// The birth's own row, then the three reads.
	if len(all) != 4 {
		t.Fatalf("%d entries about the person, want 4: %+v", len(all), all)
	}
	if all[0].Purpose != "cấp thẻ" || all[1].Purpose != "xác minh cư trú" || all[2].Purpose != "kiểm tra hồ sơ" {
		t.Fatalf("not newest first: %q %q %q", all[0].Purpose, all[1].Purpose, all[2].Purpose)
	}
	for i, e := range all {
		if e.PersonKey != int64(a.Key) || e.ActorID != f.national.ID || e.At.IsZero() || (i > 0 && e.At.After(all[i-1].At)) {
			t.Fatalf("entry %d: %+v", i, e)
		}
	}
	if got := all[0].Fields; len(got) != 2 || got[0] != "full_name" || got[1] != "birth_date" {
		t.Fatalf("fields of a read: %v", got)
	}
	page, err := f.b.About(f.ctx, int64(a.Key), all[1].At, time.Time{}, 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(page) != 2 || page[0].Purpose != all[2].Purpose || page[1].At != all[3].At {
		t.Fatalf("the page before the second entry: %+v", page)
	}
	none, err := f.b.About(f.ctx, 1<<40, time.Time{}, time.Time{}, 10)
	if err != nil || len(none) != 0 {
		t.Fatalf("entries about no one: %v %v", none, err)
	}

	// A read an investigation's legal basis withholds for a month shows
	// to officers at once, to the person only when the month is over;
	// what the gateway adds to an entry is kept.
	now := time.Now()
	withheld := accesslog.Entry{At: now, ActorKind: "client", ActorID: "sys-c06", Role: "", Unit: "", Purpose: "điều tra",
		PersonKey: int64(a.Key), Fields: []string{"current_address"}, Action: accesslog.ActionRead, RequestID: "r1",
		Member: "bo-cong-an", LegalBasis: "Bộ luật Tố tụng hình sự 2015, Điều 88", Result: "found", VisibleFrom: now.AddDate(0, 1, 0)}
	if err := f.b.Registry().Record(f.ctx, []accesslog.Entry{withheld}); err != nil {
		t.Fatal(err)
	}
	officers, err := f.b.About(f.ctx, int64(a.Key), time.Time{}, time.Time{}, 1)
	if err != nil || len(officers) != 1 {
		t.Fatalf("officers' view: %v %v", officers, err)
	}
	got := officers[0]
	if got.Member != withheld.Member || got.LegalBasis != withheld.LegalBasis || got.Result != withheld.Result || !got.VisibleFrom.Equal(withheld.VisibleFrom.Truncate(time.Microsecond)) {
		t.Fatalf("stored %+v, read back %+v", withheld, got)
	}
	mine, err := f.b.About(f.ctx, int64(a.Key), time.Time{}, now.Add(time.Second), 100)
	if err != nil || len(mine) != len(all) {
		t.Fatalf("the person's view while withheld: %d entries, want %d (%v)", len(mine), len(all), err)
	}
	later, err := f.b.About(f.ctx, int64(a.Key), time.Time{}, now.AddDate(0, 1, 1), 100)
	if err != nil || len(later) != len(all)+1 || later[0].Purpose != "điều tra" {
		t.Fatalf("the person's view after the month: %d entries (%v)", len(later), err)
	}
}

// testAccessLogSequencing: the sequencer numbers every entry once, in one
// order, even with two sequencers at it at once, and the tree it keeps is
// the tree of the entries as they are read back.
func testAccessLogSequencing(t *testing.T, f *fixture) {
	p := f.person(t, "Tạ Văn Bình", "1960-01-01", "male")
	seq := f.b.AccessLogSequencer()
	var wg sync.WaitGroup
	for i := range 3 {
		wg.Go(func() {
			for range 20 {
				reader := f.national
				reader.Purpose = fmt.Sprint("đọc ", i)
				if _, err := f.reg.Citizen(f.ctx, reader, string(p.PID), registry.ReadOptions{}); err != nil {
					t.Error(err)
				}
			}
		})
	}
	for range 2 {
		wg.Go(func() {
			for range 10 {
				if _, _, err := seq.Sequence(f.ctx, 7); err != nil && !errors.Is(err, accesslog.ErrSequencerBusy) {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	// Entries as the tree must hash them as they are read back: times with
	// nanoseconds (stored to the microsecond), fields JSON escapes, no
	// fields, withheld for a time.
	now := time.Now()
	odd := []accesslog.Entry{
		{At: now.Add(123 * time.Nanosecond), ActorKind: "client", ActorID: "c-1", Purpose: "điều tra", PersonKey: int64(p.Key),
			Fields: []string{"<full_name>&", "họ tên"}, Action: accesslog.ActionRead, VisibleFrom: now.Add(48*time.Hour + 7*time.Nanosecond)},
		{At: now, ActorKind: "client", ActorID: "c-2", PersonKey: int64(p.Key), Action: accesslog.ActionRead},
		// Not UTF-8: stored as JSON replaces it, and it must be hashed so.
		{At: now, ActorKind: "client", ActorID: "c-2", PersonKey: int64(p.Key), Fields: []string{"họ\xfftên"}, Action: accesslog.ActionRead},
	}
	// And runs of one reader's entries, which the store writes sharing
	// what they have in common: read at one moment with one result (a
	// chunk of a verification job), then each at its own moment with its
	// own result (one system's requests).
	for i := range 30 {
		at, result, request := now, "match", "batch:b-1"
		if i >= 12 {
			at, result, request = now.Add(time.Duration(i)*time.Millisecond), fmt.Sprint("r", i%4), "batch:b-2"
		}
		odd = append(odd, accesslog.Entry{At: at, ActorKind: "client", ActorID: "c-batch", Role: "exchange",
			Purpose: "đối soát", PersonKey: int64(p.Key) + int64(i%3), Fields: []string{"batch_verify"}, Action: accesslog.ActionRead,
			RequestID: request, Member: "m-1", LegalBasis: "Luật", Result: result})
	}
	if err := f.reg.Store.Record(f.ctx, odd); err != nil {
		t.Fatal(err)
	}
	var tree accesslog.Tree
	for {
		tr, n, err := seq.Sequence(f.ctx, 1000)
		if err != nil {
			t.Fatal(err)
		}
		tree = tr
		if n == 0 {
			break
		}
	}
	var again accesslog.Tree
	var back []accesslog.Entry
	for e, err := range f.b.SequencedEntries(f.ctx) {
		if err != nil {
			t.Fatal(err)
		}
		again.Append(e)
		if e.ActorID == "c-batch" || e.ActorID == "c-1" || e.ActorID == "c-2" {
			back = append(back, e)
		}
	}
	if len(back) != len(odd) {
		t.Fatalf("%d of the %d entries recorded together read back", len(back), len(odd))
	}
	for i, e := range odd {
		b := back[i]
		if b.At.UnixMicro() != e.At.UnixMicro() || b.PersonKey != e.PersonKey || b.Result != e.Result || b.RequestID != e.RequestID ||
			b.VisibleFrom.UnixMicro() != e.VisibleFrom.UnixMicro() || fmt.Sprint(b.Fields) != strings.ToValidUTF8(fmt.Sprint(e.Fields), "\uFFFD") || b.Purpose != e.Purpose {
			t.Fatalf("entry %d reads back as %+v, recorded %+v", i, b, e)
		}
	}
	counts, err := f.b.Counts(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	if tree.Size() != counts["access_log"] || again.Size() != tree.Size() || again.Root() != tree.Root() {
		t.Fatalf("tree of %d entries (root %x), read back %d (root %x), log holds %d", tree.Size(), tree.Root(), again.Size(), again.Root(), counts["access_log"])
	}
	c := accesslog.Checkpoint{Origin: "test", Size: tree.Size(), Root: tree.Root(), Time: time.Now()}
	if err := seq.SaveCheckpoint(f.ctx, c, []byte("signed")); err != nil {
		t.Fatal(err)
	}
	if err := seq.SaveCheckpoint(f.ctx, c, []byte("signed")); err != nil {
		t.Fatalf("the same checkpoint saved twice: %v", err)
	}
}

// testExamineJoined holds the joined read of many records (numbers
// resolved together, records read by key in one statement per run) to
// the answers of reading each number alone: a merged duplicate's number
// leads to the survivor, a legacy number to its holder, a person outside
// the actor's unit is refused, numbers no one has and malformed ones are
// not resolved, a number sent twice is answered twice; and each record
// read is one access-log entry.
func testExamineJoined(t *testing.T, f *fixture) {
	hn := commune(hanoiBaDinh)
	var numbers []string
	for i := range 12 {
		c := f.birth(t, hn, birthReq(fmt.Sprintf("Đinh Văn %c", 'A'+i), "2026-11-01", "male", hanoiBaDinh))
		numbers = append(numbers, string(c.PID))
	}
	outside := f.birth(t, f.national, birthReq("Đinh Thị Ngoài", "2026-11-01", "female", hcmSaiGon))
	orig := f.person(t, "Nguyễn Văn Gộp", "1980-03-04", "male")
	dup := f.person(t, "Nguyen Van Gop", "1980-03-04", "male")
	m, err := f.reg.ProposeMerge(f.ctx, f.national, string(orig.PID), string(dup.PID), "đăng ký hai lần", 0)
	if err != nil {
		t.Fatal(err)
	}
	checker := f.national
	checker.ID = "off_checker"
	if _, err := f.reg.DecideMerge(f.ctx, checker, m.Request.ID, true, "đã đối chiếu"); err != nil {
		t.Fatal(err)
	}
	f.event(t, f.national, numbers[0], registry.EventRequest{Type: "legacy_id", LegacyID: "012345670", LegacyIssuedOn: "1985-03-01"})
	numbers = append(numbers, string(outside.PID), string(dup.PID), string(orig.PID), "012345670", "001099999999", "12ab", numbers[3])
	for len(numbers) < 300 {
		numbers = append(numbers, numbers[len(numbers)%19])
	}
	a := hn // a commune officer: the person born in Hồ Chí Minh City is outside
	distinct := slices.Compact(slices.Sorted(slices.Values(numbers)))
	keys, err := f.reg.ResolveAll(f.ctx, distinct)
	if err != nil || len(keys) != len(distinct) {
		t.Fatalf("%d keys for %d numbers: %v", len(keys), len(distinct), err)
	}
	resolved := map[string]registry.PersonKey{}
	for i, n := range distinct {
		if keys[i] != 0 {
			resolved[n] = keys[i]
		}
	}
	for _, n := range []string{"001099999999", "12ab"} {
		if _, ok := resolved[n]; ok {
			t.Errorf("%s resolved", n)
		}
	}
	type item struct {
		key    registry.PersonKey
		number string
	}
	var items []item
	for _, n := range numbers {
		if k, ok := resolved[n]; ok {
			items = append(items, item{k, n})
		}
	}
	slices.SortFunc(items, func(x, y item) int { return cmp.Compare(x.key, y.key) })
	keys = make([]registry.PersonKey, len(items))
	for i, it := range items {
		keys[i] = it.key
	}
	var judged sync.Map
	before := f.counts(t)["access_log"]
	got, err := f.reg.ExamineKeys(f.ctx, a, keys, []string{"full_name"}, func(i int, c *registry.Citizen) string {
		if _, twice := judged.LoadOrStore(i, c.Key); twice {
			t.Errorf("record %d judged twice", i)
		}
		return "match"
	})
	if err != nil {
		t.Fatal(err)
	}
	read, outsideRefused, survivor := 0, false, false
	for i, it := range items {
		alone, aloneErr := f.reg.Examine(f.ctx, a, it.number, []string{"full_name"}, func(*registry.Citizen) string { return "match" })
		x := got[i]
		switch {
		case aloneErr != nil:
			if x.Err == nil || errs.KindOf(x.Err) != errs.KindOf(aloneErr) {
				t.Errorf("number %s: joined read %v, alone %v", it.number, x.Err, aloneErr)
			}
			outsideRefused = outsideRefused || (it.number == string(outside.PID) && errs.KindOf(x.Err) == errs.Forbidden)
		case x.Err != nil || x.Citizen.Key != alone.Key:
			t.Errorf("number %s: joined read %v %v, alone key %d", it.number, x.Citizen, x.Err, alone.Key)
		default:
			read++
			if k, ok := judged.Load(i); !ok || k.(registry.PersonKey) != alone.Key {
				t.Errorf("number %s: judged %v, want key %d", it.number, k, alone.Key)
			}
			survivor = survivor || (it.number == string(dup.PID) && x.Citizen.Key == orig.Key)
		}
	}
	if !outsideRefused || !survivor {
		t.Errorf("the person outside the unit refused: %v; the merged duplicate's number read as the survivor: %v", outsideRefused, survivor)
	}
	if after := f.counts(t)["access_log"]; after-before != int64(2*read) {
		t.Errorf("%d access-log entries for %d records read (joined and alone)", after-before, 2*read)
	}

	// The store reads a dense list of numbers as a range of its index and
	// joins a sparse one (two numbers far apart): the same answers; and
	// records by keys, many or few.
	sparse := []string{distinct[0], distinct[len(distinct)-1]}
	ends := []registry.PersonKey{items[0].key, items[len(items)-1].key}
	if ends[1]-ends[0] < 4 {
		t.Fatalf("keys %d and %d are too near to be sparse", ends[0], ends[1])
	}
	err = f.b.Registry().View(f.ctx, func(tx registry.ReadTx) error {
		for _, list := range [][]string{distinct, sparse} {
			got, err := tx.ResolveNumbers(f.ctx, list)
			if err != nil {
				return err
			}
			if len(got) != len(list) {
				t.Fatalf("%d numbers resolved to %d keys", len(list), len(got))
			}
			for i, n := range list {
				if got[i] != resolved[n] {
					t.Errorf("%d numbers: %s resolves to %d, want %d", len(list), n, got[i], resolved[n])
				}
			}
		}
		for _, list := range [][]registry.PersonKey{slices.Compact(slices.Clone(keys)), ends} {
			got, err := tx.ExaminedRecords(f.ctx, list)
			if err != nil {
				return err
			}
			if len(got) != len(list) {
				t.Errorf("%d keys: %d records", len(list), len(got))
			}
			for _, c := range got {
				if !slices.Contains(list, c.Key) || c.FullName == "" {
					t.Errorf("%d keys: record %d (%q)", len(list), c.Key, c.FullName)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
