package eid

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/http"
	"net/http/httptest"
	"net/mail"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"dancu/internal/errs"
)

const (
	testCode = "123456"
	viBody   = "Mã xác thực của bạn là " + testCode
)

var testNow = time.Date(2026, 3, 1, 8, 30, 0, 0, time.FixedZone("ICT", 7*3600))

// smtpServer is just enough of an SMTP server for the tests: EHLO,
// STARTTLS when tlsConfig is set, AUTH PLAIN when user is set, MAIL, RCPT,
// DATA, RSET, NOOP, QUIT. It records every command and every message.
type smtpServer struct {
	addr       string
	tlsConfig  *tls.Config
	user, pass string

	mu   sync.Mutex
	cmds []string
	msgs []smtpMessage
}

type smtpMessage struct {
	from, auth string
	to         []string
	tls        bool
	data       []byte
}

func startSMTP(tb testing.TB, s *smtpServer) *smtpServer {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	s.addr = ln.Addr().String()
	var wg sync.WaitGroup
	tb.Cleanup(func() {
		ln.Close()
		wg.Wait()
	})
	wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Go(func() { s.serve(c) })
		}
	})
	return s
}

func (s *smtpServer) commands() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.cmds...)
}

func (s *smtpServer) messages() []smtpMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]smtpMessage(nil), s.msgs...)
}

func (s *smtpServer) serve(c net.Conn) {
	defer func() { c.Close() }()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	r := bufio.NewReader(c)
	reply := func(format string, args ...any) { fmt.Fprintf(c, format+"\r\n", args...) }
	readLine := func() (string, bool) {
		l, err := r.ReadString('\n')
		return strings.TrimRight(l, "\r\n"), err == nil
	}
	var msg smtpMessage
	reply("220 mail.test ESMTP")
	for {
		line, ok := readLine()
		if !ok {
			return
		}
		verb, arg, _ := strings.Cut(line, " ")
		verb = strings.ToUpper(verb)
		s.mu.Lock()
		if verb == "AUTH" {
			s.cmds = append(s.cmds, "AUTH") // not the credentials
		} else {
			s.cmds = append(s.cmds, line)
		}
		s.mu.Unlock()
		switch verb {
		case "EHLO", "HELO":
			ext := []string{"mail.test", "8BITMIME"}
			if s.tlsConfig != nil && !msg.tls {
				ext = append(ext, "STARTTLS")
			}
			if s.user != "" {
				ext = append(ext, "AUTH PLAIN")
			}
			for i, e := range ext {
				sep := "-"
				if i == len(ext)-1 {
					sep = " "
				}
				reply("250%s%s", sep, e)
			}
		case "STARTTLS":
			if s.tlsConfig == nil || msg.tls {
				reply("502 not now")
				continue
			}
			reply("220 go ahead")
			tc := tls.Server(c, s.tlsConfig)
			if err := tc.Handshake(); err != nil {
				return
			}
			c, r = tc, bufio.NewReader(tc)
			msg = smtpMessage{tls: true}
		case "AUTH":
			mech, resp, _ := strings.Cut(arg, " ")
			if s.user == "" || mech != "PLAIN" {
				reply("504 unsupported")
				continue
			}
			if resp == "" {
				reply("334 ")
				if resp, ok = readLine(); !ok {
					return
				}
			}
			dec, err := base64.StdEncoding.DecodeString(resp)
			if err != nil || string(dec) != "\x00"+s.user+"\x00"+s.pass {
				reply("535 bad credentials")
				continue
			}
			msg.auth = s.user
			reply("235 ok")
		case "MAIL":
			msg.from = arg
			reply("250 ok")
		case "RCPT":
			msg.to = append(msg.to, arg)
			reply("250 ok")
		case "DATA":
			reply("354 go ahead")
			var data bytes.Buffer
			for {
				l, ok := readLine()
				if !ok {
					return
				}
				if l == "." {
					break
				}
				data.WriteString(strings.TrimPrefix(l, ".") + "\r\n") // dot-unstuffing
			}
			msg.data = data.Bytes()
			s.mu.Lock()
			s.msgs = append(s.msgs, msg)
			s.mu.Unlock()
			msg = smtpMessage{tls: msg.tls, auth: msg.auth}
			reply("250 queued")
		case "RSET", "NOOP":
			reply("250 ok")
		case "QUIT":
			reply("221 bye")
			return
		default:
			reply("502 unknown command")
		}
	}
}

