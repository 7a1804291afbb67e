// Requests: filters, list, a request's history, and the intake form for village agents.
import { api, qs } from './api.js';
import { t } from './i18n.js';
import { h, clear, field, select, showError, toast, addDays, today } from './util.js';
import { ctx, ref, byId, go } from './app.js';

const LEDGERS = ['proxy', 'appeal', 'hardship'];
const STATUSES = ['pending', 'planned', 'done', 'failed', 'follow_up', 'withdrawn', 'cancelled', 'merged'];
const CLOSED = ['withdrawn', 'cancelled', 'merged'];
const GROUPS = ['elderly_alone', 'disabled', 'seriously_ill', 'low_income', 'extreme_poverty', 'left_behind_child', 'veteran'];

export async function render(main, params) {
  const me = ctx.me;
  const towns = await ref('townships');
  const villages = await ref('villages');
  const vmap = await byId('villages');
  const tmap = await byId('townships');
  main.append(h('h1', {}, t('req.title')));
  const f = Object.fromEntries(['township', 'village', 'ledger', 'status', 'group', 'offset'].map((k) => [k, params.get(k) || '']));
  if (me.role === 'township_coordinator') f.township = me.township_id;
  const opt = (list, pre) => [['', t('common.all')], ...list.map((x) => [x, t(pre + x)])];
  const townSel = select([['', t('common.all')], ...towns.map((x) => [x.id, x.name])], f.township, { id: 'f-township', disabled: me.role === 'township_coordinator' });
  const vilSel = select([['', t('common.all')], ...villages.filter((v) => !f.township || v.township_id === f.township).map((v) => [v.id, v.short_name || v.name])], f.village, { id: 'f-village' });
  const ledSel = select(opt(LEDGERS, 'ledger.'), f.ledger, { id: 'f-ledger' });
  const stSel = select(opt(STATUSES, 'st.'), f.status, { id: 'f-status' });
  const grSel = select(opt(GROUPS, 'grp.'), f.group, { id: 'f-group' });
  const apply = (e) => { e && e.preventDefault(); go('requests', { township: townSel.value, village: vilSel.value, ledger: ledSel.value, status: stSel.value, group: grSel.value }); };
  townSel.addEventListener('change', () => { vilSel.value = ''; apply(); });
  main.append(h('form', { class: 'toolbar filters', onsubmit: apply },
    field(t('common.township'), townSel), field(t('common.village'), vilSel), field(t('req.ledger'), ledSel),
    field(t('common.status'), stSel), field(t('req.group'), grSel), h('button', { type: 'submit' }, t('req.filter'))));
  const layout = h('div', { class: 'split' });
  const listBox = h('section', { class: 'card' });
  const side = h('section', { class: 'card', id: 'req-side' });
  layout.append(listBox, side);
  main.append(layout);
  const limit = 50;
  const offset = Number(f.offset) || 0;
  const res = await api('/requests' + qs({ township: me.role === 'township_coordinator' ? '' : f.township, village: f.village, ledger: f.ledger, status: f.status, group: f.group, limit, offset }));
  listBox.append(h('p', { class: 'muted' }, `${t('req.total')} ${res.total}`));
  const table = h('table', { class: 'list', id: 'req-list' },
    h('thead', {}, h('tr', {}, [t('req.id'), t('req.name'), t('common.village'), t('req.ledger'), t('common.status'), t('req.deadline')].map((x) => h('th', {}, x)))));
  const tb = h('tbody');
  for (const r of res.items) {
    const v = vmap.get(r.household.village_id) || {};
    tb.append(h('tr', {},
      h('td', {}, h('a', { href: '#', onclick: (e) => { e.preventDefault(); showRequest(side, r.id, tmap, vmap); } }, r.id)),
      h('td', {}, r.household.name, (r.groups || []).length ? h('span', { class: 'tag' }, t('grp.' + r.groups[0])) : ''),
      h('td', {}, v.short_name || r.household.village_id), h('td', {}, t('ledger.' + r.ledger)),
      h('td', {}, h('span', { class: 'tag status-' + r.status }, t('st.' + r.status))), h('td', {}, r.deadline || '')));
  }
  table.append(tb);
  listBox.append(h('div', { class: 'scroll' }, table));
  if (offset + limit < res.total) listBox.append(h('a', { href: '#', class: 'btn', onclick: (e) => { e.preventDefault(); go('requests', { ...f, offset: offset + limit }); } }, t('req.more')));
  if (params.get('id')) await showRequest(side, params.get('id'), tmap, vmap);
  else if (me.role !== 'team_member') await intake(side, villages, f.township || me.township_id);
}

