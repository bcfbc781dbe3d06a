package main

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"dancu/internal/civil"
	"dancu/internal/load"
	"dancu/internal/store/postgres/pgtest"
	"dancu/internal/store/sqlstore"
)

// dancu bench runs the performance scenarios of docs/BENCHMARKS.md and
// prints each result as a Markdown table row with what it measured on.
// Servers under load run as separate processes (this binary) and the load
// comes from this process, over loopback.

const benchUsage = `usage: dancu bench SCENARIO [flags]

scenarios:
  seed   seed --citizens N into a new database: rows/s and total time
  read   GET /api/v1/citizens/{pid} under concurrent load, next to the floor
         (a minimal handler doing one raw lookup) and raw lookups alone
  dedup  duplicates find over the whole registry: time and peak memory
  all    seed, then read and dedup on the same data
  oidc   the token endpoint (client_credentials with a secret and with
         private_key_jwt), introspection, and password logins next to the raw
         argon2id hashing rate, each under concurrent load
  gateway  POST /api/v1/gateway/verify (a telco's subscriber check: token,
         grant, registry, metering, access log) under concurrent load, next
         to the floor of the read scenario
  webhooks  the time from a registry write to its signed webhook, through
         the outbox, NATS JetStream and the subscription match, at 20 events/s
  batch  batch verification of --rows subscriber records of the seeded
         people, uploaded, verified by the server's worker: records/s
  bare   the peer of seed: a bare insert of --rows (k, v) rows into one table
         (SQLite: prepared multi-row INSERTs; PostgreSQL: COPY)

flags: --citizens N --backend sqlite|postgres --data DIR (keep/reuse a SQLite
registry) --reuse (use --data as it is, no seeding) --db URL (PostgreSQL to
use instead of a throwaway cluster) --concurrency C --duration D
--append FILE (also append the tables to FILE, e.g. docs/BENCHMARKS.md)
--only TEXT (oidc: only the rows whose name contains TEXT)
`

type benchFlags struct {
	citizens    int
	backend     string
	data, db    string
	reuse       bool
	concurrency int
	duration    time.Duration
	seed        uint64
	rows        int
	only        string
}