// testTLS returns a server configuration with a fresh self-signed
// certificate for hosts, and a client configuration trusting it.
func testTLS(tb testing.TB, hosts ...string) (server, client *tls.Config) {
	tb.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		tb.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: hosts[0]},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IsCA:         true, BasicConstraintsValid: true,
	}
	for _, h := range hosts {
		if ip := net.ParseIP(h); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, h)
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		tb.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		tb.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}},
		&tls.Config{RootCAs: pool}
}

// dialTo returns a dial function that connects to addr whatever address
// it is asked for, to play a remote relay on the loopback interface.
func dialTo(addr string) func(context.Context, string) (net.Conn, error) {
	return func(ctx context.Context, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, "tcp", addr)
	}
}

func emailMessage() Message {
	return Message{Channel: ChannelEmail, To: "nguyen.an@example.vn",
		Subject: "Mã xác thực định danh điện tử", Text: viBody, Secret: true}
}

func TestSMTPNotifierMessage(t *testing.T) {
	srv := startSMTP(t, &smtpServer{user: "relay", pass: "s3cret"})
	n := SMTPNotifier{
		Addr: srv.addr, From: "Định danh điện tử <no-reply@dancu.example.vn>",
		Username: "relay", Password: "s3cret",
		Now: func() time.Time { return testNow }, Rand: bytes.NewReader(bytes.Repeat([]byte{0xab}, 16)),
	}
	if err := n.Notify(context.Background(), emailMessage()); err != nil {
		t.Fatal(err)
	}
	msgs := srv.messages()
	if len(msgs) != 1 {
		t.Fatalf("%d messages, want 1", len(msgs))
	}
	got := msgs[0]
	if got.from != "FROM:<no-reply@dancu.example.vn>" && !strings.HasPrefix(got.from, "FROM:<no-reply@dancu.example.vn> ") {
		t.Errorf("MAIL %s", got.from)
	}
	if len(got.to) != 1 || got.to[0] != "TO:<nguyen.an@example.vn>" {
		t.Errorf("RCPT %v", got.to)
	}
	if got.auth != "relay" {
		t.Errorf("AUTH to localhost without TLS was not done: %q", got.auth)
	}
	if !bytes.Contains(got.data, []byte("\r\n\r\n")) || bytes.Contains(bytes.ReplaceAll(got.data, []byte("\r\n"), nil), []byte("\n")) {
		t.Errorf("message lines do not end in CRLF:\n%s", got.data)
	}

	m, err := mail.ReadMessage(bytes.NewReader(got.data))
	if err != nil {
		t.Fatal(err)
	}
	h := m.Header
	if d, err := h.Date(); err != nil || !d.Equal(testNow) {
		t.Errorf("Date %q: %v, %v", h.Get("Date"), d, err)
	}
	if want := "<" + strings.Repeat("ab", 16) + "@dancu.example.vn>"; h.Get("Message-ID") != want {
		t.Errorf("Message-ID %q, want %q", h.Get("Message-ID"), want)
	}
	if from, err := h.AddressList("From"); err != nil || len(from) != 1 || from[0].Name != "Định danh điện tử" || from[0].Address != "no-reply@dancu.example.vn" {
		t.Errorf("From %q: %v %v", h.Get("From"), from, err)
	}
	if to, err := h.AddressList("To"); err != nil || len(to) != 1 || to[0].Address != "nguyen.an@example.vn" {
		t.Errorf("To %q: %v %v", h.Get("To"), to, err)
	}
	raw := h.Get("Subject")
	if !strings.HasPrefix(raw, "=?utf-8?") {
		t.Errorf("Subject %q is not RFC 2047 encoded", raw)
	}
	subject, err := new(mime.WordDecoder).DecodeHeader(raw)
	if err != nil || subject != "Mã xác thực định danh điện tử" {
		t.Errorf("Subject %q decodes to %q, %v", raw, subject, err)
	}
	for k, want := range map[string]string{
		"Content-Type":              "text/plain; charset=utf-8",
		"Content-Transfer-Encoding": "quoted-printable",
		"MIME-Version":              "1.0",
		"Auto-Submitted":            "auto-generated",
	} {
		if h.Get(k) != want {
			t.Errorf("%s %q, want %q", k, h.Get(k), want)
		}
	}
	body, err := io.ReadAll(quotedprintable.NewReader(m.Body))
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.TrimRight(string(body), "\r\n"); got != viBody {
		t.Errorf("body %q, want %q", got, viBody)
	}
	if bytes.Contains(got.data, []byte("ã")) {
		t.Errorf("the body holds raw UTF-8, not quoted-printable")
	}
}

