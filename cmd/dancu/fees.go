package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"text/tabwriter"
	"time"

	"dancu/internal/exchange"
)

func loadTariff(path string) (exchange.Tariff, error) {
	if path == "" {
		return exchange.DefaultTariff, nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return exchange.Tariff{}, fmt.Errorf("--tariff: %w", err)
	}
	t, err := exchange.ParseTariff(b)
	if err != nil {
		return exchange.Tariff{}, fmt.Errorf("--tariff %s: %w", path, err)
	}
	return t, nil
}

// cmdFees prints the monthly statements of the gateway's members.
func cmdFees(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "statement" {
		return errors.New("usage: dancu fees statement [--month YYYY-MM] [--member ID] [--tariff FILE] [--json]")
	}
	fs := flag.NewFlagSet("fees statement", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var sf storeFlags
	sf.register(fs, getenv)
	month := fs.String("month", exchange.Month(time.Now()), "the month, YYYY-MM (Asia/Ho_Chi_Minh)")
	member := fs.String("member", "", "only this member")
	tariffPath := fs.String("tariff", getenv("DANCU_TARIFF"), "the tariff, a JSON file")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if _, err := time.Parse("2006-01", *month); err != nil {
		return fmt.Errorf("--month %q is not YYYY-MM", *month)
	}
	tariff, err := loadTariff(*tariffPath)
	if err != nil {
		return err
	}
	db, _, err := sf.open(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	svc := &exchange.Service{Store: db.Exchange()}
	sts, err := svc.Statements(ctx, tariff, *month, *member)
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(map[string]any{"month": *month, "currency": "VND", "statements": sts})
	}
	if len(sts) == 0 {
		fmt.Fprintf(stdout, "no use of the gateway metered in %s\n", *month)
		return nil
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', tabwriter.AlignRight)
	for _, st := range sts {
		note := ""
		if st.Exempt {
			note = " (exempt: " + string(st.MemberType) + ")"
		}
		fmt.Fprintf(stdout, "%s — %s%s, %s\n", st.MemberName, st.MemberID, note, st.Month)
		fmt.Fprintln(tw, "operation\tcount\tunit price (₫)\tamount (₫)\t")
		for _, l := range st.Lines {
			fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t\n", l.Operation, l.Count, l.UnitPrice, l.Amount)
		}
		fmt.Fprintf(tw, "total\t\t\t%d\t\n", st.Total)
		tw.Flush()
		fmt.Fprintln(stdout)
	}
	return nil
}
