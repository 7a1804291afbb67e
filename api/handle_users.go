package api

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/yingjing/xunhui/data"
)

// userInput is the body of POST /api/v1/users.
type userInput struct {
	ID         string        `json:"id"`
	Name       string        `json:"name"`
	Role       data.UserRole `json:"role"`
	TownshipID string        `json:"township_id,omitempty" doc:"required for township_coordinator"`
	TeamID     string        `json:"team_id,omitempty" doc:"required for team_member"`
	// TokenName labels the first token (default "initial").
	TokenName string `json:"token_name,omitempty"`
	// TokenTTLDays makes the token expire after that many days (0: never).
	TokenTTLDays int `json:"token_ttl_days,omitempty"`
}

// userCreated answers POST /api/v1/users. Token is the secret, shown this
// once only: the server keeps just its hash.
type userCreated struct {
	User      data.User  `json:"user"`
	Token     string     `json:"token"`
	TokenID   string     `json:"token_id"`
	ExpiresAt *time.Time `json:"expires_at,omitempty"`
}

// tokenInput is the body of POST /api/v1/users/{id}/tokens.
type tokenInput struct {
	Name    string `json:"name,omitempty"`
	TTLDays int    `json:"ttl_days,omitempty"`
}

// tokenCreated answers POST /api/v1/users/{id}/tokens; Token is shown once.
type tokenCreated struct {
	UserID    string     `json:"user_id"`
	Token     string     `json:"token"`
	TokenID   string     `json:"token_id"`
	ExpiresAt *time.Time `json:"expires_at,omitempty"`
}

func (s *Server) listUsers(c *gin.Context) error {
	if _, err := query(c); err != nil {
		return err
	}
	us, err := s.store.ListUsers(c.Request.Context())
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, list(us))
	return nil
}

// newToken builds a token record; ttlDays 0 means no expiry.
func (s *Server) newToken(userID, name string, ttlDays int, field string) (data.Token, string, error) {
	if ttlDays < 0 || ttlDays > 3650 {
		return data.Token{}, "", data.FieldError(field, "%d is not within 0 (no expiry) – 3650 days", ttlDays)
	}
	if len([]rune(name)) > 100 {
		return data.Token{}, "", data.FieldError("name", "longer than 100 characters")
	}
	secret, hash, err := data.NewToken()
	if err != nil {
		return data.Token{}, "", err
	}
	t := data.Token{UserID: userID, Name: name, Hash: hash}
	if ttlDays > 0 {
		exp := s.cfg.Now().UTC().Add(time.Duration(ttlDays) * 24 * time.Hour)
		t.ExpiresAt = &exp
	}
	return t, secret, nil
}

// createUser creates the user and its first token. They are two store
// writes; if the token cannot be stored the user exists without a token,
// and an admin can issue one with POST /users/{id}/tokens.
func (s *Server) createUser(c *gin.Context) error {
	var in userInput
	if err := decodeJSON(c.Writer, c.Request, s.cfg.MaxBodyBytes, &in); err != nil {
		return err
	}
	u := data.User{ID: in.ID, Name: in.Name, Role: in.Role, TownshipID: in.TownshipID, TeamID: in.TeamID}
	if err := u.Validate(); err != nil {
		return err
	}
	name := in.TokenName
	if name == "" {
		name = "initial"
	}
	tok, secret, err := s.newToken(u.ID, name, in.TokenTTLDays, "token_ttl_days")
	if err != nil {
		return err
	}
	ctx := c.Request.Context()
	if err := s.store.CreateUser(ctx, &u); err != nil {
		return err
	}
	if err := s.store.CreateToken(ctx, &tok); err != nil {
		return err
	}
	s.logger.InfoContext(ctx, "user created", "request_id", requestID(c), "id", u.ID, "role", u.Role, "by", mustPrincipal(c).user.ID)
	c.Header("Location", "/api/v1/users/"+u.ID)
	c.JSON(http.StatusCreated, userCreated{User: u, Token: secret, TokenID: tok.ID, ExpiresAt: tok.ExpiresAt})
	return nil
}