func TestSMTPNotifierStartTLS(t *testing.T) {
	serverTLS, clientTLS := testTLS(t, "smtp.example.vn")
	srv := startSMTP(t, &smtpServer{tlsConfig: serverTLS, user: "relay", pass: "s3cret"})
	n := SMTPNotifier{
		Addr: "smtp.example.vn:587", From: "no-reply@dancu.example.vn",
		Username: "relay", Password: "s3cret", StartTLS: true, TLSConfig: clientTLS,
		dial: dialTo(srv.addr),
	}
	if err := n.Notify(context.Background(), emailMessage()); err != nil {
		t.Fatal(err)
	}
	msgs := srv.messages()
	if len(msgs) != 1 || !msgs[0].tls || msgs[0].auth != "relay" {
		t.Fatalf("messages %+v, want one over TLS after AUTH", msgs)
	}
}

func TestSMTPNotifierRefusesCleartextAuth(t *testing.T) {
	serverTLS, _ := testTLS(t, "smtp.example.vn")
	tests := []struct {
		name     string
		server   *smtpServer
		startTLS bool
		want     errs.Kind
	}{
		// The relay, or someone between us and it, offers no STARTTLS:
		// credentials must not go out in clear to a remote host.
		{"no STARTTLS, not required", &smtpServer{user: "relay", pass: "s3cret"}, false, errs.Internal},
		{"no STARTTLS, required", &smtpServer{user: "relay", pass: "s3cret"}, true, errs.Unavailable},
		// STARTTLS is offered but the certificate is not trusted.
		{"untrusted certificate", &smtpServer{tlsConfig: serverTLS, user: "relay", pass: "s3cret"}, false, errs.Unavailable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := startSMTP(t, tt.server)
			n := SMTPNotifier{Addr: "smtp.example.vn:587", From: "no-reply@dancu.example.vn",
				Username: "relay", Password: "s3cret", StartTLS: tt.startTLS, dial: dialTo(srv.addr)}
			err := n.Notify(context.Background(), emailMessage())
			if !errs.Is(err, tt.want) {
				t.Errorf("Notify = %v, want kind %v", err, tt.want)
			}
			for _, c := range srv.commands() {
				if c == "AUTH" || strings.HasPrefix(c, "MAIL") {
					t.Errorf("the client sent %s", c)
				}
			}
			if len(srv.messages()) != 0 {
				t.Errorf("a message was delivered")
			}
		})
	}
}

func TestAuthAllowed(t *testing.T) {
	tests := []struct {
		encrypted bool
		host      string
		want      bool
	}{
		{false, "localhost", true},
		{false, "LocalHost", true},
		{false, "127.0.0.1", true},
		{false, "127.0.0.53", true},
		{false, "::1", true},
		{false, "smtp.example.vn", false},
		{false, "203.0.113.25", false},
		{false, "10.0.0.25", false},
		{false, "localhost.example.vn", false},
		{false, "", false},
		{true, "smtp.example.vn", true},
		{true, "203.0.113.25", true},
	}
	for _, tt := range tests {
		if got := authAllowed(tt.encrypted, tt.host); got != tt.want {
			t.Errorf("authAllowed(%v, %q) = %v, want %v", tt.encrypted, tt.host, got, tt.want)
		}
	}
}

