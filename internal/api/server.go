// Package api is dancu's JSON HTTP API under /api/v1 and its OpenAPI 3.1
// description. Handlers translate HTTP to calls of the domain services and
// back; authorisation and rules live in the domain.
package api

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"strings"
	"sync"
	"time"

	"dancu/internal/accesslog"
	"dancu/internal/actor"
	"dancu/internal/civil"
	"dancu/internal/eid"
	"dancu/internal/errs"
	"dancu/internal/exchange"
	"dancu/internal/officer"
	"dancu/internal/place"
	"dancu/internal/quality"
	"dancu/internal/registry"
	"dancu/internal/web"
)

// Server holds what the handlers need.
type Server struct {
	registry *registry.Service
	officers *officer.Service
	places   *place.Catalogue
	log      *slog.Logger
	ready    func(context.Context) error
	quality  *quality.Reporter
	eid      *eid.Service
	writes   recentWriters

	exchange    *exchange.Service
	tariff      exchange.Tariff
	batchFiles  exchange.BatchFiles
	machineAuth MachineAuth
	pages       *web.Server
	accessLog   accesslog.Reader
}

// Deps are the services the API serves.
type Deps struct {
	Registry *registry.Service
	Officers *officer.Service
	Places   *place.Catalogue
	Log      *slog.Logger
	// Ready reports whether dancu can serve (the database answers).
	Ready func(context.Context) error
	// Quality builds data-quality reports.
	Quality *quality.Reporter
	// EID runs e-ID accounts (officers enrol people in person).
	EID *eid.Service
	// Exchange is the data-sharing gateway; MachineAuth verifies the
	// access tokens its systems send.
	Exchange    *exchange.Service
	MachineAuth MachineAuth
	// Tariff prices metered use; nil is exchange.DefaultTariff.
	Tariff *exchange.Tariff
	// BatchFiles keeps batch verification jobs' files.
	BatchFiles exchange.BatchFiles
	// Pages knows the person an e-ID session belongs to and words the
	// access log for them; AccessLog is what they read.
	Pages     *web.Server
	AccessLog accesslog.Reader
}

// NewServer returns the API's handler.
func NewServer(d Deps) http.Handler {
	s := &Server{registry: d.Registry, officers: d.Officers, places: d.Places, log: d.Log, ready: d.Ready, quality: d.Quality, eid: d.EID,
		exchange: d.Exchange, batchFiles: d.BatchFiles, machineAuth: d.MachineAuth, pages: d.Pages, accessLog: d.AccessLog}
	if s.log == nil {
		s.log = slog.Default()
	}
	if s.places == nil {
		s.places = place.Default()
	}
	s.tariff = exchange.DefaultTariff
	if d.Tariff != nil {
		s.tariff = *d.Tariff
	}
	mux := http.NewServeMux()
	s.routes(mux)
	return s.withRequestID(s.logRequests(s.recoverer(securityHeaders(mux))))
}

// statusRecorder remembers the status a handler wrote, for the request log.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}

// logRequests logs one line per request. It logs the route pattern, not
// the path: paths carry personal ID numbers, which do not belong in logs.
func (s *Server) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(rec, r)
		pattern := r.Pattern
		if pattern == "" {
			pattern = "(none)"
		}
		s.log.LogAttrs(r.Context(), slog.LevelInfo, "request",
			slog.String("route", pattern), slog.String("method", r.Method), slog.Int("status", rec.status),
			slog.Duration("took", time.Since(start)), slog.String("request_id", requestID(r)))
	})
}

// MaxBodyBytes bounds request bodies.
const MaxBodyBytes = 1 << 20

type ctxKey int

const (
	keyActor ctxKey = iota
	keyRequestID
)

func requestID(r *http.Request) string {
	id, _ := r.Context().Value(keyRequestID).(string)
	return id
}

func actorOf(r *http.Request) actor.Actor {
	a, _ := r.Context().Value(keyActor).(actor.Actor)
	return a
}

func (s *Server) withRequestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get("X-Request-ID")
		if id == "" || len(id) > 100 || strings.ContainsFunc(id, func(c rune) bool { return c < 0x21 || c > 0x7e }) {
			var b [12]byte
			rand.Read(b[:])
			id = base64.RawURLEncoding.EncodeToString(b[:])
		}
		w.Header().Set("X-Request-ID", id)
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), keyRequestID, id)))
	})
}

func (s *Server) recoverer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				s.writeError(w, r, fmt.Errorf("panic: %v", p))
			}
		}()
		next.ServeHTTP(w, r)
	})
}

func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cache-Control", "no-store")
		h.Set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'")
		next.ServeHTTP(w, r)
	})
}

// authenticated wraps a handler that needs an officer's bearer token. The
// declared purpose (X-Purpose) is attached to the actor for the access log.
func (s *Server) authenticated(h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		auth := r.Header.Get("Authorization")
		token, ok := strings.CutPrefix(auth, "Bearer ")
		if !ok || token == "" {
			s.writeError(w, r, errs.E(errs.Unauthenticated, "unauthenticated", "send an officer's API token as Authorization: Bearer TOKEN"))
			return
		}
		a, err := s.officers.Authenticate(r.Context(), strings.TrimSpace(token))
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		purpose := strings.TrimSpace(r.Header.Get("X-Purpose"))
		if len(purpose) > 200 || strings.ContainsFunc(purpose, func(c rune) bool { return c < 0x20 }) {
			s.writeError(w, r, errs.InvalidField("X-Purpose", "format", "the purpose header has at most 200 printable characters"))
			return
		}
		a.Purpose = purpose
		a.RequestID = requestID(r)
		ctx := context.WithValue(r.Context(), keyActor, a)
		if r.Method == http.MethodGet || r.Method == http.MethodHead {
			if s.writes.recent(a.ID) {
				ctx = registry.ReadYourWrites(ctx)
			}
			h(w, r.WithContext(ctx))
			return
		}
		// Whatever the outcome, a write attempt may have committed: this
		// actor's reads go to the primary until replicas have caught up.
		s.writes.mark(a.ID)
		h(w, r.WithContext(registry.ReadYourWrites(ctx)))
	})
}

