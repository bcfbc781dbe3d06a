package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"runtime"
	"slices"
	"sync"

	"dancu/internal/civil"
	"dancu/internal/dedup"
	"dancu/internal/registry"
)

// dedupFields is the part of a stored record the duplicate detector
// reads; decoding only it is cheaper than the whole record.
type dedupFields struct {
	FullName          string              `json:"full_name"`
	BirthDate         civil.Date          `json:"birth_date"`
	Sex               string              `json:"sex"`
	BirthPlace        string              `json:"birth_place"`
	RegistrationPlace string              `json:"registration_place"`
	HomeTown          string              `json:"home_town"`
	LegacyIDs         []registry.LegacyID `json:"legacy_ids"`
	Phones            []struct {
		Number string `json:"number"`
	} `json:"phones"`
	Residences []registry.Residence `json:"residences"`
	MergedInto int64                `json:"merged_into_key"`
}

// DedupRecords calls fn with every person not merged into another, as the
// duplicate detector sees them, parents' names included. Records are
// decoded on every core; fn is called from one goroutine. It is an
// internal scan, not a read by anyone: the candidates it finds are
// access-logged when officers look at them.
func (db *DB) DedupRecords(ctx context.Context, today civil.Date, places func(commune string) (province string), fn func(dedup.Record) error) error {
	type raw struct {
		key, mother, father int64
		doc, status, pid    string
		motherName          sql.NullString
		fatherName          sql.NullString
	}
	rawc := make(chan []raw, 4)
	outc := make(chan []dedup.Record, 4)
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var wg sync.WaitGroup
	for range max(1, runtime.GOMAXPROCS(0)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for batch := range rawc {
				recs := make([]dedup.Record, 0, len(batch))
				for _, r := range batch {
					var d dedupFields
					if err := json.Unmarshal([]byte(r.doc), &d); err != nil {
						cancel(fmt.Errorf("decode citizen %d: %w", r.key, err))
						return
					}
					if d.MergedInto != 0 {
						continue
					}
					rec := dedup.Record{Key: r.key, PID: r.pid, FullName: d.FullName, BirthDate: d.BirthDate, Sex: d.Sex,
						BirthPlace: d.BirthPlace, HomeTown: d.HomeTown, MotherKey: r.mother, FatherKey: r.father,
						MotherName: r.motherName.String, FatherName: r.fatherName.String, Dead: r.status == string(registry.Dead)}
					if rec.BirthPlace == "" {
						rec.BirthPlace = d.RegistrationPlace
					}
					for _, l := range d.LegacyIDs {
						rec.LegacyIDs = append(rec.LegacyIDs, l.Number)
					}
					for _, p := range d.Phones {
						if p.Number != "" && !slices.Contains(rec.Phones, p.Number) {
							rec.Phones = append(rec.Phones, p.Number)
						}
					}
					permanent := false
					for i := len(d.Residences) - 1; i >= 0; i-- {
						res := d.Residences[i]
						if !res.InForce(today) {
							continue
						}
						if res.Kind == registry.Permanent && !permanent {
							permanent = true
							rec.Commune = res.Place
							rec.Province = places(res.Place)
						}
						if a := (dedup.Address{Place: res.Place, Text: res.Address}); a.Text != "" && a.Place != "" && !slices.Contains(rec.Addresses, a) {
							rec.Addresses = append(rec.Addresses, a)
						}
					}
					recs = append(recs, rec)
				}
				select {
				case outc <- recs:
				case <-ctx.Done():
					return
				}
			}
		}()
	}
	go func() {
		defer close(rawc)
		err := db.view(ctx, func(tx *sql.Tx) error {
			rows, err := tx.QueryContext(ctx, `SELECT c.person_key, c.pid, COALESCE(c.mother_key, 0), COALESCE(c.father_key, 0), c.record, c.status, m.full_name, f.full_name
				FROM citizens c LEFT JOIN citizens m ON m.person_key = c.mother_key LEFT JOIN citizens f ON f.person_key = c.father_key`)
			if err != nil {
				return err
			}
			defer rows.Close()
			batch := make([]raw, 0, 1024)
			for rows.Next() {
				var r raw
				if err := rows.Scan(&r.key, &r.pid, &r.mother, &r.father, &r.doc, &r.status, &r.motherName, &r.fatherName); err != nil {
					return err
				}
				batch = append(batch, r)
				if len(batch) == cap(batch) {
					select {
					case rawc <- batch:
					case <-ctx.Done():
						return ctx.Err()
					}
					batch = make([]raw, 0, 1024)
				}
			}
			if err := rows.Err(); err != nil {
				return err
			}
			if len(batch) > 0 {
				select {
				case rawc <- batch:
				case <-ctx.Done():
					return ctx.Err()
				}
			}
			return nil
		})
		if err != nil {
			cancel(err)
		}
	}()
	go func() { wg.Wait(); close(outc) }()
	for recs := range outc {
		if context.Cause(ctx) != nil {
			continue
		}
		for _, r := range recs {
			if err := fn(r); err != nil {
				cancel(err)
				break
			}
		}
	}
	return context.Cause(ctx)
}
