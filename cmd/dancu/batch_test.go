package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/oauth2/clientcredentials"
)

// TestBatchVerification: a 50,000-record subscriber batch, verified once
// without trouble, then again with the server killed once its plan is
// written, at each named point of a chunk and once at a random moment, restarted, and left to resume:
// every run ends with the same results, each record answered exactly
// once. The CLI client uploads, follows and downloads a job too.
func TestBatchVerification(t *testing.T) {
	b := backend{name: "sqlite", data: t.TempDir()}
	mustDancu(t, append([]string{"seed", "--citizens", "20000", "--seed", "7"}, b.args()...)...)
	export := filepath.Join(t.TempDir(), "people.jsonl")
	mustDancu(t, append([]string{"export", "--format", "jsonl", "--out", export}, b.args()...)...)
	input := batchInput(t, export, 50_000)

	env := []string{"DANCU_BATCH_LEASE=300ms"}
	srv := startEnv(t, env, b.args()...)
	officer := &client{t: t, url: srv.url, token: newOfficer(t, b, "VN")}
	machine := createClient(t, b, "--name", "Nhà mạng", "--grant-types", "client_credentials", "--scopes", "exchange:verify")
	const purpose = "làm sạch thông tin thuê bao"
	onboard(t, officer, "Tổng công ty Viễn thông", "telco", machine.ID, purpose, []string{"batch_verify"}, []string{"pid", "full_name", "birth_date"}, 100000)
	// Each server has its own address, which is its token issuer.
	systemOf := func(srv *server) *client {
		t.Helper()
		tok, err := (&clientcredentials.Config{ClientID: machine.ID, ClientSecret: machine.Secret, TokenURL: srv.url + "/oauth2/token"}).Token(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		return &client{t: t, url: srv.url, token: tok.AccessToken}
	}
	system := systemOf(srv)

	// submit opens a job, uploads the file in pieces, and starts it.
	submit := func(sys *client) string {
		t.Helper()
		id := str(sys.call("POST", "/api/v1/gateway/batches", map[string]any{"format": "jsonl"}, 201, "X-Purpose", purpose), "id")
		const piece = 1 << 20
		for off := 0; off < len(input); off += piece {
			end := min(off+piece, len(input))
			req, _ := http.NewRequest("PATCH", sys.url+"/api/v1/gateway/batches/"+id+"/input", bytes.NewReader(input[off:end]))
			req.Header.Set("Authorization", "Bearer "+sys.token)
			req.Header.Set("Upload-Offset", strconv.Itoa(off))
			resp, err := http.DefaultClient.Do(req)
			if err != nil || resp.StatusCode != 200 {
				t.Fatalf("upload at %d: %v %v", off, err, resp)
			}
			resp.Body.Close()
		}
		// A piece sent again is refused, with where to go on from.
		req, _ := http.NewRequest("PATCH", sys.url+"/api/v1/gateway/batches/"+id+"/input", strings.NewReader("{}\n"))
		req.Header.Set("Authorization", "Bearer "+sys.token)
		req.Header.Set("Upload-Offset", "0")
		if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != 409 || resp.Header.Get("Content-Type") != "application/problem+json" {
			t.Fatalf("a piece sent twice: %v %v", err, resp)
		}
		if j := sys.call("POST", "/api/v1/gateway/batches/"+id+"/start", nil, 200); j["total"].(float64) != 50_000 {
			t.Fatalf("started: %v", j)
		}
		return id
	}
	wait := func(sys *client, id string) map[string]any {
		t.Helper()
		deadline := time.Now().Add(2 * time.Minute)
		for {
			j := sys.call("GET", "/api/v1/gateway/batches/"+id, nil, 200)
			if j["status"] == "done" {
				return j
			}
			if j["status"] != "running" && j["status"] != "queued" || time.Now().After(deadline) {
				t.Fatalf("batch %s: %v", id, j)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	results := func(sys *client, id string) []string {
		t.Helper()
		req, _ := http.NewRequest("GET", sys.url+"/api/v1/gateway/batches/"+id+"/results", nil)
		req.Header.Set("Authorization", "Bearer "+sys.token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("results: %v %v", err, resp)
		}
		defer resp.Body.Close()
		return resultLines(t, resp.Body)
	}

	ref := submit(system)
	job := wait(system, ref)
	want := results(system, ref)
	counts := job["counts"].(map[string]any)
	t.Logf("reference run: %v, %.0f records/s", counts, job["rate"])
	if len(want) != 50_000 || counts["match"].(float64) < 40_000 || counts["mismatch"] == nil || counts["invalid"] == nil || counts["not_found"] == nil {
		t.Fatalf("reference run: %d results, counts %v", len(want), counts)
	}
	srv.kill()

	kills := []string{"batch-after-plan:1", "batch-mid-results:2", "batch-after-results:3", "batch-after-checkpoint:4", "random"}
	for _, kill := range kills {
		t.Run(kill, func(t *testing.T) {
			e := env
			if kill != "random" {
				e = append(slices.Clone(env), "DANCU_FAILPOINT="+kill)
			}
			victim := startEnv(t, e, b.args()...)
			sys := systemOf(victim)
			id := submit(sys)
			if kill == "random" {
				// Somewhere in the job, which takes a few seconds.
				for {
					time.Sleep(time.Duration(50+rand.IntN(200)) * time.Millisecond)
					if j := sys.call("GET", "/api/v1/gateway/batches/"+id, nil, 200); j["done"].(float64) > 0 {
						t.Logf("killed with %v records done", j["done"])
						break
					}
				}
				victim.cmd.Process.Signal(syscall.SIGKILL)
			}
			waitErr := make(chan error, 1)
			go func() { waitErr <- victim.cmd.Wait() }()
			select {
			case <-waitErr:
			case <-time.After(time.Minute):
				t.Fatalf("the server was not killed at %s", kill)
			}
			again := startEnv(t, env, b.args()...)
			sys = systemOf(again)
			j := wait(sys, id)
			got := results(sys, id)
			if !slices.Equal(got, want) {
				t.Fatalf("after a kill at %s: %d results (want %d), counts %v", kill, len(got), len(want), j["counts"])
			}
			again.kill()
		})
	}

	// The command-line client, against a fresh server.
	last := startEnv(t, env, b.args()...)
	file := filepath.Join(t.TempDir(), "subscribers.jsonl")
	if err := os.WriteFile(file, input, 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(binary, "batch", "submit", file, "--url", last.url, "--client-id", machine.ID, "--purpose", purpose, "--piece", "300000")
	cmd.Env = append(os.Environ(), "DANCU_CLIENT_SECRET="+machine.Secret)
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "50,000 records") {
		t.Fatalf("dancu batch submit: %v\n%s", err, out)
	}
	f, err := os.Open(file + ".results.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := resultLines(t, f); !slices.Equal(got, want) {
		t.Fatalf("the CLI's results differ from the reference: %d lines", len(got))
	}
}

// resultLines reads result lines, sorted by record, checking each record
// is there once.
func resultLines(t *testing.T, r io.Reader) []string {
	t.Helper()
	var lines []string
	seen := map[float64]bool{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var rec map[string]any
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			t.Fatalf("result line %q: %v", sc.Text(), err)
		}
		n := rec["record"].(float64)
		if seen[n] {
			t.Fatalf("record %v answered twice", n)
		}
		seen[n] = true
		lines = append(lines, sc.Text())
	}
	slices.SortFunc(lines, func(a, b string) int {
		var x, y struct{ Record int }
		json.Unmarshal([]byte(a), &x)
		json.Unmarshal([]byte(b), &y)
		return x.Record - y.Record
	})
	return lines
}

// batchInput makes n subscriber records from exported people: most
// exact, some without diacritics or in capitals, some with another
// name, some malformed, some with numbers no one has.
func batchInput(t *testing.T, export string, n int) []byte {
	t.Helper()
	f, err := os.Open(export)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	type person struct {
		PID       string `json:"pid"`
		FullName  string `json:"full_name"`
		BirthDate string `json:"birth_date"`
	}
	var people []person
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var p person
		if json.Unmarshal(sc.Bytes(), &p) == nil && p.PID != "" && p.FullName != "" {
			people = append(people, p)
		}
	}
	if len(people) == 0 {
		t.Fatal("nothing exported")
	}
	var buf bytes.Buffer
	for i := range n {
		p := people[i%len(people)]
		rec := map[string]any{"ref": fmt.Sprintf("sub-%06d", i), "idDocument": p.PID, "name": p.FullName, "birthdate": p.BirthDate}
		switch {
		case i%97 == 5:
			rec["birthdate"] = "31/12/1990"
		case i%89 == 7:
			rec["idDocument"] = fmt.Sprintf("0019%08d", 99999000+i%1000)
		case i%10 == 3:
			rec["name"] = "Trần Thị Không Khớp"
		case i%4 == 1:
			rec["name"] = strings.ToUpper(p.FullName)
		}
		line, _ := json.Marshal(rec)
		buf.Write(line)
		buf.WriteByte('\n')
	}
	return buf.Bytes()
}
