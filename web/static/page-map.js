// County map (Leaflet, vendored): outline, villages clustered by provenance, service points, and a
// plan's routes by team and day: along the roads where the road graph knows them, straight (dashed,
// labelled) otherwise. Zoom and pan; works with no internet; optional county-network tiles.
import { api, qs } from './api.js';
import { t } from './i18n.js';
import { h, clear, field, select, showError, toast, palette, dayRange } from './util.js';
import { ctx, byId, go } from './app.js';
import { countyMap } from './leafmap.js';

const PROV = { surveyed: '#1e7b34', 'public-2016-point': '#1f5fa8', estimated: '#b35900' };

export async function render(main, params) {
  const me = ctx.me;
  const planner = ['admin', 'county_planner'].includes(me.role);
  main.append(h('h1', {}, t('map.title')));
  const [vg, points, teams] = await Promise.all([api('/villages.geojson'), api('/service-points' + qs({ circle: 'township' })), byId('teams')]);
  let plans = { items: [] };
  if (me.role !== 'team_member') plans = await api('/circuit-plans' + qs({ limit: 20 }));
  // The newest plan's routes are shown unless the user chose otherwise (plan= in the URL, '' = none).
  const planID = params.has('plan') ? params.get('plan') : ((plans.items[0] && plans.items[0].id) || '');
  const onlyDay = params.get('day') || '';
  const tools = h('div', { class: 'toolbar' });
  if (plans.items.length) {
    const sel = select([['', t('common.none')], ...plans.items.map((p) => [p.id, `${p.from} – ${p.to} · ${p.id}`])], planID, { id: 'map-plan' });
    sel.addEventListener('change', () => go('map', { plan: sel.value }));
    tools.append(field(t('map.plan'), sel));
    const p = plans.items.find((x) => x.id === planID);
    if (p) {
      const daySel = select([['', t('common.all')], ...dayRange(p.from, p.to).map((d) => [d, d])], onlyDay, { id: 'map-day' });
      daySel.addEventListener('change', () => go('map', { plan: planID, day: daySel.value }));
      tools.append(field(t('common.date'), daySel));
    }
  }
  main.append(tools);
  const el = h('div', { id: 'map', class: 'leafmap', role: 'region', 'aria-label': t('map.title') });
  const side = h('section', { class: 'card', id: 'map-side' });
  main.append(h('div', { class: 'split wide' }, h('div', { class: 'mapbox' }, el), side));
  const { L, map } = await countyMap(el);
  const legend = h('ul', { class: 'legend', id: 'map-routes' });
  if (planID) {
    try { await drawRoutes(L, map, el, legend, planID, onlyDay, teams); } catch (err) { showError(side, err); }
  }
  for (const p of points.items) {
    L.circleMarker([p.location.lat, p.location.lon], { radius: 7, color: '#fff', weight: 2, fillColor: '#b3261e', fillOpacity: 1, className: 'sp' })
      .bindTooltip(p.name).addTo(map);
  }
  let picked = null, marker = null;
  const villages = L.markerClusterGroup({ showCoverageOnHover: false, maxClusterRadius: 45, spiderfyOnMaxZoom: true,
    iconCreateFunction: (c) => L.divIcon({ html: String(c.getChildCount()), className: 'cluster', iconSize: [34, 34] }) });
  for (const f of vg.features) {
    const [lon, lat] = f.geometry.coordinates;
    const m = L.marker([lat, lon], { keyboard: true, title: `${f.properties.short_name} (${f.properties.township_name}) — ${t('map.prov.' + f.properties.provenance)}`,
      icon: L.divIcon({ className: 'village-pin prov-' + f.properties.provenance, iconSize: [14, 14] }) });
    m.on('click', () => { picked = f; showVillage(side, f, planner); });
    villages.addLayer(m);
  }
  map.addLayer(villages);
  el.dataset.villages = String(vg.features.length);
  if (planner) {
    // Clicking the map while a village is open proposes a new position.
    map.on('click', (e) => {
      if (!picked) return;
      if (marker) marker.remove();
      marker = L.marker(e.latlng, { keyboard: false, icon: L.divIcon({ className: 'newpos', iconSize: [16, 16] }) }).addTo(map);
      side.dispatchEvent(new CustomEvent('moved', { detail: { lon: e.latlng.lng, lat: e.latlng.lat } }));
    });
  }
  side.append(h('h2', {}, t('map.provenance')), h('ul', { class: 'legend' },
    Object.entries(PROV).map(([k, c]) => h('li', {}, h('span', { class: 'swatch', 'data-c': c }), t('map.prov.' + k))),
    h('li', {}, h('span', { class: 'swatch sp' }), t('map.sp'))), legend);
  for (const sw of main.querySelectorAll('[data-c]')) sw.style.background = sw.dataset.c;
  // The map was sized before the side panel settled.
  setTimeout(() => map.invalidateSize(), 0);
}

