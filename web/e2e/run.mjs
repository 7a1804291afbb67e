// Browser tests of the Xunhui web app, driven by web/e2e_test.go (which starts the
// server and passes the base URL and tokens in the environment). Runs Debian's
// chromium headless through playwright-core; screenshots go to ./screenshots/.
import { chromium } from 'playwright-core';
import { mkdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const env = (k) => { const v = process.env[k]; if (!v) throw new Error(`missing env ${k}`); return v; };
const BASE = env('XH_BASE');
const TOK = { planner: env('XH_PLANNER_TOKEN'), admin: env('XH_ADMIN_TOKEN'), coord: env('XH_COORD_TOKEN'), member: '' };
const WEEK = env('XH_WEEK_FROM');
const MONTH = env('XH_MARKET_MONTH');
const SHOTS = process.env.XH_SHOTS || join(dirname(fileURLToPath(import.meta.url)), 'screenshots');
mkdirSync(SHOTS, { recursive: true });
const addDays = (d, n) => { const x = new Date(d + 'T00:00:00Z'); x.setUTCDate(x.getUTCDate() + n); return x.toISOString().slice(0, 10); };

const browser = await chromium.launch({
  executablePath: process.env.XH_CHROMIUM || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'],
  // playwright gives launch() a new empty --user-data-dir of its own (it refuses one passed in args).
  headless: true,
});
const failures = [];
// adminApi calls the API with the admin token (to set up a team member for the published plan).
async function adminApi(path, body) {
  const res = await fetch(BASE + '/api/v1' + path, { method: body ? 'POST' : 'GET', headers: { Authorization: 'Bearer ' + TOK.admin, 'Content-Type': 'application/json' }, body: body ? JSON.stringify(body) : undefined });
  if (!res.ok) throw new Error(`${path}: HTTP ${res.status} ${await res.text()}`);
  return res.json();
}
// memberFor creates a team member of the busiest team of the newest published plan; returns its token and first day.
async function memberFor() {
  const plans = await adminApi('/circuit-plans?status=published&limit=1');
  const v = await adminApi('/circuit-plans/' + plans.items[0].id);
  const its = v.itineraries.filter((i) => i.stops.length > 0).sort((a, b) => b.stops.length - a.stops.length);
  const it = its[0];
  const u = await adminApi('/users', { id: 'e2e-member-' + Date.now(), name: '测试队员', role: 'team_member', team_id: it.team_id });
  return { token: u.token, date: it.date, id: u.user_id || (u.user && u.user.id) };
}
// apiAs calls the API with a token; resolves to {status, body}.
async function apiAs(tok, method, path, body) {
  const res = await fetch(BASE + '/api/v1' + path, { method, headers: { Authorization: 'Bearer ' + tok, 'Content-Type': 'application/json' }, body: body ? JSON.stringify(body) : undefined });
  return { status: res.status, body: await res.json().catch(() => null) };
}
// editFlow edits the draft on the board: an infeasible move refused with its reason, a feasible move with
// its travel change, remove then assign from a suggested slot, undo, and a pin that a re-plan keeps.
async function editFlow(page, width) {
  const planId = new URL(page.url().replace('#/', '')).searchParams.get('plan');
  const v = (await apiAs(TOK.planner, 'GET', '/circuit-plans/' + planId)).body;
  const teams = (await apiAs(TOK.planner, 'GET', '/teams')).body.items;
  // 1. Infeasible: a village agent of another village may not take the first visit of a route.
  const it0 = v.itineraries.find((it) => it.stops.length > 0);
  const agent = teams.find((x) => x.level === 'village' && x.home_code !== it0.stops[0].village_id);
  await page.locator(`button.visit[data-req="${it0.stops[0].request_ids.join(',')}"]`).first().click();
  await page.waitForSelector('#ed-team');
  await page.selectOption('#ed-team', agent.id);
  await page.click('#ed-check');
  await page.waitForSelector('#ed-eval .evaluation');
  check(await page.locator('#ed-eval .violation[data-rule="area"]').count() > 0, 'infeasible move names the area rule');
  await page.click('#ed-apply');
  await page.waitForSelector('#ed-eval .error');
  const refusal = await page.textContent('#ed-eval');
  check(refusal.includes('不在服务队服务范围') && refusal.includes('调整未保存') && /\[[0-9a-f]{8,}\]/.test(refusal), 'refused move shows its reason in Chinese with the request id');
  await shot(page, 'edit-refused', width);
  // 2. A feasible move found with the API's dry run, then made on the board: the travel change shows.
  let mv = null;
  for (const it of v.itineraries.filter((x) => x.stops.length >= 2)) {
    const r = await apiAs(TOK.planner, 'POST', `/circuit-plans/${planId}/edits?dry_run=true`, { version: v.plan.version, op: 'move', team_id: it.team_id, date: it.date, seq: 2, to_seq: 1 });
    if (r.status === 200 && r.body.evaluation.feasible && r.body.evaluation.travel_delta_seconds !== 0) { mv = { it, ev: r.body.evaluation }; break; }
  }
  check(mv !== null, 'some route has a feasible reordering');
  if (mv) {
    await page.locator(`button.visit[data-req="${mv.it.stops[1].request_ids.join(',')}"]`).first().click();
    await page.fill('#ed-seq', '1');
    await page.click('#ed-check');
    await page.waitForSelector('#ed-eval .evaluation.ok');
    const mins = Math.round(mv.ev.travel_delta_seconds / 60);
    check((await page.textContent('#ed-eval .travel')).includes(String(mins)), `travel change ${mins} min shown`);
    await page.click('#ed-apply');
    await page.waitForSelector('#cir-undo');
    await ready(page, 'circuits');
    await shot(page, 'edit-moved', width);
  }
  // 3. Remove a visit, then assign it back from a suggested slot; undo the assignment.
  const first = page.locator('button.visit').first();
  const rid = (await first.getAttribute('data-req')).split(',')[0];
  await first.click();
  await page.click('#ed-remove');
  await page.waitForSelector(`#cir-unassigned li[data-req="${rid}"][data-code="removed"]`);
  await page.locator(`#cir-unassigned li[data-req="${rid}"] button.suggest`).click();
  await page.waitForSelector(`#cir-unassigned li[data-req="${rid}"] button.slot`);
  await shot(page, 'edit-slots', width);
  await page.locator(`#cir-unassigned li[data-req="${rid}"] button.slot`).first().click();
  await page.waitForFunction((r) => !document.querySelector(`#cir-unassigned li[data-req="${r}"]`) && document.querySelector('#cir-board'), rid);
  check(await page.locator(`button.visit[data-req*="${rid}"]`).count() === 1, 'assigned request is on the board');
  await page.click('#cir-undo');
  await page.waitForSelector(`#cir-unassigned li[data-req="${rid}"]`);
  // 4. Pin a visit, re-optimise the rest: the pin holds.
  const pin = page.locator('button.visit').nth(1);
  const pinReq = await pin.getAttribute('data-req');
  await pin.click();
  await page.click('#ed-pin');
  await page.waitForSelector(`button.visit.pinned[data-req="${pinReq}"]`);
  // The draft being edited came from a re-plan and already shows #cir-moves: wait for the
  // page to move to the new run and for that run's moves, not for the old ones.
  const before = await page.inputValue('#cir-plan');
  await page.click('#cir-replan');
  await page.waitForFunction((old) => {
    const sel = document.querySelector('#cir-plan');
    return sel && sel.value !== old && document.querySelector('#cir-moves') && document.querySelector('#cir-board');
  }, before, { timeout: 120000 });
  await ready(page, 'circuits');
  check(await page.locator(`button.visit.pinned[data-req="${pinReq}"]`).count() === 1, 'the pinned visit holds after re-planning');
  const moveLines = await page.locator('#cir-moves li').allTextContents();
  check(moveLines.every((l) => l.includes(' · ') && !l.includes('code.')), `every move of the re-plan says why in words (${moveLines.length} moves)`);
  await shot(page, 'edit-pinned-replan', width);
}
let memberDate = WEEK;
let steps = 0;
let memberId = '';
function check(cond, msg) { if (!cond) { failures.push(msg); console.error('FAIL: ' + msg); } }

async function session(width, who) {
  const context = await browser.newContext({ viewport: { width, height: width < 500 ? 740 : 900 }, locale: 'zh-CN', serviceWorkers: 'block' });
  const page = await context.newPage();
  page.setDefaultTimeout(30000);
  // Any script error or CSP violation fails the run.
  page.on('pageerror', (e) => check(false, `${who}@${width}: page error: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error' && !/the server responded with a status of (401|404|409|422)/.test(m.text())) check(false, `${who}@${width}: console error: ${m.text()}`); });
  // Nothing may leave the county network: only the app's own origin is allowed.
  await page.route('**/*', (r) => (r.request().url().startsWith(BASE) ? r.continue() : (check(false, `external request ${r.request().url()}`), r.abort())));
  return { context, page };
}
async function ready(page, name) { await page.waitForSelector(`main[data-ready="${name}"]`); }
async function shot(page, name, width) {
  const sw = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
  if (sw[0] > sw[1]) {
    // Name the widest elements, so that the failure says what to fix.
    const wide = await page.evaluate((w) => [...document.querySelectorAll('body *')].filter((e) => e.getBoundingClientRect().right > w)
      .slice(0, 5).map((e) => `${e.tagName.toLowerCase()}${e.id ? '#' + e.id : ''}.${[...e.classList].join('.')} right=${Math.round(e.getBoundingClientRect().right)}`), sw[1]);
    check(false, `${name}@${width}: horizontal overflow: scrollWidth ${sw[0]} > innerWidth ${sw[1]}: ${wide.join(', ')}`);
  }
  await page.screenshot({ path: join(SHOTS, `${name}-${width}.png`) });
  steps++;
  console.log(`ok ${name}@${width} (scrollWidth ${sw[0]}/${sw[1]})`);
}
// qrSignin: the planner issues a phone sign-in code on the day page and sees its QR code; a phone
// (360×740) that opens the link the QR code encodes is signed in as the member and shows the day.
async function qrSignin(page, userId, width) {
  await page.goto(`${BASE}/#/day?date=${memberDate}`);
  await ready(page, 'day');
  await page.click('#phone-signin summary');
  await page.fill('#signin-user', userId);
  await page.click('#phone-signin button[type=submit]');
  await page.waitForSelector('#signin-qr');
  const qr = await page.locator('#signin-qr').evaluate((img) => ({ src: img.src.slice(0, 22), w: img.naturalWidth, done: img.complete }));
  check(qr.src === 'data:image/png;base64,' && qr.w >= 200, `QR image shown: ${JSON.stringify(qr)}`);
  const href = await page.getAttribute('#signin-link', 'href');
  const code = await page.textContent('#signin-code');
  check(href === `${BASE}/field/#code=${code}`, `sign-in link ${href} carries the code ${code}`);
  await shot(page, 'day-signin-qr', width);
  const phone = await browser.newContext({ viewport: { width: 360, height: 740 }, locale: 'zh-CN' });
  const p = await phone.newPage();
  p.setDefaultTimeout(30000);
  p.on('pageerror', (e) => check(false, `qr phone: page error: ${e.message}`));
  await p.goto(href);
  await ready(p, 'day');
  check(!(await p.evaluate(() => location.hash)).includes('code'), 'the code is dropped from the address after sign-in');
  check(await p.locator('#signin').count() === 0, 'the phone is signed in by the QR link');
  await shot(p, 'field-qr-signed-in', 360);
  await phone.close();
}
async function signIn(page, token, home, width, name) {
  await page.goto(BASE + '/');
  await page.waitForSelector('#token');
  if (name) await shot(page, name, width);
  await page.fill('#token', token);
  await page.click('#signin');
  await ready(page, home);
}

for (const width of [1280, 360]) {
  // 1. Sign-in with a bad token, then the planner's token.
  {
    const { context, page } = await session(width, 'planner');
    await page.goto(BASE + '/');
    await page.fill('#token', 'xh_not_a_real_token');
    await page.click('#signin');
    await page.waitForSelector('.signin .error');
    await signIn(page, TOK.planner, 'circuits', width, 'signin');
    check(await page.locator('#nav-circuits').count() === 1 && await page.locator('#nav-market').count() === 1, 'planner sees circuits and market in the menu');
    // 2. Plan a week (once), watch it finish, publish it.
    if (width === 1280) {
      await page.fill('#cir-from', WEEK);
      await page.fill('#cir-to', addDays(WEEK, 4));
      await page.click('#cir-start');
      await page.waitForSelector('#cir-progress, #cir-board');
      if (await page.locator('#cir-progress').count()) await shot(page, 'circuits-progress', width);
      await page.waitForSelector('#cir-board', { timeout: 120000 });
      await shot(page, 'circuits-draft', width);
      await page.click('#cir-publish');
      await page.click('#cir-confirm-publish'); // the confirmation shows the diff first
      await page.waitForFunction(() => document.querySelector('#cir-status') && !document.querySelector('#cir-publish'));
      const m = await memberFor();
      TOK.member = m.token; memberDate = m.date;
      // Leave entered after publishing marks the published plan for re-planning.
      {
        const pub = (await apiAs(TOK.planner, 'GET', '/circuit-plans?status=published&limit=1')).body.items[0];
        const pv = (await apiAs(TOK.planner, 'GET', '/circuit-plans/' + pub.id)).body;
        const its = pv.itineraries.filter((it) => it.stops.length > 0 && (it.staff_ids || []).length > 0 && it.date !== m.date);
        const it = its[its.length - 1];
        const sid = it.staff_ids[0];
        const ab = await apiAs(TOK.planner, 'POST', '/absences', { staff_id: sid, from: it.date, reason: '病假 (测试)', kind: 'sick' });
        check(ab.status === 201 || ab.status === 200, `absence recorded: ${ab.status} ${JSON.stringify(ab.body).slice(0, 200)}`);
        await page.goto(`${BASE}/#/circuits?plan=${pub.id}`);
        await ready(page, 'circuits');
        await page.waitForSelector('#cir-needs-replan');
        check((await page.textContent('#cir-needs-replan')).includes(it.date), 'the published plan is marked for re-planning on the leave day');
        await shot(page, 'circuits-needs-replan', width);
      }
      // Re-plan the published week and see what moved.
      await page.click('#cir-replan');
      await page.waitForSelector('#cir-moves', { timeout: 120000 });
      await shot(page, 'circuits-replan', width);
      await editFlow(page, width);
      memberId = m.id;
      // Publish nothing more: the team member works on the published plan.
    } else {
      await page.goto(BASE + '/#/circuits');
      await ready(page, 'circuits');
    }
    check(await page.locator('#cir-board tbody tr').count() > 0, 'board lists teams');
    check(await page.locator('#cir-unassigned').count() === 1, 'unassigned list shown');
    await shot(page, 'circuits', width);
    if (width === 1280) await qrSignin(page, memberId, width);
    for (const p of ['requests', 'map', 'plots']) {
      await page.goto(BASE + '/#/' + p);
      await ready(page, p);
      await shot(page, p, width);
      if (p === 'map') {
        check(Number(await page.getAttribute('#map', 'data-villages')) > 60 && await page.locator('#map .village-pin, #map .cluster').count() > 0, 'map draws the villages');
        check(await page.locator('#map path.route').count() > 0, 'map draws the plan routes');
        if (width === 1280) {
          // A planner corrects a village position: zoom in through the clusters, pick a village, click the map, save.
          for (let i = 0; i < 10 && await page.locator('#map .village-pin').count() === 0; i++) {
            await page.locator('#map .cluster').first().dispatchEvent('click');
            await page.waitForTimeout(500);
          }
          await page.locator('#map .village-pin').first().dispatchEvent('click');
          await page.waitForSelector('#map-lon');
          const box = await page.locator('#map').boundingBox();
          await page.mouse.click(box.x + 20, box.y + box.height - 20);
          await page.waitForSelector('#map .newpos');
          await page.click('#map-side button[type=submit]');
          await ready(page, 'map');
          check(await page.locator('#map-side .error').count() === 0, 'village position saved');
        }
      }
    }
    // The language switch.
    await page.click('#lang');
    await ready(page, 'plots');
    check((await page.textContent('h1')) === 'Charts', 'English switch');
    await page.click('#lang');
    await ready(page, 'plots');
    await context.close();
  }
  // 3. A team member opens the day and records an outcome in two taps.
  {
    const { context, page } = await session(width, 'member');
    await signIn(page, TOK.member, 'day', width);
    check(await page.locator('#nav-circuits').count() === 0, 'team member does not see the circuits page');
    await page.goto(`${BASE}/#/day?date=${memberDate}`);
    await ready(page, 'day');
    const found = await page.locator('.stop .outcomes button').count() > 0;
    check(found, 'the team has a published stop this week');
    if (found) {
      const stop = page.locator('.stop').filter({ has: page.locator('.outcomes button') }).first();
      check(await stop.locator('a[href^="tel:"]').count() > 0, 'call button');
      check(await stop.locator('a[href^="geo:"]').count() === 1, 'navigation link');
      await stop.locator('button[data-outcome="done"]').click();
      await page.waitForSelector('button.armed');
      await shot(page, 'day-armed', width);
      await stop.locator('button[data-outcome="done"]').click();
      await page.waitForSelector('.recorded');
      await shot(page, 'day', width);
    }
    await context.close();
  }
  // 4. A township coordinator adjusts a market day.
  {
    const { context, page } = await session(width, 'coord');
    await signIn(page, TOK.coord, 'market', width);
    if (width === 1280) {
      // A village agent's intake through the coordinator's requests page, then its history.
      await page.goto(`${BASE}/#/requests`);
      await ready(page, 'requests');
      await page.fill('#in-name', '测试户');
      await page.fill('#in-phone', '13900000001');
      await page.click('#intake button[type=submit]');
      await page.waitForSelector('#req-history li');
      check((await page.textContent('#req-history')).includes('待安排'), 'new request history starts pending');
      await shot(page, 'requests-intake', width);
      // Withdraw it: a reason is required, the record and its history stay.
      await page.click('#req-withdraw');
      await page.waitForSelector('#req-side .error');
      await page.fill('#req-reason', '群众已自行办理');
      await page.click('#req-withdraw');
      await page.waitForSelector('#req-reopen');
      const hist = await page.textContent('#req-history');
      check(hist.includes('已撤回') && hist.includes('群众已自行办理'), 'withdrawn request keeps its history with the reason');
      await shot(page, 'requests-withdrawn', width);
    }
    await page.goto(`${BASE}/#/market?month=${MONTH}`);
    await ready(page, 'market');
    await shot(page, 'market', width);
    const day = page.locator('.calendar .day.market').filter({ has: page.locator('.desk') }).nth(width === 1280 ? 0 : 1);
    check(await day.count() === 1, 'a market day with a desk');
    await day.click();
    await page.waitForSelector('#mk-op');
    if (width === 1280) {
      await page.selectOption('#mk-op', 'swap');
      const ins = await page.locator('#mk-in option').evaluateAll((os) => os.map((o) => o.value));
      const outs = await page.locator('#mk-out option').evaluateAll((os) => os.map((o) => o.value));
      await page.selectOption('#mk-in', ins.find((v) => !outs.includes(v)));
    } else {
      await page.selectOption('#mk-op', 'lock');
    }
    await page.click('#mk-check');
    await page.waitForSelector('#mk-apply');
    await shot(page, 'market-preview', width);
    await page.click('#mk-apply');
    await page.waitForFunction(() => document.querySelector('main').dataset.ready === 'market' && document.querySelector('#mk-side') && !document.querySelector('#mk-apply'));
    await ready(page, 'market');
    const err = await page.locator('#mk-side .error').count();
    check(err === 0, 'adjustment saved without error');
    check(await page.locator(width === 1280 ? '.calendar .day.locked' : '.calendar .day.locked').count() > 0, 'the adjusted desk is locked');
    await shot(page, 'market-adjusted', width);
    await context.close();
  }
}
await browser.close();
if (failures.length) { console.error(`${failures.length} failure(s)`); process.exit(1); }
console.log(`all ${steps} browser checks passed`);
