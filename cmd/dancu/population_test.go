package main

import (
	"bufio"
	"bytes"
	"database/sql"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"dancu/internal/quality"
	"dancu/internal/seed"
	"dancu/internal/store/postgres/pgtest"
)

// dancu runs the binary and returns its standard output and error.
func dancu(t *testing.T, env []string, args ...string) (string, string, error) {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Env = append(os.Environ(), env...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	return out.String(), errOut.String(), err
}

func mustDancu(t *testing.T, args ...string) (string, string) {
	t.Helper()
	out, errOut, err := dancu(t, nil, args...)
	if err != nil {
		t.Fatalf("dancu %s: %v\n%s%s", strings.Join(args, " "), err, out, errOut)
	}
	return out, errOut
}

func (b backend) open(t *testing.T) *sql.DB {
	t.Helper()
	driver, dsn := "sqlite", "file:"+filepath.Join(b.data, "dancu.db")+"?_pragma=busy_timeout(10000)"
	if b.db != "" {
		driver, dsn = "pgx", b.db
	}
	db, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// seededPopulation is how many persons the population tests seed: the
// issue's 100k. DANCU_TEST_CITIZENS makes local runs faster.
func seededPopulation() int {
	if n, err := strconv.Atoi(os.Getenv("DANCU_TEST_CITIZENS")); err == nil && n > 0 {
		return n
	}
	return 100000
}

// TestSeedQualityDuplicates seeds a population with its ground truth on
// each backend, then checks the quality report and the duplicate detector
// against that truth.
func TestSeedQualityDuplicates(t *testing.T) {
	n := seededPopulation()
	for _, b := range backends(t) {
		t.Run(b.name, func(t *testing.T) {
			truthPath := filepath.Join(t.TempDir(), "truth.jsonl")
			out, _ := mustDancu(t, append([]string{"seed", "--citizens", strconv.Itoa(n), "--seed", "7", "--truth", truthPath}, b.args()...)...)
			t.Log(strings.TrimSpace(out))
			if got := b.query(t, "SELECT count(*) FROM persons"); got != int64(n) {
				t.Fatalf("%d persons after seeding %d", got, n)
			}
			if got := b.query(t, "SELECT count(*) FROM citizens"); got != int64(n) {
				t.Fatalf("%d citizens after seeding %d", got, n)
			}
			// Initial loads do not flood change subscribers.
			if got := b.query(t, "SELECT count(*) FROM outbox"); got != 0 {
				t.Errorf("seeding wrote %d outbox messages", got)
			}
			checkBulkLoadRestored(t, b)
			truth := readTruth(t, truthPath)
			checkQualityAgainstTruth(t, b, truth, n)
			checkDuplicatesAgainstTruth(t, b, truthPath)
		})
	}
}

// checkBulkLoadRestored checks that the bulk path of a seed left the
// registry as an online write would: every index and constraint back,
// foreign keys holding, no staging tables, the mark of a load in progress
// gone, and on SQLite the write-ahead log back on.
func checkBulkLoadRestored(t *testing.T, b backend) {
	t.Helper()
	if n := b.query(t, "SELECT count(*) FROM bulk_loads"); n != 0 {
		t.Errorf("%d loads still marked in progress", n)
	}
	db := b.open(t)
	if b.db == "" {
		var mode string
		if err := db.QueryRow("PRAGMA journal_mode").Scan(&mode); err != nil || mode != "wal" {
			t.Errorf("journal mode %q after seeding (%v), want wal", mode, err)
		}
		rows, err := db.Query("PRAGMA foreign_key_check")
		if err != nil {
			t.Fatal(err)
		}
		if rows.Next() {
			t.Error("foreign keys broken after seeding")
		}
		rows.Close()
		for _, ix := range []string{"citizens_pid", "events_id", "identity_aliases_person", "citizens_birth", "citizen_names_person"} {
			if n := b.query(t, "SELECT count(*) FROM sqlite_schema WHERE type = 'index' AND name = '"+ix+"'"); n != 1 {
				t.Errorf("index %s missing after seeding", ix)
			}
		}
		if n := b.query(t, "SELECT count(*) FROM sqlite_schema WHERE name LIKE 'bulk\\_%' ESCAPE '\\' AND name <> 'bulk_loads'"); n != 0 {
			t.Errorf("%d staging tables left", n)
		}
		return
	}
	// PostgreSQL: the constraints are back, and foreign keys validated.
	for _, c := range [][2]string{{"identity_aliases", "p"}, {"citizens", "u"}, {"events", "u"}, {"event_parties", "f"},
		{"household_members", "f"}, {"citizen_names", "p"}, {"households", "p"}} {
		if n := b.query(t, "SELECT count(*) FROM pg_constraint WHERE conrelid = '"+c[0]+"'::regclass AND contype = '"+c[1]+"' AND convalidated"); n == 0 {
			t.Errorf("no %s constraint on %s after seeding", c[1], c[0])
		}
	}
	if n := b.query(t, "SELECT count(*) FROM pg_indexes WHERE indexname IN ('identity_aliases_person', 'citizens_birth', 'citizen_names_person')"); n != 3 {
		t.Errorf("%d of 3 secondary indexes after seeding", n)
	}
}

// TestInterruptedSeed kills a seed in the middle of its load: the
// registry it leaves is incomplete, and every command refuses it with a
// message saying what to do.
func TestInterruptedSeed(t *testing.T) {
	for _, b := range backends(t) {
		t.Run(b.name, func(t *testing.T) {
			_, _, err := dancu(t, []string{"DANCU_FAILPOINT=seed-batch:3"}, append([]string{"seed", "--citizens", "20000", "--batch", "1000"}, b.args()...)...)
			var ee *exec.ExitError
			if !errors.As(err, &ee) || ee.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
				t.Fatalf("seed with a failpoint was not killed: %v", err)
			}
			for _, args := range [][]string{{"quality", "report"}, {"seed", "--citizens", "10"}, {"officer", "list"}} {
				_, errOut, err := dancu(t, nil, append(args, b.args()...)...)
				if err == nil || !strings.Contains(errOut, "did not finish") || !strings.Contains(errOut, "seed again") {
					t.Errorf("dancu %s after an interrupted seed: %v\n%s", strings.Join(args, " "), err, errOut)
				}
			}
		})
	}
}

func readTruth(t *testing.T, path string) []seed.Truth {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []seed.Truth
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var tr seed.Truth
		if err := json.Unmarshal(sc.Bytes(), &tr); err != nil {
			t.Fatal(err)
		}
		out = append(out, tr)
	}
	return out
}

