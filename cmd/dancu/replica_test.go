package main

import (
	"database/sql"
	"net/url"
	"strings"
	"testing"
	"time"

	"dancu/internal/store/postgres/pgtest"
)

// TestReadReplica runs dancu against a real streaming replica: reads go to
// the replica (a birth the paused replica has not replayed is not found
// there), the writer's own reads go to the primary, and the replica
// refuses writes.
func TestReadReplica(t *testing.T) {
	primary, err := pgtest.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(primary.Stop)
	dbURL := primary.NewDatabase(t)
	u, _ := url.Parse(dbURL)
	dbName := strings.TrimPrefix(u.Path, "/")
	mustDancu(t, "migrate", "--data", t.TempDir(), "--db", dbURL)

	replica, err := primary.StartReplica()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(replica.Stop)
	replicaURL := replica.URL(dbName)
	rdb, err := sql.Open("pgx", replicaURL)
	if err != nil {
		t.Fatal(err)
	}
	defer rdb.Close()
	var inRecovery bool
	if err := rdb.QueryRow("SELECT pg_is_in_recovery()").Scan(&inRecovery); err != nil || !inRecovery {
		t.Fatalf("the replica is not a standby: %v %v", inRecovery, err)
	}

	data := t.TempDir()
	b := backend{name: "postgres", data: data, db: dbURL}
	writer := newOfficer(t, b, "VN")
	reader := newOfficer(t, b, "VN")
	// Officers were created on the primary; wait until the replica has them.
	waitFor(t, func() bool {
		var n int
		return rdb.QueryRow("SELECT count(*) FROM officers").Scan(&n) == nil && n == 2
	})

	cmd := []string{"--data", data, "--db", dbURL, "--db-read", replicaURL}
	s := startArgs(t, cmd...)
	w := &client{t: t, url: s.url, token: writer}
	r := &client{t: t, url: s.url, token: reader}

	birth := map[string]any{"full_name": "Đinh Thị Hoa", "birth_date": "2001-05-06", "sex": "female", "birth_place": "00004", "registration_place": "00004"}
	first := str(w.call("POST", "/api/v1/births", birth, 201), "pid")
	w.call("GET", "/api/v1/citizens/"+first, nil, 200) // read-your-writes: on the primary
	waitFor(t, func() bool { return r.status("GET", "/api/v1/citizens/"+first) == 200 })

	// With replay paused, the replica stays behind the primary.
	if _, err := rdb.Exec("SELECT pg_wal_replay_pause()"); err != nil {
		t.Fatal(err)
	}
	birth["full_name"] = "Đinh Văn Nam"
	birth["sex"] = "male"
	second := str(w.call("POST", "/api/v1/births", birth, 201), "pid")
	if got := r.status("GET", "/api/v1/citizens/"+second); got != 404 {
		t.Fatalf("a read by another officer got %d; want 404 from the paused replica", got)
	}
	w.call("GET", "/api/v1/citizens/"+second, nil, 200) // the writer still sees its write
	if _, err := rdb.Exec("SELECT pg_wal_replay_resume()"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool { return r.status("GET", "/api/v1/citizens/"+second) == 200 })

	// The replica refuses writes.
	_, errOut, err := dancu(t, nil, "officer", "create", "--name", "Ghi vào bản sao", "--unit", "VN", "--role", "registry", "--data", t.TempDir(), "--db", replicaURL)
	if err == nil || !strings.Contains(errOut, "read-only") {
		t.Fatalf("writing to the replica: err %v, stderr %q; want a read-only refusal", err, errOut)
	}
}

func waitFor(t *testing.T, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatal("timed out waiting for the replica")
		}
		time.Sleep(50 * time.Millisecond)
	}
}
