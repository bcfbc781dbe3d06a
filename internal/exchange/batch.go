package exchange

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode"
	"unicode/utf8"

	gojson "github.com/goccy/go-json"
	"golang.org/x/sync/errgroup"

	"dancu/internal/eid"
	"dancu/internal/errs"
	"dancu/internal/registry"
)

// Batch verification: a system uploads a file of records (CSV with a
// header of the verification's attribute names, or JSON lines of
// verification requests), possibly millions, in as many pieces as it
// likes, and starts the job; a worker in the server verifies it a chunk
// at a time. Each chunk's results are appended to the results file and
// synced, then a checkpoint (input offset, results size, counts, metered
// use) is committed: a job killed anywhere resumes from its last
// checkpoint, the results file cut back to it, so no record is answered
// twice or skipped. Results can be downloaded while the job runs.

// BatchStatus is where a job stands.
type BatchStatus string

const (
	BatchUploading BatchStatus = "uploading"
	BatchQueued    BatchStatus = "queued"
	BatchRunning   BatchStatus = "running"
	BatchDone      BatchStatus = "done"
	BatchCancelled BatchStatus = "cancelled"
	BatchFailed    BatchStatus = "failed"
)

// Batch is a verification job.
type Batch struct {
	ID         string
	SystemID   string
	MemberID   string
	Purpose    string
	LegalBasis string
	Format     string // csv or jsonl
	Status     BatchStatus
	// InputSize is how much was uploaded; InputOffset how far the worker
	// has read, ResultsSize how much of the results file is final.
	InputSize   int64
	InputOffset int64
	ResultsSize int64
	Total       int64 // records in the file, counted when started
	Done        int64
	Counts      map[string]int64 // by result
	Error       string
	CreatedAt   time.Time
	StartedAt   time.Time
	UpdatedAt   time.Time
	FinishedAt  time.Time
	// LeaseUntil is how long the worker holding the job may go without a
	// checkpoint before another takes it over.
	LeaseUntil time.Time
	Version    int64
}

// BatchFiles keeps the jobs' input and results (files outside the
// database).
type BatchFiles interface {
	// AppendInput writes r at offset, which must be the input's size, and
	// returns the new size.
	AppendInput(id string, offset int64, r io.Reader) (int64, error)
	OpenInput(id string) (io.ReadSeekCloser, error)
	// MapInput returns the whole input in memory (mapped, not read), for
	// reading records in any order, and how to let it go.
	MapInput(id string) ([]byte, func() error, error)
	// WritePlan stores a job's plan, as write writes it, durably and all
	// or nothing; ReadPlan returns it, or an error matching
	// fs.ErrNotExist.
	WritePlan(id string, write func(io.Writer) error) error
	ReadPlan(id string) ([]byte, error)
	// OpenResults opens the results for appending, cut back to size.
	OpenResults(id string, size int64) (ResultsWriter, error)
	// ReadResults reads the first size bytes of the results.
	ReadResults(id string, size int64) (io.ReadCloser, error)
}

// ResultsWriter appends results durably.
type ResultsWriter interface {
	io.Writer
	Sync() error
	Close() error
}

// BatchTx is the store's part for jobs; a Tx that runs jobs implements it.
type BatchTx interface {
	CreateBatch(ctx context.Context, b *Batch) error
	Batch(ctx context.Context, id string) (*Batch, error)
	// UpdateBatch writes b if its stored version is b.Version-1.
	UpdateBatch(ctx context.Context, b *Batch) error
	// NextBatch returns a job to work on: queued, or running with its
	// lease run out; nil when there is none.
	NextBatch(ctx context.Context, now time.Time) (*Batch, error)
}

// batchChunk is how many records are verified between checkpoints.
const batchChunk = 10_000

// defaultBatchLease is how long a worker may hold a job without a
// checkpoint before another takes it over (Service.BatchLease).
const defaultBatchLease = 30 * time.Second

func (s *Service) batchLease() time.Duration {
	if s.BatchLease > 0 {
		return s.BatchLease
	}
	return defaultBatchLease
}

// maxBatchInput bounds an upload (10M records of a few hundred bytes).
const maxBatchInput = 8 << 30

func (s *Service) batchTx(tx Tx) BatchTx { return tx.(BatchTx) }

// CreateBatch opens a job for the caller under a grant for batch
// verification with purpose; the file is uploaded next.
func (s *Service) CreateBatch(ctx context.Context, c Caller, purpose, format string) (*Batch, error) {
	if format != "csv" && format != "jsonl" {
		return nil, errs.InvalidField("format", "unknown", "format is csv or jsonl")
	}
	au, err := s.authorise(ctx, c, Request{Operation: OpBatch, Purpose: purpose})
	if err != nil {
		return nil, err
	}
	if au.grant.ConsentRequired {
		return nil, errs.E(errs.Forbidden, "consent-required", "batch verification is not offered for a purpose that needs each person's consent; verify them one by one")
	}
	now := s.now()
	b := &Batch{ID: newID("b-"), SystemID: au.system.ID, MemberID: au.system.MemberID, Purpose: au.grant.Purpose, LegalBasis: au.grant.LegalBasis,
		Format: format, Status: BatchUploading, Counts: map[string]int64{}, CreatedAt: now, UpdatedAt: now, Version: 1}
	return b, s.Store.Update(ctx, func(tx Tx) error { return s.batchTx(tx).CreateBatch(ctx, b) })
}

// ownBatch returns a job of the caller's system.
func (s *Service) ownBatch(ctx context.Context, c Caller, id string) (*Batch, error) {
	sys, err := s.system(ctx, c.ClientID, s.now())
	if err != nil {
		return nil, err
	}
	var b *Batch
	err = s.Store.View(ctx, func(tx Tx) error {
		var err error
		b, err = s.batchTx(tx).Batch(ctx, id)
		return err
	})
	if err != nil {
		return nil, err
	}
	if b.SystemID != sys.ID {
		return nil, errs.E(errs.NotFound, "not-found", "no batch %s of this system", id)
	}
	return b, nil
}

