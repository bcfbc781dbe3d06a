// Package events holds the transactional outbox: every change to the
// registry writes a Message in the same transaction as the change, so that
// a crash between commit and publication loses nothing. A publisher moves
// unpublished messages to NATS JetStream (subject = Message.Subject,
// Nats-Msg-Id = Message.EventID) and marks them published; consumers
// de-duplicate by event id.
//
// Messages carry identifiers (the person's number) and dates, no other
// personal data: a subscriber fetches what its grant allows through the
// data-sharing gateway. internal/bus is the publisher.
package events

import (
	"context"
	"errors"
	"time"
)

// Message is one outbox row.
type Message struct {
	// EventID is the id of the registry event; it is unique.
	EventID string
	// Subject is "dancu.<capability>.<event type>".
	Subject   string
	Payload   []byte
	CreatedAt time.Time
}

// Subject returns the NATS subject for a capability's event type.
func Subject(capability, eventType string) string {
	return "dancu." + capability + "." + eventType
}

// OutboxStore is what the publisher needs of the database.
type OutboxStore interface {
	// PublishPending calls publish with up to limit messages not yet
	// published, oldest first, while holding the publisher's lock, and
	// marks those whose event ids publish returns as published, in the
	// same transaction. It returns how many were marked; ErrPublisherBusy
	// when another process holds the lock.
	PublishPending(ctx context.Context, limit int, publish func([]Message) ([]string, error)) (int, error)
}

// ErrPublisherBusy says another process is publishing the outbox.
var ErrPublisherBusy = errors.New("events: another process is publishing")
