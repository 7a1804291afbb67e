// Loads the vendored Leaflet 1.9.4 and Leaflet.markercluster 1.5.3 (web/static/vendor/, no CDN) once,
// with their style sheets, and builds the county base map: the outline from the embedded GeoJSON,
// and raster tiles only when a county-network tile server is configured (config.json tile_url).
import { county, mapConfig } from './svgmap.js';
import { h } from './util.js';

let loading = null;
/** leaflet resolves to the global L with MarkerClusterGroup once the vendored files are loaded. */
export function leaflet() {
  if (!loading) {
    for (const href of ['/app/vendor/leaflet/leaflet.css', '/app/vendor/markercluster/MarkerCluster.css']) {
      document.head.append(h('link', { rel: 'stylesheet', href }));
    }
    // Both files are UMD bundles: imported as modules they install window.L and L.MarkerClusterGroup.
    loading = import('./vendor/leaflet/leaflet.js').then(() => import('./vendor/markercluster/leaflet.markercluster.js')).then(() => window.L);
  }
  return loading;
}

/** countyMap draws the base map into el and returns {L, map, cfg}. */
export async function countyMap(el) {
  const [L, gj, cfg] = await Promise.all([leaflet(), county(), mapConfig()]);
  const map = L.map(el, { zoomSnap: 0.5, minZoom: 8, maxZoom: 18, attributionControl: Boolean(cfg.tile_url), keyboard: true });
  if (cfg.tile_url) {
    L.tileLayer(cfg.tile_url, { maxZoom: 18, attribution: cfg.tile_attribution || 'county tile server' }).addTo(map);
    map.attributionControl.setPrefix(false);
  }
  const outline = L.geoJSON(gj, { interactive: false, style: { color: '#5b6570', weight: 2, fill: true, fillColor: '#eef3ee', fillOpacity: 0.6 } }).addTo(map);
  map.fitBounds(outline.getBounds(), { padding: [8, 8] });
  el.dataset.zoom = String(map.getZoom());
  map.on('zoomend', () => { el.dataset.zoom = String(map.getZoom()); });
  return { L, map, cfg };
}