func cmdBench(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return errors.New(benchUsage)
	}
	scenario := args[0]
	if scenario == "floor-server" {
		return floorServer(ctx, args[1:], stdout)
	}
	fs := flag.NewFlagSet("bench "+scenario, flag.ContinueOnError)
	fs.SetOutput(stderr)
	var bf benchFlags
	fs.IntVar(&bf.citizens, "citizens", 100000, "persons to seed")
	fs.StringVar(&bf.backend, "backend", "sqlite", "sqlite or postgres")
	fs.StringVar(&bf.data, "data", "", "data directory (default: a new temporary one, removed at the end)")
	fs.StringVar(&bf.db, "db", "", "PostgreSQL URL (default: a throwaway cluster started for the run)")
	fs.BoolVar(&bf.reuse, "reuse", false, "use the registry in --data or --db as it is, without seeding")
	fs.IntVar(&bf.concurrency, "concurrency", 32, "concurrent clients of the read scenario")
	fs.DurationVar(&bf.duration, "duration", 20*time.Second, "how long each read measurement runs")
	fs.StringVar(&bf.only, "only", "", "oidc: measure only the rows whose name contains this (basic, private_key_jwt, introspection, login), e.g. to profile one")
	fs.Uint64Var(&bf.seed, "seed", 1, "seed of the population")
	fs.IntVar(&bf.rows, "rows", 10_000_000, "rows of the bare insert, records of the batch")
	appendTo := fs.String("append", "", "also append the results to this Markdown file (docs/BENCHMARKS.md)")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if *appendTo != "" {
		f, err := os.OpenFile(*appendTo, os.O_APPEND|os.O_WRONLY, 0)
		if err != nil {
			return fmt.Errorf("--append: %w", err)
		}
		defer f.Close()
		fmt.Fprintln(f)
		stdout = io.MultiWriter(stdout, f)
	}
	if bf.backend != "sqlite" && bf.backend != "postgres" {
		return fmt.Errorf("--backend is sqlite or postgres")
	}
	if !slices.Contains([]string{"seed", "read", "dedup", "all", "bare", "oidc", "gateway", "webhooks", "batch"}, scenario) {
		return fmt.Errorf("unknown scenario %q\n%s", scenario, benchUsage)
	}
	fmt.Fprintf(stdout, "<!-- %s; dancu bench %s %s -->\n", machine(), scenario, strings.Join(args[1:], " "))
	// On a shared virtual machine a neighbour's load shows as stolen
	// time; a run that lost much of it is not comparable with others.
	total0, steal0 := cpuTimes()
	defer func() {
		total, steal := cpuTimes()
		if total > total0 {
			pct := 100 * float64(steal-steal0) / float64(total-total0)
			fmt.Fprintf(stdout, "<!-- CPU time stolen by the hypervisor during the run: %.1f%% -->\n", pct)
			if pct > 5 {
				fmt.Fprintf(stderr, "warning: the hypervisor took %.0f%% of the CPU time during the run: these figures understate this machine\n", pct)
			}
		}
	}()
	if bf.data == "" {
		dir, err := os.MkdirTemp("", "dancu-bench-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		bf.data = dir
	}
	if bf.backend == "postgres" && bf.db == "" {
		// Production settings: durable commits. The memory settings are
		// what a 24 GiB machine would give PostgreSQL.
		os.Setenv("PGTEST_FSYNC", "on")
		os.Setenv("PGTEST_OPTS", "-c shared_buffers=4GB -c max_wal_size=8GB -c checkpoint_timeout=30min -c maintenance_work_mem=1GB -c work_mem=64MB")
		cl, err := pgtest.Start()
		if err != nil {
			return err
		}
		defer cl.Stop()
		bf.db = cl.URL("postgres")
	}
	sf := storeFlags{data: bf.data, db: bf.db}
	if scenario == "bare" {
		return benchBare(ctx, &sf, &bf, stdout)
	}
	if scenario == "oidc" {
		return benchOIDC(ctx, &sf, &bf, stdout, stderr)
	}
	if scenario == "seed" || (scenario == "all" && !bf.reuse) || (!bf.reuse && (scenario == "read" || scenario == "dedup" || scenario == "gateway" || scenario == "webhooks" || scenario == "batch")) {
		if err := benchSeed(ctx, &sf, &bf, stdout, stderr); err != nil {
			return err
		}
	}
	if scenario == "read" || scenario == "all" {
		if err := benchRead(ctx, &sf, &bf, stdout, stderr); err != nil {
			return err
		}
	}
	if scenario == "gateway" {
		return benchGateway(ctx, &sf, &bf, stdout, stderr)
	}
	if scenario == "webhooks" {
		return benchWebhooks(ctx, &sf, &bf, stdout, stderr)
	}
	if scenario == "batch" {
		return benchBatch(ctx, &sf, &bf, stdout, stderr)
	}
	if scenario == "dedup" || scenario == "all" {
		if err := benchDedup(ctx, &sf, &bf, stdout, stderr); err != nil {
			return err
		}
	}
	return nil
}

// machine describes where a benchmark ran.
func machine() string {
	cpu := "unknown CPU"
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(l, "model name") {
				cpu = strings.TrimSpace(strings.SplitN(l, ":", 2)[1])
				break
			}
		}
	}
	mem := ""
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		var kb int64
		fmt.Sscanf(strings.SplitN(string(b), "\n", 2)[0], "MemTotal: %d kB", &kb)
		mem = fmt.Sprintf(", %.0f GiB", float64(kb)/(1<<20))
	}
	return fmt.Sprintf("%s, %d cores%s, %s, %s", cpu, runtime.NumCPU(), mem, runtime.Version(), time.Now().UTC().Format(time.DateOnly))
}

