package exchange

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"dancu/internal/errs"
	"dancu/internal/registry"
)

// Change subscriptions: a member's system subscribes to event types
// (death, residence changes, name changes, ...) for the people it holds —
// a watch list of their numbers, kept in the database, never as NATS
// subjects — or for a region. The one durable consumer of the event
// stream matches each event against the subscriptions and writes a
// delivery row per subscription (once per event, whatever redeliveries
// happen); deliverers send the rows as webhooks signed the Standard
// Webhooks way, retry with back-off, and give up after maxAttempts into
// the dead-letter list, from which (or from any point in time) a system
// can replay.

// Subscription is a system's standing request for changes.
type Subscription struct {
	ID         string
	MemberID   string
	SystemID   string
	Purpose    string
	LegalBasis string
	EventTypes []string
	// Unit, when set, subscribes to everyone attached to the commune or
	// province; otherwise to the watch list.
	Unit string
	URL  string
	// SealedSecret is the webhook signing secret, sealed with the master
	// key (it must be readable to sign).
	SealedSecret []byte
	CreatedAt    time.Time
	Active       bool
}

// Delivery is one event for one subscription.
type Delivery struct {
	ID             int64
	SubscriptionID string
	EventID        string
	Type           string
	PersonKey      int64
	Payload        []byte
	Status         string // pending, delivered, dead
	Attempts       int
	NextAt         time.Time
	LastError      string
	CreatedAt      time.Time
	DeliveredAt    time.Time
}

// SubscriptionTx is the store's part for subscriptions.
type SubscriptionTx interface {
	CreateSubscription(ctx context.Context, s *Subscription) error
	Subscription(ctx context.Context, id string) (*Subscription, error)
	AddWatch(ctx context.Context, subscriptionID string, persons []int64) error
	// MatchSubscriptions returns the active subscriptions to typ that
	// watch person or cover one of units.
	MatchSubscriptions(ctx context.Context, person int64, units []string, typ string) ([]*Subscription, error)
	// AddDelivery records a delivery unless the subscription already has
	// one for the event.
	AddDelivery(ctx context.Context, d *Delivery) error
	DueDeliveries(ctx context.Context, now time.Time, limit int) ([]*Delivery, error)
	// ClaimDelivery moves a pending delivery's next_at from was to until,
	// and reports whether it did: of several processes seeing the same due
	// delivery, one sends it.
	ClaimDelivery(ctx context.Context, id int64, was, until time.Time) (bool, error)
	UpdateDelivery(ctx context.Context, d *Delivery) error
	Deliveries(ctx context.Context, subscriptionID, status string, limit int) ([]*Delivery, error)
	// ReplayDeliveries makes the subscription's deliveries created at or
	// after since pending again, due at now.
	ReplayDeliveries(ctx context.Context, subscriptionID string, since, now time.Time) (int, error)
}

// Sealer encrypts secrets the database keeps (keys.AEAD).
type Sealer interface {
	Seal(plaintext, additional []byte) ([]byte, error)
	Open(ciphertext, additional []byte) ([]byte, error)
}

// EventTypes a subscription may name: the registry's events that change
// what members hold.
var EventTypes = []string{"birth", "death", "missing", "permanent_residence", "temporary_residence", "current_residence",
	"temporary_absence", "marriage", "divorce", "name_change", "correction", "merge", "merged_into", "unmerge", "phone_number", "legacy_id"}

// claimFor is how long a process that took a delivery has to send it
// before another may (a process that died mid-send).
const claimFor = time.Minute

// maxAttempts is how many times a delivery is tried before it goes to the
// dead-letter list.
const maxAttempts = 10

func (s *Service) subTx(tx Tx) SubscriptionTx { return tx.(SubscriptionTx) }

// SubscriptionRequest is what a system subscribes to.
type SubscriptionRequest struct {
	EventTypes []string
	Unit       string
	URL        string
}

