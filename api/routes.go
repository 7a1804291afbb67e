package api

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/yingjing/xunhui/data"
)

// Role sets used by the route table (see docs/api.md for the matrix).
var (
	allRoles  = []data.UserRole{data.UserAdmin, data.UserCountyPlanner, data.UserTownshipCoordinator, data.UserTeamMember}
	adminOnly = []data.UserRole{data.UserAdmin}
	planners  = []data.UserRole{data.UserAdmin, data.UserCountyPlanner}
	writers   = []data.UserRole{data.UserAdmin, data.UserCountyPlanner, data.UserTownshipCoordinator}
)

// handlerFunc is a gin handler that returns its error instead of writing it;
// handle turns the error into the JSON error response.
type handlerFunc func(c *gin.Context) error

// handle registers h for method and path (relative to g) behind the role
// check of spec, and records the operation in the OpenAPI description.
func (s *Server) handle(g *gin.RouterGroup, method, path string, spec opSpec, h handlerFunc) {
	chain := []gin.HandlerFunc{}
	if !spec.public && spec.roles == nil {
		panic("api: route " + method + " " + path + " declares no roles") // programming error, caught by every test
	}
	if !spec.public && len(spec.roles) < len(allRoles) {
		chain = append(chain, s.requireRole(spec.roles...))
	}
	chain = append(chain, func(c *gin.Context) {
		if err := h(c); err != nil {
			s.fail(c, err)
		}
	})
	g.Handle(method, path, chain...)
	s.spec.add(method, joinPath(g.BasePath(), path), spec)
}

func roleNames(rs []data.UserRole) []string {
	if len(rs) == 0 {
		return nil
	}
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = string(r)
	}
	return out
}

func joinPath(base, p string) string {
	if base == "/" {
		return p
	}
	return base + p
}

