// Browser test of the field app (/field/), driven by web/e2e_field_test.go: real
// Chromium at 360×740 with the service worker on. Sign in with a one-time code,
// sync, go offline, reload, record three outcomes and a note, close and reopen
// offline (still queued), go online with the first upload's answer lost (the
// server applied it; the app retries with the same Idempotency-Key), check the
// server holds exactly three outcomes, then a conflict after a re-plan; axe,
// installability and the transfer budget. Figures go to $XH_REPORT (JSON).
import { chromium } from 'playwright-core';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const env = (k) => { const v = process.env[k]; if (!v) throw new Error(`missing env ${k}`); return v; };
const BASE = env('XH_BASE');
const CODE = env('XH_CODE');
const DAY = env('XH_DATE');
const PLANNER = env('XH_PLANNER_TOKEN');
const MEMBER_ID = env('XH_MEMBER_ID');
const PLAN = env('XH_PLAN_ID');
const HERE = dirname(fileURLToPath(import.meta.url));
const SHOTS = process.env.XH_SHOTS || join(HERE, 'screenshots');
mkdirSync(SHOTS, { recursive: true });
const failures = [];
const report = {};
function check(cond, msg) { if (!cond) { failures.push(msg); console.error('FAIL: ' + msg); } else console.log('ok: ' + msg); }

async function api(path, { method = 'GET', body } = {}) {
  const res = await fetch(BASE + '/api/v1' + path, { method, headers: { Authorization: 'Bearer ' + PLANNER, 'Content-Type': 'application/json' }, body: body ? JSON.stringify(body) : undefined });
  if (!res.ok) throw new Error(`${method} ${path}: HTTP ${res.status} ${await res.text()}`);
  return res.json();
}

