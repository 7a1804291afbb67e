package api

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
)

// Query parameters shared by the route table and the OpenAPI description.
var (
	qTownship  = apiParam{Name: "township", In: "query", Description: "township id (12-digit NBS code)", Schema: &jsonSchema{Type: "string"}}
	qFormat    = apiParam{Name: "format", In: "query", Description: "json (default) or geojson", Schema: &jsonSchema{Type: "string", Enum: []string{"json", "geojson"}}}
	qCircle    = apiParam{Name: "circle", In: "query", Description: "county, township or village", Schema: &jsonSchema{Type: "string", Enum: []string{"county", "township", "village"}}}
	qStaffRole = apiParam{Name: "role", In: "query", Description: "staff role", Schema: &jsonSchema{Type: "string", Enum: []string{"county_expert", "desk_officer", "village_agent", "grid_worker"}}}
	qSkill     = apiParam{Name: "skill", In: "query", Description: "department skill, e.g. civil_affairs", Schema: &jsonSchema{Type: "string"}}
	qLevel     = apiParam{Name: "level", In: "query", Description: "county, township or village", Schema: &jsonSchema{Type: "string", Enum: []string{"county", "township", "village"}}}
	qIfMatch   = apiParam{Name: "If-Match", In: "header", Description: `the version read, as an entity tag: "3" (alternative to the body's version)`, Schema: &jsonSchema{Type: "string"}}

	requestQueryParams = []apiParam{
		qTownship,
		{Name: "village", In: "query", Description: "village id", Schema: &jsonSchema{Type: "string"}},
		{Name: "status", In: "query", Description: "comma-separated statuses (pending, planned, done, failed, follow_up)", Schema: &jsonSchema{Type: "string"}},
		{Name: "ledger", In: "query", Description: "proxy, appeal or hardship", Schema: &jsonSchema{Type: "string", Enum: []string{"proxy", "appeal", "hardship"}}},
		{Name: "group", In: "query", Description: "special group, e.g. elderly_alone", Schema: &jsonSchema{Type: "string"}},
		{Name: "deadline_before", In: "query", Description: "keep requests due on or before this date (YYYY-MM-DD)", Schema: &jsonSchema{Type: "string", Format: "date"}},
		{Name: "order", In: "query", Description: "id (default), priority (most urgent, then earliest deadline), deadline (earliest first, none last), created (newest first)",
			Schema: &jsonSchema{Type: "string", Enum: []string{"id", "priority", "deadline", "created"}}},
		{Name: "limit", In: "query", Description: "page size, 1–1000 (default 100)", Schema: &jsonSchema{Type: "integer"}},
		{Name: "offset", In: "query", Description: "number of matches to skip (default 0)", Schema: &jsonSchema{Type: "integer"}},
	}
)

// query reads the query string of c, rejecting parameters not in allowed
// (typos such as ?townsip= would otherwise silently return everything) and
// repeated parameters.
func query(c *gin.Context, allowed ...string) (url.Values, error) {
	q := c.Request.URL.Query()
	for k, vs := range q {
		ok := false
		for _, a := range allowed {
			if k == a {
				ok = true
				break
			}
		}
		if !ok {
			return nil, badRequest(k, fmt.Sprintf("unknown query parameter %q (allowed: %s)", k, strings.Join(allowed, ", ")))
		}
		if len(vs) > 1 {
			return nil, badRequest(k, fmt.Sprintf("query parameter %q given %d times", k, len(vs)))
		}
	}
	return q, nil
}

// intParam parses an optional integer query parameter within [lo, hi].
func intParam(q url.Values, name string, def, lo, hi int) (int, error) {
	s := q.Get(name)
	if s == "" {
		return def, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < lo || n > hi {
		return 0, badRequest(name, fmt.Sprintf("%s=%q is not an integer within %d–%d", name, s, lo, hi))
	}
	return n, nil
}

// dryRunParam reads the only query parameter of the validate-only writes,
// dry_run (true/false, default false); any other parameter is a 400.
func dryRunParam(c *gin.Context) (bool, error) {
	q, err := query(c, "dry_run")
	if err != nil {
		return false, err
	}
	v := q.Get("dry_run")
	if v == "" {
		return false, nil
	}
	dry, err := strconv.ParseBool(v)
	if err != nil {
		return false, badRequest("dry_run", "dry_run must be true or false")
	}
	return dry, nil
}
