package api

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/yingjing/xunhui/data"
)

// TestSignIn runs the field and office sign-in flows through the HTTP API
// on both stores: a planner issues a one-time code, a phone exchanges it
// once for a device token, lists and renews it and signs a device out;
// an admin sets a password and office staff sign in with it.
func TestSignIn(t *testing.T) {
	eachStore(t, func(t *testing.T, e *testEnv) {
		var code codeIssued
		post := func(path, user string, body any, want int, out any) []byte {
			t.Helper()
			status, _, b := e.do(http.MethodPost, path, user, body)
			if status != want {
				t.Fatalf("POST %s as %q: status %d, want %d: %s", path, user, status, want, b)
			}
			if out != nil {
				if err := json.Unmarshal(b, out); err != nil {
					t.Fatalf("POST %s: decode: %v: %s", path, err, b)
				}
			}
			return b
		}
		post("/api/v1/users/u-memberA/signin-codes", "u-planner", nil, http.StatusCreated, &code)
		if !regexp.MustCompile(`^[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}$`).MatchString(code.Code) || code.UserID != "u-memberA" || code.ExpiresAt.IsZero() {
			t.Fatalf("code = %+v", code)
		}
		for _, tc := range []struct {
			user, target string
			want         int
		}{
			{"u-planner", "u-admin", 403}, {"u-planner", "u-planner", 403}, {"u-coordA", "u-memberA", 403},
			{"u-memberA", "u-memberA", 403}, {"u-admin", "u-planner", 201}, {"u-planner", "u-nobody", 404},
		} {
			if status, _, b := e.do(http.MethodPost, "/api/v1/users/"+tc.target+"/signin-codes", tc.user, nil); status != tc.want {
				t.Errorf("%s issuing a code for %s: status %d, want %d: %s", tc.user, tc.target, status, tc.want, b)
			}
		}
		post("/api/v1/users/u-memberA/signin-codes", "u-planner", map[string]any{"ttl_minutes": 61}, http.StatusBadRequest, nil)

		// Typed in lower case without the dash: accepted once.
		typed := strings.ToLower(strings.ReplaceAll(code.Code, "-", " "))
		var in signedIn
		post("/api/v1/auth/code", "", map[string]string{"code": typed, "device": "张三的手机"}, http.StatusOK, &in)
		if in.User.ID != "u-memberA" || !strings.HasPrefix(in.Token, "xh_") || in.ExpiresAt.IsZero() {
			t.Fatalf("signed in = %+v", in)
		}
		b := post("/api/v1/auth/code", "", map[string]string{"code": typed}, http.StatusUnauthorized, nil)
		if d := errBody(t, b); d.Code != codeUnauthorized {
			t.Errorf("reused code: %+v", d)
		}
		b = post("/api/v1/auth/code", "", map[string]string{"code": "12345"}, http.StatusBadRequest, nil)
		if d := errBody(t, b); d.Field != "code" {
			t.Errorf("malformed code: field %q", d.Field)
		}
		post("/api/v1/auth/code", "", map[string]string{"code": code.Code, "extra": "x"}, http.StatusBadRequest, nil)

		// The device token works, is listed, renews and signs out.
		e.tokens["phone"] = in.Token
		var me meBody
		e.getJSON("/api/v1/me", "phone", http.StatusOK, &me)
		if me.User.ID != "u-memberA" {
			t.Fatalf("me = %+v", me)
		}
		var devs listBody[data.Token]
		e.getJSON("/api/v1/me/devices", "phone", http.StatusOK, &devs)
		found := false
		for _, d := range devs.Items {
			found = found || (d.ID == in.TokenID && d.Name == "device: 张三的手机")
		}
		if !found {
			t.Fatalf("devices = %+v, want %s", devs.Items, in.TokenID)
		}
		var renewed signedIn
		post("/api/v1/auth/renew", "phone", nil, http.StatusOK, &renewed)
		if renewed.Token == in.Token || renewed.User.ID != "u-memberA" || !renewed.ExpiresAt.After(in.ExpiresAt.Add(-1)) {
			t.Fatalf("renewed = %+v", renewed)
		}
		if status, _, _ := e.do(http.MethodGet, "/api/v1/me", "phone", nil); status != http.StatusUnauthorized {
			t.Errorf("old token after renewal: status %d, want 401", status)
		}
		e.tokens["phone"] = renewed.Token
		post("/api/v1/auth/renew", "u-admin", nil, http.StatusUnprocessableEntity, nil) // a token without expiry
		if status, _, _ := e.do(http.MethodDelete, "/api/v1/me/devices/"+renewed.TokenID, "u-memberB", nil); status != http.StatusNotFound {
			t.Errorf("another user's device: status %d, want 404", status)
		}
		if status, _, _ := e.do(http.MethodDelete, "/api/v1/me/devices/"+renewed.TokenID, "phone", nil); status != http.StatusNoContent {
			t.Errorf("sign out: status %d, want 204", status)
		}
		if status, _, _ := e.do(http.MethodGet, "/api/v1/me", "phone", nil); status != http.StatusUnauthorized {
			t.Errorf("signed-out token: status %d, want 401", status)
		}

		// Passwords for office staff.
		put := func(path, user string, body any, want int) {
			t.Helper()
			if status, _, b := e.do(http.MethodPut, path, user, body); status != want {
				t.Fatalf("PUT %s as %s: status %d, want %d: %s", path, user, status, want, b)
			}
		}
		put("/api/v1/users/u-coordA/password", "u-admin", map[string]string{"password": "short"}, http.StatusBadRequest)
		put("/api/v1/users/u-coordA/password", "u-planner", map[string]string{"password": "巡回服务-荥经-2026"}, http.StatusForbidden)
		put("/api/v1/users/u-coordA/password", "u-admin", map[string]string{"password": "巡回服务-荥经-2026"}, http.StatusNoContent)
		post("/api/v1/auth/password", "", map[string]string{"user_id": "u-coordA", "password": "wrong password"}, http.StatusUnauthorized, nil)
		post("/api/v1/auth/password", "", map[string]string{"user_id": "u-nobody", "password": "巡回服务-荥经-2026"}, http.StatusUnauthorized, nil)
		post("/api/v1/auth/password", "", map[string]string{"user_id": "u-coordA"}, http.StatusBadRequest, nil)
		var office signedIn
		post("/api/v1/auth/password", "", map[string]string{"user_id": "u-coordA", "password": "巡回服务-荥经-2026"}, http.StatusOK, &office)
		e.tokens["office"] = office.Token
		put("/api/v1/me/password", "office", map[string]string{"current_password": "nope", "password": "another-long-one"}, http.StatusUnauthorized)
		put("/api/v1/me/password", "office", map[string]string{"current_password": "巡回服务-荥经-2026", "password": "another-long-one"}, http.StatusNoContent)
		post("/api/v1/auth/password", "", map[string]string{"user_id": "u-coordA", "password": "another-long-one"}, http.StatusOK, nil)
	})
}