func TestSMTPNotifierErrors(t *testing.T) {
	srv := startSMTP(t, &smtpServer{})
	tests := []struct {
		name string
		n    SMTPNotifier
		m    Message
		want errs.Kind
	}{
		{"sms", SMTPNotifier{Addr: srv.addr, From: "a@dancu.example.vn"}, Message{Channel: ChannelSMS, To: "+84912345678", Text: "x"}, errs.Internal},
		{"bad recipient", SMTPNotifier{Addr: srv.addr, From: "a@dancu.example.vn"}, Message{Channel: ChannelEmail, To: "not an address", Text: "x"}, errs.Invalid},
		{"header injection", SMTPNotifier{Addr: srv.addr, From: "a@dancu.example.vn"}, Message{Channel: ChannelEmail, To: "a@example.vn\r\nBcc: b@example.vn", Text: "x"}, errs.Invalid},
		{"bad sender", SMTPNotifier{Addr: srv.addr, From: ""}, emailMessage(), errs.Internal},
		{"bad address", SMTPNotifier{Addr: "no-port", From: "a@dancu.example.vn"}, emailMessage(), errs.Internal},
		{"cancelled", SMTPNotifier{Addr: srv.addr, From: "a@dancu.example.vn", dial: func(ctx context.Context, _ string) (net.Conn, error) {
			<-ctx.Done()
			return nil, ctx.Err()
		}, Timeout: 50 * time.Millisecond}, emailMessage(), errs.Unavailable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.n.Notify(context.Background(), tt.m)
			if !errs.Is(err, tt.want) {
				t.Errorf("Notify = %v, want kind %v", err, tt.want)
			}
		})
	}
	if len(srv.messages()) != 0 {
		t.Errorf("a message was delivered")
	}
}

func TestSMTPSubjectCannotInjectHeaders(t *testing.T) {
	srv := startSMTP(t, &smtpServer{})
	n := SMTPNotifier{Addr: srv.addr, From: "no-reply@dancu.example.vn"}
	m := Message{Channel: ChannelEmail, To: "a@example.vn", Subject: "Hi\r\nBcc: b@example.vn", Text: "x"}
	if err := n.Notify(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	msg, err := mail.ReadMessage(bytes.NewReader(srv.messages()[0].data))
	if err != nil {
		t.Fatal(err)
	}
	if msg.Header.Get("Bcc") != "" {
		t.Errorf("the subject added a Bcc header")
	}
}

// testWebhookSecret is the example secret of the Standard Webhooks
// specification, "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", decoded.
var testWebhookSecret, _ = base64.StdEncoding.DecodeString("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")

func TestWebhookSignatureVector(t *testing.T) {
	// The example in the Standard Webhooks specification.
	got := webhookSignature(testWebhookSecret, "msg_p5jXN8AQM9LWM0D4loKWxJek", "1614265330", []byte(`{"test": 2432232314}`))
	if want := "g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="; got != want {
		t.Errorf("signature %s, want %s", got, want)
	}
}

// gateway is an SMS gateway as the tests imagine it: it verifies Standard
// Webhooks signatures with its secret and a 5-minute tolerance.
type gateway struct {
	secret []byte
	now    func() time.Time
	status int // answered after a valid request; 0 means 204

	mu   sync.Mutex
	got  []map[string]string
	seen map[string]bool
}

func (g *gateway) messages() []map[string]string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]map[string]string(nil), g.got...)
}

