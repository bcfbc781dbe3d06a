package eid

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/smtp"
	"strings"
	"time"

	"dancu/internal/errs"
)

// SMTPNotifier sends e-mail through an SMTP relay (submission, RFC 6409).
// It sends Channel "email" only.
//
// STARTTLS is used whenever the relay offers it, with the certificate
// verified against TLSConfig (or the system roots); StartTLS makes it
// mandatory, so that a relay that stops offering it, or an attacker who
// strips the offer, stops the mail instead of exposing it. Credentials are
// never sent over an unencrypted connection except to a relay on the same
// machine (localhost, a loopback address), whatever StartTLS says.
// Implicit TLS (port 465) is not supported.
type SMTPNotifier struct {
	// Addr is the relay's host:port, such as "smtp.example.vn:587".
	Addr string
	// From is the sender, an address with an optional display name:
	// "Định danh điện tử <no-reply@example.vn>".
	From string
	// Username and Password authenticate with AUTH PLAIN; no AUTH when
	// Username is empty.
	Username, Password string
	// StartTLS requires STARTTLS when true.
	StartTLS bool
	// TLSConfig configures STARTTLS; nil means the defaults with the host
	// of Addr as the server name. A relay with a private certificate
	// authority needs its RootCAs here.
	TLSConfig *tls.Config
	// Timeout bounds one whole delivery; zero means 30 seconds.
	Timeout time.Duration
	// Log, when set, receives one line per message: Redact(m) and, on
	// failure, the error.
	Log *slog.Logger
	// Hello is the name given in EHLO; empty means "localhost".
	Hello string
	// Now and Rand make the Date and Message-ID headers; nil means
	// time.Now and crypto/rand.
	Now  func() time.Time
	Rand io.Reader

	// dial replaces the network dial in tests, so that a relay named
	// "smtp.example.vn" can be played by a listener on 127.0.0.1.
	dial func(ctx context.Context, addr string) (net.Conn, error)
}

// Notify delivers m, an e-mail, to the relay.
func (n SMTPNotifier) Notify(ctx context.Context, m Message) error {
	err := n.send(ctx, m)
	logNotify(ctx, n.Log, "smtp", m, err)
	return err
}

// logNotify writes the one log line of a delivery, with nothing of m but
// Redact(m).
func logNotify(ctx context.Context, log *slog.Logger, via string, m Message, err error) {
	if log == nil {
		return
	}
	if err != nil {
		log.WarnContext(ctx, "notification not sent", "via", via, "message", Redact(m), "err", err)
		return
	}
	log.InfoContext(ctx, "notification sent", "via", via, "message", Redact(m))
}

func (n SMTPNotifier) send(ctx context.Context, m Message) error {
	if m.Channel != ChannelEmail {
		return errs.E(errs.Internal, "notify-channel", "SMTP sends e-mail, not %q", m.Channel)
	}
	from, err := parseAddress(n.From)
	if err != nil {
		return errs.E(errs.Internal, "notify-config", "SMTP sender %q: %v", n.From, err)
	}
	to, err := parseAddress(m.To)
	if err != nil {
		return errs.E(errs.Invalid, "notify-recipient", "the e-mail address is not valid")
	}
	host, _, err := net.SplitHostPort(n.Addr)
	if err != nil {
		return errs.E(errs.Internal, "notify-config", "SMTP address %q: %v", n.Addr, err)
	}
	msg, err := n.compose(from, to, m)
	if err != nil {
		return err
	}

	timeout := n.Timeout
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	fail := func(step string, err error) error {
		return errs.E(errs.Unavailable, "notify-failed", "SMTP %s: %s: %v", n.Addr, step, err).Wrap(err)
	}
	dial := n.dial
	if dial == nil {
		var d net.Dialer
		dial = func(ctx context.Context, addr string) (net.Conn, error) { return d.DialContext(ctx, "tcp", addr) }
	}
	conn, err := dial(ctx, n.Addr)
	if err != nil {
		return fail("connect", err)
	}
	// net/smtp knows no context: the deadline bounds every read and write,
	// and cancelling ctx expires it at once.
	deadline, _ := ctx.Deadline()
	conn.SetDeadline(deadline)
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()

	c, err := smtp.NewClient(conn, host)
	if err != nil {
		conn.Close()
		return fail("greeting", err)
	}
	defer c.Close()
	hello := n.Hello
	if hello == "" {
		hello = "localhost"
	}
	if err := c.Hello(hello); err != nil {
		return fail("EHLO", err)
	}
	encrypted := false
	if ok, _ := c.Extension("STARTTLS"); ok {
		cfg := &tls.Config{}
		if n.TLSConfig != nil {
			cfg = n.TLSConfig.Clone()
		}
		if cfg.ServerName == "" {
			cfg.ServerName = host
		}
		if err := c.StartTLS(cfg); err != nil {
			return fail("STARTTLS", err)
		}
		encrypted = true
	} else if n.StartTLS {
		return fail("STARTTLS", fmt.Errorf("the server does not offer STARTTLS"))
	}
	if n.Username != "" {
		if !authAllowed(encrypted, host) {
			return errs.E(errs.Internal, "notify-config",
				"SMTP %s: refusing to send credentials over an unencrypted connection; the relay must offer STARTTLS", n.Addr)
		}
		if ok, _ := c.Extension("AUTH"); !ok {
			return fail("AUTH", fmt.Errorf("the server does not offer AUTH"))
		}
		if err := c.Auth(smtp.PlainAuth("", n.Username, n.Password, host)); err != nil {
			return fail("AUTH", err)
		}
	}
	if err := c.Mail(from.Address); err != nil {
		return fail("MAIL FROM", err)
	}
	if err := c.Rcpt(to.Address); err != nil {
		return fail("RCPT TO", err)
	}
	w, err := c.Data()
	if err != nil {
		return fail("DATA", err)
	}
	if _, err := w.Write(msg); err != nil {
		return fail("DATA", err)
	}
	if err := w.Close(); err != nil {
		return fail("DATA", err)
	}
	// The relay has accepted the message; a failed QUIT loses nothing.
	c.Quit()
	return nil
}

