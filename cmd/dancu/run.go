package main

import (
	"context"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"dancu/internal/accesslog"
	"dancu/internal/actor"
	"dancu/internal/api"
	"dancu/internal/batchfs"
	"dancu/internal/bus"
	"dancu/internal/errs"
	"dancu/internal/exchange"
	"dancu/internal/keys"
	"dancu/internal/officer"
	"dancu/internal/place"
	"dancu/internal/quality"
	"dancu/internal/store/postgres"
	"dancu/internal/store/sqlite"
	"dancu/internal/store/sqlstore"
)

const usage = `dancu — national population registry

Usage:
  dancu serve   [--addr HOST:PORT] [--issuer URL] [--data DIR] [--db postgres://...] [--db-read postgres://...]
                [--smtp-addr HOST:PORT --smtp-from ADDR [--smtp-user U]] [--sms-webhook URL]
                [--nats-url URL [--nats-replicas 3]] [--webhook-allow-private] [--tariff FILE]
  dancu migrate [--data DIR] [--db postgres://...]
  dancu seed --citizens N [--seed S] [--truth FILE]      synthetic population
  dancu import FILE [--rejects FILE]                     CSV or JSON lines; resumable
  dancu export [--province CODE] [--format csv|jsonl] [--out FILE]
  dancu quality report [--province CODE | --unit CODE] [--worst N] [--json]
  dancu duplicates find [--out FILE] [--truth FILE] [--pairs FILE]
  dancu bench SCENARIO [--citizens N] [--backend sqlite|postgres]  (seed, read, dedup, all, bare, oidc, gateway, webhooks, batch)
  dancu eid create --pid PID --level 1|2 [--totp-secret BASE32]   (password on standard input)
  dancu client create --name N --redirect-uri URI --scopes "openid profile ..." [--max-level 1|2]
               [--auth client_secret_basic|private_key_jwt --jwks FILE] [--subject-type pairwise|public]
  dancu client list | dancu client disable --id ID
  dancu oidc rotate-key
  dancu gateway seed [--seed S]                          the gateway's onboarding picture: 22 ministry systems (10 held), 63 localities (33 held)
  dancu gateway stages                                   the security gate as bars: systems of each kind of member by stage
  dancu batch submit FILE --url URL --client-id ID --purpose TEXT [--out FILE]   batch verification (secret in $DANCU_CLIENT_SECRET)
  dancu fees statement [--month YYYY-MM] [--member ID] [--tariff FILE] [--json]   monthly fees of the gateway's members
  dancu accesslog verify [--key FILE] [--checkpoints FILE]   the access log against its signed checkpoints
  dancu officer create --name NAME --unit CODE --role registry [--data DIR] [--db URL]
  dancu officer list   [--data DIR] [--db URL]
  dancu officer revoke --id OFFICER_ID [--data DIR] [--db URL]
  dancu version

--data is the data directory (default ./dancu-data, or $DANCU_DATA): it holds
the SQLite database and the key that hashes API tokens. --db (or $DANCU_DB)
selects PostgreSQL instead of SQLite; --db-read (or $DANCU_DB_READ) adds a
read replica for read-only queries. Every command that takes --data also
takes --db and --db-read. --unit is a 5-digit commune code, a
2-digit province code, or VN for national scope.

The master key of e-ID and the OpenID Provider (token signing keys, TOTP
secrets, sessions) is $DANCU_MASTER_KEY (hex) or DATA/keys/master.key,
created on first use. Without --smtp-addr or --sms-webhook, one-time codes
and notices are written to DATA/outbox (for development only).

The access log is folded into a Merkle tree every second and a checkpoint
signed with $DANCU_ACCESSLOG_KEY or DATA/keys/accesslog.key (its public half
is DATA/keys/accesslog.pub); checkpoints are appended to
DATA/accesslog/checkpoints.jsonl as well as the database. Keep copies of
both away from whoever can write the database.

The data-sharing gateway (members, systems, grants) is run by national
officers through /api/v1/exchange; agency systems call /api/v1/gateway with
an access token from /oauth2/token (client_credentials). See
/api/openapi.json.
`

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

