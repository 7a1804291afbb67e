// Market days: month calendar per township with desks and bookings, and the coordinator's adjustments.
import { api, qs } from './api.js';
import { t } from './i18n.js';
import { h, clear, field, select, showError, errorText, toast, today, addDays, weekday } from './util.js';
import { ctx, ref, byId, go } from './app.js';

export async function render(main, params) {
  const me = ctx.me;
  const staff = await byId('staff');
  towns = await byId('townships');
  const town = me.role === 'township_coordinator' ? me.township_id : (params.get('township') || [...towns.keys()][0]);
  const month = params.get('month') || today().slice(0, 7);
  const from = month + '-01';
  const to = addDays(addDays(from, 32).slice(0, 7) + '-01', -1);
  main.append(h('h1', {}, t('mk.title')));
  const townSel = select([...towns.values()].map((x) => [x.id, x.name]), town, { id: 'mk-township', disabled: me.role === 'township_coordinator' });
  const monthIn = h('input', { type: 'month', value: month, id: 'mk-month' });
  const change = () => go('market', { township: townSel.value, month: monthIn.value, plan: params.get('plan') || '' });
  townSel.addEventListener('change', change); monthIn.addEventListener('change', change);
  main.append(h('div', { class: 'toolbar' }, field(t('common.township'), townSel), field(t('mk.month'), monthIn)));
  const [days, plans] = await Promise.all([api(`/townships/${town}/market-days` + qs({ from, to })), api('/market-plans' + qs({ limit: 50 }))]);
  const plan = (plans.items || []).find((p) => p.id === params.get('plan')) || (plans.items || []).find((p) => p.from <= to && p.to >= from);
  let view = null;
  if (plan) view = await api(`/market-plans/${plan.id}/townships/${town}`);
  const desks = new Map((view ? view.desks : []).filter((d) => d.township_id === town).map((d) => [d.date, d]));
  const mdays = new Map(days.days.map((d) => [d.date, d]));
  main.append(h('p', { class: 'muted', id: 'mk-plan' }, `${days.cycle}${days.sample ? ' · ' + t('common.sample') : ''} · `,
    plan ? `${t('mk.plan')} ${plan.id} (${t('mk.pub.' + view.publication)}, v${view.version})` : t('mk.noplan')));
  if (me.role !== 'township_coordinator') main.append(planBar({ plan, view, plans: plans.items || [], from, to, town, month }));
  // Days with bookings that no desk can serve: flagged in the calendar and listed.
  const noDesk = new Map();
  for (const u of (view && view.uncovered) || []) {
    const dk = desks.get(u.date);
    if (u.township_id === town && (!dk || !dk.staff_ids.length)) noDesk.set(u.date, (noDesk.get(u.date) || 0) + 1);
  }
  if (noDesk.size) {
    main.append(h('div', { class: 'card warnbox', role: 'status', id: 'mk-nodesk' }, h('h2', {}, t('mk.nodesk')),
      h('ul', {}, [...noDesk].sort().map(([d, n]) => h('li', {}, h('a', { href: '#/market?' + new URLSearchParams({ township: town, month, plan: plan.id, date: d }) }, d), ` · ${n} ${t('mk.nodeskn')}`)))));
  }
  // The server's flags for the published plan: holidays and days nobody staffs, with their bookings.
  if (me.role !== 'team_member') {
    const flags = await api(`/townships/${town}/market-flags` + qs({ from, to }));
    if (flags.items.length) {
      main.append(h('div', { class: 'card warnbox', role: 'status', id: 'mk-flags' }, h('h2', {}, t('mk.flags')),
        h('ul', {}, flags.items.map((f) => h('li', { 'data-date': f.date },
          h('a', { href: '#/market?' + new URLSearchParams({ township: town, month, plan: f.plan_id || (plan ? plan.id : ''), date: f.date }) }, f.date),
          ' · ', f.reasons.map((r) => t('mk.flag.' + r)).join('、'), f.holiday ? ` (${f.holiday})` : '',
          f.bookings.length ? ` · ${f.bookings.length} ${t('mk.nodeskn')}: ${f.bookings.map((b) => b.household.name).join('、')}` : '')))));
    }
  }
  const layout = h('div', { class: 'split' });
  const cal = h('div', { class: 'calendar', id: 'mk-calendar' });
  const side = h('section', { class: 'card', id: 'mk-side' });
  layout.append(h('section', { class: 'card' }, cal), side);
  main.append(layout);
  const wd = t('mk.weekday');
  for (let i = 0; i < 7; i++) cal.append(h('div', { class: 'wd', 'aria-hidden': 'true' }, wd[i]));
  for (let i = 0; i < weekday(from); i++) cal.append(h('div', { class: 'pad' }));
  for (let d = from; d <= to; d = addDays(d, 1)) {
    const md = mdays.get(d), desk = desks.get(d);
    const flag = noDesk.get(d);
    const cell = h('button', { type: 'button', class: 'day' + (md ? ' market' : '') + (desk && desk.locked ? ' locked' : '') + (flag ? ' nodesk' : '') + (d === params.get('date') ? ' sel' : ''), 'data-date': d,
      onclick: () => go('market', { township: town, month, plan: plan ? plan.id : '', date: d }) },
    h('span', { class: 'num', 'aria-hidden': 'true' }, String(Number(d.slice(8)))), h('span', { class: 'sr-only' }, d + ' '),
    md ? h('span', { class: 'mk' }, '集') : '', flag ? h('span', { class: 'flag' }, h('span', { 'aria-hidden': 'true' }, '⚠'), h('span', { class: 'sr-only' }, t('mk.nodesk'))) : '',
    desk ? h('span', { class: 'desk' }, desk.staff_ids.map((s) => (staff.get(s) || {}).name || s).join(' ')) : '');
    cal.append(cell);
  }
  if (view && view.conflicts && view.conflicts.length) side.append(conflictList(view.conflicts, staff));
  const date = params.get('date');
  if (!date) {
    if (view && view.changes) side.append(h('h2', {}, t('mk.changes')), h('ul', {}, view.changes.slice(-10).map((c) => h('li', {}, `${c.at.slice(0, 16).replace('T', ' ')} ${c.by} ${c.op} ${c.detail || ''}`))));
    return;
  }
  await dayPanel(side, { town, date, md: mdays.get(date), desk: desks.get(date), plan, view, staff, month });
}

