package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"golang.org/x/oauth2/clientcredentials"

	"dancu/internal/store/sqlstore"
)

// benchBatch measures batch verification: --rows subscriber records of
// the seeded people, each person once while there are enough, in random
// order (most matching, some with another name, some with a number no one
// has), uploaded in 16 MiB pieces and verified by the
// server's worker; the rate is the job's own, from its start to its end.
func benchBatch(ctx context.Context, sf *storeFlags, bf *benchFlags, stdout, stderr io.Writer) error {
	var people []heldIdentity
	token, err := benchOfficer(ctx, sf, func(db *sqlstore.DB) error {
		var err error
		people, err = everyoneShuffled(ctx, db, bf.rows)
		return err
	})
	if err != nil {
		return err
	}
	storeArgs := sf.args()
	var cl struct{ ID, Secret string }
	if cl.ID, cl.Secret, err = benchMachineClient(ctx, sf, "Bench batch", "exchange:batch"); err != nil {
		return err
	}
	var input bytes.Buffer
	for i := range bf.rows {
		p := people[i]
		rec := map[string]string{"ref": strconv.Itoa(i), "idDocument": p.pid, "name": p.name}
		if p.birth != "" {
			rec["birthdate"] = p.birth
		}
		switch {
		case i%10 == 3:
			rec["name"] = "Trần Thị Không Khớp"
		case i%89 == 7:
			rec["idDocument"] = fmt.Sprintf("0019%08d", 99999000+i%1000)
		}
		line, _ := json.Marshal(rec)
		input.Write(line)
		input.WriteByte('\n')
	}

	srv, addr, err := startProcess(ctx, stderr, append([]string{"serve", "--addr", "127.0.0.1:0"}, storeArgs...)...)
	if err != nil {
		return err
	}
	defer stopProcess(srv)
	base := "http://" + addr
	const purpose = "đối soát thuê bao"
	if err := benchOnboard(ctx, base, token, cl.ID, "telco", purpose, []string{"batch_verify"}, []string{"pid", "full_name", "birth_date"}); err != nil {
		return err
	}
	client := (&clientcredentials.Config{ClientID: cl.ID, ClientSecret: cl.Secret, TokenURL: base + "/oauth2/token"}).Client(ctx)
	do := func(method, path string, body io.Reader, headers map[string]string, into any) error {
		req, _ := http.NewRequestWithContext(ctx, method, base+path, body)
		req.Header.Set("X-Purpose", purpose)
		for k, v := range headers {
			req.Header.Set(k, v)
		}
		resp, err := client.Do(req)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		if resp.StatusCode >= 300 {
			return fmt.Errorf("%s %s: %s %s", method, path, resp.Status, raw)
		}
		if into != nil {
			return json.Unmarshal(raw, into)
		}
		return nil
	}
	var job struct {
		ID     string           `json:"id"`
		Status string           `json:"status"`
		Done   int64            `json:"done"`
		Total  int64            `json:"total"`
		Counts map[string]int64 `json:"counts"`
		Rate   float64          `json:"rate"`
	}
	if err := do("POST", "/api/v1/gateway/batches", strings.NewReader(`{"format":"jsonl"}`), map[string]string{"Content-Type": "application/json"}, &job); err != nil {
		return err
	}
	data := input.Bytes()
	uploadStart := time.Now()
	for off := 0; off < len(data); off += 16 << 20 {
		end := min(off+16<<20, len(data))
		if err := do("PATCH", "/api/v1/gateway/batches/"+job.ID+"/input", bytes.NewReader(data[off:end]), map[string]string{"Upload-Offset": strconv.Itoa(off)}, nil); err != nil {
			return err
		}
	}
	upload := time.Since(uploadStart)
	start := time.Now()
	if err := do("POST", "/api/v1/gateway/batches/"+job.ID+"/start", nil, nil, &job); err != nil {
		return err
	}
	bar := newProgress(stderr, "batch", "records", job.Total)
	shown := int64(0)
	var firstResults time.Duration // the plan, then the first chunk
	for job.Status != "done" {
		time.Sleep(200 * time.Millisecond)
		if err := do("GET", "/api/v1/gateway/batches/"+job.ID, nil, nil, &job); err != nil {
			return err
		}
		if job.Status == "failed" || job.Status == "cancelled" {
			return fmt.Errorf("batch %s %s", job.ID, job.Status)
		}
		if job.Done > 0 && firstResults == 0 {
			firstResults = time.Since(start)
		}
		bar.Add(job.Done - shown)
		shown = job.Done
	}
	bar.Finish()
	took := time.Since(start)
	fmt.Fprintln(stdout, "| scenario | records | file | upload | first results | verification | records/s | counts |")
	fmt.Fprintln(stdout, "|---|---:|---:|---:|---:|---:|---:|---|")
	fmt.Fprintf(stdout, "| batch verification (JSON lines, a telco's subscribers) | %s | %.0f MiB | %s | %s | %s | %s | %v |\n", thousands(job.Done),
		float64(len(data))/(1<<20), upload.Round(100*time.Millisecond), firstResults.Round(100*time.Millisecond), took.Round(100*time.Millisecond),
		thousands(int64(float64(job.Done)/took.Seconds())), job.Counts)
	return nil
}
