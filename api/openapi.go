package api

import (
	"encoding/json"
	"reflect"
	"sort"
	"strings"
	"time"

	"github.com/yingjing/xunhui/data"
)

// The OpenAPI 3.0 description is built in Go from the same table that
// registers the routes (see route and Server.handle), and its schemas are
// derived by reflection from the very types the handlers encode and decode,
// so the description cannot silently drift from the code. TestOpenAPIRoutes
// checks the other direction: every route gin knows is described.

// openAPIDoc is the subset of an OpenAPI 3.0 document that Xunhui uses.
type openAPIDoc struct {
	OpenAPI    string                       `json:"openapi"`
	Info       openAPIInfo                  `json:"info"`
	Servers    []map[string]string          `json:"servers,omitempty"`
	Security   []map[string][]string        `json:"security,omitempty"`
	Paths      map[string]map[string]*apiOp `json:"paths"`
	Components openAPIComponents            `json:"components"`
	Tags       []map[string]string          `json:"tags,omitempty"`
	schemas    map[reflect.Type]string      // Go type -> component name
}

type openAPIInfo struct {
	Title       string `json:"title"`
	Version     string `json:"version"`
	Description string `json:"description,omitempty"`
}

type openAPIComponents struct {
	Schemas         map[string]*jsonSchema    `json:"schemas"`
	SecuritySchemes map[string]map[string]any `json:"securitySchemes"`
}

// apiOp is one OpenAPI operation.
type apiOp struct {
	Summary     string                `json:"summary"`
	Description string                `json:"description,omitempty"`
	OperationID string                `json:"operationId"`
	Tags        []string              `json:"tags,omitempty"`
	Parameters  []apiParam            `json:"parameters,omitempty"`
	RequestBody *apiBody              `json:"requestBody,omitempty"`
	Responses   map[string]apiResp    `json:"responses"`
	Security    []map[string][]string `json:"security"`
	// Roles lists the roles allowed to call the operation (extension field).
	Roles []string `json:"x-roles,omitempty"`
}

type apiParam struct {
	Name        string      `json:"name"`
	In          string      `json:"in"`
	Required    bool        `json:"required,omitempty"`
	Description string      `json:"description,omitempty"`
	Schema      *jsonSchema `json:"schema"`
}

type apiBody struct {
	Required bool                              `json:"required"`
	Content  map[string]map[string]*jsonSchema `json:"content"`
}

type apiResp struct {
	Description string                            `json:"description"`
	Content     map[string]map[string]*jsonSchema `json:"content,omitempty"`
}

// jsonSchema is the OpenAPI 3.0 flavour of JSON Schema, as much as needed.
type jsonSchema struct {
	Ref                  string                 `json:"$ref,omitempty"`
	Type                 string                 `json:"type,omitempty"`
	Format               string                 `json:"format,omitempty"`
	Description          string                 `json:"description,omitempty"`
	Enum                 []string               `json:"enum,omitempty"`
	Items                *jsonSchema            `json:"items,omitempty"`
	Properties           map[string]*jsonSchema `json:"properties,omitempty"`
	Required             []string               `json:"required,omitempty"`
	AdditionalProperties any                    `json:"additionalProperties,omitempty"`
	Nullable             bool                   `json:"nullable,omitempty"`
	Minimum              *float64               `json:"minimum,omitempty"`
}

// opSpec is what a route declares about itself for the description.
type opSpec struct {
	summary     string
	description string
	tag         string
	roles       []data.UserRole // who may call; nil only with public
	public      bool            // no authentication (health probes)
	query       []apiParam
	request     any // zero value of the request body type, or nil
	response    any // zero value of the 2xx body type, or nil
	status      int // success status; 200 when zero
	contentType string
	errors      []int // error statuses besides the common ones
}

