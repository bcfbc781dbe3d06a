package main

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"dancu/internal/accesslog"
)

// The access log's signing key is a note key (accesslog.GenerateKey)
// kept outside the database: $DANCU_ACCESSLOG_KEY, or DATA/keys/accesslog.key,
// created on first use beside its public half, DATA/keys/accesslog.pub,
// which is all a verifier needs. Every process serving one database must
// use the same key. Checkpoints are appended to
// DATA/accesslog/checkpoints.jsonl, outside the database too.

// accessLogOrigin names the log in its checkpoints and its key.
const accessLogOrigin = "dancu.accesslog"

func accessLogKeyPaths(data string) (skey, vkey string) {
	return filepath.Join(data, "keys", "accesslog.key"), filepath.Join(data, "keys", "accesslog.pub")
}

// accessLogSigner returns the signer key, creating the key pair the first
// time.
func accessLogSigner(data string, getenv func(string) string) (string, error) {
	if k := strings.TrimSpace(getenv("DANCU_ACCESSLOG_KEY")); k != "" {
		return k, nil
	}
	skeyPath, vkeyPath := accessLogKeyPaths(data)
	if b, err := os.ReadFile(skeyPath); err == nil {
		return strings.TrimSpace(string(b)), nil
	} else if !errors.Is(err, os.ErrNotExist) {
		return "", err
	}
	skey, vkey, err := accesslog.GenerateKey(accessLogOrigin)
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(filepath.Dir(skeyPath), 0o700); err != nil {
		return "", err
	}
	// The public half first: a signer key never exists without it.
	if err := writeFileAtomic(vkeyPath, []byte(vkey+"\n"), 0o644); err != nil {
		return "", err
	}
	if err := writeFileAtomic(skeyPath, []byte(skey+"\n"), 0o600); err != nil {
		return "", err
	}
	return skey, nil
}

func writeFileAtomic(path string, b []byte, perm os.FileMode) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(perm); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// checkpointFile appends signed checkpoints, one JSON line each, to a
// file outside the database, synced before the checkpoint is also
// written to the database.
type checkpointFile struct {
	mu   sync.Mutex
	path string
}

type checkpointLine struct {
	Size int64  `json:"size"`
	At   string `json:"at"`
	Note string `json:"note"`
}

func (f *checkpointFile) Append(c accesslog.Checkpoint, signed []byte) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := os.MkdirAll(filepath.Dir(f.path), 0o700); err != nil {
		return err
	}
	line, err := json.Marshal(checkpointLine{Size: c.Size, At: c.Time.UTC().Format(time.RFC3339), Note: string(signed)})
	if err != nil {
		return err
	}
	w, err := os.OpenFile(f.path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	if _, err := w.Write(append(line, '\n')); err != nil {
		w.Close()
		return err
	}
	if err := w.Sync(); err != nil {
		w.Close()
		return err
	}
	return w.Close()
}

// Latest reads the last line (the file is read from its end: it grows by
// a line a second).
func (f *checkpointFile) Latest() (accesslog.Checkpoint, bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	r, err := os.Open(f.path)
	if errors.Is(err, os.ErrNotExist) {
		return accesslog.Checkpoint{}, false, nil
	}
	if err != nil {
		return accesslog.Checkpoint{}, false, err
	}
	defer r.Close()
	st, err := r.Stat()
	if err != nil {
		return accesslog.Checkpoint{}, false, err
	}
	from := max(0, st.Size()-64<<10)
	if _, err := r.Seek(from, io.SeekStart); err != nil {
		return accesslog.Checkpoint{}, false, err
	}
	var last string
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 64<<10)
	for sc.Scan() {
		if l := strings.TrimSpace(sc.Text()); strings.HasPrefix(l, "{") {
			last = l
		}
	}
	if err := sc.Err(); err != nil {
		return accesslog.Checkpoint{}, false, err
	}
	if last == "" {
		return accesslog.Checkpoint{}, false, nil
	}
	c, err := parseCheckpointLine(last, "")
	return c, err == nil, err
}