// BatchStatusOf returns a job of the caller.
func (s *Service) BatchStatusOf(ctx context.Context, c Caller, id string) (*Batch, error) {
	return s.ownBatch(ctx, c, id)
}

// UploadBatch appends a piece of the file at offset, which must be what
// was uploaded so far (so a piece sent twice after a broken connection is
// refused, with the offset to go on from).
func (s *Service) UploadBatch(ctx context.Context, c Caller, files BatchFiles, id string, offset int64, r io.Reader) (*Batch, error) {
	b, err := s.ownBatch(ctx, c, id)
	if err != nil {
		return nil, err
	}
	if b.Status != BatchUploading {
		return nil, errs.E(errs.Conflict, "batch-started", "batch %s is %s: its file can no longer change", id, b.Status)
	}
	if offset != b.InputSize {
		return nil, errs.E(errs.Conflict, "upload-offset", "batch %s has %d bytes; send from there", id, b.InputSize).With("upload_offset", b.InputSize).With("field", "Upload-Offset")
	}
	size, err := files.AppendInput(id, offset, io.LimitReader(r, maxBatchInput-offset+1))
	if err != nil {
		return nil, err
	}
	if size > maxBatchInput {
		return nil, errs.E(errs.TooLarge, "payload-too-large", "a batch file has at most %d bytes", int64(maxBatchInput))
	}
	err = s.Store.Update(ctx, func(tx Tx) error {
		bt := s.batchTx(tx)
		cur, err := bt.Batch(ctx, id)
		if err != nil {
			return err
		}
		cur.InputSize, cur.UpdatedAt = size, s.now()
		cur.Version++
		b = cur
		return bt.UpdateBatch(ctx, cur)
	})
	return b, err
}

// StartBatch counts the records and queues the job.
func (s *Service) StartBatch(ctx context.Context, c Caller, files BatchFiles, id string) (*Batch, error) {
	b, err := s.ownBatch(ctx, c, id)
	if err != nil {
		return nil, err
	}
	if b.Status != BatchUploading {
		return nil, errs.E(errs.Conflict, "batch-started", "batch %s is already %s", id, b.Status)
	}
	in, err := files.OpenInput(id)
	if err != nil {
		return nil, err
	}
	total, err := countRecords(in, b.Format)
	in.Close()
	if err != nil {
		return nil, err
	}
	err = s.Store.Update(ctx, func(tx Tx) error {
		bt := s.batchTx(tx)
		cur, err := bt.Batch(ctx, id)
		if err != nil {
			return err
		}
		if cur.Status != BatchUploading {
			return errs.E(errs.Conflict, "batch-started", "batch %s is already %s", id, cur.Status)
		}
		cur.Status, cur.Total, cur.UpdatedAt = BatchQueued, total, s.now()
		cur.Version++
		b = cur
		return bt.UpdateBatch(ctx, cur)
	})
	if err == nil {
		s.queued.raise()
	}
	return b, err
}

// queuedSignal wakes this process's batch worker when a job is queued
// here, rather than at its next poll; jobs queued by other processes
// are still found by polling.
type queuedSignal struct {
	once sync.Once
	c    chan struct{}
}

func (q *queuedSignal) ch() chan struct{} {
	q.once.Do(func() { q.c = make(chan struct{}, 1) })
	return q.c
}

func (q *queuedSignal) wait() <-chan struct{} { return q.ch() }

func (q *queuedSignal) raise() {
	select {
	case q.ch() <- struct{}{}:
	default: // the worker is woken already
	}
}

// CancelBatch stops a job; results so far stay readable.
func (s *Service) CancelBatch(ctx context.Context, c Caller, id string) (*Batch, error) {
	b, err := s.ownBatch(ctx, c, id)
	if err != nil {
		return nil, err
	}
	err = s.Store.Update(ctx, func(tx Tx) error {
		bt := s.batchTx(tx)
		cur, err := bt.Batch(ctx, id)
		if err != nil {
			return err
		}
		switch cur.Status {
		case BatchDone, BatchCancelled, BatchFailed:
			return errs.E(errs.Conflict, "batch-finished", "batch %s is already %s", id, cur.Status)
		}
		now := s.now()
		cur.Status, cur.UpdatedAt, cur.FinishedAt = BatchCancelled, now, now
		cur.Version++
		b = cur
		return bt.UpdateBatch(ctx, cur)
	})
	return b, err
}

// countRecords counts the records of an input: lines of JSON, or CSV rows
// after the header.
func countRecords(r io.Reader, format string) (int64, error) {
	br := bufio.NewReaderSize(r, 1<<20)
	var n int64
	for {
		line, err := br.ReadSlice('\n')
		if len(bytes.TrimSpace(line)) > 0 {
			n++
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			return 0, errs.InvalidField("input", "too-long", "a record is longer than 1 MiB")
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return 0, err
		}
	}
	if format == "csv" && n > 0 {
		n-- // the header
	}
	return n, nil
}

// BatchRecord is one result line.
type BatchRecord struct {
	// Record is the record's number in the file (1 for the first, the
	// header and empty lines not counted).
	Line int64  `json:"record"`
	Ref  string `json:"ref,omitempty"`
	// Result: match, mismatch, not_found or invalid.
	Result     string        `json:"result"`
	Reason     string        `json:"reason,omitempty"`
	Mismatched []string      `json:"mismatched,omitempty"`
	Matches    *VerifyResult `json:"matches,omitempty"`
}

// batchRequest is a record of the input.
type batchRequest struct {
	VerifyRequest
	Ref string `json:"ref,omitempty"`
}

// Failpoint, when set, is called at named points of a job's chunk, so
// that tests can kill the process there.
type Failpoint func(name string)

