package api

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"
	"github.com/skip2/go-qrcode"
	"golang.org/x/crypto/bcrypt"

	"github.com/yingjing/xunhui/data"
)

// Lifetimes of the sign-in credentials.
const (
	// signInCodeTTL is the default life of a one-time code (at most 60 min).
	signInCodeTTL = 15 * time.Minute
	// deviceTokenTTL is the life of a phone's device token; the app renews
	// it (POST /auth/renew) while it is used.
	deviceTokenTTL = 30 * 24 * time.Hour
	// passwordTokenTTL is the life of a token from a password sign-in.
	passwordTokenTTL = 7 * 24 * time.Hour
	// minPassword is the shortest accepted password, in characters;
	// bcrypt reads at most 72 bytes.
	minPassword, maxPasswordBytes = 10, 72
)

// codeInput is the optional body of POST /users/{id}/signin-codes.
type codeInput struct {
	TTLMinutes int `json:"ttl_minutes,omitempty" doc:"minutes the code is valid, 1–60 (default 15)"`
	// BaseURL is the origin the phone should open, as the workbench sees
	// it (location.origin); default: the scheme and Host of this request.
	BaseURL string `json:"base_url,omitempty" doc:"origin for signin_url, e.g. https://xunhui.example (default: this request's)"`
}

// codeIssued answers POST /users/{id}/signin-codes; the code is shown once.
type codeIssued struct {
	UserID    string    `json:"user_id"`
	Code      string    `json:"code" doc:"8 characters shown as ABCD-EFGH; case, spaces and dashes are ignored when typed"`
	ExpiresAt time.Time `json:"expires_at"`
	// SignInURL opens the field app with the code filled in and signs in:
	// <base>/field/#code=ABCD-EFGH (a fragment: never sent to a server or
	// written to a log).
	SignInURL string `json:"signin_url"`
	// QRPNG is SignInURL as a QR code, a data: URL of a PNG image, for the
	// phone's camera.
	QRPNG string `json:"qr_png" doc:"signin_url as a QR code: data:image/png;base64,…"`
}

// codeSignIn is the body of POST /auth/code.
type codeSignIn struct {
	Code   string `json:"code"`
	Device string `json:"device,omitempty" doc:"a name for the device (e.g. 'Zhang's phone'), ≤ 60 characters"`
}

// passwordSignIn is the body of POST /auth/password.
type passwordSignIn struct {
	UserID   string `json:"user_id"`
	Password string `json:"password"`
	Device   string `json:"device,omitempty"`
}

// passwordInput is the body of PUT /users/{id}/password and PUT /me/password.
type passwordInput struct {
	Password        string `json:"password" doc:"10–72 bytes"`
	CurrentPassword string `json:"current_password,omitempty" doc:"PUT /me/password: the current password, when one is set"`
}

// signedIn answers the sign-in endpoints: a device token, shown once.
type signedIn struct {
	User      data.User `json:"user"`
	Token     string    `json:"token"`
	TokenID   string    `json:"token_id"`
	ExpiresAt time.Time `json:"expires_at"`
}