func benchSeed(ctx context.Context, sf *storeFlags, bf *benchFlags, stdout, stderr io.Writer) error {
	db, _, err := sf.open(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	bar := newProgress(stderr, "seeding", "persons", int64(bf.citizens))
	st, err := load.Seed(ctx, registryService(db), db, load.SeedOptions{Citizens: bf.citizens, Seed: bf.seed, Today: civil.DateOf(time.Now()), Progress: bar})
	bar.Finish()
	if err != nil {
		return err
	}
	counts, err := db.Counts(ctx)
	if err != nil {
		return err
	}
	var rows int64
	for _, n := range counts {
		rows += n
	}
	size := ""
	if sf.db == "" {
		if fi, err := os.Stat(filepath.Join(sf.data, "dancu.db")); err == nil {
			size = fmt.Sprintf("%.1f GiB", float64(fi.Size())/(1<<30))
		}
	} else {
		var n int64
		if db.Write.QueryRowContext(ctx, `SELECT pg_database_size(current_database())`).Scan(&n) == nil {
			size = fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
		}
	}
	secs := st.Elapsed.Seconds()
	fmt.Fprintln(stdout, "| scenario | backend | citizens | total time | persons/s | rows written | rows/s | µs per citizen | index build | size |")
	fmt.Fprintln(stdout, "|---|---|---|---|---|---|---|---|---|---|")
	fmt.Fprintf(stdout, "| seed | %s | %s | %s | %s | %s | %s | %.1f | %s | %s |\n", bf.backend, thousands(st.Persons), st.Elapsed.Round(time.Second),
		thousands(int64(float64(st.Persons)/secs)), thousands(rows), thousands(int64(float64(rows)/secs)),
		secs*1e6/float64(st.Persons), st.IndexTime.Round(time.Second), size)
	return nil
}

// latencies collects request timings from many goroutines.
type latencies struct {
	mu  sync.Mutex
	all []time.Duration
}

func (l *latencies) add(ds []time.Duration) {
	l.mu.Lock()
	l.all = append(l.all, ds...)
	l.mu.Unlock()
}

func (l *latencies) quantile(q float64) time.Duration {
	if len(l.all) == 0 {
		return 0
	}
	return l.all[min(len(l.all)-1, int(q*float64(len(l.all))))]
}

type loadResult struct {
	requests int64
	errors   int64
	first    string // the first error, to say what went wrong
	all      int64  // responses, warm-up included
	rate     float64
	p50, p99 time.Duration
}

// hammer sends GETs of urls from c clients for d and measures them.
func hammer(ctx context.Context, urls []string, header http.Header, c int, d time.Duration) loadResult {
	return hammerWith(ctx, c, d, func(ctx context.Context, r *rand.Rand, _ int) *http.Request {
		req, _ := http.NewRequestWithContext(ctx, "GET", urls[r.IntN(len(urls))], nil)
		req.Header = header
		return req
	})
}

// hammerWith sends the requests next makes from c clients for d, and
// measures them; next gets the client's number.
func hammerWith(ctx context.Context, c int, d time.Duration, next func(ctx context.Context, r *rand.Rand, client int) *http.Request) loadResult {
	tr := &http.Transport{MaxIdleConns: c, MaxIdleConnsPerHost: c, MaxConnsPerHost: c, DisableCompression: true}
	// Redirects are answers (a login's 303), not followed.
	client := &http.Client{Transport: tr, Timeout: 10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	defer tr.CloseIdleConnections()
	var lat latencies
	var n, bad, all atomic.Int64
	var first sync.Once
	var firstErr string
	// A short warm-up, not measured: connections, caches.
	warm := time.Now().Add(min(d/5, 3*time.Second))
	end := warm.Add(d)
	var wg sync.WaitGroup
	for i := range c {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(i), 7))
			var mine []time.Duration
			buf := make([]byte, 64<<10)
			for ctx.Err() == nil {
				now := time.Now()
				if now.After(end) {
					break
				}
				resp, err := client.Do(next(ctx, r, i))
				if err == nil {
					for {
						if _, e := resp.Body.Read(buf); e != nil {
							break
						}
					}
					resp.Body.Close()
				}
				took := time.Since(now)
				ok := err == nil && resp.StatusCode < 400
				if ok {
					all.Add(1)
				}
				if now.Before(warm) {
					continue
				}
				if !ok {
					bad.Add(1)
					first.Do(func() {
						if err != nil {
							firstErr = err.Error()
						} else {
							firstErr = resp.Status
						}
					})
					continue
				}
				n.Add(1)
				mine = append(mine, took)
			}
			lat.add(mine)
		}()
	}
	wg.Wait()
	slices.Sort(lat.all)
	return loadResult{requests: n.Load(), errors: bad.Load(), first: firstErr, all: all.Load(), rate: float64(n.Load()) / d.Seconds(), p50: lat.quantile(0.50), p99: lat.quantile(0.99)}
}