// CreateSubscription subscribes the caller's system and returns the
// webhook secret (whsec_…), shown once.
func (s *Service) CreateSubscription(ctx context.Context, c Caller, purpose string, req SubscriptionRequest) (*Subscription, string, error) {
	au, err := s.authorise(ctx, c, Request{Operation: OpSubscribe, Purpose: purpose, Fields: []string{FieldPID}})
	if err != nil {
		return nil, "", err
	}
	var fs errs.Fields
	if len(req.EventTypes) == 0 {
		fs.Add("event_types", "required", "name the event types, out of %v", EventTypes)
	}
	for _, t := range req.EventTypes {
		if !slices.Contains(EventTypes, t) {
			fs.Add("event_types", "unknown", "%q is not an event type; they are %v", t, EventTypes)
		}
	}
	if err := s.checkTarget(req.URL); err != nil {
		fs.Add("url", "not_allowed", "%v", err)
	}
	if err := fs.Err(); err != nil {
		return nil, "", err
	}
	if s.Sealer == nil {
		return nil, "", errs.E(errs.Unavailable, "unavailable", "webhooks are not configured on this server")
	}
	secret := make([]byte, 32)
	rand.Read(secret)
	sub := &Subscription{ID: newID("w-"), MemberID: au.system.MemberID, SystemID: au.system.ID, Purpose: au.grant.Purpose, LegalBasis: au.grant.LegalBasis,
		EventTypes: slices.Sorted(slices.Values(req.EventTypes)), Unit: req.Unit, URL: req.URL, CreatedAt: s.now(), Active: true}
	if sub.SealedSecret, err = s.Sealer.Seal(secret, []byte(sub.ID)); err != nil {
		return nil, "", err
	}
	if err := s.Store.Update(ctx, func(tx Tx) error { return s.subTx(tx).CreateSubscription(ctx, sub) }); err != nil {
		return nil, "", err
	}
	return sub, "whsec_" + base64.StdEncoding.EncodeToString(secret), nil
}

// ownSubscription returns a subscription of the caller's system.
func (s *Service) ownSubscription(ctx context.Context, c Caller, id string) (*Subscription, error) {
	sys, err := s.system(ctx, c.ClientID, s.now())
	if err != nil {
		return nil, err
	}
	var sub *Subscription
	err = s.Store.View(ctx, func(tx Tx) error {
		var err error
		sub, err = s.subTx(tx).Subscription(ctx, id)
		return err
	})
	if err != nil {
		return nil, err
	}
	if sub.SystemID != sys.ID {
		return nil, errs.E(errs.NotFound, "not-found", "no subscription %s of this system", id)
	}
	return sub, nil
}

// Watch adds people, by number, to a subscription's watch list; it
// returns how many were added and the numbers no one has.
func (s *Service) Watch(ctx context.Context, c Caller, id string, numbers []string) (int, []string, error) {
	sub, err := s.ownSubscription(ctx, c, id)
	if err != nil {
		return 0, nil, err
	}
	if len(numbers) > 100_000 {
		return 0, nil, errs.InvalidField("numbers", "too-many", "send at most 100,000 numbers a request")
	}
	keys, unknown, err := s.Registry.Keys(ctx, numbers)
	if err != nil {
		return 0, nil, err
	}
	persons := make([]int64, 0, len(keys))
	for _, k := range keys {
		persons = append(persons, int64(k))
	}
	err = s.Store.Update(ctx, func(tx Tx) error { return s.subTx(tx).AddWatch(ctx, sub.ID, persons) })
	return len(persons), unknown, err
}

// eventPayload is what the outbox says of an event.
type eventPayload struct {
	EventID   string `json:"event_id"`
	Type      string `json:"type"`
	PID       string `json:"pid"`
	Effective string `json:"effective_date"`
	Recorded  string `json:"recorded_at"`
}