func newOpenAPIDoc() *openAPIDoc {
	d := &openAPIDoc{
		OpenAPI: "3.0.3",
		Info: openAPIInfo{
			Title:   "Xunhui API",
			Version: "1",
			Description: "Planning service for Yingjing County's travelling government services. " +
				"Every /api/v1 endpoint needs `Authorization: Bearer <token>`; see docs/api.md for roles.",
		},
		Security: []map[string][]string{{"bearer": {}}},
		Paths:    map[string]map[string]*apiOp{},
		Components: openAPIComponents{
			Schemas: map[string]*jsonSchema{},
			SecuritySchemes: map[string]map[string]any{
				"bearer": {"type": "http", "scheme": "bearer", "description": "API token issued by an admin (POST /api/v1/users) or XUNHUI_ADMIN_TOKEN."},
			},
		},
		schemas: map[reflect.Type]string{},
	}
	d.Components.Schemas["Error"] = d.schemaOf(reflect.TypeOf(errorBody{}), false)
	return d
}

// add records the operation for method and the gin path.
func (d *openAPIDoc) add(method, ginPath string, s opSpec) {
	path, params := openAPIPath(ginPath)
	op := &apiOp{
		Summary:     s.summary,
		Description: s.description,
		OperationID: operationID(method, path),
		Responses:   map[string]apiResp{},
		Roles:       roleNames(s.roles),
	}
	if s.tag != "" {
		op.Tags = []string{s.tag}
	}
	if s.public {
		op.Security = []map[string][]string{} // explicitly none
	} else {
		op.Security = []map[string][]string{{"bearer": {}}}
	}
	for _, p := range params {
		op.Parameters = append(op.Parameters, apiParam{Name: p, In: "path", Required: true, Schema: &jsonSchema{Type: "string"}})
	}
	op.Parameters = append(op.Parameters, s.query...)
	if s.request != nil {
		op.RequestBody = &apiBody{Required: true, Content: map[string]map[string]*jsonSchema{
			"application/json": {"schema": d.schemaOf(reflect.TypeOf(s.request), true)},
		}}
	}
	status := s.status
	if status == 0 {
		status = 200
	}
	ok := apiResp{Description: "success"}
	if s.response != nil {
		ct := s.contentType
		if ct == "" {
			ct = "application/json"
		}
		ok.Content = map[string]map[string]*jsonSchema{ct: {"schema": d.schemaOf(reflect.TypeOf(s.response), true)}}
	} else if s.contentType != "" {
		ok.Content = map[string]map[string]*jsonSchema{s.contentType: {"schema": {Type: "string"}}}
	}
	op.Responses[itoa(status)] = ok
	errRef := map[string]map[string]*jsonSchema{"application/json": {"schema": {Ref: "#/components/schemas/Error"}}}
	codes := append([]int{}, s.errors...)
	if !s.public {
		codes = append(codes, 401)
	}
	if s.request != nil {
		codes = append(codes, 400, 413, 415)
	}
	codes = append(codes, 500)
	for _, c := range codes {
		op.Responses[itoa(c)] = apiResp{Description: statusText(c), Content: errRef}
	}
	if d.Paths[path] == nil {
		d.Paths[path] = map[string]*apiOp{}
	}
	d.Paths[path][strings.ToLower(method)] = op
}

// openAPIPath converts gin's "/requests/:id" into "/requests/{id}" and
// returns the parameter names.
func openAPIPath(ginPath string) (string, []string) {
	segs := strings.Split(ginPath, "/")
	var params []string
	for i, s := range segs {
		if strings.HasPrefix(s, ":") || strings.HasPrefix(s, "*") {
			params = append(params, s[1:])
			segs[i] = "{" + s[1:] + "}"
		}
	}
	return strings.Join(segs, "/"), params
}

func operationID(method, path string) string {
	var b strings.Builder
	b.WriteString(strings.ToLower(method))
	for _, s := range strings.FieldsFunc(path, func(r rune) bool { return r == '/' || r == '.' || r == '-' || r == '{' || r == '}' }) {
		b.WriteString(strings.ToUpper(s[:1]) + s[1:])
	}
	return b.String()
}

