package accesslog_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"reflect"
	"testing"
	"time"

	"dancu/internal/accesslog"
)

func goldenEntry() accesslog.Entry {
	return accesslog.Entry{
		At:          time.Date(2026, 12, 3, 10, 0, 0, 123456789, time.UTC),
		ActorKind:   "officer",
		ActorID:     "42",
		Role:        "registrar",
		Unit:        "79",
		Purpose:     "civil-status",
		PersonKey:   7,
		Fields:      []string{"name", "birth_date"},
		Action:      accesslog.ActionRead,
		RequestID:   "req-1",
		Member:      "",
		LegalBasis:  "Law 59/2019",
		Result:      "match",
		VisibleFrom: time.Time{},
	}
}

// TestLeafGolden pins version 1 of the encoding; the values were computed
// independently of this package, from the layout documented on Leaf. Never update these values:
// logs already written are verified against them. A new encoding needs a
// new version byte, and entries written before it keep the old one.
func TestLeafGolden(t *testing.T) {
	const wantLeaf = "01" + // version
		"000661b7d2948a40" + // At, µs (nanoseconds dropped)
		"000000076f666669636572" + // "officer"
		"000000023432" + // "42"
		"00000009726567697374726172" + // "registrar"
		"000000023739" + // "79"
		"0000000c636976696c2d737461747573" + // "civil-status"
		"0000000000000007" + // PersonKey
		"00000002" + "000000046e616d65" + "0000000a62697274685f64617465" + // Fields
		"0000000472656164" + // "read"
		"000000057265712d31" + // "req-1"
		"00000000" + // Member
		"0000000b4c61772035392f32303139" + // "Law 59/2019"
		"000000056d61746368" + // "match"
		"ff23400100d44000" // VisibleFrom: the zero time
	const wantHash = "2cfeeba23120696ea5aa02d608b9f4a476080f22cbea9280f5636ccb987f42c8"

	e := goldenEntry()
	if got := hex.EncodeToString(e.Leaf()); got != wantLeaf {
		t.Errorf("Leaf() =\n%s\nwant\n%s", got, wantLeaf)
	}
	h := accesslog.LeafHash(e)
	if got := hex.EncodeToString(h[:]); got != wantHash {
		t.Errorf("LeafHash() = %s, want %s", got, wantHash)
	}
}

func TestLeafHashIsRFC6962LeafHash(t *testing.T) {
	e := goldenEntry()
	want := sha256.Sum256(append([]byte{0x00}, e.Leaf()...))
	if got := accesslog.LeafHash(e); got != want {
		t.Errorf("LeafHash = %x, want SHA-256(0x00 || Leaf) = %x", got, want)
	}
}

// TestLeafCoversEveryField changes each field of Entry in turn, found by
// reflection, so that a field added to Entry but not to Leaf fails here
// instead of going unprotected by the signatures.
func TestLeafCoversEveryField(t *testing.T) {
	base := goldenEntry()
	baseLeaf := base.Leaf()
	typ := reflect.TypeFor[accesslog.Entry]()
	for i := range typ.NumField() {
		field := typ.Field(i)
		t.Run(field.Name, func(t *testing.T) {
			changed := goldenEntry()
			v := reflect.ValueOf(&changed).Elem().Field(i)
			switch {
			case field.Type == reflect.TypeFor[time.Time]():
				v.Set(reflect.ValueOf(v.Interface().(time.Time).Add(time.Microsecond)))
			case field.Type.Kind() == reflect.String:
				v.SetString(v.String() + "x")
			case field.Type.Kind() == reflect.Int64:
				v.SetInt(v.Int() + 1)
			case field.Type == reflect.TypeFor[[]string]():
				v.Set(reflect.Append(v, reflect.ValueOf("x")))
			default:
				t.Fatalf("Entry.%s has type %v, which this test cannot change: extend Leaf (with a new version) and this test", field.Name, field.Type)
			}
			if bytes.Equal(changed.Leaf(), baseLeaf) {
				t.Errorf("changing Entry.%s leaves Leaf unchanged: add it to Leaf, with a new version", field.Name)
			}
		})
	}
}

// TestLeafUnambiguous tries pairs of entries that a naive concatenation
// would encode alike.
func TestLeafUnambiguous(t *testing.T) {
	tests := []struct {
		name string
		a, b accesslog.Entry
	}{
		{"byte moved between fields",
			accesslog.Entry{ActorKind: "ab", ActorID: ""},
			accesslog.Entry{ActorKind: "a", ActorID: "b"}},
		{"field list split differently",
			accesslog.Entry{Fields: []string{"a,b"}},
			accesslog.Entry{Fields: []string{"a", "b"}}},
		{"empty field name added",
			accesslog.Entry{Fields: []string{"a"}},
			accesslog.Entry{Fields: []string{"a", ""}}},
		{"field order",
			accesslog.Entry{Fields: []string{"a", "b"}},
			accesslog.Entry{Fields: []string{"b", "a"}}},
		{"zero time versus the epoch",
			accesslog.Entry{},
			accesslog.Entry{VisibleFrom: time.Unix(0, 0)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if bytes.Equal(tt.a.Leaf(), tt.b.Leaf()) {
				t.Errorf("%+v and %+v share an encoding", tt.a, tt.b)
			}
		})
	}
}

func TestLeafTimes(t *testing.T) {
	e := goldenEntry()
	t.Run("time zone does not matter", func(t *testing.T) {
		other := e
		other.At = e.At.In(time.FixedZone("ICT", 7*60*60))
		if !bytes.Equal(e.Leaf(), other.Leaf()) {
			t.Error("the same instant in another zone encodes differently")
		}
	})
	t.Run("nanoseconds are dropped", func(t *testing.T) {
		other := e
		other.At = e.At.Truncate(time.Microsecond)
		if !bytes.Equal(e.Leaf(), other.Leaf()) {
			t.Error("nanoseconds change the encoding, but stores keep microseconds")
		}
	})
	t.Run("nil and empty Fields are alike", func(t *testing.T) {
		a, b := e, e
		a.Fields, b.Fields = nil, []string{}
		if !bytes.Equal(a.Leaf(), b.Leaf()) {
			t.Error("nil and empty Fields encode differently, but a store cannot tell them apart")
		}
	})
}
