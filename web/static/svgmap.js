// SVG county map in Web Mercator pixels at zoom Z, so that an optional tile
// server (same projection) can sit under the vector layers.
import { h } from './util.js';
const Z = 11, TILE = 256;
export function project([lon, lat]) {
  const n = TILE * 2 ** Z;
  const s = Math.sin(lat * Math.PI / 180);
  return [(lon + 180) / 360 * n, (0.5 - Math.log((1 + s) / (1 - s)) / (4 * Math.PI)) * n];
}
export function unproject([x, y]) {
  const n = TILE * 2 ** Z;
  const lon = x / n * 360 - 180;
  const lat = Math.atan(Math.sinh(Math.PI * (1 - 2 * y / n))) * 180 / Math.PI;
  return [lon, lat];
}
let outline = null;
export async function county() {
  if (!outline) outline = await (await fetch('/app/county.geojson')).json();
  return outline;
}
let config = null;
export async function mapConfig() {
  if (!config) { try { config = await (await fetch('/app/config.json')).json(); } catch { config = {}; } }
  return config;
}
/** baseMap draws the county outline (and tiles when configured) and returns {svg, layer(name), fit(points)}. */
export async function baseMap(points) {
  const gj = await county();
  const cfg = await mapConfig();
  const all = [];
  for (const poly of gj.features[0].geometry.coordinates) for (const ring of poly) for (const p of ring) all.push(project(p));
  const box = (pts) => {
    let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
    for (const [x, y] of pts) { x0 = Math.min(x0, x); y0 = Math.min(y0, y); x1 = Math.max(x1, x); y1 = Math.max(y1, y); }
    return [x0, y0, x1, y1];
  };
  let [x0, y0, x1, y1] = box(points && points.length ? points.map(project) : all);
  const pad = Math.max(20, (x1 - x0) * 0.08, (y1 - y0) * 0.08);
  x0 -= pad; y0 -= pad; x1 += pad; y1 += pad;
  const scale = (x1 - x0) / 800; // stroke and symbol sizes in viewBox units for ~800 px
  const svg = h('svg:svg', { viewBox: `${x0} ${y0} ${x1 - x0} ${y1 - y0}`, class: 'map', role: 'img', 'aria-label': 'map' });
  svg.dataset.scale = scale;
  if (cfg.tile_url) {
    const g = h('svg:g', { class: 'tiles' });
    for (let tx = Math.floor(x0 / TILE); tx * TILE < x1; tx++) for (let ty = Math.floor(y0 / TILE); ty * TILE < y1; ty++) {
      const href = cfg.tile_url.replace('{z}', Z).replace('{x}', tx).replace('{y}', ty);
      g.append(h('svg:image', { href, x: tx * TILE, y: ty * TILE, width: TILE, height: TILE }));
    }
    svg.append(g);
  }
  const d = gj.features[0].geometry.coordinates.map((poly) => poly.map((ring) => 'M' + ring.map((p) => project(p).map((v) => v.toFixed(1)).join(',')).join('L') + 'Z').join('')).join('');
  svg.append(h('svg:path', { d, class: 'county', 'stroke-width': 2 * scale }));
  const layers = {};
  const layer = (name) => { if (!layers[name]) { layers[name] = h('svg:g', { class: name }); svg.append(layers[name]); } return layers[name]; };
  return { svg, layer, scale };
}
/** line appends a polyline through lon/lat points. */
export function line(g, pts, color, scale, extra) {
  g.append(h('svg:polyline', { points: pts.map((p) => project(p).map((v) => v.toFixed(1)).join(',')).join(' '), fill: 'none', stroke: color, 'stroke-width': 3 * scale, 'stroke-linejoin': 'round', ...(extra || {}) }));
}
export function dot(g, p, r, attrs, title) {
  const [x, y] = project(p);
  const c = h('svg:circle', { cx: x.toFixed(1), cy: y.toFixed(1), r, ...attrs });
  if (title) c.append(h('svg:title', {}, title));
  g.append(c);
  return c;
}
export function label(g, p, text, size, attrs) {
  const [x, y] = project(p);
  g.append(h('svg:text', { x: x.toFixed(1), y: y.toFixed(1), 'font-size': size, ...(attrs || {}) }, text));
}
