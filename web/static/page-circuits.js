// Weekly circuits: start a plan, watch progress, teams × days board, unassigned, loads, publish, re-plan.
import { api, qs } from './api.js';
import { t } from './i18n.js';
import { h, clear, today, nextMonday, addDays, dayRange, hm, field, select, showError, toast } from './util.js';
import { ctx, byId, go } from './app.js';
import { editor } from './plan-edit.js';

export async function render(main, params) {
  const planner = ['admin', 'county_planner'].includes(ctx.me.role);
  main.append(h('h1', {}, t('cir.title')));
  const mon = nextMonday(addDays(today(), 1));
  const from = h('input', { type: 'date', id: 'cir-from', value: mon });
  const to = h('input', { type: 'date', id: 'cir-to', value: addDays(mon, 4) });
  const msg = h('div');
  if (planner) {
    main.append(h('form', { class: 'toolbar', onsubmit: async (e) => {
      e.preventDefault(); clear(msg);
      try {
        const run = await api('/circuit-plans', { method: 'POST', body: { from: from.value, to: to.value } });
        go('circuits', { plan: run.id });
      } catch (err) { showError(msg, err); }
    } }, field(t('cir.from'), from), field(t('cir.to'), to), h('button', { type: 'submit', class: 'primary', id: 'cir-start' }, t('cir.start'))), msg);
  }
  const plans = await api('/circuit-plans' + qs({ limit: 20 }));
  const planID = params.get('plan') || (plans.items[0] && plans.items[0].id);
  if (planID) {
    const opts = plans.items.map((p) => [p.id, `${p.from} – ${p.to} · ${t(p.status === 'published' ? 'cir.published' : 'cir.draft')} · ${p.id}`]);
    // A run still in progress is not listed among the saved plans yet.
    if (planID && !plans.items.some((p) => p.id === planID)) opts.unshift([planID, `${planID} · ${t('cir.progress')}`]);
    const sel = select(opts, planID, { id: 'cir-plan' });
    sel.addEventListener('change', () => go('circuits', { plan: sel.value }));
    main.append(h('div', { class: 'toolbar' }, field(t('cir.plans'), sel)));
  }
  if (!planID) return;
  const body = h('div', { id: 'cir-body' });
  main.append(body);
  await showPlan(body, planID, planner);
}

