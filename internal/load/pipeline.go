// Package load runs the registry's initial loads — synthetic seeding and
// the import of a migrated registry — and its export, over the store's
// bulk path (registry.Loader).
package load

import (
	"context"
	"errors"
	"runtime"
	"sync"

	"dancu/internal/civil"
	"dancu/internal/registry"
)

// Progress is told how far a long operation has got.
type Progress interface {
	// Add reports n more items done.
	Add(n int64)
}

type noProgress struct{}

func (noProgress) Add(int64) {}

// maxLoadAttempts bounds how often a batch is prepared again after meeting
// a concurrent writer.
const maxLoadAttempts = 5

// loadOne prepares and writes one batch, preparing it again when it met a
// concurrent write.
func loadOne(ctx context.Context, svc *registry.Service, ld registry.Loader, b *registry.LoadBatch, today civil.Date, cp *registry.ImportCheckpoint) error {
	var err error
	for range maxLoadAttempts {
		var pb *registry.PreparedBatch
		pb, err = svc.PrepareLoad(ctx, ld, b, today)
		if err != nil {
			return err
		}
		pb.Checkpoint = cp
		if err = ld.Load(ctx, pb); !errors.Is(err, registry.ErrLoadConflict) {
			return err
		}
	}
	return err
}

// parallelLoad loads independent batches (no batch names a person of
// another): preparing and encoding run on every core, one goroutine
// writes. loaded is called, in the writer, after each batch commits.
func parallelLoad(ctx context.Context, svc *registry.Service, ld registry.Loader, today civil.Date,
	next func() (*registry.LoadBatch, error), loaded func(*registry.LoadBatch) error) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	type prepared struct {
		in  *registry.LoadBatch
		out *registry.PreparedBatch
	}
	workers := max(1, runtime.GOMAXPROCS(0))
	in := make(chan *registry.LoadBatch, workers)
	out := make(chan prepared, workers)
	var wg sync.WaitGroup
	go func() {
		defer close(in)
		for {
			b, err := next()
			if err != nil {
				if !errors.Is(err, errDone) {
					cancel(err)
				}
				return
			}
			select {
			case in <- b:
			case <-ctx.Done():
				return
			}
		}
	}()
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for b := range in {
				pb, err := svc.PrepareLoad(ctx, ld, b, today)
				if err == nil {
					err = ld.Encode(ctx, pb)
				}
				if err != nil {
					cancel(err)
					return
				}
				select {
				case out <- prepared{b, pb}:
				case <-ctx.Done():
					return
				}
			}
		}()
	}
	go func() { wg.Wait(); close(out) }()
	for p := range out {
		if ctx.Err() != nil {
			continue // drain
		}
		err := ld.Load(ctx, p.out)
		if errors.Is(err, registry.ErrLoadConflict) {
			err = loadOne(ctx, svc, ld, p.in, today, nil)
		}
		if err == nil {
			err = loaded(p.in)
		}
		if err != nil {
			cancel(err)
		}
	}
	// Nothing cancels ctx on success before this return, so a cause is
	// the first failure (or the caller's cancellation).
	return context.Cause(ctx)
}

// errDone ends a batch source.
var errDone = errors.New("no more batches")