// RunBatches works on jobs until ctx ends: every poll, and whenever a
// job is queued in this process, it takes the next job it may and runs
// it to its end (or until cancelled).
func (s *Service) RunBatches(ctx context.Context, files BatchFiles, poll time.Duration, fail Failpoint, onError func(error)) {
	for ctx.Err() == nil {
		var b *Batch
		err := s.Store.Update(ctx, func(tx Tx) error {
			bt := s.batchTx(tx)
			var err error
			if b, err = bt.NextBatch(ctx, s.now()); err != nil || b == nil {
				return err
			}
			now := s.now()
			if b.Status == BatchQueued {
				b.StartedAt = now
			}
			b.Status, b.LeaseUntil, b.UpdatedAt = BatchRunning, now.Add(s.batchLease()), now
			b.Version++
			return bt.UpdateBatch(ctx, b)
		})
		if err == nil && b != nil {
			err = s.runBatch(ctx, files, b, fail)
		}
		if err != nil && ctx.Err() == nil && onError != nil {
			onError(err)
		}
		if b == nil || err != nil {
			select {
			case <-ctx.Done():
			case <-time.After(poll):
			case <-s.queued.wait():
			}
		}
	}
}

// runBatch verifies a job from its last checkpoint to its end, in the
// order of its plan (batchPlan).
func (s *Service) runBatch(ctx context.Context, files BatchFiles, b *Batch, fail Failpoint) error {
	if fail == nil {
		fail = func(string) {}
	}
	data, unmap, err := files.MapInput(b.ID)
	if err != nil {
		return err
	}
	defer unmap()
	data = data[:min(int64(len(data)), b.InputSize)]
	var header []string
	start := 0
	if b.Format == "csv" {
		end := bytes.IndexByte(data, '\n') + 1
		if end == 0 {
			end = len(data)
		}
		h, err := csv.NewReader(bytes.NewReader(data[:end])).Read()
		if err != nil && err != io.EOF {
			return s.failBatch(ctx, b, "the CSV header cannot be read: "+err.Error())
		}
		header, start = h, end
	}
	plan, err := s.batchPlan(ctx, files, b, data, start, header)
	if err != nil {
		var invalid *errs.Error
		if errors.As(err, &invalid) && invalid.Kind == errs.Invalid {
			return s.failBatch(ctx, b, invalid.Message)
		}
		return err
	}
	if len(plan) >= 1_000_000 {
		// Planning millions of records took gigabytes the verification
		// does not need; handed back now, they go to the page cache the
		// registry's reads want, rather than waiting for the runtime to
		// return them bit by bit.
		debug.FreeOSMemory()
	}
	fail("batch-after-plan")
	// Planning a large file takes a while: the lease starts again now.
	if err := s.Store.Update(ctx, func(tx Tx) error {
		bt := s.batchTx(tx)
		cur, err := bt.Batch(ctx, b.ID)
		if err != nil {
			return err
		}
		if cur.Version != b.Version {
			return fmt.Errorf("batch %s was taken over by another worker while it was planned", b.ID)
		}
		cur.LeaseUntil = s.now().Add(s.batchLease())
		cur.Version++
		if err := bt.UpdateBatch(ctx, cur); err != nil {
			return err
		}
		*b = *cur
		return nil
	}); err != nil {
		return err
	}
	out, err := files.OpenResults(b.ID, b.ResultsSize)
	if err != nil {
		return err
	}
	defer out.Close()
	// The next chunks are read and verified while the one before is
	// written and checkpointed: the checkpoints still follow the plan's
	// order, one chunk at a time. Up to five chunks are on their way, so
	// that one waiting for its access-log entries to be written leaves
	// others to read.
	// Every goroutine reading the mapped input ends before it is unmapped.
	var inFlight sync.WaitGroup
	defer inFlight.Wait()
	ctx, stop := context.WithCancel(ctx)
	defer stop()
	chunks := make(chan *verifiedChunk, 3)
	job := *b // the worker's own copy: b changes with each checkpoint
	inFlight.Go(func() {
		defer close(chunks)
		for pos := int(job.Done); pos < len(plan) && ctx.Err() == nil; pos += batchChunk {
			part := plan[pos:min(pos+batchChunk, len(plan))]
			c := &verifiedChunk{records: len(part), done: make(chan struct{})}
			inFlight.Go(func() {
				defer close(c.done)
				c.verify(s.verifyChunk(ctx, &job, data, header, part))
			})
			select {
			case chunks <- c:
			case <-ctx.Done():
				return
			}
		}
	})
	for c := range chunks {
		<-c.done
		if err := ctx.Err(); err != nil {
			return nil
		}
		if c.failed {
			return errors.New("batch: verifying a chunk failed")
		}
		half := len(c.results) / 2
		if _, err := out.Write(c.results[:half]); err != nil {
			return err
		}
		fail("batch-mid-results")
		if _, err := out.Write(c.results[half:]); err != nil {
			return err
		}
		if err := out.Sync(); err != nil {
			return err
		}
		fail("batch-after-results")
		finished, err := s.checkpointBatch(ctx, b, c, len(plan))
		if err == nil && finished && b.Status == BatchDone {
			took := b.FinishedAt.Sub(b.StartedAt)
			s.log().Info("batch done", "batch", b.ID, "records", b.Done, "took", took.Round(time.Millisecond), "per_second", int(float64(b.Done)/max(took.Seconds(), 1e-3)))
		}
		if err != nil || finished {
			return err
		}
		fail("batch-after-checkpoint")
	}
	if ctx.Err() == nil && b.Done >= int64(len(plan)) && b.Status == BatchRunning {
		// Nothing was left to verify: an empty file.
		_, err := s.checkpointBatch(ctx, b, &verifiedChunk{}, len(plan))
		return err
	}
	return nil
}

