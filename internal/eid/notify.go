package eid

import (
	"context"
	"encoding/json"
	"fmt"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"time"
	"unicode/utf8"

	"dancu/internal/errs"
)

// Channel is how a message reaches a person.
type Channel string

// The channels dancu sends on.
const (
	ChannelSMS   Channel = "sms"
	ChannelEmail Channel = "email"
)

// Message is a one-time code or a security notice for one person.
type Message struct {
	Channel Channel
	// To is an E.164 phone number ("+84912345678") for ChannelSMS, an
	// e-mail address for ChannelEmail.
	To string
	// Subject is the e-mail subject; SMS has none.
	Subject string
	// Text is the body, plain UTF-8. Lines are separated by "\n".
	Text string
	// Secret marks a text that holds a one-time code: it must never be
	// logged, and Redact leaves it out together with the subject.
	Secret bool
}

// Notifier sends messages to people: one-time codes for enrolment and
// recovery, and security notices. It is the seam to the outside parties
// that deliver them (an SMTP relay, an SMS gateway).
//
// Notify returns once the message has been handed to that party, or an
// error when it was not; an error never contains the message's text, so
// callers may log it. Implementations log, if at all, only Redact(m).
// Notify may be called concurrently.
type Notifier interface {
	Notify(ctx context.Context, m Message) error
}

// Channels is a Notifier that sends each message through the notifier of
// its channel, so that e-mail can go to an SMTP relay and SMS to a
// gateway. A message on a channel without a notifier is an error.
type Channels map[Channel]Notifier

// Notify sends m through the notifier of m.Channel.
func (c Channels) Notify(ctx context.Context, m Message) error {
	n, ok := c[m.Channel]
	if !ok || n == nil {
		return errs.E(errs.Internal, "notify-channel", "no notifier for channel %q", m.Channel)
	}
	return n.Notify(ctx, m)
}

// Redact returns what may be logged about m: the channel, the recipient
// masked so that an operator can tell messages apart without the log
// becoming a list of phone numbers ("+84•••••5678", "n•••@example.com"),
// and, unless m is Secret, the subject and the start of the text. The text
// of a Secret message is never included, nor its subject, which some
// templates use for the code too.
func Redact(m Message) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s to %s", m.Channel, maskRecipient(m.Channel, m.To))
	if m.Secret {
		b.WriteString(" (secret text withheld)")
		return b.String()
	}
	if m.Subject != "" {
		fmt.Fprintf(&b, " subject %q", truncate(m.Subject, 80))
	}
	fmt.Fprintf(&b, " text %q", truncate(m.Text, 80))
	return b.String()
}

func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}

// maskRecipient masks an address the way it is masked on the screen that
// says where a code was sent.
func maskRecipient(c Channel, to string) string {
	if c == ChannelEmail || (c != ChannelSMS && strings.Contains(to, "@")) {
		return redactEmail(to)
	}
	return redactPhone(to)
}

// redactPhone keeps the country code or trunk prefix and the last 3 or 4
// digits: "+84912345678" -> "+84•••••5678", "0912345678" -> "0•••••5678".
// The country code is taken as two digits, which is exact for Viet Nam's
// +84 and only approximate for numbers abroad.
func redactPhone(p string) string {
	var digits []byte
	for i := 0; i < len(p); i++ {
		if '0' <= p[i] && p[i] <= '9' {
			digits = append(digits, p[i])
		}
	}
	var head string
	switch {
	case strings.HasPrefix(strings.TrimSpace(p), "+") && len(digits) > 2:
		head, digits = "+"+string(digits[:2]), digits[2:]
	case len(digits) > 0 && digits[0] == '0':
		head, digits = "0", digits[1:]
	}
	tail := 0
	switch {
	case len(digits) >= 8:
		tail = 4
	case len(digits) >= 5:
		tail = 3
	}
	if len(digits) == 0 {
		return head + "•••"
	}
	return head + strings.Repeat("•", len(digits)-tail) + string(digits[len(digits)-tail:])
}

// redactEmail keeps the first character of the local part and the domain:
// "nguyen.an@example.com" -> "n•••@example.com".
func redactEmail(e string) string {
	if a, err := mail.ParseAddress(e); err == nil {
		e = a.Address
	}
	at := strings.LastIndexByte(e, '@')
	if at <= 0 {
		return "•••"
	}
	r, _ := utf8.DecodeRuneInString(e)
	return string(r) + "•••" + e[at:]
}

// DirNotifier writes each message as a JSON file in Dir instead of sending
// it, so that a developer without an SMS gateway or mail relay can read
// the codes there. It is for development only, never for production: the
// files hold one-time codes in clear. Files are created with mode 0600 and
// named by time, so they list in the order sent.
type DirNotifier struct {
	Dir string
	// Now is the clock used in file names; nil means time.Now.
	Now func() time.Time
}

// Notify writes m to a new file in Dir, creating Dir (mode 0700) when it
// does not exist.
func (d DirNotifier) Notify(ctx context.Context, m Message) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	now := time.Now
	if d.Now != nil {
		now = d.Now
	}
	at := now()
	data, err := json.MarshalIndent(struct {
		At      time.Time `json:"at"`
		Channel Channel   `json:"channel"`
		To      string    `json:"to"`
		Subject string    `json:"subject,omitempty"`
		Text    string    `json:"text"`
		Secret  bool      `json:"secret"`
	}{at, m.Channel, m.To, m.Subject, m.Text, m.Secret}, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(d.Dir, 0o700); err != nil {
		return errs.E(errs.Unavailable, "notify-failed", "message directory: %v", err).Wrap(err)
	}
	// Write under a hidden temporary name and rename, so that a developer
	// watching the directory never reads half a file.
	f, err := os.CreateTemp(d.Dir, ".message-*.tmp") // mode 0600
	if err != nil {
		return errs.E(errs.Unavailable, "notify-failed", "message file: %v", err).Wrap(err)
	}
	tmp := f.Name()
	_, werr := f.Write(append(data, '\n'))
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	if werr != nil {
		os.Remove(tmp)
		return errs.E(errs.Unavailable, "notify-failed", "writing message file: %v", werr).Wrap(werr)
	}
	unique := strings.TrimSuffix(strings.TrimPrefix(filepath.Base(tmp), ".message-"), ".tmp")
	channel := "other" // never a caller's string in a path
	if m.Channel == ChannelSMS || m.Channel == ChannelEmail {
		channel = string(m.Channel)
	}
	name := filepath.Join(d.Dir, at.UTC().Format("20060102T150405.000000000Z")+"-"+channel+"-"+unique+".json")
	if err := os.Rename(tmp, name); err != nil {
		os.Remove(tmp)
		return errs.E(errs.Unavailable, "notify-failed", "naming message file: %v", err).Wrap(err)
	}
	return nil
}
