package api

import (
	"context"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"dancu/internal/accesslog"
	"dancu/internal/actor"
	"dancu/internal/errs"
	"dancu/internal/exchange"
	"dancu/internal/web"
)

// The data-sharing gateway's API: onboarding and grants for national
// officers under /api/v1/exchange, the operations agency systems call
// under /api/v1/gateway (authenticated by an OAuth access token the
// system obtained with client_credentials), and the person's own view of
// the access log under /api/v1/me.

type ctxSystemKey struct{}

// MachineAuth verifies a system's access token and returns its client id.
type MachineAuth func(ctx context.Context, token string) (clientID string, scopes []string, err error)

// system wraps a gateway operation: the bearer token must be a live
// access token a client obtained for itself.
func (s *Server) system(h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.exchange == nil || s.machineAuth == nil {
			s.writeError(w, r, errs.E(errs.Unavailable, "unavailable", "the data-sharing gateway is not configured on this server"))
			return
		}
		token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok || strings.TrimSpace(token) == "" {
			s.writeError(w, r, errs.E(errs.Unauthenticated, "unauthenticated", "send the access token your system obtained with client_credentials as Authorization: Bearer TOKEN"))
			return
		}
		client, scopes, err := s.machineAuth(r.Context(), strings.TrimSpace(token))
		if err != nil {
			s.writeError(w, r, errs.E(errs.Unauthenticated, "invalid-token", "the access token is not valid: %v", err))
			return
		}
		c := exchange.Caller{ClientID: client, Scopes: scopes, RequestID: requestID(r)}
		h(w, r.WithContext(context.WithValue(r.Context(), ctxSystemKey{}, c)))
	})
}

func callerOf(r *http.Request) exchange.Caller {
	c, _ := r.Context().Value(ctxSystemKey{}).(exchange.Caller)
	return c
}

func purposeOf(r *http.Request) string { return strings.TrimSpace(r.Header.Get("X-Purpose")) }

// LookupRequest asks for fields of a person.
type LookupRequest struct {
	IDDocument string   `json:"idDocument"`
	Fields     []string `json:"fields"`
}

// jsonCall decodes a request body into In (none for struct{}), runs fn
// and answers its result with status, or the problem fn returned: the
// shape of every gateway endpoint.
func jsonCall[In, Out any](s *Server, status int, fn func(r *http.Request, in In) (Out, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if s.exchange == nil {
			s.writeError(w, r, errs.E(errs.Unavailable, "unavailable", "the data-sharing gateway is not configured on this server"))
			return
		}
		var in In
		if _, bodiless := any(in).(struct{}); !bodiless {
			if _, err := decode(w, r, &in); err != nil {
				s.writeError(w, r, err)
				return
			}
		}
		out, err := fn(r, in)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		writeJSON(w, status, out)
	}
}

// monthParam reads the month query parameter, this month when absent.
func monthParam(r *http.Request) (string, error) {
	month := r.URL.Query().Get("month")
	if month == "" {
		return exchange.Month(time.Now()), nil
	}
	if _, err := time.Parse("2006-01", month); err != nil {
		return "", errs.InvalidField("month", "format", "month is YYYY-MM")
	}
	return month, nil
}

func (s *Server) handleGatewayLookup(r *http.Request, req LookupRequest) (map[string]any, error) {
	return s.exchange.Lookup(r.Context(), callerOf(r), purposeOf(r), strings.TrimSpace(req.IDDocument), req.Fields)
}

func (s *Server) handleGatewayVerify(r *http.Request, req exchange.VerifyRequest) (*exchange.VerifyResult, error) {
	return s.exchange.Verify(r.Context(), callerOf(r), purposeOf(r), req)
}

func (s *Server) handleGatewayAlive(r *http.Request, req LookupRequest) (map[string]any, error) {
	return s.exchange.Alive(r.Context(), callerOf(r), purposeOf(r), strings.TrimSpace(req.IDDocument), req.Fields)
}

