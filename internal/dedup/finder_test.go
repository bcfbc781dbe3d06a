package dedup

import (
	"context"
	"errors"
	"math/rand/v2"
	"slices"
	"testing"

	"dancu/internal/civil"
)

type synPair struct{ a, b int64 } // keys, a < b

// population is a synthetic population with planted duplicates and twins.
type population struct {
	records []Record
	person  map[int64]int64  // record key -> the person it describes
	dups    map[synPair]bool // planted duplicates (original, copy)
	twins   map[synPair]bool
}

// same reports whether the records with keys a and b describe one person
// (a copy and its original, or two copies of one original).
func (p *population) same(a, b int64) bool { return p.person[a] == p.person[b] }

func makePopulation(tb testing.TB, n, dups, twins int, seed uint64) *population {
	tb.Helper()
	rng := rand.New(rand.NewPCG(seed, 2025))
	w := newSynWorld(rng, 300)
	p := &population{person: map[int64]int64{}, dups: map[synPair]bool{}, twins: map[synPair]bool{}}
	key := int64(1)
	for range n {
		p.records = append(p.records, synPerson(rng, w, key))
		p.person[key] = key
		key++
	}
	for range dups {
		orig := p.records[rng.IntN(n)]
		d := perturb(rng, w, orig, key)
		key++
		p.records = append(p.records, d)
		p.person[d.Key] = orig.Key
		p.dups[synPair{orig.Key, d.Key}] = true
	}
	for range twins {
		orig := p.records[rng.IntN(n)]
		if orig.BirthDate.Precision() != civil.PrecisionDay {
			continue
		}
		if orig.MotherName == "" && orig.MotherKey == 0 {
			continue // twins are recognised through a parent
		}
		t := twinOf(rng, orig, key)
		key++
		p.records = append(p.records, t)
		p.person[t.Key] = t.Key
		p.twins[synPair{orig.Key, t.Key}] = true
	}
	// Shuffle so that originals and copies are not in order of addition.
	rng.Shuffle(len(p.records), func(i, j int) { p.records[i], p.records[j] = p.records[j], p.records[i] })
	return p
}

func pairOf(a, b int64) synPair {
	if a > b {
		a, b = b, a
	}
	return synPair{a, b}
}