// checkpointBatch commits a chunk whose results are durable: how far the
// job is, its counts and its metered use; it reports whether the job is
// done (finished, or cancelled meanwhile).
func (s *Service) checkpointBatch(ctx context.Context, b *Batch, c *verifiedChunk, planned int) (bool, error) {
	finished := b.Done+int64(c.records) >= int64(planned)
	cancelled := false
	err := s.Store.Update(ctx, func(tx Tx) error {
		bt := s.batchTx(tx)
		cur, err := bt.Batch(ctx, b.ID)
		if err != nil {
			return err
		}
		if cur.Version != b.Version {
			if cur.Status == BatchCancelled {
				cancelled = true
				return nil
			}
			return fmt.Errorf("batch %s was taken over by another worker", b.ID)
		}
		now := s.now()
		cur.ResultsSize = b.ResultsSize + int64(len(c.results))
		cur.Done += int64(c.records)
		for k, n := range c.counts {
			cur.Counts[k] += n
		}
		cur.UpdatedAt, cur.LeaseUntil = now, now.Add(s.batchLease())
		if finished {
			cur.Status, cur.FinishedAt, cur.InputOffset = BatchDone, now, cur.InputSize
		}
		cur.Version++
		if err := bt.UpdateBatch(ctx, cur); err != nil {
			return err
		}
		*b = *cur
		if c.records == 0 {
			return nil
		}
		return tx.AddUsage(ctx, []Usage{{Month: Month(now), MemberID: b.MemberID, SystemID: b.SystemID, Operation: OpBatch, Count: int64(c.records)}})
	})
	return finished || cancelled, err
}

// verifiedChunk is a chunk of records on its way: verified and its
// results encoded (done closed), then written and checkpointed.
type verifiedChunk struct {
	records int
	done    chan struct{}
	failed  bool
	results []byte // JSON lines
	counts  map[string]int64
}

func (c *verifiedChunk) verify(results []BatchRecord) {
	if results == nil && c.records > 0 {
		c.failed = true
		return
	}
	var buf bytes.Buffer
	c.counts = map[string]int64{}
	for i := range results {
		// go-json writes what encoding/json writes (a test holds it to
		// that), in a third of the time.
		line, _ := gojson.Marshal(&results[i])
		buf.Write(line)
		buf.WriteByte('\n')
		c.counts[results[i].Result]++
	}
	c.results = buf.Bytes()
}

func (s *Service) failBatch(ctx context.Context, b *Batch, reason string) error {
	return s.Store.Update(ctx, func(tx Tx) error {
		bt := s.batchTx(tx)
		cur, err := bt.Batch(ctx, b.ID)
		if err != nil {
			return err
		}
		now := s.now()
		cur.Status, cur.Error, cur.UpdatedAt, cur.FinishedAt = BatchFailed, reason, now, now
		cur.Version++
		return bt.UpdateBatch(ctx, cur)
	})
}

// The plan: a job verifies its records in the order of the keys of the
// persons their numbers name, not in the file's order. A file of
// millions of records names a good part of the registry, and reading the
// registry in key order reads each page once, where the file's order
// would read a page per record; the access-log entries of a chunk then
// go into a small range of the log's index by person, not all over it.
// The plan (each record's key, number in the file and place) is worked
// out once: the numbers sorted and joined against the registry's index,
// then the records sorted by key. It is durable before the first chunk is
// verified, so a resumed job follows the same order whatever changed in
// the registry meanwhile, and a checkpoint is simply how many of the
// plan's records are done.

// planEntry is one record of the plan.
type planEntry struct {
	key  registry.PersonKey // 0: no one has the number, or it is malformed
	line int64              // the record's number in the file
	off  int64              // where its text begins in the file
	size int32              // and its length
}

const planMagic = "dancu batch plan 1\n"

// batchPlan returns the job's plan: the one written before, or a new one,
// written durably before it is returned.
func (s *Service) batchPlan(ctx context.Context, files BatchFiles, b *Batch, data []byte, start int, header []string) ([]planEntry, error) {
	raw, err := files.ReadPlan(b.ID)
	switch {
	case err == nil:
		plan, err := decodePlan(raw)
		if err == nil {
			return plan, nil
		}
		if b.Done == 0 {
			s.log().Warn("batch plan damaged: planning again", "batch", b.ID, "err", err)
			break
		}
		return nil, errs.E(errs.Invalid, "plan-lost", "batch %s: its plan is damaged (%v), so it cannot resume in the same order", b.ID, err)
	case !errors.Is(err, fs.ErrNotExist):
		return nil, err // unreadable for now: the job is tried again
	case b.Done > 0:
		return nil, errs.E(errs.Invalid, "plan-lost", "batch %s: its plan is lost, so it cannot resume in the same order", b.ID)
	}
	began := time.Now()
	// The file is read in one part per core, each part from a line's
	// start, its records numbered within it and then after the parts
	// before.
	parts := splitLines(data, start, max(1, runtime.GOMAXPROCS(0)))
	plans := make([][]planEntry, len(parts)-1)
	numbers := make([][]numbered, len(parts)-1)
	err = inParallel(len(plans), func(p int) error {
		var err error
		plans[p], numbers[p], err = readPlan(data, parts[p], parts[p+1], b.Format, header)
		return err
	})
	if err != nil {
		return nil, err
	}
	parsed := time.Since(began)
	// The parts are put together side by side too, each in its place.
	planAt, numberAt := make([]int, len(plans)+1), make([]int, len(plans)+1)
	for p := range plans {
		planAt[p+1], numberAt[p+1] = planAt[p]+len(plans[p]), numberAt[p]+len(numbers[p])
	}
	plan := make([]planEntry, planAt[len(plans)])
	byNumber := make([]numbered, numberAt[len(plans)])
	inParallel(len(plans), func(p int) error {
		part, before := plan[planAt[p]:planAt[p+1]], planAt[p]
		for i, e := range plans[p] {
			e.line += int64(before)
			part[i] = e
		}
		for i, n := range numbers[p] {
			byNumber[numberAt[p]+i] = numbered{n.number, before + n.record}
		}
		plans[p], numbers[p] = nil, nil
		return nil
	})
	// In the file's order, so by number and then by record.
	byNumber = sortedByKey(byNumber, func(x *numbered) uint64 { return x.number })
	// The distinct numbers as text, side by side in one string in their
	// order, as the resolver compares them.
	text := make([]byte, 0, 12*len(byNumber))
	var ends []int
	for i, x := range byNumber {
		if i == 0 || x.number != byNumber[i-1].number {
			text = appendUnpacked(text, x.number)
			ends = append(ends, len(text))
		}
	}
	all, from := string(text), 0
	text = nil
	distinct := make([]string, len(ends))
	for i, end := range ends {
		distinct[i], from = all[from:end], end
	}
	ends = nil
	read := time.Since(began)
	keys, err := s.Registry.ResolveAll(ctx, distinct)
	if err != nil {
		return nil, err
	}
	found := 0
	for i, d := 0, -1; i < len(byNumber); i++ {
		if i == 0 || byNumber[i].number != byNumber[i-1].number {
			if d++; keys[d] != 0 {
				found++
			}
		}
		plan[byNumber[i].record].key = keys[d]
	}
	distinctNumbers := len(distinct)
	byNumber, distinct, keys = nil, nil, nil
	resolved := time.Since(began)
	// In line order, so by key and then by line.
	plan = sortedByKey(plan, func(x *planEntry) uint64 { return uint64(x.key) })
	sorted := time.Since(began)
	if err := files.WritePlan(b.ID, func(w io.Writer) error { return encodePlan(w, plan) }); err != nil {
		return nil, err
	}
	ms := func(d time.Duration) time.Duration { return d.Round(time.Millisecond) }
	s.log().Info("batch planned", "batch", b.ID, "records", len(plan), "numbers", distinctNumbers, "found", found,
		"parsed", ms(parsed), "read", ms(read), "resolved", ms(resolved), "sorted", ms(sorted), "took", ms(time.Since(began)))
	return plan, nil
}

