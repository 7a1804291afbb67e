package sqlstore

import (
	"context"
	"time"

	"github.com/yingjing/xunhui/data"
)

// RotateToken implements data.Store.
func (s *Store) RotateToken(ctx context.Context, oldID string, t *data.Token) error {
	const op = "store.RotateToken"
	if err := checkToken(*t); err != nil {
		return data.WithOp(op, err)
	}
	return s.tx(ctx, op, func(tx Tx) error {
		old, err := scanToken(tx.QueryRow(ctx, `SELECT `+tokenCols+` FROM tokens WHERE id = $1`, oldID))
		if data.ErrorKind(err) == data.NotFound {
			return notFound("token", oldID)
		}
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM tokens WHERE id = $1`, oldID); err != nil {
			return err
		}
		t.UserID = old.UserID
		return s.insertToken(ctx, tx, t)
	})
}

// CreateSignInCode implements data.Store.
func (s *Store) CreateSignInCode(ctx context.Context, c *data.SignInCode) error {
	const op = "store.CreateSignInCode"
	if !hashRE.MatchString(c.Hash) {
		return data.WithOp(op, data.FieldError("hash", "is not a lower-case hex SHA-256"))
	}
	if c.ExpiresAt.IsZero() {
		return data.WithOp(op, data.FieldError("expires_at", "is required"))
	}
	return s.tx(ctx, op, func(tx Tx) error {
		ok, err := exists(ctx, tx, `SELECT 1 FROM users WHERE id = $1`, c.UserID)
		if err != nil {
			return err
		}
		if !ok {
			return data.FieldError("user_id", "unknown user %s", c.UserID)
		}
		x := *c
		x.CreatedAt = s.now()
		x.ExpiresAt = x.ExpiresAt.UTC().Truncate(time.Microsecond)
		if _, err := tx.Exec(ctx, `INSERT INTO signin_codes (hash, user_id, created_by, created_at, expires_at)
			VALUES ($1, $2, $3, $4, $5)`, x.Hash, x.UserID, x.CreatedBy, x.CreatedAt, x.ExpiresAt); err != nil {
			if data.ErrorKind(err) == data.Conflict {
				return &data.Error{Kind: data.Conflict, Field: "hash", Message: "code already exists"}
			}
			return err
		}
		*c = x
		return nil
	})
}

// RedeemSignInCode implements data.Store. The conditional UPDATE is what
// makes a code single-use under concurrent redemptions: only one
// transaction sees a row changed.
func (s *Store) RedeemSignInCode(ctx context.Context, hash string, t *data.Token) (data.User, error) {
	const op = "store.RedeemSignInCode"
	var u data.User
	if err := checkToken(*t); err != nil {
		return u, data.WithOp(op, err)
	}
	err := s.tx(ctx, op, func(tx Tx) error {
		now := s.now()
		var userID string
		err := tx.QueryRow(ctx, `SELECT user_id FROM signin_codes WHERE hash = $1 AND used_at IS NULL AND expires_at > $2`,
			hash, now).Scan(&userID)
		if data.ErrorKind(err) == data.NotFound {
			return data.Errorf(data.Unauthorized, "unknown, used or expired sign-in code")
		}
		if err != nil {
			return err
		}
		n, err := tx.Exec(ctx, `UPDATE signin_codes SET used_at = $2 WHERE hash = $1 AND used_at IS NULL`, hash, now)
		if err != nil {
			return err
		}
		if n != 1 {
			return data.Errorf(data.Unauthorized, "unknown, used or expired sign-in code")
		}
		if u, err = scanUser(tx.QueryRow(ctx, `SELECT `+userCols+` FROM users WHERE id = $1`, userID)); err != nil {
			return err
		}
		if u.Disabled {
			return data.Errorf(data.Unauthorized, "user disabled")
		}
		t.UserID = userID
		return s.insertToken(ctx, tx, t)
	})
	return u, err
}

// SetPassword implements data.Store.
func (s *Store) SetPassword(ctx context.Context, userID, hash string) error {
	const op = "store.SetPassword"
	if hash == "" || len(hash) > 200 {
		return data.WithOp(op, data.FieldError("hash", "must be 1–200 bytes"))
	}
	return s.tx(ctx, op, func(tx Tx) error {
		ok, err := exists(ctx, tx, `SELECT 1 FROM users WHERE id = $1`, userID)
		if err != nil {
			return err
		}
		if !ok {
			return notFound("user", userID)
		}
		_, err = tx.Exec(ctx, `INSERT INTO user_passwords (user_id, hash, updated_at) VALUES ($1, $2, $3)
			ON CONFLICT (user_id) DO UPDATE SET hash = excluded.hash, updated_at = excluded.updated_at`, userID, hash, s.now())
		return err
	})
}

// PasswordHash implements data.Store.
func (s *Store) PasswordHash(ctx context.Context, userID string) (data.User, string, error) {
	var u data.User
	var hash string
	err := s.tx(ctx, "store.PasswordHash", func(tx Tx) (err error) {
		if u, err = scanUser(tx.QueryRow(ctx, `SELECT `+userCols+` FROM users WHERE id = $1`, userID)); err != nil {
			if data.ErrorKind(err) == data.NotFound {
				return notFound("user", userID)
			}
			return err
		}
		err = tx.QueryRow(ctx, `SELECT hash FROM user_passwords WHERE user_id = $1`, userID).Scan(&hash)
		if data.ErrorKind(err) == data.NotFound {
			return data.Errorf(data.NotFound, "user %s has no password", userID)
		}
		return err
	})
	return u, hash, err
}
