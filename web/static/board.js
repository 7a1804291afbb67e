// The weekly board as a timeline: one row per team, one column per day, each visit a block placed at
// its arrival–departure time. Filters (township, team, level, ledger, status) and a search (household
// name or request id) narrow the board and the unassigned list in place, without a reload.
import { t } from './i18n.js';
import { h, hm } from './util.js';

const LEVELS = ['county', 'township', 'village'];
const LEDGERS = ['proxy', 'appeal', 'hardship'];
const STATUSES = ['pending', 'planned', 'done', 'failed', 'follow_up'];

/** span is the board's time axis: whole hours around every visit of the plan (08–17 when empty). */
export function span(itineraries) {
  let lo = Infinity, hi = -Infinity;
  for (const it of itineraries) for (const s of it.stops) { lo = Math.min(lo, s.arrival); hi = Math.max(hi, s.depart); }
  if (!(lo < hi)) return [8 * 60, 17 * 60];
  return [Math.floor(lo / 60) * 60, Math.ceil(hi / 60) * 60];
}

/**
 * timeline builds the board. ref holds teams, villages and townships (Maps by id) and requests (Map by id,
 * possibly empty while they load); ed is the draft editor (or null); a visit block calls ed.pick.
 * It returns {el, blocks, rows}: blocks carry what the filters look at.
 */
export function timeline(v, days, ref, ed) {
  const [t0, t1] = span(v.itineraries || []);
  const hours = (t1 - t0) / 60;
  const pct = (m) => (100 * (m - t0) / (t1 - t0));
  const byTeam = new Map();
  for (const it of v.itineraries || []) {
    if (!byTeam.has(it.team_id)) byTeam.set(it.team_id, new Map());
    byTeam.get(it.team_id).set(it.date, it);
  }
  const table = h('table', { class: 'board timeline', id: 'cir-board' });
  const axis = (d) => h('th', { scope: 'col' }, h('span', { class: 'day' }, d.slice(5)),
    h('span', { class: 'axis', 'aria-hidden': 'true' }, hourTicks(t0, t1)));
  table.append(h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t('common.team')), days.map(axis))));
  const tb = h('tbody');
  const blocks = [], rows = [];
  for (const [team, perDay] of [...byTeam].sort((a, b) => a[0].localeCompare(b[0]))) {
    const tm = ref.teams.get(team) || {};
    const tr = h('tr', { 'data-team': team }, h('th', { scope: 'row' }, tm.name || team, ' ', h('span', { class: 'tag' }, t('lvl.' + (tm.level || '')))));
    const row = { el: tr, team, level: tm.level || '', blocks: [] };
    for (const d of days) {
      const it = perDay.get(d);
      const td = h('td');
      if (it && it.stops.length) {
        const lane = h('div', { class: 'lane' });
        lane.style.backgroundSize = `${100 / hours}% 100%`;
        for (const s of it.stops) {
          const b = block(s, team, d, ref, ed, tm);
          b.el.style.left = pct(s.arrival).toFixed(2) + '%';
          b.el.style.width = Math.max(0.8, pct(s.depart) - pct(s.arrival)).toFixed(2) + '%';
          lane.append(b.el);
          blocks.push(b); row.blocks.push(b);
        }
        td.append(h('a', { href: `#/day?team=${encodeURIComponent(team)}&date=${d}`, class: 'open small' }, `${t('cir.open')} ${it.stops.length}`), lane);
      }
      tr.append(td);
    }
    tb.append(tr);
    rows.push(row);
  }
  table.append(tb);
  return { el: table, blocks, rows };
}

function hourTicks(t0, t1) {
  const out = [];
  const step = t1 - t0 > 8 * 60 ? 120 : 60;
  for (let m = t0; m < t1; m += step) {
    const tick = h('span', {}, String(m / 60).padStart(2, '0'));
    tick.style.left = (100 * (m - t0) / (t1 - t0)).toFixed(2) + '%';
    out.push(tick);
  }
  return out;
}

