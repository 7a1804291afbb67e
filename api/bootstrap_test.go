package api

import (
	"context"
	"strings"
	"testing"

	"github.com/yingjing/xunhui/data"
	"github.com/yingjing/xunhui/data/sqlite/sqlitetest"
)

func TestEnsureAdmin(t *testing.T) {
	ctx := context.Background()
	const tok = "xh_chosen-admin-token-0123456789"

	t.Run("env token, twice", func(t *testing.T) {
		s := sqlitetest.New(t)
		for i := range 2 {
			secret, err := EnsureAdmin(ctx, s, tok)
			if err != nil || secret != "" {
				t.Fatalf("run %d: secret %q, err %v; want none", i, secret, err)
			}
		}
		u, _, err := s.UserByTokenHash(ctx, data.HashToken(tok))
		if err != nil || u.ID != AdminUserID || u.Role != data.UserAdmin {
			t.Errorf("token resolves to %+v, %v", u, err)
		}
		// With an admin present, a first run without a token prints nothing.
		if secret, err := EnsureAdmin(ctx, s, ""); err != nil || secret != "" {
			t.Errorf("no token, admin exists: %q, %v", secret, err)
		}
	})
	t.Run("first run prints a token once", func(t *testing.T) {
		s := sqlitetest.New(t)
		secret, err := EnsureAdmin(ctx, s, "")
		if err != nil || !strings.HasPrefix(secret, data.TokenPrefix) {
			t.Fatalf("first run: %q, %v", secret, err)
		}
		if again, err := EnsureAdmin(ctx, s, ""); err != nil || again != "" {
			t.Errorf("second run: %q, %v; want nothing", again, err)
		}
	})
	t.Run("too short", func(t *testing.T) {
		if _, err := EnsureAdmin(ctx, sqlitetest.New(t), "short"); err == nil {
			t.Error("a 5-character admin token was accepted")
		}
	})
	t.Run("token of a non-admin", func(t *testing.T) {
		s := sqlitetest.New(t)
		u := data.User{ID: "u-p", Name: "Planner", Role: data.UserCountyPlanner}
		if err := s.CreateUser(ctx, &u); err != nil {
			t.Fatal(err)
		}
		if err := s.CreateToken(ctx, &data.Token{UserID: u.ID, Name: "t", Hash: data.HashToken(tok)}); err != nil {
			t.Fatal(err)
		}
		if _, err := EnsureAdmin(ctx, s, tok); err == nil {
			t.Error("a planner's token was accepted as the admin token")
		}
	})
	t.Run("disabled admin is repaired", func(t *testing.T) {
		s := sqlitetest.New(t)
		if _, err := EnsureAdmin(ctx, s, tok); err != nil {
			t.Fatal(err)
		}
		u, err := s.GetUser(ctx, AdminUserID)
		if err != nil {
			t.Fatal(err)
		}
		u.Disabled = true
		if err := s.UpdateUser(ctx, &u); err != nil {
			t.Fatal(err)
		}
		if _, err := EnsureAdmin(ctx, s, tok); err != nil {
			t.Fatal(err)
		}
		if u, err := s.GetUser(ctx, AdminUserID); err != nil || u.Disabled || u.Role != data.UserAdmin {
			t.Errorf("after repair: %+v, %v", u, err)
		}
	})
}
