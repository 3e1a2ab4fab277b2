// Package seal encrypts mmzoom's secrets at rest (Zoom tokens, PKCE verifiers) with AES-256-GCM. Every sealed
// value names the key that sealed it, so the key can be rotated: old keys still open what they sealed, and
// callers re-seal with the current key on their next write.
package seal

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
)

// version is the first byte of every sealed value: the layout is version | key id (4) | nonce (12) | ciphertext.
const version = 0x01

const (
	keyIDLen  = 4
	nonceLen  = 12
	headerLen = 1 + keyIDLen + nonceLen
)

// Errors from Open. Neither says anything about the plaintext or the key.
var (
	// ErrUnknownKey means the value was sealed under a key this Box does not hold.
	ErrUnknownKey = errors.New("seal: sealed under an unknown key")
	// ErrCorrupt means the value is malformed, was altered, or belongs to another row (associated data differs).
	ErrCorrupt = errors.New("seal: value is corrupt or does not belong here")
)

// Key is a 32-byte AES-256 key.
type Key struct {
	raw []byte
	id  [keyIDLen]byte
}

// ParseKey reads a key written as base64 (standard or URL alphabet, padded or not) of exactly 32 bytes.
// The error never repeats the input.
func ParseKey(s string) (Key, error) {
	s = strings.TrimSpace(s)
	var raw []byte
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil {
			raw = b
			break
		}
	}
	if raw == nil {
		return Key{}, errors.New("not valid base64")
	}
	if len(raw) != 32 {
		return Key{}, fmt.Errorf("decodes to %d bytes, want 32", len(raw))
	}
	return newKey(raw), nil
}

func newKey(raw []byte) Key {
	k := Key{raw: append([]byte(nil), raw...)}
	sum := sha256.Sum256(append([]byte("mmzoom-key-id"), raw...))
	copy(k.id[:], sum[:keyIDLen])
	return k
}

// GenerateKey returns a new random key in the form ParseKey reads (standard base64).
func GenerateKey() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base64.StdEncoding.EncodeToString(b), nil
}

// ID names the key without revealing it: 8 hex characters derived by hashing.
func (k Key) ID() string { return hex.EncodeToString(k.id[:]) }

// Bytes returns a copy of the raw key, for deriving keys for other purposes.
func (k Key) Bytes() []byte { return append([]byte(nil), k.raw...) }

// Box seals with its current key and opens with any key it holds.
type Box struct {
	current [keyIDLen]byte
	aeads   map[[keyIDLen]byte]cipher.AEAD
}

// NewBox returns a Box sealing under current and also opening values sealed under old keys.
func NewBox(current Key, old ...Key) (*Box, error) {
	b := &Box{current: current.id, aeads: map[[keyIDLen]byte]cipher.AEAD{}}
	for _, k := range append([]Key{current}, old...) {
		if len(k.raw) != 32 {
			return nil, errors.New("seal: key is not 32 bytes")
		}
		block, err := aes.NewCipher(k.raw)
		if err != nil {
			return nil, err
		}
		aead, err := cipher.NewGCM(block)
		if err != nil {
			return nil, err
		}
		if _, dup := b.aeads[k.id]; !dup {
			b.aeads[k.id] = aead
		}
	}
	return b, nil
}

// Seal encrypts plaintext under the current key, binding it to aad (for example the row it is stored in).
func (b *Box) Seal(plaintext, aad []byte) ([]byte, error) {
	out := make([]byte, headerLen, headerLen+len(plaintext)+16)
	out[0] = version
	copy(out[1:], b.current[:])
	if _, err := rand.Read(out[1+keyIDLen : headerLen]); err != nil {
		return nil, err
	}
	return b.aeads[b.current].Seal(out, out[1+keyIDLen:headerLen], plaintext, aad), nil
}

// Open decrypts a value sealed by Seal with the same aad.
func (b *Box) Open(sealed, aad []byte) ([]byte, error) {
	if len(sealed) < headerLen+16 || sealed[0] != version {
		return nil, ErrCorrupt
	}
	var id [keyIDLen]byte
	copy(id[:], sealed[1:])
	aead, ok := b.aeads[id]
	if !ok {
		return nil, ErrUnknownKey
	}
	pt, err := aead.Open(nil, sealed[1+keyIDLen:headerLen], sealed[headerLen:], aad)
	if err != nil {
		return nil, ErrCorrupt
	}
	return pt, nil
}

// Current reports whether sealed was sealed under the current key; values that were not should be re-sealed.
func (b *Box) Current(sealed []byte) bool {
	return len(sealed) >= 1+keyIDLen && string(sealed[1:1+keyIDLen]) == string(b.current[:])
}
