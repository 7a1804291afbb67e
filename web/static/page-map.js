// County map: outline, villages (provenance), service points, a plan's routes by team and day.
import { api, qs } from './api.js';
import { t } from './i18n.js';
import { h, clear, field, select, showError, toast, palette, dayRange } from './util.js';
import { ctx, ref, byId, go } from './app.js';
import { baseMap, line, dot, label, unproject } from './svgmap.js';

const PROV = { surveyed: '#2ca02c', 'public-2016-point': '#1f77b4', estimated: '#ff7f0e' };

export async function render(main, params) {
  const me = ctx.me;
  const planner = ['admin', 'county_planner'].includes(me.role);
  main.append(h('h1', {}, t('map.title')));
  const [vg, points, teams] = await Promise.all([api('/villages.geojson'), api('/service-points' + qs({ circle: 'township' })), byId('teams')]);
  let plans = { items: [] };
  if (me.role !== 'team_member') plans = await api('/circuit-plans' + qs({ limit: 20 }));
  // The newest plan's routes are shown unless the user chose otherwise (plan= in the URL, '' = none).
  const planID = params.has('plan') ? params.get('plan') : ((plans.items[0] && plans.items[0].id) || '');
  const tools = h('div', { class: 'toolbar' });
  if (plans.items.length) {
    const sel = select([['', t('common.none')], ...plans.items.map((p) => [p.id, `${p.from} – ${p.to} · ${p.id}`])], planID, { id: 'map-plan' });
    sel.addEventListener('change', () => go('map', { plan: sel.value }));
    tools.append(field(t('map.plan'), sel));
    const p = plans.items.find((x) => x.id === planID);
    if (p) {
      const daySel = select([['', t('common.all')], ...dayRange(p.from, p.to).map((d) => [d, d])], params.get('day') || '', { id: 'map-day' });
      daySel.addEventListener('change', () => go('map', { plan: planID, day: daySel.value }));
      tools.append(field(t('common.date'), daySel));
    }
  }
  main.append(tools);
  const m = await baseMap();
  const layout = h('div', { class: 'split wide' });
  const side = h('section', { class: 'card', id: 'map-side' });
  layout.append(h('div', { class: 'mapbox' }, m.svg), side);
  main.append(layout);
  const s = m.scale;
  // Routes first so that points sit on top.
  const legend = h('ul', { class: 'legend' });
  if (planID) {
    try {
      const v = await api('/circuit-plans/' + encodeURIComponent(planID));
      const bases = new Map((await api('/service-points')).items.map((p) => [p.id, p]));
      const days = dayRange(v.from, v.to);
      let k = 0;
      const onlyDay = params.get('day') || '';
      for (const it of (v.itineraries || []).filter((i) => !onlyDay || i.date === onlyDay).sort((a, b) => (a.team_id + a.date).localeCompare(b.team_id + b.date))) {
        const team = teams.get(it.team_id) || {};
        const base = bases.get(team.home_point_id);
        const pts = it.stops.map((x) => [x.location.lon, x.location.lat]);
        if (base) { pts.unshift([base.location.lon, base.location.lat]); pts.push([base.location.lon, base.location.lat]); }
        const color = palette[k++ % palette.length];
        const dash = days.indexOf(it.date) % 2 ? { 'stroke-dasharray': `${8 * s} ${4 * s}` } : {};
        line(m.layer('routes'), pts, color, s, { 'stroke-opacity': 0.85, ...dash });
        legend.append(h('li', {}, h('span', { class: 'swatch', 'data-c': color }), `${team.name || it.team_id} · ${it.date.slice(5)} (${it.stops.length})`));
      }
    } catch (err) { showError(side, err); }
  }
  for (const p of points.items) {
    dot(m.layer('sp'), [p.location.lon, p.location.lat], 7 * s, { class: 'sp' }, p.name);
    label(m.layer('labels'), [p.location.lon, p.location.lat], p.name.replace('便民服务中心', ''), 13 * s, { class: 'town', dy: `${-10 * s}` });
  }
  let picked = null, marker = null;
  for (const f of vg.features) {
    const c = dot(m.layer('villages'), f.geometry.coordinates, 5 * s, { fill: PROV[f.properties.provenance] || '#666', class: 'village', tabindex: 0, 'data-id': f.properties.code },
      `${f.properties.short_name} (${f.properties.township_name}) — ${t('map.prov.' + f.properties.provenance)}`);
    const open = () => { picked = f; showVillage(side, f, planner, () => marker); };
    c.addEventListener('click', (e) => { e.stopPropagation(); open(); });
    c.addEventListener('keydown', (e) => { if (e.key === 'Enter') open(); });
  }
  if (planner) {
    // Clicking the map while a village is open proposes a new position.
    m.svg.addEventListener('click', (e) => {
      if (!picked) return;
      const pt = m.svg.createSVGPoint(); pt.x = e.clientX; pt.y = e.clientY;
      const p = pt.matrixTransform(m.svg.getScreenCTM().inverse());
      const [lon, lat] = unproject([p.x, p.y]);
      if (marker) marker.remove();
      marker = dot(m.layer('edit'), [lon, lat], 7 * s, { class: 'newpos' });
      marker.dataset.lon = lon.toFixed(6); marker.dataset.lat = lat.toFixed(6);
      side.dispatchEvent(new CustomEvent('moved', { detail: { lon, lat } }));
    });
  }
  side.append(h('h2', {}, t('map.provenance')), h('ul', { class: 'legend' },
    Object.entries(PROV).map(([k, c]) => h('li', {}, h('span', { class: 'swatch', 'data-c': c }), t('map.prov.' + k))),
    h('li', {}, h('span', { class: 'swatch sp' }), t('map.sp'))), legend);
  for (const sw of main.querySelectorAll('[data-c]')) sw.style.background = sw.dataset.c;
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
