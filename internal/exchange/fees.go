package exchange

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// Tariff prices each operation, in đồng, and exempts kinds of member
// (state agencies reuse the registry without charge).
type Tariff struct {
	// Prices is the price of one operation (one record of a batch, one
	// delivered event).
	Prices map[Operation]int64 `json:"prices"`
	Exempt []MemberType        `json:"exempt"`
}

// DefaultTariff is an illustrative tariff; an operator sets the one in
// force with --tariff FILE (the same JSON shape).
var DefaultTariff = Tariff{
	Prices: map[Operation]int64{OpLookup: 1000, OpVerify: 500, OpAlive: 300, OpHousehold: 1000, OpResidence: 500, OpBatch: 100, OpSubscribe: 200},
	Exempt: []MemberType{MemberMinistry, MemberProvince},
}

// ParseTariff reads a tariff, refusing unknown operations, member types
// and negative prices.
func ParseTariff(b []byte) (Tariff, error) {
	var t Tariff
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&t); err != nil {
		return Tariff{}, fmt.Errorf("tariff: %w", err)
	}
	for op, p := range t.Prices {
		if !slices.Contains(Operations, op) {
			return Tariff{}, fmt.Errorf("tariff: %q is not an operation; they are %v", op, Operations)
		}
		if p < 0 {
			return Tariff{}, fmt.Errorf("tariff: the price of %s is negative", op)
		}
	}
	for _, m := range t.Exempt {
		if !slices.Contains(MemberTypes, m) {
			return Tariff{}, fmt.Errorf("tariff: %q is not a member type; they are %v", m, MemberTypes)
		}
	}
	return t, nil
}

// StatementLine is one operation of one member in a month.
type StatementLine struct {
	Operation Operation `json:"operation"`
	Count     int64     `json:"count"`
	UnitPrice int64     `json:"unit_price"`
	Amount    int64     `json:"amount"`
}

// Statement is what a member owes for a month.
type Statement struct {
	Month      string          `json:"month"`
	MemberID   string          `json:"member_id"`
	MemberName string          `json:"member_name"`
	MemberType MemberType      `json:"member_type"`
	Exempt     bool            `json:"exempt"`
	Lines      []StatementLine `json:"lines"`
	Total      int64           `json:"total"`
}

// Statements prices a month's metered use, one statement per member that
// used the gateway (only memberID's when it is set).
func (s *Service) Statements(ctx context.Context, t Tariff, month, memberID string) ([]Statement, error) {
	us, err := s.Usage(ctx, month)
	if err != nil {
		return nil, err
	}
	members := map[string]*Member{}
	if err := s.Store.View(ctx, func(tx Tx) error {
		ms, err := tx.Members(ctx)
		for _, m := range ms {
			members[m.ID] = m
		}
		return err
	}); err != nil {
		return nil, err
	}
	byMember := map[string]map[Operation]int64{}
	for _, u := range us {
		if memberID != "" && u.MemberID != memberID {
			continue
		}
		if byMember[u.MemberID] == nil {
			byMember[u.MemberID] = map[Operation]int64{}
		}
		byMember[u.MemberID][u.Operation] += u.Count
	}
	var out []Statement
	for id, ops := range byMember {
		st := Statement{Month: month, MemberID: id}
		if m := members[id]; m != nil {
			st.MemberName, st.MemberType = m.Name, m.Type
		}
		st.Exempt = slices.Contains(t.Exempt, st.MemberType)
		for _, op := range Operations {
			n, ok := ops[op]
			if !ok {
				continue
			}
			line := StatementLine{Operation: op, Count: n, UnitPrice: t.Prices[op]}
			if !st.Exempt {
				line.Amount = n * line.UnitPrice
			}
			st.Lines = append(st.Lines, line)
			st.Total += line.Amount
		}
		out = append(out, st)
	}
	slices.SortFunc(out, func(a, b Statement) int { return strings.Compare(a.MemberName+a.MemberID, b.MemberName+b.MemberID) })
	return out, nil
}
