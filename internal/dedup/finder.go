package dedup

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"

	"dancu/internal/vntext"
)

// DefaultMaxBlock is the largest block a Finder compares unless told
// otherwise. A block of 200 costs 19,900 comparisons; larger blocks come
// from very common names under the coarser keys, whose duplicates the
// finer keys also catch.
const DefaultMaxBlock = 200

// Packing of a Finder's key entries: the top 36 bits of a blocking key
// (its kind and 32 bits of hash) above a 28-bit record index.
const (
	idxBits    = 28
	maxRecords = 1 << idxBits
	idxMask    = maxRecords - 1
)

// Finder finds candidate duplicates among the records added to it. It
// stores each record in about 150 bytes (a hundred, and some fifty for the
// addresses and phones) plus eight per blocking key (nine to ten keys),
// about 250 bytes in all: ten million records take about 2.5 GB, and Find
// adds about 10% while it runs.
//
// A Finder is not safe for concurrent use: Add and Find must not overlap.
// Find may be called again after more records are added; it compares
// everything again.
type Finder struct {
	// MaxBlock is the largest block compared; larger ones are skipped and
	// counted in Stats. Zero means DefaultMaxBlock.
	MaxBlock int
	// Workers is the number of goroutines comparing pairs; zero means
	// runtime.GOMAXPROCS(0).
	Workers int

	store arena
	keys  []uint64 // key<<idxBits | record index, sorted by Find
	kbuf  []uint64
	p     pname
}

// Stats describes a run of Find.
type Stats struct {
	Records int64 `json:"records"`
	// Blocks counts the blocks compared: keys shared by 2 to MaxBlock
	// records.
	Blocks int64 `json:"blocks"`
	// Comparisons counts the pairs scored, each once however many blocks
	// it shares.
	Comparisons int64 `json:"comparisons"`
	// Candidates counts the pairs emitted (Score >= ReviewThreshold), of
	// which Duplicates had Score >= Threshold.
	Candidates int64 `json:"candidates"`
	Duplicates int64 `json:"duplicates"`
	// SkippedLargeBlocks counts the blocks larger than MaxBlock, and
	// SkippedComparisons the pairs they held (some of them compared in
	// another block).
	SkippedLargeBlocks int64 `json:"skipped_large_blocks"`
	SkippedComparisons int64 `json:"skipped_comparisons"`
}

// NewFinder returns an empty Finder.
func NewFinder() *Finder { return &Finder{} }

// Len returns the number of records added.
func (f *Finder) Len() int { return f.store.len() }

// Add adds a copy of r. Records are numbered from 0 in the order added;
// Candidate.A is always the earlier one. Add panics beyond 2^28 records.
func (f *Finder) Add(r Record) {
	idx := f.store.len()
	if idx >= maxRecords {
		panic(fmt.Sprintf("dedup: more than %d records in one Finder", maxRecords))
	}
	nameFold := vntext.Fold(r.FullName)
	f.store.add(&r, nameFold, vntext.Fold(r.MotherName), vntext.Fold(r.FatherName))
	f.p.parse(r.FullName, nameFold)
	ks := blockingKeys(&r, &f.p, f.kbuf[:0])
	for i, k := range ks {
		ks[i] = k&^idxMask | uint64(idx)
	}
	slices.Sort(ks)
	ks = slices.Compact(ks) // two keys equal in their top 36 bits
	f.keys = append(f.keys, ks...)
	f.kbuf = ks[:0]
}

// blockIndex lists, for every record, the blocks it belongs to.
type blockIndex struct {
	blocks []blockRange // the blocks compared, in key order
	start  []uint32     // record i's blocks are ids[start[i]:start[i+1]]
	ids    []uint32     // block numbers, ascending for each record
}

type blockRange struct{ lo, hi uint32 } // f.keys[lo:hi]

// Find compares every pair of records that share a block, once, on
// Workers goroutines, and calls emit, from the calling goroutine, with every
// pair scoring at least ReviewThreshold, in no particular order. It stops
// at the first error of emit or of ctx and returns it.
func (f *Finder) Find(ctx context.Context, emit func(Candidate) error) (Stats, error) {
	st := Stats{Records: int64(f.store.len())}
	maxBlock := f.MaxBlock
	if maxBlock <= 0 {
		maxBlock = DefaultMaxBlock
	}
	workers := f.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	sortKeys(f.keys, workers)
	bx := f.index(maxBlock, &st)
	if err := ctx.Err(); err != nil {
		return st, err
	}

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	out := make(chan Candidate, 256)
	var next atomic.Int64
	var comparisons atomic.Int64
	var wg sync.WaitGroup
	errc := make(chan error, workers)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w := newWorker(f, bx, maxBlock)
			n, err := w.run(ctx, &next, out)
			comparisons.Add(n)
			if err != nil {
				errc <- err
			}
		}()
	}
	go func() { wg.Wait(); close(out) }()

	var err error
	for c := range out {
		if err != nil {
			continue // drain
		}
		st.Candidates++
		if c.Duplicate {
			st.Duplicates++
		}
		if err = emit(c); err != nil {
			cancel()
		}
	}
	st.Comparisons = comparisons.Load()
	if err != nil {
		return st, err
	}
	select {
	case err = <-errc:
	default:
	}
	return st, err
}

