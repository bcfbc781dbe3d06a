package storetest

import (
	"crypto/rand"
	"fmt"
	"sync"
	"testing"

	"dancu/internal/errs"
	"dancu/internal/registry"
)

// testConcurrentConflicts has 16 goroutines record conflicting events at
// once. On PostgreSQL they really run concurrently; the row locks must make
// exactly one win, as SQLite's single writer does by construction.
func testConcurrentConflicts(t *testing.T, f *fixture) {
	const n = 16
	groom := f.person(t, "Âu Văn Mạnh", "1990-01-01", "male")
	brides := make([]string, n)
	for i := range brides {
		brides[i] = string(f.person(t, fmt.Sprintf("Âu Thị %c", 'A'+i), "1992-01-01", "female").PID)
	}
	var wg sync.WaitGroup
	results := make([]error, n)
	for i := range n {
		wg.Go(func() {
			_, results[i] = f.reg.RecordEvent(f.ctx, f.national, string(groom.PID), registry.EventRequest{Type: "marriage", EffectiveDate: "2026-01-01", SpousePID: brides[i]}, registry.WriteOptions{})
		})
	}
	wg.Wait()
	wins := 0
	for _, err := range results {
		switch {
		case err == nil:
			wins++
		case errs.Is(err, errs.Unprocessable):
		default:
			t.Errorf("unexpected error: %v", err)
		}
	}
	if wins != 1 {
		t.Fatalf("%d of %d conflicting marriages succeeded, want exactly 1", wins, n)
	}
	g := f.read(t, f.national, string(groom.PID), registry.ReadOptions{})
	if len(g.Marriages) != 1 {
		t.Fatalf("groom has %d marriages", len(g.Marriages))
	}
	married := 0
	for _, b := range brides {
		if f.read(t, f.national, b, registry.ReadOptions{}).Spouse() != 0 {
			married++
		}
	}
	if married != 1 {
		t.Fatalf("%d brides are married", married)
	}

	// The same 16 at once recording a death: one wins, the rest are refused
	// because the person is dead.
	p := f.person(t, "Âu Văn Cường", "1940-01-01", "male")
	for i := range n {
		wg.Go(func() {
			_, results[i] = f.reg.RecordEvent(f.ctx, f.national, string(p.PID), registry.EventRequest{Type: "death", EffectiveDate: "2026-05-01"}, registry.WriteOptions{})
		})
	}
	wg.Wait()
	wins = 0
	for _, err := range results {
		if err == nil {
			wins++
		}
	}
	if wins != 1 {
		t.Fatalf("%d deaths recorded", wins)
	}
	page, err := f.reg.Events(f.ctx, f.national, string(p.PID), "", 50, nil)
	if err != nil || len(page.Events) != 2 {
		t.Fatalf("history after concurrent deaths: %d events (%v)", len(page.Events), err)
	}
}

func testConcurrentBirths(t *testing.T, f *fixture) {
	// crypto/rand, as in production.
	f.reg.Rand = rand.Reader
	const workers, each = 16, 8
	var mu sync.Mutex
	seen := map[string]bool{}
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := range each {
				res, err := f.reg.RegisterBirth(f.ctx, f.national, birthReq(fmt.Sprintf("Tăng Văn %c%c", 'A'+w, 'a'+i), "2026-11-01", "male", hanoiBaDinh), registry.WriteOptions{})
				if err != nil {
					t.Errorf("birth: %v", err)
					return
				}
				mu.Lock()
				if seen[string(res.Citizen.PID)] {
					t.Errorf("number %s issued twice", res.Citizen.PID)
				}
				seen[string(res.Citizen.PID)] = true
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	c := f.counts(t)
	if len(seen) != workers*each || c["identity_aliases"] != int64(workers*each) || c["persons"] != int64(workers*each) {
		t.Fatalf("%d distinct numbers, %d aliases, %d persons; want %d", len(seen), c["identity_aliases"], c["persons"], workers*each)
	}
}

// zeroReader always draws serial 000001, so every allocation after the
// first of a place, century/sex and year collides.
type zeroReader struct{}

func (zeroReader) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

func testNumberCollisions(t *testing.T, f *fixture) {
	f.reg.Rand = zeroReader{}
	first := f.birth(t, f.national, birthReq("Mạc Văn Một", "2026-01-01", "male", hanoiBaDinh))
	if first.PID.Serial() != 1 {
		t.Fatalf("serial %d", first.PID.Serial())
	}
	before := f.counts(t)
	_, err := f.reg.RegisterBirth(f.ctx, f.national, birthReq("Mạc Văn Hai", "2026-01-02", "male", hanoiBaDinh), registry.WriteOptions{})
	wantErr(t, err, errs.Unavailable, "")
	sameCounts(t, "exhausted allocation", before, f.counts(t))
	// Another sex, another prefix: serial 1 is free there.
	if c := f.birth(t, f.national, birthReq("Mạc Thị Ba", "2026-01-02", "female", hanoiBaDinh)); c.PID.Serial() != 1 || c.PID == first.PID {
		t.Fatalf("second prefix got %s", c.PID)
	}
}