function conflictList(conf, staff) {
  return h('div', { class: 'conflicts', role: 'alert', id: 'mk-conflicts' }, h('h3', {}, t('mk.conflicts')),
    h('ul', {}, conf.map((c) => h('li', {}, `${c.date || ''} ${(staff.get(c.staff_id) || {}).name || c.staff_id || ''}: ${c.kind || c.reason || ''} ${c.message || c.detail || ''}`))));
}

async function dayPanel(side, o) {
  const { town, date, md, desk, plan, view, staff } = o;
  side.append(h('h2', {}, date + (md ? ' · ' + t('mk.marketday') : '')), md ? h('p', { class: 'muted' }, md.reason) : '');
  if (desk) side.append(h('p', {}, h('strong', {}, t('mk.desk') + ': '), desk.staff_ids.map((s) => (staff.get(s) || {}).name || s).join('、') || t('common.none'), desk.locked ? h('span', { class: 'tag' }, t('mk.locked')) : ''));
  if (md) {
    try {
      const b = await api(`/market-days/${town}/${date}/bookings`);
      side.append(h('h3', {}, `${t('mk.bookings')} (${b.items.length})`), h('ul', { id: 'mk-bookings' }, b.items.map((x) => h('li', {}, `${x.household.name} · ${x.item_id} · ${t('bk.' + x.status)}`))));
    } catch (err) { showError(side, err); }
  }
  if (!plan || view.publication !== 'draft' || view.status !== 'done') return;
  // Adjustments: pick one, see what it changes and the conflicts we can see, then save.
  const candidates = [...staff.values()].filter((s) => s.role !== 'village_agent');
  const ops = [['lock', t('mk.lock')], ['unlock', t('mk.unlock')], ['swap', t('mk.swap')]];
  if (md) ops.push(['assign', t('mk.assign')]);
  ops.push(md ? ['cancel_day', t('mk.canceld')] : ['add_day', t('mk.add')]);
  const op = select(ops, 'swap', { id: 'mk-op' });
  const out = select((desk ? desk.staff_ids : []).map((s) => [s, (staff.get(s) || {}).name || s]), '', { id: 'mk-out' });
  const inn = select(candidates.map((s) => [s.id, `${s.name} (${s.id})`]), '', { id: 'mk-in' });
  const reason = h('input', { id: 'mk-reason', maxlength: 100 });
  const preview = h('div', { id: 'mk-preview' });
  const msg = h('div');
  const body = () => {
    const b = { op: op.value, township_id: town, date, version: view.version };
    if (op.value === 'swap') Object.assign(b, { staff_id: out.value, with_staff_id: inn.value });
    if (op.value === 'lock' && desk) b.staff_ids = desk.staff_ids;
    // Assigning a person is locking the desk with them added (the server re-plans the rest).
    if (op.value === 'assign') Object.assign(b, { op: 'lock', staff_ids: [...new Set([...(desk ? desk.staff_ids : []), inn.value])] });
    if (op.value === 'add_day' || op.value === 'cancel_day') b.reason = reason.value || op.value;
    return b;
  };
  const check = async () => {
    clear(preview);
    const b = body();
    const warn = [];
    if (b.op === 'swap') {
      if (!b.staff_id) warn.push(t('mk.out') + ': ' + t('common.none'));
      // The full plan shows the other desks of that day (planners see every township).
      try {
        const full = await api(`/market-plans/${plan.id}`);
        for (const d of full.desks || []) if (d.date === date && d.township_id !== town && d.staff_ids.includes(b.with_staff_id)) warn.push(`${nameOf(staff, b.with_staff_id)} ${t('mk.c.alsoat')} ${townName(d.township_id)} ${t('mk.desk')}`);
      } catch { /* coordinators may not read other townships: the server reports conflicts after saving */ }
    }
    if (b.op === 'cancel_day' && desk) warn.push(`${t('mk.desk')}: ${desk.staff_ids.length} → 0`);
    preview.append(h('p', {}, `${t(opKey(op.value))}: ${date}${b.op === 'swap' ? ` ${(staff.get(b.staff_id) || {}).name || ''} → ${(staff.get(b.with_staff_id) || {}).name || ''}` : ''}`),
      warn.length ? h('ul', { class: 'conflicts', id: 'mk-warn' }, warn.map((w) => h('li', {}, w))) : h('p', { class: 'ok' }, t('mk.noconf')),
      h('button', { type: 'button', class: 'primary', id: 'mk-apply', onclick: apply }, t('mk.apply')));
  };
  const apply = async (e, confirm) => {
    e.target.disabled = true; clear(msg);
    try {
      const res = await api(`/market-plans/${plan.id}/adjustments`, { method: 'POST', body: confirm ? { ...body(), confirm: true } : body() });
      toast(t('common.save') + ' ✓');
      const conf = (res.conflicts || []).filter((c) => c.date === date || !c.date);
      if (conf.length) sessionStorage.setItem('xh.lastConflicts', JSON.stringify(conf));
      go('market', { township: town, month: o.month, plan: plan.id, date, v: res.version || '' });
    } catch (err) {
      e.target.disabled = false; showError(msg, err);
      const c = err.body && err.body.error && err.body.error.consequences;
      if (c && c.length) {
        msg.append(h('ul', { class: 'conflicts', id: 'mk-consequences' }, c.map((x) => h('li', { 'data-kind': x.kind }, consequenceText(x, staff)))));
        if (err.body.error.can_confirm) {
          msg.append(h('button', { type: 'button', class: 'primary', id: 'mk-confirm', onclick: (ev) => apply(ev, true) }, t('mk.confirm')));
        } else msg.append(h('p', { class: 'muted' }, t('mk.askplanner')));
      }
    }
  };
  const rows = h('div', { class: 'stack' });
  const redraw = () => {
    clear(rows); clear(preview);
    if (op.value === 'swap') rows.append(field(t('mk.out'), out), field(t('mk.in'), inn));
    if (op.value === 'assign') rows.append(field(t('mk.in'), inn));
    if (op.value === 'add_day' || op.value === 'cancel_day') rows.append(field(t('mk.reason'), reason));
  };
  op.addEventListener('change', redraw);
  redraw();
  side.append(h('h3', {}, t('mk.desk')), field(t('mk.action'), op), rows, h('button', { type: 'button', id: 'mk-check', onclick: check }, t('mk.preview')), preview, msg);
  const last = sessionStorage.getItem('xh.lastConflicts');
  if (last) { sessionStorage.removeItem('xh.lastConflicts'); side.prepend(conflictList(JSON.parse(last), staff)); }
}