// truthRule is the quality rule each injected defect must trip.
var truthRule = map[string]string{
	seed.TruthBadPIDDigits:   "pid_digits_mismatch",
	seed.TruthStaleTemporary: "temporary_residence_expired",
	seed.TruthUnmarkedDeath:  "over_120_alive",
}

var missingFieldRule = map[string]string{
	"ethnicity": "missing_ethnicity", "religion": "missing_religion", "home_town": "missing_home_town",
	"phone": "adult_without_phone", "phones": "adult_without_phone", "nationality": "missing_nationality",
	"birth_place": "missing_birth_place",
}

func checkQualityAgainstTruth(t *testing.T, b backend, truth []seed.Truth, n int) {
	t.Helper()
	out, _ := mustDancu(t, append([]string{"quality", "report", "--json", "--worst", "20"}, b.args()...)...)
	var rep quality.Report
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("quality report: %v\n%s", err, out)
	}
	if rep.Summary.Persons != int64(n) || len(rep.Units) != 34 || len(rep.Worst) != 20 {
		t.Fatalf("report of %d persons, %d provinces, %d worst records; want %d, 34, 20", rep.Summary.Persons, len(rep.Units), len(rep.Worst), n)
	}
	if rep.Summary.Score <= 0 || rep.Summary.Score >= 100 {
		t.Errorf("mean score %.2f: a seeded population with defects is neither perfect nor worthless", rep.Summary.Score)
	}
	// Every injected defect is flagged on its record.
	db := b.open(t)
	flagsOf := func(pid string) uint64 {
		var f int64
		if err := db.QueryRow(rebind(b, "SELECT quality_flags FROM citizens WHERE pid = ?"), pid).Scan(&f); err != nil {
			t.Fatalf("flags of %s: %v", pid, err)
		}
		return uint64(f)
	}
	missed := map[string]int{}
	total := map[string]int{}
	for _, tr := range truth {
		rule := truthRule[tr.Kind]
		if tr.Kind == seed.TruthMissingField {
			rule = missingFieldRule[tr.Field]
		}
		if rule == "" {
			continue
		}
		total[rule]++
		if flagsOf(tr.PID)&quality.Flag(rule) == 0 {
			missed[rule]++
		}
	}
	for rule, n := range total {
		t.Logf("%s: %d injected, %d flagged; report counts %d", rule, n, n-missed[rule], rep.Summary.ByRule[rule])
		if missed[rule] > 0 {
			t.Errorf("%s: %d of %d injected defects not flagged", rule, missed[rule], n)
		}
		if rep.Summary.ByRule[rule] < int64(n) {
			t.Errorf("%s: the report counts %d, fewer than the %d injected", rule, rep.Summary.ByRule[rule], n)
		}
	}
	if len(total) < 3 {
		t.Errorf("the truth file has defects of only %d rules: %v", len(total), total)
	}
	// The country's counts are the sums the database holds.
	var persons, scoreSum int64
	if err := db.QueryRow("SELECT count(*), sum(quality_score) FROM citizens").Scan(&persons, &scoreSum); err != nil {
		t.Fatal(err)
	}
	if persons != rep.Summary.Persons {
		t.Errorf("report counts %d persons, the database %d", rep.Summary.Persons, persons)
	}
}

