// A team's day on a phone: ordered stops, calls, navigation, outcomes in two taps.
import { api, qs } from './api.js';
import { t } from './i18n.js';
import { h, clear, today, select, field, showError, toast, palette } from './util.js';
import { ctx, ref, go } from './app.js';
import { baseMap, line, dot, label } from './svgmap.js';

export async function render(main, params) {
  const me = ctx.me;
  const teams = await ref('teams');
  const teamID = me.role === 'team_member' ? me.team_id : (params.get('team') || (teams[0] && teams[0].id));
  const date = params.get('date') || today();
  const head = h('div', { class: 'toolbar noprint' });
  const dateIn = h('input', { type: 'date', value: date, id: 'day-date' });
  const change = () => go('day', { team: teamSel ? teamSel.value : teamID, date: dateIn.value });
  let teamSel = null;
  if (me.role !== 'team_member') {
    teamSel = select(teams.map((x) => [x.id, x.name]), teamID, { id: 'day-team' });
    teamSel.addEventListener('change', change);
    head.append(field(t('common.team'), teamSel));
  }
  dateIn.addEventListener('change', change);
  head.append(field(t('common.date'), dateIn));
  main.append(h('h1', {}, t('day.title')), head);
  if (me.role === 'admin' || me.role === 'county_planner') main.append(phoneSignin());
  const body = h('div');
  main.append(body);
  let sheet;
  try {
    sheet = await api(`/teams/${encodeURIComponent(teamID)}/itinerary` + qs({ date }));
  } catch (err) {
    if (err.status === 404) { body.append(h('p', { class: 'empty' }, t('day.empty'))); return; }
    throw err;
  }
  if (!sheet.stops || !sheet.stops.length) { body.append(h('p', { class: 'empty' }, t('day.empty'))); return; }
  body.append(h('p', { class: 'summary' },
    h('strong', {}, sheet.team_name), ` · ${sheet.date} · ${sheet.day_start}–${sheet.day_end} · ${t('day.lunch')} ${sheet.lunch || '—'}`,
    h('br'), `${t('day.base')}: ${sheet.base ? sheet.base.name : ''}`,
    sheet.members ? h('span', {}, ' · ' + sheet.members.map((m) => m.name).join('、')) : ''));
  const tools = h('div', { class: 'toolbar noprint' },
    h('button', { type: 'button', onclick: () => window.print() }, t('common.print')),
    h('button', { type: 'button', onclick: () => downloadSheet(teamID, date) }, t('day.sheet')));
  body.append(tools);
  const list = h('ol', { class: 'stops' });
  for (const s of sheet.stops) list.append(stopItem(s));
  body.append(list, h('p', { class: 'muted small' }, t('day.navnote')));
  // The route on a small map: base → stops → base.
  const pts = [sheet.base.location, ...sheet.stops.map((s) => s.location), sheet.base.location].map((l) => [l.lon, l.lat]);
  const m = await baseMap(pts);
  // Along the roads when the travel source routed it (sheet.path), else straight and dashed.
  const road = sheet.path && sheet.path.length > 1;
  line(m.layer('routes'), road ? sheet.path.map((l) => [l.lon, l.lat]) : pts, palette[0], m.scale,
    road ? { class: 'road' } : { class: 'straight', 'stroke-dasharray': `${8 * m.scale} ${5 * m.scale}` });
  dot(m.layer('stops'), pts[0], 7 * m.scale, { class: 'base' }, sheet.base.name);
  sheet.stops.forEach((s, i) => {
    dot(m.layer('stops'), pts[i + 1], 9 * m.scale, { class: 'stop' }, `${s.seq}. ${s.village}`);
    label(m.layer('labels'), pts[i + 1], String(s.seq), 11 * m.scale, { class: 'seq', 'text-anchor': 'middle', dy: '0.35em' });
  });
  body.append(h('div', { class: 'mapbox small' }, m.svg));
}

// phoneSignin issues a one-time code for a staff member's phone: the code
// to type, and a QR code of the field app's sign-in link for the camera.
function phoneSignin() {
  const user = h('input', { id: 'signin-user', required: true, autocomplete: 'off', spellcheck: 'false' });
  const out = h('div', { id: 'signin-result', 'aria-live': 'polite' });
  const form = h('form', { class: 'toolbar', onsubmit: async (ev) => {
    ev.preventDefault();
    clear(out);
    try {
      const c = await api(`/users/${encodeURIComponent(user.value.trim())}/signin-codes`, { method: 'POST', body: { base_url: location.origin } });
      out.append(
        h('p', {}, t('day.code') + ' ', h('strong', { id: 'signin-code', class: 'code' }, c.code), ' · ' + t('day.codeUntil') + ' ' + new Date(c.expires_at).toLocaleTimeString()),
        h('img', { id: 'signin-qr', src: c.qr_png, width: '192', height: '192', alt: t('day.qrAlt') }),
        h('p', { class: 'small' }, h('a', { id: 'signin-link', href: c.signin_url, target: '_blank', rel: 'noopener' }, t('day.codeLink'))));
    } catch (err) { showError(out, err); }
  } }, field(t('day.codeUser'), user), h('button', { type: 'submit' }, t('day.codeIssue')));
  return h('details', { class: 'noprint', id: 'phone-signin' }, h('summary', {}, t('day.phone')),
    h('p', { class: 'muted small' }, t('day.phoneHelp')), form, out);
}

