package load

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"time"

	"dancu/internal/bulk"
	"dancu/internal/civil"
	"dancu/internal/errs"
	"dancu/internal/pid"
	"dancu/internal/registry"
)

// An import loads a file of rows (one person each, the schema export
// writes) in batches. Each batch commits with a checkpoint naming where the
// next record starts, so a killed import resumes there: every row before it
// was loaded or rejected exactly once, none after it was. The rejects file
// gets its lines before the batch commits; on resume the lines past the
// checkpoint are dropped and written again.
//
// A row becomes a birth and the events of the rest of its record: legacy
// numbers, residences (a household is created by its first row), phones, a
// marriage, a death. A marriage is recorded by the second of the two
// spouses' rows, when the first is known; a row whose spouse never comes is
// loaded without it, with a warning in the rejects file. Every row's
// history is folded by the registry's rules before it joins its batch; a
// row that breaks one is rejected with the rule's message.

// ImportStore is what an import needs of the store.
type ImportStore interface {
	registry.Loader
	Checkpoint(ctx context.Context, fileID string) (*registry.ImportCheckpoint, error)
	SaveCheckpoint(ctx context.Context, cp *registry.ImportCheckpoint) error
	// ResolveNumbers returns the persons that numbers (personal ID or
	// legacy) name; numbers no one has are absent.
	ResolveNumbers(ctx context.Context, numbers []string) (map[string]registry.PersonKey, error)
	// Households returns the stored households among ids.
	Households(ctx context.Context, ids []string) (map[string]*registry.Household, error)
}

// ImportOptions configure an import.
type ImportOptions struct {
	Path string
	// Rejects is where rejected rows go as JSON lines; default Path +
	// ".rejects.jsonl".
	Rejects   string
	Today     civil.Date
	BatchRows int
	Officer   string
	Progress  Progress
	// Failpoint, when set, is called at named points ("before-commit",
	// "after-commit", "after-rejects"), so tests can kill the process
	// exactly there.
	Failpoint func(name string)
}

// ImportStats sum up an import.
type ImportStats struct {
	FileID                    string
	Records, Loaded, Rejected int64
	Warnings                  int64
	Resumed, AlreadyDone      bool
	ResumedAt                 int64 // records handled before this run
	Elapsed                   time.Duration
}

// Warning codes: the row was loaded, with a note in the rejects file.
const CodeSpouseNotFound = "spouse_not_found"

