package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"sync"
	"time"

	"golang.org/x/oauth2/clientcredentials"
)

// benchWebhooks measures the time from a registry write to its webhook:
// a member's system watches people, an officer records residence changes
// of them at a steady rate through the API, and a receiver in this
// process notes when each event's webhook arrives (registry → outbox →
// NATS JetStream → subscription match → signed webhook).
func benchWebhooks(ctx context.Context, sf *storeFlags, bf *benchFlags, stdout, stderr io.Writer) error {
	token, err := benchOfficer(ctx, sf, nil)
	if err != nil {
		return err
	}
	storeArgs := sf.args()
	var cl struct{ ID, Secret string }
	if cl.ID, cl.Secret, err = benchMachineClient(ctx, sf, "Bench webhooks", "exchange:subscribe"); err != nil {
		return err
	}

	var mu sync.Mutex
	arrived := map[string]time.Time{}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	receiver := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var m struct {
			Data struct {
				EventID string `json:"event_id"`
			} `json:"data"`
		}
		json.NewDecoder(r.Body).Decode(&m)
		mu.Lock()
		if _, ok := arrived[m.Data.EventID]; !ok {
			arrived[m.Data.EventID] = time.Now()
		}
		mu.Unlock()
	})}
	go receiver.Serve(ln)
	defer receiver.Close()

	srv, addr, err := startProcess(ctx, stderr, append([]string{"serve", "--addr", "127.0.0.1:0", "--webhook-allow-private"}, storeArgs...)...)
	if err != nil {
		return err
	}
	defer stopProcess(srv)
	base := "http://" + addr
	const purpose = "theo dõi biến động cư trú"
	if err := benchOnboard(ctx, base, token, cl.ID, "state_company", purpose, []string{"subscribe"}, []string{"pid"}); err != nil {
		return err
	}
	tok, err := (&clientcredentials.Config{ClientID: cl.ID, ClientSecret: cl.Secret, TokenURL: base + "/oauth2/token"}).Token(ctx)
	if err != nil {
		return err
	}
	post := func(path, bearer string, body any) (map[string]any, error) {
		b, _ := json.Marshal(body)
		req, _ := http.NewRequestWithContext(ctx, "POST", base+path, bytes.NewReader(b))
		req.Header.Set("Authorization", "Bearer "+bearer)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Purpose", purpose)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return nil, err
		}
		defer resp.Body.Close()
		var m map[string]any
		json.NewDecoder(resp.Body).Decode(&m)
		if resp.StatusCode >= 300 {
			return nil, fmt.Errorf("%s: %s %v", path, resp.Status, m)
		}
		return m, nil
	}
	// The people watched: living, born for the run, among the seeded
	// population.
	var pids []string
	for i := range 200 {
		given := []string{"An", "Bình", "Chi", "Dung", "Giang", "Hà", "Lan", "Mai", "Nga", "Thu"}
		res, err := post("/api/v1/births", token, map[string]any{"full_name": "Lê Thị " + given[i%10] + " " + given[i/10%10], "birth_date": fmt.Sprintf("19%02d-01-01", 50+i%50),
			"sex": "female", "birth_place": "00004", "registration_place": "00004"})
		if err != nil {
			return err
		}
		pids = append(pids, res["pid"].(string))
	}
	sub, err := post("/api/v1/gateway/subscriptions", tok.AccessToken, map[string]any{"event_types": []string{"current_residence"}, "url": "http://" + ln.Addr().String() + "/hook"})
	if err != nil {
		return err
	}
	if _, err := post("/api/v1/gateway/subscriptions/"+sub["id"].(string)+"/watch", tok.AccessToken, map[string]any{"numbers": pids}); err != nil {
		return err
	}
	// Residence changes at 20 a second for the duration.
	n := max(20, int(bf.duration.Seconds()*20))
	written := map[string]time.Time{}
	tick := time.NewTicker(50 * time.Millisecond)
	for i := range n {
		<-tick.C
		res, err := post("/api/v1/citizens/"+pids[i%len(pids)]+"/events", token, map[string]any{"type": "current_residence", "place": "00004",
			"address": fmt.Sprintf("Phòng %d nhà A", i)})
		if err != nil {
			return err
		}
		ev, _ := res["event"].(map[string]any)
		id, _ := ev["id"].(string)
		written[id] = time.Now()
	}
	tick.Stop()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		mu.Lock()
		got := len(arrived)
		mu.Unlock()
		if got >= len(written) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	var lat latencies
	var missing int
	mu.Lock()
	var ds []time.Duration
	for id, at := range written {
		if a, ok := arrived[id]; ok {
			ds = append(ds, a.Sub(at))
		} else {
			missing++
		}
	}
	mu.Unlock()
	lat.add(ds)
	slices.Sort(lat.all)
	fmt.Fprintln(stdout, "| scenario | events | watched | p50 | p99 | max | not delivered in 30 s |")
	fmt.Fprintln(stdout, "|---|---:|---:|---:|---:|---:|---:|")
	fmt.Fprintf(stdout, "| registry write → signed webhook (20 events/s) | %d | %d | %s | %s | %s | %d |\n", len(written), len(pids),
		lat.quantile(0.5).Round(time.Millisecond), lat.quantile(0.99).Round(time.Millisecond), lat.quantile(1).Round(time.Millisecond), missing)
	return nil
}
