package registry

import (
	"testing"
	"time"

	"dancu/internal/civil"
)

func ev(seq int64, typ EventType, eff string, d Details) *Event {
	return &Event{ID: string(rune('A' + seq)), Seq: seq, Type: typ, Subject: 1, Parties: []PersonKey{1},
		Effective: civil.MustParse(eff), RecordedAt: time.Unix(seq, 0), Data: d}
}

func TestFoldOrdersByEffectiveDate(t *testing.T) {
	birth := ev(1, EventBirth, "1990-01-01", Details{PID: "001090000001", FullName: "A", BirthDate: civil.MustParse("1990-01-01"), Sex: Male})
	later := ev(2, EventCurrentResidence, "2020-01-01", Details{Place: "00004"})
	backdated := ev(3, EventCurrentResidence, "2010-01-01", Details{Place: "00097"})
	c, err := Fold(1, []*Event{later, backdated, birth}, civil.Date{})
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Residences) != 2 || c.Residences[0].Place != "00097" || c.Residences[0].Ended != civil.MustParse("2020-01-01") {
		t.Fatalf("residences %+v", c.Residences)
	}
	asOf, _ := Fold(1, []*Event{later, backdated, birth}, civil.MustParse("2015-06-01"))
	if r, ok := asOf.Residence(Current, civil.MustParse("2015-06-01")); !ok || r.Place != "00097" {
		t.Fatalf("as of 2015: %+v", asOf.Residences)
	}
	if asOf.Version != 2 || c.Version != 3 {
		t.Fatalf("versions %d %d", asOf.Version, c.Version)
	}
}

func TestFoldNamesTheEventThatBreaks(t *testing.T) {
	birth := ev(1, EventBirth, "1990-01-01", Details{PID: "001090000001", FullName: "A", BirthDate: civil.MustParse("1990-01-01"), Sex: Male})
	death := ev(2, EventDeath, "2020-01-01", Details{})
	after := ev(3, EventNameChange, "2021-01-01", Details{FullName: "B"})
	_, err := Fold(1, []*Event{birth, death, after}, civil.Date{})
	if err == nil || err.Event != after || err.Reason != "after_death" {
		t.Fatalf("got %+v", err)
	}
	before := ev(4, EventCurrentResidence, "1989-01-01", Details{Place: "00004"})
	_, err = Fold(1, []*Event{birth, before}, civil.Date{})
	if err == nil || err.Event != before || err.Field != "effective_date" {
		t.Fatalf("event before birth: %+v", err)
	}
}

func TestTemporaryResidenceExpires(t *testing.T) {
	r := Residence{Kind: Temporary, From: civil.MustParse("2025-01-01"), Until: civil.MustParse("2025-12-31")}
	for day, want := range map[string]bool{"2024-12-31": false, "2025-01-01": true, "2025-12-31": true, "2026-01-01": false} {
		if got := r.InForce(civil.MustParse(day)); got != want {
			t.Errorf("InForce(%s) = %v", day, got)
		}
	}
}

func TestNormalisePhone(t *testing.T) {
	for in, want := range map[string]string{
		"0912345678": "0912345678", "+84912345678": "0912345678", "84 912 345 678": "0912345678",
		"091.234.5678": "0912345678", "0212345678": "", "091234567": "", "09123456789": "", "09l2345678": "",
	} {
		got, ok := NormalisePhone(in)
		if ok != (want != "") || got != want {
			t.Errorf("NormalisePhone(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
}

func TestParseEventType(t *testing.T) {
	for in, want := range map[string]EventType{"marriage": EventMarriage, "permanent_registration": EventPermanentResidence, "death_registration": EventDeath} {
		if got, ok := ParseEventType(in); !ok || got != want {
			t.Errorf("ParseEventType(%q) = %q, %v", in, got, ok)
		}
	}
	if _, ok := ParseEventType("adoption"); ok {
		t.Error("adoption accepted")
	}
}

func TestNewIDsSortByTime(t *testing.T) {
	s := &Service{Rand: zero{}}
	a := s.newID(time.UnixMilli(1_700_000_000_000))
	b := s.newID(time.UnixMilli(1_700_000_000_001))
	if len(a) != 26 || a >= b {
		t.Fatalf("ids %s %s", a, b)
	}
}

type zero struct{}

func (zero) Read(p []byte) (int, error) { clear(p); return len(p), nil }

func FuzzCursors(f *testing.F) {
	f.Add(encodeEventCursor(EventPosition{Effective: "2025-01-01", Seq: 42}))
	f.Add(encodeSearchCursor("001203012345"))
	f.Add("")
	f.Add("!!!")
	f.Fuzz(func(t *testing.T, s string) {
		if p, err := decodeEventCursor(s); err == nil && s != "" {
			if encodeEventCursor(p) != s {
				t.Fatalf("event cursor %q does not round-trip", s)
			}
		}
		if pid, err := decodeSearchCursor(s); err == nil && s != "" {
			if encodeSearchCursor(pid) != s {
				t.Fatalf("search cursor %q does not round-trip", s)
			}
		}
	})
}
