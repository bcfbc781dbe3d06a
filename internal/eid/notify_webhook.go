package eid

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"dancu/internal/errs"
)

// WebhookNotifier hands messages to an SMS gateway (or any other delivery
// service) by an HTTP POST of
//
//	{"to": "+84912345678", "channel": "sms", "text": "...", "subject": "..."}
//
// signed as Standard Webhooks (https://www.standardwebhooks.com) sign: the
// headers webhook-id, webhook-timestamp and webhook-signature, the last
// "v1," followed by the base64 HMAC-SHA256, keyed with Secret, of
// "<id>.<timestamp>.<body>". The gateway checks the signature and the
// timestamp, so that no one else can send SMS at our expense and a
// captured request cannot be replayed later. Any status but 2xx is a
// failure; redirects are not followed.
//
// The URL must be https, except to a loopback address for a gateway on
// the same machine: the body holds one-time codes.
type WebhookNotifier struct {
	URL string
	// Secret is the raw HMAC key. A Standard Webhooks secret written as
	// "whsec_<base64>" is the base64-decoded part.
	Secret []byte
	// Client sends the request; nil means a client with a 10-second
	// timeout that does not follow redirects. Whatever the client, a
	// context without a deadline gets one of 10 seconds.
	Client *http.Client
	// Log, when set, receives one line per message: Redact(m) and, on
	// failure, the error.
	Log *slog.Logger
	// Now and Rand make the timestamp and the message id; nil means
	// time.Now and crypto/rand.
	Now  func() time.Time
	Rand io.Reader
}

const webhookTimeout = 10 * time.Second

var webhookClient = &http.Client{
	Timeout: webhookTimeout,
	// A redirect would resend the codes somewhere the URL does not name;
	// a 3xx is reported as a failure instead.
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

// Notify posts m to the gateway.
func (n WebhookNotifier) Notify(ctx context.Context, m Message) error {
	err := n.send(ctx, m)
	logNotify(ctx, n.Log, "webhook", m, err)
	return err
}

func (n WebhookNotifier) send(ctx context.Context, m Message) error {
	u, err := url.Parse(n.URL)
	if err != nil || !(u.Scheme == "https" || u.Scheme == "http" && isLoopbackHost(u.Hostname())) {
		// The URL may hold a token: say what is wrong without repeating it.
		return errs.E(errs.Internal, "notify-config", "webhook URL must be https (or http to a loopback address)")
	}
	if len(n.Secret) == 0 {
		return errs.E(errs.Internal, "notify-config", "webhook secret is empty")
	}
	if m.Channel == "" || m.To == "" {
		return errs.E(errs.Internal, "notify-channel", "webhook message needs a channel and a recipient")
	}
	body, err := json.Marshal(struct {
		To      string  `json:"to"`
		Channel Channel `json:"channel"`
		Text    string  `json:"text"`
		Subject string  `json:"subject,omitempty"`
	}{m.To, m.Channel, m.Text, m.Subject})
	if err != nil {
		return err
	}
	now := time.Now
	if n.Now != nil {
		now = n.Now
	}
	random := n.Rand
	if random == nil {
		random = rand.Reader
	}
	raw := make([]byte, 16)
	if _, err := io.ReadFull(random, raw); err != nil {
		return errs.E(errs.Internal, "notify-failed", "webhook id: %v", err).Wrap(err)
	}
	id := "msg_" + hex.EncodeToString(raw)
	ts := strconv.FormatInt(now().Unix(), 10)

	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, webhookTimeout)
		defer cancel()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, n.URL, bytes.NewReader(body))
	if err != nil {
		return errs.E(errs.Internal, "notify-config", "webhook request: %v", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "dancu")
	req.Header.Set("webhook-id", id)
	req.Header.Set("webhook-timestamp", ts)
	req.Header.Set("webhook-signature", "v1,"+webhookSignature(n.Secret, id, ts, body))

	client := n.Client
	if client == nil {
		client = webhookClient
	}
	resp, err := client.Do(req)
	if err != nil {
		// *url.Error repeats the URL, which may carry a token; keep the
		// cause only.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return errs.E(errs.Unavailable, "notify-failed", "webhook POST: %v", err).Wrap(err)
	}
	// Drain a little so the connection can be reused, but never read the
	// body into an error: a gateway may echo the text back.
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return errs.E(errs.Unavailable, "notify-failed", "webhook answered %s", resp.Status)
	}
	return nil
}

// webhookSignature is the Standard Webhooks v1 signature of one request.
func webhookSignature(secret []byte, id, timestamp string, body []byte) string {
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(id + "." + timestamp + "."))
	mac.Write(body)
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// isLoopbackHost reports whether host is "localhost" or a loopback IP
// literal. Names are not resolved: what a name resolves to can change.
func isLoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