func rebind(b backend, q string) string {
	if b.db == "" {
		return q
	}
	for i := 1; strings.Contains(q, "?"); i++ {
		q = strings.Replace(q, "?", "$"+strconv.Itoa(i), 1)
	}
	return q
}

var figures = regexp.MustCompile(`precision ([0-9.]+)[ ,].*recall ([0-9.]+)`)

func checkDuplicatesAgainstTruth(t *testing.T, b backend, truthPath string) {
	t.Helper()
	cands := filepath.Join(t.TempDir(), "candidates.jsonl")
	pairs, _ := filepath.Abs("../../testdata/dup-pairs.jsonl")
	_, errOut := mustDancu(t, append([]string{"duplicates", "find", "--out", cands, "--truth", truthPath, "--pairs", pairs}, b.args()...)...)
	t.Log(strings.TrimSpace(errOut))
	var got [][2]float64
	for _, line := range strings.Split(errOut, "\n") {
		if m := figures.FindStringSubmatch(line); m != nil {
			p, _ := strconv.ParseFloat(m[1], 64)
			r, _ := strconv.ParseFloat(m[2], 64)
			got = append(got, [2]float64{p, r})
		}
	}
	if len(got) != 2 {
		t.Fatalf("no precision and recall in the output:\n%s", errOut)
	}
	seeded, labelled := got[0], got[1]
	if seeded[0] < 0.99 || seeded[1] < 0.95 {
		t.Errorf("against the seeded truth: precision %.4f, recall %.4f; want at least 0.99 and 0.95", seeded[0], seeded[1])
	}
	if labelled[0] < 0.99 || labelled[1] < 0.95 {
		t.Errorf("on the hand-labelled pairs: precision %.4f, recall %.4f; want at least 0.99 and 0.95", labelled[0], labelled[1])
	}
	// The candidates are stored for officers.
	if n := b.query(t, "SELECT count(*) FROM duplicate_candidates WHERE status = 'open'"); n == 0 {
		t.Error("no candidates stored for review")
	}
}