// Import loads a file.
func Import(ctx context.Context, svc *registry.Service, st ImportStore, opt ImportOptions) (ImportStats, error) {
	start := time.Now()
	var stats ImportStats
	if opt.BatchRows <= 0 {
		opt.BatchRows = 5000
	}
	if opt.Progress == nil {
		opt.Progress = noProgress{}
	}
	if opt.Failpoint == nil {
		opt.Failpoint = func(string) {}
	}
	if opt.Officer == "" {
		opt.Officer = "import"
	}
	if opt.Rejects == "" {
		opt.Rejects = opt.Path + ".rejects.jsonl"
	}
	ctx = registry.ReadYourWrites(ctx)
	f, err := os.Open(opt.Path)
	if err != nil {
		return stats, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return stats, err
	}
	if fi.Size() == 0 {
		return stats, errs.E(errs.Invalid, "empty-file", "%s is empty: nothing to import", opt.Path)
	}
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return stats, err
	}
	stats.FileID = hex.EncodeToString(h.Sum(nil))
	head := make([]byte, 512)
	n, _ := f.ReadAt(head, 0)
	format, err := bulk.DetectFormat(opt.Path, head[:n])
	if err != nil {
		return stats, err
	}
	cp, err := st.Checkpoint(ctx, stats.FileID)
	if err != nil {
		return stats, err
	}
	if cp != nil && cp.Finished {
		stats.AlreadyDone = true
		stats.Records, stats.Loaded, stats.Rejected = cp.Records, cp.Loaded, cp.Rejected
		return stats, nil
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return stats, err
	}
	var rd *bulk.Reader
	if cp == nil {
		now := time.Now()
		cp = &registry.ImportCheckpoint{FileID: stats.FileID, Name: filepath.Base(opt.Path), Format: format.String(), StartedAt: now, UpdatedAt: now}
		rd, err = bulk.NewReader(bufio.NewReaderSize(f, 1<<20), format)
		if err == nil {
			pos := rd.Position()
			cp.NextOffset, cp.NextLine = pos.Offset, pos.Line
		}
	} else {
		stats.Resumed, stats.ResumedAt = true, cp.Records
		rd, err = bulk.NewReaderAt(f, format, bulk.Position{Offset: cp.NextOffset, Line: cp.NextLine})
	}
	if err != nil {
		return stats, err
	}
	rejects, err := openRejects(opt.Rejects, stats.Resumed, cp.NextOffset)
	if err != nil {
		return stats, err
	}
	defer rejects.Close()
	opt.Progress.Add(cp.Records)

	im := &importer{svc: svc, st: st, opt: opt, numbers: bulk.NewNumbers(), cc: bulk.CheckContext{Places: svc.Places, Today: opt.Today},
		awaiting: map[pid.Number]awaitingSpouse{}}
	for {
		b, done, err := im.readBatch(ctx, rd, rejects)
		if err != nil {
			return stats, err
		}
		pos := rd.Position()
		cp.NextOffset, cp.NextLine = pos.Offset, pos.Line
		cp.Records += int64(b.records)
		cp.Loaded += int64(len(b.batch.Persons))
		cp.Rejected += int64(b.rejected)
		cp.UpdatedAt = time.Now()
		cp.Finished = done
		stats.Warnings += int64(b.warnings)
		if err := rejects.Sync(); err != nil {
			return stats, err
		}
		opt.Failpoint("after-rejects")
		if len(b.batch.Persons) > 0 {
			opt.Failpoint("before-commit")
			if err := loadOne(ctx, svc, st, b.batch, opt.Today, cp); err != nil {
				return stats, fmt.Errorf("load batch ending at line %d: %w", cp.NextLine, err)
			}
		} else if err := st.SaveCheckpoint(ctx, cp); err != nil {
			return stats, err
		}
		opt.Failpoint("after-commit")
		opt.Progress.Add(int64(b.records))
		if done {
			break
		}
	}
	stats.Records, stats.Loaded, stats.Rejected = cp.Records, cp.Loaded, cp.Rejected
	stats.Elapsed = time.Since(start)
	return stats, nil
}

// openRejects opens the rejects file: new for a fresh import, and for a
// resumed one without the lines of records at or after the checkpoint,
// which this run reads again.
func openRejects(path string, resumed bool, next int64) (*os.File, error) {
	if !resumed {
		return os.Create(path)
	}
	old, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	tmp := path + ".tmp"
	out, err := os.Create(tmp)
	if err != nil {
		return nil, err
	}
	sc := bufio.NewScanner(bytes.NewReader(old))
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	for sc.Scan() {
		var rej struct {
			Offset int64 `json:"offset"`
		}
		if json.Unmarshal(sc.Bytes(), &rej) != nil || rej.Offset >= next {
			continue
		}
		out.Write(append(sc.Bytes(), '\n'))
	}
	if err := out.Sync(); err != nil {
		out.Close()
		return nil, err
	}
	if err := os.Rename(tmp, path); err != nil {
		out.Close()
		return nil, err
	}
	return out, nil
}

// importer turns rows into batches.
type importer struct {
	svc     *registry.Service
	st      ImportStore
	opt     ImportOptions
	numbers *bulk.Numbers
	cc      bulk.CheckContext
	// awaiting are rows that named a spouse not yet seen, by the spouse's
	// number; the spouse's row records the marriage.
	awaiting map[pid.Number]awaitingSpouse
}

type awaitingSpouse struct {
	pid pid.Number
	rec bulk.Record
}

type pendingBatch struct {
	batch                       *registry.LoadBatch
	records, rejected, warnings int
}

// batchState is what a batch under construction knows.
type batchState struct {
	b          *registry.LoadBatch
	keys       map[pid.Number]registry.PersonKey // persons of this batch by number
	events     map[registry.PersonKey][]*registry.Event
	households map[string]*registry.Household // of this batch, and stored ones its rows name
	stored     map[string]registry.PersonKey
	next       registry.PersonKey
}

