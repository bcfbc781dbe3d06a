package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"dancu/internal/accesslog"
	"dancu/internal/store/sqlite"
)

// TestAccessLogTamperEvidence: the server folds every read into the
// access log's Merkle tree and signs checkpoints, inside and outside the
// database; `dancu accesslog verify`, with the public key only, passes the
// log as written and catches each kind of tampering by someone who can
// write the database but holds no key.
func TestAccessLogTamperEvidence(t *testing.T) {
	b := backend{name: "sqlite", data: t.TempDir()}
	srv := start(t, b)
	officer := &client{t: t, url: srv.url, token: newOfficer(t, b, "VN")}
	pid := str(officer.call("POST", "/api/v1/births", map[string]any{"full_name": "Lâm Thị Ngọc Hân", "birth_date": "1979-12-01",
		"sex": "female", "birth_place": "00004", "registration_place": "00004"}, 201), "pid")
	for range 9 {
		officer.call("GET", "/api/v1/citizens/"+pid, nil, 200)
	}
	verify := func(data string, extra ...string) (string, error) {
		out, err := exec.Command(binary, append([]string{"accesslog", "verify", "--data", data}, extra...)...).CombinedOutput()
		return string(out), err
	}
	// The sequencer signs within a second or two.
	checkpointed := func(n int) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for {
			out, err := verify(b.data)
			if err == nil && strings.Contains(out, fmt.Sprintf("verified: entries 1 to %d are exactly as signed", n)) {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("the log was not checkpointed at %d: %v\n%s\n%s", n, err, out, srv.logs)
			}
			time.Sleep(200 * time.Millisecond)
		}
	}
	checkpointed(10)
	// A second checkpoint, so that verification can say where damage is.
	for range 5 {
		officer.call("GET", "/api/v1/citizens/"+pid, nil, 200)
	}
	checkpointed(15)
	srv.cmd.Process.Signal(syscall.SIGTERM)
	srv.cmd.Wait()

	tamper := func(name string, sqls ...string) string {
		t.Helper()
		dir := filepath.Join(t.TempDir(), name)
		if err := os.CopyFS(dir, os.DirFS(b.data)); err != nil {
			t.Fatal(err)
		}
		db, _, err := sqlite.Open(context.Background(), filepath.Join(dir, "dancu.db"))
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		for _, q := range sqls {
			if _, err := db.Write.Exec(q); err != nil {
				t.Fatalf("%s: %s: %v", name, q, err)
			}
		}
		return dir
	}
	if out, err := verify(tamper("untouched")); err != nil {
		t.Fatalf("an untouched log: %v\n%s", err, out)
	}
	for _, c := range []struct {
		name string
		sql  []string
		want string
	}{
		{"edited", []string{`UPDATE access_reads SET purpose = 'tra cứu hợp lệ' WHERE id = (SELECT read_id FROM access_entries WHERE seq = 12)`}, "one of entries 11 to 15 was changed, removed, inserted or moved (entries 1 to 10 match)"},
		{"edited result", []string{`UPDATE access_entries SET result = 'no_match' WHERE seq = 12`}, "one of entries 11 to 15 was changed, removed, inserted or moved (entries 1 to 10 match)"},
		{"deleted", []string{`DELETE FROM access_entries WHERE seq = 4`}, "PROBLEM"},
		{"deleted read", []string{`DELETE FROM access_reads WHERE id = (SELECT read_id FROM access_entries WHERE seq = 4)`}, "PROBLEM"},
		{"reordered", []string{`UPDATE access_entries SET seq = -1 WHERE seq = 4`, `UPDATE access_entries SET seq = 4 WHERE seq = 5`, `UPDATE access_entries SET seq = 5 WHERE seq = -1`}, "PROBLEM"},
		{"truncated", []string{`DELETE FROM access_entries WHERE seq > 12`}, "at least 3 entries missing after entry 10"},
	} {
		out, err := verify(tamper(c.name, c.sql...))
		if err == nil || !strings.Contains(out, c.want) {
			t.Errorf("%s log: verify passed it (%v)\n%s", c.name, err, out)
		}
		t.Logf("%s log:\n%s", c.name, out)
	}

	// Rebuilt from scratch: an entry edited, the tree recomputed over the
	// edited log, and the database's checkpoints replaced by ones signed
	// with a key the forger made. The checkpoints outside the database and
	// the real key expose it.
	dir := tamper("rebuilt", `UPDATE access_reads SET actor_id = 'someone-else' WHERE id = (SELECT read_id FROM access_entries WHERE seq = 2)`)
	db, _, err := sqlite.Open(context.Background(), filepath.Join(dir, "dancu.db"))
	if err != nil {
		t.Fatal(err)
	}
	var tree accesslog.Tree
	for e, err := range db.SequencedEntries(context.Background()) {
		if err != nil {
			t.Fatal(err)
		}
		tree.Append(e)
	}
	skey, _, _ := accesslog.GenerateKey(accessLogOrigin)
	forged, err := accesslog.SignCheckpoint(accesslog.Checkpoint{Origin: accessLogOrigin, Size: tree.Size(), Root: tree.Root(), Time: time.Now()}, skey)
	if err != nil {
		t.Fatal(err)
	}
	state, _ := tree.MarshalBinary()
	for _, q := range []struct {
		sql  string
		args []any
	}{
		{`DELETE FROM accesslog_checkpoints`, nil},
		{`INSERT INTO accesslog_checkpoints (size, at, signed) VALUES (?, ?, ?)`, []any{tree.Size(), time.Now().UnixMicro(), string(forged)}},
		{`UPDATE accesslog_tree SET state = ? WHERE id = 1`, []any{state}},
	} {
		if _, err := db.Write.Exec(q.sql, q.args...); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	out, err := verify(dir)
	if err == nil || !strings.Contains(out, "not signed by the log's key") || !strings.Contains(out, "PROBLEM") {
		t.Errorf("a rebuilt log: verify passed it (%v)\n%s", err, out)
	}
	t.Logf("rebuilt log:\n%s", out)
}