async function showRequest(side, id, tmap, vmap) {
  clear(side);
  try {
    const [r, hist] = await Promise.all([api('/requests/' + encodeURIComponent(id)), api(`/requests/${encodeURIComponent(id)}/history`)]);
    const v = vmap.get(r.household.village_id) || {};
    side.append(h('h2', {}, r.id), h('p', {}, h('strong', {}, r.household.name), ' ', r.household.phone ? h('a', { href: 'tel:' + r.household.phone }, r.household.phone) : '',
      h('br'), `${(tmap.get(r.township_id) || {}).name || ''} ${v.short_name || ''} ${r.household.address || ''}`,
      h('br'), `${t('ledger.' + r.ledger)} · ${t('req.priority')} ${r.priority} · ${t('req.deadline')} ${r.deadline || '—'}`,
      h('br'), r.summary || ''));
    const ol = h('ol', { class: 'history', id: 'req-history' });
    for (const e of hist.items) ol.append(h('li', {}, h('time', {}, e.at.replace('T', ' ').slice(0, 16)), ` ${e.by}: ${e.from ? t('st.' + e.from) + ' → ' : ''}${t('st.' + e.to)}${e.note ? ' — ' + e.note : ''}`));
    side.append(h('h3', {}, t('req.history')), ol);
    if (r.duplicate_of) side.append(h('p', {}, t('req.mergedinto') + ' ', h('a', { href: '#/requests?id=' + encodeURIComponent(r.duplicate_of) }, r.duplicate_of)));
    if (ctx.me.role !== 'team_member') await actions(side, r);
    side.append(h('button', { type: 'button', onclick: () => go('requests', {}) }, t('common.close')));
  } catch (err) { showError(side, err); }
}

// actions offers withdraw / cancel (with a reason), reopen, and merging into
// a likely duplicate. Nothing is ever deleted: each action is a history entry.
async function actions(side, r) {
  const msg = h('div', { 'aria-live': 'polite' });
  // Re-render the page (list and side) even when the address stays the same.
  const done = (id) => {
    toast(t('req.saved'));
    const target = '#/requests?id=' + encodeURIComponent(id);
    if (location.hash === target) window.dispatchEvent(new HashChangeEvent('hashchange')); else location.hash = target;
  };
  const fail = (err) => { clear(msg); showError(msg, err); };
  const status = (to, note) => api(`/requests/${encodeURIComponent(r.id)}/status`, { method: 'POST', body: { version: r.version, to, note } });
  if (r.status === 'withdrawn' || r.status === 'cancelled') {
    side.append(h('button', { type: 'button', id: 'req-reopen', onclick: () => status('pending', t('req.reopened')).then(() => done(r.id), fail) }, t('req.reopen')), msg);
    return;
  }
  if (CLOSED.includes(r.status)) return;
  const reason = h('input', { id: 'req-reason', maxlength: 200 });
  const act = (to) => () => {
    if (!reason.value.trim()) { fail(new Error(t('req.needreason'))); reason.focus(); return; }
    status(to, reason.value.trim()).then(() => done(r.id), fail);
  };
  side.append(h('h3', {}, t('req.close')), h('div', { class: 'stack' }, field(t('req.reason'), reason),
    h('div', { class: 'toolbar' },
      h('button', { type: 'button', id: 'req-withdraw', onclick: act('withdrawn') }, t('req.withdraw')),
      h('button', { type: 'button', id: 'req-cancel', onclick: act('cancelled') }, t('req.cancel')))));
  if (r.status === 'done') { side.append(msg); return; }
  const dups = await api(`/requests/${encodeURIComponent(r.id)}/duplicates`);
  const ul = h('ul', { id: 'req-dups' });
  for (const c of dups.items) {
    ul.append(h('li', {}, h('a', { href: '#/requests?id=' + encodeURIComponent(c.request.id) }, c.request.id), ` ${c.request.household.name} · `,
      c.reasons.map((x) => t('dup.' + x)).join('、'), ' ',
      h('button', { type: 'button', class: 'merge', onclick: () => api(`/requests/${encodeURIComponent(r.id)}/merge`, { method: 'POST',
        body: { version: r.version, into: c.request.id, into_version: c.request.version, reason: reason.value.trim() || undefined } })
        .then((res) => done(res.kept.id), fail) }, t('req.mergeinto'))));
  }
  side.append(h('h3', {}, t('req.dups')), dups.items.length ? ul : h('p', { class: 'muted' }, t('req.nodups')), msg);
}

