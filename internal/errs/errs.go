// Package errs is dancu's one error type. Domain code returns *Error with a
// Kind (what the caller did wrong, or that we failed) and a stable Code; the
// HTTP layer maps kinds to status codes in one table and codes to RFC 9457
// problem types. Anything that is not an *Error is an internal error: its
// text goes to the log, never to the caller.
package errs

import (
	"errors"
	"fmt"
	"strings"
)

// Kind classifies an error by what the caller can do about it.
type Kind uint8

const (
	Internal         Kind = iota // our fault; details only in the log
	Invalid                      // malformed or missing input (400)
	Unauthenticated              // no or bad credentials (401)
	Forbidden                    // authenticated but not allowed (403)
	NotFound                     // no such resource (404)
	Conflict                     // the request contradicts the record (409)
	Precondition                 // If-Match did not match (412)
	TooLarge                     // body over the limit (413)
	Unsupported                  // wrong media type (415)
	Unprocessable                // well-formed but breaks a rule (422)
	Unavailable                  // not ready; try again (503)
	MethodNotAllowed             // the path exists but not with this method (405)
	TooMany                      // too many attempts; try again later (429, Retry-After)
)

// Field names one offending input field.
type Field struct {
	// Name is the JSON field name ("birth_date") or a path ("parents.0.pid");
	// for query parameters and headers, their name.
	Name string `json:"name"`
	// Reason is a stable machine-readable reason: "required", "format",
	// "unknown", "future", "inconsistent", "type", "not_allowed", ...
	Reason string `json:"reason"`
	// Message says, in English, what is wrong and what would be right.
	Message string `json:"message"`
}

// Error is the error type of every dancu package.
type Error struct {
	Kind Kind
	// Code is stable and becomes the problem type: "invalid-field",
	// "rule-violation", "conflicting-event", ...
	Code string
	// Message is the human-readable detail, in English.
	Message string
	Fields  []Field
	// Extra holds machine-readable members added to the problem document,
	// such as the id of a conflicting event or the candidates of a split
	// administrative unit.
	Extra map[string]any
	// Err is the underlying cause, kept for logs and errors.Is.
	Err error
}

func (e *Error) Error() string {
	if e.Message == "" && e.Err != nil {
		return e.Err.Error()
	}
	return e.Message
}

func (e *Error) Unwrap() error { return e.Err }

// E returns a new error of the given kind and code.
func E(k Kind, code, format string, args ...any) *Error {
	return &Error{Kind: k, Code: code, Message: fmt.Sprintf(format, args...)}
}

// InvalidField returns an Invalid error naming one field.
func InvalidField(field, reason, format string, args ...any) *Error {
	msg := fmt.Sprintf(format, args...)
	return &Error{Kind: Invalid, Code: "invalid-field", Message: field + ": " + msg,
		Fields: []Field{{Name: field, Reason: reason, Message: msg}}}
}

// RuleField returns an Unprocessable error: a well-formed field that breaks
// a consistency rule of the registry.
func RuleField(field, reason, format string, args ...any) *Error {
	msg := fmt.Sprintf(format, args...)
	return &Error{Kind: Unprocessable, Code: "rule-violation", Message: msg,
		Fields: []Field{{Name: field, Reason: reason, Message: msg}}}
}

// With returns a copy of e carrying the extra member key=value.
func (e *Error) With(key string, value any) *Error {
	c := *e
	c.Extra = make(map[string]any, len(e.Extra)+1)
	for k, v := range e.Extra {
		c.Extra[k] = v
	}
	c.Extra[key] = value
	return &c
}

// Wrap returns a copy of e whose cause is err.
func (e *Error) Wrap(err error) *Error {
	c := *e
	c.Err = err
	return &c
}

// Fields collects several field errors of one request into one Invalid
// error, so a client learns every problem at once. It returns nil when
// there are none.
type Fields []Field

// Add records a problem with field.
func (fs *Fields) Add(field, reason, format string, args ...any) {
	*fs = append(*fs, Field{Name: field, Reason: reason, Message: fmt.Sprintf(format, args...)})
}

// Err returns the collected problems as one error, or nil.
func (fs Fields) Err() error {
	if len(fs) == 0 {
		return nil
	}
	parts := make([]string, len(fs))
	for i, f := range fs {
		parts[i] = f.Name + ": " + f.Message
	}
	return &Error{Kind: Invalid, Code: "invalid-field", Message: strings.Join(parts, "; "), Fields: fs}
}

// KindOf returns the kind of err: the kind of the first *Error in its chain,
// or Internal.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return Internal
}

// Is reports whether err is an *Error of kind k.
func Is(err error, k Kind) bool { return err != nil && KindOf(err) == k }
