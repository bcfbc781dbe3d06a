// Package bus moves the registry's outbox to NATS JetStream and hands
// the stream's messages to the data-sharing gateway's subscriptions: an
// in-process NATS server by default (data under DATA/nats), an external
// cluster with --nats-url.
package bus

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"dancu/internal/events"
)

// Stream is the JetStream stream of dancu's events; Subjects its subjects.
const (
	Stream   = "DANCU"
	Subjects = "dancu.>"
)

// duplicateWindow is how long JetStream remembers a Nats-Msg-Id: a
// message published again within it (a publisher that crashed between
// publishing and marking) is dropped. Consumers de-duplicate by event id
// beyond it.
const duplicateWindow = 10 * time.Minute

// Embedded starts an in-process NATS server with JetStream storing in dir,
// listening on loopback only.
func Embedded(dir string) (*server.Server, error) {
	s, err := server.NewServer(&server.Options{ServerName: "dancu", Host: "127.0.0.1", Port: -1, JetStream: true, StoreDir: dir, NoSigs: true})
	if err != nil {
		return nil, err
	}
	s.Start()
	if !s.ReadyForConnections(10 * time.Second) {
		s.Shutdown()
		return nil, errors.New("bus: the embedded NATS server did not start")
	}
	return s, nil
}

// Connect connects to url and makes sure the stream exists with replicas
// copies (1 for a single server, 3 for a cluster).
func Connect(ctx context.Context, url string, replicas int) (*nats.Conn, jetstream.JetStream, error) {
	nc, err := nats.Connect(url, nats.Name("dancu"), nats.MaxReconnects(-1), nats.ReconnectWait(200*time.Millisecond))
	if err != nil {
		return nil, nil, fmt.Errorf("bus: connecting to %s: %w", url, err)
	}
	js, err := jetstream.New(nc)
	if err != nil {
		nc.Close()
		return nil, nil, err
	}
	if _, err := js.CreateOrUpdateStream(ctx, jetstream.StreamConfig{Name: Stream, Subjects: []string{Subjects}, Storage: jetstream.FileStorage,
		Replicas: max(1, replicas), Duplicates: duplicateWindow, MaxAge: 30 * 24 * time.Hour}); err != nil {
		nc.Close()
		return nil, nil, fmt.Errorf("bus: the %s stream: %w", Stream, err)
	}
	return nc, js, nil
}

// Publish moves the outbox to the stream until ctx ends: every round it
// publishes what is not yet published (with Nats-Msg-Id = event id) and
// marks what JetStream acknowledged. One process publishes at a time.
func Publish(ctx context.Context, js jetstream.JetStream, store events.OutboxStore, every time.Duration, log *slog.Logger) {
	for ctx.Err() == nil {
		n, err := store.PublishPending(ctx, 500, func(msgs []events.Message) ([]string, error) {
			var futures []jetstream.PubAckFuture
			for _, m := range msgs {
				f, err := js.PublishMsgAsync(&nats.Msg{Subject: m.Subject, Data: m.Payload, Header: nats.Header{}}, jetstream.WithMsgID(m.EventID))
				if err != nil {
					return nil, err
				}
				futures = append(futures, f)
			}
			var done []string
			var firstErr error
			for i, f := range futures {
				select {
				case <-f.Ok():
					done = append(done, msgs[i].EventID)
				case err := <-f.Err():
					if firstErr == nil {
						firstErr = err
					}
				case <-time.After(10 * time.Second):
					if firstErr == nil {
						firstErr = errors.New("bus: no acknowledgement in 10 s")
					}
				}
			}
			return done, firstErr
		})
		if err != nil && !errors.Is(err, events.ErrPublisherBusy) && ctx.Err() == nil {
			log.Warn("publishing the outbox", "err", err)
		}
		if n == 500 {
			continue // more waiting
		}
		select {
		case <-ctx.Done():
		case <-time.After(every):
		}
	}
}

// Consume hands every message of the stream to handle, through one
// durable consumer shared by all processes: a message is acknowledged
// once handle returned nil, and redelivered otherwise (handle must be
// idempotent by event id).
func Consume(ctx context.Context, js jetstream.JetStream, durable string, handle func(ctx context.Context, subject string, data []byte) error, log *slog.Logger) error {
	c, err := js.CreateOrUpdateConsumer(ctx, Stream, jetstream.ConsumerConfig{Durable: durable, AckPolicy: jetstream.AckExplicitPolicy,
		AckWait: 5 * time.Second, MaxAckPending: 10_000, DeliverPolicy: jetstream.DeliverAllPolicy})
	if err != nil {
		return err
	}
	for ctx.Err() == nil {
		batch, err := c.Fetch(200, jetstream.FetchMaxWait(time.Second))
		if err != nil {
			if ctx.Err() == nil {
				log.Warn("fetching events", "err", err)
				time.Sleep(200 * time.Millisecond)
			}
			continue
		}
		for m := range batch.Messages() {
			if err := handle(ctx, m.Subject(), m.Data()); err != nil {
				log.Warn("handling an event", "subject", m.Subject(), "err", err)
				m.NakWithDelay(time.Second)
				continue
			}
			m.Ack()
		}
		if err := batch.Error(); err != nil && !errors.Is(err, nats.ErrTimeout) && ctx.Err() == nil {
			log.Warn("fetching events", "err", err)
		}
	}
	return nil
}
