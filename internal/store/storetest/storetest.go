// Package storetest is the conformance suite every storage backend passes:
// the registry's rules, history, concurrency and failure guarantees run
// against a real database through the registry and officer services.
// A backend's test calls Run in a few lines.
package storetest

import (
	"context"
	"crypto/rand"
	"io"
	"iter"
	mrand "math/rand/v2"
	"sync"
	"testing"
	"time"

	"dancu/internal/accesslog"
	"dancu/internal/actor"
	"dancu/internal/civil"
	"dancu/internal/eid"
	"dancu/internal/exchange"
	"dancu/internal/officer"
	"dancu/internal/oidc"
	"dancu/internal/place"
	"dancu/internal/registry"
)

// Backend is what a storage backend provides.
type Backend interface {
	Registry() registry.Store
	Officers() officer.Store
	EID() eid.Store
	OIDC() oidc.Store
	Exchange() exchange.Store
	AccessLogSequencer() accesslog.SequenceStore
	SequencedEntries(ctx context.Context) iter.Seq2[accesslog.Entry, error]
	accesslog.Reader
	Counts(ctx context.Context) (map[string]int64, error)
}

// Run runs the whole suite; open returns a new, empty, migrated backend.
func Run(t *testing.T, open func(testing.TB) Backend) {
	tests := []struct {
		name string
		fn   func(*testing.T, *fixture)
	}{
		{"BirthIssuesValidNumber", testBirth},
		{"BirthRefusesBadInput", testBirthBadInput},
		{"BirthParents", testBirthParents},
		{"IdempotentBirth", testIdempotentBirth},
		{"ResidenceAndHouseholds", testResidence},
		{"HeadMustBeReplaced", testHeadLeaves},
		{"MarriageRules", testMarriage},
		{"NameChangeAndSearch", testNameChangeSearch},
		{"BackdatedCorrectionBitemporal", testCorrectionBitemporal},
		{"CorrectionIssuesNewNumber", testCorrectionNewNumber},
		{"BackdatedConflictRefused", testBackdatedConflict},
		{"DeathEndsEverything", testDeath},
		{"PlacesValidOnDate", testPlaceValidity},
		{"Jurisdiction", testJurisdiction},
		{"IfMatch", testIfMatch},
		{"EventHistoryPages", testEventPages},
		{"LegacyAndPhone", testLegacyPhone},
		{"NothingWrittenOnError", testNothingWritten},
		{"ConcurrentConflictingEvents", testConcurrentConflicts},
		{"ConcurrentBirthsUniqueNumbers", testConcurrentBirths},
		{"NumberCollisionsRetried", testNumberCollisions},
		{"AccessLogAndOutbox", testAccessLogOutbox},
		{"AccessLogAboutAPerson", testAccessLogAbout},
		{"ExamineJoinedAsAlone", testExamineJoined},
		{"ExchangeGateAndGrants", testExchange},
		{"ExchangeBatch", testExchangeBatch},
		{"ExchangeTelcoLoop", testTelcoLoop},
		{"ExchangeWithheld", testExchangeWithheld},
		{"AccessLogSequencing", testAccessLogSequencing},
		{"Officers", testOfficers},
		{"BackdatedNumberCorrectionRefused", testBackdatedNumberCorrection},
		{"RecordingOrderFollowsChecks", testRecordingOrder},
		{"ReplayIsAccessLogged", testReplayLogged},
		{"ExpiredTemporaryResidenceEndsAuthority", testExpiredTemporaryAuthority},
		{"LateRegistrationUnderTodaysCode", testLateRegistration},
		{"CorrectionBetweenPlaceAndCountry", testCorrectionPlaceCountry},
		{"ParentChildIntegrity", testParentChildIntegrity},
		{"BackdatedSecondHeadRefused", testBackdatedHead},
		{"OutsiderLearnsNothing", testOutsiderLearnsNothing},
		{"MergeNeedsTwoOfficersAndUnmerges", testMergeUnmerge},
		{"EIDAccounts", testEIDAccounts},
		{"EIDCredentials", testEIDCredentials},
		{"EIDSessions", testEIDSessions},
		{"EIDChallenges", testEIDChallenges},
		{"EIDThrottleAndAudit", testEIDThrottleAudit},
		{"OIDCClients", testOIDCClients},
		{"OIDCAuthRequests", testOIDCAuthRequests},
		{"OIDCCodeExchangedOnce", testOIDCCodeExchangedOnce},
		{"OIDCRefreshTokens", testOIDCRefreshTokens},
		{"OIDCRefreshTokenUsedOnce", testOIDCRefreshTokenUsedOnce},
		{"OIDCRevocations", testOIDCRevocations},
		{"OIDCConsents", testOIDCConsents},
		{"OIDCSigningKeys", testOIDCSigningKeys},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.fn(t, newFixture(open(t)))
		})
	}
}

// Today is the date the suite's clock starts on.
var Today = civil.NewDate(2026, time.November, 25)

// fixture is a backend with services on a stepping clock.
type fixture struct {
	b        Backend
	reg      *registry.Service
	officers *officer.Service
	clock    *stepClock
	national actor.Actor
	ctx      context.Context
}

// stepClock advances a second on every reading, so every event has its own
// recording instant and known_at reads can fall between them.
type stepClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *stepClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(time.Second)
	return c.now
}

// lockedReader makes a seeded generator safe for concurrent use.
type lockedReader struct {
	mu sync.Mutex
	r  io.Reader
}

func (l *lockedReader) Read(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.r.Read(p)
}

func newFixture(b Backend) *fixture {
	clock := &stepClock{now: Today.Time().Add(9 * time.Hour)}
	var seed [32]byte
	rand.Read(seed[:])
	rnd := &lockedReader{r: mrand.NewChaCha8(seed)}
	places := place.Default()
	return &fixture{
		b:        b,
		reg:      registry.NewService(b.Registry(), places, clock.Now, rnd),
		officers: &officer.Service{Store: b.Officers(), Places: places, Clock: clock.Now, Rand: rnd, HashKey: []byte("conformance-suite-token-hash-key")},
		clock:    clock,
		national: national,
		ctx:      context.Background(),
	}
}

// national is a national-scope registry officer.
var national = actor.Actor{Kind: actor.KindOfficer, ID: "off_national", Name: "Cán bộ Trung ương", Role: actor.RoleRegistry, Unit: actor.NationalUnit, Scope: actor.ScopeNational, Purpose: "test"}

// commune returns an actor of a commune officer.
func commune(code string) actor.Actor {
	return actor.Actor{Kind: actor.KindOfficer, ID: "off_" + code, Role: actor.RoleRegistry, Unit: code, Scope: actor.ScopeCommune, Purpose: "test"}
}