var (
	timeType = reflect.TypeOf(time.Time{})
	dateType = reflect.TypeOf(data.Date(""))
)

// enums lists the allowed values of the domain's string enums, so that the
// description tells clients what they may send.
var enums = map[reflect.Type][]string{
	reflect.TypeOf(data.Ledger("")):      {string(data.LedgerProxy), string(data.LedgerAppeal), string(data.LedgerHardship)},
	reflect.TypeOf(data.Status("")):      strs(data.Statuses),
	reflect.TypeOf(data.Group("")):       strs(data.Groups),
	reflect.TypeOf(data.UserRole("")):    roleNames(allRoles),
	reflect.TypeOf(data.Level("")):       {string(data.LevelCounty), string(data.LevelTownship), string(data.LevelVillage)},
	reflect.TypeOf(data.Provenance("")):  {string(data.Surveyed), string(data.Public2016Point), string(data.Estimated)},
	reflect.TypeOf(data.VillageKind("")): {string(data.KindVillage), string(data.KindCommunity)},
	reflect.TypeOf(data.Circle("")):      {string(data.CircleCounty), string(data.CircleTownship), string(data.CircleVillage)},
	reflect.TypeOf(data.Category("")):    strs(data.Categories),
	reflect.TypeOf(data.Mode("")):        {string(data.ModeOnTheSpot), string(data.ModeIntakeProxy), string(data.ModeAdvice)},
	reflect.TypeOf(data.StaffRole("")):   {string(data.RoleCountyExpert), string(data.RoleDeskOfficer), string(data.RoleVillageAgent), string(data.RoleGridWorker)},
	reflect.TypeOf(data.TravelMode("")):  {string(data.TravelCar), string(data.TravelMotorbike), string(data.TravelFoot)},
}

func strs[T ~string](xs []T) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = string(x)
	}
	return out
}

// schemaOf returns the schema for t. Named struct types become components
// referenced by $ref (when ref is true), so records are described once.
func (d *openAPIDoc) schemaOf(t reflect.Type, ref bool) *jsonSchema {
	if t.Kind() == reflect.Pointer {
		s := d.schemaOf(t.Elem(), ref)
		if s.Ref == "" {
			s.Nullable = true
		}
		return s
	}
	if t == timeType {
		return &jsonSchema{Type: "string", Format: "date-time"}
	}
	if t == dateType {
		return &jsonSchema{Type: "string", Format: "date", Description: "civil date YYYY-MM-DD (Asia/Shanghai)"}
	}
	if e, ok := enums[t]; ok {
		return &jsonSchema{Type: "string", Enum: e}
	}
	if t.Implements(schemaerType) {
		return reflect.Zero(t).Interface().(schemaer).jsonSchema()
	}
	if reflect.PointerTo(t).Implements(schemaerType) {
		return reflect.New(t).Interface().(schemaer).jsonSchema()
	}
	if t.Implements(marshalerType) || reflect.PointerTo(t).Implements(marshalerType) {
		// Custom JSON encoding: assume a string (dates, enums), the common case here.
		if t.Kind() != reflect.Struct {
			return d.basic(t)
		}
		return &jsonSchema{Type: "string"}
	}
	switch t.Kind() {
	case reflect.Struct:
		if ref && t.Name() != "" {
			name := d.componentName(t)
			return &jsonSchema{Ref: "#/components/schemas/" + name}
		}
		return d.structSchema(t)
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 {
			return &jsonSchema{Type: "string", Format: "byte"}
		}
		return &jsonSchema{Type: "array", Items: d.schemaOf(t.Elem(), true)}
	case reflect.Map:
		return &jsonSchema{Type: "object", AdditionalProperties: d.schemaOf(t.Elem(), true)}
	case reflect.Interface:
		return &jsonSchema{}
	}
	return d.basic(t)
}