// run is the whole program; tests call it with their own arguments,
// environment and streams.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) < 2 {
		fmt.Fprint(stderr, usage)
		return errors.New("no command given")
	}
	cmd, rest := args[1], args[2:]
	switch cmd {
	case "serve":
		return cmdServe(ctx, rest, getenv, stdout, stderr)
	case "migrate":
		return cmdMigrate(ctx, rest, getenv, stdout, stderr)
	case "officer":
		return cmdOfficer(ctx, rest, getenv, stdout, stderr)
	case "seed":
		return cmdSeed(ctx, rest, getenv, stdout, stderr)
	case "import":
		return cmdImport(ctx, rest, getenv, stdout, stderr)
	case "export":
		return cmdExport(ctx, rest, getenv, stdout, stderr)
	case "quality":
		return cmdQuality(ctx, rest, getenv, stdout, stderr)
	case "duplicates":
		return cmdDuplicates(ctx, rest, getenv, stdout, stderr)
	case "bench":
		return cmdBench(ctx, rest, getenv, stdout, stderr)
	case "eid":
		return cmdEID(ctx, rest, getenv, stdin, stdout, stderr)
	case "client":
		return cmdClient(ctx, rest, getenv, stdout, stderr)
	case "batch":
		return cmdBatch(ctx, rest, getenv, stdout, stderr)
	case "gateway":
		return cmdGateway(ctx, rest, getenv, stdout, stderr)
	case "fees":
		return cmdFees(ctx, rest, getenv, stdout, stderr)
	case "accesslog":
		return cmdAccessLog(ctx, rest, getenv, stdout, stderr)
	case "oidc":
		return cmdOIDC(ctx, rest, getenv, stdout, stderr)
	case "version", "--version":
		fmt.Fprintln(stdout, "dancu", version)
		return nil
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("unknown command %q", cmd)
}

// storeFlags are the flags every command that opens the database takes.
type storeFlags struct {
	data, db, dbRead string
}

func (f *storeFlags) register(fs *flag.FlagSet, getenv func(string) string) {
	data := getenv("DANCU_DATA")
	if data == "" {
		data = "./dancu-data"
	}
	fs.StringVar(&f.data, "data", data, "data directory")
	fs.StringVar(&f.db, "db", getenv("DANCU_DB"), "PostgreSQL URL (postgres://...); SQLite in the data directory when empty")
	fs.StringVar(&f.dbRead, "db-read", getenv("DANCU_DB_READ"), "PostgreSQL read replica URL for read-only queries (with --db)")
}

// open opens the database and applies pending migrations. It refuses a
// registry whose initial load was interrupted: it is incomplete.
func (f *storeFlags) open(ctx context.Context) (*sqlstore.DB, []sqlstore.Migration, error) {
	db, applied, err := f.openDB(ctx)
	if err != nil {
		return nil, nil, err
	}
	at, err := db.InterruptedLoad(ctx)
	if err == nil && !at.IsZero() {
		where := filepath.Join(f.data, "dancu.db")
		if f.db != "" {
			where = "the PostgreSQL database"
		}
		err = fmt.Errorf("%w: the load that began %s did not finish, so the registry holds part of a population without its indexes; "+
			"delete %s (or create a new database) and run dancu seed again", sqlstore.ErrInterruptedLoad, at.Local().Format(time.DateTime), where)
	}
	if err != nil {
		db.Close()
		return nil, nil, err
	}
	return db, applied, nil
}

func (f *storeFlags) openDB(ctx context.Context) (*sqlstore.DB, []sqlstore.Migration, error) {
	if err := os.MkdirAll(f.data, 0o700); err != nil {
		return nil, nil, fmt.Errorf("data directory: %w", err)
	}
	if f.db != "" {
		if !strings.HasPrefix(f.db, "postgres://") && !strings.HasPrefix(f.db, "postgresql://") {
			return nil, nil, fmt.Errorf("--db must be a postgres:// URL")
		}
		db, applied, err := postgres.Open(ctx, f.db, 0)
		if err != nil || f.dbRead == "" {
			return db, applied, err
		}
		if !strings.HasPrefix(f.dbRead, "postgres://") && !strings.HasPrefix(f.dbRead, "postgresql://") {
			db.Close()
			return nil, nil, fmt.Errorf("--db-read must be a postgres:// URL")
		}
		if db.Replica, err = postgres.OpenReplica(ctx, f.dbRead, 0); err != nil {
			db.Close()
			return nil, nil, err
		}
		return db, applied, nil
	}
	if f.dbRead != "" {
		return nil, nil, fmt.Errorf("--db-read needs --db: read replicas are a PostgreSQL feature")
	}
	return sqlite.Open(ctx, filepath.Join(f.data, "dancu.db"))
}