// signInRoutes registers sign-in for the field (one-time codes, device
// tokens) and for office staff (passwords). The public endpoints answer
// 401 for every failed sign-in through the normal error table, so a rate
// limiter on failed sign-ins can wrap them.
func (s *Server) signInRoutes(pub, v1 *gin.RouterGroup) {
	s.handle(v1, http.MethodPost, "/users/:id/signin-codes", opSpec{roles: planners, tag: "access",
		summary:     "Issue a one-time sign-in code for a user's phone (shown once)",
		description: "The code works once, within ttl_minutes (default 15). County planners may issue codes for team members and township coordinators only; admins for anyone.",
		request:     codeInput{}, response: codeIssued{}, status: http.StatusCreated, errors: []int{400, 403, 404}}, s.issueSignInCode)
	s.handle(pub, http.MethodPost, "/auth/code", opSpec{public: true, tag: "access",
		summary:     "Exchange a one-time code for a device token (30 days, renewable)",
		description: "Unknown, used or expired codes and disabled users all answer 401.",
		request:     codeSignIn{}, response: signedIn{}, errors: []int{400, 401}}, s.signInWithCode)
	s.handle(pub, http.MethodPost, "/auth/password", opSpec{public: true, tag: "access",
		summary:     "Sign in with user id and password (office staff): a token for 7 days",
		description: "A wrong password, an unknown user or a user without a password all answer the same 401.",
		request:     passwordSignIn{}, response: signedIn{}, errors: []int{400, 401}}, s.signInWithPassword)
	s.handle(v1, http.MethodPost, "/auth/renew", opSpec{roles: allRoles, tag: "access",
		summary:     "Renew the caller's token: a new token with a fresh expiry replaces it (the old one stops at once)",
		description: "Tokens without expiry (admin API tokens) cannot be renewed (422).",
		response:    signedIn{}, errors: []int{401, 422}}, s.renewToken)
	s.handle(v1, http.MethodGet, "/me/devices", opSpec{roles: allRoles, tag: "access",
		summary: "The caller's tokens (signed-in devices): ids, names, creation and expiry", response: listBody[data.Token]{}}, s.myDevices)
	s.handle(v1, http.MethodDelete, "/me/devices/:id", opSpec{roles: allRoles, tag: "access",
		summary: "Sign a device out (revoke one of the caller's tokens)", status: http.StatusNoContent, errors: []int{404}}, s.revokeMyDevice)
	s.handle(v1, http.MethodPut, "/users/:id/password", opSpec{roles: adminOnly, tag: "access",
		summary: "Set a user's password (admin)", request: passwordInput{}, status: http.StatusNoContent, errors: []int{400, 403, 404}}, s.setUserPassword)
	s.handle(v1, http.MethodPut, "/me/password", opSpec{roles: allRoles, tag: "access",
		summary:     "Set the caller's own password",
		description: "When a password is set, current_password must match (401 otherwise).",
		request:     passwordInput{}, status: http.StatusNoContent, errors: []int{400, 401}}, s.setMyPassword)
}

func (s *Server) issueSignInCode(c *gin.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	var in codeInput
	if err := decodeOptionalJSON(c, s.cfg.MaxBodyBytes, &in); err != nil {
		return err
	}
	ttl := signInCodeTTL
	if in.TTLMinutes != 0 {
		if in.TTLMinutes < 1 || in.TTLMinutes > 60 {
			return badRequest("ttl_minutes", "ttl_minutes is 1–60")
		}
		ttl = time.Duration(in.TTLMinutes) * time.Minute
	}
	base, err := signInBase(c, in.BaseURL)
	if err != nil {
		return err
	}
	ctx := c.Request.Context()
	u, err := s.store.GetUser(ctx, id)
	if err != nil {
		return err
	}
	p := mustPrincipal(c)
	if p.user.Role != data.UserAdmin && u.Role != data.UserTeamMember && u.Role != data.UserTownshipCoordinator {
		return forbidden("county planners issue codes for team members and township coordinators only")
	}
	code, hash, err := data.NewSignInCode()
	if err != nil {
		return err
	}
	sc := data.SignInCode{Hash: hash, UserID: u.ID, CreatedBy: p.userID(), ExpiresAt: s.cfg.Now().UTC().Add(ttl)}
	if err := s.store.CreateSignInCode(ctx, &sc); err != nil {
		return err
	}
	signin := base + "/field/#code=" + code
	qr, err := qrPNG(signin)
	if err != nil {
		return err
	}
	s.logger.InfoContext(ctx, "sign-in code issued", "request_id", requestID(c), "user", u.ID, "by", p.userID())
	c.JSON(http.StatusCreated, codeIssued{UserID: u.ID, Code: code, ExpiresAt: sc.ExpiresAt, SignInURL: signin, QRPNG: qr})
	return nil
}

