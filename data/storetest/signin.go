package storetest

import (
	"sync"
	"testing"
	"time"

	"github.com/yingjing/xunhui/data"
)

// testSignIn checks one-time codes (single use also under concurrent
// redemption, expiry, disabled users), token rotation and passwords.
func testSignIn(t *testing.T, s data.Store) {
	fixture(t, s)
	u := data.User{ID: "u-field", Name: "Field (SAMPLE)", Role: data.UserTeamMember, TeamID: "T-CTY-1"}
	must(t, s.CreateUser(ctx, &u))
	code, hash, err := data.NewSignInCode()
	must(t, err)
	if norm, ok := data.NormalizeSignInCode(" " + code[:3] + " " + code[3:] + " "); !ok || data.HashToken(norm) != hash {
		t.Fatalf("code %q does not normalise to its hash", code)
	}
	c := data.SignInCode{Hash: hash, UserID: u.ID, CreatedBy: "u-admin", ExpiresAt: time.Now().Add(10 * time.Minute)}
	must(t, s.CreateSignInCode(ctx, &c))
	mustKind(t, s.CreateSignInCode(ctx, &data.SignInCode{Hash: data.HashToken("x"), UserID: "u-none", ExpiresAt: time.Now().Add(time.Minute)}), data.Invalid)

	// Eight concurrent redemptions: exactly one wins.
	var wg sync.WaitGroup
	var mu sync.Mutex
	wins, unauth := 0, 0
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, th, _ := data.NewToken()
			got, err := s.RedeemSignInCode(ctx, hash, &data.Token{Name: "device: phone", Hash: th})
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil && got.ID == u.ID:
				wins++
			case data.ErrorKind(err) == data.Unauthorized:
				unauth++
			default:
				t.Errorf("redeem: %v %v", got, err)
			}
		}()
	}
	wg.Wait()
	if wins != 1 || unauth != 7 {
		t.Fatalf("concurrent redemptions: %d won, %d refused; want 1 and 7", wins, unauth)
	}
	toks, err := s.ListTokens(ctx, u.ID)
	must(t, err)
	if len(toks) != 1 || toks[0].Name != "device: phone" {
		t.Fatalf("tokens after redemption = %+v", toks)
	}

	// Expired and disabled.
	_, h2, _ := data.NewSignInCode()
	must(t, s.CreateSignInCode(ctx, &data.SignInCode{Hash: h2, UserID: u.ID, CreatedBy: "u-admin", ExpiresAt: time.Now().Add(-time.Second)}))
	_, th, _ := data.NewToken()
	_, err = s.RedeemSignInCode(ctx, h2, &data.Token{Name: "x", Hash: th})
	mustKind(t, err, data.Unauthorized)
	_, h3, _ := data.NewSignInCode()
	must(t, s.CreateSignInCode(ctx, &data.SignInCode{Hash: h3, UserID: u.ID, CreatedBy: "u-admin", ExpiresAt: time.Now().Add(time.Minute)}))
	u.Disabled = true
	must(t, s.UpdateUser(ctx, &u))
	_, err = s.RedeemSignInCode(ctx, h3, &data.Token{Name: "x", Hash: th})
	mustKind(t, err, data.Unauthorized)
	if toks, _ := s.ListTokens(ctx, u.ID); len(toks) != 1 {
		t.Fatalf("a refused redemption stored a token: %+v", toks)
	}
	u.Disabled = false
	must(t, s.UpdateUser(ctx, &u))

	// Rotation: the old token stops, the new one works, same user.
	_, nh, _ := data.NewToken()
	exp := time.Now().Add(time.Hour)
	nt := data.Token{Name: "device: phone", Hash: nh, ExpiresAt: &exp}
	must(t, s.RotateToken(ctx, toks[0].ID, &nt))
	if nt.UserID != u.ID || nt.ID == "" {
		t.Fatalf("rotated token = %+v", nt)
	}
	_, _, err = s.UserByTokenHash(ctx, toks[0].Hash)
	mustKind(t, err, data.Unauthorized)
	if got, _, err := s.UserByTokenHash(ctx, nh); err != nil || got.ID != u.ID {
		t.Fatalf("new token: %v %v", got, err)
	}
	mustKind(t, s.RotateToken(ctx, toks[0].ID, &data.Token{Name: "x", Hash: th}), data.NotFound)

	// Passwords.
	_, _, err = s.PasswordHash(ctx, u.ID)
	mustKind(t, err, data.NotFound)
	must(t, s.SetPassword(ctx, u.ID, "$2a$10$abc"))
	must(t, s.SetPassword(ctx, u.ID, "$2a$10$def"))
	got, ph, err := s.PasswordHash(ctx, u.ID)
	must(t, err)
	if got.ID != u.ID || ph != "$2a$10$def" {
		t.Fatalf("password hash = %q for %s", ph, got.ID)
	}
	mustKind(t, s.SetPassword(ctx, "u-none", "$2a$10$x"), data.NotFound)
	_, _, err = s.PasswordHash(ctx, "u-none")
	mustKind(t, err, data.NotFound)
}