// index finds the blocks of 2 to maxBlock records in the sorted keys.
func (f *Finder) index(maxBlock int, st *Stats) *blockIndex {
	keys := f.keys
	n := f.store.len()
	bx := &blockIndex{start: make([]uint32, n+1)}
	for lo := 0; lo < len(keys); {
		hi := lo + 1
		for hi < len(keys) && keys[hi]&^idxMask == keys[lo]&^idxMask {
			hi++
		}
		switch k := hi - lo; {
		case k == 1:
		case k > maxBlock:
			st.SkippedLargeBlocks++
			st.SkippedComparisons += int64(k) * int64(k-1) / 2
		default:
			bx.blocks = append(bx.blocks, blockRange{uint32(lo), uint32(hi)})
			for _, e := range keys[lo:hi] {
				bx.start[e&idxMask+1]++
			}
		}
		lo = hi
	}
	st.Blocks = int64(len(bx.blocks))
	for i := 1; i <= n; i++ {
		bx.start[i] += bx.start[i-1]
	}
	bx.ids = make([]uint32, bx.start[n])
	fill := slices.Clone(bx.start[:n])
	for b, br := range bx.blocks {
		for _, e := range keys[br.lo:br.hi] {
			i := e & idxMask
			bx.ids[fill[i]] = uint32(b)
			fill[i]++
		}
	}
	return bx
}

// firstShared returns the first block that records i and j share.
func (bx *blockIndex) firstShared(i, j uint32) uint32 {
	a := bx.ids[bx.start[i]:bx.start[i+1]]
	b := bx.ids[bx.start[j]:bx.start[j+1]]
	for len(a) > 0 && len(b) > 0 {
		switch {
		case a[0] == b[0]:
			return a[0]
		case a[0] < b[0]:
			a = a[1:]
		default:
			b = b[1:]
		}
	}
	return ^uint32(0)
}

// worker compares the pairs of the blocks it takes.
type worker struct {
	f     *Finder
	bx    *blockIndex
	idx   []uint32
	recs  []Record
	preps []prep
	s     scorer
}

func newWorker(f *Finder, bx *blockIndex, maxBlock int) *worker {
	return &worker{f: f, bx: bx, idx: make([]uint32, maxBlock), recs: make([]Record, maxBlock), preps: make([]prep, maxBlock)}
}

// blocksPerTake is how many blocks a worker takes at a time.
const blocksPerTake = 64

func (w *worker) run(ctx context.Context, next *atomic.Int64, out chan<- Candidate) (comparisons int64, err error) {
	nb := int64(len(w.bx.blocks))
	for {
		lo := next.Add(blocksPerTake) - blocksPerTake
		if lo >= nb {
			return comparisons, nil
		}
		if err := ctx.Err(); err != nil {
			return comparisons, err
		}
		for b := lo; b < min(lo+blocksPerTake, nb); b++ {
			n, err := w.block(ctx, uint32(b), out)
			comparisons += n
			if err != nil {
				return comparisons, err
			}
		}
	}
}

func (w *worker) block(ctx context.Context, b uint32, out chan<- Candidate) (comparisons int64, err error) {
	br := w.bx.blocks[b]
	entries := w.f.keys[br.lo:br.hi]
	k := len(entries)
	for m, e := range entries {
		i := uint32(e & idxMask)
		w.idx[m] = i
		nf, mf, ff := w.f.store.get(int(i), &w.recs[m])
		w.preps[m].init(&w.recs[m], nf, mf, ff)
	}
	for x := 0; x < k; x++ {
		for y := x + 1; y < k; y++ {
			i, j := w.idx[x], w.idx[y]
			if w.bx.firstShared(i, j) != b {
				continue // compared in an earlier block
			}
			comparisons++
			px, py := &w.preps[x], &w.preps[y]
			if recordLess(py.r, px.r) {
				px, py = py, px
			}
			w.s.explain = false
			if score := w.s.score(px, py); score < ReviewThreshold {
				continue
			}
			w.s.explain = true
			score := w.s.score(px, py)
			// Entries sort by index within a block: x is the earlier record.
			c := Candidate{A: refOf(&w.recs[x]), B: refOf(&w.recs[y]), Score: score, Duplicate: score >= Threshold, Reasons: w.s.result()}
			select {
			case out <- c:
			case <-ctx.Done():
				return comparisons, ctx.Err()
			}
		}
	}
	return comparisons, nil
}

// sortKeys sorts keys on workers goroutines: one in-place radix pass on
// the top byte, then the buckets in parallel.
func sortKeys(keys []uint64, workers int) {
	if len(keys) < 1<<16 || workers == 1 {
		slices.Sort(keys)
		return
	}
	var count [256]int
	for _, k := range keys {
		count[k>>56]++
	}
	var start, end, next [256]int
	sum := 0
	for b := range 256 {
		start[b], next[b] = sum, sum
		sum += count[b]
		end[b] = sum
	}
	for b := range 256 {
		for next[b] < end[b] {
			v := keys[next[b]]
			t := v >> 56
			if int(t) == b {
				next[b]++
				continue
			}
			keys[next[b]], keys[next[t]] = keys[next[t]], v
			next[t]++
		}
	}
	var bucket atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				b := bucket.Add(1) - 1
				if b >= 256 {
					return
				}
				slices.Sort(keys[start[b]:end[b]])
			}
		}()
	}
	wg.Wait()
}
