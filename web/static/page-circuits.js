// Weekly circuits: start a plan, watch its progress (events), the teams × days timeline with filters,
// unassigned requests, loads, publish after seeing the diff, re-plan.
import { api, qs, events } from './api.js';
import { t } from './i18n.js';
import { h, clear, today, nextMonday, addDays, dayRange, field, select, showError, toast } from './util.js';
import { ctx, byId, go } from './app.js';
import { editor } from './plan-edit.js';
import { timeline, filterBar, applyFilter, requestMatches } from './board.js';

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
    await follow(body, id, v);
    if (!body.isConnected) return; // the user went elsewhere
    clear(body);
    body.append(h('p', { class: 'muted', id: 'cir-loading', role: 'status' }, t('common.loading')));
    v = await api('/circuit-plans/' + encodeURIComponent(id));
    clear(body);
  }
  if (v.status === 'failed') { showError(body, { message: v.error || 'failed' }); return; }
  const plan = v.plan || {};
  const loading = h('p', { class: 'muted', id: 'cir-loading', role: 'status' }, t('common.loading'));
  body.append(loading);
  const [teams, villages, townships, requests] = await Promise.all([byId('teams'), byId('villages'), byId('townships'), planRequests()]);
  loading.remove();
  const ref = { teams, villages, townships };
  const st = v.stats || {};
  const status = h('p', { class: 'summary', id: 'cir-status' }, h('strong', {}, t(plan.status === 'published' ? 'cir.published' : 'cir.draft')),
    ` · ${plan.from} – ${plan.to} · ${t('cir.served')} ${st.served ?? '?'} / ${st.requests ?? '?'} · ${t('cir.travelmin')} ${st.travel_minutes ?? '?'}`);
  body.append(status);
  if (planner) body.append(tools(v, id));
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
      for (const m of moves.slice(0, 200)) ul.append(h('li', {}, `${m.request_id}: ${fmtSlot(m.from_team, m.from_date, teams)} → ${fmtSlot(m.to_team, m.to_date, teams)}`
        + (m.minutes ? ` (${m.minutes} ${t('cir.minutes')})` : '') + (m.reason ? ` · ${t('code.' + m.reason)}` : '')));
      sec.append(ul);
    }
    body.append(sec);
  }
  // Hand edits of a draft (planners).
  const ed = planner && plan.status === 'draft' ? editor(v, teams, villages) : null;
  if (ed) body.append(ed.box);
  // Teams × days as a timeline (scrolls sideways inside its box on a phone), with filters and search.
  const days = dayRange(plan.from || v.from, plan.to || v.to);
  const board = timeline(v, days, ref, ed);
  const un = unassignedList(v, ref, requests, ed);
  const apply = (f) => {
    const [shown, total] = applyFilter(board, f, requests);
    const left = un.filter(f);
    bar.count.textContent = `${t('flt.shown')} ${shown} / ${total} · ${t('cir.unassigned')} ${left}`;
  };
  const bar = filterBar({ ...ref }, board.rows.map((r) => r.team), apply);
  body.append(h('section', { class: 'card', id: 'cir-board-card' }, h('h2', {}, t('cir.board')), bar.el,
    h('div', { class: 'scroll board-box', tabindex: 0, role: 'region', 'aria-label': t('cir.board') }, board.el)));
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
  body.append(un.el);
  apply(bar.read());
  body.dataset.rendered = String(performance.now());
}