func (im *importer) readBatch(ctx context.Context, rd *bulk.Reader, rejects io.Writer) (*pendingBatch, bool, error) {
	// Read the records of the batch first, so numbers they name can be
	// looked up in the registry in one query.
	type item struct {
		line int64
		rec  bulk.Record
		p    *bulk.Person
		ps   []bulk.Problem
	}
	var items []item
	done := false
	for len(items) < im.opt.BatchRows {
		rec, err := rd.Next()
		if errors.Is(err, io.EOF) {
			done = true
			break
		}
		if err != nil {
			return nil, false, err
		}
		it := item{rec: rec, ps: rec.Problems}
		if len(it.ps) == 0 {
			it.p, it.ps = rec.Row.Check(im.cc)
		}
		items = append(items, it)
	}
	var numbers []string
	for _, it := range items {
		if it.p == nil || len(it.ps) > 0 {
			continue
		}
		numbers = append(numbers, string(it.p.PID), string(it.p.Mother), string(it.p.Father), string(it.p.Spouse))
		for _, l := range it.p.LegacyIDs {
			numbers = append(numbers, string(l))
		}
	}
	stored, err := im.st.ResolveNumbers(ctx, numbers)
	if err != nil {
		return nil, false, err
	}
	var hids []string
	for _, it := range items {
		if it.p != nil && it.p.Permanent != nil && it.p.Permanent.HouseholdID != "" {
			hids = append(hids, it.p.Permanent.HouseholdID)
		}
	}
	households, err := im.st.Households(ctx, hids)
	if err != nil {
		return nil, false, err
	}
	bs := &batchState{
		b: &registry.LoadBatch{}, keys: map[pid.Number]registry.PersonKey{}, events: map[registry.PersonKey][]*registry.Event{},
		households: households, stored: stored, next: -1,
	}
	pb := &pendingBatch{batch: bs.b, records: len(items)}
	for _, it := range items {
		ps := it.ps
		var warn []bulk.Problem
		if len(ps) == 0 {
			ps, warn, err = im.add(ctx, bs, it.p, it.rec)
			if err != nil {
				return nil, false, err
			}
		}
		if len(ps) > 0 {
			pb.rejected++
			if err := bulk.WriteReject(rejects, bulk.NewReject(it.rec, ps)); err != nil {
				return nil, false, err
			}
			continue
		}
		if len(warn) > 0 {
			pb.warnings++
			if err := writeWarning(rejects, it.rec, warn); err != nil {
				return nil, false, err
			}
		}
	}
	if done {
		// Spouses that never came: the rows were loaded without marriage.
		for sp, a := range im.awaiting {
			pb.warnings++
			if err := writeWarning(rejects, a.rec, []bulk.Problem{{Code: CodeSpouseNotFound, Field: "spouse_pid",
				Message: fmt.Sprintf("spouse %s is neither in the registry nor in the file naming %s back; the marriage was not recorded", sp, a.pid)}}); err != nil {
				return nil, false, err
			}
		}
	}
	return pb, done, nil
}

// writeWarning notes a loaded row in the rejects file: its line says
// "loaded": true, so it is not counted as rejected.
func writeWarning(w io.Writer, rec bulk.Record, ps []bulk.Problem) error {
	b, err := json.Marshal(struct {
		bulk.Reject
		Loaded bool `json:"loaded"`
	}{bulk.NewReject(rec, ps), true})
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}