const browser = await chromium.launch({
  executablePath: process.env.XH_CHROMIUM || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  headless: true,
});
const context = await browser.newContext({ viewport: { width: 360, height: 740 }, locale: 'zh-CN', serviceWorkers: 'allow' });
context.setDefaultTimeout(30000);
const watch = (page, who) => {
  page.on('pageerror', (e) => check(false, `${who}: page error: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error' && !/Failed to load resource|net::ERR_/.test(m.text())) check(false, `${who}: console error: ${m.text()}`); });
};
const ready = (page, name) => page.waitForSelector(`main[data-ready="${name}"]`);
// transfer sums the bytes a page load takes from the network (CDP encodedDataLength; service-worker and cache hits count 0).
async function transfer(page, load) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  let bytes = 0;
  const fromSW = new Set();
  cdp.on('Network.responseReceived', (e) => { if (e.response.fromServiceWorker || e.response.fromDiskCache) fromSW.add(e.requestId); });
  cdp.on('Network.loadingFinished', (e) => { if (!fromSW.has(e.requestId)) bytes += e.encodedDataLength; });
  await load();
  await page.waitForTimeout(300);
  await cdp.detach();
  return bytes;
}

// 1. First load and sign-in with the one-time code.
let page = await context.newPage();
watch(page, 'field');
const first = await transfer(page, async () => {
  await page.goto(BASE + '/field/');
  await ready(page, 'signin');
  await page.fill('#code', CODE.toLowerCase().replace('-', ' '));
  await page.fill('#device', '测试手机');
  await page.click('#signin button[type=submit]');
  await ready(page, 'day');
});
report.first_load_bytes = first;
check(first <= 60 * 1024, `first load incl. sign-in and sync transfers ${first} B (≤ 60 KB)`);
await page.screenshot({ path: join(SHOTS, 'field-day-360.png') });
// The service worker controls the page (after one reload at most).
await page.waitForFunction(() => navigator.serviceWorker.ready.then(() => true));
if (!(await page.evaluate(() => !!navigator.serviceWorker.controller))) { await page.reload(); await ready(page, 'day'); }
check(await page.evaluate(() => !!navigator.serviceWorker.controller), 'the service worker controls the page');
// Installability: the manifest's fields and icons, served with the right type.
const man = await page.evaluate(async () => { const l = document.querySelector('link[rel=manifest]'); const r = await fetch(l.href); return { type: r.headers.get('Content-Type'), m: await r.json() }; });
check(/manifest\+json/.test(man.type) && man.m.name && man.m.short_name && man.m.start_url === '/field/' && man.m.display === 'standalone' &&
  man.m.icons.some((i) => i.sizes === '192x192') && man.m.icons.some((i) => i.sizes === '512x512'), 'manifest has name, short_name, start_url, display standalone, 192 and 512 icons');
for (const i of man.m.icons) { const r = await page.request.get(BASE + i.src); check(r.ok() && r.headers()['content-type'] === 'image/png', `icon ${i.src} is a PNG`); }
report.installable = true;
check(await page.isVisible('text=上次同步'), 'last synced is shown');

// Repeat load: from the service worker, only a 304 for the week. Counted on the
// context (requests the service worker passes to the network included).
async function wire(load) {
  let bytes = 0;
  const seen = [];
  const on = async (req) => {
    const res = await req.response();
    if (!res || res.fromServiceWorker()) return;
    const sz = await req.sizes();
    bytes += sz.responseBodySize + sz.responseHeadersSize;
    seen.push(`${res.status()} ${req.url().replace(BASE, '')} ${sz.responseBodySize + sz.responseHeadersSize}`);
  };
  context.on('requestfinished', on);
  await load();
  context.off('requestfinished', on);
  console.log('repeat load requests: ' + (seen.join(', ') || 'none'));
  return bytes;
}
let repeat = await wire(async () => { await page.reload(); await ready(page, 'day'); await page.waitForTimeout(1500); });
// Cross-check with the page's own resource timing (transferSize: bytes from the network, headers included).
const timing = await page.evaluate(() => [...performance.getEntriesByType('navigation'), ...performance.getEntriesByType('resource')]
  .map((e) => [e.name.replace(location.origin, ''), e.transferSize, e.encodedBodySize]));
console.log('repeat load resource timing: ' + JSON.stringify(timing));
repeat = Math.max(repeat, timing.reduce((a, e) => a + (e[1] || 0), 0));
report.repeat_load_bytes = repeat;
check(repeat <= 5 * 1024, `repeat load transfers ${repeat} B (≤ 5 KB)`);

// Usable within 2 s on emulated slow 3G (repeat open: the day comes from the device).
{
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 2000, downloadThroughput: 50 * 1024, uploadThroughput: 50 * 1024 });
  const t0 = Date.now();
  await page.reload({ waitUntil: 'commit' });
  await ready(page, 'day');
  report.slow3g_repeat_usable_ms = Date.now() - t0;
  check(report.slow3g_repeat_usable_ms <= 2000, `day usable after ${report.slow3g_repeat_usable_ms} ms on slow 3G (≤ 2 s)`);
  await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
  await cdp.detach();
}

// 2. Offline: reload, the day is there.
await page.click(`button[data-date="${DAY}"]`);
await context.setOffline(true);
await page.reload();
await ready(page, 'day');
await page.click(`button[data-date="${DAY}"]`);
check(await page.isVisible('.card.next'), 'offline after reload: the day with its next stop is shown');
check(await page.isVisible('.card.next a[href^="geo:"]'), 'the next stop links to the map app (geo: URI)');

// 3. Three outcomes and a note, offline.
const households = await page.$$eval('.hh[data-request]', (xs) => xs.map((x) => x.dataset.request));
check(households.length >= 4, `the day has ${households.length} households (≥ 4)`);
const picked = households.slice(0, 3);
const outcomes = ['done', 'nobody_home', 'follow_up'];
for (let i = 0; i < 3; i++) {
  const hh = page.locator(`.hh[data-request="${picked[i]}"]`).first();
  if (i === 2) await hh.locator('textarea').fill('下周带户口本再来');
  await hh.locator(`button[data-outcome="${outcomes[i]}"]`).click();
}
await page.waitForSelector('#queue');
// The queue count is updated after IndexedDB answers: wait for it (bounded) instead of reading at once.
const queueShows = (n) => page.waitForFunction((k) => (document.querySelector('#queue')?.textContent || '').includes(k), String(n), { timeout: 10000 }).then(() => true, () => false);
check(await queueShows(3), 'three outcomes queued');
// Undo within the window, then record again.
await page.locator(`.hh[data-request="${picked[0]}"] button:has-text("撤销")`).click();
check(await queueShows(2), 'undo takes an outcome out of the queue');
await page.locator(`.hh[data-request="${picked[0]}"] button[data-outcome="done"]`).click();
check(await queueShows(3), 'recorded again after undo: three outcomes queued');
await page.screenshot({ path: join(SHOTS, 'field-offline-queued-360.png') });

// 4. Close and reopen offline: still queued.
await page.close();
page = await context.newPage();
watch(page, 'field-reopened');
await page.goto(BASE + '/field/');
await ready(page, 'day');
check(await queueShows(3), 'reopened offline: three outcomes still queued');
check(await page.getAttribute(`button[data-date="${DAY}"]`, 'aria-pressed') === 'true', 'reopened on the day last shown');

// 5. Online, with the first upload's answer lost after the server applied it.
let cut = 0;
await context.route('**/api/v1/visits/*/outcome', async (route) => {
  if (cut++ === 0) { await route.fetch(); await route.abort('failed'); return; } // applied, answer lost
  await route.continue();
});
await context.setOffline(false);
await page.evaluate(() => window.dispatchEvent(new Event('online')));
await page.waitForTimeout(9500); // the grace before sending (undo window while online)
for (let i = 0; i < 20 && (await page.$$('[data-state="sent"]')).length < 3; i++) {
  await page.click('#sync');
  await page.waitForTimeout(700);
}
check((await page.$$('[data-state="sent"]')).length === 3, 'online: all three outcomes uploaded');
check(cut >= 4, `the interrupted upload was retried (${cut} outcome POSTs)`);
await page.screenshot({ path: join(SHOTS, 'field-synced-360.png') });

// 6. The server holds exactly three outcomes by the member (no duplicate).
let recorded = 0;
for (const id of picked) {
  const h = await api(`/requests/${id}/history`);
  const mine = h.items.filter((x) => x.by === MEMBER_ID && ['done', 'failed', 'follow_up'].includes(x.to));
  check(mine.length === 1, `request ${id}: ${mine.length} outcome(s) by the member (want 1)`);
  recorded += mine.length;
}
report.server_outcomes = recorded;
check(recorded === 3, `server shows ${recorded} outcomes (want exactly 3)`);

// 7. A conflict: offline, record a fourth household; meanwhile the plan is re-planned and republished.
await context.setOffline(true);
const fourth = households[3];
await page.locator(`.hh[data-request="${fourth}"] button[data-outcome="done"]`).click();
const rp = await api(`/circuit-plans/${PLAN}/replan`, { method: 'POST', body: {} });
let v = rp;
for (let i = 0; i < 200 && !['done', 'failed'].includes(v.status); i++) { await new Promise((r) => setTimeout(r, 300)); v = await api('/circuit-plans/' + rp.id); }
check(v.status === 'done', `re-plan ${rp.id} finished (${v.status})`);
await api(`/circuit-plans/${rp.id}/publish`, { method: 'POST', body: { supersedes: PLAN } });
await context.setOffline(false);
await page.evaluate(() => window.dispatchEvent(new Event('online')));
await page.waitForTimeout(9500);
for (let i = 0; i < 20 && !(await page.$('[data-state="conflict"]')); i++) { await page.click('#sync'); await page.waitForTimeout(700); }
const conflict = await page.$('[data-state="conflict"]');
check(!!conflict, 'the queued outcome of a visit moved by the re-plan is shown as a conflict');
if (conflict) {
  const txt = await conflict.textContent();
  report.conflict_text = txt;
  check(/计划已调整/.test(txt) && !/not_found|conflict|invalid/.test(txt), `conflict explained in Chinese: ${txt}`);
}
await page.screenshot({ path: join(SHOTS, 'field-conflict-360.png') });

// 8. axe: no violations on the field pages (sign-in and day); axe is injected over CDP, not through the page's CSP.
const axeSrc = readFileSync(join(HERE, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');
async function axe(p, name) {
  await p.evaluate(axeSrc);
  const r = await p.evaluate(() => window.axe.run(document, { runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] }));
  const v = r.violations.map((x) => `${x.id} (${x.nodes.length}): ${x.nodes.slice(0, 2).map((n) => n.target.join(' ')).join(', ')}`);
  check(v.length === 0, `axe on ${name}: ${v.length ? v.join('; ') : 'no violations'}`);
}
await axe(page, 'the day page');
const signin = await (await browser.newContext({ viewport: { width: 360, height: 740 }, locale: 'zh-CN' })).newPage();
await signin.goto(BASE + '/field/');
await ready(signin, 'signin');
await axe(signin, 'the sign-in page');
await signin.screenshot({ path: join(SHOTS, 'field-signin-360.png') });

await browser.close();
if (process.env.XH_REPORT) writeFileSync(process.env.XH_REPORT, JSON.stringify(report, null, 2));
console.log(JSON.stringify(report));
if (failures.length) { console.error(`${failures.length} failure(s)`); process.exit(1); }
console.log('field browser test passed');
