package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"time"

	"golang.org/x/oauth2/clientcredentials"

	"dancu/internal/actor"
	"dancu/internal/store/sqlstore"
)

// benchGateway measures verification through the data-sharing gateway
// under concurrent load from this process against a server process:
// every request authenticated by an access token, rate-limited,
// grant-checked, answered from the registry, metered and access-logged
// (and the log sequenced into its Merkle tree). The floor is the read
// benchmark's: a minimal handler doing one raw lookup, on the same
// database, in the same run.
func benchGateway(ctx context.Context, sf *storeFlags, bf *benchFlags, stdout, stderr io.Writer) error {
	var people []heldIdentity
	var citizens int64
	token, err := benchOfficer(ctx, sf, func(db *sqlstore.DB) error {
		var err error
		people, err = sampleIdentities(ctx, db, 20000)
		db.Read.QueryRowContext(ctx, `SELECT count(*) FROM citizens`).Scan(&citizens)
		return err
	})
	if err != nil {
		return err
	}
	storeArgs := sf.args()
	var cl struct{ ID, Secret string }
	if cl.ID, cl.Secret, err = benchMachineClient(ctx, sf, "Bench gateway", "exchange:verify"); err != nil {
		return err
	}

	srv, addr, err := startProcess(ctx, stderr, append([]string{"serve", "--addr", "127.0.0.1:0"}, storeArgs...)...)
	if err != nil {
		return err
	}
	base := "http://" + addr
	if err := benchOnboard(ctx, base, token, cl.ID, "telco", "làm sạch thuê bao", []string{"verify"}, []string{"pid", "full_name", "birth_date", "sex"}); err != nil {
		stopProcess(srv)
		return err
	}
	tok, err := (&clientcredentials.Config{ClientID: cl.ID, ClientSecret: cl.Secret, TokenURL: base + "/oauth2/token"}).Token(ctx)
	if err != nil {
		stopProcess(srv)
		return err
	}
	bodies := make([][]byte, len(people))
	for i, p := range people {
		// Most subscriber records match; some carry the name without
		// diacritics, as telcos' systems often hold it.
		name := p.name
		if i%4 == 0 {
			name = strings.ToUpper(name)
		}
		bodies[i], _ = json.Marshal(map[string]any{"idDocument": p.pid, "name": name, "birthdate": p.birth, "gender": strings.ToUpper(p.sex)})
	}
	fmt.Fprintln(stdout, "| scenario | backend | citizens | clients | requests/s | p50 | p99 | errors | server CPU per request |")
	fmt.Fprintln(stdout, "|---|---|---|---|---|---|---|---|---|")
	fmt.Fprintf(stderr, "gateway: verify at %s, %d clients for %s\n", addr, bf.concurrency, bf.duration)
	cpu0 := cpuOf(srv.Process.Pid)
	verify := hammerWith(ctx, bf.concurrency, bf.duration, func(ctx context.Context, r *rand.Rand, _ int) *http.Request {
		req, _ := http.NewRequestWithContext(ctx, "POST", base+"/api/v1/gateway/verify", bytes.NewReader(bodies[r.IntN(len(bodies))]))
		req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Purpose", "làm sạch thuê bao")
		return req
	})
	verifyCPU := (cpuOf(srv.Process.Pid) - cpu0) / time.Duration(max(1, verify.all))
	if verify.errors > 0 {
		fmt.Fprintf(stderr, "gateway: %d verifications failed, the first with: %s\n", verify.errors, verify.first)
	}
	stopProcess(srv)
	fmt.Fprintf(stdout, "| POST /api/v1/gateway/verify (token, grant, registry, metering, access log) | %s | %s | %d | %s | %s | %s | %d | %s |\n",
		bf.backend, thousands(citizens), bf.concurrency, thousands(int64(verify.rate)), verify.p50.Round(10*time.Microsecond), verify.p99.Round(10*time.Microsecond),
		verify.errors, verifyCPU.Round(time.Microsecond))

	fl, faddr, err := startProcess(ctx, stderr, append([]string{"bench", "floor-server"}, storeArgs...)...)
	if err != nil {
		return err
	}
	urls := make([]string, len(people))
	for i, p := range people {
		urls[i] = "http://" + faddr + "/floor/" + p.pid
	}
	cpu0 = cpuOf(fl.Process.Pid)
	floor := hammer(ctx, urls, http.Header{}, bf.concurrency, bf.duration)
	floorCPU := (cpuOf(fl.Process.Pid) - cpu0) / time.Duration(max(1, floor.all))
	stopProcess(fl)
	fmt.Fprintf(stdout, "| floor: minimal handler, one raw lookup | %s | %s | %d | %s | %s | %s | %d | %s |\n",
		bf.backend, thousands(citizens), bf.concurrency, thousands(int64(floor.rate)), floor.p50.Round(10*time.Microsecond), floor.p99.Round(10*time.Microsecond),
		floor.errors, floorCPU.Round(time.Microsecond))
	if floor.rate > 0 {
		fmt.Fprintf(stdout, "\nverify/floor: %.0f%%\n", 100*verify.rate/floor.rate)
	}
	return nil
}

