package api

import (
	"bytes"
	"encoding/base64"
	"image/png"
	"net/http"
	"strings"
	"testing"

	"github.com/skip2/go-qrcode"
)

// TestSignInQR: an issued code comes with the field app's sign-in URL
// (code in the fragment) and a QR image that reads as exactly that URL;
// following the URL's code signs the phone in; a bad base_url is 400.
func TestSignInQR(t *testing.T) {
	e := newTestEnv(t, storeFactories[0].open(t))
	var code codeIssued
	e.postJSON("/api/v1/users/u-memberA/signin-codes", "u-planner", map[string]any{"base_url": "https://xunhui.example"}, http.StatusCreated, &code)
	want := "https://xunhui.example/field/#code=" + code.Code
	if code.SignInURL != want {
		t.Fatalf("signin_url = %q, want %q", code.SignInURL, want)
	}
	b64, ok := strings.CutPrefix(code.QRPNG, "data:image/png;base64,")
	if !ok {
		t.Fatalf("qr_png = %.40q…, want a PNG data URL", code.QRPNG)
	}
	raw, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	// Read the image module by module and compare with the symbol of the
	// URL: the picture is the URL's QR code, quiet zone included.
	q, err := qrcode.New(want, qrcode.Medium)
	if err != nil {
		t.Fatal(err)
	}
	bm := q.Bitmap()
	n, size := len(bm), img.Bounds().Dx()
	if size < 2*n {
		t.Fatalf("%d modules in %d pixels: too small to scan", n, size)
	}
	centre := func(i int) int { return (2*i + 1) * size / (2 * n) } // the pixel at the middle of module i
	for y := range n {
		for x := range n {
			r, _, _, _ := img.At(centre(x), centre(y)).RGBA()
			if dark := r < 0x8000; dark != bm[y][x] {
				t.Fatalf("module (%d,%d) dark=%v, want %v", x, y, dark, bm[y][x])
			}
		}
	}
	frag := code.SignInURL[strings.Index(code.SignInURL, "#code=")+len("#code="):]
	var in signedIn
	e.postJSON("/api/v1/auth/code", "", map[string]any{"code": frag, "device": "QR phone"}, http.StatusOK, &in)
	if in.Token == "" || in.User.ID != "u-memberA" {
		t.Fatalf("sign-in with the URL's code = %+v", in)
	}

	var def codeIssued
	e.postJSON("/api/v1/users/u-memberA/signin-codes", "u-planner", nil, http.StatusCreated, &def)
	if !strings.HasPrefix(def.SignInURL, e.url+"/field/#code=") {
		t.Fatalf("default signin_url = %q, want this server's origin %s", def.SignInURL, e.url)
	}
	for _, bad := range []string{"ftp://x", "https://x/path", "https://u:p@x", "javascript:alert(1)", "https://x?a=1"} {
		if code, _, body := e.do(http.MethodPost, "/api/v1/users/u-memberA/signin-codes", "u-planner", map[string]any{"base_url": bad}); code != 400 || errBody(t, body).Field != "base_url" {
			t.Errorf("base_url %q: %d %s", bad, code, body)
		}
	}
}