// startProcess runs this binary with args and waits for the address it
// prints as "... listening on http://HOST:PORT", which it returns as
// HOST:PORT.
func startProcess(ctx context.Context, stderr io.Writer, args ...string) (*exec.Cmd, string, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, "", err
	}
	cmd := exec.CommandContext(ctx, exe, args...)
	cmd.Stderr = io.Discard
	// DANCU_BENCH_SERVER_LOG=FILE keeps the server's log (its batch
	// planning times, say) for looking into a run.
	if path := os.Getenv("DANCU_BENCH_SERVER_LOG"); path != "" {
		f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
		if err != nil {
			return nil, "", err
		}
		defer f.Close() // the child has its own descriptor
		cmd.Stderr = f
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, "", err
	}
	if err := cmd.Start(); err != nil {
		return nil, "", err
	}
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		if _, addr, ok := strings.Cut(sc.Text(), "listening on "); ok {
			go io.Copy(io.Discard, out)
			addr, _, _ = strings.Cut(strings.TrimPrefix(strings.TrimSpace(addr), "http://"), " ")
			return cmd, addr, nil
		}
	}
	cmd.Process.Kill()
	cmd.Wait()
	return nil, "", fmt.Errorf("%s did not start", strings.Join(args, " "))
}

func stopProcess(cmd *exec.Cmd) {
	cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(15 * time.Second):
		cmd.Process.Kill()
		<-done
	}
}

// cpuOf reads the processor time a process used so far.
func cpuOf(pid int) time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// The fields after the command name, which is in parentheses.
	f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))
	if len(f) < 13 {
		return 0
	}
	utime, _ := strconv.ParseInt(f[11], 10, 64)
	stime, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(utime+stime) * time.Second / 100 // USER_HZ
}

// cpuTimes reads the machine's CPU time so far and the part of it the
// hypervisor gave to other guests (steal), in clock ticks.
func cpuTimes() (total, steal int64) {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, 0
	}
	line, _, _ := strings.Cut(string(b), "\n")
	f := strings.Fields(line)
	if len(f) < 9 || f[0] != "cpu" {
		return 0, 0
	}
	for i, v := range f[1:] {
		n, _ := strconv.ParseInt(v, 10, 64)
		if i < 8 { // user nice system idle iowait irq softirq steal; guest time is already in user
			total += n
		}
		if i == 7 {
			steal = n
		}
	}
	return total, steal
}

// memoryOf reads a process's resident set and its peak, in MiB.
func memoryOf(pid int) (rss, hwm float64) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		var kb float64
		if _, err := fmt.Sscanf(l, "VmRSS: %f kB", &kb); err == nil {
			rss = kb / 1024
		}
		if _, err := fmt.Sscanf(l, "VmHWM: %f kB", &kb); err == nil {
			hwm = kb / 1024
		}
	}
	return rss, hwm
}

