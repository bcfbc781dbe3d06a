package main

import (
	"bufio"
	"context"
	"encoding/base32"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"dancu/internal/actor"
	"dancu/internal/eid"
	"dancu/internal/keys"
	"dancu/internal/oidc"
	"dancu/internal/place"
	"dancu/internal/registry"
	"dancu/internal/store/sqlstore"
	"dancu/internal/web"
)

// identity is the e-ID side of dancu, wired.
type identity struct {
	master   *keys.Master
	accounts *eid.Service
	clients  *oidc.Clients
	provider *oidc.Provider
	web      *web.Server
}

// notifierFlags choose where one-time codes and notices go.
type notifierFlags struct {
	smtpAddr, smtpFrom, smtpUser string
	smsWebhook                   string
}

func (n *notifierFlags) register(fs *flag.FlagSet, getenv func(string) string) {
	fs.StringVar(&n.smtpAddr, "smtp-addr", getenv("DANCU_SMTP_ADDR"), "SMTP relay HOST:PORT for e-mail (password in $DANCU_SMTP_PASSWORD)")
	fs.StringVar(&n.smtpFrom, "smtp-from", getenv("DANCU_SMTP_FROM"), "sender address of e-mail")
	fs.StringVar(&n.smtpUser, "smtp-user", getenv("DANCU_SMTP_USER"), "SMTP user name")
	fs.StringVar(&n.smsWebhook, "sms-webhook", getenv("DANCU_SMS_WEBHOOK"), "URL of the SMS gateway's webhook (signing secret in $DANCU_SMS_WEBHOOK_SECRET)")
}

// notifier builds the notifiers the flags name. Without a gateway,
// messages are written to files in the data directory, for development:
// the server says so at startup.
func (n *notifierFlags) notifier(data string, getenv func(string) string, log *slog.Logger) (eid.Notifier, []string) {
	var warnings []string
	chans := eid.Channels{}
	if n.smtpAddr != "" {
		chans[eid.ChannelEmail] = eid.SMTPNotifier{Addr: n.smtpAddr, From: n.smtpFrom, Username: n.smtpUser,
			Password: getenv("DANCU_SMTP_PASSWORD"), Log: log}
	}
	if n.smsWebhook != "" {
		chans[eid.ChannelSMS] = eid.WebhookNotifier{URL: n.smsWebhook, Secret: []byte(getenv("DANCU_SMS_WEBHOOK_SECRET")), Log: log}
	}
	outbox := filepath.Join(data, "outbox")
	for _, c := range []eid.Channel{eid.ChannelSMS, eid.ChannelEmail} {
		if chans[c] == nil {
			chans[c] = eid.DirNotifier{Dir: outbox}
			warnings = append(warnings, fmt.Sprintf("no %s gateway configured: %s messages, one-time codes included, are written to %s (development only)", c, c, outbox))
		}
	}
	return chans, warnings
}

// newIdentity wires e-ID accounts, the OpenID Provider and the pages.
func newIdentity(db *sqlstore.DB, reg *registry.Service, data, issuer string, getenv func(string) string, notifier eid.Notifier, log *slog.Logger) (*identity, error) {
	master, err := masterKey(data, getenv)
	if err != nil {
		return nil, err
	}
	accounts := &eid.Service{Store: db.EID(), Registry: reg, Notifier: notifier, Sealer: master.Sealer("eid-totp"),
		HashKey: master.Derive("eid-hash"), Log: log, Issuer: "dancu e-ID"}
	clients := &oidc.Clients{Store: db.OIDC(), HashKey: master.Derive("oidc-client")}
	id := &identity{master: master, accounts: accounts, clients: clients}
	if issuer == "" {
		return id, nil
	}
	u, err := url.Parse(issuer)
	if err != nil {
		return nil, fmt.Errorf("--issuer: %w", err)
	}
	if host := u.Hostname(); net.ParseIP(host) == nil {
		// WebAuthn's relying party is a host name, never an address.
		if accounts.Passkeys, err = eid.NewPasskeys(host, "dancu e-ID", []string{strings.TrimSuffix(issuer, "/")}); err != nil {
			return nil, err
		}
	}
	id.provider, err = oidc.New(oidc.Config{
		Issuer: issuer, LoginPath: "/login", LogoutPath: "/logout", Store: db.OIDC(), Clients: clients, Accounts: accounts,
		Registry: reg, Sealer: master.Sealer("oidc-signing"), TokenSealer: master.Sealer("oidc-token"),
		SubjectKey: master.Derive("oidc-subject"), CodeKey: master.Derive("oidc-code"), Log: log,
	})
	if err != nil {
		return nil, err
	}
	id.web = &web.Server{Accounts: accounts, OIDC: id.provider, Sealer: master.Sealer("web"), Log: log, AccessLog: db, Places: place.Default(),
		Secure: u.Scheme == "https", Origin: u.Scheme + "://" + u.Host,
		Owner: func(r *http.Request, a *eid.Account) (string, string) {
			c, err := accounts.Registry.CitizenByKey(r.Context(), ownerActor(a), a.Person, []string{"full_name"})
			if err != nil {
				return "", ""
			}
			return c.FullName, c.PID.String()
		}}
	return id, nil
}

// ownerActor is the actor of the account page's read of its own person.
func ownerActor(a *eid.Account) actor.Actor {
	return actor.Actor{Kind: actor.KindCitizen, ID: a.ID, Purpose: "own account page", OnBehalfOf: int64(a.Person)}
}

