// 巡回队员: the team member's offline-first field app (issue 19). Everything it
// needs is kept in IndexedDB: the device token, the synced week and an outbox of
// outcomes, each with its own Idempotency-Key, sent when the network is there.
const $ = (s) => document.querySelector(s);
const UNDO_MS = 5 * 60 * 1000; // undo window for a recorded outcome
const GRACE_MS = 8 * 1000; // an outcome waits this long before it is sent (undo while online)

// ---- text: Chinese first, English switchable; no raw codes on screen ----
const T = {
  zh: {
    title: '巡回队员', signin: '登录', code: '登录码（8位，由计划员发放）', device: '设备名称（可选）', signinBtn: '登录',
    badCode: '登录码无效、已使用或已过期，请向计划员重新索取', synced: '上次同步', never: '尚未同步', online: '在线', offline: '离线',
    queued: '条待上传', sync: '立即同步', next: '下一站', stop: '第{n}站', navigate: '在地图中打开', households: '户',
    done: '已办结', nobody_home: '无人在家', follow_up: '需跟进', note: '备注（可选）', record: '记录',
    recorded: '已记录', pending: '待上传', sent: '已上传', undo: '撤销', noStops: '这一天没有走访安排。', noPlan: '这一天没有已发布的计划。',
    changedNote: '自上次同步以来有变化', removedNote: '自上次同步以来取消 {n} 户', conflictMoved: '计划已调整：该户已改到 {date} 第{seq}站（{village}），请在新站点重新记录',
    conflictGone: '计划已调整：该户已不在本周已发布的计划中', conflictOther: '未能上传：{msg}', signout: '退出登录',
    items: '事项', phone: '电话', minutes: '分钟', leave: '出发', back: '返回', members: '队员', allDone: '今天的走访都已记录。',
    err_unauthorized: '登录已失效，请重新登录', err_not_found: '该走访已不在已发布的计划中', err_conflict: '状态已变化，不能重复记录',
    err_invalid: '输入有误', err_rate_limited: '请求过于频繁，请稍后再试', err_unavailable: '服务器暂不可用', err_network: '网络不可用，稍后自动重试',
    ledger_proxy: '代办事项', ledger_appeal: '民生诉求', ledger_hardship: '困难问题',
    status_pending: '待安排', status_planned: '已安排', status_done: '已办结', status_failed: '未办成', status_follow_up: '需跟进',
    conflicts: '未能上传的记录', dismiss: '知道了',
    lang: 'English',
  },
  en: {
    title: 'Field team', signin: 'Sign in', code: 'Sign-in code (8 characters, from your planner)', device: 'Device name (optional)', signinBtn: 'Sign in',
    badCode: 'Unknown, used or expired code: ask your planner for a new one', synced: 'Last synced', never: 'Not synced yet', online: 'online', offline: 'offline',
    queued: 'waiting to upload', sync: 'Sync now', next: 'Next stop', stop: 'Stop {n}', navigate: 'Open in map app', households: 'households',
    done: 'Done', nobody_home: 'Nobody home', follow_up: 'Follow up', note: 'Note (optional)', record: 'Record',
    recorded: 'Recorded', pending: 'waiting to upload', sent: 'uploaded', undo: 'Undo', noStops: 'No visits on this day.', noPlan: 'No published plan covers this day.',
    changedNote: 'changed since the last sync', removedNote: '{n} visit(s) taken off since the last sync', conflictMoved: 'Plan changed: this household moved to {date} stop {seq} ({village}); record it there',
    conflictGone: 'Plan changed: this household is no longer in this week\'s published plan', conflictOther: 'Not uploaded: {msg}', signout: 'Sign out',
    items: 'Items', phone: 'Phone', minutes: 'min', leave: 'Leave', back: 'Back', members: 'Team', allDone: 'All of today\'s visits are recorded.',
    err_unauthorized: 'Signed out: sign in again', err_not_found: 'This visit is no longer in a published plan', err_conflict: 'The status changed: cannot record again',
    err_invalid: 'Invalid input', err_rate_limited: 'Too many requests: try again later', err_unavailable: 'Server unavailable', err_network: 'No network: will retry',
    ledger_proxy: 'Proxy item', ledger_appeal: 'Livelihood appeal', ledger_hardship: 'Hardship case',
    status_pending: 'pending', status_planned: 'planned', status_done: 'done', status_failed: 'not done', status_follow_up: 'follow-up',
    conflicts: 'Records not uploaded', dismiss: 'Dismiss',
    lang: '中文',
  },
};
let lang = 'zh';
const t = (k, vars = {}) => (T[lang][k] || T.zh[k] || k).replace(/\{(\w+)\}/g, (_, v) => vars[v] ?? '');
const errText = (code) => (T[lang]['err_' + code] ? t('err_' + code) : t('err_invalid'));