func samplePIDs(ctx context.Context, db *sqlstore.DB, n int) ([]string, error) {
	var max int64
	if err := db.Read.QueryRowContext(ctx, `SELECT COALESCE(max(person_key), 0) FROM citizens`).Scan(&max); err != nil {
		return nil, err
	}
	if max == 0 {
		return nil, errors.New("the registry is empty: seed it first")
	}
	r := rand.New(rand.NewPCG(42, 42))
	var out []string
	for len(out) < n {
		var p string
		err := db.Read.QueryRowContext(ctx, db.Rebind(`SELECT pid FROM citizens WHERE person_key >= ? ORDER BY person_key LIMIT 1`), r.Int64N(max)+1).Scan(&p)
		if err == nil {
			out = append(out, p)
		} else if !errors.Is(err, sql.ErrNoRows) {
			return nil, err
		}
	}
	return out, nil
}

func benchRead(ctx context.Context, sf *storeFlags, bf *benchFlags, stdout, stderr io.Writer) error {
	var pids []string
	var citizens int64
	token, err := benchOfficer(ctx, sf, func(db *sqlstore.DB) error {
		var err error
		pids, err = samplePIDs(ctx, db, 20000)
		db.Read.QueryRowContext(ctx, `SELECT count(*) FROM citizens`).Scan(&citizens)
		return err
	})
	if err != nil {
		return err
	}
	storeArgs := sf.args()
	fmt.Fprintln(stdout, "| scenario | backend | citizens | clients | requests/s | p50 | p99 | errors | server CPU per request | server RSS after | peak RSS |")
	fmt.Fprintln(stdout, "|---|---|---|---|---|---|---|---|---|---|---|")

	// The API, every read access-logged.
	srv, addr, err := startProcess(ctx, stderr, append([]string{"serve", "--addr", "127.0.0.1:0"}, storeArgs...)...)
	if err != nil {
		return err
	}
	rss0, _ := memoryOf(srv.Process.Pid)
	urls := make([]string, len(pids))
	for i, p := range pids {
		urls[i] = "http://" + addr + "/api/v1/citizens/" + p
	}
	h := http.Header{"Authorization": {"Bearer " + token}, "X-Purpose": {"benchmark"}}
	fmt.Fprintf(stderr, "read: API at %s (RSS %.0f MiB at start), %d clients for %s\n", addr, rss0, bf.concurrency, bf.duration)
	cpu0 := cpuOf(srv.Process.Pid)
	api := hammer(ctx, urls, h, bf.concurrency, bf.duration)
	apiCPU := (cpuOf(srv.Process.Pid) - cpu0) / time.Duration(max(1, api.all))
	if api.errors > 0 {
		fmt.Fprintf(stderr, "read: %d API requests failed, the first with: %s\n", api.errors, api.first)
	}
	rss, hwm := memoryOf(srv.Process.Pid)
	stopProcess(srv)
	fmt.Fprintf(stdout, "| GET /api/v1/citizens/{pid} (access-logged) | %s | %s | %d | %s | %s | %s | %d | %s | %.0f MiB | %.0f MiB |\n",
		bf.backend, thousands(citizens), bf.concurrency, thousands(int64(api.rate)), api.p50.Round(10*time.Microsecond), api.p99.Round(10*time.Microsecond), api.errors,
		apiCPU.Round(time.Microsecond), rss, hwm)

	// The floor: a minimal handler doing one raw point lookup.
	fl, addr, err := startProcess(ctx, stderr, append([]string{"bench", "floor-server"}, storeArgs...)...)
	if err != nil {
		return err
	}
	for i, p := range pids {
		urls[i] = "http://" + addr + "/floor/" + p
	}
	cpu0 = cpuOf(fl.Process.Pid)
	floor := hammer(ctx, urls, http.Header{}, bf.concurrency, bf.duration)
	floorCPU := (cpuOf(fl.Process.Pid) - cpu0) / time.Duration(max(1, floor.all))
	if floor.errors > 0 {
		fmt.Fprintf(stderr, "read: %d floor requests failed, the first with: %s\n", floor.errors, floor.first)
	}
	stopProcess(fl)
	fmt.Fprintf(stdout, "| floor: minimal handler, one raw lookup | %s | %s | %d | %s | %s | %s | %d | %s | | |\n",
		bf.backend, thousands(citizens), bf.concurrency, thousands(int64(floor.rate)), floor.p50.Round(10*time.Microsecond), floor.p99.Round(10*time.Microsecond), floor.errors,
		floorCPU.Round(time.Microsecond))

	// Raw lookups alone, in this process.
	db, _, err := sf.open(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	var lookups atomic.Int64
	end := time.Now().Add(bf.duration)
	var wg sync.WaitGroup
	q := db.Rebind(`SELECT record FROM citizens WHERE pid = ?`)
	for i := range bf.concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(i), 9))
			var doc []byte
			for time.Now().Before(end) {
				if db.Read.QueryRowContext(ctx, q, pids[r.IntN(len(pids))]).Scan(&doc) == nil {
					lookups.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	raw := float64(lookups.Load()) / bf.duration.Seconds()
	fmt.Fprintf(stdout, "| raw point lookups alone (no HTTP) | %s | %s | %d | %s | | | | | | |\n", bf.backend, thousands(citizens), bf.concurrency, thousands(int64(raw)))
	if floor.rate > 0 {
		fmt.Fprintf(stdout, "\nAPI/floor: %.0f%%\n", 100*api.rate/floor.rate)
	}
	return nil
}

// floorServer is the floor of the read benchmark: what any HTTP API must
// at least do to return a record, and nothing more.
func floorServer(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("floor-server", flag.ContinueOnError)
	var sf storeFlags
	sf.register(fs, os.Getenv)
	if err := fs.Parse(args); err != nil {
		return err
	}
	db, _, err := sf.open(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	q := db.Rebind(`SELECT record FROM citizens WHERE pid = ?`)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /floor/{pid}", func(w http.ResponseWriter, r *http.Request) {
		var doc []byte
		if err := db.Read.QueryRowContext(r.Context(), q, r.PathValue("pid")).Scan(&doc); err != nil {
			http.Error(w, err.Error(), http.StatusNotFound)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write(doc)
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "floor listening on http://%s\n", ln.Addr())
	srv := &http.Server{Handler: mux}
	go func() { <-ctx.Done(); srv.Close() }()
	err = srv.Serve(ln)
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}

func benchDedup(ctx context.Context, sf *storeFlags, bf *benchFlags, stdout, stderr io.Writer) error {
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	args := []string{"duplicates", "find", "--no-store", "--out", os.DevNull, "--data", sf.data}
	if sf.db != "" {
		args = append(args, "--db", sf.db)
	}
	cmd := exec.CommandContext(ctx, exe, args...)
	var errOut strings.Builder
	cmd.Stderr = &errOut
	start := time.Now()
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("duplicates find: %v\n%s", err, errOut.String())
	}
	took := time.Since(start)
	peak := float64(cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss) / 1024
	summary := strings.TrimSpace(errOut.String())
	if i := strings.LastIndex(summary, "\n"); i >= 0 {
		summary = summary[i+1:]
	}
	fmt.Fprintln(stdout, "| scenario | backend | time | peak RSS | detector's summary |")
	fmt.Fprintln(stdout, "|---|---|---|---|---|")
	fmt.Fprintf(stdout, "| duplicates find | %s | %s | %.0f MiB | %s |\n", bf.backend, took.Round(time.Second), peak, summary)
	return nil
}

// benchBare is the peer the seed scenario is compared with: the rate at
// which this machine and backend insert rows of a bare two-column table,
// by the fastest path each offers and with no rule, fold or index besides
// the key. A seeded person is some sixteen rows of nine tables.
func benchBare(ctx context.Context, sf *storeFlags, bf *benchFlags, stdout io.Writer) error {
	value := func(i int) string { return fmt.Sprintf("%012d", (int64(i)*7919)%1_000_000_000_000) }
	start := time.Now()
	if sf.db == "" {
		db, err := sql.Open("sqlite", "file:"+filepath.Join(sf.data, "bare.db")+"?_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)")
		if err != nil {
			return err
		}
		defer db.Close()
		db.SetMaxOpenConns(1)
		if _, err := db.ExecContext(ctx, `CREATE TABLE bare (k INTEGER PRIMARY KEY, v TEXT NOT NULL)`); err != nil {
			return err
		}
		const per, perTx = 256, 100_000
		q := "INSERT INTO bare (k, v) VALUES " + strings.TrimSuffix(strings.Repeat("(?, ?),", per), ",")
		for done := 0; done < bf.rows; {
			end := min(bf.rows, done+perTx)
			tx, err := db.BeginTx(ctx, nil)
			if err != nil {
				return err
			}
			stmt, err := tx.PrepareContext(ctx, q)
			if err != nil {
				tx.Rollback()
				return err
			}
			args := make([]any, 0, 2*per)
			for ; end-done >= per; done += per {
				args = args[:0]
				for i := done; i < done+per; i++ {
					args = append(args, i+1, value(i))
				}
				if _, err := stmt.ExecContext(ctx, args...); err != nil {
					tx.Rollback()
					return err
				}
			}
			for ; done < end; done++ {
				if _, err := tx.ExecContext(ctx, `INSERT INTO bare (k, v) VALUES (?, ?)`, done+1, value(done)); err != nil {
					tx.Rollback()
					return err
				}
			}
			if err := tx.Commit(); err != nil {
				return err
			}
		}
	} else {
		db, err := sql.Open("pgx", sf.db)
		if err != nil {
			return err
		}
		defer db.Close()
		if _, err := db.ExecContext(ctx, `DROP TABLE IF EXISTS bench_bare; CREATE TABLE bench_bare (k BIGINT PRIMARY KEY, v TEXT NOT NULL)`); err != nil {
			return err
		}
		conn, err := db.Conn(ctx)
		if err != nil {
			return err
		}
		err = conn.Raw(func(dc any) error {
			c := dc.(*stdlib.Conn).Conn()
			_, err := c.CopyFrom(ctx, pgx.Identifier{"bench_bare"}, []string{"k", "v"},
				pgx.CopyFromFunc(func() func() ([]any, error) {
					i := 0
					return func() ([]any, error) {
						if i == bf.rows {
							return nil, nil
						}
						i++
						return []any{int64(i), value(i - 1)}, nil
					}
				}()))
			return err
		})
		conn.Close()
		if err != nil {
			return err
		}
		defer db.ExecContext(context.WithoutCancel(ctx), `DROP TABLE bench_bare`)
	}
	took := time.Since(start)
	how := "prepared 256-row INSERTs, 100,000 rows per transaction, WAL, synchronous NORMAL"
	if sf.db != "" {
		how = "COPY, one transaction, durable commit"
	}
	fmt.Fprintln(stdout, "| scenario | backend | rows | total time | rows/s | how |")
	fmt.Fprintln(stdout, "|---|---|---|---|---|---|")
	fmt.Fprintf(stdout, "| bare insert (k, v) | %s | %s | %s | %s | %s |\n", bf.backend, thousands(int64(bf.rows)), took.Round(100*time.Millisecond),
		thousands(int64(float64(bf.rows)/took.Seconds())), how)
	return nil
}