// importFixture is a file of rows to import and what an uninterrupted
// import of it must end with.
type importFixture struct {
	path             string
	rows             int
	loaded, rejected int64
}

// makeImportFile exports a seeded population of n persons to CSV and
// mixes in bad rows: wrong encoding, NFD text, wrong column counts, a
// quoted newline inside a name, a duplicate number.
func makeImportFile(t *testing.T, n int) importFixture {
	t.Helper()
	src := backend{name: "sqlite", data: t.TempDir()}
	mustDancu(t, append([]string{"seed", "--citizens", strconv.Itoa(n), "--seed", "11"}, src.args()...)...)
	csvPath := filepath.Join(t.TempDir(), "people.csv")
	mustDancu(t, append([]string{"export", "--out", csvPath}, src.args()...)...)
	raw, err := os.ReadFile(csvPath)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(string(raw), "\n")
	header, body := lines[0], lines[1:]
	if body[len(body)-1] == "" {
		body = body[:len(body)-1]
	}
	cols := strings.Count(header, ",") + 1
	blank := strings.Repeat(",", cols-1)
	bad := []string{
		"079190000001,,Nguy\xean V\xe3n A,," + blank[5:] + "\n",                     // Windows-1258 bytes: not UTF-8
		"079190000002,,Nguyễn Văn B\n",                                              // too few columns
		"079190000003,,Nguyễn Văn C," + blank + "\n",                                // too many columns
		"079190000004,,\"Trần Thị\nDung\",," + blank[4:] + "\n",                     // a quoted newline inside the name
		strings.Replace(body[len(body)/2], "\n", "", 1) + "\n",                      // the same person twice
		"07919000000X,,Lê Văn Em,,1990-01-01,male,00004,,00004," + blank[9:] + "\n", // a malformed number
	}
	// NFD text is accepted and stored as NFC: take a good row and
	// decompose its name.
	nfd := strings.Replace(body[10], "ễ", "e\u0302\u0303", 1)
	body[10] = nfd
	out := []string{header}
	for i, l := range body {
		out = append(out, l)
		if i%(len(body)/len(bad)+1) == 3 && len(bad) > 0 {
			out = append(out, bad[0])
			bad = bad[1:]
		}
	}
	out = append(out, bad...)
	path := filepath.Join(t.TempDir(), "import.csv")
	if err := os.WriteFile(path, []byte(strings.Join(out, "")), 0o600); err != nil {
		t.Fatal(err)
	}
	return importFixture{path: path, rows: len(out) - 1}
}

var importSummary = regexp.MustCompile(`: ([0-9]+) rows, ([0-9]+) loaded, ([0-9]+) rejected`)

func importCounts(t *testing.T, out string) (rows, loaded, rejected int64) {
	t.Helper()
	m := importSummary.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no summary in %q", out)
	}
	r, _ := strconv.ParseInt(m[1], 10, 64)
	l, _ := strconv.ParseInt(m[2], 10, 64)
	j, _ := strconv.ParseInt(m[3], 10, 64)
	return r, l, j
}