// ---- IndexedDB: kv (token, user, week, synced_at, seen) and outbox ----
let dbp;
function db() {
  dbp ??= new Promise((res, rej) => {
    const r = indexedDB.open('xh-field', 1);
    r.onupgradeneeded = () => { r.result.createObjectStore('kv'); r.result.createObjectStore('outbox', { keyPath: 'id' }); };
    r.onsuccess = () => res(r.result);
    r.onerror = () => rej(r.error);
  });
  return dbp;
}
async function tx(store, mode, fn) {
  const d = await db();
  return new Promise((res, rej) => {
    const x = d.transaction(store, mode);
    const out = fn(x.objectStore(store));
    x.oncomplete = () => res(out && 'result' in out ? out.result : undefined);
    x.onerror = () => rej(x.error);
  });
}
const kvGet = (k) => tx('kv', 'readonly', (s) => s.get(k));
const kvSet = (k, v) => tx('kv', 'readwrite', (s) => s.put(v, k));
const outbox = () => tx('outbox', 'readonly', (s) => s.getAll());
const outPut = (it) => tx('outbox', 'readwrite', (s) => s.put(it));
const outDel = (id) => tx('outbox', 'readwrite', (s) => s.delete(id));

// ---- state ----
const st = { token: '', user: null, week: null, syncedAt: null, seen: null, changed: new Set(), removed: 0, day: '', items: [] };

function el(tag, attrs = {}, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') e.className = v; else if (k.startsWith('on')) e.addEventListener(k.slice(2), v); else if (v !== false && v != null) e.setAttribute(k, v === true ? '' : v);
  }
  for (const k of kids.flat()) if (k != null && k !== false) e.append(k.nodeType ? k : String(k));
  return e;
}

// ---- API ----
class ApiError extends Error { constructor(status, code, msg) { super(msg); this.status = status; this.code = code; } }
async function call(path, { method = 'GET', body, headers = {} } = {}) {
  const h = { ...headers };
  if (st.token) h.Authorization = 'Bearer ' + st.token;
  if (body !== undefined) h['Content-Type'] = 'application/json';
  let res;
  try {
    res = await fetch('/api/v1' + path, { method, headers: h, body: body === undefined ? undefined : JSON.stringify(body), cache: 'no-store' });
  } catch { throw new ApiError(0, 'network', 'network'); }
  if (res.status === 304) return { notModified: true, res };
  let b = null;
  try { b = await res.json(); } catch { /* empty */ }
  if (!res.ok) { const e = (b && b.error) || {}; throw new ApiError(res.status, e.code || 'invalid', e.message || ''); }
  return { body: b, res };
}

// ---- sign-in ----
function showSignin(msg) {
  const code = el('input', { id: 'code', name: 'code', autocomplete: 'one-time-code', autocapitalize: 'characters', required: true, inputmode: 'text' });
  const dev = el('input', { id: 'device', name: 'device', maxlength: '60' });
  const err = el('p', { id: 'signin-error', class: 'err', role: 'alert' }, msg || '');
  const form = el('form', { id: 'signin', onsubmit: async (ev) => {
    ev.preventDefault();
    err.textContent = '';
    try {
      const { body } = await call('/auth/code', { method: 'POST', body: { code: code.value, device: dev.value } });
      st.token = body.token; st.user = body.user;
      await kvSet('token', body.token); await kvSet('user', body.user); await kvSet('expires_at', body.expires_at);
      await sync();
    } catch (e) { err.textContent = e.code === 'unauthorized' ? t('badCode') : errText(e.code); }
  } },
  el('h2', {}, t('signin')), el('label', { for: 'code' }, t('code')), code, el('label', { for: 'device' }, t('device')), dev,
  el('p', {}, el('button', { type: 'submit', class: 'primary' }, t('signinBtn'))), err);
  $('#main').replaceChildren(form);
  $('#main').dataset.ready = 'signin';
  renderStatus();
}

