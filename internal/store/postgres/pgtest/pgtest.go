// Package pgtest starts a throwaway PostgreSQL cluster for tests: initdb
// and pg_ctl from the machine's PostgreSQL server binaries, on a free
// loopback port, in a temporary directory. PostgreSQL refuses to run as
// root, so under root (as in CI) the cluster runs as the postgres system
// user in a directory that user owns.
//
// A test that needs PostgreSQL fails when the binaries are missing; it never
// skips. .ci/run installs them.
package pgtest

import (
	"context"
	"database/sql"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"
)

// Cluster is a running PostgreSQL server.
type Cluster struct {
	dir    string
	port   int
	runAs  string // "" or the user the server runs as
	pgCtl  string
	bin    string
	admin  *sql.DB
	nextDB atomic.Int64
}

var (
	shared     *Cluster
	sharedErr  error
	sharedOnce sync.Once
)

// Shared returns the cluster shared by every test in the process, starting
// it on first use. Call Stop from TestMain when the tests are done.
func Shared(tb testing.TB) *Cluster {
	tb.Helper()
	sharedOnce.Do(func() { shared, sharedErr = Start() })
	if sharedErr != nil {
		tb.Fatalf("PostgreSQL test cluster: %v", sharedErr)
	}
	return shared
}

// StopShared stops the shared cluster if it was started.
func StopShared() {
	if shared != nil {
		shared.Stop()
	}
}

// binDir finds the PostgreSQL server binaries: $PG_BIN, then PATH, then
// Debian's /usr/lib/postgresql/<version>/bin, newest first.
func binDir() (string, error) {
	if d := os.Getenv("PG_BIN"); d != "" {
		return d, nil
	}
	if p, err := exec.LookPath("initdb"); err == nil {
		if real, err := filepath.EvalSymlinks(p); err == nil {
			return filepath.Dir(real), nil
		}
		return filepath.Dir(p), nil
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return version(dirs[i]) > version(dirs[j]) })
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "initdb")); err == nil {
			return d, nil
		}
	}
	return "", fmt.Errorf("PostgreSQL server binaries (initdb, pg_ctl) not found: install them (apt-get install postgresql) or set PG_BIN")
}

func version(dir string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(dir)))
	return n
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// Start initialises and starts a new cluster.
func Start() (*Cluster, error) {
	bin, err := binDir()
	if err != nil {
		return nil, err
	}
	c := &Cluster{pgCtl: filepath.Join(bin, "pg_ctl"), bin: bin}
	if err := c.makeDir(); err != nil {
		return nil, err
	}
	// pg_basebackup -R makes replicas connect back over TCP as postgres,
	// which initdb's trust rules for loopback allow.
	data := filepath.Join(c.dir, "data")
	if out, err := c.cmd(filepath.Join(bin, "initdb"), "-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync").CombinedOutput(); err != nil {
		return nil, fmt.Errorf("initdb: %v\n%s", err, out)
	}
	if err := c.start(); err != nil {
		c.Stop()
		return nil, err
	}
	return c, nil
}

// StartReplica starts a streaming replica of c: a base backup taken with
// pg_basebackup, started as a hot standby that follows c's WAL. Stop it
// before c.
func (c *Cluster) StartReplica() (*Cluster, error) {
	r := &Cluster{pgCtl: c.pgCtl, bin: c.bin}
	if err := r.makeDir(); err != nil {
		return nil, err
	}
	out, err := r.cmd(filepath.Join(c.bin, "pg_basebackup"), "-h", "127.0.0.1", "-p", strconv.Itoa(c.port), "-U", "postgres",
		"-D", filepath.Join(r.dir, "data"), "-R", "-X", "stream", "--checkpoint=fast", "--no-sync").CombinedOutput()
	if err != nil {
		r.Stop()
		return nil, fmt.Errorf("pg_basebackup: %v\n%s", err, out)
	}
	if err := r.start(); err != nil {
		r.Stop()
		return nil, err
	}
	return r, nil
}

