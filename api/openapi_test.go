package api

import (
	"encoding/json"
	"net/http"
	"sort"
	"strings"
	"testing"

	"github.com/yingjing/xunhui/data/sqlite/sqlitetest"
	"github.com/yingjing/xunhui/handoff"
	"github.com/yingjing/xunhui/optimizer/market"
)

// TestOpenAPIRoutes keeps the description true: every route gin serves is
// described with the same method, and every described operation is served.
func TestOpenAPIRoutes(t *testing.T) {
	store := sqlitetest.New(t)
	srv := NewServer(store, nil, Config{})
	// The market planner registers its routes when installed; include them.
	mkt := market.NewService(store, market.Config{})
	srv.SetMarket(mkt)
	srv.SetHandoffs(handoff.New(store, nil))
	served := map[string]bool{}
	for _, r := range srv.engine.Routes() {
		p, _ := openAPIPath(r.Path)
		served[strings.ToLower(r.Method)+" "+p] = true
	}
	described := map[string]bool{}
	for p, ops := range srv.spec.Paths {
		for m := range ops {
			described[m+" "+p] = true
		}
	}
	for k := range served {
		if !described[k] {
			t.Errorf("route %s is served but not in the OpenAPI description", k)
		}
	}
	for k := range described {
		if !served[k] {
			t.Errorf("operation %s is described but not served", k)
		}
	}
	if len(served) < 20 {
		t.Errorf("only %d routes registered; the route table did not load", len(served))
	}
}

// TestOpenAPIDocument checks the served document: it is OpenAPI 3, every
// operation has a summary, an id, responses and roles or public access, and
// every $ref resolves to a component.
func TestOpenAPIDocument(t *testing.T) {
	e := newTestEnv(t, storeFactories[0].open(t))
	code, h, body := e.do(http.MethodGet, "/api/v1/openapi.json", "u-memberA", nil)
	if code != 200 || !strings.HasPrefix(h.Get("Content-Type"), "application/json") {
		t.Fatalf("GET openapi.json: status %d, content type %q", code, h.Get("Content-Type"))
	}
	var doc map[string]any
	if err := json.Unmarshal(body, &doc); err != nil {
		t.Fatal(err)
	}
	if v, _ := doc["openapi"].(string); !strings.HasPrefix(v, "3.") {
		t.Errorf("openapi = %q, want 3.x", v)
	}
	schemas, _ := doc["components"].(map[string]any)["schemas"].(map[string]any)
	for _, want := range []string{"Request", "Township", "Village", "Staff", "Team", "ServiceItem", "Error", "RequestList", "Household", "StatusChange", "User"} {
		if _, ok := schemas[want]; !ok {
			t.Errorf("components.schemas lacks %s (have %v)", want, keys(schemas))
		}
	}
	ids := map[string]bool{}
	for path, ops := range doc["paths"].(map[string]any) {
		for method, o := range ops.(map[string]any) {
			op := o.(map[string]any)
			id, _ := op["operationId"].(string)
			if id == "" || ids[id] {
				t.Errorf("%s %s: operationId %q empty or duplicate", method, path, id)
			}
			ids[id] = true
			if s, _ := op["summary"].(string); s == "" {
				t.Errorf("%s %s: no summary", method, path)
			}
			if len(op["responses"].(map[string]any)) < 2 {
				t.Errorf("%s %s: fewer than 2 responses", method, path)
			}
			sec, _ := op["security"].([]any)
			roles, _ := op["x-roles"].([]any)
			if len(sec) > 0 && len(roles) == 0 {
				t.Errorf("%s %s: authenticated but lists no roles", method, path)
			}
		}
	}
	// Every $ref points at an existing component.
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			if ref, ok := x["$ref"].(string); ok {
				name := strings.TrimPrefix(ref, "#/components/schemas/")
				if _, ok := schemas[name]; !ok {
					t.Errorf("dangling $ref %s", ref)
				}
			}
			for _, c := range x {
				walk(c)
			}
		case []any:
			for _, c := range x {
				walk(c)
			}
		}
	}
	walk(doc)
	// The Request schema names the fields clients see.
	req := schemas["Request"].(map[string]any)["properties"].(map[string]any)
	for _, f := range []string{"id", "ledger", "household", "township_id", "item_ids", "deadline", "status", "version", "history"} {
		if _, ok := req[f]; !ok {
			t.Errorf("Request schema lacks %q", f)
		}
	}
}

func keys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
