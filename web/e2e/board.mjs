// Browser test of the planner's workbench at county scale, driven by web/e2e_board_test.go (a server
// seeded with a 900-request week): plan the week with progress from the run's events, measure the
// first render of the timeline board, check the filters and the search against the API's own data,
// publish through the confirmation that shows the diff, and run axe on the pages at 1280 and 360 px.
// Figures go to $XH_REPORT (JSON).
import { chromium } from 'playwright-core';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const env = (k) => { const v = process.env[k]; if (!v) throw new Error(`missing env ${k}`); return v; };
const BASE = env('XH_BASE');
const PLANNER = env('XH_PLANNER_TOKEN');
const WEEK = env('XH_WEEK_FROM');
const HERE = dirname(fileURLToPath(import.meta.url));
const SHOTS = process.env.XH_SHOTS || join(HERE, 'screenshots');
mkdirSync(SHOTS, { recursive: true });
const addDays = (d, n) => { const x = new Date(d + 'T00:00:00Z'); x.setUTCDate(x.getUTCDate() + n); return x.toISOString().slice(0, 10); };
const failures = [];
const report = {};
function check(cond, msg) { if (!cond) { failures.push(msg); console.error('FAIL: ' + msg); } else console.log('ok: ' + msg); }
async function api(path, { method = 'GET', body } = {}) {
  const res = await fetch(BASE + '/api/v1' + path, { method, headers: { Authorization: 'Bearer ' + PLANNER, 'Content-Type': 'application/json' }, body: body ? JSON.stringify(body) : undefined });
  if (!res.ok) throw new Error(`${method} ${path}: HTTP ${res.status} ${await res.text()}`);
  return res.json();
}
async function allRequests() {
  const out = [];
  for (let off = 0; ; off += 1000) {
    const r = await api(`/requests?limit=1000&offset=${off}`);
    out.push(...r.items);
    if (r.items.length < 1000) return out;
  }
}

