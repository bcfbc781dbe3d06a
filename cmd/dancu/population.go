package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"dancu/internal/bulk"
	"dancu/internal/civil"
	"dancu/internal/load"
	"dancu/internal/place"
	"dancu/internal/quality"
	"dancu/internal/registry"
	"dancu/internal/store/sqlstore"
)

// registryService is the registry service the commands use: production
// defaults and the data-quality assessor.
func registryService(db *sqlstore.DB) *registry.Service {
	svc := registry.NewService(db.Registry(), place.Default(), time.Now, rand.Reader)
	svc.Assess = qualityChecker(svc).Mark
	return svc
}

func qualityChecker(svc *registry.Service) *quality.Checker {
	return &quality.Checker{Places: svc.Places, ExpectedPID: svc.ExpectedPID}
}

func cmdSeed(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("seed", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var sf storeFlags
	sf.register(fs, getenv)
	citizens := fs.Int("citizens", 0, "number of persons to create (required)")
	seedValue := fs.Uint64("seed", 1, "seed of the generator: the same seed gives the same population")
	truthPath := fs.String("truth", "", "write the injected defects and duplicates (ground truth) to this file as JSON lines")
	today := fs.String("today", "", "the population's 'today' (YYYY-MM-DD; default: today)")
	batch := fs.Int("batch", 2000, "persons per transaction")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *citizens <= 0 {
		return errors.New("--citizens must be a positive number of persons")
	}
	day := civil.DateOf(time.Now())
	if *today != "" {
		d, err := civil.ParseDate(*today)
		if err != nil || d.Precision() != civil.PrecisionDay {
			return fmt.Errorf("--today must be a date YYYY-MM-DD")
		}
		day = d
	}
	db, _, err := sf.open(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	var truth *os.File
	if *truthPath != "" {
		if truth, err = os.Create(*truthPath); err != nil {
			return err
		}
		defer truth.Close()
	}
	bar := newProgress(stderr, "seeding", "persons", int64(*citizens))
	opt := load.SeedOptions{Citizens: *citizens, Seed: *seedValue, Today: day, BatchPersons: *batch, Progress: bar,
		Failpoint: failpoint(getenv("DANCU_FAILPOINT"))}
	if truth != nil {
		opt.Truth = truth
	}
	stats, err := load.Seed(ctx, registryService(db), db, opt)
	bar.Finish()
	if err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	if truth != nil {
		if err := truth.Sync(); err != nil {
			return err
		}
	}
	fmt.Fprintf(stdout, "seeded %d persons, %d households, %d events in %s (%.0f persons/s)\n",
		stats.Persons, stats.Households, stats.Events, stats.Elapsed.Round(time.Millisecond), float64(stats.Persons)/stats.Elapsed.Seconds())
	if stats.BulkIndexes {
		fmt.Fprintf(stdout, "indexes built after loading in %s\n", stats.IndexTime.Round(time.Millisecond))
	}
	return nil
}

func cmdQuality(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "report" {
		return errors.New("usage: dancu quality report [--province CODE | --unit CODE] [--worst N] [--json] [--lang vi|en]")
	}
	fs := flag.NewFlagSet("quality report", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var sf storeFlags
	sf.register(fs, getenv)
	province := fs.String("province", "", "2-digit province code: the province and its communes (default: the country and its provinces)")
	unit := fs.String("unit", "", "any unit code: VN, a province or a commune")
	worst := fs.Int("worst", 10, "how many of the worst records to list")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	lang := fs.String("lang", "vi", "language of rule titles: vi or en")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	target := "VN"
	switch {
	case *province != "" && *unit != "":
		return errors.New("give --province or --unit, not both")
	case *province != "":
		if len(*province) != 2 {
			return fmt.Errorf("--province is a 2-digit province code, not %q", *province)
		}
		target = *province
	case *unit != "":
		target = *unit
	}
	db, _, err := sf.open(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	svc := registryService(db)
	today := civil.DateOf(time.Now())
	if target != "VN" {
		if _, err := svc.Places.Lookup(target, today); err != nil {
			return fmt.Errorf("unit %s: %w", target, err)
		}
	}
	rp := &quality.Reporter{Store: db, Checker: qualityChecker(svc), Places: svc.Places}
	rep, err := rp.Report(ctx, target, today, *worst, *lang)
	if err != nil {
		return err
	}
	// The worst records are personal data read by the operator.
	keys := make([]registry.PersonKey, len(rep.Worst))
	for i, w := range rep.Worst {
		keys[i] = w.Key
	}
	if err := svc.LogReads(ctx, operator(getenv), keys, []string{"quality"}); err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	printQuality(stdout, rep, *lang)
	return nil
}

// printQuality prints a report as aligned tables: the unit, its parts
// worst first, and the records to fix.
func printQuality(w io.Writer, rep *quality.Report, lang string) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	en := lang == "en"
	head := "Đơn vị\tMã\tSố người\tĐiểm\tĐúng\tĐủ\tSạch\tSống\tNghi trùng\t"
	if en {
		head = "Unit\tCode\tPersons\tScore\tCorrect\tComplete\tClean\tAlive\tDuplicates\t"
	}
	fmt.Fprintf(w, "%s (%s), %s\n\n", rep.UnitName, rep.Unit, rep.Day)
	fmt.Fprintln(tw, head)
	row := func(name string, s quality.Summary) {
		pct := func(n int64) string {
			if s.Persons == 0 {
				return "-"
			}
			return fmt.Sprintf("%.1f%%", 100*float64(n)/float64(s.Persons))
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%.1f\t%s\t%s\t%s\t%s\t%s\t\n", name, s.Unit, thousands(s.Persons), s.Score,
			pct(s.ByDimension[quality.Correct]), pct(s.ByDimension[quality.Complete]), pct(s.ByDimension[quality.Clean]),
			pct(s.ByDimension[quality.Alive]), thousands(s.ByRule["duplicate_suspected"]))
	}
	row(rep.UnitName, rep.Summary)
	for _, u := range rep.Units {
		row(u.Name, u.Summary)
	}
	tw.Flush()
	if len(rep.Summary.ByRule) > 0 {
		fmt.Fprintln(w)
		tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		for _, r := range quality.Rules {
			if n := rep.Summary.ByRule[r.Code]; n > 0 {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", r.Dimension.Title(lang), r.Code, thousands(n), r.Message(lang))
			}
		}
		tw.Flush()
	}
	if len(rep.Worst) > 0 {
		title := "Hồ sơ cần xử lý trước"
		if en {
			title = "Records to fix first"
		}
		fmt.Fprintf(w, "\n%s\n", title)
		tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		for _, r := range rep.Worst {
			var codes []string
			for _, f := range r.Findings {
				codes = append(codes, f.Rule)
			}
			fmt.Fprintf(tw, "%s\t%s\t%d\t%s\n", r.PID, r.FullName, r.Score, strings.Join(codes, ", "))
		}
		tw.Flush()
	}
}

func cmdExport(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("export", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var sf storeFlags
	sf.register(fs, getenv)
	province := fs.String("province", "", "export only the persons attached to this province (2-digit code) or commune")
	format := fs.String("format", "", "csv or jsonl (default: from --out's extension, else csv)")
	out := fs.String("out", "", "file to write (default: standard output)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	name := *format
	if name == "" {
		name = "csv"
		if strings.HasSuffix(*out, ".jsonl") || strings.HasSuffix(*out, ".ndjson") {
			name = "jsonl"
		}
	}
	f, err := bulk.ParseFormat(name)
	if err != nil {
		return err
	}
	db, _, err := sf.open(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	svc := registryService(db)
	today := civil.DateOf(time.Now())
	if *province != "" {
		if _, err := svc.Places.Lookup(*province, today); err != nil {
			return fmt.Errorf("--province: %w", err)
		}
	}
	w := stdout
	var file *os.File
	if *out != "" {
		// Written beside the target and renamed at the end: a failed export
		// leaves no half file under the name asked for.
		if file, err = os.CreateTemp(filepath.Dir(*out), ".export-*"); err != nil {
			return err
		}
		defer os.Remove(file.Name())
		defer file.Close()
		w = file
	}
	bw := bufio.NewWriterSize(w, 1<<20)
	wr := bulk.NewWriter(bw, f)
	bar := newProgress(stderr, "exporting", "persons", 0)
	var n int64
	var cursor registry.ExportCursor
	for {
		page, err := svc.Export(ctx, operator(getenv), *province, cursor, 5000)
		if err != nil {
			bar.Finish()
			return err
		}
		for _, c := range page.Citizens {
			if c.MergedInto != 0 {
				continue // a merged duplicate is exported as part of its survivor
			}
			if err := wr.Write(bulk.RowFromCitizen(c, page.PIDs, today)); err != nil {
				bar.Finish()
				return err
			}
			n++
		}
		bar.Add(int64(len(page.Citizens)))
		if page.Done {
			break
		}
		cursor = page.Next
	}
	bar.Finish()
	if err := wr.Flush(); err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	if file != nil {
		if err := file.Sync(); err != nil {
			return err
		}
		if err := os.Rename(file.Name(), *out); err != nil {
			return err
		}
		fmt.Fprintf(stderr, "exported %d persons to %s\n", n, *out)
	}
	return nil
}

func cmdImport(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("import", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var sf storeFlags
	sf.register(fs, getenv)
	rejects := fs.String("rejects", "", "where rejected rows go, as JSON lines (default FILE.rejects.jsonl)")
	batch := fs.Int("batch", 5000, "rows per transaction")
	// Flags may come before or after the file.
	var file string
	rest := args
	if len(rest) > 0 && !strings.HasPrefix(rest[0], "-") {
		file, rest = rest[0], rest[1:]
	}
	if err := fs.Parse(rest); err != nil {
		return err
	}
	if file == "" && fs.NArg() > 0 {
		file = fs.Arg(0)
	}
	if file == "" {
		return errors.New("usage: dancu import FILE [--rejects FILE] (CSV or JSON lines, as dancu export writes)")
	}
	db, _, err := sf.open(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	svc := registryService(db)
	bar := newProgress(stderr, "importing", "rows", 0)
	stats, err := load.Import(ctx, svc, db, load.ImportOptions{
		Path: file, Rejects: *rejects, Today: civil.DateOf(time.Now()), BatchRows: *batch,
		Officer: "import:" + operator(getenv).ID, Progress: bar, Failpoint: failpoint(getenv("DANCU_FAILPOINT")),
	})
	bar.Finish()
	if err != nil {
		return fmt.Errorf("import %s: %w", file, err)
	}
	switch {
	case stats.AlreadyDone:
		fmt.Fprintf(stdout, "%s was already imported: %d rows, %d loaded, %d rejected\n", file, stats.Records, stats.Loaded, stats.Rejected)
	default:
		how := ""
		if stats.Resumed {
			how = fmt.Sprintf(" (resumed after %d rows)", stats.ResumedAt)
		}
		fmt.Fprintf(stdout, "imported %s%s: %d rows, %d loaded, %d rejected, %d loaded with warnings\n", file, how, stats.Records, stats.Loaded, stats.Rejected, stats.Warnings)
		if stats.Rejected+stats.Warnings > 0 {
			path := *rejects
			if path == "" {
				path = file + ".rejects.jsonl"
			}
			fmt.Fprintf(stdout, "rejected rows and warnings, with their reasons: %s\n", path)
		}
	}
	return nil
}

// failpoint returns the hook DANCU_FAILPOINT=NAME[:N] sets: the process
// kills itself (SIGKILL, as an operator's kill -9 or the OOM killer would)
// the N-th time (default 1) it passes the named point. Tests use it to
// stop an import or a seed exactly between two steps.
func failpoint(spec string) func(string) {
	if spec == "" {
		return nil
	}
	name, count, _ := strings.Cut(spec, ":")
	want := 1
	if count != "" {
		fmt.Sscan(count, &want)
	}
	seen := 0
	return func(point string) {
		if point != name {
			return
		}
		if seen++; seen == want {
			syscall.Kill(os.Getpid(), syscall.SIGKILL)
			select {}
		}
	}
}