// signInBase returns the origin of a sign-in URL: baseURL when given (an
// http or https origin, nothing after the host), else this request's
// scheme and Host.
func signInBase(c *gin.Context, baseURL string) (string, error) {
	if baseURL == "" {
		scheme := "http"
		if c.Request.TLS != nil {
			scheme = "https"
		}
		return scheme + "://" + c.Request.Host, nil
	}
	u, err := url.Parse(baseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil ||
		strings.Trim(u.Path, "/") != "" || u.RawQuery != "" || u.Fragment != "" || len(baseURL) > 200 {
		return "", badRequest("base_url", "base_url is an http(s) origin such as https://xunhui.example")
	}
	return u.Scheme + "://" + u.Host, nil
}

// qrPNG draws text as a QR code (github.com/skip2/go-qrcode, medium error
// correction: a phone screen or a printout with a smudge still scans) and
// returns it as a data: URL of a 256-pixel PNG.
func qrPNG(text string) (string, error) {
	png, err := qrcode.Encode(text, qrcode.Medium, 256)
	if err != nil {
		return "", fmt.Errorf("qr code: %w", err)
	}
	return "data:image/png;base64," + base64.StdEncoding.EncodeToString(png), nil
}

// deviceName checks a device name and returns the token name for it.
func deviceName(device, fallback string) (string, error) {
	device = strings.TrimSpace(device)
	if utf8.RuneCountInString(device) > 60 {
		return "", badRequest("device", "device is at most 60 characters")
	}
	if device == "" {
		device = fallback
	}
	return "device: " + device, nil
}

// newDeviceToken builds a token named name that expires after ttl.
func (s *Server) newDeviceToken(name string, ttl time.Duration) (data.Token, string, error) {
	secret, hash, err := data.NewToken()
	if err != nil {
		return data.Token{}, "", err
	}
	exp := s.cfg.Now().UTC().Add(ttl)
	return data.Token{Name: name, Hash: hash, ExpiresAt: &exp}, secret, nil
}

func (s *Server) signInWithCode(c *gin.Context) error {
	var in codeSignIn
	if err := decodeJSON(c.Writer, c.Request, s.cfg.MaxBodyBytes, &in); err != nil {
		return err
	}
	norm, ok := data.NormalizeSignInCode(in.Code)
	if !ok {
		return badRequest("code", "code is 8 letters and digits, e.g. ABCD-EFGH")
	}
	name, err := deviceName(in.Device, "phone")
	if err != nil {
		return err
	}
	tok, secret, err := s.newDeviceToken(name, deviceTokenTTL)
	if err != nil {
		return err
	}
	ctx := c.Request.Context()
	u, err := s.store.RedeemSignInCode(ctx, data.HashToken(norm), &tok)
	if err != nil {
		if data.ErrorKind(err) == data.Unauthorized {
			return unauthorized("unknown, used or expired sign-in code")
		}
		return err
	}
	s.logger.InfoContext(ctx, "signed in with a code", "request_id", requestID(c), "user", u.ID, "token_id", tok.ID)
	c.JSON(http.StatusOK, signedIn{User: u, Token: secret, TokenID: tok.ID, ExpiresAt: *tok.ExpiresAt})
	return nil
}

// dummyHash is compared against when a user is unknown or has no
// password, so that the answer takes as long as for a wrong password.
var dummyHash = sync.OnceValue(func() []byte {
	h, _ := bcrypt.GenerateFromPassword([]byte("no such user, no such password"), bcrypt.DefaultCost)
	return h
})

func (s *Server) signInWithPassword(c *gin.Context) error {
	var in passwordSignIn
	if err := decodeJSON(c.Writer, c.Request, s.cfg.MaxBodyBytes, &in); err != nil {
		return err
	}
	if in.UserID == "" {
		return badRequest("user_id", "user_id is required")
	}
	if in.Password == "" || len(in.Password) > maxPasswordBytes {
		return badRequest("password", "password is required (at most 72 bytes)")
	}
	name, err := deviceName(in.Device, "browser")
	if err != nil {
		return err
	}
	ctx := c.Request.Context()
	u, hash, err := s.store.PasswordHash(ctx, in.UserID)
	if err != nil && data.ErrorKind(err) != data.NotFound {
		return err
	}
	if err != nil {
		hash = string(dummyHash())
	}
	if bcrypt.CompareHashAndPassword([]byte(hash), []byte(in.Password)) != nil || err != nil || u.Disabled {
		return unauthorized("wrong user id or password")
	}
	tok, secret, err := s.newDeviceToken(name, passwordTokenTTL)
	if err != nil {
		return err
	}
	tok.UserID = u.ID
	if err := s.store.CreateToken(ctx, &tok); err != nil {
		return err
	}
	s.logger.InfoContext(ctx, "signed in with a password", "request_id", requestID(c), "user", u.ID, "token_id", tok.ID)
	c.JSON(http.StatusOK, signedIn{User: u, Token: secret, TokenID: tok.ID, ExpiresAt: *tok.ExpiresAt})
	return nil
}

func (s *Server) renewToken(c *gin.Context) error {
	if err := decodeOptionalJSON(c, s.cfg.MaxBodyBytes, &struct{}{}); err != nil {
		return err
	}
	p := mustPrincipal(c)
	if p.token.ExpiresAt == nil {
		return data.Errorf(data.Invalid, "this token does not expire: nothing to renew")
	}
	// A renewed token lives as long as its kind did at creation.
	ttl := p.token.ExpiresAt.Sub(p.token.CreatedAt)
	tok, secret, err := s.newDeviceToken(p.token.Name, ttl)
	if err != nil {
		return err
	}
	ctx := c.Request.Context()
	if err := s.store.RotateToken(ctx, p.token.ID, &tok); err != nil {
		if data.ErrorKind(err) == data.NotFound {
			return unauthorized("invalid, expired or revoked token")
		}
		return err
	}
	s.logger.InfoContext(ctx, "token renewed", "request_id", requestID(c), "user", p.userID(), "old", p.token.ID, "token_id", tok.ID)
	c.JSON(http.StatusOK, signedIn{User: p.user, Token: secret, TokenID: tok.ID, ExpiresAt: *tok.ExpiresAt})
	return nil
}

func (s *Server) myDevices(c *gin.Context) error {
	if _, err := query(c); err != nil {
		return err
	}
	ts, err := s.store.ListTokens(c.Request.Context(), mustPrincipal(c).userID())
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, list(ts))
	return nil
}