// checkImported checks a registry after an import of f: every valid row
// loaded once, every bad row rejected once.
func checkImported(t *testing.T, b backend, f importFixture, rejects string) {
	t.Helper()
	if got := b.query(t, "SELECT count(*) FROM persons"); got != f.loaded {
		t.Errorf("%d persons, want %d", got, f.loaded)
	}
	if got := b.query(t, "SELECT count(*) FROM citizens"); got != f.loaded {
		t.Errorf("%d citizens, want %d", got, f.loaded)
	}
	if got := b.query(t, "SELECT count(*) FROM identity_aliases WHERE kind = 'pid'"); got != f.loaded {
		t.Errorf("%d personal ID numbers, want %d", got, f.loaded)
	}
	if got := b.query(t, "SELECT loaded FROM import_runs"); got != f.loaded {
		t.Errorf("checkpoint says %d loaded, want %d", got, f.loaded)
	}
	data, err := os.ReadFile(rejects)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[int64]bool{}
	var rejected int64
	for _, l := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		var r struct {
			Offset int64 `json:"offset"`
			Loaded bool  `json:"loaded"`
		}
		if err := json.Unmarshal([]byte(l), &r); err != nil {
			t.Fatalf("rejects line %q: %v", l, err)
		}
		if seen[r.Offset] {
			t.Errorf("row at offset %d is in the rejects file twice", r.Offset)
		}
		seen[r.Offset] = true
		if !r.Loaded {
			rejected++
		}
	}
	if rejected != f.rejected {
		t.Errorf("%d rejected rows in the rejects file, want %d", rejected, f.rejected)
	}
}

// TestImportKilledAndResumed imports a 50k-row file killed at each named
// failure point and once at a random moment, and resumes it: each time the
// registry ends exactly as after an uninterrupted import.
func TestImportKilledAndResumed(t *testing.T) {
	n := min(50000, seededPopulation())
	f := makeImportFile(t, n)
	for _, b := range backends(t) {
		t.Run(b.name, func(t *testing.T) {
			// The uninterrupted import says what every other run must end with.
			clean := backend{name: b.name, data: t.TempDir(), db: b.db}
			if b.db != "" {
				clean.db = pgtestDatabase(t)
			}
			rejects := filepath.Join(t.TempDir(), "rejects.jsonl")
			out, _ := mustDancu(t, append([]string{"import", f.path, "--rejects", rejects}, clean.args()...)...)
			rows, loaded, rejected := importCounts(t, out)
			t.Logf("uninterrupted: %s", strings.TrimSpace(out))
			if rows != int64(f.rows) || rejected < 6 || loaded < int64(n)*9/10 {
				t.Fatalf("uninterrupted import: %d rows, %d loaded, %d rejected of a %d-row file with 6 bad rows", rows, loaded, rejected, f.rows)
			}
			f.loaded, f.rejected = loaded, rejected
			checkImported(t, clean, f, rejects)
			// Run again: nothing more is loaded.
			out, _ = mustDancu(t, append([]string{"import", f.path, "--rejects", rejects}, clean.args()...)...)
			if !strings.Contains(out, "already imported") {
				t.Errorf("second import of the same file: %s", out)
			}
			checkImported(t, clean, f, rejects)

			kills := []string{"after-rejects:2", "before-commit:2", "after-commit:2", "random"}
			for _, kill := range kills {
				t.Run(kill, func(t *testing.T) {
					bk := backend{name: b.name, data: t.TempDir()}
					if b.db != "" {
						bk.db = pgtestDatabase(t)
					}
					rejects := filepath.Join(t.TempDir(), "rejects.jsonl")
					args := append([]string{"import", f.path, "--rejects", rejects, "--batch", "2000"}, bk.args()...)
					if kill == "random" {
						cmd := exec.Command(binary, args...)
						if err := cmd.Start(); err != nil {
							t.Fatal(err)
						}
						time.Sleep(time.Duration(300+rand.IntN(1500)) * time.Millisecond)
						cmd.Process.Signal(syscall.SIGKILL)
						cmd.Wait()
					} else {
						_, _, err := dancu(t, []string{"DANCU_FAILPOINT=" + kill}, args...)
						var ee *exec.ExitError
						if !errors.As(err, &ee) || ee.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
							t.Fatalf("import with DANCU_FAILPOINT=%s was not killed: %v", kill, err)
						}
					}
					out, _ := mustDancu(t, args...)
					t.Log(strings.TrimSpace(out))
					checkImported(t, bk, f, rejects)
				})
			}
		})
	}
}

// pgtestDatabase returns a new database on the shared test cluster.
func pgtestDatabase(t *testing.T) string {
	t.Helper()
	return pgtest.Shared(t).NewDatabase(t)
}
