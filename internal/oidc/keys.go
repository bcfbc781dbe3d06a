package oidc

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"sync"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/zitadel/oidc/v3/pkg/op"
)

// Signing keys are ES256 keys kept in the database, their private halves
// encrypted with the master key. A key signs for KeySigning, then retires;
// it stays in the JWKS until nothing it signed can still be valid (the
// longest token lifetime after it retired), so relying parties never meet
// a token they cannot verify. Every process serving one database signs
// with the newest key; a rotation (dancu oidc rotate-key, or age) starts
// a new one.

// Lifetimes.
const (
	KeySigning           = 30 * 24 * time.Hour
	IDTokenLifetime      = 15 * time.Minute
	AccessTokenLifetime  = 10 * time.Minute
	RefreshTokenLifetime = 30 * 24 * time.Hour
	AuthRequestLifetime  = 15 * time.Minute
	// keyGrace is how long a retired key stays published: longer than any
	// token it signed lives.
	keyGrace = 2 * time.Hour
)

// Sealer encrypts private keys at rest.
type Sealer interface {
	Seal(plaintext, additional []byte) ([]byte, error)
	Open(ciphertext, additional []byte) ([]byte, error)
}

type signingKey struct {
	id  string
	key *ecdsa.PrivateKey
}

func (k *signingKey) SignatureAlgorithm() jose.SignatureAlgorithm { return jose.ES256 }
func (k *signingKey) Key() any                                    { return k.key }
func (k *signingKey) ID() string                                  { return k.id }

type publicKey struct {
	id  string
	key *ecdsa.PublicKey
}

func (k *publicKey) ID() string                         { return k.id }
func (k *publicKey) Algorithm() jose.SignatureAlgorithm { return jose.ES256 }
func (k *publicKey) Use() string                        { return "sig" }
func (k *publicKey) Key() any                           { return k.key }

// keyring caches the keys in force, reloading them now and then so that
// a rotation by another process is seen.
type keyring struct {
	store  Store
	sealer Sealer
	now    func() time.Time

	mu     sync.Mutex
	loaded time.Time
	signer *signingKey
	public []op.Key
}

const keyringRefresh = time.Minute

func (r *keyring) current(ctx context.Context) (*signingKey, []op.Key, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	now := r.now()
	if r.signer != nil && now.Sub(r.loaded) < keyringRefresh {
		return r.signer, r.public, nil
	}
	if err := r.load(ctx, now, false); err != nil {
		return nil, nil, err
	}
	return r.signer, r.public, nil
}

// rotate starts a new signing key now.
func (r *keyring) rotate(ctx context.Context) (string, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.load(ctx, r.now(), true); err != nil {
		return "", err
	}
	return r.signer.id, nil
}

func (r *keyring) load(ctx context.Context, now time.Time, force bool) error {
	var keys []SigningKey
	if err := r.store.View(ctx, func(tx Tx) error {
		var err error
		keys, err = tx.SigningKeys(ctx, now)
		return err
	}); err != nil {
		return err
	}
	var active *SigningKey
	for i := range keys {
		if now.Before(keys[i].RetireAt) {
			active = &keys[i]
			break
		}
	}
	if active == nil || force {
		k, err := r.create(ctx, now)
		if err != nil {
			return err
		}
		if err := r.store.View(ctx, func(tx Tx) error {
			var err error
			keys, err = tx.SigningKeys(ctx, now)
			return err
		}); err != nil {
			return err
		}
		active = nil
		for i := range keys {
			if keys[i].ID == k {
				active = &keys[i]
			}
		}
		if active == nil {
			return fmt.Errorf("signing key %s vanished", k)
		}
	}
	raw, err := r.sealer.Open(active.PrivateKey, []byte(active.ID))
	if err != nil {
		return fmt.Errorf("signing key %s: %w (is this the master key the keys were made with?)", active.ID, err)
	}
	priv, err := x509.ParseECPrivateKey(raw)
	if err != nil {
		return err
	}
	r.signer = &signingKey{id: active.ID, key: priv}
	r.public = r.public[:0]
	for _, k := range keys {
		var jwk jose.JSONWebKey
		if err := json.Unmarshal(k.PublicJWK, &jwk); err != nil {
			return err
		}
		pub, ok := jwk.Key.(*ecdsa.PublicKey)
		if !ok {
			continue
		}
		r.public = append(r.public, &publicKey{id: k.ID, key: pub})
	}
	r.loaded = now
	return nil
}

// create stores a new key and retires the ones signing.
func (r *keyring) create(ctx context.Context, now time.Time) (string, error) {
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return "", err
	}
	idb := make([]byte, 9)
	if _, err := io.ReadFull(rand.Reader, idb); err != nil {
		return "", err
	}
	id := base64.RawURLEncoding.EncodeToString(idb)
	der, err := x509.MarshalECPrivateKey(priv)
	if err != nil {
		return "", err
	}
	sealed, err := r.sealer.Seal(der, []byte(id))
	if err != nil {
		return "", err
	}
	jwk, err := json.Marshal(jose.JSONWebKey{Key: &priv.PublicKey, KeyID: id, Algorithm: string(jose.ES256), Use: "sig"})
	if err != nil {
		return "", err
	}
	retire := now.Add(KeySigning)
	k := &SigningKey{ID: id, Algorithm: string(jose.ES256), PrivateKey: sealed, PublicJWK: jwk, CreatedAt: now,
		RetireAt: retire, ExpiresAt: retire.Add(keyGrace)}
	err = r.store.Update(ctx, func(tx Tx) error {
		if err := tx.RetireSigningKeys(ctx, now, now.Add(keyGrace)); err != nil {
			return err
		}
		return tx.InsertSigningKey(ctx, k)
	})
	return id, err
}

// cachingKeySet remembers access tokens whose signatures it verified, for
// as long as such a token can live: a resource server introspects the
// same token at every request it serves, and an ECDSA verification costs
// as much as the rest of the introspection. The entry is keyed by the
// signature and the payload it signs, and kept with the key id and
// algorithm they were verified with, so a token is taken from the cache
// only as it was verified. Revocation and expiry are checked apart, every
// time.
type cachingKeySet struct {
	inner interface {
		VerifySignature(ctx context.Context, jws *jose.JSONWebSignature) ([]byte, error)
	}
	now func() time.Time

	mu      sync.Mutex
	entries map[[32]byte]verified
}

type verified struct {
	kid, alg string
	until    time.Time
}

const maxVerified = 100_000

func (c *cachingKeySet) VerifySignature(ctx context.Context, jws *jose.JSONWebSignature) ([]byte, error) {
	if len(jws.Signatures) != 1 {
		return c.inner.VerifySignature(ctx, jws)
	}
	sig := jws.Signatures[0]
	payload := jws.UnsafePayloadWithoutVerification()
	h := sha256.New()
	h.Write(sig.Signature)
	h.Write([]byte{0})
	h.Write(payload)
	var key [32]byte
	h.Sum(key[:0])
	now := c.now()
	c.mu.Lock()
	e, ok := c.entries[key]
	c.mu.Unlock()
	if ok && now.Before(e.until) && e.kid == sig.Protected.KeyID && e.alg == sig.Protected.Algorithm {
		return payload, nil
	}
	out, err := c.inner.VerifySignature(ctx, jws)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	if c.entries == nil || len(c.entries) >= maxVerified {
		c.entries = make(map[[32]byte]verified, 1024)
	}
	c.entries[key] = verified{kid: sig.Protected.KeyID, alg: sig.Protected.Algorithm, until: now.Add(AccessTokenLifetime)}
	c.mu.Unlock()
	return out, nil
}
