package web

import (
	"context"
	"slices"
	"strings"
	"time"

	"dancu/internal/accesslog"
	"dancu/internal/actor"
	"dancu/internal/civil"
	"dancu/internal/eid"
)

// accessView is one line of "who used my data" on the account page.
type accessView struct {
	At      time.Time
	Who     string
	Purpose string
	Fields  string
}

// shownAccesses is how many uses of their data a person sees on the
// account page; the data-sharing gateway's API pages through all of them.
const shownAccesses = 20

// accesses lists the latest uses of the account's person's data, in words
// the person understands. The person's own reads (this page reads their
// name) are left out: they are logged, but they are not news.
func (s *Server) accesses(ctx context.Context, l Lang, a *eid.Account) ([]accessView, error) {
	if s.AccessLog == nil {
		return nil, nil
	}
	var out []accessView
	clients := map[string]string{}
	var before time.Time
	for len(out) < shownAccesses {
		entries, err := s.AccessLog.About(ctx, int64(a.Person), before, time.Now(), 4*shownAccesses)
		if err != nil {
			return nil, err
		}
		for _, e := range entries {
			if ownRead(e, a.ID) {
				continue
			}
			out = append(out, accessView{At: e.At, Who: s.who(ctx, l, e, clients), Purpose: e.Purpose, Fields: fieldNames(l, e.Fields)})
			if len(out) == shownAccesses {
				break
			}
		}
		if len(entries) < 4*shownAccesses {
			break
		}
		before = entries[len(entries)-1].At
	}
	return out, nil
}

func (s *Server) who(ctx context.Context, l Lang, e accesslog.Entry, clients map[string]string) string {
	switch actor.Kind(e.ActorKind) {
	case actor.KindClient:
		if e.Member != "" && s.MemberName != nil {
			// A system of the data-sharing gateway: its organisation.
			if name := s.MemberName(ctx, e.Member); name != "" {
				return name
			}
		}
		name, ok := clients[e.ActorID]
		if !ok && s.OIDC != nil {
			if c, err := s.OIDC.Client(ctx, e.ActorID); err == nil {
				name = c.Name
			}
			clients[e.ActorID] = name
		}
		if name == "" {
			return l.T("who.client")
		}
		return name
	case actor.KindOfficer:
		who := l.T("who.officer")
		if e.Unit == actor.NationalUnit {
			return who + " · " + l.T("who.national")
		}
		if s.Places != nil {
			if u, err := s.Places.Lookup(e.Unit, civil.DateOf(e.At.In(hcm))); err == nil {
				return who + " · " + u.Name
			}
		}
		return who + " · " + e.Unit
	case actor.KindSystem:
		return l.T("who.system")
	case actor.KindOperator:
		return l.T("who.operator")
	case actor.KindCitizen:
		return l.T("who.citizen")
	}
	return e.ActorKind
}

// fieldNames names the fields read, in the page's language; a field with
// no translation shows as the API spells it.
// Several fields may share a name (an OpenID claim and its parts: name,
// given_name, family_name), which then shows once; a read of most of the
// record is called that.
func fieldNames(l Lang, fields []string) string {
	if len(fields) == 0 || len(fields) >= wholeRecord {
		return l.T("field.record")
	}
	var names []string
	for _, f := range fields {
		n := l.T("field." + f)
		if n == "field."+f {
			n = f
		}
		if !slices.Contains(names, n) {
			names = append(names, n)
		}
	}
	return strings.Join(names, ", ")
}

// wholeRecord is how many fields make a read "the whole record".
const wholeRecord = 12