// numbered is a record's number, packed (packNumber), and the record's
// place: sorting millions of these is sorting integers in place, where
// sorting the numbers as strings chased a pointer for each comparison.
type numbered struct {
	number uint64
	record int
}

// packNumber packs a number of up to 16 ASCII digits into an integer
// that sorts as its text does: a nibble a digit (its value plus one),
// zeros after the last. Personal ID and legacy numbers are 12 and 9
// digits; no one has any other, and a record naming one is answered as
// invalid without a look-up, so it need not be packed (ok false).
func packNumber(n string) (packed uint64, ok bool) {
	if len(n) == 0 || len(n) > 16 {
		return 0, false
	}
	for i := range 16 {
		packed <<= 4
		if i < len(n) {
			c := n[i]
			if c < '0' || c > '9' {
				return 0, false
			}
			packed |= uint64(c-'0') + 1
		}
	}
	return packed, true
}

// appendUnpacked appends the number packNumber packed.
func appendUnpacked(b []byte, packed uint64) []byte {
	for shift := 60; shift >= 0; shift -= 4 {
		nibble := byte(packed>>shift) & 0xf
		if nibble == 0 {
			break
		}
		b = append(b, '0'+nibble-1)
	}
	return b
}

// splitLines cuts data[start:] into n parts that begin at a line's
// start, returning the n+1 bounds.
func splitLines(data []byte, start, n int) []int {
	bounds := []int{start}
	for p := 1; p < n; p++ {
		cut := start + (len(data)-start)*p/n
		if nl := bytes.IndexByte(data[cut:], '\n'); nl >= 0 {
			cut += nl + 1
		} else {
			cut = len(data)
		}
		bounds = append(bounds, max(cut, bounds[len(bounds)-1]))
	}
	return append(bounds, len(data))
}

// readPlan reads the records of data[from:to] (whole lines), numbered from
// 1, with the number each well-formed one names, if it may be someone's
// (and its place among them).
func readPlan(data []byte, from, to int, format string, header []string) ([]planEntry, []numbered, error) {
	lines := bytes.Count(data[from:to], []byte{'\n'}) + 1
	plan := make([]planEntry, 0, lines)
	numbers := make([]numbered, 0, lines)
	for off := from; off < to; {
		end := bytes.IndexByte(data[off:to], '\n')
		if end < 0 {
			end = to
		} else {
			end += off + 1
		}
		// Cut as countRecords and bytes.TrimSpace cut.
		left := bytes.TrimLeftFunc(data[off:end], unicode.IsSpace)
		lead := end - off - len(left)
		if text := bytes.TrimRightFunc(left, unicode.IsSpace); len(text) > 0 {
			if len(text) > 1<<20 {
				return nil, nil, errs.InvalidField("input", "too-long", "a record is longer than 1 MiB")
			}
			if n, ok := recordNumber(format, header, text); ok {
				if packed, ok := packNumber(n); ok {
					numbers = append(numbers, numbered{packed, len(plan)})
				}
			}
			plan = append(plan, planEntry{line: int64(len(plan) + 1), off: int64(off + lead), size: int32(len(text))})
		}
		off = end
	}
	return plan, numbers, nil
}

// inParallel runs fn(0) … fn(n-1) side by side and returns the first
// error.
func inParallel(n int, fn func(int) error) error {
	var g errgroup.Group
	for i := range n {
		g.Go(func() error { return fn(i) })
	}
	return g.Wait()
}

// sortedByKey sorts s by key, stably: a least-significant-byte-first
// radix sort, whose few linear passes sort a plan of millions of entries
// in a fraction of the time comparisons took. One pass counts every
// byte's values; a byte all keys share is not sorted on. It returns the
// sorted entries, in s or in a new slice.
func sortedByKey[T any](s []T, key func(*T) uint64) []T {
	if len(s) < 2 {
		return s
	}
	var counts [8][256]int
	for i := range s {
		k := key(&s[i])
		for b := range counts {
			counts[b][byte(k>>(8*b))]++
		}
	}
	var buf []T
	src := s
	for b := range counts {
		if counts[b][byte(key(&src[0])>>(8*b))] == len(src) {
			continue // every key has this byte
		}
		if buf == nil {
			buf = make([]T, len(s))
		}
		at := 0
		for v, n := range counts[b] {
			counts[b][v] = at
			at += n
		}
		for i := range src {
			v := byte(key(&src[i]) >> (8 * b))
			buf[counts[b][v]] = src[i]
			counts[b][v]++
		}
		src, buf = buf, src
	}
	return src
}

