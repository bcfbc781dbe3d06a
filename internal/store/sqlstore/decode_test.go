package sqlstore_test

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"dancu/internal/civil"
	"dancu/internal/load"
	"dancu/internal/place"
	"dancu/internal/registry"
	"dancu/internal/store/sqlite"
	"dancu/internal/store/sqlstore"
)

// TestRecordDecodersAgree holds the store's record decoder (go-json, for
// speed) to encoding/json, the reference, on every record of a seeded
// population: marriages, legacy numbers, phones, residences, deaths,
// merges and all.
func TestRecordDecodersAgree(t *testing.T) {
	ctx := context.Background()
	db, _, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "dancu.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	svc := registry.NewService(db.Registry(), place.Default(), time.Now, rand.Reader)
	if _, err := load.Seed(ctx, svc, db, load.SeedOptions{Citizens: 3000, Seed: 11, Today: civil.DateOf(time.Now())}); err != nil {
		t.Fatal(err)
	}
	rows, err := db.Read.QueryContext(ctx, `SELECT person_key, record FROM citizens`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var key registry.PersonKey
		var doc string
		if err := rows.Scan(&key, &doc); err != nil {
			t.Fatal(err)
		}
		want := &registry.Citizen{}
		if err := json.Unmarshal([]byte(doc), want); err != nil {
			t.Fatal(err)
		}
		want.Key = key
		got, err := sqlstore.DecodeCitizen(key, []byte(doc))
		if err != nil {
			t.Fatalf("record %d: %v", key, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("record %d decodes to\n%+v\nwant\n%+v", key, got, want)
		}
		examined, err := sqlstore.DecodeExamined(key, []byte(doc))
		if err != nil {
			t.Fatalf("record %d: %v", key, err)
		}
		if part := examinedPart(t, want); !reflect.DeepEqual(examined, part) {
			t.Fatalf("record %d: its examined part decodes to\n%+v\nwant\n%+v", key, examined, part)
		}
		n++
	}
	if n < 3000 {
		t.Fatalf("%d records compared", n)
	}
}

// examinedPart is c with only the fields of registry.ExaminedRecord, each
// of which must be the record's field of the same name and JSON name.
func examinedPart(t *testing.T, c *registry.Citizen) *registry.Citizen {
	t.Helper()
	var r registry.ExaminedRecord
	rv, cv := reflect.ValueOf(&r).Elem(), reflect.ValueOf(c).Elem()
	for i := range rv.NumField() {
		f := rv.Type().Field(i)
		cf, ok := cv.Type().FieldByName(f.Name)
		if !ok || cf.Type != f.Type || cf.Tag != f.Tag {
			t.Fatalf("ExaminedRecord.%s (%s %s) is not the record's field of that name", f.Name, f.Type, f.Tag)
		}
		rv.Field(i).Set(cv.FieldByIndex(cf.Index))
	}
	return r.Citizen(c.Key)
}

// FuzzRecordDecoder puts arbitrary text in a record's names, addresses
// and numbers (officers type them), stores it as the store does
// (encoding/json) and holds the store's decoder to encoding/json's
// reading of it.
func FuzzRecordDecoder(f *testing.F) {
	f.Add("Nguyễn Thị Hoà", "Số 1 phố Huế", "0912345678", int64(7))
	f.Add("a\"b\\c\u0000\u2028", "<script>&", "\xff\xfe", int64(-1))
	f.Fuzz(func(t *testing.T, name, address, phone string, key int64) {
		c := registry.Citizen{PID: "001090012345", FullName: name, OtherNames: []string{address, name}, Sex: registry.Female,
			Phones: []registry.Phone{{Number: phone, Source: registry.PhoneTelco}}, MergedInto: registry.PersonKey(key),
			Residences: []registry.Residence{{Kind: registry.Permanent, Place: "00004", Address: address, HouseholdID: phone}},
			LegacyIDs:  []registry.LegacyID{{Number: phone}}, Status: registry.Alive, Version: key}
		doc, err := json.Marshal(c)
		if err != nil {
			t.Skip()
		}
		want := &registry.Citizen{}
		if err := json.Unmarshal(doc, want); err != nil {
			t.Fatal(err)
		}
		want.Key = 5
		got, err := sqlstore.DecodeCitizen(5, doc)
		if err != nil {
			t.Fatalf("%s: %v", doc, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%s decodes to\n%+v\nwant\n%+v", doc, got, want)
		}
		examined, err := sqlstore.DecodeExamined(5, doc)
		if err != nil {
			t.Fatalf("%s: %v", doc, err)
		}
		if part := examinedPart(t, want); !reflect.DeepEqual(examined, part) {
			t.Fatalf("%s: its examined part decodes to\n%+v\nwant\n%+v", doc, examined, part)
		}
	})
}
