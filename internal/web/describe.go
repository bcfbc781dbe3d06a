package web

import (
	"context"
	"net/http"
	"strings"
	"time"

	"dancu/internal/accesslog"
	"dancu/internal/actor"
)

// AccessText is one use of a person's data as the person reads it.
type AccessText struct {
	At         time.Time `json:"at"`
	Who        string    `json:"who"`
	Purpose    string    `json:"purpose"`
	LegalBasis string    `json:"legal_basis,omitempty"`
	Fields     []string  `json:"fields"`
	Result     string    `json:"result,omitempty"`
	// Text says it all in one sentence: "Cục Thuế đã xác minh họ và tên,
	// ngày sinh của bạn (mục đích: kiểm tra đăng ký thuế), 14:02
	// 25/11/2026".
	Text string `json:"text"`
}

// verified reports whether an entry answered a question (a verification,
// is-alive, a residence confirmation) rather than returning data.
func verified(e accesslog.Entry) bool {
	return e.Result != "" && e.Result != "found" && !refused(e)
}

// refused reports whether the request was refused after the person was
// found (no consent): nothing about them was answered.
func refused(e accesslog.Entry) bool { return strings.HasPrefix(e.Result, "refused") }

// Describe words access-log entries for the person they are about, in the
// request's language.
func (s *Server) Describe(ctx context.Context, r *http.Request, entries []accesslog.Entry) []AccessText {
	l := langOf(r)
	names := map[string]string{}
	out := make([]AccessText, len(entries))
	for i, e := range entries {
		who := s.who(ctx, l, e, names)
		verb := l.T("verb.read")
		switch {
		case refused(e):
			verb = l.T("verb.refused")
		case verified(e):
			verb = l.T("verb.verify")
		case e.Action == accesslog.ActionSearch:
			verb = l.T("verb.search")
		case e.Action == accesslog.ActionWrite:
			verb = l.T("verb.write")
		}
		fields := fieldNames(l, e.Fields)
		var b strings.Builder
		b.WriteString(who + " " + verb + " ")
		if l == English {
			b.WriteString("your " + fields)
		} else {
			b.WriteString(fields + " " + l.T("access.your"))
		}
		if e.Purpose != "" {
			b.WriteString(" (" + l.T("access.purpose") + ": " + e.Purpose + ")")
		}
		b.WriteString(", " + e.At.In(hcm).Format("15:04 02/01/2006"))
		out[i] = AccessText{At: e.At, Who: who, Purpose: e.Purpose, LegalBasis: e.LegalBasis, Fields: e.Fields, Result: e.Result, Text: b.String()}
	}
	return out
}

// SessionPerson returns the person whose e-ID session the request
// carries, and their account's id.
func (s *Server) SessionPerson(r *http.Request) (person int64, accountID string, ok bool) {
	_, a := s.session(r)
	if a == nil {
		return 0, "", false
	}
	return int64(a.Person), a.ID, true
}

// ownRead reports whether an entry is the person's own reading of their
// data through their account, which is logged but not news to them.
func ownRead(e accesslog.Entry, accountID string) bool {
	return e.ActorKind == string(actor.KindCitizen) && e.ActorID == accountID
}