// ---- sync: one request for the week; 304 when nothing changed ----
async function sync() {
  if (!st.token || !st.user) return showSignin();
  const etag = await kvGet('week_etag');
  try {
    const r = await call(`/teams/${encodeURIComponent(st.user.team_id)}/week?days=7`, { headers: etag && st.week ? { 'If-None-Match': etag } : {} });
    if (!r.notModified) {
      const prev = st.week;
      st.week = r.body;
      await kvSet('week', st.week);
      await kvSet('week_etag', r.res.headers.get('ETag') || '');
      // Changes since the last sync: the server's (added or moved visits,
      // visits taken off), else household visits not in the previous week.
      const keys = visitKeys(st.week);
      const ch = st.week.changes;
      if (ch) {
        const hit = new Set([...ch.added, ...ch.moved.map((m) => m.to)].map((v) => v.date + '|' + v.request_id));
        st.changed = new Set();
        for (const d of st.week.days || []) for (const sp of d.stops || []) for (const h of sp.households || []) {
          if (hit.has(d.date + '|' + h.request_id)) st.changed.add(sp.visit_id + '|' + h.request_id);
        }
        st.removed = ch.removed.length;
      } else {
        st.changed = prev ? new Set([...keys].filter((k) => !visitKeys(prev).has(k))) : new Set();
        st.removed = 0;
      }
      await kvSet('changed', [...st.changed]);
      await kvSet('removed', st.removed);
    }
    st.syncedAt = new Date().toISOString();
    await kvSet('synced_at', st.syncedAt);
    await maybeRenew();
  } catch (e) {
    if (e.code === 'unauthorized') { await signOut(t('err_unauthorized')); return; }
  }
  await flush();
  render();
}
function visitKeys(w) {
  const s = new Set();
  for (const d of w.days || []) for (const sp of d.stops || []) for (const h of sp.households || []) s.add(sp.visit_id + '|' + h.request_id);
  return s;
}
async function maybeRenew() {
  const exp = await kvGet('expires_at');
  if (!exp || new Date(exp) - Date.now() > 7 * 86400e3) return;
  const { body } = await call('/auth/renew', { method: 'POST' });
  st.token = body.token;
  await kvSet('token', body.token); await kvSet('expires_at', body.expires_at);
}
async function signOut(msg) {
  st.token = ''; st.user = null;
  await kvSet('token', ''); await kvSet('user', null);
  showSignin(msg);
}

// ---- outbox: every outcome carries its own Idempotency-Key; the server applies each key once ----
let flushing = false;
async function flush() {
  if (flushing || !st.token) return;
  flushing = true;
  try {
    for (const it of await outbox()) {
      if (it.state !== 'queued' || Date.now() - it.at < GRACE_MS) continue;
      try {
        await call(`/visits/${encodeURIComponent(it.visit_id)}/outcome`, { method: 'POST', headers: { 'Idempotency-Key': it.id },
          body: { outcome: it.outcome, note: it.note || undefined, request_ids: [it.request_id] } });
        it.state = 'sent';
      } catch (e) {
        if (e.code === 'network' || e.status >= 500 || e.status === 429) break; // retry later
        if (e.code === 'unauthorized') { await signOut(t('err_unauthorized')); return; }
        it.state = 'conflict';
        it.message = await conflictText(it, e);
      }
      await outPut(it);
    }
  } finally { flushing = false; }
  st.items = await outbox();
  render();
}
// conflictText says what happened to a queued item the server refused: after a
// re-plan the household may be at another stop, or off the plan.
async function conflictText(it, e) {
  try {
    const r = await call(`/teams/${encodeURIComponent(st.user.team_id)}/week?days=7`);
    st.week = r.body; await kvSet('week', st.week);
  } catch { /* keep the old week */ }
  for (const d of st.week?.days || []) for (const sp of d.stops || []) {
    if (sp.visit_id !== it.visit_id && (sp.households || []).some((h) => h.request_id === it.request_id)) {
      return t('conflictMoved', { date: d.date, seq: sp.seq, village: sp.village });
    }
  }
  if (e.status === 404) return t('conflictGone');
  return t('conflictOther', { msg: errText(e.code) });
}
async function record(sp, h, outcome, note) {
  const id = (crypto.randomUUID && crypto.randomUUID()) || String(Date.now()) + Math.random().toString(16).slice(2);
  await outPut({ id, visit_id: sp.visit_id, request_id: h.request_id, name: h.name, outcome, note, at: Date.now(), state: 'queued' });
  st.items = await outbox();
  render();
  setTimeout(flush, GRACE_MS + 100);
}
async function undo(it) {
  await outDel(it.id);
  st.items = await outbox();
  render();
}