func TestFinderSynthetic(t *testing.T) {
	n, ndup, ntwin := 50_000, 2_500, 1_000
	if testing.Short() {
		n, ndup, ntwin = 10_000, 500, 200
	}
	pop := makePopulation(t, n, ndup, ntwin, 1)

	// Blocking recall, checked independently of the Finder: a planted pair
	// is blocked when the two records share a key held by at most
	// DefaultMaxBlock records.
	keysOf := map[int64][]uint64{}
	count := map[uint64]int{}
	for i := range pop.records {
		r := &pop.records[i]
		ks := BlockingKeys(r, nil)
		keysOf[r.Key] = ks
		seen := map[uint64]bool{}
		for _, k := range ks {
			if !seen[k] {
				count[k]++
				seen[k] = true
			}
		}
	}
	blocked := 0
	for pr := range pop.dups {
		for _, k := range keysOf[pr.a] {
			if count[k] <= DefaultMaxBlock && contains(keysOf[pr.b], k) {
				blocked++
				break
			}
		}
	}

	f := NewFinder()
	for _, r := range pop.records {
		f.Add(r)
	}
	found := map[synPair]Candidate{}
	st, err := f.Find(context.Background(), func(c Candidate) error {
		pr := pairOf(c.A.Key, c.B.Key)
		if _, ok := found[pr]; ok {
			t.Errorf("pair %v emitted twice", pr)
		}
		found[pr] = c
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("stats: %+v", st)

	dupFound, dupReview := 0, 0
	for pr := range pop.dups {
		if c, ok := found[pr]; ok {
			dupReview++
			if c.Duplicate {
				dupFound++
			}
		}
	}
	falsePos, twinsDup, twinsReview := 0, 0, 0
	for pr, c := range found {
		if !c.Duplicate {
			if pop.twins[pr] {
				twinsReview++
			}
			continue
		}
		if pop.same(pr.a, pr.b) {
			continue
		}
		if pop.twins[pr] {
			twinsDup++
			a, b := recordByKey(pop, pr.a), recordByKey(pop, pr.b)
			t.Errorf("twins reported as duplicates: %s / %s\n  %s", describe(a), describe(b), reasons(c.Reasons))
			continue
		}
		falsePos++
		if falsePos <= 10 {
			a, b := recordByKey(pop, pr.a), recordByKey(pop, pr.b)
			t.Logf("unplanted duplicate %.3f: %s / %s\n  %s", c.Score, describe(a), describe(b), reasons(c.Reasons))
		}
	}
	missed := 0
	for pr := range pop.dups {
		if c, ok := found[pr]; (!ok || !c.Duplicate) && testing.Verbose() && missed < 40 {
			missed++
			a, b := recordByKey(pop, pr.a), recordByKey(pop, pr.b)
			got := Compare(a, b)
			t.Logf("missed %.3f: %s / %s\n  %s", got.Score, describe(a), describe(b), reasons(got.Reasons))
		}
	}
	nd := float64(len(pop.dups))
	blockingRecall := float64(blocked) / nd
	t.Logf("%d records, %d planted duplicates, %d twins", len(pop.records), len(pop.dups), len(pop.twins))
	t.Logf("planted duplicates: blocked %.4f, emitted for review %.4f, marked Duplicate %.4f",
		blockingRecall, float64(dupReview)/nd, float64(dupFound)/nd)
	t.Logf("twins: %d shown for review, %d marked Duplicate; %d other pairs marked Duplicate (precision %.4f)",
		twinsReview, twinsDup, falsePos, float64(dupFound)/float64(dupFound+falsePos+twinsDup))
	if blockingRecall < 0.95 {
		t.Errorf("blocking recall %.4f, want at least 0.95", blockingRecall)
	}
	if dupReview < blocked*95/100 {
		t.Errorf("only %d of %d blocked duplicates emitted", dupReview, blocked)
	}
	if st.Records != int64(len(pop.records)) || st.Candidates != int64(len(found)) {
		t.Errorf("stats %+v disagree with %d records and %d candidates", st, len(pop.records), len(found))
	}
}

func contains(ks []uint64, k uint64) bool {
	for _, x := range ks {
		if x == k {
			return true
		}
	}
	return false
}

func recordByKey(p *population, key int64) *Record {
	for i := range p.records {
		if p.records[i].Key == key {
			return &p.records[i]
		}
	}
	return nil
}

// TestFinderMatchesCompare checks that the Finder scores a pair exactly as
// Compare does, emits each pair once, and puts the earlier record first.
func TestFinderMatchesCompare(t *testing.T) {
	pairs := loadLabelled(t)
	f := NewFinder()
	var recs []Record
	for _, p := range pairs {
		f.Add(p.A)
		f.Add(p.B)
		recs = append(recs, p.A, p.B)
	}
	byKey := map[int64]int{}
	for i, r := range recs {
		byKey[r.Key] = i
	}
	n := 0
	_, err := f.Find(context.Background(), func(c Candidate) error {
		n++
		i, j := byKey[c.A.Key], byKey[c.B.Key]
		if i >= j {
			t.Errorf("candidate %v/%v: A was added after B", c.A, c.B)
		}
		want := Compare(&recs[i], &recs[j])
		if c.Score != want.Score || len(c.Reasons) != len(want.Reasons) {
			t.Errorf("Finder scored %s/%s %.6f with %d reasons, Compare %.6f with %d",
				recs[i].FullName, recs[j].FullName, c.Score, len(c.Reasons), want.Score, len(want.Reasons))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n == 0 {
		t.Fatal("no candidates")
	}
}

func TestFinderEmitError(t *testing.T) {
	pop := makePopulation(t, 2_000, 200, 0, 7)
	f := NewFinder()
	for _, r := range pop.records {
		f.Add(r)
	}
	stop := errors.New("stop")
	calls := 0
	_, err := f.Find(context.Background(), func(Candidate) error {
		calls++
		if calls == 3 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) || calls != 3 {
		t.Errorf("Find = %v after %d calls, want %v after 3", err, calls, stop)
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := f.Find(ctx, func(Candidate) error { return nil }); !errors.Is(err, context.Canceled) {
		t.Errorf("Find with a cancelled context = %v", err)
	}
}

func TestFinderSkipsLargeBlocks(t *testing.T) {
	f := NewFinder()
	f.MaxBlock = 10
	for i := range 30 {
		f.Add(Record{Key: int64(i + 1), FullName: "Nguyễn Văn An", BirthDate: civil.YearOnly(1980)})
	}
	st, err := f.Find(context.Background(), func(Candidate) error { return nil })
	if err != nil {
		t.Fatal(err)
	}
	if st.SkippedLargeBlocks == 0 || st.SkippedComparisons < 30*29/2 || st.Comparisons != 0 {
		t.Errorf("stats %+v: want large blocks skipped and nothing compared", st)
	}
}

func TestArenaRoundTrip(t *testing.T) {
	pop := makePopulation(t, 500, 50, 20, 3)
	var a arena
	for i := range pop.records {
		r := &pop.records[i]
		a.add(r, "", r.MotherName, "")
	}
	var got Record
	for i := range pop.records {
		want := pop.records[i]
		nf, mf, _ := a.get(i, &got)
		if nf != "" || mf != want.MotherName {
			t.Errorf("record %d: folds %q %q", i, nf, mf)
		}
		if got.Key != want.Key || got.PID != want.PID || got.FullName != want.FullName || got.BirthDate != want.BirthDate ||
			got.Sex != want.Sex || got.BirthPlace != want.BirthPlace || got.Province != want.Province || got.Commune != want.Commune ||
			got.MotherName != want.MotherName || got.FatherName != want.FatherName || got.MotherKey != want.MotherKey ||
			got.FatherKey != want.FatherKey || got.Dead != want.Dead || len(got.LegacyIDs) != len(want.LegacyIDs) {
			t.Fatalf("record %d: got %+v, want %+v", i, got, want)
		}
		for k := range want.LegacyIDs {
			if got.LegacyIDs[k] != want.LegacyIDs[k] {
				t.Fatalf("record %d: legacy IDs %v, want %v", i, got.LegacyIDs, want.LegacyIDs)
			}
		}
		if got.HomeTown != want.HomeTown || !slices.Equal(got.Addresses, want.Addresses) || !slices.Equal(got.Phones, want.Phones) {
			t.Fatalf("record %d: home town %q, addresses %v, phones %v; want %q, %v, %v",
				i, got.HomeTown, got.Addresses, got.Phones, want.HomeTown, want.Addresses, want.Phones)
		}
	}
}

func BenchmarkFind(b *testing.B) {
	pop := makePopulation(b, 50_000, 2_500, 500, 11)
	b.ResetTimer()
	for b.Loop() {
		f := NewFinder()
		for _, r := range pop.records {
			f.Add(r)
		}
		if _, err := f.Find(context.Background(), func(Candidate) error { return nil }); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(pop.records))*float64(b.N)/b.Elapsed().Seconds(), "records/s")
}

func BenchmarkAdd(b *testing.B) {
	pop := makePopulation(b, 20_000, 0, 0, 12)
	b.ResetTimer()
	for b.Loop() {
		f := NewFinder()
		for _, r := range pop.records {
			f.Add(r)
		}
	}
	b.ReportMetric(float64(len(pop.records))*float64(b.N)/b.Elapsed().Seconds(), "records/s")
}

func TestFinderEmptyAndOneWorker(t *testing.T) {
	f := NewFinder()
	st, err := f.Find(context.Background(), func(Candidate) error { t.Error("candidate from nothing"); return nil })
	if err != nil || st != (Stats{}) {
		t.Errorf("empty Finder: %+v, %v", st, err)
	}
	pop := makePopulation(t, 3_000, 300, 50, 13)
	counts := map[int]int64{}
	for _, workers := range []int{1, 3} {
		f := NewFinder()
		f.Workers = workers
		for _, r := range pop.records {
			f.Add(r)
		}
		st, err := f.Find(context.Background(), func(Candidate) error { return nil })
		if err != nil {
			t.Fatal(err)
		}
		counts[workers] = st.Candidates
	}
	if counts[1] != counts[3] || counts[1] == 0 {
		t.Errorf("candidates with 1 and 3 workers: %v", counts)
	}
}