func (g *gateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	id, ts := r.Header.Get("webhook-id"), r.Header.Get("webhook-timestamp")
	sec, err := strconv.ParseInt(ts, 10, 64)
	if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/json" || id == "" || err != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	if d := g.now().Sub(time.Unix(sec, 0)); d > 5*time.Minute || d < -5*time.Minute {
		http.Error(w, "stale", http.StatusUnauthorized)
		return
	}
	want := "v1," + webhookSignature(g.secret, id, ts, body)
	valid := false
	for _, sig := range strings.Fields(r.Header.Get("webhook-signature")) {
		valid = valid || hmac.Equal([]byte(sig), []byte(want))
	}
	if !valid {
		http.Error(w, "bad signature", http.StatusUnauthorized)
		return
	}
	var m map[string]string
	if err := json.Unmarshal(body, &m); err != nil {
		http.Error(w, "bad json", http.StatusBadRequest)
		return
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.seen[id] {
		http.Error(w, "replay", http.StatusConflict)
		return
	}
	if g.seen == nil {
		g.seen = map[string]bool{}
	}
	g.seen[id] = true
	g.got = append(g.got, m)
	if g.status != 0 {
		// Echo the text back, as some gateways do, to check that the
		// notifier never puts a response body in its error.
		http.Error(w, "rejected: "+m["text"], g.status)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func smsMessage() Message {
	return Message{Channel: ChannelSMS, To: "+84912345678",
		Text: "Ma xac thuc cua ban la " + testCode, Secret: true}
}

func TestWebhookNotifier(t *testing.T) {
	g := &gateway{secret: testWebhookSecret, now: func() time.Time { return testNow }}
	srv := httptest.NewServer(g)
	t.Cleanup(srv.Close)
	n := WebhookNotifier{URL: srv.URL + "/sms", Secret: testWebhookSecret, Now: func() time.Time { return testNow }}
	if err := n.Notify(context.Background(), smsMessage()); err != nil {
		t.Fatal(err)
	}
	if err := n.Notify(context.Background(), smsMessage()); err != nil {
		t.Fatalf("second message: %v", err) // a fresh webhook-id each time
	}
	got := g.messages()
	if len(got) != 2 {
		t.Fatalf("gateway got %d messages", len(got))
	}
	want := map[string]string{"to": "+84912345678", "channel": "sms", "text": "Ma xac thuc cua ban la " + testCode}
	for k, v := range want {
		if got[0][k] != v {
			t.Errorf("%s = %q, want %q", k, got[0][k], v)
		}
	}
	if _, ok := got[0]["subject"]; ok {
		t.Errorf("an SMS has a subject: %v", got[0])
	}
}

func TestWebhookNotifierErrors(t *testing.T) {
	g := &gateway{secret: testWebhookSecret, now: func() time.Time { return testNow }}
	srv := httptest.NewServer(g)
	t.Cleanup(srv.Close)
	redirect := httptest.NewServer(http.RedirectHandler(srv.URL, http.StatusTemporaryRedirect))
	t.Cleanup(redirect.Close)
	block := make(chan struct{})
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-block:
		}
	}))
	t.Cleanup(slow.Close)
	t.Cleanup(func() { close(block) }) // runs first: cleanups are last in, first out
	failing := httptest.NewServer(&gateway{secret: testWebhookSecret, now: func() time.Time { return testNow }, status: http.StatusBadGateway})
	t.Cleanup(failing.Close)
	clock := func() time.Time { return testNow }

	tests := []struct {
		name string
		n    WebhookNotifier
		want errs.Kind
	}{
		{"wrong secret", WebhookNotifier{URL: srv.URL, Secret: []byte("not the secret"), Now: clock}, errs.Unavailable},
		{"stale timestamp", WebhookNotifier{URL: srv.URL, Secret: testWebhookSecret, Now: func() time.Time { return testNow.Add(-time.Hour) }}, errs.Unavailable},
		{"gateway error", WebhookNotifier{URL: failing.URL, Secret: testWebhookSecret, Now: clock}, errs.Unavailable},
		{"redirect not followed", WebhookNotifier{URL: redirect.URL, Secret: testWebhookSecret, Now: clock}, errs.Unavailable},
		{"timeout", WebhookNotifier{URL: slow.URL, Secret: testWebhookSecret, Now: clock, Client: &http.Client{Timeout: 50 * time.Millisecond}}, errs.Unavailable},
		{"cleartext to a remote host", WebhookNotifier{URL: "http://sms.example.vn/send?token=t0ken", Secret: testWebhookSecret}, errs.Internal},
		{"not a URL", WebhookNotifier{URL: "::", Secret: testWebhookSecret}, errs.Internal},
		{"no secret", WebhookNotifier{URL: srv.URL}, errs.Internal},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.n.Notify(context.Background(), smsMessage())
			if !errs.Is(err, tt.want) {
				t.Fatalf("Notify = %v, want kind %v", err, tt.want)
			}
			if strings.Contains(err.Error(), testCode) || strings.Contains(err.Error(), "t0ken") {
				t.Errorf("the error %q repeats the text or the URL's token", err)
			}
		})
	}
	if n := len(g.messages()); n != 0 {
		t.Errorf("the gateway accepted %d messages", n)
	}
}