// block is one visit: a button on a draft being edited, else a labelled span.
function block(s, team, date, ref, ed, tm) {
  const vil = ref.villages.get(s.village_id) || {};
  const label = `${hm(s.arrival)}–${hm(s.depart)} ${vil.short_name || s.village_id}${s.request_ids.length > 1 ? ' ×' + s.request_ids.length : ''}${s.locked ? ' 📌' : ''}`;
  const title = `${tm.name || team} ${date} #${s.seq} · ${label} · ${s.request_ids.join(', ')}`;
  const cls = 'visit' + (s.locked ? ' pinned' : '');
  const el = ed
    ? h('button', { type: 'button', class: cls, 'data-req': s.request_ids.join(','), title, 'aria-label': title,
      onclick: () => { ed.pick({ team, date, seq: s.seq, stop: s }); ed.box.scrollIntoView({ block: 'nearest' }); } }, label)
    : h('span', { class: cls, 'data-req': s.request_ids.join(','), title, role: 'img', 'aria-label': title }, label);
  return { el, team, level: tm.level || '', town: vil.township_id || '', reqs: s.request_ids };
}

/**
 * filterBar builds the filter controls; onChange(f) gets the current filter
 * {town, team, level, ledger, status, q} (empty = any) after every change.
 */
export function filterBar(ref, teamIDs, onChange) {
  const opt = (all, list) => [['', t('common.all')], ...list];
  const town = selectEl('flt-town', opt(true, [...ref.townships.values()].map((x) => [x.id, x.name])));
  const team = selectEl('flt-team', opt(true, teamIDs.map((id) => [id, (ref.teams.get(id) || {}).name || id])));
  const level = selectEl('flt-level', opt(true, LEVELS.map((l) => [l, t('lvl.' + l)])));
  const ledger = selectEl('flt-ledger', opt(true, LEDGERS.map((l) => [l, t('ledger.' + l)])));
  const status = selectEl('flt-status', opt(true, STATUSES.map((s) => [s, t('st.' + s)])));
  const q = h('input', { type: 'search', id: 'flt-q', placeholder: t('flt.qhelp'), autocomplete: 'off', spellcheck: 'false' });
  const count = h('span', { class: 'muted', id: 'flt-count', role: 'status' });
  const read = () => ({ town: town.value, team: team.value, level: level.value, ledger: ledger.value, status: status.value, q: q.value.trim().toLowerCase() });
  for (const el of [town, team, level, ledger, status]) el.addEventListener('change', () => onChange(read()));
  let timer;
  q.addEventListener('input', () => { clearTimeout(timer); timer = setTimeout(() => onChange(read()), 120); });
  const lab = (text, el) => h('label', { class: 'field' }, h('span', {}, text), el);
  const el = h('form', { class: 'toolbar filters', id: 'cir-filters', role: 'search', onsubmit: (e) => { e.preventDefault(); onChange(read()); } },
    lab(t('common.township'), town), lab(t('common.team'), team), lab(t('flt.level'), level),
    lab(t('req.ledger'), ledger), lab(t('common.status'), status), lab(t('flt.q'), q), count);
  return { el, count, read };
}

function selectEl(id, options) {
  const s = h('select', { id });
  for (const [v, l] of options) s.append(h('option', { value: v }, l));
  return s;
}

/** requestMatches says whether request r (from /requests; undefined when not loaded) passes f. */
export function requestMatches(rid, r, f) {
  if (f.ledger && (!r || r.ledger !== f.ledger)) return false;
  if (f.status && (!r || r.status !== f.status)) return false;
  if (f.q) {
    const name = r && r.household ? (r.household.name || '').toLowerCase() : '';
    if (!rid.toLowerCase().includes(f.q) && !name.includes(f.q)) return false;
  }
  return true;
}

/**
 * applyFilter shows the blocks and rows of board b that pass f, hides the others, and returns
 * [shown, total] visits. A row stays when it passes the team filters and, if a visit filter is set,
 * still shows a visit.
 */
export function applyFilter(b, f, requests) {
  const visitFilter = f.town || f.ledger || f.status || f.q;
  let shown = 0;
  for (const row of b.rows) {
    const rowOK = (!f.team || row.team === f.team) && (!f.level || row.level === f.level);
    let n = 0;
    for (const x of row.blocks) {
      const ok = rowOK && (!f.town || x.town === f.town) && x.reqs.some((rid) => requestMatches(rid, requests.get(rid), f));
      x.el.hidden = !ok;
      x.el.classList.toggle('hit', Boolean(ok && f.q));
      if (ok) n++;
    }
    row.el.hidden = !rowOK || (visitFilter && n === 0);
    shown += n;
  }
  return [shown, b.blocks.length];
}
