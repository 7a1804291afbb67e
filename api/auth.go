package api

import (
	"context"
	"slices"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/yingjing/xunhui/data"
)

// Tokens are created by data.NewToken: "xh_" + base64url of 32 random bytes.
// Only their SHA-256 (data.HashToken) is stored and looked up. Because a
// token has 256 bits of entropy, a fast unsalted hash is enough, and the
// indexed lookup by hash leaks nothing useful through timing: an attacker
// who learns how many leading hash bytes matched learns nothing about any
// token (finding a preimage is the whole problem). Nothing compares secrets
// byte by byte in memory.

// principal is the authenticated caller of a request.
type principal struct {
	user  data.User
	token data.Token
	// gen is the store's generations read before anything else of the
	// request: the key of every cached answer it uses.
	gen data.Generations
}

func (p *principal) userID() string { return p.user.ID }
func (p *principal) role() string   { return string(p.user.Role) }

func principalOf(c *gin.Context) *principal {
	p, _ := c.Request.Context().Value(ctxPrincipal).(*principal)
	return p
}

// mustPrincipal returns the caller; only for handlers behind authenticate.
func mustPrincipal(c *gin.Context) *principal {
	if p := principalOf(c); p != nil {
		return p
	}
	// Unreachable behind authenticate; answer 401 instead of panicking.
	return &principal{}
}

// bearerToken extracts the token of an "Authorization: Bearer <token>"
// header (scheme case-insensitive, RFC 7235), or "".
func bearerToken(c *gin.Context) string {
	h := c.GetHeader("Authorization")
	scheme, tok, ok := strings.Cut(strings.TrimSpace(h), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return ""
	}
	return strings.TrimSpace(tok)
}

// authenticate resolves the bearer token to a user, or answers 401. The
// WWW-Authenticate header tells clients which scheme to use (RFC 6750).
func (s *Server) authenticate() gin.HandlerFunc {
	return func(c *gin.Context) {
		tok := bearerToken(c)
		if tok == "" {
			c.Header("WWW-Authenticate", `Bearer realm="xunhui"`)
			s.fail(c, unauthorized("missing bearer token: send Authorization: Bearer <token>"))
			return
		}
		// Reject absurd tokens before hashing or touching the database.
		if len(tok) > 256 {
			c.Header("WWW-Authenticate", `Bearer realm="xunhui", error="invalid_token"`)
			s.fail(c, unauthorized("invalid token"))
			return
		}
		gen, err := s.gens.read(c.Request.Context())
		if err != nil {
			s.fail(c, err)
			return
		}
		u, t, err := s.tokenUser(c.Request.Context(), gen.Auth, data.HashToken(tok))
		if err != nil {
			if data.ErrorKind(err) == data.Unauthorized || data.ErrorKind(err) == data.NotFound {
				c.Header("WWW-Authenticate", `Bearer realm="xunhui", error="invalid_token"`)
				s.fail(c, unauthorized("invalid, expired or revoked token"))
				return
			}
			s.fail(c, err)
			return
		}
		if u.Disabled {
			s.fail(c, unauthorized("invalid, expired or revoked token"))
			return
		}
		p := &principal{user: u, token: t, gen: gen}
		c.Request = c.Request.WithContext(context.WithValue(c.Request.Context(), ctxPrincipal, p))
		if err := s.tokenLimit(c); err != nil {
			s.fail(c, err)
			return
		}
		c.Next()
	}
}

// tokenUser resolves a token hash at auth generation gen: from the token
// cache when this generation already resolved it and it has not expired
// since, else from the store. Unknown tokens are never cached (guessing
// must not fill memory); the failed-sign-in limit bounds their cost.
func (s *Server) tokenUser(ctx context.Context, gen int64, hash string) (data.User, data.Token, error) {
	now := s.cfg.Now()
	if e, ok := s.tokens.get(gen, hash); ok && !e.expired(now) {
		return e.user, e.token, nil
	}
	u, t, err := s.store.UserByTokenHash(ctx, hash)
	if err != nil {
		return u, t, err
	}
	s.tokens.put(gen, hash, authEntry{user: u, token: t})
	return u, t, nil
}

// requireRole answers 403 unless the caller has one of roles.
func (s *Server) requireRole(roles ...data.UserRole) gin.HandlerFunc {
	return func(c *gin.Context) {
		p := principalOf(c)
		if p == nil {
			s.fail(c, unauthorized("authentication required"))
			return
		}
		if !slices.Contains(roles, p.user.Role) {
			s.fail(c, forbidden("role "+string(p.user.Role)+" may not do this"))
			return
		}
		c.Next()
	}
}