// ResidenceRequest asks whether a person resides in a unit.
type ResidenceRequest struct {
	IDDocument string `json:"idDocument"`
	Unit       string `json:"unit"`
}

func (s *Server) handleGatewayHousehold(r *http.Request, req LookupRequest) (map[string]any, error) {
	return s.exchange.Household(r.Context(), callerOf(r), purposeOf(r), strings.TrimSpace(req.IDDocument), req.Fields)
}

func (s *Server) handleGatewayResidence(r *http.Request, req ResidenceRequest) (map[string]any, error) {
	return s.exchange.ConfirmResidence(r.Context(), callerOf(r), purposeOf(r), strings.TrimSpace(req.IDDocument), strings.TrimSpace(req.Unit))
}

// OrganisationJSON is a member organisation of the gateway.
type OrganisationJSON struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	Type      string `json:"type"`
	CreatedAt string `json:"created_at,omitempty"`
}

func (s *Server) handleCreateMember(r *http.Request, req OrganisationJSON) (OrganisationJSON, error) {
	m, err := s.exchange.CreateMember(r.Context(), actorOf(r), req.Name, exchange.MemberType(req.Type))
	if err != nil {
		return OrganisationJSON{}, err
	}
	return OrganisationJSON{ID: m.ID, Name: m.Name, Type: string(m.Type), CreatedAt: m.CreatedAt.UTC().Format(time.RFC3339)}, nil
}

// SystemJSON is a member's system and where it stands.
type SystemJSON struct {
	ID        string           `json:"id"`
	MemberID  string           `json:"member_id"`
	Name      string           `json:"name"`
	ClientID  string           `json:"client_id"`
	Stage     string           `json:"stage"`
	Checklist []exchange.Check `json:"checklist"`
	Missing   []string         `json:"missing_checks"`
	RateLimit float64          `json:"rate_limit"`
	UpdatedAt string           `json:"updated_at"`
}

func systemJSON(sys *exchange.System, err error) (SystemJSON, error) {
	if err != nil {
		return SystemJSON{}, err
	}
	cl := sys.Checklist
	if cl == nil {
		cl = []exchange.Check{}
	}
	return SystemJSON{ID: sys.ID, MemberID: sys.MemberID, Name: sys.Name, ClientID: sys.ClientID, Stage: string(sys.Stage),
		Checklist: cl, Missing: nonNil(sys.Missing()), RateLimit: sys.RateLimit, UpdatedAt: sys.UpdatedAt.UTC().Format(time.RFC3339)}, nil
}

func (s *Server) handleApplySystem(r *http.Request, req SystemJSON) (SystemJSON, error) {
	return systemJSON(s.exchange.ApplySystem(r.Context(), actorOf(r), req.MemberID, req.Name, req.ClientID, req.RateLimit))
}

func (s *Server) handleRecordCheck(r *http.Request, req exchange.Check) (SystemJSON, error) {
	return systemJSON(s.exchange.RecordCheck(r.Context(), actorOf(r), r.PathValue("id"), req))
}

// StageRequest moves a system to another stage.
type StageRequest struct {
	Stage string `json:"stage"`
	Note  string `json:"note"`
}

func (s *Server) handleMoveSystem(r *http.Request, req StageRequest) (SystemJSON, error) {
	return systemJSON(s.exchange.MoveSystem(r.Context(), actorOf(r), r.PathValue("id"), exchange.Stage(req.Stage), req.Note))
}

func (s *Server) handleStages(r *http.Request, _ struct{}) (map[string]any, error) {
	counts, err := s.exchange.StageCounts(r.Context())
	if err != nil {
		return nil, err
	}
	if counts == nil {
		counts = []exchange.StageCount{}
	}
	return map[string]any{"stages": counts}, nil
}

