package main

import (
	"strings"
	"testing"
	"time"
)

// onboard takes a member's system through the security gate over the API
// with a national officer's token, and grants it ops on fields for
// purpose for a year: what the gateway tests start from.
func onboard(t *testing.T, officer *client, name, typ, clientID, purpose string, ops, fields []string, rate float64) (member, system string) {
	t.Helper()
	member = str(officer.call("POST", "/api/v1/exchange/members", map[string]any{"name": name, "type": typ}, 201), "id")
	system = str(officer.call("POST", "/api/v1/exchange/systems", map[string]any{"member_id": member, "name": name + " — hệ thống", "client_id": clientID, "rate_limit": rate}, 201), "id")
	officer.call("POST", "/api/v1/exchange/systems/"+system+"/stage", map[string]any{"stage": "assessment"}, 200)
	for _, item := range []string{"security_level", "pentest_date", "tls", "ip_allowlist", "dpo", "incident_contact"} {
		v := "đạt"
		if item == "pentest_date" {
			v = "2026-10-01"
		}
		officer.call("POST", "/api/v1/exchange/systems/"+system+"/checks", map[string]any{"item": item, "value": v, "evidence": "biên bản kiểm tra"}, 200)
	}
	officer.call("POST", "/api/v1/exchange/systems/"+system+"/stage", map[string]any{"stage": "approved"}, 200)
	officer.call("POST", "/api/v1/exchange/systems/"+system+"/stage", map[string]any{"stage": "active"}, 200)
	officer.call("POST", "/api/v1/exchange/grants", map[string]any{"member_id": member, "purpose": purpose, "legal_basis": "căn cứ cho " + purpose,
		"operations": ops, "fields": fields, "valid_until": time.Now().AddDate(1, 0, 0).UTC().Format(time.RFC3339)}, 201)
	return member, system
}

// TestGatewaySeed: the onboarding picture of the founding reports — 10 of
// 22 ministry systems and 33 of 63 localities held at the security gate —
// is what the supervisors' stage counts show.
func TestGatewaySeed(t *testing.T) {
	b := backend{name: "sqlite", data: t.TempDir()}
	seeded, _ := mustDancu(t, append([]string{"gateway", "seed"}, b.args()...)...)
	out, _ := mustDancu(t, append([]string{"gateway", "stages"}, b.args()...)...)
	if out != seeded {
		t.Fatalf("gateway stages:\n%s\nafter seeding:\n%s", out, seeded)
	}
	for _, want := range []string{"ministry", "22 systems: 12 active, 10 held at the gate", "province", "63 systems: 30 active, 33 held at the gate"} {
		if !strings.Contains(out, want) {
			t.Fatalf("the supervisor's picture lacks %q:\n%s", want, out)
		}
	}
	// The bars: 12 of 22 ministry systems active is 22 cells of 40.
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(line, "ministry") && strings.Count(line, "█") != 22 {
			t.Fatalf("the ministries' bar: %s", line)
		}
	}
}
