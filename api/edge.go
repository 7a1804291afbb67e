package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gin-gonic/gin"
)

// MaxJSONDepth bounds the nesting of objects and arrays in a JSON body. The
// deepest legitimate body (a VROOM problem's per-profile matrices) nests 4
// levels; 32 leaves room and stops a body of 1 MiB of '[' from costing a
// recursive decoder a megabyte of stack.
const MaxJSONDepth = 32

// checkedHeaders are the request headers whose values handlers read as text
// (others are parsed as numbers, tokens or media types, or not read at all).
var checkedHeaders = []string{"If-Match", "Idempotency-Key"}

// inputGuard rejects, before any handler runs, text that one store would
// keep and the other refuse: a NUL character or invalid UTF-8 in the URL
// path, in any query parameter name or value, or in a text header (400
// naming the parameter). It also caps every body at SolverMaxBodyBytes, so a
// handler that reads the body without decodeJSON is bounded too. Bodies are
// checked by decodeJSONBytes (checkJSONText) and by the CSV readers.
func (s *Server) inputGuard() gin.HandlerFunc {
	return func(c *gin.Context) {
		if err := checkRequestText(c.Request); err != nil {
			s.fail(c, err)
			return
		}
		if c.Request.Body != nil && c.Request.Body != http.NoBody {
			c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, SolverMaxBodyBytes)
		}
		c.Next()
	}
}

// checkRequestText checks the path, query and text headers of r.
func checkRequestText(r *http.Request) error {
	if msg := badText(r.URL.Path); msg != "" {
		return badRequest("path", "the URL path "+msg)
	}
	q, err := parseQueryStrict(r.URL.RawQuery)
	if err != nil {
		return err
	}
	for _, kv := range q {
		if msg := badText(kv[0]); msg != "" {
			return badRequest("query", "a query parameter name "+msg)
		}
		if msg := badText(kv[1]); msg != "" {
			return badRequest(kv[0], fmt.Sprintf("query parameter %q %s", kv[0], msg))
		}
	}
	for _, h := range checkedHeaders {
		for _, v := range r.Header.Values(h) {
			if msg := badText(v); msg != "" {
				return badRequest(h, "header "+h+" "+msg)
			}
		}
	}
	return nil
}

// parseQueryStrict splits a raw query into unescaped name/value pairs; a
// malformed escape is a 400 (url.Values would drop the pair silently).
func parseQueryStrict(raw string) ([][2]string, error) {
	var out [][2]string
	for raw != "" {
		var part string
		part, raw, _ = strings.Cut(raw, "&")
		if part == "" {
			continue
		}
		k, v, _ := strings.Cut(part, "=")
		uk, err1 := queryUnescape(k)
		uv, err2 := queryUnescape(v)
		if err1 != nil || err2 != nil {
			return nil, badRequest("query", "malformed percent-escape in the query string")
		}
		out = append(out, [2]string{uk, uv})
	}
	return out, nil
}

func queryUnescape(s string) (string, error) {
	s = strings.ReplaceAll(s, "+", " ")
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '%' {
			b.WriteByte(s[i])
			continue
		}
		if i+2 >= len(s) {
			return "", errors.New("short escape")
		}
		n, err := strconv.ParseUint(s[i+1:i+3], 16, 8)
		if err != nil {
			return "", err
		}
		b.WriteByte(byte(n))
		i += 2
	}
	return b.String(), nil
}

// badText says what is wrong with s as stored text ("contains a NUL
// character", "is not valid UTF-8"), or "" when it is fine.
func badText(s string) string {
	if strings.IndexByte(s, 0) >= 0 {
		return "contains a NUL character"
	}
	if !utf8.ValidString(s) {
		return "is not valid UTF-8"
	}
	return ""
}

// checkJSONText walks body token by token before it is decoded and rejects
// (400, naming the field and the line and column) invalid UTF-8 anywhere,
// a NUL character (\u0000) in any string or key, and nesting deeper than
// MaxJSONDepth. encoding/json would otherwise replace invalid bytes by
// U+FFFD silently and pass NUL through to the store. A syntax error stops
// the walk without error: the decoder reports it with its own message.
func checkJSONText(body []byte) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var path jsonPath
	prev := int64(0)
	for {
		tok, err := dec.Token()
		if err != nil {
			return nil // io.EOF, or a syntax error left to the decoder
		}
		end := dec.InputOffset()
		raw := body[prev:end]
		prev = end
		if d, ok := tok.(json.Delim); ok && (d == '}' || d == ']') {
			path.pop()
			path.valueDone()
			continue
		}
		if path.wantKey() {
			k, _ := tok.(string)
			if msg := badJSONString(raw, k); msg != "" {
				line, col := lineCol(body, end)
				return badRequest(path.field(), fmt.Sprintf("a field name %s (line %d, column %d)", msg, line, col))
			}
			path.setKey(k)
			continue
		}
		path.nextElement()
		switch t := tok.(type) {
		case json.Delim: // '{' or '['
			path.push(t == '{')
			if len(path) > MaxJSONDepth {
				line, col := lineCol(body, end)
				return badRequest("", fmt.Sprintf("JSON nested deeper than %d levels at line %d, column %d", MaxJSONDepth, line, col))
			}
		case string:
			if msg := badJSONString(raw, t); msg != "" {
				line, col := lineCol(body, end)
				field := path.field()
				return badRequest(field, fmt.Sprintf("field %q %s (line %d, column %d)", field, msg, line, col))
			}
			path.valueDone()
		default:
			path.valueDone()
		}
	}
}

// badJSONString checks one string token: raw is its source text (with the
// delimiters before it), s its decoded value.
func badJSONString(raw []byte, s string) string {
	if !utf8.Valid(raw) {
		return "is not valid UTF-8"
	}
	if strings.IndexByte(s, 0) >= 0 {
		return "contains a NUL character"
	}
	return ""
}

// jsonPath tracks where checkJSONText is in the document, to name fields in
// the project's spelling: household.name, item_ids[2], visit_windows[0].to.
type jsonPath []jsonFrame

type jsonFrame struct {
	object  bool
	key     string
	index   int
	haveKey bool // object: a key was read and its value is pending
}

func (p *jsonPath) push(object bool) { *p = append(*p, jsonFrame{object: object, index: -1}) }

func (p *jsonPath) pop() {
	if n := len(*p); n > 0 {
		*p = (*p)[:n-1]
	}
}

// wantKey reports whether the next string token is an object key.
func (p jsonPath) wantKey() bool {
	n := len(p)
	return n > 0 && p[n-1].object && !p[n-1].haveKey
}

func (p jsonPath) setKey(k string) {
	if n := len(p); n > 0 {
		p[n-1].key, p[n-1].haveKey = k, true
	}
}

// nextElement is called when a value starts: in an array it advances the
// index, so that the path names the element being read.
func (p jsonPath) nextElement() {
	if n := len(p); n > 0 && !p[n-1].object {
		p[n-1].index++
	}
}

// valueDone is called after a complete value: an object waits for its next
// key.
func (p jsonPath) valueDone() {
	if n := len(p); n > 0 && p[n-1].object {
		p[n-1].haveKey = false
	}
}

// field names the value being read.
func (p jsonPath) field() string {
	var b strings.Builder
	for _, f := range p {
		if f.object {
			if !f.haveKey {
				continue
			}
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(f.key)
		} else if f.index >= 0 {
			fmt.Fprintf(&b, "[%d]", f.index)
		}
	}
	return b.String()
}