// routes registers every route. Middleware order matters: the request id
// comes first so that everything after it (logs, errors, panics) carries it;
// recovery sits inside logging and metrics so a panicking request is still
// logged and counted as a 500.
func (s *Server) routes() {
	e := s.engine
	e.Use(requestIDMiddleware(), s.accessLog(), s.metrics.middleware(), securityHeaders(), s.recovery(),
		s.addressLimit(), s.authFailLimit(), s.inputGuard(), s.accessTrail())
	e.NoRoute(func(c *gin.Context) {
		s.fail(c, &httpError{Status: http.StatusNotFound, Code: codeNotFound, noRoute: true,
			Message: "no such endpoint: " + truncate(strings.ToValidUTF8(c.Request.URL.Path, "?"), 200)})
	})
	e.NoMethod(func(c *gin.Context) {
		s.fail(c, &httpError{Status: http.StatusMethodNotAllowed, Code: codeMethodNotAllowed,
			Message: "method " + c.Request.Method + " not allowed on " + c.Request.URL.Path})
	})

	root := &e.RouterGroup
	s.handle(root, http.MethodGet, "/healthz", opSpec{public: true, tag: "ops",
		summary: "Liveness: the process is up (no dependencies checked)", response: healthBody{}}, s.healthz)
	s.handle(root, http.MethodGet, "/readyz", opSpec{public: true, tag: "ops",
		summary: "Readiness: the store answers", response: healthBody{}, errors: []int{503}}, s.readyz)

	authed := e.Group("/", s.authenticate())
	s.handle(authed, http.MethodGet, "/metrics", opSpec{roles: adminOnly, tag: "ops",
		summary:     "Prometheus metrics (text exposition format)",
		description: "Needs an admin token on the API listener; `serve --metrics-addr` also serves it without auth on a separate (internal) listener.",
		contentType: "text/plain", errors: []int{403}}, s.metricsHandler)

	v1 := e.Group("/api/v1", s.authenticate())
	s.signInRoutes(e.Group("/api/v1"), v1)
	s.handle(v1, http.MethodGet, "/openapi.json", opSpec{roles: allRoles, tag: "meta",
		summary: "This OpenAPI 3 description", contentType: "application/json"}, s.openapi)
	s.handle(v1, http.MethodGet, "/me", opSpec{roles: allRoles, tag: "access",
		summary: "The authenticated user and its scope", response: meBody{}}, s.me)

	// Reference data: readable by every role; staff phones are redacted by scope.
	s.handle(v1, http.MethodGet, "/townships", opSpec{roles: allRoles, tag: "geography",
		summary: "List the 12 townships", response: listBody[data.Township]{}}, s.listTownships)
	s.handle(v1, http.MethodGet, "/townships/:id", opSpec{roles: allRoles, tag: "geography",
		summary: "Get one township", response: data.Township{}, errors: []int{404}}, s.getTownship)
	s.handle(v1, http.MethodGet, "/villages", opSpec{roles: allRoles, tag: "geography",
		summary:     "List villages (JSON, or a GeoJSON FeatureCollection with format=geojson)",
		description: "GeoJSON output follows RFC 7946: WGS84 [lon, lat] points with properties code, name, short_name, kind, township, township_name, provenance.",
		query:       []apiParam{qTownship, qFormat}, response: listBody[data.Village]{}, errors: []int{400}}, s.listVillages)
	s.handle(v1, http.MethodGet, "/villages.geojson", opSpec{roles: allRoles, tag: "geography",
		summary: "Villages as an RFC 7946 GeoJSON FeatureCollection", query: []apiParam{qTownship},
		response: featureCollection{}, contentType: "application/geo+json", errors: []int{400}}, s.villagesGeoJSON)
	s.handle(v1, http.MethodGet, "/villages/:id", opSpec{roles: allRoles, tag: "geography",
		summary: "Get one village", response: data.Village{}, errors: []int{404}}, s.getVillage)
	s.handle(v1, http.MethodGet, "/service-points", opSpec{roles: allRoles, tag: "geography",
		summary: "List service points (county centre, township centres, village rooms)",
		query:   []apiParam{qCircle}, response: listBody[data.ServicePoint]{}, errors: []int{400}}, s.listServicePoints)
	s.handle(v1, http.MethodGet, "/service-items", opSpec{roles: allRoles, tag: "catalogue",
		summary: "List the service catalogue", response: listBody[data.ServiceItem]{}}, s.listServiceItems)
	s.handle(v1, http.MethodGet, "/service-items/:id", opSpec{roles: allRoles, tag: "catalogue",
		summary: "Get one service item", response: data.ServiceItem{}, errors: []int{404}}, s.getServiceItem)
	s.handle(v1, http.MethodGet, "/staff", opSpec{roles: allRoles, tag: "people",
		summary:     "List staff (phones only within the caller's scope)",
		description: "Phones are shown to admin and county_planner; to a township_coordinator for staff based in their township; to a team_member for members of their own team. Otherwise phone is omitted.",
		query:       []apiParam{qTownship, qStaffRole, qSkill}, response: listBody[data.Staff]{}, errors: []int{400}}, s.listStaff)
	s.handle(v1, http.MethodGet, "/staff/:id", opSpec{roles: allRoles, tag: "people",
		summary: "Get one staff member (phone only within scope)", response: data.Staff{}, errors: []int{404}}, s.getStaff)
	s.handle(v1, http.MethodGet, "/teams", opSpec{roles: allRoles, tag: "people",
		summary: "List teams", query: []apiParam{qLevel}, response: listBody[data.Team]{}, errors: []int{400}}, s.listTeams)
	s.handle(v1, http.MethodGet, "/teams/:id", opSpec{roles: allRoles, tag: "people",
		summary: "Get one team", response: data.Team{}, errors: []int{404}}, s.getTeam)

	// Requests (households on the three ledgers): personal data, scoped.
	s.handle(v1, http.MethodGet, "/requests", opSpec{roles: allRoles, tag: "requests",
		summary:     "List requests (filtered to the caller's scope)",
		description: "township_coordinator: only their township; team_member: only requests on their team's stops.",
		query:       requestQueryParams, response: listBody[data.Request]{}, errors: []int{400}}, s.listRequests)
	s.handle(v1, http.MethodPost, "/requests", opSpec{roles: writers, tag: "requests",
		summary:     "Register a request",
		description: "With dry_run=true every check runs (village, items, duplicate id, deadline) but nothing is stored; the answer is 200 with the would-be record.",
		query:       []apiParam{{Name: "dry_run", In: "query", Description: "validate only (true/false)", Schema: &jsonSchema{Type: "boolean"}}},
		request:     requestInput{}, response: data.Request{}, status: 201,
		errors: []int{403, 409, 422}}, s.createRequest)
	s.handle(v1, http.MethodGet, "/requests/:id", opSpec{roles: allRoles, tag: "requests",
		summary: "Get one request (404 outside the caller's scope)", response: data.Request{}, errors: []int{404}}, s.getRequest)
	s.handle(v1, http.MethodPut, "/requests/:id", opSpec{roles: writers, tag: "requests",
		summary:     "Replace the editable fields of a request",
		description: "Send the version you read in `version` or as `If-Match: \"<version>\"`; a stale version is 409.",
		query:       []apiParam{qIfMatch}, request: requestReplace{}, response: data.Request{},
		errors: []int{403, 404, 409, 422, 428}}, s.putRequest)
	s.handle(v1, http.MethodPatch, "/requests/:id", opSpec{roles: writers, tag: "requests",
		summary:     "Change some editable fields of a request",
		description: "Fields absent from the body keep their value. Send the version you read in `version` or as `If-Match`; a stale version is 409.",
		query:       []apiParam{qIfMatch}, request: requestPatch{}, response: data.Request{},
		errors: []int{403, 404, 409, 422, 428}}, s.patchRequest)
	s.handle(v1, http.MethodGet, "/requests/:id/history", opSpec{roles: allRoles, tag: "requests",
		summary: "Status history of a request, oldest first", response: listBody[data.StatusChange]{}, errors: []int{404}}, s.requestHistory)
	s.handle(v1, http.MethodPost, "/requests/:id/status", opSpec{roles: allRoles, tag: "requests",
		summary: "Change the status of a request (record an outcome, withdraw, cancel, reopen)",
		description: "Allowed transitions are data.CanTransition's; a forbidden transition or a stale version is 409. " +
			"withdrawn and cancelled need a reason in `note` (422 without) and only planners and coordinators may set them (403 for team members); " +
			"a withdrawn or cancelled request is reopened by going back to pending. Nothing is ever deleted: the history keeps every change.",
		query: []apiParam{qIfMatch}, request: statusInput{}, response: data.Request{},
		errors: []int{403, 404, 409, 422, 428}}, s.transitionRequest)

	s.handle(v1, http.MethodPost, "/requests/:id/merge", opSpec{roles: writers, tag: "requests",
		summary: "Merge a duplicate request into another (the path's request is the duplicate)",
		description: "The kept request takes the union of items and groups, the higher priority, the earlier deadline and missing contact data; " +
			"the duplicate gets status merged and duplicate_of, and both histories record it. Send both versions read. " +
			"A kept request outside the caller's scope is unknown (422, field into).",
		query: []apiParam{qIfMatch}, request: mergeInput{}, response: mergeResult{},
		errors: []int{403, 404, 409, 422, 428}}, s.mergeRequest)
	s.handle(v1, http.MethodGet, "/requests/:id/duplicates", opSpec{roles: writers, tag: "requests",
		summary:     "Requests that may duplicate this one (same township, same phone or household name)",
		description: "Each candidate lists its reasons: same_phone, same_name, same_items. Withdrawn, cancelled and merged requests are not candidates.",
		response:    listBody[duplicateCandidate]{}, errors: []int{403, 404}}, s.requestDuplicates)

	s.ledgerRoutes(v1)
	s.peopleWriteRoutes(v1)

	// Access management.
	s.handle(v1, http.MethodGet, "/users", opSpec{roles: adminOnly, tag: "access",
		summary: "List users", response: listBody[data.User]{}, errors: []int{403}}, s.listUsers)
	s.handle(v1, http.MethodPost, "/users", opSpec{roles: adminOnly, tag: "access",
		summary: "Create a user and its first token (the token is returned only once)",
		request: userInput{}, response: userCreated{}, status: 201, errors: []int{403, 409, 422}}, s.createUser)
	s.handle(v1, http.MethodPost, "/users/:id/tokens", opSpec{roles: adminOnly, tag: "access",
		summary: "Issue another token for a user (returned only once)",
		request: tokenInput{}, response: tokenCreated{}, status: 201, errors: []int{403, 404, 422}}, s.createToken)
	s.handle(v1, http.MethodPatch, "/users/:id", opSpec{roles: adminOnly, tag: "access",
		summary:     "Change a user's name, role, scope or disabled flag",
		description: "Send the version read (body or If-Match). Disabling a user stops all its tokens at once. Admins cannot disable or demote themselves.",
		request:     userPatch{}, response: data.User{}, errors: []int{403, 404, 409, 422, 428}}, s.patchUser)
	s.handle(v1, http.MethodGet, "/users/:id/tokens", opSpec{roles: adminOnly, tag: "access",
		summary: "List a user's tokens (ids, names, expiry; never secrets or hashes)", response: listBody[data.Token]{}, errors: []int{403, 404}}, s.listTokens)
	s.handle(v1, http.MethodDelete, "/tokens/:id", opSpec{roles: adminOnly, tag: "access",
		summary: "Revoke a token", status: http.StatusNoContent, errors: []int{403, 404}}, s.deleteToken)

	s.handle(v1, http.MethodPost, "/vrp", opSpec{roles: planners, tag: "solver",
		summary: "Solve a VROOM-format vehicle routing problem",
		description: "Body and answer follow VROOM's JSON API (jobs, shipments, vehicles, matrices); see docs/vroom.md. " +
			"Solver errors answer in VROOM's shape {\"code\": 2|3|1, \"error\": \"...\"} with status 400 (input), 502 (no matrix) or 500. " +
			"time_limit (seconds, default 5, at most 30) bounds the search.",
		query:   []apiParam{{Name: "time_limit", In: "query", Description: "search time limit in seconds (default 5, max 30)", Schema: &jsonSchema{Type: "number"}}},
		request: vrpProblem{}, response: vrpSolution{}, errors: []int{403, 502, 503}}, s.solveVRP)
	s.scheduleRoutes(v1)
	s.circuitRoutes(v1)
	s.routeSheetRoutes(v1)
	s.trailRoutes(v1)
	s.calendarRoutes(v1)
	s.closureRoutes(v1)
	s.guideRoutes(v1)
	s.fieldRoutes(v1)
}
