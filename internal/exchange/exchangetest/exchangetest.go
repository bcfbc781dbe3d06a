// Package exchangetest takes a member's system through the data-sharing
// gateway's security gate for tests: every required check recorded as
// passed, approved, active, with one grant.
package exchangetest

import (
	"context"
	"fmt"
	"time"

	"dancu/internal/actor"
	"dancu/internal/exchange"
)

// Operator is the actor that onboards.
var Operator = actor.Actor{Kind: actor.KindOperator, ID: "test-operator"}

// Onboard registers a member of type with a system authenticating as
// clientID, active, and a grant of ops on fields for purpose that needs
// consent when consent is true, in force for a year from now.
func Onboard(ctx context.Context, svc *exchange.Service, now time.Time, name string, typ exchange.MemberType, clientID, purpose string,
	ops []exchange.Operation, fields []string, consent bool) (*exchange.Member, *exchange.System, error) {
	m, err := svc.CreateMember(ctx, Operator, name, typ)
	if err != nil {
		return nil, nil, err
	}
	sys, err := svc.ApplySystem(ctx, Operator, m.ID, name+" system", clientID, 0)
	if err != nil {
		return nil, nil, err
	}
	if _, err := svc.MoveSystem(ctx, Operator, sys.ID, exchange.StageAssessment, ""); err != nil {
		return nil, nil, err
	}
	for _, item := range exchange.RequiredChecks {
		v := "đạt"
		if item == exchange.CheckPentest {
			v = "2026-01-01"
		}
		if _, err := svc.RecordCheck(ctx, Operator, sys.ID, exchange.Check{Item: item, Value: v, Evidence: "test"}); err != nil {
			return nil, nil, fmt.Errorf("check %s: %w", item, err)
		}
	}
	for _, st := range []exchange.Stage{exchange.StageApproved, exchange.StageActive} {
		if sys, err = svc.MoveSystem(ctx, Operator, sys.ID, st, ""); err != nil {
			return nil, nil, err
		}
	}
	if _, err := svc.CreateGrant(ctx, Operator, exchange.GrantRequest{MemberID: m.ID, Purpose: purpose, LegalBasis: "test legal basis for " + purpose,
		Operations: ops, Fields: fields, ValidUntil: now.AddDate(1, 0, 0), ConsentRequired: consent}); err != nil {
		return nil, nil, err
	}
	return m, sys, nil
}
