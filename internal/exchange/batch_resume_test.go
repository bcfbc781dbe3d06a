package exchange_test

import (
	"context"
	"crypto/rand"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"dancu/internal/actor"
	"dancu/internal/batchfs"
	"dancu/internal/exchange"
	"dancu/internal/exchange/exchangetest"
	"dancu/internal/place"
	"dancu/internal/registry"
	"dancu/internal/store/sqlite"
)

// TestBatchPlanDamaged stops a job's worker once its plan is written, and
// another's after its first chunk, then damages each plan: the job with
// nothing verified yet is planned again and finishes with every record;
// the job with a chunk done fails with the reason, since it could no
// longer resume in the order its checkpoint counts in.
func TestBatchPlanDamaged(t *testing.T) {
	ctx := context.Background()
	db, _, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "dancu.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	reg := registry.NewService(db.Registry(), place.Default(), time.Now, rand.Reader)
	officer := actor.Actor{Kind: actor.KindOfficer, ID: "t", Unit: "VN", Scope: actor.ScopeNational, Role: actor.RoleRegistry}
	res, err := reg.RegisterBirth(ctx, officer, registry.BirthRequest{FullName: "Phan Thị Lụa", BirthDate: "1991-04-05", Sex: "female",
		BirthPlace: "00004", RegistrationPlace: "00004"}, registry.WriteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	svc := &exchange.Service{Store: db.Exchange(), Registry: reg, BatchLease: 50 * time.Millisecond}
	const purpose = "đối soát"
	if _, _, err := exchangetest.Onboard(ctx, svc, time.Now(), "Bảo hiểm xã hội", exchange.MemberStateCompany, "client-b", purpose,
		[]exchange.Operation{exchange.OpBatch}, []string{"pid", "full_name"}, false); err != nil {
		t.Fatal(err)
	}
	caller := exchange.Caller{ClientID: "client-b"}
	dir := t.TempDir()
	files := batchfs.Dir{Path: dir}
	var input strings.Builder
	input.WriteString("ref,idDocument,name\n")
	for i := range 25_000 {
		fmt.Fprintf(&input, "%d,%s,Phan Thị Lụa\n", i, res.Citizen.PID)
	}
	submit := func() string {
		b, err := svc.CreateBatch(ctx, caller, purpose, "csv")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.UploadBatch(ctx, caller, files, b.ID, 0, strings.NewReader(input.String())); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.StartBatch(ctx, caller, files, b.ID); err != nil {
			t.Fatal(err)
		}
		return b.ID
	}
	// work runs the worker until stop is reached (then it is stopped
	// there) or until the job ends.
	work := func(id, stop string) *exchange.Batch {
		wctx, cancel := context.WithCancel(ctx)
		defer cancel()
		done := make(chan struct{})
		go func() {
			defer close(done)
			svc.RunBatches(wctx, files, 10*time.Millisecond, func(name string) {
				if name == stop {
					cancel()
				}
			}, func(err error) { t.Log(err) })
		}()
		deadline := time.Now().Add(30 * time.Second)
		for {
			b, err := svc.BatchStatusOf(ctx, caller, id)
			if err != nil {
				t.Fatal(err)
			}
			select {
			case <-done:
				return b
			default:
			}
			if b.Status == exchange.BatchDone || b.Status == exchange.BatchFailed || time.Now().After(deadline) {
				cancel()
				<-done
				return b
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	damage := func(id string) {
		p := filepath.Join(dir, id, "plan")
		raw, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		raw[len(raw)/2] ^= 0x40
		if err := os.WriteFile(p, raw, 0o600); err != nil {
			t.Fatal(err)
		}
		time.Sleep(100 * time.Millisecond) // the stopped worker's lease runs out
	}

	planned := submit()
	if b := work(planned, "batch-after-plan"); b.Done != 0 || b.Status == exchange.BatchDone {
		t.Fatalf("stopped after planning: %+v", b)
	}
	damage(planned)
	if b := work(planned, ""); b.Status != exchange.BatchDone || b.Done != 25_000 || b.Counts["match"] != 25_000 {
		t.Fatalf("planned again: %+v", b)
	}

	started := submit()
	if b := work(started, "batch-after-checkpoint"); b.Done != 10_000 {
		t.Fatalf("stopped after a chunk: %+v", b)
	}
	damage(started)
	if b := work(started, ""); b.Status != exchange.BatchFailed || !strings.Contains(b.Error, "plan is damaged") || b.Done != 10_000 {
		t.Fatalf("a damaged plan after a chunk: %+v", b)
	}
}