function opKey(op) { return { assign: 'mk.assign', lock: 'mk.lock', unlock: 'mk.unlock', swap: 'mk.swap', add_day: 'mk.add', cancel_day: 'mk.canceld' }[op]; }

let towns = new Map();
const townName = (id) => (towns.get(id) || {}).name || id;
const nameOf = (staff, id) => (staff.get(id) || {}).name || id;
/** consequenceText says one listed consequence of a refused swap in the page's language. */
function consequenceText(c, staff) {
  const names = (ids) => (ids || []).map((s) => nameOf(staff, s)).join('、') || t('common.none');
  const desk = `${c.date} ${townName(c.township_id)} ${t('mk.desk')}`;
  if (c.kind === 'leaves_desk') return `${nameOf(staff, c.staff_id)} ${t('mk.c.leaves')} ${desk}` + (c.empty ? t('mk.c.empty') : '');
  if (c.kind === 'desk_emptied') return `${desk} ${t('mk.c.emptied')} (${t('mk.c.was')} ${names(c.was)})`;
  return `${desk} ${t('mk.c.changed')}: ${names(c.was)} → ${names(c.now)}`;
}

/** planBar is the planner's: plan the month's market days, and publish the draft shown. */
function planBar(o) {
  const { plan, view, plans, from, to, town, month } = o;
  const fromIn = h('input', { type: 'date', id: 'mk-from', value: from, required: true });
  const toIn = h('input', { type: 'date', id: 'mk-to', value: to, required: true });
  const msg = h('div', { id: 'mk-planmsg', 'aria-live': 'polite' });
  const bar = h('section', { class: 'card', id: 'mk-planbar', 'aria-labelledby': 'mk-planbar-h' }, h('h2', { id: 'mk-planbar-h' }, t('mk.plans')));
  const start = async (e) => {
    e.preventDefault(); clear(msg);
    const btn = e.submitter || e.target.querySelector('button'); btn.disabled = true;
    msg.append(h('p', { class: 'muted' }, t('mk.running')));
    try {
      let id;
      try { id = (await api('/market-plans', { method: 'POST', body: { from: fromIn.value, to: toIn.value } })).id; } catch (err) {
        if (err.status === 409 && err.body && err.body.error && err.body.error.id) id = err.body.error.id; else throw err;
      }
      for (;;) {
        const v = await api('/market-plans/' + id);
        if (v.status === 'done') break;
        if (v.status === 'failed' || v.status === 'cancelled') throw new Error(v.error || v.status);
        await new Promise((r) => setTimeout(r, 500));
      }
      go('market', { township: town, month: fromIn.value.slice(0, 7), plan: id });
    } catch (err) { btn.disabled = false; clear(msg); showError(msg, err); }
  };
  bar.append(h('form', { class: 'toolbar', onsubmit: start }, field(t('cir.from'), fromIn), field(t('cir.to'), toIn),
    h('button', { type: 'submit', id: 'mk-start' }, t('mk.start'))));
  if (plan && view.publication === 'draft' && view.status === 'done') {
    const old = plans.find((p) => p.id !== plan.id && p.publication === 'published' && p.from <= plan.to && p.to >= plan.from);
    const publish = async (e) => {
      e.target.disabled = true; clear(msg);
      try {
        await api(`/market-plans/${plan.id}/publish`, { method: 'POST', body: { version: view.version, supersedes: old ? old.id : undefined } });
        toast(t('mk.published') + ' ✓');
        go('market', { township: town, month, plan: plan.id, v: 'p' });
      } catch (err) { e.target.disabled = false; showError(msg, err); }
    };
    bar.append(h('p', {}, `${plan.id}: ${plan.from} – ${plan.to} · ${t('mk.pub.draft')} · ${view.desks.length} ${t('mk.desks')} · ${(view.uncovered || []).length} ${t('mk.uncovered')}`,
      old ? h('span', { class: 'muted' }, ` · ${t('mk.supersedes')} ${old.id}`) : ''),
    h('button', { type: 'button', class: 'primary', id: 'mk-publish', onclick: publish }, t('cir.publish')));
  }
  bar.append(msg);
  if (plan && view.publication === 'draft' && view.status !== 'done') showError(msg, { message: `${plan.id}: ${view.status} ${view.error || ''}` });
  return bar;
}