// tokenKey returns the key that hashes API tokens: $DANCU_TOKEN_KEY (hex),
// or a file in the data directory created on first use. Every process
// serving one database must use the same key.
func tokenKey(data string, getenv func(string) string) ([]byte, error) {
	return keys.FromEnvOrFile("DANCU_TOKEN_KEY", getenv, filepath.Join(data, "keys", "token-hash.key"))
}

// masterKey returns the key dancu's other secrets derive from:
// $DANCU_MASTER_KEY (hex), or a file in the data directory created on
// first use. Every process serving one database must use the same key;
// losing it loses TOTP secrets and signing keys.
func masterKey(data string, getenv func(string) string) (*keys.Master, error) {
	k, err := keys.FromEnvOrFile("DANCU_MASTER_KEY", getenv, filepath.Join(data, "keys", "master.key"))
	if err != nil {
		return nil, fmt.Errorf("master key: %w", err)
	}
	return keys.NewMaster(k)
}

func (f *storeFlags) officers(db *sqlstore.DB, getenv func(string) string) (*officer.Service, error) {
	key, err := tokenKey(f.data, getenv)
	if err != nil {
		return nil, fmt.Errorf("token key: %w", err)
	}
	return &officer.Service{Store: db.Officers(), Places: place.Default(), Clock: time.Now, Rand: rand.Reader, HashKey: key}, nil
}