async function intake(side, villages, township) {
  const items = await ref('service-items');
  const vil = select(villages.filter((v) => !township || v.township_id === township).map((v) => [v.id, v.short_name || v.name]), '', { id: 'in-village', required: true });
  const name = h('input', { id: 'in-name', required: true, maxlength: 40 });
  const phone = h('input', { id: 'in-phone', type: 'tel', inputmode: 'tel', pattern: '1[0-9]{10}|0[0-9]{9,11}' });
  const address = h('input', { id: 'in-address', maxlength: 80 });
  const ledger = select(LEDGERS.map((x) => [x, t('ledger.' + x)]), 'proxy', { id: 'in-ledger' });
  const item = select(items.map((i) => [i.id, i.name]), '', { id: 'in-item' });
  const prio = select([1, 2, 3, 4, 5].map((x) => [String(x), String(x)]), '1', { id: 'in-priority' });
  const deadline = h('input', { type: 'date', id: 'in-deadline', min: today(), value: addDays(today(), 14) });
  const summary = h('textarea', { id: 'in-summary', rows: 2, maxlength: 200 });
  const groups = h('fieldset', { class: 'checks' }, h('legend', {}, t('req.group')),
    GROUPS.map((g) => h('label', {}, h('input', { type: 'checkbox', value: g }), t('grp.' + g))));
  const msg = h('div');
  side.append(h('h2', {}, t('req.new')), h('form', { class: 'stack', id: 'intake', onsubmit: async (e) => {
    e.preventDefault(); clear(msg);
    const body = { ledger: ledger.value, household: { name: name.value.trim(), phone: phone.value.trim() || undefined, village_id: vil.value, address: address.value.trim() || undefined },
      groups: [...groups.querySelectorAll('input:checked')].map((x) => x.value), item_ids: [item.value], priority: Number(prio.value),
      deadline: deadline.value || undefined, summary: summary.value.trim() || undefined };
    try { const r = await api('/requests', { method: 'POST', body }); toast(t('req.created') + ' ' + r.id); go('requests', { id: r.id }); }
    catch (err) { showError(msg, err); }
  } }, field(t('common.village'), vil), field(t('req.name'), name), field(t('req.phone') + t('common.optional'), phone), field(t('req.address'), address),
  field(t('req.ledger'), ledger), field(t('req.items'), item), groups, field(t('req.priority'), prio), field(t('req.deadline'), deadline),
  field(t('req.summary'), summary), h('button', { type: 'submit', class: 'primary' }, t('common.save')), msg));
}