// GrantJSON is a grant.
type GrantJSON struct {
	ID              string   `json:"id,omitempty"`
	MemberID        string   `json:"member_id"`
	Purpose         string   `json:"purpose"`
	LegalBasis      string   `json:"legal_basis"`
	Operations      []string `json:"operations"`
	Fields          []string `json:"fields"`
	ValidFrom       string   `json:"valid_from,omitempty"`
	ValidUntil      string   `json:"valid_until"`
	ConsentRequired bool     `json:"consent_required"`
	WithholdDays    int      `json:"withhold_days,omitempty"`
	RevokedAt       string   `json:"revoked_at,omitempty"`
}

func grantJSON(g *exchange.Grant, err error) (GrantJSON, error) {
	if err != nil {
		return GrantJSON{}, err
	}
	ops := make([]string, len(g.Operations))
	for i, op := range g.Operations {
		ops[i] = string(op)
	}
	out := GrantJSON{ID: g.ID, MemberID: g.MemberID, Purpose: g.Purpose, LegalBasis: g.LegalBasis, Operations: ops, Fields: nonNil(g.Fields),
		ValidFrom: g.ValidFrom.UTC().Format(time.RFC3339), ValidUntil: g.ValidUntil.UTC().Format(time.RFC3339),
		ConsentRequired: g.ConsentRequired, WithholdDays: g.WithholdDays}
	if !g.RevokedAt.IsZero() {
		out.RevokedAt = g.RevokedAt.UTC().Format(time.RFC3339)
	}
	return out, nil
}

func parseInstant(field, v string) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return time.Time{}, errs.InvalidField(field, "format", "%s is an RFC 3339 instant, such as 2027-12-31T17:00:00Z", field)
	}
	return t, nil
}

func (s *Server) handleCreateGrant(r *http.Request, req GrantJSON) (GrantJSON, error) {
	from, err := parseInstant("valid_from", req.ValidFrom)
	if err != nil {
		return GrantJSON{}, err
	}
	until, err := parseInstant("valid_until", req.ValidUntil)
	if err != nil {
		return GrantJSON{}, err
	}
	ops := make([]exchange.Operation, len(req.Operations))
	for i, op := range req.Operations {
		ops[i] = exchange.Operation(op)
	}
	return grantJSON(s.exchange.CreateGrant(r.Context(), actorOf(r), exchange.GrantRequest{MemberID: req.MemberID, Purpose: req.Purpose, LegalBasis: req.LegalBasis,
		Operations: ops, Fields: req.Fields, ValidFrom: from, ValidUntil: until, ConsentRequired: req.ConsentRequired, WithholdDays: req.WithholdDays}))
}

func (s *Server) handleRevokeGrant(r *http.Request, _ struct{}) (GrantJSON, error) {
	return grantJSON(s.exchange.RevokeGrant(r.Context(), actorOf(r), r.PathValue("id")))
}

func (s *Server) handleUsage(r *http.Request, _ struct{}) (map[string]any, error) {
	month, err := s.usageMonth(r, "month")
	if err != nil {
		return nil, err
	}
	us, err := s.exchange.Usage(r.Context(), month)
	if err != nil {
		return nil, err
	}
	type row struct {
		MemberID  string `json:"member_id"`
		SystemID  string `json:"system_id"`
		Operation string `json:"operation"`
		Count     int64  `json:"count"`
	}
	rows := make([]row, len(us))
	for i, u := range us {
		rows[i] = row{u.MemberID, u.SystemID, string(u.Operation), u.Count}
	}
	return map[string]any{"month": month, "usage": rows}, nil
}

// usageMonth checks a request for metered use: the query (known
// parameters only), the month, and that the reader may see it.
func (s *Server) usageMonth(r *http.Request, known ...string) (string, error) {
	if err := queryOnly(r, known...); err != nil {
		return "", err
	}
	month, err := monthParam(r)
	if err != nil {
		return "", err
	}
	return month, mayReadUsage(actorOf(r))
}

// AccessLogJSON is one page of the person's own access log.
type AccessLogJSON struct {
	Entries []web.AccessText `json:"entries"`
	// Next is the cursor of the next (older) page, absent on the last.
	Next string `json:"next,omitempty"`
}