// HandleEvent matches a registry event from the stream against the
// subscriptions and records their deliveries; running it twice for one
// event records nothing more.
func (s *Service) HandleEvent(ctx context.Context, subject string, data []byte) error {
	var ev eventPayload
	if err := json.Unmarshal(data, &ev); err != nil || ev.EventID == "" {
		return nil // not a registry event: nothing to deliver
	}
	if ev.Type == "" {
		ev.Type = strings.TrimPrefix(subject, "dancu.registry.")
	}
	key, units, err := s.Registry.Locate(ctx, ev.PID)
	if errs.Is(err, errs.NotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	return s.Store.Update(ctx, func(tx Tx) error {
		st := s.subTx(tx)
		subs, err := st.MatchSubscriptions(ctx, int64(key), units, ev.Type)
		if err != nil {
			return err
		}
		now := s.now()
		for _, sub := range subs {
			payload, _ := json.Marshal(map[string]any{"type": "registry." + ev.Type, "timestamp": now.UTC().Format(time.RFC3339),
				"data": map[string]any{"event_id": ev.EventID, "event_type": ev.Type, "pid": ev.PID, "effective_date": ev.Effective, "recorded_at": ev.Recorded, "subscription": sub.ID}})
			if err := st.AddDelivery(ctx, &Delivery{SubscriptionID: sub.ID, EventID: ev.EventID, Type: ev.Type, PersonKey: int64(key),
				Payload: payload, Status: "pending", NextAt: now, CreatedAt: now}); err != nil {
				return err
			}
		}
		return nil
	})
}

// Deliver sends due deliveries until ctx ends.
func (s *Service) Deliver(ctx context.Context, every time.Duration, onError func(error)) {
	client := s.webhookClient()
	for ctx.Err() == nil {
		var due []*Delivery
		err := s.Store.View(ctx, func(tx Tx) error {
			var err error
			due, err = s.subTx(tx).DueDeliveries(ctx, s.now(), 100)
			return err
		})
		if err != nil && onError != nil && ctx.Err() == nil {
			onError(err)
		}
		for _, d := range due {
			var mine bool
			if err := s.Store.Update(ctx, func(tx Tx) error {
				var err error
				mine, err = s.subTx(tx).ClaimDelivery(ctx, d.ID, d.NextAt, s.now().Add(claimFor))
				return err
			}); err != nil || !mine {
				continue
			}
			if err := s.deliver(ctx, client, d); err != nil && onError != nil && ctx.Err() == nil {
				onError(err)
			}
		}
		if len(due) < 100 {
			select {
			case <-ctx.Done():
			case <-time.After(every):
			}
		}
	}
}

// deliver logs the read, sends one delivery and records the outcome.
func (s *Service) deliver(ctx context.Context, client *http.Client, d *Delivery) error {
	var sub *Subscription
	if err := s.Store.View(ctx, func(tx Tx) error {
		var err error
		sub, err = s.subTx(tx).Subscription(ctx, d.SubscriptionID)
		return err
	}); err != nil {
		return err
	}
	secret, err := s.Sealer.Open(sub.SealedSecret, []byte(sub.ID))
	if err != nil {
		return err
	}
	// No log, no data: the person's number leaves in the webhook.
	a := s.systemActor(sub.SystemID, sub.MemberID, sub.Purpose, sub.LegalBasis, 0, "delivery:"+strconv.FormatInt(d.ID, 10))
	if err := s.Registry.LogReads(ctx, a, []registry.PersonKey{registry.PersonKey(d.PersonKey)}, []string{"pid", "event:" + d.Type}); err != nil {
		return err
	}
	sendErr := s.post(ctx, client, sub.URL, secret, fmt.Sprintf("%s-%d", sub.ID, d.ID), d.Payload)
	now := s.now()
	d.Attempts++
	if sendErr == nil {
		d.Status, d.DeliveredAt, d.LastError = "delivered", now, ""
	} else {
		d.LastError = sendErr.Error()
		if d.Attempts >= maxAttempts {
			d.Status = "dead"
		} else {
			d.NextAt = now.Add(backoff(d.Attempts))
		}
	}
	return s.Store.Update(ctx, func(tx Tx) error { return s.subTx(tx).UpdateDelivery(ctx, d) })
}

// backoff is the wait before attempt n+1: 1 s doubling, capped at an hour.
func backoff(n int) time.Duration {
	return min(time.Hour, time.Second<<min(n-1, 12))
}

// post sends a webhook signed as Standard Webhooks specifies: the
// signature covers the message id, the timestamp and the body, so a
// receiver rejects forgeries and, by the timestamp, replays.
func (s *Service) post(ctx context.Context, client *http.Client, target string, secret []byte, id string, body []byte) error {
	ts := strconv.FormatInt(s.now().Unix(), 10)
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(id + "." + ts + "."))
	mac.Write(body)
	req, err := http.NewRequestWithContext(ctx, "POST", target, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("webhook-id", id)
	req.Header.Set("webhook-timestamp", ts)
	req.Header.Set("webhook-signature", "v1,"+base64.StdEncoding.EncodeToString(mac.Sum(nil)))
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode >= 300 {
		return fmt.Errorf("the receiver answered %s", resp.Status)
	}
	return nil
}

// Replay makes a subscription's deliveries since a point in time pending
// again (the dead-letter list included).
func (s *Service) Replay(ctx context.Context, c Caller, id string, since time.Time) (int, error) {
	sub, err := s.ownSubscription(ctx, c, id)
	if err != nil {
		return 0, err
	}
	var n int
	err = s.Store.Update(ctx, func(tx Tx) error {
		var err error
		n, err = s.subTx(tx).ReplayDeliveries(ctx, sub.ID, since, s.now())
		return err
	})
	return n, err
}

// DeliveriesOf lists a subscription's deliveries of a status ("" for
// all), newest first.
func (s *Service) DeliveriesOf(ctx context.Context, c Caller, id, status string) ([]*Delivery, error) {
	sub, err := s.ownSubscription(ctx, c, id)
	if err != nil {
		return nil, err
	}
	var out []*Delivery
	err = s.Store.View(ctx, func(tx Tx) error {
		var err error
		out, err = s.subTx(tx).Deliveries(ctx, sub.ID, status, 200)
		return err
	})
	return out, err
}

// checkTarget refuses webhook targets that are not http(s) URLs, and —
// unless the operator allows them — hosts on loopback, private,
// link-local or otherwise internal addresses: a subscription must not turn
// dancu into a client of its own network.
func (s *Service) checkTarget(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return errors.New("url is an http or https URL")
	}
	if s.AllowPrivateTargets {
		return nil
	}
	ips, err := net.LookupIP(u.Hostname())
	if err != nil {
		return fmt.Errorf("the host %s does not resolve", u.Hostname())
	}
	for _, ip := range ips {
		if internal(ip) {
			return fmt.Errorf("the host %s is on an internal address (%s); webhooks go to public addresses", u.Hostname(), ip)
		}
	}
	return nil
}

func internal(ip net.IP) bool {
	return ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() || ip.IsUnspecified() || ip.IsMulticast() || ip.IsInterfaceLocalMulticast()
}

// webhookClient checks the address again when it connects, so a host
// that resolved to a public address at subscription and to an internal
// one later (DNS rebinding) is refused.
func (s *Service) webhookClient() *http.Client {
	dialer := &net.Dialer{Timeout: 10 * time.Second, Control: func(_, address string, _ syscall.RawConn) error {
		if s.AllowPrivateTargets {
			return nil
		}
		host, _, err := net.SplitHostPort(address)
		if err != nil {
			return err
		}
		if ip := net.ParseIP(host); ip == nil || internal(ip) {
			return fmt.Errorf("refusing to connect to the internal address %s", host)
		}
		return nil
	}}
	return &http.Client{Timeout: 15 * time.Second, Transport: &http.Transport{DialContext: dialer.DialContext, Proxy: nil, MaxIdleConnsPerHost: 4},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}