func (s *Server) createToken(c *gin.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	var in tokenInput
	if err := decodeJSON(c.Writer, c.Request, s.cfg.MaxBodyBytes, &in); err != nil {
		return err
	}
	ctx := c.Request.Context()
	if _, err := s.store.GetUser(ctx, id); err != nil {
		return err
	}
	name := in.Name
	if name == "" {
		name = "api"
	}
	tok, secret, err := s.newToken(id, name, in.TTLDays, "ttl_days")
	if err != nil {
		return err
	}
	if err := s.store.CreateToken(ctx, &tok); err != nil {
		return err
	}
	s.logger.InfoContext(ctx, "token created", "request_id", requestID(c), "user", id, "token_id", tok.ID, "by", mustPrincipal(c).user.ID)
	c.JSON(http.StatusCreated, tokenCreated{UserID: id, Token: secret, TokenID: tok.ID, ExpiresAt: tok.ExpiresAt})
	return nil
}

// userPatch is the body of PATCH /api/v1/users/{id}: absent fields keep
// their value. Disabling a user revokes all its tokens at once.
type userPatch struct {
	Version    *int64         `json:"version,omitempty" doc:"the version read; alternative to If-Match"`
	Name       *string        `json:"name,omitempty"`
	Role       *data.UserRole `json:"role,omitempty"`
	TownshipID *string        `json:"township_id,omitempty"`
	TeamID     *string        `json:"team_id,omitempty"`
	Disabled   *bool          `json:"disabled,omitempty"`
}

func (s *Server) patchUser(c *gin.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	var in userPatch
	if err := decodeJSON(c.Writer, c.Request, s.cfg.MaxBodyBytes, &in); err != nil {
		return err
	}
	version, err := expectedVersion(c, in.Version)
	if err != nil {
		return err
	}
	ctx := c.Request.Context()
	u, err := s.store.GetUser(ctx, id)
	if err != nil {
		return err
	}
	p := mustPrincipal(c)
	if u.ID == p.user.ID && ((in.Disabled != nil && *in.Disabled) || (in.Role != nil && *in.Role != data.UserAdmin)) {
		// An admin locking themselves out is almost always a mistake.
		return forbidden("you cannot disable yourself or drop your own admin role")
	}
	if in.Name != nil {
		u.Name = *in.Name
	}
	if in.Role != nil {
		u.Role = *in.Role
	}
	if in.TownshipID != nil {
		u.TownshipID = *in.TownshipID
	}
	if in.TeamID != nil {
		u.TeamID = *in.TeamID
	}
	if in.Disabled != nil {
		u.Disabled = *in.Disabled
	}
	if err := u.Validate(); err != nil {
		return err
	}
	u.Version = version
	if err := s.store.UpdateUser(ctx, &u); err != nil {
		return err
	}
	s.logger.InfoContext(ctx, "user updated", "request_id", requestID(c), "id", u.ID, "role", u.Role, "disabled", u.Disabled, "by", p.user.ID)
	c.JSON(http.StatusOK, u)
	return nil
}

func (s *Server) listTokens(c *gin.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	ctx := c.Request.Context()
	if _, err := s.store.GetUser(ctx, id); err != nil {
		return err
	}
	ts, err := s.store.ListTokens(ctx, id)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, list(ts)) // Token.Hash is never encoded (json:"-")
	return nil
}

func (s *Server) deleteToken(c *gin.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	if err := s.store.DeleteToken(c.Request.Context(), id); err != nil {
		return err
	}
	s.logger.InfoContext(c.Request.Context(), "token revoked", "request_id", requestID(c), "token_id", id, "by", mustPrincipal(c).user.ID)
	c.Status(http.StatusNoContent)
	return nil
}