// add turns a checked person into events and adds them to the batch if
// they fold; otherwise it returns why not.
func (im *importer) add(ctx context.Context, bs *batchState, p *bulk.Person, rec bulk.Record) (problems, warnings []bulk.Problem, err error) {
	line := rec.Line
	if _, ok := bs.stored[string(p.PID)]; ok {
		return []bulk.Problem{{Code: bulk.CodeDuplicate, Field: "pid", Message: fmt.Sprintf("%s is already in the registry", p.PID)}}, nil, nil
	}
	for _, l := range p.LegacyIDs {
		if _, ok := bs.stored[string(l)]; ok {
			return []bulk.Problem{{Code: bulk.CodeDuplicate, Field: "legacy_ids", Message: fmt.Sprintf("legacy number %s already identifies a person in the registry", l)}}, nil, nil
		}
	}
	// resolve finds a person named by number: in this batch, then in the
	// registry (earlier batches included).
	resolve := func(n pid.Number) (registry.PersonKey, bool) {
		if k, ok := bs.keys[n]; ok {
			return k, true
		}
		k, ok := bs.stored[string(n)]
		return k, ok
	}
	var mother, father registry.PersonKey
	for _, ref := range []struct {
		field string
		n     pid.Number
		dst   *registry.PersonKey
	}{{"mother_pid", p.Mother, &mother}, {"father_pid", p.Father, &father}} {
		if ref.n == "" {
			continue
		}
		k, ok := resolve(ref.n)
		if !ok {
			problems = append(problems, bulk.Problem{Code: bulk.CodeInvalid, Field: ref.field,
				Message: fmt.Sprintf("no person %s in the registry or earlier in the file (parents must come before their children)", ref.n)})
			continue
		}
		*ref.dst = k
	}
	if r := p.Permanent; r != nil && r.HouseholdID != "" {
		// A household keeps the commune code it was registered under; a
		// member who joined after the 2025 reform names the successor.
		if h, ok := bs.households[r.HouseholdID]; ok && !im.svc.SamePlace(h.Place, h.Created, r.Place, residenceFrom(r, p)) {
			problems = append(problems, bulk.Problem{Code: bulk.CodeInconsistent, Field: "household_id",
				Message: fmt.Sprintf("household %s is in commune %s, not %s", r.HouseholdID, h.Place, r.Place)})
		}
	}
	if len(problems) > 0 {
		return problems, nil, nil
	}

	key := bs.next
	now := time.Now()
	issued := now
	if !p.PIDIssuedOn.IsZero() {
		issued = p.PIDIssuedOn.Time().Add(9 * time.Hour)
	}
	var evs []*registry.Event
	ev := func(t registry.EventType, eff civil.Date, at time.Time, d registry.Details) *registry.Event {
		e := &registry.Event{ID: eventID(at), Type: t, Subject: key, Parties: []registry.PersonKey{key},
			Effective: eff, RecordedAt: at, Officer: im.opt.Officer, LegalBasis: registry.DefaultLegalBasis[t], Reason: "import", Data: d}
		evs = append(evs, e)
		return e
	}
	birth := ev(registry.EventBirth, p.BirthDate, issued, registry.Details{
		PID: p.PID, FullName: p.FullName, OtherNames: p.OtherNames, BirthDate: p.BirthDate, Sex: p.Sex,
		BirthPlace: p.BirthPlace, BirthCountry: p.BirthCountry, RegistrationPlace: p.RegistrationPlace, RegistrationCountry: p.RegistrationCountry,
		HomeTown: p.HomeTown, Ethnicity: p.Ethnicity, Religion: p.Religion, Nationality: p.Nationality, Mother: mother, Father: father,
	})
	pidFrom := p.PIDIssuedOn
	if pidFrom.IsZero() {
		pidFrom = im.opt.Today
	}
	aliases := []registry.Alias{{Number: string(p.PID), Person: key, Kind: registry.AliasPID, ValidFrom: pidFrom, EventID: birth.ID}}
	// What the file says about the person now (numbers, phones) is
	// recorded today; for the dead, on the day of death.
	today := im.opt.Today
	if p.Status == registry.Dead && p.DeathDate.First().Before(today) {
		today = p.DeathDate.First()
	}
	for _, l := range p.LegacyIDs {
		e := ev(registry.EventLegacyID, today, now, registry.Details{LegacyID: string(l)})
		aliases = append(aliases, registry.Alias{Number: string(l), Person: key, Kind: registry.AliasLegacy, ValidFrom: today, EventID: e.ID})
	}
	newHousehold := false
	if r := p.Permanent; r != nil {
		rel := r.Relation
		if r.HouseholdID != "" && rel == "" {
			rel = "other"
		}
		if r.HouseholdID != "" {
			if _, ok := bs.households[r.HouseholdID]; !ok {
				newHousehold = true
			}
		}
		ev(registry.EventPermanentResidence, residenceFrom(r, p), now, registry.Details{Place: r.Place, Address: r.Address, HouseholdID: r.HouseholdID, Relation: rel})
	}
	if r := p.Temporary; r != nil {
		ev(registry.EventTemporaryResidence, residenceFrom(r, p), now, registry.Details{Place: r.Place, Address: r.Address, Until: r.Until})
	}
	if r := p.Current; r != nil {
		ev(registry.EventCurrentResidence, residenceFrom(r, p), now, registry.Details{Place: r.Place, Address: r.Address})
	}
	for _, ph := range p.Phones {
		ev(registry.EventPhoneNumber, today, now, registry.Details{Phone: ph, PhoneSource: registry.PhoneDeclared})
	}
	var spouse registry.PersonKey
	var spouseEvents []*registry.Event
	if p.Spouse != "" {
		if k, ok := resolve(p.Spouse); ok {
			spouse = k
			m := ev(registry.EventMarriage, p.MarriageDate, now, registry.Details{Spouse: k})
			m.Parties = []registry.PersonKey{key, k}
			if k < 0 {
				spouseEvents = append(slices.Clone(bs.events[k]), m)
			} else if spouseEvents, err = im.storedEvents(ctx, k); err == nil {
				spouseEvents = append(spouseEvents, m)
			}
			if err != nil {
				return nil, nil, err
			}
		} else {
			// The spouse's row may come later and record the marriage.
			im.awaiting[p.Spouse] = awaitingSpouse{pid: p.PID, rec: rec}
		}
	}
	switch p.Status {
	case registry.Dead:
		e := ev(registry.EventDeath, p.DeathDate, now, registry.Details{DeathPlace: p.DeathPlace})
		if spouse != 0 {
			e.Parties = []registry.PersonKey{key, spouse}
			spouseEvents = append(spouseEvents, e)
		}
	case registry.Missing:
		ev(registry.EventMissing, p.MissingSince, now, registry.Details{})
	}

	// The same rules as online: the row's history, and its spouse's with
	// the marriage, must fold.
	if _, rerr := registry.Fold(key, evs, civil.Date{}); rerr != nil {
		return []bulk.Problem{{Code: "rule", Field: ruleField(rerr), Message: rerr.Message}}, nil, nil
	}
	if spouse != 0 {
		if _, rerr := registry.Fold(spouse, spouseEvents, civil.Date{}); rerr != nil {
			return []bulk.Problem{{Code: "rule", Field: "spouse_pid", Message: "the spouse's record does not allow this marriage: " + rerr.Message}}, nil, nil
		}
	}
	// Last, the numbers: a row's numbers count as taken only once it is
	// accepted, so a resumed import, which remembers only what was loaded,
	// decides every row as an uninterrupted one would.
	if ps := im.numbers.Add(p, line); len(ps) > 0 {
		return ps, nil, nil
	}
	bs.next--
	bs.keys[p.PID] = key
	if p.Spouse != "" && spouse != 0 {
		delete(im.awaiting, p.PID)
	}
	for _, e := range evs {
		for _, party := range e.Parties {
			if party < 0 {
				bs.events[party] = append(bs.events[party], e)
			}
		}
	}
	bs.b.Events = append(bs.b.Events, evs...)
	bs.b.Persons = append(bs.b.Persons, registry.LoadPerson{Key: key, Created: now, Aliases: aliases})
	if newHousehold {
		r := p.Permanent
		h := &registry.Household{ID: r.HouseholdID, Kind: registry.Permanent, Place: r.Place, Address: r.Address, Created: residenceFrom(r, p)}
		bs.households[r.HouseholdID] = h
		bs.b.Households = append(bs.b.Households, h)
	}
	return nil, warnings, nil
}

