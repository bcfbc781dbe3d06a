package exchange

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"time"

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
	return b, err
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

// RunBatches works on jobs until ctx ends: every poll it takes the next
// job it may and runs it to its end (or until cancelled).
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
			}
		}
	}
}

// runBatch verifies a job from its last checkpoint to its end.
func (s *Service) runBatch(ctx context.Context, files BatchFiles, b *Batch, fail Failpoint) error {
	if fail == nil {
		fail = func(string) {}
	}
	in, err := files.OpenInput(b.ID)
	if err != nil {
		return err
	}
	defer in.Close()
	var header []string
	if b.Format == "csv" {
		h, err := csv.NewReader(in).Read()
		if err != nil && err != io.EOF {
			return s.failBatch(ctx, b, "the CSV header cannot be read: "+err.Error())
		}
		header = h
		if b.InputOffset == 0 {
			// Start after the header: find its end.
			if _, err := in.Seek(0, io.SeekStart); err != nil {
				return err
			}
			br := bufio.NewReader(in)
			line, _ := br.ReadSlice('\n')
			b.InputOffset = int64(len(line))
		}
	}
	if _, err := in.Seek(b.InputOffset, io.SeekStart); err != nil {
		return err
	}
	out, err := files.OpenResults(b.ID, b.ResultsSize)
	if err != nil {
		return err
	}
	defer out.Close()
	reader := newRecordReader(in, b.Format, header, b.InputOffset, b.Done)
	for {
		if err := ctx.Err(); err != nil {
			return nil
		}
		recs, end, readErr := reader.next(batchChunk)
		if readErr != nil {
			return s.failBatch(ctx, b, readErr.Error())
		}
		results := s.verifyChunk(ctx, b, recs)
		if results == nil && len(recs) > 0 {
			return errors.New("batch: verifying a chunk failed")
		}
		var buf bytes.Buffer
		counts := map[string]int64{}
		for _, r := range results {
			line, _ := json.Marshal(r)
			buf.Write(line)
			buf.WriteByte('\n')
			counts[r.Result]++
		}
		half := buf.Len() / 2
		if _, err := out.Write(buf.Bytes()[:half]); err != nil {
			return err
		}
		fail("batch-mid-results")
		if _, err := out.Write(buf.Bytes()[half:]); err != nil {
			return err
		}
		if err := out.Sync(); err != nil {
			return err
		}
		fail("batch-after-results")
		finished := end >= b.InputSize || len(recs) == 0
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
			cur.InputOffset, cur.ResultsSize = end, b.ResultsSize+int64(buf.Len())
			cur.Done += int64(len(results))
			for k, n := range counts {
				cur.Counts[k] += n
			}
			cur.UpdatedAt, cur.LeaseUntil = now, now.Add(s.batchLease())
			if finished {
				cur.Status, cur.FinishedAt = BatchDone, now
			}
			cur.Version++
			if err := bt.UpdateBatch(ctx, cur); err != nil {
				return err
			}
			*b = *cur
			if len(results) == 0 {
				return nil
			}
			return tx.AddUsage(ctx, []Usage{{Month: Month(now), MemberID: b.MemberID, SystemID: b.SystemID, Operation: OpBatch, Count: int64(len(results))}})
		})
		if err != nil || cancelled {
			return err
		}
		fail("batch-after-checkpoint")
		if finished {
			return nil
		}
	}
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

type readRecord struct {
	line int64
	req  batchRequest
	err  string
}

// verifyChunk verifies records: each must only name attributes the grant
// covers; the registry reads of the chunk share one snapshot and one
// access-log write.
func (s *Service) verifyChunk(ctx context.Context, b *Batch, recs []readRecord) []BatchRecord {
	out := make([]BatchRecord, len(recs))
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
	var numbers []string
	var idx []int
	for i, r := range recs {
		out[i] = BatchRecord{Line: r.line, Ref: r.req.Ref}
		req := r.req.VerifyRequest.trimmed()
		switch {
		case r.err != "":
			out[i].Result, out[i].Reason = "invalid", r.err
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
		recs[i].req.VerifyRequest = req
		numbers = append(numbers, req.IDDocument)
		idx = append(idx, i)
	}
	if len(numbers) == 0 {
		return out
	}
	act := s.systemActor(b.SystemID, b.MemberID, b.Purpose, grant.LegalBasis, grant.WithholdDays, "batch:"+b.ID)
	telco := s.memberType(ctx, b.MemberID) == MemberTelco
	var confirm []phoneConfirmation
	var confirmMu sync.Mutex // judge runs on several goroutines
	examined, err := s.Registry.ExamineMany(ctx, act, numbers, []string{"batch_verify"}, func(j int, p *registry.Citizen) string {
		i := idx[j]
		req := recs[i].req.VerifyRequest
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

// mismatched names the attributes that did not match.
func (r *VerifyResult) mismatched() []string {
	var out []string
	for name, m := range map[string]Match{"legacyIdDocument": r.LegacyIDMatch, "name": r.NameMatch, "givenName": r.GivenNameMatch,
		"familyName": r.FamilyNameMatch, "birthdate": r.BirthdateMatch, "gender": r.GenderMatch, "address": r.AddressMatch, "phoneNumber": r.PhoneNumberMatch} {
		if m == MatchFalse {
			out = append(out, name)
		}
	}
	slices.Sort(out)
	return out
}

// recordReader reads records and the input offset after each.
type recordReader struct {
	format string
	header []string
	br     *bufio.Reader
	offset int64
	line   int64
}

// newRecordReader reads from offset, where record number done+1 begins.
func newRecordReader(r io.Reader, format string, header []string, offset, done int64) *recordReader {
	return &recordReader{format: format, header: header, br: bufio.NewReaderSize(r, 1<<20), offset: offset, line: done}
}

// next reads up to n records and returns them with the offset after the
// last. A malformed record is a record with an error, not a failure.
func (rr *recordReader) next(n int) ([]readRecord, int64, error) {
	var out []readRecord
	for len(out) < n {
		raw, err := rr.br.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			return nil, 0, errors.New("a record is longer than 1 MiB")
		}
		if err != nil && err != io.EOF {
			return nil, 0, err
		}
		rr.offset += int64(len(raw))
		if line := bytes.TrimSpace(raw); len(line) > 0 {
			rr.line++
			rec := readRecord{line: rr.line}
			if rr.format == "jsonl" {
				dec := json.NewDecoder(bytes.NewReader(line))
				dec.DisallowUnknownFields()
				if derr := dec.Decode(&rec.req); derr != nil {
					rec.err = "not a JSON verification request: " + derr.Error()
				}
			} else {
				rec.req, rec.err = csvRecord(rr.header, line)
			}
			out = append(out, rec)
		}
		if err == io.EOF {
			break
		}
	}
	return out, rr.offset, nil
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
		v := cols[i]
		switch strings.TrimSpace(h) {
		case "ref":
			r.Ref = v
		case "idDocument":
			r.IDDocument = v
		case "legacyIdDocument":
			r.LegacyID = v
		case "name":
			r.Name = v
		case "givenName":
			r.GivenName = v
		case "familyName":
			r.FamilyName = v
		case "birthdate":
			r.Birthdate = v
		case "gender":
			r.Gender = v
		case "address":
			r.Address = v
		case "phoneNumber":
			r.PhoneNumber = v
		default:
			return batchRequest{}, fmt.Sprintf("unknown column %q", h)
		}
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
