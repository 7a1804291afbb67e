// Package web holds the browser application of Xunhui: plain ES modules,
// CSS and a county outline, embedded in the binary so that the app works on a
// county network with no internet and no JavaScript build step. The files
// carry no data; everything personal comes from the authenticated /api/v1.
// The server (api.Server.SetWeb) serves them at / and /app/.
package web

import (
	"embed"
	"io/fs"
)

//go:embed static
var embedded embed.FS

// FS is the app's static files rooted at the static folder: index.html,
// *.js, *.css and county.geojson (the county outline in WGS84).
var FS fs.FS = mustSub(embedded, "static")

func mustSub(f fs.FS, dir string) fs.FS {
	sub, err := fs.Sub(f, dir)
	if err != nil {
		panic("web: " + err.Error()) // programming error: the folder is embedded above
	}
	return sub
}