func cmdServe(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var sf storeFlags
	sf.register(fs, getenv)
	addr := fs.String("addr", "127.0.0.1:8080", "address to listen on")
	issuerFlag := fs.String("issuer", getenv("DANCU_ISSUER"), "URL people and relying parties reach dancu at (the OpenID issuer; {port} is replaced by the port listened on; default http://ADDR)")
	var nf notifierFlags
	nf.register(fs, getenv)
	tariffPath := fs.String("tariff", getenv("DANCU_TARIFF"), "the data-sharing gateway's tariff, a JSON file (default: the illustrative one in exchange.DefaultTariff)")
	natsURL := fs.String("nats-url", getenv("DANCU_NATS_URL"), "an external NATS cluster with JetStream (default: one embedded, with its data in DATA/nats)")
	natsReplicas := fs.Int("nats-replicas", 1, "copies of the event stream in the NATS cluster (3 for a three-node cluster)")
	allowPrivate := fs.Bool("webhook-allow-private", getenv("DANCU_WEBHOOK_ALLOW_PRIVATE") == "1", "let webhooks go to loopback and private addresses (development, tests)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	tariff, err := loadTariff(*tariffPath)
	if err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	start := time.Now()
	db, applied, err := sf.open(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	for _, m := range applied {
		log.Info("migration applied", "version", m.Version, "name", m.Name)
	}
	officers, err := sf.officers(db, getenv)
	if err != nil {
		return err
	}
	reg := registryService(db)
	places := reg.Places
	reporter := &quality.Reporter{Store: db, Checker: qualityChecker(reg), Places: places}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	defer ln.Close()
	issuer := *issuerFlag
	if issuer == "" {
		issuer = "http://" + ln.Addr().String()
	}
	issuer = strings.TrimSuffix(strings.ReplaceAll(issuer, "{port}", fmt.Sprint(ln.Addr().(*net.TCPAddr).Port)), "/")
	notifier, warnings := nf.notifier(sf.data, getenv, log)
	for _, w := range warnings {
		log.Warn(w)
	}
	id, err := newIdentity(db, reg, sf.data, issuer, getenv, notifier, log)
	if err != nil {
		return err
	}
	if err := id.provider.Start(ctx); err != nil {
		return fmt.Errorf("OpenID signing keys: %w", err)
	}
	if id.accounts.Passkeys == nil {
		log.Warn("passkeys are off: the issuer's host is an IP address, and WebAuthn needs a host name", "issuer", issuer)
	}
	gateway := &exchange.Service{Store: db.Exchange(), Registry: reg, Sealer: id.master.Sealer("webhook"), AllowPrivateTargets: *allowPrivate, Log: log}
	if v := getenv("DANCU_BATCH_LEASE"); v != "" {
		// Tests restart a killed server at once rather than wait.
		if gateway.BatchLease, err = time.ParseDuration(v); err != nil {
			return fmt.Errorf("DANCU_BATCH_LEASE: %w", err)
		}
	}
	id.web.MemberName, id.web.DataSharing = gateway.MemberName, gateway
	id.provider.UseMachineClaims(gateway.TokenClaims)
	meterCtx, stopMeter := context.WithCancel(context.WithoutCancel(ctx))
	metered := make(chan struct{})
	go func() {
		defer close(metered)
		gateway.MeterEvery(meterCtx, time.Second, func(err error) { log.Error("metering", "err", err) })
	}()
	// The last counts are written after the server has stopped serving.
	defer func() { stopMeter(); <-metered }()
	signer, err := accessLogSigner(sf.data, getenv)
	if err != nil {
		return fmt.Errorf("access-log key: %w", err)
	}
	sequencer := &accesslog.Sequencer{Store: db.AccessLogSequencer(), Origin: accessLogOrigin, SignerKey: signer,
		Outside: &checkpointFile{path: filepath.Join(sf.data, "accesslog", "checkpoints.jsonl")}}
	go sequencer.Run(meterCtx, time.Second, func(err error) { log.Error("access-log sequencer", "err", err) })
	go func() {
		// Next months' access-log partitions, well before they begin.
		for {
			select {
			case <-meterCtx.Done():
				return
			case <-time.After(24 * time.Hour):
			}
			if err := db.EnsureAccessLogPartitions(meterCtx, time.Now()); err != nil {
				log.Error("access-log partitions", "err", err)
			}
		}
	}()
	// Events: the outbox to JetStream, the stream to subscriptions, the
	// subscriptions to webhooks.
	busURL := *natsURL
	if busURL == "" {
		ns, err := bus.Embedded(filepath.Join(sf.data, "nats"))
		if err != nil {
			return err
		}
		defer ns.Shutdown()
		busURL = ns.ClientURL()
	}
	nc, js, err := bus.Connect(ctx, busURL, *natsReplicas)
	if err != nil {
		return err
	}
	defer nc.Close()
	defer stopMeter() // background work stops before the bus closes
	go bus.Publish(meterCtx, js, db, 200*time.Millisecond, log)
	go func() {
		if err := bus.Consume(meterCtx, js, "dancu-subscriptions", gateway.HandleEvent, log); err != nil {
			log.Error("matching events to subscriptions", "err", err)
		}
	}()
	go gateway.Deliver(meterCtx, 200*time.Millisecond, func(err error) { log.Warn("webhook delivery", "err", err) })
	batches := batchfs.Dir{Path: filepath.Join(sf.data, "batches")}
	go gateway.RunBatches(meterCtx, batches, time.Second, failpoint(getenv("DANCU_FAILPOINT")), func(err error) { log.Error("batch verification", "err", err) })
	machineAuth := func(ctx context.Context, token string) (string, []string, error) {
		t, err := id.provider.VerifyMachineToken(ctx, token)
		return t.ClientID, t.Scopes, err
	}
	apiHandler := api.NewServer(api.Deps{Registry: reg, Officers: officers, Places: places, Log: log, Ready: db.Ping, Quality: reporter, EID: id.accounts,
		Exchange: gateway, MachineAuth: machineAuth, Tariff: &tariff, BatchFiles: batches, Pages: id.web, AccessLog: db})
	pages, err := id.web.Handler()
	if err != nil {
		return err
	}
	handler := route(apiHandler, id.provider.Handler(), pages)
	srv := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	backend := "sqlite " + filepath.Join(sf.data, "dancu.db")
	if sf.db != "" {
		backend = "postgres"
		if sf.dbRead != "" {
			backend = "postgres with read replica"
		}
	}
	log.Info("dancu listening", "url", "http://"+ln.Addr().String(), "issuer", issuer, "backend", backend, "startup", time.Since(start).Round(time.Millisecond))
	fmt.Fprintf(stdout, "dancu listening on http://%s\n", ln.Addr())
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return srv.Shutdown(shutdownCtx)
}

// route sends each request to the API, the OpenID Provider or the pages.
func route(apiHandler, provider, pages http.Handler) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/api/", apiHandler)
	mux.Handle("/healthz", apiHandler)
	mux.Handle("/readyz", apiHandler)
	mux.Handle("/.well-known/openid-configuration", provider)
	mux.Handle("/oauth2/", provider)
	mux.Handle("/jwks.json", provider)
	mux.Handle("/", pages)
	return mux
}

func cmdMigrate(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var sf storeFlags
	sf.register(fs, getenv)
	if err := fs.Parse(args); err != nil {
		return err
	}
	db, applied, err := sf.open(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	if len(applied) == 0 {
		fmt.Fprintln(stdout, "database is up to date")
	}
	for _, m := range applied {
		fmt.Fprintf(stdout, "applied %05d %s\n", m.Version, m.Name)
	}
	return nil
}

// operator is the actor behind commands run on the server itself.
func operator(getenv func(string) string) actor.Actor {
	who := getenv("USER")
	if who == "" {
		who = "unknown"
	}
	return actor.Actor{Kind: actor.KindOperator, ID: who, Name: who}
}

func cmdOfficer(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return errors.New("officer: give a subcommand: create, list or revoke")
	}
	sub := args[0]
	fs := flag.NewFlagSet("officer "+sub, flag.ContinueOnError)
	fs.SetOutput(stderr)
	var sf storeFlags
	sf.register(fs, getenv)
	name := fs.String("name", "", "officer's full name")
	unit := fs.String("unit", "", "commune code (5 digits), province code (2 digits) or VN")
	role := fs.String("role", string(actor.RoleRegistry), "role")
	id := fs.String("id", "", "officer id (revoke)")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	db, _, err := sf.open(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	svc, err := sf.officers(db, getenv)
	if err != nil {
		return err
	}
	switch sub {
	case "create":
		o, token, err := svc.Create(ctx, operator(getenv), *name, *unit, *role)
		if err != nil {
			return describe(err)
		}
		fmt.Fprintf(stdout, "officer %s created: %s, role %s, %s scope, unit %s\n", o.ID, o.Name, o.Role, o.Scope, o.Unit)
		fmt.Fprintln(stdout, "API token (shown once; store it securely):")
		fmt.Fprintln(stdout, token)
		return nil
	case "list":
		list, err := svc.Store.Officers(ctx)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tNAME\tROLE\tSCOPE\tUNIT\tCREATED\tREVOKED")
		for _, o := range list {
			revoked := ""
			if !o.RevokedAt.IsZero() {
				revoked = o.RevokedAt.Format(time.RFC3339)
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", o.ID, o.Name, o.Role, o.Scope, o.Unit, o.CreatedAt.Format(time.RFC3339), revoked)
		}
		return tw.Flush()
	case "revoke":
		if *id == "" {
			return errors.New("officer revoke: --id is required")
		}
		if err := svc.Revoke(ctx, operator(getenv), *id); err != nil {
			return describe(err)
		}
		fmt.Fprintf(stdout, "officer %s revoked\n", *id)
		return nil
	}
	return fmt.Errorf("officer: unknown subcommand %q (create, list, revoke)", sub)
}

// describe turns a domain error into a message for the terminal, naming
// each offending flag.
func describe(err error) error {
	var e *errs.Error
	if !errors.As(err, &e) || len(e.Fields) == 0 {
		return err
	}
	var b strings.Builder
	for i, f := range e.Fields {
		if i > 0 {
			b.WriteString("; ")
		}
		fmt.Fprintf(&b, "--%s: %s", f.Name, f.Message)
	}
	return errors.New(b.String())
}