func TestWebhookNotifierContextDeadline(t *testing.T) {
	block := make(chan struct{})
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-block:
		}
	}))
	t.Cleanup(slow.Close)
	t.Cleanup(func() { close(block) })
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	err := WebhookNotifier{URL: slow.URL, Secret: testWebhookSecret}.Notify(ctx, smsMessage())
	if !errs.Is(err, errs.Unavailable) || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Notify = %v, want a deadline error", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("Notify took %v", d)
	}
}

func TestDirNotifier(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "messages")
	n := DirNotifier{Dir: dir, Now: func() time.Time { return testNow }}
	for _, m := range []Message{smsMessage(), emailMessage(), {Channel: "../evil", To: "x", Text: "y"}} {
		if err := n.Notify(context.Background(), m); err != nil {
			t.Fatal(err)
		}
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 3 {
		t.Fatalf("%d files, want 3", len(entries))
	}
	var sms map[string]any
	for _, e := range entries {
		info, err := e.Info()
		if err != nil {
			t.Fatal(err)
		}
		if info.Mode().Perm() != 0o600 || !strings.HasSuffix(e.Name(), ".json") || !strings.HasPrefix(e.Name(), "20260301T013000") {
			t.Errorf("file %s mode %v", e.Name(), info.Mode())
		}
		if strings.Contains(e.Name(), "-sms-") {
			data, err := os.ReadFile(filepath.Join(dir, e.Name()))
			if err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(data, &sms); err != nil {
				t.Fatal(err)
			}
		}
	}
	if sms["to"] != "+84912345678" || !strings.Contains(fmt.Sprint(sms["text"]), testCode) || sms["channel"] != "sms" {
		t.Errorf("sms file %v", sms)
	}
	if info, err := os.Stat(dir); err != nil || info.Mode().Perm() != 0o700 {
		t.Errorf("directory mode %v, %v", info.Mode(), err)
	}
}

func TestChannels(t *testing.T) {
	dir := t.TempDir()
	n := Channels{ChannelSMS: DirNotifier{Dir: dir}}
	if err := n.Notify(context.Background(), smsMessage()); err != nil {
		t.Fatal(err)
	}
	if err := n.Notify(context.Background(), emailMessage()); !errs.Is(err, errs.Internal) {
		t.Errorf("e-mail without a notifier: %v", err)
	}
}

