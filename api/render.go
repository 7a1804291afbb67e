package api

import (
	"encoding/json"
	"net/http"
)

// jsonAs renders v as JSON with a custom content type (application/geo+json).
type jsonAs struct {
	contentType string
	v           any
}

// Render implements gin's render.Render.
func (r jsonAs) Render(w http.ResponseWriter) error {
	r.WriteContentType(w)
	return json.NewEncoder(w).Encode(r.v)
}

// WriteContentType implements gin's render.Render.
func (r jsonAs) WriteContentType(w http.ResponseWriter) {
	w.Header().Set("Content-Type", r.contentType)
}