// encodePlan writes the plan as fixed-size rows after a header, with a
// SHA-256 of it all at the end.
func encodePlan(w io.Writer, plan []planEntry) error {
	sum := sha256.New()
	out := bufio.NewWriterSize(io.MultiWriter(w, sum), 1<<20)
	head := binary.LittleEndian.AppendUint64([]byte(planMagic), uint64(len(plan)))
	if _, err := out.Write(head); err != nil {
		return err
	}
	var row [28]byte
	for _, e := range plan {
		binary.LittleEndian.PutUint64(row[0:], uint64(e.key))
		binary.LittleEndian.PutUint64(row[8:], uint64(e.line))
		binary.LittleEndian.PutUint64(row[16:], uint64(e.off))
		binary.LittleEndian.PutUint32(row[24:], uint32(e.size))
		if _, err := out.Write(row[:]); err != nil {
			return err
		}
	}
	if err := out.Flush(); err != nil {
		return err
	}
	_, err := w.Write(sum.Sum(nil))
	return err
}

func decodePlan(raw []byte) ([]planEntry, error) {
	head := len(planMagic) + 8
	if len(raw) < head+sha256.Size || string(raw[:len(planMagic)]) != planMagic {
		return nil, errors.New("batch plan: not a plan")
	}
	body := raw[:len(raw)-sha256.Size]
	if sum := sha256.Sum256(body); !bytes.Equal(sum[:], raw[len(body):]) {
		return nil, errors.New("batch plan: damaged (its checksum does not match)")
	}
	n := binary.LittleEndian.Uint64(body[len(planMagic):])
	rows := body[head:]
	if uint64(len(rows)) != 28*n {
		return nil, errors.New("batch plan: damaged (wrong length)")
	}
	plan := make([]planEntry, n)
	for i := range plan {
		r := rows[28*i:]
		plan[i] = planEntry{key: registry.PersonKey(binary.LittleEndian.Uint64(r)), line: int64(binary.LittleEndian.Uint64(r[8:])),
			off: int64(binary.LittleEndian.Uint64(r[16:])), size: int32(binary.LittleEndian.Uint32(r[24:]))}
	}
	return plan, nil
}

// recordNumber returns the number a well-formed record names, spaces
// trimmed, reading no more of it than it must.
func recordNumber(format string, header []string, text []byte) (string, bool) {
	if format != "csv" {
		if n, ok := plainNumber(text); ok {
			return strings.TrimSpace(n), true
		}
	}
	req, bad := parseRecord(format, header, text)
	return strings.TrimSpace(req.IDDocument), bad == ""
}

// parseRecord reads one record of the input; a malformed one comes back
// with the reason.
func parseRecord(format string, header []string, text []byte) (batchRequest, string) {
	if format == "csv" {
		return csvRecord(header, text)
	}
	req, err := jsonRecord(text)
	if err != nil {
		return batchRequest{}, "not a JSON verification request: " + err.Error()
	}
	return req, ""
}

// jsonRecord reads a JSON line: an object of text attributes named as the
// API names them. Each record is read twice (for the plan, then to be
// verified), and encoding/json's reflection took a sixth of a job's
// time; this reads the flat object directly, leaving only escaped or
// unusual text to encoding/json. A fuzz test holds it to encoding/json's
// answers.
func jsonRecord(text []byte) (batchRequest, error) {
	if req, ok := plainRecord(text); ok {
		return req, nil
	}
	var req batchRequest
	if !json.Valid(text) {
		var probe any
		return req, json.Unmarshal(text, &probe)
	}
	i := skipSpace(text, 0)
	switch text[i] {
	case 'n':
		return req, nil // null: nothing sent
	case '{':
	default:
		return req, errors.New("a record is a JSON object")
	}
	i = skipSpace(text, i+1)
	for text[i] != '}' {
		name, next, err := jsonString(text, i)
		if err != nil {
			return req, err
		}
		field := req.attribute(name)
		if field == nil {
			return req, fmt.Errorf("unknown attribute %q", name)
		}
		i = skipSpace(text, skipSpace(text, next)+1) // past the colon
		switch text[i] {
		case '"':
			if *field, i, err = jsonString(text, i); err != nil {
				return req, err
			}
		case 'n':
			i += len("null") // leaves the attribute as it was
		default:
			return req, fmt.Errorf("attribute %q is not text", name)
		}
		if i = skipSpace(text, i); text[i] == ',' {
			i = skipSpace(text, i+1)
		}
	}
	return req, nil
}

// plainRecord reads the usual record — an object of known attributes
// whose values are strings without escapes, or null — checking its
// syntax as it goes; anything else is left to jsonRecord's general path
// (ok false).
func plainRecord(text []byte) (req batchRequest, ok bool) {
	ok = scanPlain(text, func(name, value []byte) bool {
		field := req.attribute(string(name))
		if field != nil && value != nil {
			*field = string(value)
		}
		return field != nil
	})
	return req, ok
}

// plainNumber returns the number a usual record names (as plainRecord
// reads it) without reading the rest: the plan wants nothing else.
func plainNumber(text []byte) (number string, ok bool) {
	var raw []byte
	ok = scanPlain(text, func(name, value []byte) bool {
		if string(name) == "idDocument" && value != nil {
			raw = value
		}
		return knownAttribute(string(name))
	})
	return string(raw), ok
}

// knownAttribute reports whether a JSON name is one of a record's.
func knownAttribute(name string) bool {
	var r batchRequest
	return r.attribute(name) != nil
}