func cmdEID(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "create" {
		return errors.New("usage: dancu eid create --pid PID --level 1|2 [--totp-secret BASE32] (password on standard input)")
	}
	fs := flag.NewFlagSet("eid create", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var sf storeFlags
	sf.register(fs, getenv)
	pid := fs.String("pid", "", "personal ID number of the account's person (required)")
	level := fs.Int("level", 1, "assurance level: 1 or 2")
	totp := fs.String("totp-secret", "", "for level 2: the person's existing TOTP secret (base32); without it an enrolment code is printed")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if *pid == "" {
		return errors.New("--pid is required")
	}
	password, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return err
	}
	password = strings.TrimRight(password, "\r\n")
	if password == "" {
		return errors.New("give the password on standard input")
	}
	var secret []byte
	if *totp != "" {
		if *level != 2 {
			return errors.New("--totp-secret is for level-2 accounts")
		}
		secret, err = base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(strings.ToUpper(strings.ReplaceAll(strings.TrimRight(*totp, "="), " ", "")))
		if err != nil || len(secret) < 10 {
			return errors.New("--totp-secret must be a base32 secret of at least 80 bits")
		}
	}
	db, _, err := sf.open(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	id, err := newIdentity(db, registryService(db), sf.data, "", getenv, eid.DirNotifier{Dir: filepath.Join(sf.data, "outbox")}, slog.New(slog.NewTextHandler(stderr, nil)))
	if err != nil {
		return err
	}
	a, code, err := id.accounts.Create(ctx, operator(getenv), *pid, eid.Level(*level), password, secret)
	if err != nil {
		return err
	}
	out := map[string]any{"account_id": a.ID, "level": int(a.Level), "status": string(a.Status)}
	if code != "" {
		out["enrolment_code"] = code
	}
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

// listFlag collects a repeated flag.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, " ") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

func cmdClient(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return errors.New("usage: dancu client create|list|disable ...")
	}
	fs := flag.NewFlagSet("client "+args[0], flag.ContinueOnError)
	fs.SetOutput(stderr)
	var sf storeFlags
	sf.register(fs, getenv)
	switch args[0] {
	case "create":
		var redirects, logouts listFlag
		name := fs.String("name", "", "the client's name, shown to people (required)")
		fs.Var(&redirects, "redirect-uri", "a redirect URI (repeat for more)")
		fs.Var(&logouts, "post-logout-redirect-uri", "where RP-initiated logout may return (repeat; default: the redirect URIs' origins)")
		scopes := fs.String("scopes", "", `scopes the client may ask for, space-separated ("openid profile pid address phone email offline_access")`)
		maxLevel := fs.Int("max-level", 2, "highest assurance level the client may ask for: 1 or 2")
		auth := fs.String("auth", oidc.AuthSecretBasic, "client authentication: client_secret_basic or private_key_jwt")
		jwks := fs.String("jwks", "", "file of the client's public keys (JWK set), for private_key_jwt")
		subject := fs.String("subject-type", "pairwise", "pairwise or public: fixed once registered")
		sector := fs.String("sector", "", "sector of pairwise subjects (default: the first redirect URI's host)")
		grants := fs.String("grant-types", "", "space-separated: authorization_code refresh_token client_credentials (default: code and refresh with redirect URIs, client_credentials without)")
		purpose := fs.String("purpose", "", "why the client asks, shown on the consent page")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		in := oidc.NewClient{Name: *name, RedirectURIs: redirects, PostLogoutRedirectURIs: logouts, Scopes: strings.Fields(*scopes),
			MaxLevel: *maxLevel, AuthMethod: *auth, SubjectType: *subject, Sector: *sector, GrantTypes: strings.Fields(*grants), Purpose: *purpose}
		if *jwks != "" {
			b, err := os.ReadFile(*jwks)
			if err != nil {
				return fmt.Errorf("--jwks: %w", err)
			}
			in.JWKS = b
		}
		db, _, err := sf.open(ctx)
		if err != nil {
			return err
		}
		defer db.Close()
		id, err := newIdentity(db, registryService(db), sf.data, "", getenv, nil, nil)
		if err != nil {
			return err
		}
		out, err := id.clients.Create(ctx, operator(getenv), in)
		if err != nil {
			return err
		}
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	case "list":
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		db, _, err := sf.open(ctx)
		if err != nil {
			return err
		}
		defer db.Close()
		return db.OIDC().View(ctx, func(tx oidc.Tx) error {
			cs, err := tx.Clients(ctx)
			if err != nil {
				return err
			}
			for _, c := range cs {
				state := "active"
				if !c.DisabledAt.IsZero() {
					state = "disabled " + c.DisabledAt.Format(time.DateTime)
				}
				fmt.Fprintf(stdout, "%s\t%s\t%s\t%s\t%s\n", c.ID, c.Name, c.AuthMethod, strings.Join(c.Scopes, " "), state)
			}
			return nil
		})
	case "disable":
		id := fs.String("id", "", "client id")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		db, _, err := sf.open(ctx)
		if err != nil {
			return err
		}
		defer db.Close()
		clients := &oidc.Clients{Store: db.OIDC()}
		if err := clients.Disable(ctx, operator(getenv), *id); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "client %s disabled\n", *id)
		return nil
	}
	return fmt.Errorf("unknown client subcommand %q", args[0])
}

func cmdOIDC(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "rotate-key" {
		return errors.New("usage: dancu oidc rotate-key")
	}
	fs := flag.NewFlagSet("oidc rotate-key", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var sf storeFlags
	sf.register(fs, getenv)
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	db, _, err := sf.open(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	id, err := newIdentity(db, registryService(db), sf.data, "http://localhost", getenv, nil, nil)
	if err != nil {
		return err
	}
	kid, err := id.provider.RotateKey(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "new signing key %s; the previous one stays published until its tokens expire\n", kid)
	return nil
}
