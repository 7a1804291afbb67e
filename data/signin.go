package data

import (
	"crypto/rand"
	"fmt"
	"strings"
	"time"
)

// SignInCode is a one-time code a planner or admin issues for a user: the
// user types it (or scans it) on a phone, which exchanges it for a device
// token. Only the code's hash is stored; it expires and works once.
type SignInCode struct {
	// Hash is HashToken of the normalised code (NormalizeSignInCode).
	Hash string `json:"-"`
	// UserID is the user the code signs in.
	UserID string `json:"user_id"`
	// CreatedBy is the user who issued it.
	CreatedBy string `json:"created_by"`
	// CreatedAt is set by the store; ExpiresAt is required.
	CreatedAt time.Time `json:"created_at"`
	ExpiresAt time.Time `json:"expires_at"`
}

// signInAlphabet has no 0/O, 1/I/L: codes are read aloud and typed on phones.
const signInAlphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"

// SignInCodeLength is the number of characters of a code (31^8 ≈ 8.5e11).
const SignInCodeLength = 8

// NewSignInCode returns a random code shown as "ABCD-EFGH" and the hash to
// store (of its normalised form).
func NewSignInCode() (code, hash string, err error) {
	b := make([]byte, SignInCodeLength)
	if _, err := rand.Read(b); err != nil {
		return "", "", fmt.Errorf("new sign-in code: %w", err)
	}
	// 256 % 31 != 0: reject the biased top of the byte range.
	out := make([]byte, 0, SignInCodeLength)
	for len(out) < SignInCodeLength {
		for _, x := range b {
			if x < 248 && len(out) < SignInCodeLength {
				out = append(out, signInAlphabet[int(x)%len(signInAlphabet)])
			}
		}
		if _, err := rand.Read(b); err != nil {
			return "", "", fmt.Errorf("new sign-in code: %w", err)
		}
	}
	norm := string(out)
	return norm[:4] + "-" + norm[4:], HashToken(norm), nil
}

// NormalizeSignInCode uppercases a typed code and drops spaces and dashes;
// it reports false when the rest is not SignInCodeLength characters of the
// code alphabet.
func NormalizeSignInCode(s string) (string, bool) {
	var b strings.Builder
	for _, r := range strings.ToUpper(s) {
		switch {
		case r == ' ' || r == '-':
		case strings.ContainsRune(signInAlphabet, r):
			b.WriteRune(r)
		default:
			return "", false
		}
		if b.Len() > SignInCodeLength {
			return "", false
		}
	}
	return b.String(), b.Len() == SignInCodeLength
}
