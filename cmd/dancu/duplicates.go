package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"dancu/internal/civil"
	"dancu/internal/dedup"
	"dancu/internal/load"
	"dancu/internal/registry"
)

func cmdDuplicates(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "find" {
		return errors.New("usage: dancu duplicates find [--out FILE] [--truth FILE] [--pairs FILE] [--no-store]")
	}
	fs := flag.NewFlagSet("duplicates find", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var sf storeFlags
	sf.register(fs, getenv)
	out := fs.String("out", "", "write the candidate pairs as JSON lines to this file (default: standard output)")
	truthPath := fs.String("truth", "", "a seeder's truth file: print precision and recall against it")
	pairsPath := fs.String("pairs", "", "a hand-labelled pairs file (testdata/dup-pairs.jsonl): print precision and recall on it too")
	noStore := fs.Bool("no-store", false, "do not store the candidates for officers to review")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	db, _, err := sf.open(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	svc := registryService(db)
	today := civil.DateOf(time.Now())
	start := time.Now()

	finder := dedup.NewFinder()
	bar := newProgress(stderr, "reading", "records", 0)
	provinceOf := func(commune string) string {
		u, err := svc.Places.Lookup(commune, today)
		if err != nil {
			return ""
		}
		return svc.Places.Province(u).Code
	}
	err = db.DedupRecords(ctx, today, provinceOf, func(r dedup.Record) error {
		finder.Add(r)
		bar.Add(1)
		return nil
	})
	bar.Finish()
	if err != nil {
		return err
	}
	readTime := time.Since(start)

	w := stdout
	if *out != "" {
		f, err := os.Create(*out)
		if err != nil {
			return err
		}
		defer f.Close()
		w = f
	}
	bw := bufio.NewWriterSize(w, 1<<20)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	var found [][2]string
	var pending []registry.Candidate
	store := func() error {
		if *noStore || len(pending) == 0 {
			return nil
		}
		err := db.SaveCandidates(ctx, pending)
		pending = pending[:0]
		return err
	}
	now := time.Now()
	stats, err := finder.Find(ctx, func(c dedup.Candidate) error {
		if err := enc.Encode(c); err != nil {
			return err
		}
		if c.Duplicate {
			found = append(found, [2]string{c.A.PID, c.B.PID})
		}
		reasons, err := json.Marshal(c.Reasons)
		if err != nil {
			return err
		}
		pending = append(pending, registry.Candidate{A: registry.PersonKey(c.A.Key), B: registry.PersonKey(c.B.Key),
			Score: c.Score, Likely: c.Duplicate, Reasons: reasons, FoundAt: now})
		if len(pending) >= 5000 {
			return store()
		}
		return nil
	})
	if err == nil {
		err = store()
	}
	if err == nil {
		err = bw.Flush()
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "%d records read in %s; %d blocks, %d comparisons; %d candidate pairs, %d likely duplicates; %s in all\n",
		stats.Records, readTime.Round(time.Millisecond), stats.Blocks, stats.Comparisons, stats.Candidates, stats.Duplicates, time.Since(start).Round(time.Millisecond))
	if *truthPath != "" {
		f, err := os.Open(*truthPath)
		if err != nil {
			return err
		}
		defer f.Close()
		sc, err := load.ScoreAgainstTruth(f, found)
		if err != nil {
			return err
		}
		fmt.Fprintf(stderr, "against %s: precision %.4f (%d of %d pairs found are duplicates), recall %.4f (%d of %d seeded duplicates found), %d twins or namesakes joined\n",
			*truthPath, sc.Precision, sc.Right, sc.Found, sc.Recall, sc.Recovered, sc.TruePairs, sc.HardNegatives)
	}
	if *pairsPath != "" {
		f, err := os.Open(*pairsPath)
		if err != nil {
			return err
		}
		defer f.Close()
		labels, err := dedup.ReadLabelled(f)
		if err != nil {
			return err
		}
		p, r, _ := dedup.Evaluate(labels)
		fmt.Fprintf(stderr, "on %d hand-labelled pairs (%s): precision %.4f, recall %.4f\n", len(labels), *pairsPath, p, r)
	}
	return nil
}