// ReadYourWritesWindow is how long after a write an actor's reads go to
// the primary rather than a read replica. Streaming replicas on the same
// network replay within milliseconds; the window leaves room for a replica
// under load.
const ReadYourWritesWindow = 5 * time.Second

// recentWriters remembers who wrote in the last ReadYourWritesWindow.
type recentWriters struct {
	mu   sync.Mutex
	last map[string]time.Time
}

func (rw *recentWriters) mark(id string) {
	rw.mu.Lock()
	defer rw.mu.Unlock()
	now := time.Now()
	if rw.last == nil {
		rw.last = map[string]time.Time{}
	}
	rw.last[id] = now
	if len(rw.last) > 10000 {
		for k, t := range rw.last {
			if now.Sub(t) > ReadYourWritesWindow {
				delete(rw.last, k)
			}
		}
	}
}

func (rw *recentWriters) recent(id string) bool {
	rw.mu.Lock()
	defer rw.mu.Unlock()
	t, ok := rw.last[id]
	return ok && time.Since(t) < ReadYourWritesWindow
}

// decode reads a JSON object body into v, refusing unknown fields, wrong
// types, trailing data, bodies over MaxBodyBytes and non-JSON media types.
// It returns the raw body for idempotency hashing.
func decode(w http.ResponseWriter, r *http.Request, v any) ([]byte, error) {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) {
			return nil, errs.E(errs.Unsupported, "unsupported-media-type", "send the body as application/json, not %q", ct).With("field", "Content-Type")
		}
	}
	body, err := readBody(w, r)
	if err != nil {
		return nil, err
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, &errs.Error{Kind: errs.Invalid, Code: "invalid-json", Message: "the request body is empty; send a JSON object",
			Fields: []errs.Field{{Name: "body", Reason: "required", Message: "a JSON object is required"}}}
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return nil, jsonError(err)
	}
	if dec.More() {
		return nil, &errs.Error{Kind: errs.Invalid, Code: "invalid-json", Message: "the body has data after the JSON object",
			Fields: []errs.Field{{Name: "body", Reason: "format", Message: "send exactly one JSON object"}}}
	}
	return body, nil
}

func readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return nil, (&errs.Error{Kind: errs.TooLarge, Code: "payload-too-large",
			Message: fmt.Sprintf("the request body is larger than %d bytes", MaxBodyBytes),
			Fields:  []errs.Field{{Name: "body", Reason: "too_large", Message: fmt.Sprintf("at most %d bytes", MaxBodyBytes)}}})
	}
	if err != nil {
		return nil, errs.E(errs.Invalid, "invalid-json", "the request body could not be read: %v", err)
	}
	return body, nil
}

// jsonError turns a decoding error into a problem naming the field.
func jsonError(err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	field := func(name, reason, msg string) error {
		return &errs.Error{Kind: errs.Invalid, Code: "invalid-field", Message: name + ": " + msg,
			Fields: []errs.Field{{Name: name, Reason: reason, Message: msg}}}
	}
	switch {
	case errors.As(err, &syn):
		return &errs.Error{Kind: errs.Invalid, Code: "invalid-json", Message: fmt.Sprintf("malformed JSON at byte %d: %v", syn.Offset, syn),
			Fields: []errs.Field{{Name: "body", Reason: "format", Message: syn.Error()}}}
	case errors.As(err, &typ):
		name := typ.Field
		if name == "" {
			return &errs.Error{Kind: errs.Invalid, Code: "invalid-json", Message: "the body must be a JSON object",
				Fields: []errs.Field{{Name: "body", Reason: "type", Message: "expected a JSON object, got " + typ.Value}}}
		}
		return field(name, "type", fmt.Sprintf("expected %s, got %s", jsonTypeName(typ.Type.Kind().String()), typ.Value))
	case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
		return &errs.Error{Kind: errs.Invalid, Code: "invalid-json", Message: "the JSON body ends too early",
			Fields: []errs.Field{{Name: "body", Reason: "format", Message: "truncated JSON"}}}
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return field(name, "unknown_field", fmt.Sprintf("%q is not a field of this request", name))
	}
	return &errs.Error{Kind: errs.Invalid, Code: "invalid-json", Message: err.Error(),
		Fields: []errs.Field{{Name: "body", Reason: "format", Message: err.Error()}}}
}

func jsonTypeName(kind string) string {
	switch kind {
	case "string":
		return "a string"
	case "bool":
		return "true or false"
	case "slice":
		return "an array"
	case "struct", "map":
		return "an object"
	}
	return "a number"
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	writeJSONStatus(w, "application/json", status, v)
}

func (s *Server) handleHealthz() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		if s.ready != nil {
			if err := s.ready(ctx); err != nil {
				s.writeError(w, r, errs.E(errs.Unavailable, "unavailable", "the database does not answer"))
				return
			}
		}
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
}

func (s *Server) today() civil.Date { return civil.Today(s.registry.Clock) }
