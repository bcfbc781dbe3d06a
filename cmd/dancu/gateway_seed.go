package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"dancu/internal/actor"
	"dancu/internal/civil"
	"dancu/internal/exchange"
	"dancu/internal/place"
)

// ministries are the ministries and ministry-level agencies whose systems
// connect to the registry (synthetic: one system each).
var ministries = []string{
	"Bộ Công an", "Bộ Quốc phòng", "Bộ Ngoại giao", "Bộ Nội vụ", "Bộ Tư pháp", "Bộ Tài chính", "Bộ Công Thương",
	"Bộ Nông nghiệp và Môi trường", "Bộ Xây dựng", "Bộ Văn hóa, Thể thao và Du lịch", "Bộ Khoa học và Công nghệ",
	"Bộ Giáo dục và Đào tạo", "Bộ Y tế", "Bộ Dân tộc và Tôn giáo", "Ngân hàng Nhà nước Việt Nam", "Thanh tra Chính phủ",
	"Văn phòng Chính phủ", "Bảo hiểm xã hội Việt Nam", "Tòa án nhân dân tối cao", "Viện kiểm sát nhân dân tối cao",
	"Kiểm toán nhà nước", "Thông tấn xã Việt Nam",
}

// cmdGateway seeds the data-sharing gateway's onboarding picture the
// project's founding reports describe: of 22 ministry systems, 10 still
// held at the security gate; of the 63 localities (the provinces before
// the July 2025 reform), 33 held. Systems held are applied or part-way
// through their assessment; the others are active. Synthetic: the
// systems' clients do not exist.
func cmdGateway(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) > 0 && args[0] == "stages" {
		return cmdGatewayStages(ctx, args[1:], getenv, stdout, stderr)
	}
	if len(args) == 0 || args[0] != "seed" {
		return errors.New("usage: dancu gateway seed [--seed S] [--ministries-held N] [--localities-held N] | dancu gateway stages")
	}
	fs := flag.NewFlagSet("gateway seed", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var sf storeFlags
	sf.register(fs, getenv)
	seed := fs.Uint64("seed", 1, "seed of which systems are held and how far they got")
	ministriesHeld := fs.Int("ministries-held", 10, "ministry systems held at the gate (of 22)")
	localitiesHeld := fs.Int("localities-held", 33, "localities held at the gate (of 63)")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	db, _, err := sf.open(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	svc := &exchange.Service{Store: db.Exchange()}
	op := actor.Actor{Kind: actor.KindOperator, ID: "gateway-seed"}
	r := rand.New(rand.NewPCG(*seed, 25))
	localities := place.Default().Provinces(civil.MustParse("2025-06-30"))
	type org struct {
		name string
		typ  exchange.MemberType
		held bool
	}
	var orgs []org
	for i, name := range ministries {
		orgs = append(orgs, org{name, exchange.MemberMinistry, i >= len(ministries)-*ministriesHeld})
	}
	held := r.Perm(len(localities))[:min(*localitiesHeld, len(localities))]
	for i, u := range localities {
		orgs = append(orgs, org{"UBND " + u.Name, exchange.MemberProvince, slices.Contains(held, i)})
	}
	for i, o := range orgs {
		m, err := svc.CreateMember(ctx, op, o.name, o.typ)
		if err != nil {
			return err
		}
		sys, err := svc.ApplySystem(ctx, op, m.ID, "Hệ thống kết nối CSDLQG về dân cư", fmt.Sprintf("seed-%s-%03d", o.typ, i), 0)
		if err != nil {
			return err
		}
		// Held systems stop somewhere before approval; the others pass.
		checks := len(exchange.RequiredChecks)
		if o.held {
			if r.IntN(3) == 0 {
				continue // applied, not yet assessed
			}
			checks = r.IntN(len(exchange.RequiredChecks))
		}
		if _, err := svc.MoveSystem(ctx, op, sys.ID, exchange.StageAssessment, ""); err != nil {
			return err
		}
		for _, item := range exchange.RequiredChecks[:checks] {
			v := "đạt"
			if item == exchange.CheckPentest {
				v = time.Now().AddDate(0, -r.IntN(12), 0).Format(time.DateOnly)
			}
			if _, err := svc.RecordCheck(ctx, op, sys.ID, exchange.Check{Item: item, Value: v, Evidence: "hồ sơ đánh giá (dữ liệu mẫu)"}); err != nil {
				return err
			}
		}
		if o.held {
			continue
		}
		for _, st := range []exchange.Stage{exchange.StageApproved, exchange.StageActive} {
			if _, err := svc.MoveSystem(ctx, op, sys.ID, st, ""); err != nil {
				return err
			}
		}
	}
	return writeStages(ctx, stdout, svc)
}

// cmdGatewayStages shows the supervisor's picture of the security gate:
// for each kind of member, its systems by stage.
func cmdGatewayStages(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("gateway stages", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var sf storeFlags
	sf.register(fs, getenv)
	if err := fs.Parse(args); err != nil {
		return err
	}
	db, _, err := sf.open(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	return writeStages(ctx, stdout, &exchange.Service{Store: db.Exchange()})
}

// writeStages draws, for each kind of member, a bar of its systems —
// █ active, ▒ approved, suspended or revoked, ░ held at the security
// gate (applied, or in assessment) — with the counts beside it.
func writeStages(ctx context.Context, w io.Writer, svc *exchange.Service) error {
	counts, err := svc.StageCounts(ctx)
	if err != nil {
		return err
	}
	byType := map[exchange.MemberType]map[exchange.Stage]int{}
	var types []exchange.MemberType
	for _, c := range counts {
		if byType[c.MemberType] == nil {
			byType[c.MemberType] = map[exchange.Stage]int{}
			types = append(types, c.MemberType)
		}
		byType[c.MemberType][c.Stage] += c.Systems
	}
	slices.Sort(types)
	fmt.Fprintln(w, "Hệ thống kết nối theo giai đoạn — systems by stage (█ active, ▒ approved/suspended/revoked, ░ held at the security gate)")
	const width = 40
	for _, t := range types {
		n := byType[t]
		total := 0
		for _, k := range n {
			total += k
		}
		held := n[exchange.StageApplied] + n[exchange.StageAssessment]
		other := n[exchange.StageApproved] + n[exchange.StageSuspended] + n[exchange.StageRevoked]
		cells := func(k int) int { return (k*width + total/2) / total }
		bar := strings.Repeat("█", cells(n[exchange.StageActive])) + strings.Repeat("▒", cells(other)) + strings.Repeat("░", cells(held))
		fmt.Fprintf(w, "%-12s %-*s %d systems: %d active, %d held at the gate (%d applied, %d in assessment)",
			t, width, bar, total, n[exchange.StageActive], held, n[exchange.StageApplied], n[exchange.StageAssessment])
		for _, st := range []exchange.Stage{exchange.StageApproved, exchange.StageSuspended, exchange.StageRevoked} {
			if n[st] > 0 {
				fmt.Fprintf(w, ", %d %s", n[st], st)
			}
		}
		fmt.Fprintln(w)
	}
	return nil
}