// handleMyAccessLog lists, newest first, who used the logged-in person's
// data, in words, a page at a time; entries a legal basis withholds
// appear when the withholding ends.
func (s *Server) handleMyAccessLog(w http.ResponseWriter, r *http.Request) {
	if s.pages == nil || s.accessLog == nil {
		s.writeError(w, r, errs.E(errs.Unavailable, "unavailable", "e-ID is not configured on this server"))
		return
	}
	person, account, ok := s.pages.SessionPerson(r)
	if !ok {
		s.writeError(w, r, errs.E(errs.Unauthenticated, "unauthenticated", "log in with your e-ID account to see who used your data"))
		return
	}
	if err := queryOnly(r, "before", "limit", "lang"); err != nil {
		s.writeError(w, r, err)
		return
	}
	limit, err := parseLimit(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if limit == 0 {
		limit = 50
	}
	var before time.Time
	if b := r.URL.Query().Get("before"); b != "" {
		us, err := strconv.ParseInt(b, 10, 64)
		if err != nil || us <= 0 {
			s.writeError(w, r, errs.InvalidField("before", "format", "before is the cursor a previous page returned as next"))
			return
		}
		before = time.UnixMicro(us)
	}
	now := time.Now()
	var picked []accesslog.Entry
	more := true
	for len(picked) < limit && more {
		entries, err := s.accessLog.About(r.Context(), person, before, now, limit+1)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		more = len(entries) > limit
		for _, e := range entries {
			before = e.At
			// The person's own reads of their account are logged, but
			// they are not news to them.
			if e.ActorKind == string(actor.KindCitizen) && e.ActorID == account {
				continue
			}
			picked = append(picked, e)
			if len(picked) == limit {
				break
			}
		}
	}
	out := AccessLogJSON{Entries: s.pages.Describe(r.Context(), r, picked)}
	if len(picked) == limit && more {
		out.Next = strconv.FormatInt(picked[len(picked)-1].At.UnixMicro(), 10)
	}
	writeJSON(w, http.StatusOK, out)
}

// mayReadUsage lets national officers and the operator read metered use.
func mayReadUsage(a actor.Actor) error {
	if a.Kind == actor.KindOperator || a.Scope == actor.ScopeNational {
		return nil
	}
	return errs.E(errs.Forbidden, "forbidden", "metered use is for national officers")
}

func (s *Server) handleStatements(r *http.Request, _ struct{}) (map[string]any, error) {
	month, err := s.usageMonth(r, "month", "member")
	if err != nil {
		return nil, err
	}
	sts, err := s.exchange.Statements(r.Context(), s.tariff, month, r.URL.Query().Get("member"))
	if err != nil {
		return nil, err
	}
	if sts == nil {
		sts = []exchange.Statement{}
	}
	return map[string]any{"month": month, "currency": "VND", "statements": sts}, nil
}

// BatchJSON is a batch verification job as its system sees it.
type BatchJSON struct {
	ID            string           `json:"id"`
	Status        string           `json:"status"`
	Format        string           `json:"format"`
	Purpose       string           `json:"purpose"`
	UploadedBytes int64            `json:"uploaded_bytes"`
	Total         int64            `json:"total"`
	Done          int64            `json:"done"`
	Counts        map[string]int64 `json:"counts"`
	// Rate is records a second since the job started; ETASeconds the time
	// left at that rate.
	Rate       float64 `json:"rate"`
	ETASeconds int64   `json:"eta_seconds,omitempty"`
	Error      string  `json:"error,omitempty"`
	CreatedAt  string  `json:"created_at"`
	StartedAt  string  `json:"started_at,omitempty"`
	FinishedAt string  `json:"finished_at,omitempty"`
}

func batchJSON(b *exchange.Batch, err error) (BatchJSON, error) {
	if err != nil {
		return BatchJSON{}, err
	}
	out := BatchJSON{ID: b.ID, Status: string(b.Status), Format: b.Format, Purpose: b.Purpose, UploadedBytes: b.InputSize, Total: b.Total,
		Done: b.Done, Counts: b.Counts, Error: b.Error, CreatedAt: b.CreatedAt.UTC().Format(time.RFC3339)}
	if !b.StartedAt.IsZero() {
		out.StartedAt = b.StartedAt.UTC().Format(time.RFC3339)
		end := b.UpdatedAt
		if secs := end.Sub(b.StartedAt).Seconds(); secs > 0 && b.Done > 0 {
			out.Rate = float64(b.Done) / secs
			if b.Status == exchange.BatchRunning || b.Status == exchange.BatchQueued {
				out.ETASeconds = int64(float64(b.Total-b.Done) / out.Rate)
			}
		}
	}
	if !b.FinishedAt.IsZero() {
		out.FinishedAt = b.FinishedAt.UTC().Format(time.RFC3339)
	}
	return out, nil
}

// BatchRequest opens a batch job.
type BatchRequest struct {
	Format string `json:"format"`
}

func (s *Server) handleCreateBatch(r *http.Request, req BatchRequest) (BatchJSON, error) {
	return batchJSON(s.exchange.CreateBatch(r.Context(), callerOf(r), purposeOf(r), req.Format))
}

func (s *Server) handleBatch(r *http.Request, _ struct{}) (BatchJSON, error) {
	return batchJSON(s.exchange.BatchStatusOf(r.Context(), callerOf(r), r.PathValue("id")))
}

func (s *Server) handleStartBatch(r *http.Request, _ struct{}) (BatchJSON, error) {
	return batchJSON(s.exchange.StartBatch(r.Context(), callerOf(r), s.batchFiles, r.PathValue("id")))
}

func (s *Server) handleCancelBatch(r *http.Request, _ struct{}) (BatchJSON, error) {
	return batchJSON(s.exchange.CancelBatch(r.Context(), callerOf(r), r.PathValue("id")))
}

// handleUploadBatch appends a piece of the job's file, sent as the raw
// body (not bound by the API's 1 MiB limit) at Upload-Offset, the size
// uploaded so far: a client whose connection broke asks the job's
// uploaded_bytes and sends the rest from there.
func (s *Server) handleUploadBatch(w http.ResponseWriter, r *http.Request) {
	if s.batchFiles == nil {
		s.writeError(w, r, errs.E(errs.Unavailable, "unavailable", "batch verification is not configured on this server"))
		return
	}
	offset, err := strconv.ParseInt(r.Header.Get("Upload-Offset"), 10, 64)
	if err != nil || offset < 0 {
		s.writeError(w, r, errs.InvalidField("Upload-Offset", "format", "Upload-Offset is the number of bytes uploaded so far (0 for the first piece)"))
		return
	}
	b, err := s.exchange.UploadBatch(r.Context(), callerOf(r), s.batchFiles, r.PathValue("id"), offset, r.Body)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out, _ := batchJSON(b, nil)
	w.Header().Set("Upload-Offset", strconv.FormatInt(b.InputSize, 10))
	writeJSON(w, http.StatusOK, out)
}

// handleBatchResults streams the results written so far, as JSON lines.
func (s *Server) handleBatchResults(w http.ResponseWriter, r *http.Request) {
	if s.batchFiles == nil {
		s.writeError(w, r, errs.E(errs.Unavailable, "unavailable", "batch verification is not configured on this server"))
		return
	}
	b, err := s.exchange.BatchStatusOf(r.Context(), callerOf(r), r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	rd, err := s.batchFiles.ReadResults(b.ID, b.ResultsSize)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	defer rd.Close()
	w.Header().Set("Content-Type", "application/x-ndjson")
	w.Header().Set("X-Batch-Status", string(b.Status))
	w.Header().Set("X-Batch-Done", strconv.FormatInt(b.Done, 10))
	w.WriteHeader(http.StatusOK)
	io.Copy(w, rd)
}

// SubscriptionJSON is a subscription; Secret only in the answer that
// creates it.
type SubscriptionJSON struct {
	ID         string   `json:"id,omitempty"`
	EventTypes []string `json:"event_types"`
	Unit       string   `json:"unit,omitempty"`
	URL        string   `json:"url"`
	Purpose    string   `json:"purpose,omitempty"`
	Secret     string   `json:"secret,omitempty"`
	CreatedAt  string   `json:"created_at,omitempty"`
}

func (s *Server) handleCreateSubscription(r *http.Request, req SubscriptionJSON) (SubscriptionJSON, error) {
	sub, secret, err := s.exchange.CreateSubscription(r.Context(), callerOf(r), purposeOf(r), exchange.SubscriptionRequest{EventTypes: req.EventTypes, Unit: req.Unit, URL: req.URL})
	if err != nil {
		return SubscriptionJSON{}, err
	}
	return SubscriptionJSON{ID: sub.ID, EventTypes: sub.EventTypes, Unit: sub.Unit, URL: sub.URL, Purpose: sub.Purpose, Secret: secret,
		CreatedAt: sub.CreatedAt.UTC().Format(time.RFC3339)}, nil
}

// WatchRequest adds people to a watch list.
type WatchRequest struct {
	Numbers []string `json:"numbers"`
}

func (s *Server) handleWatch(r *http.Request, req WatchRequest) (map[string]any, error) {
	added, unknown, err := s.exchange.Watch(r.Context(), callerOf(r), r.PathValue("id"), req.Numbers)
	if err != nil {
		return nil, err
	}
	return map[string]any{"added": added, "unknown": nonNil(unknown)}, nil
}

// ReplayRequest asks for deliveries again from a point in time.
type ReplayRequest struct {
	Since string `json:"since"`
}

func (s *Server) handleReplay(r *http.Request, req ReplayRequest) (map[string]any, error) {
	since, err := parseInstant("since", req.Since)
	if err != nil {
		return nil, err
	}
	if since.IsZero() {
		return nil, errs.InvalidField("since", "required", "since is the RFC 3339 instant to replay from")
	}
	n, err := s.exchange.Replay(r.Context(), callerOf(r), r.PathValue("id"), since)
	if err != nil {
		return nil, err
	}
	return map[string]any{"replayed": n}, nil
}

// DeliveryJSON is one delivery of a subscription.
type DeliveryJSON struct {
	ID          int64  `json:"id"`
	EventID     string `json:"event_id"`
	Type        string `json:"type"`
	Status      string `json:"status"`
	Attempts    int    `json:"attempts"`
	NextAt      string `json:"next_at,omitempty"`
	LastError   string `json:"last_error,omitempty"`
	CreatedAt   string `json:"created_at"`
	DeliveredAt string `json:"delivered_at,omitempty"`
}

func (s *Server) handleDeliveries(r *http.Request, _ struct{}) (map[string]any, error) {
	if err := queryOnly(r, "status"); err != nil {
		return nil, err
	}
	status := r.URL.Query().Get("status")
	if status != "" && status != "pending" && status != "delivered" && status != "dead" {
		return nil, errs.InvalidField("status", "unknown", "status is pending, delivered or dead")
	}
	ds, err := s.exchange.DeliveriesOf(r.Context(), callerOf(r), r.PathValue("id"), status)
	if err != nil {
		return nil, err
	}
	out := make([]DeliveryJSON, len(ds))
	for i, d := range ds {
		out[i] = DeliveryJSON{ID: d.ID, EventID: d.EventID, Type: d.Type, Status: d.Status, Attempts: d.Attempts, LastError: d.LastError,
			CreatedAt: d.CreatedAt.UTC().Format(time.RFC3339)}
		if d.Status == "pending" {
			out[i].NextAt = d.NextAt.UTC().Format(time.RFC3339)
		}
		if !d.DeliveredAt.IsZero() {
			out[i].DeliveredAt = d.DeliveredAt.UTC().Format(time.RFC3339)
		}
	}
	return map[string]any{"deliveries": out}, nil
}