// scanPlain walks a usual record, calling attribute with each name and
// its value (nil for null); it reports false for anything else, or when
// attribute refuses a name.
func scanPlain(text []byte, attribute func(name, value []byte) bool) bool {
	i := skipSpace(text, 0)
	if i == len(text) || text[i] != '{' {
		return false
	}
	// str returns the string at text[i] and where it ends, ok false for
	// one with escapes or control characters.
	str := func(i int) ([]byte, int, bool) {
		if i >= len(text) || text[i] != '"' {
			return nil, 0, false
		}
		for j := i + 1; j < len(text); j++ {
			switch c := text[j]; {
			case c == '"':
				raw := text[i+1 : j : j]
				if !utf8.Valid(raw) {
					return nil, 0, false
				}
				return raw, j + 1, true
			case c == '\\' || c < 0x20:
				return nil, 0, false
			}
		}
		return nil, 0, false
	}
	i = skipSpace(text, i+1)
	if i < len(text) && text[i] == '}' {
		return skipSpace(text, i+1) == len(text)
	}
	for {
		name, next, good := str(i)
		if !good {
			return false
		}
		if i = skipSpace(text, next); i == len(text) || text[i] != ':' {
			return false
		}
		var value []byte
		if i = skipSpace(text, i+1); bytes.HasPrefix(text[i:], []byte("null")) {
			i += len("null")
		} else if value, i, good = str(i); !good {
			return false
		}
		if !attribute(name, value) {
			return false
		}
		switch i = skipSpace(text, i); {
		case i == len(text):
			return false
		case text[i] == ',':
			i = skipSpace(text, i+1)
		case text[i] == '}':
			return skipSpace(text, i+1) == len(text)
		default:
			return false
		}
	}
}

// attribute returns the attribute a JSON name stands for.
func (r *batchRequest) attribute(name string) *string {
	switch name {
	case "ref":
		return &r.Ref
	case "idDocument":
		return &r.IDDocument
	case "legacyIdDocument":
		return &r.LegacyID
	case "name":
		return &r.Name
	case "givenName":
		return &r.GivenName
	case "familyName":
		return &r.FamilyName
	case "birthdate":
		return &r.Birthdate
	case "gender":
		return &r.Gender
	case "address":
		return &r.Address
	case "phoneNumber":
		return &r.PhoneNumber
	}
	return nil
}

func skipSpace(text []byte, i int) int {
	for i < len(text) && (text[i] == ' ' || text[i] == '\t' || text[i] == '\n' || text[i] == '\r') {
		i++
	}
	return i
}

// jsonString reads the string that starts at text[i] (valid JSON) and
// returns where it ends.
func jsonString(text []byte, i int) (string, int, error) {
	plain := true
	j := i + 1
	for ; text[j] != '"'; j++ {
		if text[j] == '\\' {
			plain = false
			j++
		}
	}
	raw := text[i+1 : j]
	if plain && utf8.Valid(raw) {
		return string(raw), j + 1, nil
	}
	var s string
	err := json.Unmarshal(text[i:j+1], &s)
	return s, j + 1, err
}

// verifyChunk verifies a chunk of the plan: each record must only name
// attributes the grant covers; the registry is read in the plan's (key)
// order and the chunk's access-log entries go in one durable write.
func (s *Service) verifyChunk(ctx context.Context, b *Batch, data []byte, header []string, part []planEntry) []BatchRecord {
	out := make([]BatchRecord, len(part))
	grants, err := s.memberGrants(ctx, b.MemberID, s.now())
	if err != nil {
		return nil
	}
	var grant *Grant
	for _, g := range grants {
		if g.Purpose == b.Purpose && g.InForce(s.now()) && slices.Contains(g.Operations, OpBatch) {
			grant = g
		}
	}
	touchAll(data, part)
	reqs := make([]VerifyRequest, len(part))
	var keys []registry.PersonKey
	var idx []int
	for i, p := range part {
		r, bad := parseRecord(b.Format, header, data[p.off:p.off+int64(p.size)])
		out[i] = BatchRecord{Line: p.line, Ref: r.Ref}
		req := r.VerifyRequest.trimmed()
		switch {
		case bad != "":
			out[i].Result, out[i].Reason = "invalid", bad
			continue
		case grant == nil:
			out[i].Result, out[i].Reason = "invalid", "the member's grant for batch verification with this purpose is no longer in force"
			continue
		}
		if err := req.check(); err != nil {
			out[i].Result, out[i].Reason = "invalid", err.Error()
			continue
		}
		var outside []string
		for _, f := range req.fields() {
			if !slices.Contains(grant.Fields, f) {
				outside = append(outside, f)
			}
		}
		if len(outside) > 0 {
			out[i].Result, out[i].Reason = "invalid", "attributes outside the grant: "+strings.Join(outside, ", ")
			continue
		}
		if err := registry.CheckNumber(req.IDDocument); err != nil {
			out[i].Result, out[i].Reason = "invalid", err.Error()
			continue
		}
		if p.key == 0 {
			out[i].Result = "not_found"
			continue
		}
		reqs[i] = req
		keys = append(keys, p.key)
		idx = append(idx, i)
	}
	if len(keys) == 0 {
		return out
	}
	act := s.systemActor(b.SystemID, b.MemberID, b.Purpose, grant.LegalBasis, grant.WithholdDays, "batch:"+b.ID)
	telco := s.memberType(ctx, b.MemberID) == MemberTelco
	var confirm []phoneConfirmation
	var confirmMu sync.Mutex // judge runs on several goroutines
	examined, err := s.Registry.ExamineKeys(ctx, act, keys, []string{"batch_verify"}, func(j int, p *registry.Citizen) string {
		i := idx[j]
		req := reqs[i]
		m := s.match(p, req)
		out[i].Result, out[i].Matches = m.Result, m
		out[i].Mismatched = m.mismatched()
		if telco && identityMatched(req, m) && !slices.ContainsFunc(p.Phones, func(ph registry.Phone) bool {
			return ph.Number == normalPhone(req.PhoneNumber) && ph.Source == registry.PhoneTelco
		}) {
			confirmMu.Lock()
			confirm = append(confirm, phoneConfirmation{person: p, phone: normalPhone(req.PhoneNumber)})
			confirmMu.Unlock()
		}
		return m.Result
	})
	if err != nil {
		return nil
	}
	if err := s.confirmPhones(ctx, b, grant, confirm); err != nil {
		return nil
	}
	for j, x := range examined {
		i := idx[j]
		switch {
		case x.Err == nil:
		case errs.Is(x.Err, errs.NotFound):
			out[i].Result = "not_found"
		default:
			out[i].Result, out[i].Reason = "invalid", x.Err.Error()
		}
	}
	return out
}

