package api

import (
	"context"
	"fmt"

	"github.com/yingjing/xunhui/data"
)

// AdminUserID is the id of the user created by EnsureAdmin.
const AdminUserID = "admin"

// MinAdminTokenLen is the shortest XUNHUI_ADMIN_TOKEN accepted: shorter
// secrets could be guessed.
const MinAdminTokenLen = 20

// EnsureAdmin makes sure that someone can administer a fresh installation.
//
// With token != "" (XUNHUI_ADMIN_TOKEN), it ensures that the token
// authenticates an admin: user AdminUserID is created (or re-enabled with the
// admin role) and the token's hash is stored for it; running it again is a
// no-op. It returns "".
//
// With token == "", it does nothing when an enabled admin exists; otherwise
// it creates (or repairs) user AdminUserID with a fresh token and returns the
// secret, which the caller prints once: only its hash is stored.
func EnsureAdmin(ctx context.Context, store data.Store, token string) (secret string, err error) {
	if token != "" {
		if len(token) < MinAdminTokenLen || len(token) > 256 {
			return "", fmt.Errorf("admin token must be %d–256 characters long", MinAdminTokenLen)
		}
		hash := data.HashToken(token)
		u, _, err := store.UserByTokenHash(ctx, hash)
		switch {
		case err == nil && u.Role == data.UserAdmin && !u.Disabled:
			return "", nil
		case err == nil:
			return "", fmt.Errorf("admin token already belongs to user %s (role %s)", u.ID, u.Role)
		case data.ErrorKind(err) != data.Unauthorized && data.ErrorKind(err) != data.NotFound:
			return "", fmt.Errorf("look up admin token: %w", err)
		}
		if err := ensureAdminUser(ctx, store); err != nil {
			return "", err
		}
		t := data.Token{UserID: AdminUserID, Name: "XUNHUI_ADMIN_TOKEN", Hash: hash}
		if err := store.CreateToken(ctx, &t); err != nil && data.ErrorKind(err) != data.Conflict {
			return "", fmt.Errorf("store admin token: %w", err)
		}
		return "", nil
	}
	users, err := store.ListUsers(ctx)
	if err != nil {
		return "", fmt.Errorf("list users: %w", err)
	}
	for _, u := range users {
		if u.Role == data.UserAdmin && !u.Disabled {
			return "", nil
		}
	}
	if err := ensureAdminUser(ctx, store); err != nil {
		return "", err
	}
	secret, hash, err := data.NewToken()
	if err != nil {
		return "", err
	}
	t := data.Token{UserID: AdminUserID, Name: "first-run", Hash: hash}
	if err := store.CreateToken(ctx, &t); err != nil {
		return "", fmt.Errorf("store admin token: %w", err)
	}
	return secret, nil
}

// ensureAdminUser creates user AdminUserID, or gives it back the admin role
// and enables it.
func ensureAdminUser(ctx context.Context, store data.Store) error {
	u, err := store.GetUser(ctx, AdminUserID)
	if data.ErrorKind(err) == data.NotFound {
		u = data.User{ID: AdminUserID, Name: "Administrator", Role: data.UserAdmin}
		err = store.CreateUser(ctx, &u)
		if data.ErrorKind(err) == data.Conflict {
			return nil // created concurrently by another replica
		}
		if err != nil {
			return fmt.Errorf("create admin user: %w", err)
		}
		return nil
	}
	if err != nil {
		return fmt.Errorf("get admin user: %w", err)
	}
	if u.Role == data.UserAdmin && !u.Disabled {
		return nil
	}
	u.Role, u.Disabled, u.TownshipID, u.TeamID = data.UserAdmin, false, "", ""
	if err := store.UpdateUser(ctx, &u); err != nil {
		return fmt.Errorf("restore admin user: %w", err)
	}
	return nil
}