type heldIdentity struct{ pid, name, birth, sex string }

// sampleIdentities picks n people at random with what a telco would hold
// of them.
func sampleIdentities(ctx context.Context, db *sqlstore.DB, n int) ([]heldIdentity, error) {
	var top int64
	if err := db.Read.QueryRowContext(ctx, `SELECT COALESCE(max(person_key), 0) FROM citizens`).Scan(&top); err != nil {
		return nil, err
	}
	if top == 0 {
		return nil, errors.New("the registry is empty: seed it first")
	}
	r := rand.New(rand.NewPCG(42, 43))
	q := db.Rebind(`SELECT record FROM citizens WHERE person_key >= ? ORDER BY person_key LIMIT 1`)
	var out []heldIdentity
	for len(out) < n {
		var doc []byte
		err := db.Read.QueryRowContext(ctx, q, r.Int64N(top)+1).Scan(&doc)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return nil, err
		}
		var c struct {
			PID       string `json:"pid"`
			FullName  string `json:"full_name"`
			BirthDate string `json:"birth_date"`
			Sex       string `json:"sex"`
		}
		if err := json.Unmarshal(doc, &c); err != nil {
			return nil, err
		}
		if c.PID != "" {
			out = append(out, heldIdentity{c.PID, c.FullName, c.BirthDate, c.Sex})
		}
	}
	return out, nil
}

