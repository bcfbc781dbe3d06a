// Package eid runs electronic identification accounts (tài khoản định
// danh điện tử): one per living citizen of the registry, at level 1 when
// registered online and level 2 when verified in person.
//
// Level 1 proves more than a photocopied card would: the personal ID
// number, name and birth date must match the registry, and so must the
// phone number, which must be one the registry holds for the person (from
// registry events or a telco's verified subscriber data), and a one-time
// code sent to it proves the person holds it. Level 2 is an officer's
// in-person verification, and a session reaches level 2 only when a
// level-2 account used its second factor (a TOTP code or a passkey) in
// it. An in-person enrolment always wins over an account someone else may
// have opened in the person's name: it removes that account's password,
// second factors and sessions, and the person activates it again with the
// code the officer hands over.
//
// Passwords follow NIST SP 800-63B (length, a list of common passwords, no
// composition rules) and are hashed with argon2id. Guessing is throttled
// per account and per source address with delays that grow and are
// capped, never a permanent lock an attacker could impose on a victim.
// Sessions are cookie tokens stored only as keyed hashes; a person sees
// their sessions and ends any, locks their account at once, recovers it
// through a verified contact (which drops it to level 1 until verified in
// person again). A dead person's account is closed when the registry
// records the death, at the next use.
//
// Nothing secret is logged: one-time codes go only to the Notifier, and
// what is logged of a message is Redact's masked form.
package eid
