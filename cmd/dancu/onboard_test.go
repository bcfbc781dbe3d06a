package main

import (
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