// touched keeps touchAll's reads from being optimised away.
var touched atomic.Uint32

// touchAll reads the first byte of each record of a chunk before any is
// parsed. In key order the records lie all over the input, each a wait
// for memory; reading them one after another in a loop with nothing else
// to do lets the processor wait for many at once, where parsing each in
// turn waited for them one by one (it was a twentieth of a job's time).
func touchAll(data []byte, part []planEntry) {
	var sum byte
	for _, p := range part {
		sum += data[p.off]
	}
	touched.Add(uint32(sum))
}

// mismatched names the attributes that did not match.
func (r *VerifyResult) mismatched() []string {
	var out []string
	// In the names' order.
	for _, a := range [...]struct {
		name  string
		match Match
	}{{"address", r.AddressMatch}, {"birthdate", r.BirthdateMatch}, {"familyName", r.FamilyNameMatch}, {"gender", r.GenderMatch},
		{"givenName", r.GivenNameMatch}, {"legacyIdDocument", r.LegacyIDMatch}, {"name", r.NameMatch}, {"phoneNumber", r.PhoneNumberMatch}} {
		if a.match == MatchFalse {
			out = append(out, a.name)
		}
	}
	return out
}

// csvRecord reads a CSV row by the header's attribute names.
func csvRecord(header []string, line []byte) (batchRequest, string) {
	cols, err := csv.NewReader(bytes.NewReader(line)).Read()
	if err != nil {
		return batchRequest{}, "not a CSV row: " + err.Error()
	}
	if len(cols) != len(header) {
		return batchRequest{}, fmt.Sprintf("%d columns, the header has %d", len(cols), len(header))
	}
	var r batchRequest
	for i, h := range header {
		field := r.attribute(strings.TrimSpace(h))
		if field == nil {
			return batchRequest{}, fmt.Sprintf("unknown column %q", h)
		}
		*field = cols[i]
	}
	return r, ""
}

// TelcoTx is the store's record of the numbers telcos confirmed.
type TelcoTx interface {
	// TelcoNumber returns who a number was last confirmed for (0 if
	// no one).
	TelcoNumber(ctx context.Context, number string) (person int64, pid string, err error)
	PutTelcoNumber(ctx context.Context, number string, person int64, pid, member string, at time.Time) error
}

// confirmPhones closes a telco's loop: each subscriber record whose
// identity matched (number, name, birth date — everything but the phone)
// records the mobile number as telco-confirmed for the person, a registry
// event, which is what e-ID enrolment checks phone numbers against; a
// number confirmed before for someone else leaves that person. Running a
// chunk again changes nothing more: a number already confirmed for the
// person, or already gone from the earlier holder, is left as it is.
func (s *Service) confirmPhones(ctx context.Context, b *Batch, grant *Grant, confirmed []phoneConfirmation) error {
	a := s.systemActor(b.SystemID, b.MemberID, b.Purpose, grant.LegalBasis, grant.WithholdDays, "batch:"+b.ID)
	a.Purpose = b.Purpose + " (xác nhận thuê bao)"
	for _, c := range confirmed {
		var prevKey int64
		var prevPID string
		if err := s.Store.View(ctx, func(tx Tx) error {
			var err error
			prevKey, prevPID, err = tx.(TelcoTx).TelcoNumber(ctx, c.phone)
			return err
		}); err != nil {
			return err
		}
		if prevKey != 0 && prevKey != int64(c.person.Key) {
			_, err := s.Registry.RecordEvent(ctx, a, prevPID, registry.EventRequest{Type: string(registry.EventPhoneNumber), Phone: c.phone, Remove: true,
				Reason: "số thuê bao đã được nhà mạng xác nhận cho người khác"}, registry.WriteOptions{})
			if err != nil && !errs.Is(err, errs.Unprocessable) {
				return err
			}
		}
		_, err := s.Registry.RecordEvent(ctx, a, string(c.person.PID), registry.EventRequest{Type: string(registry.EventPhoneNumber), Phone: c.phone,
			PhoneSource: string(registry.PhoneTelco), Reason: "nhà mạng xác nhận thuê bao"}, registry.WriteOptions{})
		if err != nil && !errs.Is(err, errs.Unprocessable) {
			return err
		}
		if err := s.Store.Update(ctx, func(tx Tx) error {
			return tx.(TelcoTx).PutTelcoNumber(ctx, c.phone, int64(c.person.Key), string(c.person.PID), b.MemberID, s.now())
		}); err != nil {
			return err
		}
	}
	return nil
}

type phoneConfirmation struct {
	person *registry.Citizen
	phone  string
}

// identityMatched reports whether a subscriber record names the person:
// the number and every other attribute sent but the phone agree, and a
// name or a birth date was among them.
func identityMatched(req VerifyRequest, m *VerifyResult) bool {
	if req.PhoneNumber == "" || m.IDDocumentMatch != MatchTrue || (req.Name == "" && req.Birthdate == "") {
		return false
	}
	for _, x := range []Match{m.LegacyIDMatch, m.NameMatch, m.GivenNameMatch, m.FamilyNameMatch, m.BirthdateMatch, m.GenderMatch, m.AddressMatch} {
		if x == MatchFalse {
			return false
		}
	}
	return true
}

func normalPhone(p string) string {
	n, _ := eid.NormalizePhone(p)
	return n
}

// memberType returns the type of a member ("" when unknown).
func (s *Service) memberType(ctx context.Context, id string) MemberType {
	if m := s.member(ctx, id); m != nil {
		return m.Type
	}
	return ""
}
