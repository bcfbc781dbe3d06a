package storetest

import (
	"context"
	"crypto/rand"
	"dancu/internal/accesslog"
	"fmt"
	"testing"
	"time"

	"dancu/internal/civil"
	"dancu/internal/place"
	"dancu/internal/registry"
)

// BenchPopulation is how many people the benchmarks' registry holds before
// timing starts.
const BenchPopulation = 10_000

// Bench runs the registry benchmarks against a backend: allocating
// personal ID numbers, registering births, recording events and reading a
// citizen (every read writes its access-log row, as in production).
func Bench(b *testing.B, open func(testing.TB) Backend) {
	be := open(b)
	ctx := context.Background()
	reg := registry.NewService(be.Registry(), place.Default(), time.Now, rand.Reader)
	pids := make([]string, 0, BenchPopulation)
	for i := range BenchPopulation {
		res, err := reg.RegisterBirth(ctx, national, birthReq(fmt.Sprintf("Nguyễn Văn %c%c%c", 'A'+i/676%26, 'a'+i/26%26, 'a'+i%26), fmt.Sprintf("%d-06-15", 1940+i%80), "male", hanoiBaDinh), registry.WriteOptions{})
		if err != nil {
			b.Fatal(err)
		}
		pids = append(pids, string(res.Citizen.PID))
	}
	today := civil.Today(time.Now)

	b.Run("AllocateNumber", func(b *testing.B) {
		birth := civil.MustParse("2026-01-01")
		for b.Loop() {
			err := be.Registry().Update(ctx, func(tx registry.Tx) error {
				key, err := tx.NewPerson(ctx, time.Now())
				if err != nil {
					return err
				}
				_, err = reg.AllocatePID(ctx, tx, key, hanoiBaDinh, "", birth, registry.Female, today, "")
				return err
			})
			if err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("RegisterBirth", func(b *testing.B) {
		for b.Loop() {
			if _, err := reg.RegisterBirth(ctx, national, birthReq("Trần Thị Lan", "2026-01-02", "female", hanoiBaDinh), registry.WriteOptions{}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("RecordEvent", func(b *testing.B) {
		i := 0
		for b.Loop() {
			_, err := reg.RecordEvent(ctx, national, pids[i%len(pids)], registry.EventRequest{Type: "current_residence", Place: hcmSaiGon, Address: fmt.Sprintf("%d Lê Lợi", i)}, registry.WriteOptions{})
			if err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
	b.Run("ReadCitizen", func(b *testing.B) {
		i := 0
		for b.Loop() {
			if _, err := reg.Citizen(ctx, national, pids[i%len(pids)], registry.ReadOptions{}); err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
	b.Run("ReadCitizenAsOfKnownAt", func(b *testing.B) {
		i := 0
		opt := registry.ReadOptions{AsOf: civil.MustParse("2025-01-01"), KnownAt: time.Now()}
		for b.Loop() {
			if _, err := reg.Citizen(ctx, national, pids[i%len(pids)], opt); err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
	b.Run("ReadCitizenParallel", func(b *testing.B) {
		b.RunParallel(func(pb *testing.PB) {
			i := 0
			for pb.Next() {
				if _, err := reg.Citizen(ctx, national, pids[i%len(pids)], registry.ReadOptions{}); err != nil {
					b.Error(err)
					return
				}
				i += 7
			}
		})
	})
	// The access log's append rate: 32 writers, one entry each per call,
	// sharing durable commits; then the sequencer folding what they wrote.
	b.Run("AccessLogAppend32", func(b *testing.B) {
		b.SetParallelism(16) // GOMAXPROCS 2 × 16 = 32 writers
		b.RunParallel(func(pb *testing.PB) {
			e := accesslog.Entry{At: time.Now(), ActorKind: "client", ActorID: "s-bench", Purpose: "benchmark", PersonKey: 1,
				Fields: []string{"pid", "full_name"}, Action: accesslog.ActionRead, Member: "m-bench", LegalBasis: "bench", Result: "match"}
			for pb.Next() {
				if err := be.Registry().Record(ctx, []accesslog.Entry{e}); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
	// Writing a batch job's chunk of entries and folding them into the
	// tree, timed together: SQLite folds as it writes, PostgreSQL's
	// sequencer numbers and folds afterwards.
	b.Run("AccessLogWriteAndFold1000", func(b *testing.B) {
		seq := be.AccessLogSequencer()
		batch := make([]accesslog.Entry, 1000)
		for i := range batch {
			batch[i] = accesslog.Entry{At: time.Now(), ActorKind: "client", ActorID: "s-bench", Purpose: "benchmark", PersonKey: int64(1 + i),
				Fields: []string{"batch_verify"}, Action: accesslog.ActionRead, RequestID: "batch:b-bench", Result: "match"}
		}
		drain := func() {
			for {
				_, n, err := seq.Sequence(ctx, 20_000)
				if err != nil {
					b.Fatal(err)
				}
				if n < 20_000 {
					return
				}
			}
		}
		drain() // what the benchmarks before left
		for b.Loop() {
			if err := be.Registry().Record(ctx, batch); err != nil {
				b.Fatal(err)
			}
			drain()
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(batch)), "ns/entry")
	})
}