func (c *Cluster) makeDir() error {
	var err error
	base := os.Getenv("PGTEST_DIR")
	c.dir, err = os.MkdirTemp(base, "dancu-pg-")
	if err != nil {
		return err
	}
	if os.Geteuid() == 0 {
		c.runAs = "postgres"
		u, err := user.Lookup(c.runAs)
		if err != nil {
			return fmt.Errorf("running as root needs the postgres system user (created by the postgresql package): %w", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		// The temporary directory's parents must be traversable by postgres.
		if err := os.Chmod(c.dir, 0o700); err != nil {
			return err
		}
		if err := os.Chown(c.dir, uid, gid); err != nil {
			return err
		}
		for d := filepath.Dir(c.dir); d != "/"; d = filepath.Dir(d) {
			if fi, err := os.Stat(d); err == nil && fi.Mode().Perm()&0o001 == 0 {
				return fmt.Errorf("%s is not traversable by the postgres user; set PGTEST_DIR to a directory it can reach", d)
			}
		}
	}
	return nil
}

func (c *Cluster) start() error {
	var err error
	data := filepath.Join(c.dir, "data")
	for attempt := 0; ; attempt++ {
		if c.port, err = freePort(); err != nil {
			return err
		}
		opts := fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c max_connections=200 -c shared_buffers=256MB", c.port, c.dir)
		if os.Getenv("PGTEST_FSYNC") != "on" {
			// Tests do not need durability across power loss; benchmarks
			// set PGTEST_FSYNC=on to measure what production pays.
			opts += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
		}
		if extra := os.Getenv("PGTEST_OPTS"); extra != "" {
			opts += " " + extra // e.g. benchmarks' memory settings
		}
		out, err := c.cmd(c.pgCtl, "-D", data, "-l", filepath.Join(c.dir, "server.log"), "-w", "-t", "60", "-o", opts, "start").CombinedOutput()
		if err == nil {
			break
		}
		if attempt == 3 {
			log, _ := os.ReadFile(filepath.Join(c.dir, "server.log"))
			return fmt.Errorf("pg_ctl start: %v\n%s\n%s", err, out, log)
		}
	}
	c.admin, err = sql.Open("pgx", c.url("postgres"))
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for {
		if err = c.admin.PingContext(ctx); err == nil {
			break
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("PostgreSQL did not answer: %w", err)
		case <-time.After(100 * time.Millisecond):
		}
	}
	return nil
}

func (c *Cluster) cmd(name string, args ...string) *exec.Cmd {
	if c.runAs != "" {
		return exec.Command("runuser", append([]string{"-u", c.runAs, "--", name}, args...)...)
	}
	return exec.Command(name, args...)
}

func (c *Cluster) url(db string) string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", c.port, db)
}

// NewDatabase creates an empty database and returns its URL; it is dropped
// when the test ends.
func (c *Cluster) NewDatabase(tb testing.TB) string {
	tb.Helper()
	name := fmt.Sprintf("t%d_%d", os.Getpid(), c.nextDB.Add(1))
	if _, err := c.admin.Exec("CREATE DATABASE " + name); err != nil {
		tb.Fatalf("create database: %v", err)
	}
	tb.Cleanup(func() {
		c.admin.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)")
	})
	return c.url(name)
}

// URL returns the URL of a database of the cluster.
func (c *Cluster) URL(db string) string { return c.url(db) }

// Dir returns the directory holding the cluster's files.
func (c *Cluster) Dir() string { return c.dir }

// Port returns the port the server listens on.
func (c *Cluster) Port() int { return c.port }

// Stop stops the server and removes its files.
func (c *Cluster) Stop() {
	if c.admin != nil {
		c.admin.Close()
	}
	c.cmd(c.pgCtl, "-D", filepath.Join(c.dir, "data"), "-m", "immediate", "-w", "stop").Run()
	if !strings.Contains(c.dir, "dancu-pg-") {
		return
	}
	os.RemoveAll(c.dir)
}
