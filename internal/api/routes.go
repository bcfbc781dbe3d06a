package api

import (
	"net/http"
	"strings"

	"dancu/internal/errs"
)

// Route is one operation of the API; the OpenAPI description is checked
// against this list in a test.
type Route struct {
	Method, Pattern string
}

// Routes lists every route the server answers.
var Routes = []Route{
	{"GET", "/healthz"},
	{"GET", "/readyz"},
	{"GET", "/api/openapi.json"},
	{"POST", "/api/v1/births"},
	{"GET", "/api/v1/citizens"},
	{"GET", "/api/v1/citizens/{pid}"},
	{"GET", "/api/v1/citizens/{pid}/events"},
	{"POST", "/api/v1/citizens/{pid}/events"},
	{"GET", "/api/v1/households/{id}"},
	{"GET", "/api/v1/places/{code}"},
	{"GET", "/api/v1/duplicates"},
	{"POST", "/api/v1/duplicates/{id}/reject"},
	{"GET", "/api/v1/merges"},
	{"POST", "/api/v1/merges"},
	{"POST", "/api/v1/merges/{id}/approve"},
	{"POST", "/api/v1/merges/{id}/reject"},
	{"POST", "/api/v1/merges/{id}/unmerge"},
	{"GET", "/api/v1/quality"},
	{"POST", "/api/v1/eid/enrolments"},
	{"GET", "/api/v1/eid/accounts/{pid}"},
	{"POST", "/api/v1/exchange/members"},
	{"POST", "/api/v1/exchange/systems"},
	{"POST", "/api/v1/exchange/systems/{id}/checks"},
	{"POST", "/api/v1/exchange/systems/{id}/stage"},
	{"GET", "/api/v1/exchange/stages"},
	{"POST", "/api/v1/exchange/grants"},
	{"POST", "/api/v1/exchange/grants/{id}/revoke"},
	{"GET", "/api/v1/exchange/usage"},
	{"GET", "/api/v1/exchange/statements"},
	{"POST", "/api/v1/gateway/lookup"},
	{"POST", "/api/v1/gateway/verify"},
	{"POST", "/api/v1/gateway/alive"},
	{"POST", "/api/v1/gateway/residence"},
	{"POST", "/api/v1/gateway/household"},
	{"POST", "/api/v1/gateway/batches"},
	{"GET", "/api/v1/gateway/batches/{id}"},
	{"PATCH", "/api/v1/gateway/batches/{id}/input"},
	{"POST", "/api/v1/gateway/batches/{id}/start"},
	{"POST", "/api/v1/gateway/batches/{id}/cancel"},
	{"GET", "/api/v1/gateway/batches/{id}/results"},
	{"POST", "/api/v1/gateway/subscriptions"},
	{"POST", "/api/v1/gateway/subscriptions/{id}/watch"},
	{"GET", "/api/v1/gateway/subscriptions/{id}/deliveries"},
	{"POST", "/api/v1/gateway/subscriptions/{id}/replay"},
	{"GET", "/api/v1/me/access-log"},
}

