package bus_test

import (
	"context"
	"crypto/rand"
	"fmt"
	"log/slog"
	"net"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"

	"dancu/internal/actor"
	"dancu/internal/bus"
	"dancu/internal/exchange"
	"dancu/internal/exchange/exchangetest"
	"dancu/internal/keys"
	"dancu/internal/place"
	"dancu/internal/registry"
	"dancu/internal/store/sqlite"
)

// cluster is three in-process NATS servers with JetStream, routed to
// each other on loopback.
type cluster struct {
	t     *testing.T
	opts  []*server.Options
	nodes []*server.Server
}

func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

func startCluster(t *testing.T, n int) *cluster {
	t.Helper()
	c := &cluster{t: t}
	var routes []string
	clusterPorts := make([]int, n)
	for i := range n {
		clusterPorts[i] = freePort(t)
		routes = append(routes, fmt.Sprintf("nats://127.0.0.1:%d", clusterPorts[i]))
	}
	for i := range n {
		c.opts = append(c.opts, &server.Options{ServerName: fmt.Sprintf("n%d", i+1), Host: "127.0.0.1", Port: freePort(t),
			JetStream: true, StoreDir: filepath.Join(t.TempDir(), fmt.Sprint(i)), NoSigs: true,
			Cluster: server.ClusterOpts{Name: "dancu", Host: "127.0.0.1", Port: clusterPorts[i]},
			Routes:  server.RoutesFromStr(strings.Join(routes, ","))})
		c.nodes = append(c.nodes, nil)
	}
	for i := range n {
		c.start(i)
	}
	t.Cleanup(func() {
		for _, s := range c.nodes {
			if s != nil {
				s.Shutdown()
			}
		}
	})
	return c
}

func (c *cluster) start(i int) {
	c.t.Helper()
	s, err := server.NewServer(c.opts[i])
	if err != nil {
		c.t.Fatal(err)
	}
	s.Start()
	if !s.ReadyForConnections(20 * time.Second) {
		c.t.Fatalf("node %d did not start", i+1)
	}
	c.nodes[i] = s
}

func (c *cluster) stop(i int) {
	c.nodes[i].Shutdown()
	c.nodes[i].WaitForShutdown()
	c.nodes[i] = nil
}

func (c *cluster) urls() string {
	var us []string
	for _, o := range c.opts {
		us = append(us, fmt.Sprintf("nats://127.0.0.1:%d", o.Port))
	}
	return strings.Join(us, ",")
}

// TestClusterNodeRestart: the registry's events go from the outbox
// through a three-node JetStream cluster (the stream kept on all three)
// to the subscriptions' deliveries while one node is stopped and started
// again: every event ends as exactly one delivery — nothing lost, nothing
// doubled.
func TestClusterNodeRestart(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	db, _, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "dancu.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	reg := registry.NewService(db.Registry(), place.Default(), time.Now, rand.Reader)
	svc := &exchange.Service{Store: db.Exchange(), Registry: reg, AllowPrivateTargets: true,
		Sealer: keys.Must(keys.NewMaster([]byte("cluster-test-master-key-cluster-test!"))).Sealer("webhook")}
	if _, _, err := exchangetest.Onboard(ctx, svc, time.Now(), "Sở Y tế Hà Nội", exchange.MemberProvince, "client-yte", "tiêm chủng trẻ sơ sinh",
		[]exchange.Operation{exchange.OpSubscribe}, []string{"pid"}, false); err != nil {
		t.Fatal(err)
	}
	// Every birth in Hà Nội.
	if _, _, err := svc.CreateSubscription(ctx, exchange.Caller{ClientID: "client-yte"}, "tiêm chủng trẻ sơ sinh",
		exchange.SubscriptionRequest{EventTypes: []string{"birth"}, Unit: "01", URL: "http://127.0.0.1:9/never"}); err != nil {
		t.Fatal(err)
	}

	c := startCluster(t, 3)
	log := slog.New(slog.DiscardHandler)
	var nc interface{ Close() }
	deadline := time.Now().Add(30 * time.Second)
	for {
		conn, js, err := bus.Connect(ctx, c.urls(), 3)
		if err == nil {
			nc = conn
			var wg sync.WaitGroup
			wg.Go(func() { bus.Publish(ctx, js, db, 50*time.Millisecond, log) })
			wg.Go(func() { bus.Consume(ctx, js, "subscriptions", svc.HandleEvent, log) })
			defer wg.Wait()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the cluster did not take the stream: %v", err)
		}
		time.Sleep(200 * time.Millisecond) // JetStream elects its meta leader
	}
	defer nc.Close()
	defer cancel()

	officer := actor.Actor{Kind: actor.KindOfficer, ID: "o", Unit: actor.NationalUnit, Scope: actor.ScopeNational, Role: actor.RoleRegistry}
	const births = 300
	for i := range births {
		switch i {
		case 100:
			c.stop(1)
		case 200:
			c.start(1)
		}
		_, err := reg.RegisterBirth(ctx, officer, registry.BirthRequest{FullName: "Phùng Thị Hoa", BirthDate: fmt.Sprintf("2026-%02d-%02d", 1+i%11, 1+i%28),
			Sex: "female", BirthPlace: "00004", RegistrationPlace: "00004"}, registry.WriteOptions{})
		if err != nil {
			t.Fatal(err)
		}
		time.Sleep(5 * time.Millisecond)
	}
	deadline = time.Now().Add(60 * time.Second)
	for {
		var deliveries, distinct, unpublished int
		db.Read.QueryRow(`SELECT count(*), count(DISTINCT event_id) FROM exchange_deliveries`).Scan(&deliveries, &distinct)
		db.Read.QueryRow(`SELECT count(*) FROM outbox WHERE published_at IS NULL`).Scan(&unpublished)
		if deliveries == births && distinct == births && unpublished == 0 {
			return
		}
		if deliveries > births || time.Now().After(deadline) {
			t.Fatalf("%d deliveries (%d distinct events) of %d births; %d events not published", deliveries, distinct, births, unpublished)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
