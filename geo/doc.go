// Package geo gives the planners travel times and distances between
// locations, and encodes routes and plans as GeoJSON and GPX.
//
// Three sources of travel time exist, best first:
//
//   - geo/roadgraph: shortest paths on an OpenStreetMap road network,
//   - geo/osrm: the table service of an OSRM server,
//   - Estimator (this package): great-circle distance times a detour factor
//     divided by a speed, with per-township-pair overrides.
//
// Each implements Source. Fallback chains a primary source with the
// estimate, marking every pair the primary could not give; CachedSource
// keeps matrices in a MatrixCache keyed by location set, source, mode and
// road-data fingerprint.
//
// All coordinates are WGS84 [lon, lat] (orb.Point). Chinese map apps (Amap,
// Tencent) publish GCJ-02; convert with GCJ02ToWGS84 on import. Durations are
// integer seconds and distances integer metres, the units of the routing
// engine. geo imports nothing of the project so that planners can use it
// freely.
package geo