// parseCheckpointLine reads a line of the file; with vkey it verifies the
// signature, without it only reads what the note says (the sequencer
// compares the database with the checkpoint it wrote itself).
func parseCheckpointLine(line, vkey string) (accesslog.Checkpoint, error) {
	var l checkpointLine
	if err := json.Unmarshal([]byte(line), &l); err != nil {
		return accesslog.Checkpoint{}, fmt.Errorf("checkpoint line: %w", err)
	}
	if vkey != "" {
		return accesslog.OpenCheckpoint([]byte(l.Note), vkey)
	}
	return accesslog.ReadCheckpoint([]byte(l.Note))
}

func cmdAccessLog(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "verify" {
		return errors.New("usage: dancu accesslog verify [--data DIR | --db URL] [--key FILE] [--checkpoints FILE]")
	}
	fs := flag.NewFlagSet("accesslog verify", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var sf storeFlags
	sf.register(fs, getenv)
	keyPath := fs.String("key", "", "the log's public key (default DATA/keys/accesslog.pub)")
	cpPath := fs.String("checkpoints", "", "checkpoints kept outside the database (default DATA/accesslog/checkpoints.jsonl)")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if *keyPath == "" {
		_, *keyPath = accessLogKeyPaths(sf.data)
	}
	if *cpPath == "" {
		*cpPath = filepath.Join(sf.data, "accesslog", "checkpoints.jsonl")
	}
	vb, err := os.ReadFile(*keyPath)
	if err != nil {
		return fmt.Errorf("the log's public key: %w", err)
	}
	vkey := strings.TrimSpace(string(vb))
	db, _, err := sf.open(ctx)
	if err != nil {
		return err
	}
	defer db.Close()

	var problems []string
	var checkpoints []accesslog.Checkpoint
	outside := 0
	if f, err := os.Open(*cpPath); err == nil {
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 64<<10), 64<<10)
		for n := 1; sc.Scan(); n++ {
			c, err := parseCheckpointLine(sc.Text(), vkey)
			if err != nil {
				problems = append(problems, fmt.Sprintf("%s line %d: not a checkpoint signed by the log's key: %v", *cpPath, n, err))
				continue
			}
			checkpoints = append(checkpoints, c)
			outside++
		}
		f.Close()
		if err := sc.Err(); err != nil {
			return err
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		return err
	}
	inside, err := db.AccessCheckpoints(ctx)
	if err != nil {
		return err
	}
	forged := 0
	for _, signed := range inside {
		c, err := accesslog.OpenCheckpoint(signed, vkey)
		if err != nil {
			forged++
			continue
		}
		checkpoints = append(checkpoints, c)
	}
	if forged > 0 {
		problems = append(problems, fmt.Sprintf("the database holds %d checkpoints not signed by the log's key: checkpoints were forged, or the log rebuilt", forged))
	}
	// The same checkpoint is usually both outside and inside.
	slices.SortFunc(checkpoints, func(a, b accesslog.Checkpoint) int {
		return cmp.Or(cmp.Compare(a.Size, b.Size), bytes.Compare(a.Root[:], b.Root[:]))
	})
	checkpoints = slices.CompactFunc(checkpoints, func(a, b accesslog.Checkpoint) bool { return a.Size == b.Size && a.Root == b.Root })
	if len(checkpoints) == 0 {
		fmt.Fprintln(stdout, "no checkpoint yet: nothing to verify against (the server signs one a second once entries are written)")
		return nil
	}
	report, err := accesslog.Verify(db.SequencedEntries(ctx), checkpoints)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "access log: %d entries in the tree; %d distinct checkpoints (%d outside the database, %d in it), largest at %d entries\n",
		report.Entries, len(checkpoints), outside, len(inside), report.Largest.Size)
	problems = append(problems, report.Problems()...)
	if len(problems) == 0 {
		fmt.Fprintf(stdout, "verified: entries 1 to %d are exactly as signed", report.Intact)
		if n := report.Uncovered(); n > 0 {
			fmt.Fprintf(stdout, "; %d later entries are not yet covered by a checkpoint", n)
		}
		fmt.Fprintln(stdout)
		return nil
	}
	for _, p := range problems {
		fmt.Fprintln(stdout, "PROBLEM:", p)
	}
	return fmt.Errorf("the access log does not verify (%d problems)", len(problems))
}