func (s *Server) routes(mux *http.ServeMux) {
	mux.Handle("GET /healthz", s.handleHealthz())
	mux.Handle("GET /readyz", s.handleHealthz())
	mux.Handle("GET /api/openapi.json", handleOpenAPI())
	mux.Handle("POST /api/v1/births", s.authenticated(s.handleBirth))
	mux.Handle("GET /api/v1/citizens", s.authenticated(s.handleSearch))
	mux.Handle("GET /api/v1/citizens/{pid}", s.authenticated(s.handleCitizen))
	mux.Handle("GET /api/v1/citizens/{pid}/events", s.authenticated(s.handleEvents))
	mux.Handle("POST /api/v1/citizens/{pid}/events", s.authenticated(s.handleRecordEvent))
	mux.Handle("GET /api/v1/households/{id}", s.authenticated(s.handleHousehold))
	mux.Handle("GET /api/v1/places/{code}", s.authenticated(s.handlePlace))
	mux.Handle("GET /api/v1/duplicates", s.authenticated(s.handleDuplicates))
	mux.Handle("POST /api/v1/duplicates/{id}/reject", s.authenticated(s.handleRejectCandidate))
	mux.Handle("GET /api/v1/merges", s.authenticated(s.handleMerges))
	mux.Handle("POST /api/v1/merges", s.authenticated(s.handleProposeMerge))
	mux.Handle("POST /api/v1/merges/{id}/approve", s.authenticated(s.handleMergeDecision("approve")))
	mux.Handle("POST /api/v1/merges/{id}/reject", s.authenticated(s.handleMergeDecision("reject")))
	mux.Handle("POST /api/v1/merges/{id}/unmerge", s.authenticated(s.handleMergeDecision("unmerge")))
	mux.Handle("GET /api/v1/quality", s.authenticated(s.handleQuality))
	mux.Handle("POST /api/v1/eid/enrolments", s.authenticated(s.handleEnrolment))
	mux.Handle("GET /api/v1/eid/accounts/{pid}", s.authenticated(s.handleAccount))
	mux.Handle("POST /api/v1/exchange/members", s.authenticated(jsonCall(s, http.StatusCreated, s.handleCreateMember)))
	mux.Handle("POST /api/v1/exchange/systems", s.authenticated(jsonCall(s, http.StatusCreated, s.handleApplySystem)))
	mux.Handle("POST /api/v1/exchange/systems/{id}/checks", s.authenticated(jsonCall(s, http.StatusOK, s.handleRecordCheck)))
	mux.Handle("POST /api/v1/exchange/systems/{id}/stage", s.authenticated(jsonCall(s, http.StatusOK, s.handleMoveSystem)))
	mux.Handle("GET /api/v1/exchange/stages", s.authenticated(jsonCall(s, http.StatusOK, s.handleStages)))
	mux.Handle("POST /api/v1/exchange/grants", s.authenticated(jsonCall(s, http.StatusCreated, s.handleCreateGrant)))
	mux.Handle("POST /api/v1/exchange/grants/{id}/revoke", s.authenticated(jsonCall(s, http.StatusOK, s.handleRevokeGrant)))
	mux.Handle("GET /api/v1/exchange/usage", s.authenticated(jsonCall(s, http.StatusOK, s.handleUsage)))
	mux.Handle("GET /api/v1/exchange/statements", s.authenticated(jsonCall(s, http.StatusOK, s.handleStatements)))
	mux.Handle("POST /api/v1/gateway/lookup", s.system(jsonCall(s, http.StatusOK, s.handleGatewayLookup)))
	mux.Handle("POST /api/v1/gateway/verify", s.system(jsonCall(s, http.StatusOK, s.handleGatewayVerify)))
	mux.Handle("POST /api/v1/gateway/alive", s.system(jsonCall(s, http.StatusOK, s.handleGatewayAlive)))
	mux.Handle("POST /api/v1/gateway/residence", s.system(jsonCall(s, http.StatusOK, s.handleGatewayResidence)))
	mux.Handle("POST /api/v1/gateway/household", s.system(jsonCall(s, http.StatusOK, s.handleGatewayHousehold)))
	mux.Handle("POST /api/v1/gateway/batches", s.system(jsonCall(s, http.StatusCreated, s.handleCreateBatch)))
	mux.Handle("GET /api/v1/gateway/batches/{id}", s.system(jsonCall(s, http.StatusOK, s.handleBatch)))
	mux.Handle("PATCH /api/v1/gateway/batches/{id}/input", s.system(s.handleUploadBatch))
	mux.Handle("POST /api/v1/gateway/batches/{id}/start", s.system(jsonCall(s, http.StatusOK, s.handleStartBatch)))
	mux.Handle("POST /api/v1/gateway/batches/{id}/cancel", s.system(jsonCall(s, http.StatusOK, s.handleCancelBatch)))
	mux.Handle("GET /api/v1/gateway/batches/{id}/results", s.system(s.handleBatchResults))
	mux.Handle("POST /api/v1/gateway/subscriptions", s.system(jsonCall(s, http.StatusCreated, s.handleCreateSubscription)))
	mux.Handle("POST /api/v1/gateway/subscriptions/{id}/watch", s.system(jsonCall(s, http.StatusOK, s.handleWatch)))
	mux.Handle("GET /api/v1/gateway/subscriptions/{id}/deliveries", s.system(jsonCall(s, http.StatusOK, s.handleDeliveries)))
	mux.Handle("POST /api/v1/gateway/subscriptions/{id}/replay", s.system(jsonCall(s, http.StatusOK, s.handleReplay)))
	mux.Handle("GET /api/v1/me/access-log", http.HandlerFunc(s.handleMyAccessLog))
	// A known path with the wrong method gets 405 with Allow, an unknown
	// path 404, both as problem documents.
	allowed := map[string][]string{}
	for _, rt := range Routes {
		allowed[rt.Pattern] = append(allowed[rt.Pattern], rt.Method)
	}
	paths := http.NewServeMux()
	for p := range allowed {
		paths.Handle(p, http.NotFoundHandler())
	}
	fallback := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, p := paths.Handler(r); p != "" {
			w.Header().Set("Allow", strings.Join(allowed[p], ", "))
			s.writeError(w, r, errs.E(errs.MethodNotAllowed, "method-not-allowed", "%s does not accept %s; it accepts %s", p, r.Method, strings.Join(allowed[p], ", ")))
			return
		}
		s.writeError(w, r, errs.E(errs.NotFound, "not-found", "no endpoint %s %s; see /api/openapi.json", r.Method, r.URL.Path))
	})
	mux.Handle("/", fallback)
}
