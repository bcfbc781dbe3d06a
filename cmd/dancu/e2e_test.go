package main

import (
	"bufio"
	"bytes"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	_ "modernc.org/sqlite"

	"dancu/internal/store/postgres/pgtest"
)

// binary is the dancu binary the end-to-end tests run, built once.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "dancu-e2e-")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "dancu")
	if out, err := exec.Command("go", "build", "-o", binary, ".").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "building dancu: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	pgtest.StopShared()
	os.RemoveAll(dir)
	os.Exit(code)
}

// backend is where a test's dancu keeps its data.
type backend struct {
	name string
	data string
	db   string // PostgreSQL URL, or "" for SQLite in data
}

func (b backend) args() []string {
	a := []string{"--data", b.data}
	if b.db != "" {
		a = append(a, "--db", b.db)
	}
	return a
}

// countRows counts rows in the backend's database.
func (b backend) query(t *testing.T, q string) int64 {
	t.Helper()
	driver, dsn := "sqlite", "file:"+filepath.Join(b.data, "dancu.db")+"?_pragma=busy_timeout(10000)"
	if b.db != "" {
		driver, dsn = "pgx", b.db
	}
	db, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int64
	if err := db.QueryRow(q).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

func backends(t *testing.T) []backend {
	return []backend{
		{name: "sqlite", data: t.TempDir()},
		{name: "postgres", data: t.TempDir(), db: pgtest.Shared(t).NewDatabase(t)},
	}
}

// server is a running dancu serve.
type server struct {
	cmd  *exec.Cmd
	url  string
	logs *bytes.Buffer
}

func start(t *testing.T, b backend) *server {
	t.Helper()
	return startArgs(t, b.args()...)
}

// startArgs starts dancu serve with store flags.
func startArgs(t *testing.T, args ...string) *server {
	t.Helper()
	return startEnv(t, nil, args...)
}

// startEnv starts dancu serve with more environment variables.
func startEnv(t *testing.T, env []string, args ...string) *server {
	t.Helper()
	cmd := exec.Command(binary, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...)...)
	if env != nil {
		cmd.Env = append(os.Environ(), env...)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	logs := &bytes.Buffer{}
	cmd.Stderr = &lockedWriter{w: logs}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s := &server{cmd: cmd, logs: logs}
	t.Cleanup(func() { s.kill() })
	lines := bufio.NewScanner(stdout)
	found := make(chan string, 1)
	go func() {
		for lines.Scan() {
			if u, ok := strings.CutPrefix(lines.Text(), "dancu listening on "); ok {
				found <- u
			}
		}
		close(found)
	}()
	select {
	case u, ok := <-found:
		if !ok {
			t.Fatalf("dancu exited before listening:\n%s", logs)
		}
		s.url = u
	case <-time.After(60 * time.Second):
		t.Fatalf("dancu did not start:\n%s", logs)
	}
	for deadline := time.Now().Add(30 * time.Second); ; {
		if resp, err := http.Get(s.url + "/healthz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return s
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("/healthz never answered 200:\n%s", logs)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (s *server) kill() {
	if s.cmd.Process != nil && s.cmd.ProcessState == nil {
		s.cmd.Process.Signal(syscall.SIGKILL)
		s.cmd.Wait()
	}
}

type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// officer creates an officer with the CLI and returns the token, which the
// command prints as its last line.
func newOfficer(t *testing.T, b backend, unit string) string {
	t.Helper()
	out, err := exec.Command(binary, append([]string{"officer", "create", "--name", "Cán bộ " + unit, "--unit", unit, "--role", "registry"}, b.args()...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("officer create: %v\n%s", err, out)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	return lines[len(lines)-1]
}

type client struct {
	t     *testing.T
	url   string
	token string
	// persons counts the persons whose data responses returned, which the
	// access log must match.
	persons int
}

func (c *client) call(method, path string, body any, want int, headers ...string) map[string]any {
	c.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, c.url+path, rd)
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Purpose", "kiểm thử đầu cuối")
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		c.t.Fatalf("%s %s: %d, want %d: %s", method, path, resp.StatusCode, want, raw)
	}
	var out map[string]any
	if err := json.Unmarshal(raw, &out); err != nil {
		c.t.Fatalf("%s %s: %v: %s", method, path, err, raw)
	}
	if resp.StatusCode < 300 {
		switch {
		case out["results"] != nil:
			c.persons += len(out["results"].([]any))
		case out["members"] != nil:
			c.persons += len(out["members"].([]any))
		case out["pid"] != nil:
			c.persons++
		}
	}
	return out
}

// status sends a bodiless request and returns only the status.
func (c *client) status(method, path string) int {
	c.t.Helper()
	req, _ := http.NewRequest(method, c.url+path, nil)
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("X-Purpose", "kiểm thử đầu cuối")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

func str(m map[string]any, path ...string) string {
	var v any = m
	for _, p := range path {
		mm, ok := v.(map[string]any)
		if !ok {
			return ""
		}
		v = mm[p]
	}
	s, _ := v.(string)
	return s
}

// TestLifeOfACitizen drives the real binary through a citizen's life on
// both backends: birth, residence in a household, a move to another
// commune's household, a name change, a back-dated correction, reads as of
// dates and as known at instants before and after, and death.
func TestLifeOfACitizen(t *testing.T) {
	for _, b := range backends(t) {
		t.Run(b.name, func(t *testing.T) {
			srv := start(t, b)
			hn := &client{t: t, url: srv.url, token: newOfficer(t, b, "00004")}  // Phường Ba Đình, Hà Nội
			hcm := &client{t: t, url: srv.url, token: newOfficer(t, b, "26740")} // Phường Sài Gòn, Hồ Chí Minh

			c := hn.call("POST", "/api/v1/births", map[string]any{
				"full_name": "Nguyễn Hoàng Long", "birth_date": "2001-04-30", "sex": "male",
				"birth_place": "00004", "registration_place": "00004", "ethnicity": "01",
			}, 201)
			pid := str(c, "pid")
			if !strings.HasPrefix(pid, "001201") {
				t.Fatalf("pid %s", pid)
			}
			head := hn.call("POST", "/api/v1/births", map[string]any{
				"full_name": "Nguyễn Văn Thành", "birth_date": "1970-02-02", "sex": "male",
				"birth_place": "00004", "registration_place": "00004",
			}, 201)
			hh := hn.call("POST", "/api/v1/citizens/"+str(head, "pid")+"/events", map[string]any{
				"type": "permanent_residence", "effective_date": "2025-07-15", "place": "00004", "address": "18 Phố Hòe Nhai", "new_household": true,
			}, 201)
			hid := str(hh, "permanent_residence", "household_id")
			hn.call("POST", "/api/v1/citizens/"+pid+"/events", map[string]any{
				"type": "permanent_residence", "effective_date": "2025-08-01", "household_id": hid, "relation": "child",
			}, 201)
			if got := hn.call("GET", "/api/v1/households/"+hid, nil, 200); len(got["members"].([]any)) != 2 {
				t.Fatalf("household %v", got)
			}
			// Moving to a household in Hồ Chí Minh City: registered by the
			// destination commune, it closes the Hà Nội residence.
			hcmHead := hcm.call("POST", "/api/v1/births", map[string]any{
				"full_name": "Trần Thị Mỹ", "birth_date": "1975-05-05", "sex": "female",
				"birth_place": "26740", "registration_place": "26740",
			}, 201)
			hh2 := hcm.call("POST", "/api/v1/citizens/"+str(hcmHead, "pid")+"/events", map[string]any{
				"type": "permanent_residence", "effective_date": "2025-09-01", "place": "26740", "address": "45 Lê Thánh Tôn", "new_household": true,
			}, 201)
			hid2 := str(hh2, "permanent_residence", "household_id")
			moved := hcm.call("POST", "/api/v1/citizens/"+pid+"/events", map[string]any{
				"type": "permanent_residence", "effective_date": "2026-02-01", "household_id": hid2, "relation": "other_relative",
			}, 201)
			if str(moved, "permanent_residence", "place") != "26740" {
				t.Fatalf("after the move: %v", moved["permanent_residence"])
			}
			if got := hn.call("GET", "/api/v1/households/"+hid, nil, 200); len(got["members"].([]any)) != 1 {
				t.Fatalf("old household still has %d members", len(got["members"].([]any)))
			}
			hcm.call("POST", "/api/v1/citizens/"+pid+"/events", map[string]any{
				"type": "name_change", "effective_date": "2026-03-01", "full_name": "Nguyễn Hoàng Phi Long", "reason": "Thay đổi tên theo yêu cầu",
			}, 201)
			time.Sleep(10 * time.Millisecond)
			beforeCorrection := time.Now().UTC().Format(time.RFC3339Nano)
			time.Sleep(10 * time.Millisecond)
			// A back-dated correction of the birth date: wrong since birth.
			corr := hcm.call("POST", "/api/v1/citizens/"+pid+"/events", map[string]any{
				"type": "correction", "effective_date": "2001-04-30", "birth_date": "2001-04-03", "legal_basis": "Luật Hộ tịch 2014, Điều 7", "reason": "Sai ngày sinh khi đăng ký",
			}, 201)
			if str(corr, "birth_date") != "2001-04-03" || str(corr, "pid") != pid {
				t.Fatalf("correction: %v", corr)
			}
			reads := []struct {
				query, birth, name, place string
			}{
				{"", "2001-04-03", "Nguyễn Hoàng Phi Long", "26740"},
				{"?as_of=2025-12-31", "2001-04-03", "Nguyễn Hoàng Long", "00004"},
				{"?known_at=" + beforeCorrection, "2001-04-30", "Nguyễn Hoàng Phi Long", "26740"},
				{"?as_of=2025-12-31&known_at=" + beforeCorrection, "2001-04-30", "Nguyễn Hoàng Long", "00004"},
			}
			for _, r := range reads {
				got := hcm.call("GET", "/api/v1/citizens/"+pid+strings.ReplaceAll(r.query, "+", "%2B"), nil, 200)
				if str(got, "birth_date") != r.birth || str(got, "full_name") != r.name || str(got, "permanent_residence", "place") != r.place {
					t.Errorf("GET %s: birth %s name %s place %s; want %s %s %s", r.query, str(got, "birth_date"), str(got, "full_name"), str(got, "permanent_residence", "place"), r.birth, r.name, r.place)
				}
			}
			// Hà Nội, where the birth was registered, keeps authority; a third
			// commune has none.
			hn.call("GET", "/api/v1/citizens/"+pid, nil, 200)
			other := &client{t: t, url: srv.url, token: newOfficer(t, b, "00097")}
			other.call("GET", "/api/v1/citizens/"+pid, nil, 403)
			dead := hcm.call("POST", "/api/v1/citizens/"+pid+"/events", map[string]any{"type": "death", "effective_date": "2026-11-20", "death_place": "Bệnh viện Chợ Rẫy"}, 201)
			if str(dead, "status") != "dead" || dead["permanent_residence"] != nil {
				t.Fatalf("after death: %v", dead)
			}
			hcm.call("POST", "/api/v1/citizens/"+pid+"/events", map[string]any{"type": "name_change", "full_name": "Nguyễn Long"}, 422)

			var types []string
			for cursor := ""; ; {
				page := hcm.call("GET", "/api/v1/citizens/"+pid+"/events?limit=2"+cursor, nil, 200)
				for _, e := range page["events"].([]any) {
					types = append(types, str(e.(map[string]any), "type"))
				}
				next := str(page, "next_cursor")
				if next == "" {
					break
				}
				cursor = "&cursor=" + next
			}
			want := "birth correction permanent_residence permanent_residence name_change death"
			if strings.Join(types, " ") != want {
				t.Fatalf("history %v, want %s", types, want)
			}
			hcm.call("GET", "/api/v1/citizens?name=nguyen+hoang+long&birth_date=2001-04", nil, 200)
			srv.kill()
			// Access-log rows equal persons returned: every response above that
			// carried a person's data wrote exactly one row per person.
			if got, want := b.query(t, "SELECT count(*) FROM access_log"), int64(hn.persons+hcm.persons); got != want {
				t.Fatalf("%d access-log rows, %d persons returned", got, want)
			}
			if n := b.query(t, "SELECT count(*) FROM outbox"); n != b.query(t, "SELECT count(*) FROM events") {
				t.Fatalf("outbox rows %d differ from events", n)
			}
		})
	}
}

// TestAllocationSurvivesKill registers births from concurrent clients while
// the server is killed with SIGKILL and restarted, over and over. Clients
// retry with their Idempotency-Key until they get an answer. At the end every
// number is unique across people and aliases, and every key made exactly
// one person.
func TestAllocationSurvivesKill(t *testing.T) {
	for _, b := range backends(t) {
		t.Run(b.name, func(t *testing.T) {
			srv := start(t, b)
			token := newOfficer(t, b, "VN")
			var mu sync.Mutex
			url := srv.url
			current := func() string { mu.Lock(); defer mu.Unlock(); return url }
			// Clients register births until the server has been killed six
			// times; each finishes the key it is on before stopping.
			const clients, kills = 8, 6
			var stop sync.WaitGroup
			stopping := make(chan struct{})
			pids := make(chan string, 100000)
			for w := range clients {
				stop.Go(func() {
					for i := 0; ; i++ {
						select {
						case <-stopping:
							return
						default:
						}
						body, _ := json.Marshal(map[string]any{"full_name": fmt.Sprintf("Lại Văn %c%c%c", 'A'+w, 'a'+i/26%26, 'a'+i%26), "birth_date": "2026-06-01", "sex": "male", "birth_place": "00004", "registration_place": "00004"})
						key := fmt.Sprintf("kill-%d-%d", w, i)
						for attempt := 0; ; attempt++ {
							if attempt > 2000 {
								t.Errorf("birth %s never succeeded", key)
								return
							}
							req, _ := http.NewRequest("POST", current()+"/api/v1/births", bytes.NewReader(body))
							req.Header.Set("Authorization", "Bearer "+token)
							req.Header.Set("Content-Type", "application/json")
							req.Header.Set("Idempotency-Key", key)
							resp, err := http.DefaultClient.Do(req)
							if err != nil {
								time.Sleep(10 * time.Millisecond)
								continue
							}
							raw, _ := io.ReadAll(resp.Body)
							resp.Body.Close()
							if resp.StatusCode == 201 {
								var out map[string]any
								json.Unmarshal(raw, &out)
								pids <- str(out, "pid")
								break
							}
							if resp.StatusCode < 500 {
								t.Errorf("birth %s: %d %s", key, resp.StatusCode, raw)
								return
							}
						}
					}
				})
			}
			for k := range kills {
				time.Sleep(time.Duration(150+k*53) * time.Millisecond)
				srv.kill()
				srv = start(t, b)
				mu.Lock()
				url = srv.url
				mu.Unlock()
			}
			close(stopping)
			stop.Wait()
			close(pids)
			got := map[string]int{}
			for p := range pids {
				got[p]++
			}
			for p, n := range got {
				if n > 1 {
					t.Errorf("number %s returned to %d different keys", p, n)
				}
			}
			srv.kill()
			persons := b.query(t, "SELECT count(*) FROM persons")
			if int64(len(got)) != persons {
				t.Fatalf("%d persons, but %d keys were answered with distinct numbers (after %d kills)", persons, len(got), kills)
			}
			if n := b.query(t, "SELECT count(*) - count(DISTINCT number) FROM identity_aliases"); n != 0 {
				t.Fatalf("%d duplicate numbers", n)
			}
			if n := b.query(t, "SELECT count(*) FROM citizens c WHERE NOT EXISTS (SELECT 1 FROM identity_aliases a WHERE a.number = c.pid AND a.person_key = c.person_key)"); n != 0 {
				t.Fatalf("%d citizens whose number is not their alias", n)
			}
			if n := b.query(t, "SELECT count(*) FROM persons p WHERE NOT EXISTS (SELECT 1 FROM citizens c WHERE c.person_key = p.person_key)"); n != 0 {
				t.Fatalf("%d persons without a record", n)
			}
			t.Logf("%d births across %d kills", persons, kills)
		})
	}
}