// everyoneShuffled returns n people, each once while the registry has
// enough (in random order, so a batch's records are spread over the whole
// registry as a telco's subscriber list is), with what a telco would
// hold of them.
func everyoneShuffled(ctx context.Context, db *sqlstore.DB, n int) ([]heldIdentity, error) {
	rows, err := db.Read.QueryContext(ctx, `SELECT pid, full_name, birth_from, birth_to FROM citizens WHERE status <> 'dead'`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var all []heldIdentity
	for rows.Next() {
		var p heldIdentity
		var to string
		if err := rows.Scan(&p.pid, &p.name, &p.birth, &to); err != nil {
			return nil, err
		}
		if p.birth != to {
			p.birth = "" // the registry knows only the year or month
		}
		all = append(all, p)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(all) == 0 {
		return nil, errors.New("the registry is empty: seed it first")
	}
	r := rand.New(rand.NewPCG(42, 43))
	r.Shuffle(len(all), func(i, j int) { all[i], all[j] = all[j], all[i] })
	for len(all) < n {
		all = append(all, all[:min(len(all), n-len(all))]...)
	}
	return all[:n], nil
}

// benchOfficer makes a national officer for a benchmark and returns its
// token, running also (when not nil) on the database before it closes.
func benchOfficer(ctx context.Context, sf *storeFlags, also func(*sqlstore.DB) error) (string, error) {
	db, _, err := sf.open(ctx)
	if err != nil {
		return "", err
	}
	defer db.Close()
	officers, err := sf.officers(db, os.Getenv)
	if err != nil {
		return "", err
	}
	_, token, err := officers.Create(ctx, actor.Actor{Kind: actor.KindOperator, ID: "bench"}, "Benchmark", actor.NationalUnit, "registry")
	if err != nil {
		return "", err
	}
	if also != nil {
		if err := also(db); err != nil {
			return "", err
		}
	}
	return token, nil
}

// args are the flags that point another dancu process at the same store.
func (f *storeFlags) args() []string {
	a := []string{"--data", f.data}
	if f.db != "" {
		a = append(a, "--db", f.db)
	}
	return a
}

// benchOnboard takes a member's system through the security gate with the
// officer's token and grants it operations on fields for purpose, with a
// rate no benchmark reaches.
func benchOnboard(ctx context.Context, base, token, clientID, memberType, purpose string, ops, fields []string) error {
	call := func(path string, body any) (map[string]any, error) {
		b, _ := json.Marshal(body)
		req, _ := http.NewRequestWithContext(ctx, "POST", base+path, bytes.NewReader(b))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Purpose", "benchmark")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return nil, err
		}
		defer resp.Body.Close()
		var m map[string]any
		json.NewDecoder(resp.Body).Decode(&m)
		if resp.StatusCode >= 300 {
			return nil, fmt.Errorf("%s: %s %v", path, resp.Status, m)
		}
		return m, nil
	}
	m, err := call("/api/v1/exchange/members", map[string]any{"name": "Thành viên thử " + memberType, "type": memberType})
	if err != nil {
		return err
	}
	member := m["id"].(string)
	sys, err := call("/api/v1/exchange/systems", map[string]any{"member_id": member, "name": "Hệ thống thử", "client_id": clientID, "rate_limit": 1e6})
	if err != nil {
		return err
	}
	sysID := sys["id"].(string)
	if _, err := call("/api/v1/exchange/systems/"+sysID+"/stage", map[string]any{"stage": "assessment"}); err != nil {
		return err
	}
	for _, item := range []string{"security_level", "pentest_date", "tls", "ip_allowlist", "dpo", "incident_contact"} {
		v := "đạt"
		if item == "pentest_date" {
			v = "2026-10-01"
		}
		if _, err := call("/api/v1/exchange/systems/"+sysID+"/checks", map[string]any{"item": item, "value": v, "evidence": "bench"}); err != nil {
			return err
		}
	}
	for _, st := range []string{"approved", "active"} {
		if _, err := call("/api/v1/exchange/systems/"+sysID+"/stage", map[string]any{"stage": st}); err != nil {
			return err
		}
	}
	_, err = call("/api/v1/exchange/grants", map[string]any{"member_id": member, "purpose": purpose, "legal_basis": "benchmark",
		"operations": ops, "fields": fields, "valid_until": time.Now().AddDate(1, 0, 0).UTC().Format(time.RFC3339)})
	return err
}

// benchMachineClient registers a client_credentials client with the CLI,
// as an operator would, and returns its id and secret.
func benchMachineClient(ctx context.Context, sf *storeFlags, name, scopes string) (id, secret string, err error) {
	exe, err := os.Executable()
	if err != nil {
		return "", "", err
	}
	out, err := exec.CommandContext(ctx, exe, append([]string{"client", "create", "--name", name, "--grant-types", "client_credentials",
		"--scopes", scopes}, sf.args()...)...).Output()
	if err != nil {
		return "", "", fmt.Errorf("client create: %w", err)
	}
	var cl struct {
		ID     string `json:"client_id"`
		Secret string `json:"client_secret"`
	}
	if err := json.Unmarshal(out, &cl); err != nil {
		return "", "", fmt.Errorf("client create: %w", err)
	}
	return cl.ID, cl.Secret, nil
}
