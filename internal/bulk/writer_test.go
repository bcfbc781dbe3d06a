package bulk

import (
	"bytes"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"dancu/internal/civil"
	"dancu/internal/registry"
)

func TestColumnsMatchRow(t *testing.T) {
	rt := reflect.TypeFor[Row]()
	if rt.NumField() != len(Columns) || len(Columns) != numColumns {
		t.Fatalf("%d fields, %d columns", rt.NumField(), len(Columns))
	}
	var r Row
	f := r.fields()
	for i := range rt.NumField() {
		tag, _, _ := strings.Cut(rt.Field(i).Tag.Get("json"), ",")
		if tag != Columns[i] {
			t.Errorf("field %s has tag %q, column %d is %q", rt.Field(i).Name, tag, i, Columns[i])
		}
		*f[i] = tag
		if reflect.ValueOf(r).Field(i).String() != tag {
			t.Errorf("fields()[%d] is not %s", i, rt.Field(i).Name)
		}
	}
}

// tricky holds values that need quoting or escaping.
func trickyRows() []Row {
	a := sampleRow()
	b := sampleRow()
	b.PID, b.FullName, b.OtherNames = "001190000002", "H'Hen Niê", "Bé \"Na\";Út"
	b.PermanentAddress = "Số 5, ngõ 10\nphố Huế" // a line break
	b.DeathPlace = `C:\path "x", tab` + "\t" + `end`
	b.TemporaryAddress = "a\u2028 line separator \x01 control"
	c := Row{PID: "001090000003"} // mostly empty
	return []Row{a, b, c, {}}
}

func TestRoundTrip(t *testing.T) {
	rows := trickyRows()
	for _, f := range []Format{CSV, JSONLines} {
		t.Run(f.String(), func(t *testing.T) {
			data := writeRows(t, f, rows...)
			recs := readAll(t, f, string(data))
			if len(recs) != len(rows) {
				t.Fatalf("%d records: %s", len(recs), data)
			}
			for i, rec := range recs {
				if rec.Problems != nil || rec.Row != rows[i] {
					t.Errorf("row %d\n got %+v %v\nwant %+v", i, rec.Row, rec.Problems, rows[i])
				}
			}
		})
	}
	// An empty export is a header (CSV) or nothing (JSON lines).
	if got := string(writeRows(t, CSV)); got != strings.Join(Columns, ",")+"\n" {
		t.Errorf("empty csv %q", got)
	}
	if got := writeRows(t, JSONLines); len(got) != 0 {
		t.Errorf("empty jsonl %q", got)
	}
	// The JSON form leaves out empty values.
	if got := string(writeRows(t, JSONLines, Row{PID: "001090000003", FullName: "An"})); got != `{"pid":"001090000003","full_name":"An"}`+"\n" {
		t.Errorf("jsonl %s", got)
	}
}

func TestWriterRefusesInvalidUTF8(t *testing.T) {
	var b bytes.Buffer
	w := NewWriter(&b, CSV)
	err := w.Write(Row{PID: "001090000003", FullName: "Nguy\xean"})
	if err == nil || !strings.Contains(err.Error(), "full_name") {
		t.Fatalf("error %v", err)
	}
	if err := w.Write(Row{PID: "001090000003"}); err != nil {
		t.Fatal(err)
	}
	if w.Flush(); strings.Count(b.String(), "\n") != 2 {
		t.Errorf("%q", b.String())
	}
}