func (d *openAPIDoc) basic(t reflect.Type) *jsonSchema {
	switch t.Kind() {
	case reflect.Bool:
		return &jsonSchema{Type: "boolean"}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		if t.Implements(marshalerType) {
			return &jsonSchema{Type: "string"}
		}
		return &jsonSchema{Type: "integer"}
	case reflect.Float32, reflect.Float64:
		return &jsonSchema{Type: "number"}
	}
	return &jsonSchema{Type: "string"}
}

// componentName registers t under a unique component name and returns it.
func (d *openAPIDoc) componentName(t reflect.Type) string {
	if n, ok := d.schemas[t]; ok {
		return n
	}
	name := exportedName(t.Name())
	if i := strings.Index(name, "["); i >= 0 && strings.HasSuffix(name, "]") {
		// Generic instance, e.g. listBody[github.com/.../data.Township]:
		// name it after its argument, "TownshipList".
		arg := name[i+1 : len(name)-1]
		name = exportedName(arg[strings.LastIndex(arg, ".")+1:]) + "List"
	}
	if _, taken := d.Components.Schemas[name]; taken {
		pkg := t.PkgPath()
		name = exportedName(pkg[strings.LastIndex(pkg, "/")+1:]) + name
	}
	d.schemas[t] = name
	d.Components.Schemas[name] = &jsonSchema{Type: "object"} // placeholder for recursion
	d.Components.Schemas[name] = d.structSchema(t)
	return name
}

func exportedName(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// structSchema follows encoding/json rules: json tags, omitempty (not
// required), "-" skipped, embedded structs flattened.
func (d *openAPIDoc) structSchema(t reflect.Type) *jsonSchema {
	s := &jsonSchema{Type: "object", Properties: map[string]*jsonSchema{}}
	var walk func(t reflect.Type)
	walk = func(t reflect.Type) {
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			tag := f.Tag.Get("json")
			if tag == "-" {
				continue
			}
			name, opts, _ := strings.Cut(tag, ",")
			if f.Anonymous && name == "" {
				ft := f.Type
				if ft.Kind() == reflect.Pointer {
					ft = ft.Elem()
				}
				if ft.Kind() == reflect.Struct {
					walk(ft)
					continue
				}
			}
			if !f.IsExported() {
				continue
			}
			if name == "" {
				name = f.Name
			}
			fs := d.schemaOf(f.Type, true)
			if doc := f.Tag.Get("doc"); doc != "" && fs.Ref == "" {
				fs.Description = doc
			}
			s.Properties[name] = fs
			if !strings.Contains(opts, "omitempty") && !strings.Contains(opts, "omitzero") && f.Type.Kind() != reflect.Pointer {
				s.Required = append(s.Required, name)
			}
		}
	}
	walk(t)
	sort.Strings(s.Required)
	return s
}

// schemaer lets a type describe its own JSON schema (enums, dates).
type schemaer interface{ jsonSchema() *jsonSchema }

var (
	schemaerType  = reflect.TypeOf((*schemaer)(nil)).Elem()
	marshalerType = reflect.TypeOf((*json.Marshaler)(nil)).Elem()
)

func itoa(i int) string {
	b, _ := json.Marshal(i)
	return string(b)
}

func statusText(code int) string {
	switch code {
	case 400:
		return "malformed request (syntax, unknown field, wrong type, bad query parameter)"
	case 401:
		return "missing or invalid bearer token"
	case 403:
		return "the caller's role may not do this"
	case 404:
		return "not found (or outside the caller's scope)"
	case 409:
		return "conflict: duplicate id or stale version"
	case 413:
		return "body too large"
	case 415:
		return "Content-Type is not application/json"
	case 422:
		return "input breaks a domain rule; field names the input"
	case 428:
		return "version (or If-Match) required"
	case 500:
		return "internal error; details are logged under the request id"
	case 503:
		return "not ready"
	}
	return "error"
}
