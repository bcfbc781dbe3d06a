package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"golang.org/x/oauth2/clientcredentials"
)

// cmdBatch is an agency system's client of batch verification: it gets an
// access token, opens a job, uploads the file in pieces (resuming after a
// broken connection from what the server holds), starts the job, follows
// it with a progress bar and downloads the results.
func cmdBatch(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	const usage = "usage: dancu batch submit FILE --url URL --client-id ID --purpose TEXT [--out FILE] (client secret in $DANCU_CLIENT_SECRET)"
	if len(args) < 2 || args[0] != "submit" {
		return errors.New(usage)
	}
	fs := flag.NewFlagSet("batch submit", flag.ContinueOnError)
	fs.SetOutput(stderr)
	base := fs.String("url", getenv("DANCU_URL"), "dancu's address, such as https://dancu.example")
	clientID := fs.String("client-id", getenv("DANCU_CLIENT_ID"), "the system's OAuth client id")
	purpose := fs.String("purpose", "", "the purpose of the verification; your member's grant must cover it")
	out := fs.String("out", "", "where to write the results (default FILE.results.jsonl)")
	piece := fs.Int64("piece", 16<<20, "bytes per uploaded piece")
	file := args[1]
	if err := fs.Parse(args[2:]); err != nil {
		return err
	}
	secret := getenv("DANCU_CLIENT_SECRET")
	switch {
	case *base == "" || *clientID == "" || *purpose == "":
		return errors.New(usage)
	case secret == "":
		return errors.New("set the system's client secret in $DANCU_CLIENT_SECRET")
	}
	if *out == "" {
		*out = file + ".results.jsonl"
	}
	format := "csv"
	if ext := strings.ToLower(filepath.Ext(file)); ext == ".jsonl" || ext == ".ndjson" || ext == ".json" {
		format = "jsonl"
	}
	in, err := os.Open(file)
	if err != nil {
		return err
	}
	defer in.Close()
	st, err := in.Stat()
	if err != nil {
		return err
	}
	*base = strings.TrimSuffix(*base, "/")
	cc := clientcredentials.Config{ClientID: *clientID, ClientSecret: secret, TokenURL: *base + "/oauth2/token"}
	client := cc.Client(ctx) // renews the token as it expires
	call := func(method, path string, body io.Reader, headers map[string]string, into any) (*http.Response, error) {
		req, err := http.NewRequestWithContext(ctx, method, *base+path, body)
		if err != nil {
			return nil, err
		}
		req.Header.Set("X-Purpose", *purpose)
		for k, v := range headers {
			req.Header.Set(k, v)
		}
		resp, err := client.Do(req)
		if err != nil {
			return nil, err
		}
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		if resp.StatusCode >= 300 {
			var p struct{ Title, Detail string }
			json.Unmarshal(raw, &p)
			return resp, fmt.Errorf("%s %s: %s: %s", method, path, p.Title, p.Detail)
		}
		if into != nil {
			return resp, json.Unmarshal(raw, into)
		}
		return resp, nil
	}
	type job struct {
		ID            string           `json:"id"`
		Status        string           `json:"status"`
		UploadedBytes int64            `json:"uploaded_bytes"`
		Total         int64            `json:"total"`
		Done          int64            `json:"done"`
		Counts        map[string]int64 `json:"counts"`
		Error         string           `json:"error"`
	}
	var j job
	body, _ := json.Marshal(map[string]string{"format": format})
	if _, err := call("POST", "/api/v1/gateway/batches", bytes.NewReader(body), map[string]string{"Content-Type": "application/json"}, &j); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "batch %s: uploading %s (%s bytes)\n", j.ID, file, thousands(st.Size()))
	up := newProgress(stderr, "upload", "bytes", st.Size())
	for j.UploadedBytes < st.Size() {
		n := min(*piece, st.Size()-j.UploadedBytes)
		_, err := call("PATCH", "/api/v1/gateway/batches/"+j.ID+"/input", io.NewSectionReader(in, j.UploadedBytes, n),
			map[string]string{"Upload-Offset": strconv.FormatInt(j.UploadedBytes, 10), "Content-Type": "application/octet-stream"}, &j)
		if err != nil {
			// Ask where the server stands, and go on from there.
			fmt.Fprintf(stderr, "upload interrupted (%v); resuming\n", err)
			time.Sleep(time.Second)
			if _, err := call("GET", "/api/v1/gateway/batches/"+j.ID, nil, nil, &j); err != nil {
				return err
			}
			continue
		}
		up.Add(n)
	}
	up.Finish()
	if _, err := call("POST", "/api/v1/gateway/batches/"+j.ID+"/start", nil, nil, &j); err != nil {
		return err
	}
	bar := newProgress(stderr, "verify", "records", j.Total)
	shown := int64(0)
	for j.Status == "queued" || j.Status == "running" {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(500 * time.Millisecond):
		}
		if _, err := call("GET", "/api/v1/gateway/batches/"+j.ID, nil, nil, &j); err != nil {
			return err
		}
		bar.Add(j.Done - shown)
		shown = j.Done
	}
	bar.Finish()
	if j.Status != "done" {
		return fmt.Errorf("batch %s %s: %s", j.ID, j.Status, j.Error)
	}
	req, _ := http.NewRequestWithContext(ctx, "GET", *base+"/api/v1/gateway/batches/"+j.ID+"/results", nil)
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		return fmt.Errorf("results: %s", resp.Status)
	}
	f, err := os.Create(*out)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, resp.Body); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "batch %s done: %s records — %s match, %s mismatch, %s not found, %s invalid; results in %s\n", j.ID, thousands(j.Done),
		thousands(j.Counts["match"]), thousands(j.Counts["mismatch"]), thousands(j.Counts["not_found"]), thousands(j.Counts["invalid"]), *out)
	return nil
}