// TestRowFromCitizen flattens a record folded from a realistic history:
// born in Hà Nội in 1990 under the old communes, a legacy card, a phone,
// married in 2018, a household in the new Ba Đình after the 2025 reform,
// a temporary residence in Sài Gòn, an earlier current residence that
// ended. The row passes the import check and survives both formats.
func TestRowFromCitizen(t *testing.T) {
	const self, mother, spouse = registry.PersonKey(1), registry.PersonKey(2), registry.PersonKey(3)
	seq := int64(0)
	ev := func(typ registry.EventType, eff string, d registry.Details) *registry.Event {
		seq++
		return &registry.Event{ID: string(rune('A' + seq)), Seq: seq, Type: typ, Subject: self, Parties: []registry.PersonKey{self},
			Effective: civil.MustParse(eff), RecordedAt: time.Date(2021, 3, 1, 10, 0, int(seq), 0, civil.Location), Data: d}
	}
	marriage := ev(registry.EventMarriage, "2018-10-20", registry.Details{Spouse: spouse})
	evs := []*registry.Event{
		ev(registry.EventBirth, "1990-05-17", registry.Details{PID: "001090012345", FullName: "Nguyễn Văn An", OtherNames: []string{"Tí"},
			BirthDate: civil.MustParse("1990-05-17"), Sex: registry.Male, BirthPlace: "00004", RegistrationPlace: "00004",
			HomeTown: "01", Ethnicity: "01", Religion: "00", Nationality: "VN", Mother: mother}),
		ev(registry.EventLegacyID, "2005-06-01", registry.Details{LegacyID: "012345678", LegacyIssuedOn: civil.MustParse("2005-06-01")}),
		ev(registry.EventCurrentResidence, "2010-01-01", registry.Details{Place: "00001", Address: "3 Phúc Xá"}),
		marriage,
		ev(registry.EventPhoneNumber, "2020-01-01", registry.Details{Phone: "0912345678", PhoneSource: registry.PhoneDeclared}),
		ev(registry.EventPermanentResidence, "2025-08-01", registry.Details{Place: "00004", Address: "12 Phố Quán Thánh",
			HouseholdID: "000000000123", NewHousehold: true}),
		ev(registry.EventTemporaryResidence, "2025-09-01", registry.Details{Place: "26740", Address: "5 Lê Lợi, tổ 3", Until: civil.MustParse("2027-08-31")}),
	}
	c, rerr := registry.Fold(self, evs, civil.Date{})
	if rerr != nil {
		t.Fatal(rerr)
	}
	c.Residences[0].Ended = civil.MustParse("2025-08-01") // the current residence was given up
	pids := map[registry.PersonKey]string{mother: "001165000001", spouse: "001192000003"}

	got := RowFromCitizen(c, pids, today)
	want := sampleRow()
	want.FatherPID = ""
	if got != want {
		t.Fatalf("row\n got %+v\nwant %+v", got, want)
	}
	if _, ps := got.Check(checkContext()); ps != nil {
		t.Errorf("exported row fails the import check: %v", ps)
	}
	for _, f := range []Format{CSV, JSONLines} {
		recs := readAll(t, f, string(writeRows(t, f, got)))
		if len(recs) != 1 || recs[0].Row != got {
			t.Errorf("%s: %+v", f, recs)
		}
	}

	// After the temporary residence ends it is no longer exported.
	if r := RowFromCitizen(c, pids, civil.MustParse("2027-09-01")); r.TemporaryPlace != "" || r.PermanentPlace != "00004" {
		t.Errorf("after the temporary residence: %+v", r)
	}

	// A dead person: the residences and the marriage in force on the eve
	// of death, which the death closed.
	evs = append(evs, ev(registry.EventDeath, "2026-01-10", registry.Details{DeathPlace: "Bệnh viện Bạch Mai"}))
	dead, rerr := registry.Fold(self, evs, civil.Date{})
	if rerr != nil {
		t.Fatal(rerr)
	}
	r := RowFromCitizen(dead, pids, today)
	if r.Status != "dead" || r.DeathDate != "2026-01-10" || r.SpousePID != "001192000003" || r.MarriageDate != "2018-10-20" ||
		r.PermanentPlace != "00004" || r.TemporaryPlace != "26740" || r.DeathPlace != "Bệnh viện Bạch Mai" {
		t.Errorf("dead: %+v", r)
	}
	if _, ps := r.Check(checkContext()); ps != nil {
		t.Errorf("dead person's row fails the check: %v", ps)
	}
	// Their widowed spouse's row names no spouse.
	widow := &registry.Citizen{PID: "001192000003", Status: registry.Alive,
		Marriages: []registry.Marriage{{Spouse: self, From: marriage.Effective, Ended: civil.MustParse("2026-01-10"), EndReason: "death"}}}
	if r := RowFromCitizen(widow, map[registry.PersonKey]string{self: "001090012345"}, today); r.SpousePID != "" || r.MarriageDate != "" {
		t.Errorf("widow: %+v", r)
	}
	if !slices.Equal(strings.Split(writeRowsHeader(), ","), Columns) {
		t.Error("header")
	}
}

func writeRowsHeader() string {
	var b bytes.Buffer
	w := NewWriter(&b, CSV)
	w.Flush()
	return strings.TrimSuffix(b.String(), "\n")
}