// storedEvents reads the history of a stored person.
func (im *importer) storedEvents(ctx context.Context, k registry.PersonKey) ([]*registry.Event, error) {
	var evs []*registry.Event
	err := im.svc.Store.View(ctx, func(tx registry.ReadTx) error {
		var err error
		evs, err = tx.Events(ctx, k, time.Time{})
		return err
	})
	return evs, err
}

func ruleField(r *registry.RuleError) string {
	if r.Field == "" {
		return "row"
	}
	return r.Field
}

// residenceFrom is when a residence began: as the row says, else the
// birth date's first day (the residence is all the file knows).
func residenceFrom(r *bulk.Residence, p *bulk.Person) civil.Date {
	if !r.From.IsZero() {
		return r.From
	}
	return p.BirthDate.First()
}

// eventID makes a ULID (time-ordered, 80 random bits) like the registry's
// own ids.
func eventID(at time.Time) string {
	const alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
	var b [16]byte
	ms := uint64(at.UnixMilli())
	for i := 5; i >= 0; i-- {
		b[i] = byte(ms)
		ms >>= 8
	}
	rand.Read(b[6:])
	var out [26]byte
	hi, lo := binary.BigEndian.Uint64(b[:8]), binary.BigEndian.Uint64(b[8:])
	for i := 25; i >= 0; i-- {
		out[i] = alphabet[lo&31]
		lo = lo>>5 | hi<<59
		hi >>= 5
	}
	return string(out[:])
}