func TestRedact(t *testing.T) {
	tests := []struct {
		m    Message
		want string
	}{
		{smsMessage(), "sms to +84•••••5678 (secret text withheld)"},
		{Message{Channel: ChannelSMS, To: "0912345678", Text: "x", Secret: true}, "sms to 0•••••5678 (secret text withheld)"},
		{Message{Channel: ChannelSMS, To: "+84 91 234 5678", Text: "x", Secret: true}, "sms to +84•••••5678 (secret text withheld)"},
		{Message{Channel: ChannelSMS, To: "113", Text: "x", Secret: true}, "sms to ••• (secret text withheld)"},
		{Message{Channel: ChannelSMS, To: "", Text: "x", Secret: true}, "sms to ••• (secret text withheld)"},
		{emailMessage(), "email to n•••@example.vn (secret text withheld)"},
		{Message{Channel: ChannelEmail, To: "Nguyễn An <an@example.vn>", Text: "x", Secret: true}, "email to a•••@example.vn (secret text withheld)"},
		{Message{Channel: ChannelEmail, To: "ấn@example.vn", Text: "x", Secret: true}, "email to ấ•••@example.vn (secret text withheld)"},
		{Message{Channel: ChannelEmail, To: "no-at-sign", Text: "x", Secret: true}, "email to ••• (secret text withheld)"},
		{Message{Channel: ChannelEmail, To: "an@example.vn", Subject: "Thông báo", Text: "Mật khẩu đã đổi"},
			`email to a•••@example.vn subject "Thông báo" text "Mật khẩu đã đổi"`},
	}
	for _, tt := range tests {
		if got := Redact(tt.m); got != tt.want {
			t.Errorf("Redact(%+v) = %q, want %q", tt.m, got, tt.want)
		}
	}
	long := Redact(Message{Channel: ChannelSMS, To: "+84912345678", Text: strings.Repeat("ư", 500)})
	if strings.Count(long, "ư") != 80 {
		t.Errorf("Redact does not truncate: %d runes of text", strings.Count(long, "ư"))
	}
}

// TestNotifiersNeverLogCodes sends secret messages through every
// notifier, successfully and not, and checks that the log never holds the
// code.
func TestNotifiersNeverLogCodes(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	ctx := context.Background()

	smtpSrv := startSMTP(t, &smtpServer{})
	good := &gateway{secret: testWebhookSecret, now: time.Now}
	goodSrv := httptest.NewServer(good)
	t.Cleanup(goodSrv.Close)
	echo := httptest.NewServer(&gateway{secret: testWebhookSecret, now: time.Now, status: http.StatusBadRequest})
	t.Cleanup(echo.Close)

	sends := []struct {
		name string
		n    Notifier
		m    Message
		ok   bool
	}{
		{"smtp", SMTPNotifier{Addr: smtpSrv.addr, From: "no-reply@dancu.example.vn", Log: log}, emailMessage(), true},
		{"smtp refused", SMTPNotifier{Addr: smtpSrv.addr, From: "no-reply@dancu.example.vn", Log: log}, smsMessage(), false},
		{"smtp unreachable", SMTPNotifier{Addr: "127.0.0.1:1", From: "no-reply@dancu.example.vn", Log: log}, emailMessage(), false},
		{"webhook", WebhookNotifier{URL: goodSrv.URL, Secret: testWebhookSecret, Log: log}, smsMessage(), true},
		{"webhook echoing error", WebhookNotifier{URL: echo.URL, Secret: testWebhookSecret, Log: log}, smsMessage(), false},
		{"webhook wrong secret", WebhookNotifier{URL: goodSrv.URL, Secret: []byte("wrong"), Log: log}, smsMessage(), false},
	}
	for _, s := range sends {
		err := s.n.Notify(ctx, s.m)
		if (err == nil) != s.ok {
			t.Errorf("%s: Notify = %v", s.name, err)
		}
		if err != nil && strings.Contains(err.Error(), testCode) {
			t.Errorf("%s: the error %q holds the code", s.name, err)
		}
	}
	out := buf.String()
	if strings.Contains(out, testCode) {
		t.Errorf("the log holds the code:\n%s", out)
	}
	if strings.Count(out, "\n") != len(sends) || !strings.Contains(out, "+84•••••5678") || !strings.Contains(out, "n•••@example.vn") {
		t.Errorf("want one line per message with the masked recipient:\n%s", out)
	}
	if len(smtpSrv.messages()) != 1 || len(good.messages()) != 1 {
		t.Errorf("delivered %d e-mails and %d SMS, want 1 and 1", len(smtpSrv.messages()), len(good.messages()))
	}
}