// ---- rendering ----
function renderStatus() {
  const on = navigator.onLine;
  const q = st.items.filter((i) => i.state === 'queued').length;
  const s = $('#status');
  s.className = 'status' + (on ? '' : ' offline');
  s.replaceChildren(`${on ? t('online') : t('offline')} · ${t('synced')}: ${st.syncedAt ? new Date(st.syncedAt).toLocaleString(lang === 'zh' ? 'zh-CN' : 'en-GB', { hour12: false }) : t('never')}`,
    q ? el('span', { id: 'queue', class: 'queued' }, ` · ${q} ${t('queued')}`) : '',
    st.removed ? el('span', { id: 'removed' }, ' · ' + t('removedNote').replace('{n}', st.removed)) : '');
  $('#title').textContent = t('title');
  $('#lang').textContent = t('lang');
}
function itemFor(sp, h) {
  const its = st.items.filter((i) => i.visit_id === sp.visit_id && i.request_id === h.request_id);
  return its[its.length - 1];
}
function geoLink(sp) {
  const { lat, lon } = sp.location;
  return `geo:${lat},${lon}?q=${lat},${lon}(${encodeURIComponent(sp.village || '')})`;
}
function household(sp, h) {
  const it = itemFor(sp, h);
  const key = sp.visit_id + '|' + h.request_id;
  const box = el('div', { class: 'hh' + (st.changed.has(key) ? ' changed' : ''), 'data-request': h.request_id });
  box.append(el('div', { class: 'name' }, h.name, el('span', { class: 'tag' }, t('ledger_' + h.ledger)),
    st.changed.has(key) ? el('span', { class: 'tag' }, t('changedNote')) : ''));
  box.append(el('div', { class: 'muted' }, `${t('items')}: ${(h.items || []).map((i) => i.name).join('、')}`,
    h.phone ? [' · ', el('a', { href: 'tel:' + h.phone }, `${t('phone')} ${h.phone}`)] : ''));
  if (it) {
    const cls = it.state === 'conflict' ? 'conflict' : it.state === 'sent' ? 'done' : 'queued';
    const line = el('p', { class: cls, 'data-state': it.state }, `${t('recorded')}: ${t(it.outcome)}${it.note ? '（' + it.note + '）' : ''} · `,
      it.state === 'conflict' ? it.message : it.state === 'sent' ? t('sent') : t('pending'));
    box.append(line);
    if (it.state === 'queued' && Date.now() - it.at < UNDO_MS) box.append(el('button', { type: 'button', onclick: () => undo(it) }, t('undo')));
    return box;
  }
  if (h.status === 'done' || h.status === 'failed' || h.status === 'follow_up') {
    box.append(el('p', { class: 'done' }, t('status_' + h.status)));
    return box;
  }
  const noteId = 'note-' + sp.visit_id.replace(/[^A-Za-z0-9_-]/g, '_') + '-' + h.request_id;
  const note = el('textarea', { id: noteId, rows: '2', maxlength: '400' });
  box.append(el('label', { for: noteId }, t('note')), note,
    el('div', { class: 'row' }, ['done', 'nobody_home', 'follow_up'].map((o) => el('button', { type: 'button', 'data-outcome': o,
      onclick: () => record(sp, h, o, note.value.trim()) }, t(o)))));
  return box;
}
function stopCard(sp, next) {
  return el('section', { class: 'card' + (next ? ' next' : ''), 'aria-label': next ? t('next') : t('stop', { n: sp.seq }) },
    el(next ? 'h2' : 'h3', {}, next ? `${t('next')} · ` : '', `${t('stop', { n: sp.seq })} ${sp.village} · ${sp.arrival}–${sp.depart}`),
    el('p', {}, el('a', { href: geoLink(sp), class: 'nav' }, t('navigate')), ` · ${sp.households.length} ${t('households')}`),
    sp.households.map((h) => household(sp, h)));
}
function render() {
  renderStatus();
  if (!st.week) return;
  const days = st.week.days || [];
  if (!days.find((d) => d.date === st.day)) {
    const today = new Date().toISOString().slice(0, 10);
    st.day = (days.find((d) => d.date >= today && d.stops.length) || days.find((d) => d.stops.length) || days[0] || {}).date || '';
  }
  const day = days.find((d) => d.date === st.day);
  const tabs = el('nav', { class: 'days', 'aria-label': 'days' }, days.map((d) => el('button', { type: 'button', 'aria-pressed': String(d.date === st.day),
    'data-date': d.date, onclick: () => { st.day = d.date; kvSet('day', d.date); render(); } }, d.date.slice(5), d.stops.length ? ` (${d.stops.length})` : '')));
  const main = $('#main');
  const out = [];
  // Queued items the server refused whose visit left the plan: what happened to each.
  const shown = visitKeys(st.week);
  const lost = st.items.filter((i) => i.state === 'conflict' && !shown.has(i.visit_id + '|' + i.request_id));
  if (lost.length) {
    out.push(el('section', { class: 'card', 'aria-label': t('conflicts') }, el('h2', {}, t('conflicts')),
      lost.map((i) => el('div', { class: 'hh', 'data-request': i.request_id },
        el('div', { class: 'name' }, i.name), el('p', { class: 'conflict', 'data-state': 'conflict' }, `${t(i.outcome)} · ${i.message}`),
        el('button', { type: 'button', onclick: () => undo(i) }, t('dismiss'))))));
  }
  out.push(tabs);
  if (!day || !day.plan_id) out.push(el('p', {}, t('noPlan')));
  else if (!day.stops.length) out.push(el('p', {}, t('noStops')));
  else {
    out.push(el('p', { class: 'muted' }, `${t('members')}: ${day.members.map((m) => m.name).join('、')} · ${t('leave')} ${day.leave_at} · ${t('back')} ${day.back_at}`));
    const open = (sp) => sp.households.some((h) => !itemFor(sp, h) && !['done', 'failed', 'follow_up'].includes(h.status));
    const next = day.stops.find(open);
    if (next) out.push(stopCard(next, true)); else out.push(el('p', { class: 'done' }, t('allDone')));
    for (const sp of day.stops) if (sp !== next) out.push(stopCard(sp, false));
  }
  out.push(el('div', { class: 'row' }, el('button', { type: 'button', id: 'sync', onclick: () => sync() }, t('sync')),
    el('button', { type: 'button', id: 'signout', onclick: () => signOut() }, t('signout'))));
  main.replaceChildren(...out);
  main.dataset.ready = 'day';
}