// authAllowed reports whether credentials may be sent to host: over an
// encrypted connection, or in clear only to the same machine, where no one
// can listen on the wire. It does not resolve host: "localhost" is trusted
// by name, anything else only as a loopback IP literal.
func authAllowed(encrypted bool, host string) bool {
	return encrypted || isLoopbackHost(host)
}

// parseAddress parses one address, refusing line breaks outright: an
// address is copied into headers and SMTP commands, where a CR or LF would
// let it add lines of its own.
func parseAddress(s string) (*mail.Address, error) {
	if strings.ContainsAny(s, "\r\n") {
		return nil, fmt.Errorf("line break in address")
	}
	return mail.ParseAddress(s)
}

// compose writes m as an RFC 5322 message: UTF-8 text in quoted-printable
// (Vietnamese is mostly ASCII letters with marks, so it stays readable and
// short), the subject as RFC 2047 encoded words, and Auto-Submitted so that
// vacation responders stay quiet (RFC 3834).
func (n SMTPNotifier) compose(from, to *mail.Address, m Message) ([]byte, error) {
	now := time.Now
	if n.Now != nil {
		now = n.Now
	}
	random := n.Rand
	if random == nil {
		random = rand.Reader
	}
	id := make([]byte, 16)
	if _, err := io.ReadFull(random, id); err != nil {
		return nil, errs.E(errs.Internal, "notify-failed", "Message-ID: %v", err).Wrap(err)
	}
	domain := from.Address[strings.LastIndexByte(from.Address, '@')+1:]

	var b bytes.Buffer
	header := func(k, v string) { b.WriteString(k + ": " + v + "\r\n") }
	header("Date", now().Format(time.RFC1123Z))
	header("Message-ID", "<"+hex.EncodeToString(id)+"@"+domain+">")
	header("From", from.String())
	header("To", to.String())
	if m.Subject != "" {
		// QEncoding also encodes any control character, so a subject
		// cannot inject a header either.
		header("Subject", mime.QEncoding.Encode("utf-8", m.Subject))
	}
	header("MIME-Version", "1.0")
	header("Content-Type", "text/plain; charset=utf-8")
	header("Content-Transfer-Encoding", "quoted-printable")
	header("Auto-Submitted", "auto-generated")
	b.WriteString("\r\n")
	qp := quotedprintable.NewWriter(&b)
	text := strings.ReplaceAll(m.Text, "\r\n", "\n")
	if !strings.HasSuffix(text, "\n") {
		text += "\n"
	}
	// The writer turns each "\n" into CRLF.
	if _, err := qp.Write([]byte(text)); err != nil {
		return nil, err
	}
	if err := qp.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
