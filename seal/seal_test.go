package seal

import (
	"bytes"
	"encoding/hex"
	"errors"
	"strings"
	"testing"
)

func mustKey(t testing.TB) Key {
	t.Helper()
	s, err := GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	k, err := ParseKey(s)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestSealOpen(t *testing.T) {
	k := mustKey(t)
	box, _ := NewBox(k)
	sealed, err := box.Seal([]byte("access-token-123"), []byte("token:user:a:access"))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(sealed, []byte("access-token-123")) {
		t.Fatal("plaintext visible in the sealed value")
	}
	pt, err := box.Open(sealed, []byte("token:user:a:access"))
	if err != nil || string(pt) != "access-token-123" {
		t.Fatalf("Open = %q, %v", pt, err)
	}
	tampered := append([]byte(nil), sealed...)
	tampered[len(tampered)-1] ^= 1
	cases := []struct {
		name   string
		sealed []byte
		aad    string
		want   error
	}{
		{"another row", sealed, "token:user:b:access", ErrCorrupt},
		{"tampered", tampered, "token:user:a:access", ErrCorrupt},
		{"truncated", sealed[:10], "token:user:a:access", ErrCorrupt},
		{"empty", nil, "", ErrCorrupt},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if _, err := box.Open(c.sealed, []byte(c.aad)); !errors.Is(err, c.want) {
				t.Errorf("err %v, want %v", err, c.want)
			}
		})
	}
}

func TestRotation(t *testing.T) {
	oldKey, newKey := mustKey(t), mustKey(t)
	oldBox, _ := NewBox(oldKey)
	sealed, _ := oldBox.Seal([]byte("refresh"), nil)

	rotated, _ := NewBox(newKey, oldKey)
	if pt, err := rotated.Open(sealed, nil); err != nil || string(pt) != "refresh" {
		t.Fatalf("rotated box cannot open an old value: %v", err)
	}
	if rotated.Current(sealed) {
		t.Error("an old value reported as sealed under the current key")
	}
	resealed, _ := rotated.Seal([]byte("refresh"), nil)
	if !rotated.Current(resealed) {
		t.Error("a new value not under the current key")
	}
	onlyNew, _ := NewBox(newKey)
	if _, err := onlyNew.Open(sealed, nil); !errors.Is(err, ErrUnknownKey) {
		t.Errorf("err %v, want ErrUnknownKey", err)
	}
	if _, err := onlyNew.Open(resealed, nil); err != nil {
		t.Errorf("re-sealed value: %v", err)
	}
}

func TestParseKey(t *testing.T) {
	const std = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
	cases := []struct {
		in string
		ok bool
	}{
		{std, true},
		{strings.TrimRight(std, "="), true},
		{"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8", true},
		{"_-8AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", true}, // URL alphabet
		{"c2hvcnQ=", false}, // 5 bytes
		{"not base64 at all!", false},
		{"", false},
	}
	for _, c := range cases {
		k, err := ParseKey(c.in)
		if (err == nil) != c.ok {
			t.Errorf("ParseKey(%q) err = %v, want ok=%v", c.in, err, c.ok)
		}
		if err != nil && c.in != "" && strings.Contains(err.Error(), c.in) {
			t.Errorf("the error repeats the input: %v", err)
		}
		if err == nil && len(k.ID()) != 8 {
			t.Errorf("key id %q", k.ID())
		}
	}
	a, _ := ParseKey(std)
	b, _ := ParseKey(strings.TrimRight(std, "="))
	if a.ID() != b.ID() {
		t.Error("the same key parsed twice has two ids")
	}
}

func FuzzOpen(f *testing.F) {
	k, _ := ParseKey("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=")
	box, _ := NewBox(k)
	// good is a fixed value, not one sealed here: Seal draws a random nonce, and under -fuzz every worker
	// process runs this setup again, so a value sealed here would differ between the coordinator (which
	// sends the seed) and the worker (which compares against its own), and the seed itself would look forged.
	good, err := hex.DecodeString("01eedcb444f1609ca1eca1e882d12135d164367634d8bf1d75ff62633e07f2d24461")
	if err != nil {
		f.Fatal(err)
	}
	if pt, err := box.Open(good, []byte("aad")); err != nil || string(pt) != "x" {
		f.Fatalf("the fixed sealed value no longer opens: %q, %v", pt, err)
	}
	f.Add(good, []byte("aad"))
	f.Add([]byte{1, 2, 3}, []byte(""))
	f.Fuzz(func(t *testing.T, sealed, aad []byte) {
		pt, err := box.Open(sealed, aad)
		if err == nil && !(bytes.Equal(sealed, good) && string(aad) == "aad" && string(pt) == "x") {
			// Only values sealed by the box open; GCM makes forging one infeasible.
			t.Fatalf("forged value opened: %x", sealed)
		}
	})
}

// The fields' associated data is what stores wrote before Field existed: a value sealed then must still
// open, or every existing database would lose its tokens.
func TestFieldsKeepTheAssociatedDataOfExistingDatabases(t *testing.T) {
	k, _ := GenerateKey()
	key, _ := ParseKey(k)
	b, _ := NewBox(key)
	for _, c := range []struct {
		aad   string
		field Field
	}{
		{"mmzoom:token:user:u1:access", TokenAccess("user:u1")},
		{"mmzoom:token:account:refresh", TokenRefresh("account")},
		{"mmzoom:connect:state-1", ConnectVerifier("state-1")},
		{"mmzoom:card:81000000001:passcode", CardPasscode(81000000001)},
		{"mmzoom:job:meeting.ended:u1==", JobPayload("meeting.ended:u1==")},
	} {
		sealed, err := b.Seal([]byte("secret"), []byte(c.aad))
		if err != nil {
			t.Fatal(err)
		}
		if got, err := b.OpenField(c.field, sealed); err != nil || string(got) != "secret" {
			t.Errorf("%s: %q %v", c.aad, got, err)
		}
	}
	if _, err := b.OpenField(TokenAccess("user:u2"), mustSeal(t, b, TokenAccess("user:u1"))); err == nil {
		t.Error("a token sealed for one owner opened for another")
	}
	if s, err := b.SealOptional(TokenRefresh("x"), ""); s != nil || err != nil {
		t.Errorf("an absent secret was stored: %v %v", s, err)
	}
	if s, err := b.OpenOptional(TokenRefresh("x"), nil); s != "" || err != nil {
		t.Errorf("no value opened to %q %v", s, err)
	}
}

func mustSeal(t *testing.T, b *Box, f Field) []byte {
	t.Helper()
	s, err := b.SealField(f, []byte("secret"))
	if err != nil {
		t.Fatal(err)
	}
	return s
}