func (s *Server) revokeMyDevice(c *gin.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	ctx := c.Request.Context()
	ts, err := s.store.ListTokens(ctx, mustPrincipal(c).userID())
	if err != nil {
		return err
	}
	for _, t := range ts {
		if t.ID == id {
			if err := s.store.DeleteToken(ctx, id); err != nil {
				return err
			}
			c.Status(http.StatusNoContent)
			return nil
		}
	}
	return notFound("no such device of yours: " + id)
}

// hashPassword checks and hashes a new password.
func hashPassword(pw string) (string, error) {
	if utf8.RuneCountInString(pw) < minPassword || len(pw) > maxPasswordBytes {
		return "", badRequest("password", "password is 10 characters to 72 bytes")
	}
	h, err := bcrypt.GenerateFromPassword([]byte(pw), bcrypt.DefaultCost)
	if err != nil {
		return "", err
	}
	return string(h), nil
}

func (s *Server) setUserPassword(c *gin.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	var in passwordInput
	if err := decodeJSON(c.Writer, c.Request, s.cfg.MaxBodyBytes, &in); err != nil {
		return err
	}
	return s.setPassword(c, id, in.Password)
}

func (s *Server) setMyPassword(c *gin.Context) error {
	var in passwordInput
	if err := decodeJSON(c.Writer, c.Request, s.cfg.MaxBodyBytes, &in); err != nil {
		return err
	}
	p := mustPrincipal(c)
	_, old, err := s.store.PasswordHash(c.Request.Context(), p.userID())
	switch {
	case err == nil:
		if bcrypt.CompareHashAndPassword([]byte(old), []byte(in.CurrentPassword)) != nil {
			return unauthorized("current_password does not match")
		}
	case data.ErrorKind(err) != data.NotFound:
		return err
	}
	return s.setPassword(c, p.userID(), in.Password)
}

func (s *Server) setPassword(c *gin.Context, userID, pw string) error {
	h, err := hashPassword(pw)
	if err != nil {
		return err
	}
	ctx := c.Request.Context()
	if err := s.store.SetPassword(ctx, userID, h); err != nil {
		return err
	}
	s.logger.InfoContext(ctx, "password set", "request_id", requestID(c), "user", userID, "by", mustPrincipal(c).userID())
	c.Status(http.StatusNoContent)
	return nil
}
