package main

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/oauth2/clientcredentials"

	"dancu/internal/store/sqlite"
)

type webhookCall struct {
	id, ts, sig string
	body        []byte
	at          time.Time
}

// TestWebhooks: a social-insurance system subscribes to deaths and
// residence changes of the people it holds; the registry's events go
// through the outbox and NATS JetStream to signed webhooks, within a
// second; a receiver that is down gets the event once it is back;
// people not watched are not sent; a replay sends again; every delivery
// is in the person's access log.
func TestWebhooks(t *testing.T) {
	b := backend{name: "sqlite", data: t.TempDir()}
	var mu sync.Mutex
	var calls []webhookCall
	var down atomic.Bool
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if down.Load() {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		mu.Lock()
		calls = append(calls, webhookCall{r.Header.Get("webhook-id"), r.Header.Get("webhook-timestamp"), r.Header.Get("webhook-signature"), body, time.Now()})
		mu.Unlock()
	}))
	defer receiver.Close()
	received := func() []webhookCall {
		mu.Lock()
		defer mu.Unlock()
		return append([]webhookCall(nil), calls...)
	}
	waitFor := func(n int) []webhookCall {
		t.Helper()
		deadline := time.Now().Add(20 * time.Second)
		for {
			if c := received(); len(c) >= n {
				return c
			}
			if time.Now().After(deadline) {
				t.Fatalf("%d webhooks received, want %d", len(received()), n)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}

	srv := startArgs(t, append([]string{"--webhook-allow-private"}, b.args()...)...)
	officer := &client{t: t, url: srv.url, token: newOfficer(t, b, "VN")}
	watched := str(officer.call("POST", "/api/v1/births", map[string]any{"full_name": "Vi Văn Thắng", "birth_date": "1950-02-02",
		"sex": "male", "birth_place": "00004", "registration_place": "00004"}, 201), "pid")
	other := str(officer.call("POST", "/api/v1/births", map[string]any{"full_name": "Vi Thị Lan", "birth_date": "1952-03-03",
		"sex": "female", "birth_place": "00004", "registration_place": "00004"}, 201), "pid")

	machine := createClient(t, b, "--name", "BHXH", "--grant-types", "client_credentials", "--scopes", "exchange:subscribe")
	const purpose = "dừng chi trả lương hưu khi người hưởng mất"
	bhxh, sys := onboard(t, officer, "Bảo hiểm xã hội Việt Nam", "state_company", machine.ID, purpose, []string{"subscribe"}, []string{"pid"}, 0)
	tok, err := (&clientcredentials.Config{ClientID: machine.ID, ClientSecret: machine.Secret, TokenURL: srv.url + "/oauth2/token"}).Token(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	system := &client{t: t, url: srv.url, token: tok.AccessToken}
	sub := system.call("POST", "/api/v1/gateway/subscriptions", map[string]any{"event_types": []string{"death", "permanent_residence"}, "url": receiver.URL}, 201, "X-Purpose", purpose)
	subID, secret := str(sub, "id"), str(sub, "secret")
	if w := system.call("POST", "/api/v1/gateway/subscriptions/"+subID+"/watch", map[string]any{"numbers": []string{watched, "001099999999"}}, 200, "X-Purpose", purpose); w["added"] != 1.0 {
		t.Fatalf("watch: %v", w)
	}
	if p := system.call("POST", "/api/v1/gateway/subscriptions", map[string]any{"event_types": []string{"death"}, "url": "ftp://example.com"}, 400, "X-Purpose", purpose); !strings.Contains(p["detail"].(string), "url") {
		t.Fatalf("a webhook to ftp: %v", p)
	}

	verify := func(c webhookCall) map[string]any {
		t.Helper()
		key, _ := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
		mac := hmac.New(sha256.New, key)
		mac.Write([]byte(c.id + "." + c.ts + "."))
		mac.Write(c.body)
		if c.sig != "v1,"+base64.StdEncoding.EncodeToString(mac.Sum(nil)) {
			t.Fatalf("webhook %s: the signature does not verify", c.id)
		}
		var m map[string]any
		json.Unmarshal(c.body, &m)
		return m
	}

	// A residence change of the watched person, and one of the other.
	sent := time.Now()
	officer.call("POST", "/api/v1/citizens/"+other+"/events", map[string]any{"type": "permanent_residence", "new_household": true, "place": "00004", "address": "Số 2 phố Hàng Bông", "effective_date": "2025-09-01"}, 201)
	officer.call("POST", "/api/v1/citizens/"+watched+"/events", map[string]any{"type": "permanent_residence", "new_household": true, "place": "00004", "address": "Số 1 phố Hàng Bông", "effective_date": "2025-09-01"}, 201)
	first := waitFor(1)[0]
	t.Logf("registry → webhook in %s", first.at.Sub(sent).Round(time.Millisecond))
	m := verify(first)
	data := m["data"].(map[string]any)
	if m["type"] != "registry.permanent_residence" || data["pid"] != watched || data["subscription"] != subID {
		t.Fatalf("the webhook: %s", first.body)
	}

	// An independent verifier, the standardwebhooks npm package, accepts
	// the webhook and rejects a forgery and a replay.
	verifyWithNode(t, secret, first)

	// The receiver is down when the person dies; the webhook comes once
	// it is back.
	down.Store(true)
	officer.call("POST", "/api/v1/citizens/"+watched+"/events", map[string]any{"type": "death", "effective_date": time.Now().AddDate(0, 0, -1).Format(time.DateOnly)}, 201)
	deadline := time.Now().Add(20 * time.Second)
	for {
		ds := system.call("GET", "/api/v1/gateway/subscriptions/"+subID+"/deliveries?status=pending", nil, 200)
		if l := ds["deliveries"].([]any); len(l) == 1 && l[0].(map[string]any)["attempts"].(float64) >= 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the death was not tried while the receiver was down: %v", ds)
		}
		time.Sleep(50 * time.Millisecond)
	}
	down.Store(false)
	death := verify(waitFor(2)[1])
	if death["type"] != "registry.death" {
		t.Fatalf("after the receiver came back: %v", death)
	}
	time.Sleep(500 * time.Millisecond)
	if n := len(received()); n != 2 {
		t.Fatalf("%d webhooks for two events of the watched person (the other person's must not be sent)", n)
	}

	// A replay from before the first sends both again, with their ids.
	system.call("POST", "/api/v1/gateway/subscriptions/"+subID+"/replay", map[string]any{"since": sent.Add(-time.Minute).UTC().Format(time.RFC3339)}, 200, "X-Purpose", purpose)
	again := waitFor(4)
	if again[2].id != first.id && again[3].id != first.id {
		t.Fatalf("a replayed webhook has another id: %s %s, first %s", again[2].id, again[3].id, first.id)
	}

	// Each delivery sent is a read of the person's number, in their log,
	// under the subscription's member and legal basis.
	db, _, err := sqlite.Open(context.Background(), filepath.Join(b.data, "dancu.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.Read.QueryRow(`SELECT count(*) FROM access_log WHERE actor_id = ? AND member = ? AND legal_basis = ? AND fields LIKE '%event:%'`,
		sys, bhxh, "căn cứ cho "+purpose).Scan(&n); err != nil || n < 4 {
		t.Fatalf("%d deliveries in the access log, want at least 4 (%v)", n, err)
	}
}

// verifyWithNode runs testdata/verify_webhooks.mjs with the machine's
// Node.js and the standardwebhooks package from npm: the webhook as sent
// must verify; the same with its body changed (a forgery), and the same
// message signed ten minutes ago (a replay), must not.
func verifyWithNode(t *testing.T, secret string, c webhookCall) {
	t.Helper()
	for _, tool := range []string{"node", "npm"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is needed to verify webhooks independently (.ci/run installs it): %v", tool, err)
		}
	}
	dir := t.TempDir()
	if out, err := exec.Command("npm", "install", "--prefix", dir, "--no-audit", "--no-fund", "standardwebhooks@1").CombinedOutput(); err != nil {
		t.Fatalf("npm install standardwebhooks: %v\n%s", err, out)
	}
	script, err := os.ReadFile(filepath.Join("testdata", "verify_webhooks.mjs"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "verify.mjs"), script, 0o600); err != nil {
		t.Fatal(err)
	}
	key, _ := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
	sign := func(id, ts string, body []byte) string {
		mac := hmac.New(sha256.New, key)
		mac.Write([]byte(id + "." + ts + "."))
		mac.Write(body)
		return "v1," + base64.StdEncoding.EncodeToString(mac.Sum(nil))
	}
	headers := func(id, ts, sig string) map[string]string {
		return map[string]string{"webhook-id": id, "webhook-timestamp": ts, "webhook-signature": sig}
	}
	forged := bytes.Replace(c.body, []byte(`"registry.`), []byte(`"registry.x`), 1)
	old := strconv.FormatInt(time.Now().Add(-10*time.Minute).Unix(), 10)
	cases := []map[string]any{
		{"name": "the webhook as sent", "body": string(c.body), "headers": headers(c.id, c.ts, c.sig), "expect": "accepted"},
		{"name": "a forgery (the body changed)", "body": string(forged), "headers": headers(c.id, c.ts, c.sig), "expect": "rejected"},
		{"name": "a replay ten minutes later", "body": string(c.body), "headers": headers(c.id, old, sign(c.id, old, c.body)), "expect": "rejected"},
	}
	in, _ := json.Marshal(map[string]any{"secret": secret, "cases": cases})
	if err := os.WriteFile(filepath.Join(dir, "cases.json"), in, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("node", filepath.Join(dir, "verify.mjs"), filepath.Join(dir, "cases.json")).CombinedOutput()
	t.Logf("standardwebhooks:\n%s", out)
	if err != nil {
		t.Fatalf("the standardwebhooks verifier disagrees: %v", err)
	}
}
