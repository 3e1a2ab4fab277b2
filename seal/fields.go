package seal

import (
	"fmt"
)

// Field names where a secret is stored: its associated data binds the sealed value to that field of that
// row, so a value copied to another row or column does not open. Every store (SQLite, PostgreSQL) seals
// through these, so the same secret is bound the same way whatever the database, and databases written
// before this type existed still open (the associated data is unchanged).
type Field struct {
	aad []byte
}

// TokenAccess is the access token of owner's Zoom token.
func TokenAccess(owner string) Field { return Field{[]byte("mmzoom:token:" + owner + ":access")} }

// TokenRefresh is the refresh token of owner's Zoom token.
func TokenRefresh(owner string) Field { return Field{[]byte("mmzoom:token:" + owner + ":refresh")} }

// ConnectVerifier is the PKCE code verifier of the connect link id.
func ConnectVerifier(id string) Field { return Field{[]byte("mmzoom:connect:" + id)} }

// CardPasscode is the passcode on the cards of a Zoom meeting.
func CardPasscode(meetingID int64) Field {
	return Field{fmt.Appendf(nil, "mmzoom:card:%d:passcode", meetingID)}
}

// JobPayload is the payload of the job (or received event) with dedupe key key. A received event moves from
// the inbox to the jobs sealed: its key, hence its associated data, does not change.
func JobPayload(key string) Field { return Field{[]byte("mmzoom:job:" + key)} }

// SealField seals plaintext for field f.
func (b *Box) SealField(f Field, plaintext []byte) ([]byte, error) { return b.Seal(plaintext, f.aad) }

// OpenField opens a value sealed for field f.
func (b *Box) OpenField(f Field, sealed []byte) ([]byte, error) { return b.Open(sealed, f.aad) }

// SealOptional seals a secret that may be absent: an empty plaintext is stored as no value (nil) at all.
func (b *Box) SealOptional(f Field, plaintext string) ([]byte, error) {
	if plaintext == "" {
		return nil, nil
	}
	return b.SealField(f, []byte(plaintext))
}

// OpenOptional opens what SealOptional stored: no value opens to "".
func (b *Box) OpenOptional(f Field, sealed []byte) (string, error) {
	if len(sealed) == 0 {
		return "", nil
	}
	p, err := b.OpenField(f, sealed)
	return string(p), err
}