// follow shows the run's progress as its events arrive (server-sent events), until it ends.
async function follow(body, id, v) {
  const limit = v.time_limit_seconds || 10;
  const bar = h('progress', { max: 100, value: 0, id: 'cir-progress', 'aria-label': t('cir.progress') });
  const info = h('p', { class: 'muted', id: 'cir-progress-info', role: 'status' }, t('cir.queued'));
  body.append(h('section', { class: 'card' }, h('h2', {}, t('cir.progress')), bar, info));
  const ctl = new AbortController();
  const show = (p) => {
    bar.value = Math.min(99, Math.round(100 * p.elapsed_seconds / limit));
    bar.dataset.events = String(Number(bar.dataset.events || 0) + 1);
    info.textContent = `${t('cir.served')}: ${p.served} · ${t('cir.cost')}: ${p.cost} · ${t('cir.iteration')}: ${p.iteration} · ${t('cir.elapsed')}: ${p.elapsed_seconds.toFixed(1)} / ${limit}`;
  };
  try {
    await events(`/circuit-plans/${encodeURIComponent(id)}/events`, (name, d) => {
      if (!body.isConnected) { ctl.abort(); return; }
      if (name === 'progress') show(d);
      else { bar.value = 100; info.textContent = t('cir.finished'); }
    }, ctl.signal);
  } catch (err) {
    if (ctl.signal.aborted) return;
    // The stream broke (proxy, network): fall back to asking for the state.
    for (let w = await api('/circuit-plans/' + encodeURIComponent(id)); w.status === 'queued' || w.status === 'running'; w = await api('/circuit-plans/' + encodeURIComponent(id))) {
      if (!body.isConnected) return;
      const p = (w.progress || []).at(-1);
      if (p) show(p);
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
}

// tools: publish (after a confirmation showing the diff) and re-plan.
function tools(v, id) {
  const plan = v.plan;
  const box = h('div', { class: 'toolbar' });
  if (plan.status === 'draft') {
    box.append(h('button', { type: 'button', class: 'primary', id: 'cir-publish', onclick: (e) => confirmPublish(e.target, id, plan) }, t('cir.publish')));
  }
  const now = h('input', { type: 'date', value: today() > plan.from ? today() : plan.from, id: 'cir-now' });
  box.append(field(t('cir.now'), now), h('button', { type: 'button', id: 'cir-replan', onclick: async (e) => {
    e.target.disabled = true; e.target.setAttribute('aria-busy', 'true');
    try { const r = await api(`/circuit-plans/${encodeURIComponent(id)}/replan`, { method: 'POST', body: { now: now.value } }); go('circuits', { plan: r.id }); }
    catch (err) { e.target.disabled = false; e.target.removeAttribute('aria-busy'); toast(err.message, true); }
  } }, t('cir.replan')));
  return box;
}

// confirmPublish asks the server what publishing would change (dry run), shows the diff against the
// published version it replaces, and publishes only when the planner confirms.
async function confirmPublish(btn, id, plan) {
  btn.disabled = true; btn.setAttribute('aria-busy', 'true');
  const path = `/circuit-plans/${encodeURIComponent(id)}/publish`;
  let pre;
  try { pre = await api(path + '?dry_run=true', { method: 'POST', body: { version: plan.version } }); }
  catch (err) { btn.disabled = false; btn.removeAttribute('aria-busy'); toast(err.message + (err.requestId ? ` [${err.requestId}]` : ''), true); return; }
  const [teams] = await Promise.all([byId('teams')]);
  const d = pre.diff;
  const msg = h('div');
  const dlg = h('dialog', { id: 'cir-confirm', 'aria-labelledby': 'cir-confirm-h' });
  const close = () => { dlg.close(); dlg.remove(); btn.disabled = false; btn.removeAttribute('aria-busy'); };
  const ul = h('ul', { class: 'diff', id: 'cir-diff', tabindex: 0, 'aria-label': t('cir.confirmtitle') });
  for (const td of d.team_days.slice(0, 60)) {
    const parts = [];
    if (td.added && td.added.length) parts.push(`+${td.added.length} ${t('diff.added')}`);
    if (td.removed && td.removed.length) parts.push(`−${td.removed.length} ${t('diff.removed')}`);
    if (td.moved && td.moved.length) parts.push(`${td.moved.length} ${t('diff.moved')}`);
    ul.append(h('li', {}, `${(teams.get(td.team_id) || {}).name || td.team_id} ${td.date.slice(5)}: ${parts.join(' · ')}`));
  }
  if (d.team_days.length > 60) ul.append(h('li', { class: 'muted' }, `… ${d.team_days.length - 60}`));
  dlg.append(h('h2', { id: 'cir-confirm-h' }, t('cir.confirmtitle')),
    h('p', {}, d.supersedes ? `${t('cir.replaces')} ${d.supersedes}` : t('cir.first')),
    h('p', { class: 'summary', id: 'cir-diff-sum' }, `+${d.added} ${t('diff.added')} · −${d.removed} ${t('diff.removed')} · ${d.moved} ${t('diff.moved')}`),
    ul, msg,
    h('div', { class: 'toolbar' },
      h('button', { type: 'button', class: 'primary', id: 'cir-confirm-publish', onclick: async (e) => {
        e.target.disabled = true; clear(msg);
        try {
          await api(path, { method: 'POST', body: { version: plan.version, supersedes: d.supersedes || undefined } });
          close(); toast(t('cir.published')); go('circuits', { plan: id, t: Date.now() });
        } catch (err) { e.target.disabled = false; showError(msg, err); }
      } }, t('cir.confirm')),
      h('button', { type: 'button', id: 'cir-confirm-cancel', onclick: close }, t('common.cancel'))));
  document.body.append(dlg);
  dlg.addEventListener('cancel', close);
  dlg.showModal();
}

// planRequests loads the caller's requests (for the ledger, status and household-name filters).
async function planRequests() {
  const m = new Map();
  for (let off = 0, page = 0; page < 20; page++) {
    const r = await api('/requests' + qs({ limit: 1000, offset: off || undefined }));
    for (const x of r.items) m.set(x.id, x);
    off += r.items.length;
    if (r.items.length < 1000 || off >= r.total) break;
  }
  return m;
}

// unassignedList lists the requests the plan leaves out with their reasons in words (a planner's
// removals first) and, on a draft, one-click slot suggestions; filter(f) narrows it and returns the count.
function unassignedList(v, ref, requests, ed) {
  const un = [...(v.unassigned || [])].sort((a, b) => (b.code === 'removed') - (a.code === 'removed'));
  const sec = h('section', { class: 'card' }, h('h2', {}, `${t('cir.unassigned')} (${un.length})`));
  const counts = {};
  for (const u of un) counts[u.code] = (counts[u.code] || 0) + 1;
  sec.append(h('p', {}, Object.entries(counts).map(([c, n]) => h('span', { class: 'tag' }, `${t('code.' + c)}: ${n}`))));
  const ul = h('ul', { class: 'unassigned', id: 'cir-unassigned' });
  const items = [];
  for (const u of un) {
    const r = requests.get(u.request_id);
    const town = r && r.household ? (ref.villages.get(r.household.village_id) || {}).township_id || '' : '';
    const who = r && r.household ? r.household.name : '';
    const li = h('li', { 'data-req': u.request_id, 'data-code': u.code }, h('a', { href: `#/requests?id=${encodeURIComponent(u.request_id)}` }, u.request_id),
      who ? ` ${who}` : '', ' · ', h('strong', {}, t('code.' + u.code)), u.detail ? h('span', { class: 'muted small' }, ` (${u.detail})`) : '', ' ');
    if (ed) {
      const where = h('span', { class: 'slots' });
      li.append(h('button', { type: 'button', class: 'suggest', onclick: () => ed.suggest(u.request_id, where) }, t('ed.suggest')), where);
    }
    ul.append(li);
    items.push({ li, id: u.request_id, r, town });
  }
  const more = h('li', { class: 'muted', id: 'cir-unassigned-more' });
  ul.append(more);
  sec.append(ul);
  const filter = (f) => {
    let n = 0;
    for (const x of items) {
      const ok = (!f.town || x.town === f.town) && requestMatches(x.id, x.r, f);
      if (ok) n++;
      x.li.hidden = !ok || n > 100;
    }
    more.hidden = n <= 100;
    more.textContent = `… ${n - 100}`;
    return n;
  };
  return { el: sec, filter };
}

// widen sets bar widths through CSSOM (the CSP forbids inline style attributes).
export function widen(root) { for (const f of root.querySelectorAll('[data-w]')) f.style.width = f.dataset.w + '%'; }

function fmtSlot(team, date, teams) {
  if (!team) return t('common.none');
  return `${(teams.get(team) || {}).name || team} ${date || ''}`;
}