// ---- start ----
async function start() {
  lang = (await kvGet('lang')) || 'zh';
  document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
  $('#lang').addEventListener('click', async () => { lang = lang === 'zh' ? 'en' : 'zh'; document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en'; await kvSet('lang', lang); st.user ? render() : showSignin(); });
  st.token = (await kvGet('token')) || '';
  st.user = (await kvGet('user')) || null;
  st.week = (await kvGet('week')) || null;
  st.syncedAt = (await kvGet('synced_at')) || null;
  st.changed = new Set((await kvGet('changed')) || []);
  st.removed = (await kvGet('removed')) || 0;
  st.day = (await kvGet('day')) || '';
  st.items = await outbox();
  // A QR code from the planner opens /field/#code=ABCD-EFGH: sign in with it
  // (the fragment never reaches a server) and drop it from the address.
  const qr = /^#code=([A-Za-z0-9-]{8,12})$/.exec(location.hash);
  if (qr) {
    history.replaceState(null, '', location.pathname + location.search);
    showSignin();
    $('#code').value = qr[1];
    $('#signin').requestSubmit();
    return;
  }
  if (!st.token || !st.user) return showSignin();
  render(); // the stored week first: usable offline at once
  if (navigator.onLine) sync();
}
window.addEventListener('online', () => { renderStatus(); sync(); });
window.addEventListener('offline', renderStatus);
setInterval(() => { if (navigator.onLine) flush(); }, 15000);
if ('serviceWorker' in navigator) navigator.serviceWorker.register('/field/sw.js', { scope: '/field/' });
start();