const browser = await chromium.launch({
  executablePath: process.env.XH_CHROMIUM || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  headless: true,
});
async function session(width) {
  const context = await browser.newContext({ viewport: { width, height: width < 500 ? 740 : 900 }, locale: 'zh-CN', serviceWorkers: 'block' });
  const page = await context.newPage();
  page.setDefaultTimeout(60000);
  page.on('pageerror', (e) => check(false, `@${width}: page error: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error' && !/status of (401|404|409|422)/.test(m.text())) check(false, `@${width}: console error: ${m.text()}`); });
  // Nothing may leave the county network.
  await page.route('**/*', (r) => (r.request().url().startsWith(BASE) ? r.continue() : (check(false, `external request ${r.request().url()}`), r.abort())));
  await page.goto(BASE + '/');
  await page.fill('#token', PLANNER);
  await page.click('#signin');
  await ready(page, 'circuits');
  return { context, page };
}
async function ready(page, name) { await page.waitForSelector(`main[data-ready="${name}"]`); }
async function shot(page, name, width) {
  const sw = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
  check(sw[0] <= sw[1], `${name}@${width}: no horizontal overflow (${sw[0]}/${sw[1]})`);
  await page.screenshot({ path: join(SHOTS, `${name}-${width}.png`) });
}
const axeSrc = readFileSync(join(HERE, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');
async function axe(page, name) {
  await page.evaluate(axeSrc);
  const r = await page.evaluate(() => window.axe.run(document, { runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] }));
  const v = r.violations.map((x) => `${x.id} (${x.nodes.length}: ${x.nodes.slice(0, 2).map((n) => n.target.join(' ')).join(', ')})`);
  check(v.length === 0, `axe on ${name}: ${v.length ? v.join('; ') : 'no violations'}`);
}
const visible = (page, sel) => page.locator(sel).evaluateAll((els) => els.filter((e) => !e.closest('[hidden]')).length);

// 1. Plan the week in the browser: the bar moves with the run's progress events.
const { context, page } = await session(1280);
await page.fill('#cir-from', WEEK);
await page.fill('#cir-to', addDays(WEEK, 4));
await page.click('#cir-start');
await page.waitForSelector('#cir-progress');
const seen = new Set();
for (let i = 0; i < 600 && await page.locator('#cir-progress').count(); i++) {
  const v = await page.locator('#cir-progress').getAttribute('value').catch(() => null);
  if (v !== null) seen.add(Number(v));
  await page.waitForTimeout(100);
}
await page.waitForSelector('#cir-board', { timeout: 120000 });
await ready(page, 'circuits');
const values = [...seen].sort((a, b) => a - b);
check(values.filter((x) => x > 0).length >= 3, `progress moved with the events: values ${values.join(', ')}`);
const planId = new URL(page.url().replace('#/', '')).searchParams.get('plan');
const v = await api('/circuit-plans/' + planId);
const [villages, teams, requests] = await Promise.all([api('/villages').then((b) => b.items), api('/teams').then((b) => b.items), allRequests()]);
const vil = new Map(villages.map((x) => [x.id, x]));
const req = new Map(requests.map((x) => [x.id, x]));
const stops = v.itineraries.flatMap((it) => it.stops.map((s) => ({ ...s, team: it.team_id })));
report.requests = requests.length;
report.visits = stops.length;
check(requests.length >= 900, `the week has ${requests.length} requests`);
check(await page.locator('#cir-board .visit').count() === stops.length, `board shows every visit (${stops.length})`);

// 2. First render of the board: a fresh load of the page, from navigation start to the board drawn.
const times = [];
for (let i = 0; i < 5; i++) {
  await page.goto(`${BASE}/?run=${i}#/circuits?plan=${planId}`);
  await page.waitForSelector('#cir-body[data-rendered]');
  times.push(Math.round(Number(await page.getAttribute('#cir-body', 'data-rendered'))));
}
await ready(page, 'circuits');
report.first_render_ms = times;
const median = [...times].sort((a, b) => a - b)[2];
console.log(`first render of the board (${requests.length} requests, ${stops.length} visits): ${times.join(', ')} ms; median ${median} ms`);
await shot(page, 'board', 1280);

// 3. Filters and search narrow the board in place (no reload), checked against the API's data.
await page.evaluate(() => { window.__sameDocument = true; });
const towns = await page.locator('#flt-town option').evaluateAll((os) => os.map((o) => o.value).filter(Boolean));
const townOf = (s) => (vil.get(s.village_id) || {}).township_id;
const town = towns.find((tw) => stops.some((s) => townOf(s) === tw));
await page.selectOption('#flt-town', town);
const wantTown = stops.filter((s) => townOf(s) === town).length;
check(await visible(page, '#cir-board .visit:not([hidden])') === wantTown, `township filter shows the ${wantTown} visits in ${town}`);
const unTown = v.unassigned.filter((u) => req.get(u.request_id) && townOf(req.get(u.request_id).household) === town).length;
check(await visible(page, '#cir-unassigned li[data-req]:not([hidden])') === Math.min(100, unTown), `township filter narrows the unassigned list to ${unTown}`);
await shot(page, 'board-town', 1280);
await page.selectOption('#flt-town', '');
const team = v.itineraries.find((it) => it.stops.length > 0).team_id;
await page.selectOption('#flt-team', team);
check(await visible(page, '#cir-board tbody tr:not([hidden])') === 1, 'team filter leaves one row');
await page.selectOption('#flt-team', '');
await page.selectOption('#flt-level', 'village');
const levelOf = new Map(teams.map((x) => [x.id, x.level]));
const rowTeams = await page.locator('#cir-board tbody tr:not([hidden])').evaluateAll((rs) => rs.map((r) => r.dataset.team));
check(rowTeams.length > 0 && rowTeams.every((id) => levelOf.get(id) === 'village'), `level filter keeps village teams only (${rowTeams.length})`);
await page.selectOption('#flt-level', '');
await page.selectOption('#flt-ledger', 'hardship');
const wantLedger = stops.filter((s) => s.request_ids.some((id) => (req.get(id) || {}).ledger === 'hardship')).length;
check(await visible(page, '#cir-board .visit:not([hidden])') === wantLedger, `ledger filter shows the ${wantLedger} visits with a hardship case`);
await page.selectOption('#flt-ledger', '');
await page.selectOption('#flt-status', 'done');
check(await visible(page, '#cir-board .visit:not([hidden])') === 0, 'status filter: nothing of a draft is done');
await page.selectOption('#flt-status', '');
// Search by a household name and by a request id.
const target = stops[Math.floor(stops.length / 2)];
const name = req.get(target.request_ids[0]).household.name;
await page.fill('#flt-q', name);
await page.waitForFunction(() => document.querySelector('#cir-board .visit.hit'));
const hits = await page.locator('#cir-board .visit:not([hidden])').evaluateAll((els) => els.map((e) => e.dataset.req));
const wantName = stops.filter((s) => s.request_ids.some((id) => (req.get(id).household.name || '').toLowerCase().includes(name.toLowerCase()))).length;
check(hits.length === wantName && hits.some((r) => r.includes(target.request_ids[0])), `search "${name}" finds its ${wantName} visit(s)`);
await shot(page, 'board-search', 1280);
const lost = v.unassigned[0];
if (lost) {
  await page.fill('#flt-q', lost.request_id);
  await page.waitForFunction((id) => document.querySelectorAll('#cir-unassigned li[data-req]:not([hidden])').length === 1 &&
    document.querySelector(`#cir-unassigned li[data-req="${id}"]:not([hidden])`), lost.request_id);
  const text = await page.textContent(`#cir-unassigned li[data-req="${lost.request_id}"]`);
  check(/[\u4e00-\u9fff]/.test(text), `the unassigned request's reason is in words (${text.slice(0, 60)})`);
  // English on the switch: the same reason in English words, the filters kept working.
  await page.click('#lang');
  await ready(page, 'circuits');
  await page.fill('#flt-q', lost.request_id);
  await page.waitForFunction((id) => document.querySelectorAll('#cir-unassigned li[data-req]:not([hidden])').length === 1, lost.request_id);
  const en = await page.textContent(`#cir-unassigned li[data-req="${lost.request_id}"] strong`);
  check(/^[A-Za-z][A-Za-z ,'-]+$/.test(en.trim()), `the reason switches to English words (${en})`);
  await page.click('#lang');
  await ready(page, 'circuits');
}
await page.fill('#flt-q', '');
check(await page.evaluate(() => window.__sameDocument === true), 'filters and search did not reload the page');
await axe(page, 'the draft board at 1280');

// 4. Publish through the confirmation: the diff against the published version (none yet: all added).
await page.click('#cir-publish');
await page.waitForSelector('#cir-confirm[open]');
const nVisits = stops.reduce((n, s) => n + s.request_ids.length, 0);
const sum = await page.textContent('#cir-diff-sum');
check(sum.includes(`+${nVisits}`), `the confirmation shows +${nVisits} visits added: ${sum}`);
await shot(page, 'publish-confirm', 1280);
await axe(page, 'the publish confirmation');
await page.click('#cir-confirm-cancel');
check((await api('/circuit-plans/' + planId)).plan.status === 'draft', 'cancelling the confirmation publishes nothing');
await page.click('#cir-publish');
await page.click('#cir-confirm-publish');
await page.waitForFunction(() => document.querySelector('#cir-status') && !document.querySelector('#cir-publish'));
check((await api('/circuit-plans/' + planId)).plan.status === 'published', 'confirming publishes the plan');
await ready(page, 'circuits');
await axe(page, 'the published board at 1280');

// 5. The map (vendored Leaflet, nothing from outside): villages in clusters, a cluster click zooms in,
// one path per team-day as the routes endpoint gives it, straight stand-ins marked as such.
const routes = (await api(`/circuit-plans/${planId}/routes`)).routes;
await page.goto(`${BASE}/#/map?plan=${planId}`);
await ready(page, 'map');
await page.waitForSelector('#map .cluster');
check(await page.locator('#map path.route').count() === routes.length, `map draws the ${routes.length} routes of the plan`);
const straight = routes.filter((r) => r.geometry === 'straight').length;
check(await page.locator('#map path.route.straight').count() === straight && (straight === 0 || await page.locator('#map-straight-note').count() === 1),
  `the ${straight} straight stand-ins are dashed and labelled`);
const clusters = await page.locator('#map .cluster').count();
check(clusters > 0 && clusters < villages.length, `villages are clustered (${clusters} clusters for ${villages.length} villages)`);
const z0 = Number(await page.getAttribute('#map', 'data-zoom'));
await page.locator('#map .cluster').first().dispatchEvent('click');
await page.waitForFunction((z) => Number(document.querySelector('#map').dataset.zoom) > z, z0);
check(Number(await page.getAttribute('#map', 'data-zoom')) > z0, 'a cluster click zooms in');
await page.click('#map .leaflet-control-zoom-out');
await page.waitForFunction((z) => Number(document.querySelector('#map').dataset.zoom) < z, Number(await page.getAttribute('#map', 'data-zoom')));
await shot(page, 'map-leaflet', 1280);
await axe(page, 'the map at 1280');
await context.close();

// 6. The phone: the board scrolls inside its box, filters work, axe passes.
{
  const { context: c2, page: p2 } = await session(360);
  await p2.goto(`${BASE}/#/circuits?plan=${planId}`);
  await ready(p2, 'circuits');
  await p2.selectOption('#flt-town', town);
  check(await visible(p2, '#cir-board .visit:not([hidden])') === wantTown, 'township filter at 360 px');
  await shot(p2, 'board', 360);
  await axe(p2, 'the published board at 360');
  await p2.goto(`${BASE}/#/map?plan=${planId}`);
  await ready(p2, 'map');
  await p2.waitForSelector('#map .cluster');
  await shot(p2, 'map-leaflet', 360);
  await axe(p2, 'the map at 360');
  await c2.close();
}

await browser.close();
if (process.env.XH_REPORT) writeFileSync(process.env.XH_REPORT, JSON.stringify(report, null, 2));
if (failures.length) { console.error(`${failures.length} failure(s)`); process.exit(1); }
console.log('all board checks passed');