function stopItem(s) {
  const { lat, lon } = s.location;
  const geo = `geo:${lat},${lon}?q=${lat},${lon}(${encodeURIComponent(s.village)})`;
  const amap = `https://uri.amap.com/marker?position=${lon},${lat}&name=${encodeURIComponent(s.village)}&coordinate=wgs84&callnative=1`;
  const baidu = `baidumap://map/marker?location=${lat},${lon}&title=${encodeURIComponent(s.village)}&coord_type=wgs84&src=xunhui`;
  const li = h('li', { class: 'stop card', 'data-visit': s.visit_id },
    h('div', { class: 'stophead' }, h('span', { class: 'seq' }, s.seq), h('strong', {}, `${s.arrival}–${s.depart}`), ' ', s.village,
      h('span', { class: 'tag' }, s.home_visit ? t('day.home') : t('day.point'))),
    h('div', { class: 'navlinks noprint' }, h('a', { href: geo, class: 'btn' }, t('day.nav')), h('a', { href: amap, class: 'btn', rel: 'noreferrer' }, t('day.amap')), h('a', { href: baidu, class: 'btn' }, t('day.baidu'))));
  for (const hh of s.households || []) {
    li.append(h('div', { class: 'household' },
      h('div', {}, h('strong', {}, hh.name), ' ', hh.address || '', ' · ', t('ledger.' + hh.ledger), ' ', (hh.groups || []).map((g) => h('span', { class: 'tag' }, t('grp.' + g)))),
      h('div', { class: 'muted' }, (hh.items || []).map((i) => i.name).join('；'), hh.summary ? ' — ' + hh.summary : ''),
      hh.phone ? h('a', { href: 'tel:' + hh.phone, class: 'btn call noprint' }, '☎ ' + t('day.call') + ' ' + hh.phone) : '',
      h('span', { class: 'tag status-' + hh.status }, t('st.' + hh.status))));
  }
  // A visit already recorded (every household past planned) shows its result, not the buttons.
  const hs = s.households || [];
  const recorded = hs.length > 0 && hs.every((x) => ['done', 'failed', 'follow_up'].includes(x.status));
  li.append(recorded ? h('p', { class: 'recorded' }, t('day.recorded')) : outcomeButtons(s));
  return li;
}

// Two taps: the first arms an outcome, the second (same button) records it.
function outcomeButtons(s) {
  const box = h('div', { class: 'outcomes noprint' });
  let armed = null;
  for (const o of ['done', 'nobody_home', 'follow_up']) {
    const b = h('button', { type: 'button', class: 'out out-' + o, 'data-outcome': o }, t('out.' + o));
    b.addEventListener('click', async () => {
      if (armed !== b) {
        for (const x of box.querySelectorAll('button')) { x.classList.remove('armed'); x.textContent = t('out.' + x.dataset.outcome); }
        armed = b; b.classList.add('armed'); b.textContent = t('out.' + o) + ' ✓ ' + t('day.confirm');
        return;
      }
      b.disabled = true;
      try {
        await api(`/visits/${encodeURIComponent(s.visit_id)}/outcome`, { method: 'POST', body: { outcome: o } });
        clear(box).append(h('p', { class: 'recorded', role: 'status' }, t('day.recorded') + ': ' + t('out.' + o)));
        toast(t('day.recorded'));
      } catch (err) { b.disabled = false; showError(box, err); }
    });
    box.append(b);
  }
  return box;
}

// The printable HTML route sheet needs the bearer token, so it is fetched and
// saved as a file (opened outside the app's strict CSP).
async function downloadSheet(team, date) {
  try {
    const html = await api(`/teams/${encodeURIComponent(team)}/itinerary` + qs({ date, format: 'html' }), { raw: true });
    const url = URL.createObjectURL(new Blob([html], { type: 'text/html' }));
    const a = h('a', { href: url, download: `route-${team}-${date}.html` });
    document.body.append(a); a.click(); a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
  } catch (err) { toast(err.message, true); }
}
