package load

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"dancu/internal/civil"
	"dancu/internal/registry"
	"dancu/internal/seed"
)

// SeedOptions configure a synthetic population load.
type SeedOptions struct {
	Citizens int
	Seed     uint64
	Today    civil.Date
	// Truth, when set, receives the seeder's ground truth as JSON lines,
	// for the batches that were loaded.
	Truth io.Writer
	// BatchPersons is how many persons one transaction loads.
	BatchPersons int
	Progress     Progress
	// Failpoint, when set, is called with "seed-batch" after each batch
	// commits, so tests can kill the process in the middle of a load.
	Failpoint func(name string)
}

// SeedStats sums up a seeding run.
type SeedStats struct {
	Persons, Households, Events, Batches int64
	Elapsed                              time.Duration
	// BulkIndexes is true when the registry was empty and secondary
	// indexes were built after the load.
	BulkIndexes bool
	IndexTime   time.Duration
}

// BulkStore is a store with a bulk path that can also take a faster path
// for a load into an empty registry: BeginBulk reports whether it did;
// EndBulk, called only after every batch loaded, finishes it. A load that
// fails in between leaves the registry marked as incomplete.
type BulkStore interface {
	registry.Loader
	BeginBulk(ctx context.Context) (bool, error)
	EndBulk(ctx context.Context) error
}

// Seed loads a synthetic population.
func Seed(ctx context.Context, svc *registry.Service, st BulkStore, opt SeedOptions) (SeedStats, error) {
	start := time.Now()
	var stats SeedStats
	if opt.BatchPersons <= 0 {
		opt.BatchPersons = 2000
	}
	if opt.Progress == nil {
		opt.Progress = noProgress{}
	}
	gen, err := seed.New(seed.Config{
		Citizens: opt.Citizens, Seed: opt.Seed, Today: opt.Today, FirstKey: 1,
		Places: svc.Places, Rates: seed.DefaultRates(),
	})
	if err != nil {
		return stats, err
	}
	bulk, err := st.BeginBulk(ctx)
	if err != nil {
		return stats, err
	}
	stats.BulkIndexes = bulk
	var truth *bufio.Writer
	if opt.Truth != nil {
		truth = bufio.NewWriterSize(opt.Truth, 1<<16)
	}
	// Truth rows travel with the batch that emitted them and are written
	// once it is loaded.
	var truthMu sync.Mutex
	truthOf := map[*registry.LoadBatch][]seed.Truth{}
	next := func() (*registry.LoadBatch, error) {
		b := &registry.LoadBatch{}
		for len(b.Persons) < opt.BatchPersons {
			h, err := gen.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				return nil, err
			}
			b.Persons = append(b.Persons, h.Persons...)
			b.Events = append(b.Events, h.Events...)
			b.Households = append(b.Households, h.Households...)
		}
		if len(b.Persons) == 0 {
			return nil, errDone
		}
		if truth != nil {
			if t := gen.Truth(); len(t) > 0 {
				truthMu.Lock()
				truthOf[b] = t
				truthMu.Unlock()
			}
		}
		return b, nil
	}
	loaded := func(b *registry.LoadBatch) error {
		stats.Persons += int64(len(b.Persons))
		stats.Events += int64(len(b.Events))
		stats.Households += int64(len(b.Households))
		stats.Batches++
		opt.Progress.Add(int64(len(b.Persons)))
		if opt.Failpoint != nil {
			opt.Failpoint("seed-batch")
		}
		if truth == nil {
			return nil
		}
		truthMu.Lock()
		t := truthOf[b]
		delete(truthOf, b)
		truthMu.Unlock()
		return seed.WriteTruth(truth, t)
	}
	err = parallelLoad(ctx, svc, st, opt.Today, next, loaded)
	switch {
	case bulk && err == nil:
		ixStart := time.Now()
		err = st.EndBulk(ctx)
		stats.IndexTime = time.Since(ixStart)
	case bulk:
		// The registry stays marked as mid-load: what was written is a
		// part of a population, without its indexes.
		err = fmt.Errorf("%w; the registry is left incomplete: load it again into an empty database", err)
	}
	if truth != nil {
		err = errors.Join(err, truth.Flush())
	}
	stats.Elapsed = time.Since(start)
	return stats, err
}