async function showPlan(body, id, planner) {
  let v = await api('/circuit-plans/' + encodeURIComponent(id));
  if (v.status === 'queued' || v.status === 'running') {
    const bar = h('progress', { max: 100, value: 0, id: 'cir-progress' });
    const info = h('p', { class: 'muted' });
    body.append(h('section', { class: 'card' }, h('h2', {}, t('cir.progress')), bar, info));
    const started = Date.now();
    while (v.status === 'queued' || v.status === 'running') {
      await new Promise((r) => setTimeout(r, 800));
      if (!body.isConnected) return; // the user went elsewhere
      v = await api('/circuit-plans/' + encodeURIComponent(id));
      const p = (v.progress || []).at(-1);
      const el = p ? p.elapsed_seconds : (Date.now() - started) / 1000;
      bar.value = Math.min(99, el * 10); // default time limit 10 s
      info.textContent = p ? `${t('cir.served')}: ${p.served} · ${t('cir.cost')}: ${p.cost} · ${t('cir.elapsed')}: ${el.toFixed(1)}` : v.status;
    }
    clear(body);
  }
  if (v.status === 'failed') { showError(body, { message: v.error || 'failed' }); return; }
  const plan = v.plan || {};
  const teams = await byId('teams');
  const villages = await byId('villages');
  const st = v.stats || {};
  const status = h('p', { class: 'summary', id: 'cir-status' }, h('strong', {}, t(plan.status === 'published' ? 'cir.published' : 'cir.draft')),
    ` · ${plan.from} – ${plan.to} · ${t('cir.served')} ${st.served ?? '?'} / ${st.requests ?? '?'} · ${t('cir.travelmin')} ${st.travel_minutes ?? '?'}`);
  body.append(status);
  if (planner) {
    const tools = h('div', { class: 'toolbar' });
    if (plan.status === 'draft') {
      tools.append(h('button', { type: 'button', class: 'primary', id: 'cir-publish', onclick: async (e) => {
        e.target.disabled = true;
        try { await api(`/circuit-plans/${encodeURIComponent(id)}/publish`, { method: 'POST', body: { version: plan.version } }); toast(t('cir.published')); go('circuits', { plan: id, t: Date.now() }); }
        catch (err) { e.target.disabled = false; toast(err.message, true); }
      } }, t('cir.publish')));
    }
    const now = h('input', { type: 'date', value: today() > plan.from ? today() : plan.from, id: 'cir-now' });
    tools.append(field(t('cir.now'), now), h('button', { type: 'button', id: 'cir-replan', onclick: async () => {
      try { const r = await api(`/circuit-plans/${encodeURIComponent(id)}/replan`, { method: 'POST', body: { now: now.value } }); go('circuits', { plan: r.id }); }
      catch (err) { toast(err.message, true); }
    } }, t('cir.replan')));
    body.append(tools);
  }
  // A published plan whose people are now away (leave entered after publishing) needs a re-plan.
  if ((v.needs_replan || []).length) {
    const staff = await byId('staff');
    const ul = h('ul', {});
    for (const a of v.needs_replan.slice(0, 50)) {
      ul.append(h('li', {}, `${(teams.get(a.team_id) || {}).name || a.team_id} ${a.date} · ${(staff.get(a.staff_id) || {}).name || a.staff_id} · ${a.request_ids.join(', ')}`));
    }
    body.append(h('section', { class: 'card conflicts', id: 'cir-needs-replan', role: 'status' },
      h('h2', {}, `${t('cir.needsreplan')} (${v.needs_replan.length})`), h('p', {}, t('cir.needsreplanhelp')), ul));
  }
  // Moves of a re-plan.
  const moves = (plan.summary && plan.summary.moves) || v.moves;
  if (moves) {
    const sec = h('section', { class: 'card', id: 'cir-moves' }, h('h2', {}, t('cir.moves')));
    if (!moves.length) sec.append(h('p', {}, t('cir.nomoves')));
    else {
      const ul = h('ul', { class: 'moves' });
      for (const m of moves.slice(0, 200)) ul.append(h('li', {}, `${m.request_id}: ${fmtSlot(m.from_team, m.from_date, teams)} → ${fmtSlot(m.to_team, m.to_date, teams)}`));
      sec.append(ul);
    }
    body.append(sec);
  }
  // Hand edits of a draft (planners).
  const ed = planner && plan.status === 'draft' ? editor(v, teams, villages) : null;
  if (ed) body.append(ed.box);
  // Teams × days board (scrolls sideways inside its box on a phone).
  const days = dayRange(plan.from || v.from, plan.to || v.to);
  const byTeam = new Map();
  for (const it of v.itineraries || []) {
    if (!byTeam.has(it.team_id)) byTeam.set(it.team_id, new Map());
    byTeam.get(it.team_id).set(it.date, it);
  }
  const table = h('table', { class: 'board', id: 'cir-board' });
  table.append(h('thead', {}, h('tr', {}, h('th', {}, t('common.team')), days.map((d) => h('th', {}, d.slice(5))))));
  const tb = h('tbody');
  for (const [team, perDay] of [...byTeam].sort((a, b) => a[0].localeCompare(b[0]))) {
    const tr = h('tr', {}, h('th', {}, (teams.get(team) || {}).name || team));
    for (const d of days) {
      const it = perDay.get(d);
      const td = h('td');
      if (it) {
        const ol = h('ol', { class: 'mini' });
        for (const s of it.stops) {
          const label = `${hm(s.arrival)} ${(villages.get(s.village_id) || {}).short_name || s.village_id}${s.request_ids.length > 1 ? ' ×' + s.request_ids.length : ''}${s.locked ? ' 📌' : ''}`;
          ol.append(h('li', {}, ed ? h('button', { type: 'button', class: 'visit' + (s.locked ? ' pinned' : ''), 'data-req': s.request_ids.join(','),
            onclick: () => { ed.pick({ team, date: d, seq: s.seq, stop: s }); ed.box.scrollIntoView({ block: 'nearest' }); } }, label)
            : h('span', { class: s.locked ? 'pinned' : null }, label)));
        }
        td.append(h('a', { href: `#/day?team=${encodeURIComponent(team)}&date=${d}`, class: 'small' }, t('cir.open')), ol);
      }
      tr.append(td);
    }
    tb.append(tr);
  }
  table.append(tb);
  body.append(h('section', { class: 'card' }, h('h2', {}, t('cir.board')), h('div', { class: 'scroll' }, table)));
  // Loads.
  const loads = (v.loads || []).filter((l) => l.stops > 0).sort((a, b) => b.work_minutes - a.work_minutes);
  if (loads.length) {
    const max = Math.max(...loads.map((l) => l.work_minutes), 1);
    const ul = h('ul', { class: 'bars', id: 'cir-loads' });
    for (const l of loads) ul.append(h('li', {}, h('span', { class: 'lbl' }, (teams.get(l.team_id) || {}).name || l.team_id),
      h('span', { class: 'bar' }, h('span', { class: 'fill', style: null, 'data-w': Math.round(100 * l.work_minutes / max) })),
      h('span', { class: 'val' }, `${l.work_minutes} / ${l.travel_minutes} min · ${Math.round(100 * l.utilisation)}%`)));
    body.append(h('section', { class: 'card' }, h('h2', {}, t('cir.loads')), h('p', { class: 'muted small' }, `${t('cir.workmin')} / ${t('cir.travelmin')}`), ul));
    widen(ul);
  }
  // Unassigned with reasons.
  // Visits a planner removed come first: they are the ones to place again.
  const un = [...(v.unassigned || [])].sort((a, b) => (b.code === 'removed') - (a.code === 'removed'));
  const sec = h('section', { class: 'card' }, h('h2', {}, `${t('cir.unassigned')} (${un.length})`));
  const counts = {};
  for (const u of un) counts[u.code] = (counts[u.code] || 0) + 1;
  sec.append(h('p', {}, Object.entries(counts).map(([c, n]) => h('span', { class: 'tag' }, `${t('code.' + c)}: ${n}`))));
  const ul = h('ul', { class: 'unassigned', id: 'cir-unassigned' });
  for (const u of un.slice(0, 100)) {
    const li = h('li', { 'data-req': u.request_id, 'data-code': u.code }, h('a', { href: `#/requests?id=${encodeURIComponent(u.request_id)}` }, u.request_id), ` · ${t('code.' + u.code)} — ${u.detail || ''} `);
    if (ed) {
      const where = h('span', { class: 'slots' });
      li.append(h('button', { type: 'button', class: 'suggest', onclick: () => ed.suggest(u.request_id, where) }, t('ed.suggest')), where);
    }
    ul.append(li);
  }
  if (un.length > 100) ul.append(h('li', { class: 'muted' }, `… ${un.length - 100}`));
  sec.append(ul);
  body.append(sec);
}

// widen sets bar widths through CSSOM (the CSP forbids inline style attributes).
export function widen(root) { for (const f of root.querySelectorAll('[data-w]')) f.style.width = f.dataset.w + '%'; }

function fmtSlot(team, date, teams) {
  if (!team) return t('common.none');
  return `${(teams.get(team) || {}).name || team} ${date || ''}`;
}