// drawRoutes draws each team-day of the plan: road paths solid, straight stand-ins dashed and labelled.
async function drawRoutes(L, map, el, legend, planID, onlyDay, teams) {
  const r = await api(`/circuit-plans/${encodeURIComponent(planID)}/routes` + qs({ date: onlyDay }));
  let k = 0, straight = 0;
  for (const x of r.routes.sort((a, b) => (a.team_id + a.date).localeCompare(b.team_id + b.date))) {
    const color = palette[k++ % palette.length];
    const road = x.geometry === 'road';
    if (!road) straight++;
    const name = `${(teams.get(x.team_id) || {}).name || x.team_id} · ${x.date.slice(5)} (${x.stops})`;
    L.polyline(x.path.map(([lon, lat]) => [lat, lon]), { color, weight: 3, opacity: 0.85, dashArray: road ? null : '8 6',
      className: 'route ' + (road ? 'road' : 'straight') }).bindTooltip(`${name} · ${t(road ? 'map.road' : 'map.straight')}`).addTo(map);
    legend.append(h('li', {}, h('span', { class: 'swatch', 'data-c': color }), `${name}${road ? '' : ' · ' + t('map.straight')}`));
  }
  el.dataset.routes = String(r.routes.length);
  if (straight) legend.prepend(h('li', { class: 'muted small', id: 'map-straight-note' }, `${t('map.straightnote')} (${straight})`));
}

function showVillage(side, f, planner) {
  clear(side);
  const p = f.properties;
  const [lon, lat] = f.geometry.coordinates;
  side.append(h('h2', {}, p.name), h('p', {}, `${p.township_name} · ${p.code}`), h('p', {}, `${t('map.provenance')}: `, h('strong', {}, t('map.prov.' + p.provenance))),
    h('p', { class: 'muted' }, `${lat.toFixed(5)}, ${lon.toFixed(5)} (WGS84)`));
  if (!planner) return;
  const lonIn = h('input', { type: 'number', step: '0.00001', value: lon, id: 'map-lon' });
  const latIn = h('input', { type: 'number', step: '0.00001', value: lat, id: 'map-lat' });
  side.addEventListener('moved', (e) => { lonIn.value = e.detail.lon.toFixed(6); latIn.value = e.detail.lat.toFixed(6); });
  const msg = h('div');
  side.append(h('p', { class: 'muted small' }, t('map.edit')), h('form', { class: 'stack', onsubmit: async (e) => {
    e.preventDefault(); clear(msg);
    try {
      await api(`/villages/${p.code}/location`, { method: 'PUT', body: { lon: Number(lonIn.value), lat: Number(latIn.value), provenance: 'surveyed' } });
      toast(t('common.save') + ' ✓'); go('map', { t: Date.now() });
    } catch (err) { showError(msg, err); }
  } }, field('lon', lonIn), field('lat', latIn), h('button', { type: 'submit', class: 'primary' }, t('common.save')), msg));
}
