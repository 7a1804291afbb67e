// Browser tests of the planner's and coordinator's workbench (issue 20 part B), driven by
// web/e2e_workbench_test.go: staff and teams with versions, leave that marks a plan for re-planning,
// a token expiring mid-edit, market plans in the browser, and axe on every page at 1280 and 360 px.
import { chromium } from 'playwright-core';
import { readFileSync, mkdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const env = (k) => { const v = process.env[k]; if (!v) throw new Error(`missing env ${k}`); return v; };
const BASE = env('XH_BASE');
const TOK = { admin: env('XH_ADMIN_TOKEN'), planner: env('XH_PLANNER_TOKEN'), coord: env('XH_COORD_TOKEN') };
const PLANNER_ID = env('XH_PLANNER_ID');
const TOWN = env('XH_TOWN');
const CIRCUIT_PLAN = env('XH_CIRCUIT_PLAN');
const MONTH = env('XH_MARKET_MONTH');
const BOOKED = env('XH_BOOKED_DAY');
const HERE = dirname(fileURLToPath(import.meta.url));
const SHOTS = process.env.XH_SHOTS || join(HERE, 'screenshots');
mkdirSync(SHOTS, { recursive: true });
const RID = /\[[0-9a-f]{8,}\]/;

const browser = await chromium.launch({
  executablePath: process.env.XH_CHROMIUM || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  headless: true,
});
const failures = [];
let steps = 0;
function check(cond, msg) { steps++; if (!cond) { failures.push(msg); console.error('FAIL: ' + msg); } else console.log('ok ' + msg); }
async function apiAs(tok, method, path, body) {
  const res = await fetch(BASE + '/api/v1' + path, { method, headers: { Authorization: 'Bearer ' + tok, 'Content-Type': 'application/json' }, body: body ? JSON.stringify(body) : undefined });
  return { status: res.status, body: await res.json().catch(() => null) };
}
async function session(width, who) {
  const context = await browser.newContext({ viewport: { width, height: width < 500 ? 740 : 900 }, locale: 'zh-CN', serviceWorkers: 'block', acceptDownloads: true });
  const page = await context.newPage();
  page.setDefaultTimeout(30000);
  page.on('pageerror', (e) => check(false, `${who}@${width}: page error: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error' && !/the server responded with a status of (401|404|409|422)/.test(m.text())) check(false, `${who}@${width}: console error: ${m.text()}`); });
  await page.route('**/*', (r) => (r.request().url().startsWith(BASE) ? r.continue() : (check(false, `external request ${r.request().url()}`), r.abort())));
  return { context, page };
}
async function ready(page, name) { await page.waitForSelector(`main[data-ready="${name}"]`); }
async function open(page, hash, name) { await page.goto(BASE + '/#/' + hash); await ready(page, name); }
async function signIn(page, token, home) {
  await page.goto(BASE + '/');
  await page.waitForSelector('#token');
  await page.fill('#token', token);
  await page.click('#signin');
  await ready(page, home);
}
async function shot(page, name, width) {
  const sw = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
  check(sw[0] <= sw[1], `${name}@${width}: no horizontal overflow (${sw[0]}/${sw[1]})`);
  await page.screenshot({ path: join(SHOTS, `wb-${name}-${width}.png`) });
}
// axe is injected over CDP (page.evaluate), not through the page's CSP.
const axeSrc = readFileSync(join(HERE, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');
async function axe(page, name, width) {
  await page.evaluate(axeSrc);
  const r = await page.evaluate(() => window.axe.run(document, { runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] }));
  const v = r.violations.map((x) => `${x.id} (${x.nodes.length}: ${x.nodes.slice(0, 2).map((n) => n.target.join(' ')).join(', ')})`);
  check(v.length === 0, `axe on ${name}@${width}: ${v.length ? v.join('; ') : 'no violations'}`);
}

// 1. Staff: edit skills and a shift; a stale edit is refused in Chinese with the request id; membership.
async function staffFlow(page, width) {
  const staff = (await apiAs(TOK.planner, 'GET', '/staff?township=' + TOWN)).body.items;
  const st = staff[0];
  await open(page, `staff?township=${TOWN}&staff=${st.id}`, 'staff');
  await page.waitForSelector('#sf-form');
  const skill = (await page.locator('#sf-skills input:not(:checked)').first().getAttribute('value'));
  await page.locator(`#sf-skills input[value="${skill}"]`).check();
  const sat = page.locator('#sf-shifts .shift[data-wd="6"]');
  await sat.locator('.on').check();
  await sat.locator('.from').fill('09:00');
  await sat.locator('.to').fill('12:00');
  await page.click('#sf-save');
  await page.waitForFunction((v) => location.hash.includes('v=' + v), st.version + 1);
  await ready(page, 'staff');
  const after = (await apiAs(TOK.planner, 'GET', '/staff/' + st.id)).body;
  check(after.skills.includes(skill) && after.availability.some((w) => w.weekday === 6 && w.from === 540 && w.to === 720) && after.version === st.version + 1,
    `staff ${st.id}: skill ${skill} and a Saturday 09:00-12:00 shift saved (version ${after.version})`);
  // Someone else edits meanwhile: the page's save is refused, nothing is overwritten.
  await page.fill('#sf-dept', '页面上的修改');
  const other = await apiAs(TOK.planner, 'PUT', '/staff/' + st.id, { ...after, department: '另一位计划员的修改' });
  check(other.status === 200, 'a concurrent edit through the API');
  await page.click('#sf-save');
  await page.waitForSelector('#sf-msg .error');
  const refused = await page.textContent('#sf-msg');
  check(refused.includes('其他人已修改') && RID.test(refused), 'stale staff edit refused in Chinese with the request id');
  check((await apiAs(TOK.planner, 'GET', '/staff/' + st.id)).body.department === '另一位计划员的修改', 'the concurrent edit is not overwritten');
  check(await page.inputValue('#sf-dept') === '页面上的修改', 'the refused form keeps what was typed');
  await shot(page, 'staff-stale', width);
  await axe(page, 'the staff form with a refused edit', width);
  // Team membership: add a person to a team of the township.
  const teams = (await apiAs(TOK.planner, 'GET', '/teams')).body.items.filter((x) => x.home_code.startsWith(TOWN.slice(0, 9)));
  const tm = teams[0];
  const extra = staff.find((s) => !tm.member_ids.includes(s.id));
  await open(page, `staff?township=${TOWN}&team=${tm.id}`, 'staff');
  await page.selectOption('#tm-add', extra.id);
  await page.waitForSelector(`#tm-members li[data-member="${extra.id}"]`);
  await page.click('#tm-save');
  await page.waitForFunction((v) => location.hash.includes('v=' + v), tm.version + 1);
  await ready(page, 'staff');
  const tm2 = (await apiAs(TOK.planner, 'GET', '/teams/' + tm.id)).body;
  check(tm2.member_ids.includes(extra.id), `team ${tm.id} gained ${extra.id}`);
  // Put the team back (through the page: remove the member).
  await page.click(`#tm-members li[data-member="${extra.id}"] button`);
  await page.click('#tm-save');
  await page.waitForFunction((v) => location.hash.includes('v=' + v), tm.version + 2);
  await ready(page, 'staff');
  check(!(await apiAs(TOK.planner, 'GET', '/teams/' + tm.id)).body.member_ids.includes(extra.id), 'member removed again');
  // A new person: a desk officer of the township with the default week.
  await open(page, `staff?township=${TOWN}&staff=new`, 'staff');
  await page.fill('#sf-id', 'ST-E2E-NEW');
  await page.fill('#sf-name', '新来的坐班员');
  await page.locator('#sf-skills input[value="civil_affairs"]').check();
  await page.click('#sf-save');
  await page.waitForFunction(() => location.hash.includes('staff=ST-E2E-NEW'));
  await ready(page, 'staff');
  const np = await apiAs(TOK.planner, 'GET', '/staff/ST-E2E-NEW');
  check(np.status === 200 && np.body.home_code === TOWN && np.body.skills.includes('civil_affairs') && np.body.availability.length === 5 && np.body.version === 1, 'a person created on the page');
  // A new team based at the township's service centre, with one member.
  await open(page, `staff?township=${TOWN}&team=new`, 'staff');
  await page.fill('#tm-id', 'T-E2E-NEW');
  await page.fill('#tm-name', '测试新队');
  await page.selectOption('#tm-point', 'sp-' + TOWN);
  check(await page.inputValue('#tm-home') === TOWN, 'the base sets the team\'s home code');
  await page.selectOption('#tm-add', extra.id);
  await page.click('#tm-save');
  await page.waitForFunction(() => location.hash.includes('team=T-E2E-NEW'));
  await ready(page, 'staff');
  const nt = await apiAs(TOK.planner, 'GET', '/teams/T-E2E-NEW');
  check(nt.status === 200 && nt.body.member_ids.includes(extra.id) && nt.body.home_point_id === 'sp-' + TOWN && nt.body.version === 1, 'a team created on the page');
}

// 1b. The township's weekly route-sheet workbook downloads from the staff page.
async function routeSheetFlow(page) {
  await open(page, `staff?township=${TOWN}`, 'staff');
  await page.fill('#rs-from', (await apiAs(TOK.planner, 'GET', '/circuit-plans/' + CIRCUIT_PLAN)).body.plan.from);
  const [dl] = await Promise.all([page.waitForEvent('download'), page.click('#rs-get')]);
  const file = await dl.path();
  const head = readFileSync(file).subarray(0, 2).toString();
  check(dl.suggestedFilename().startsWith('route-sheets-' + TOWN) && head === 'PK', `route-sheet workbook ${dl.suggestedFilename()} downloaded (a zip/xlsx)`);
}

// 2. Leave: a day off for a person a published route counts on marks that plan for re-planning.
async function leaveFlow(page, width) {
  const v = (await apiAs(TOK.planner, 'GET', '/circuit-plans/' + CIRCUIT_PLAN)).body;
  const it = v.itineraries.find((x) => x.stops.length > 0);
  const team = (await apiAs(TOK.planner, 'GET', '/teams/' + it.team_id)).body;
  const who = team.member_ids[0];
  await open(page, `staff?staff=${who}`, 'staff');
  await page.waitForSelector('#ab-form');
  await page.fill('#ab-from', it.date);
  await page.fill('#ab-to', it.date);
  await page.fill('#ab-reason', '家中有事（测试）');
  await page.click('#ab-add');
  await page.waitForSelector('#ab-affected');
  const txt = await page.textContent('#ab-affected');
  check(txt.includes('需要重新排程') && txt.includes(it.date), `leave on ${it.date} lists the published day it takes away`);
  await shot(page, 'leave-added', width);
  await page.click(`#ab-affected a[href*="${CIRCUIT_PLAN}"]`);
  await ready(page, 'circuits');
  await page.waitForSelector('#cir-needs-replan');
  check((await page.textContent('#cir-needs-replan')).includes('需要重新排程'), 'the plan is marked for re-planning');
  await shot(page, 'needs-replan', width);
}

// 3. A token that expires mid-edit: the page asks to sign in again, keeps the form and saves it.
async function expiryFlow(width) {
  const tk = await apiAs(TOK.admin, 'POST', `/users/${PLANNER_ID}/tokens`, { name: 'mid-edit' });
  check(tk.status === 201, 'a second token for the planner');
  const { context, page } = await session(width, 'planner-expiring');
  await signIn(page, tk.body.token, 'circuits');
  const st = (await apiAs(TOK.planner, 'GET', '/staff?township=' + TOWN)).body.items[1];
  await open(page, `staff?township=${TOWN}&staff=${st.id}`, 'staff');
  await page.waitForSelector('#sf-form');
  await page.fill('#sf-dept', '县民政局（重新登录后保存）');
  const del = await fetch(BASE + '/api/v1/tokens/' + tk.body.token_id, { method: 'DELETE', headers: { Authorization: 'Bearer ' + TOK.admin } });
  check(del.status === 204, 'the token is revoked mid-edit');
  await page.click('#sf-save');
  await page.waitForSelector('dialog#reauth[open]');
  check(await page.inputValue('#sf-dept') === '县民政局（重新登录后保存）', 'the form keeps the typed input while signing in again');
  await shot(page, 'reauth', width);
  await axe(page, 'the sign-in-again dialog', width);
  await page.fill('#re-token', 'xh_not_a_real_token');
  await page.click('#re-go');
  await page.waitForFunction(() => document.querySelector('#re-msg').textContent.length > 0);
  await page.fill('#re-token', TOK.planner);
  await page.click('#re-go');
  await page.waitForFunction((v) => location.hash.includes('v=' + v), st.version + 1);
  await ready(page, 'staff');
  check((await apiAs(TOK.planner, 'GET', '/staff/' + st.id)).body.department === '县民政局（重新登录后保存）', 'the edit typed before the expiry is saved after signing in again');
  await context.close();
}

// swapCase finds a day where TOWN's desk has a person and another township's desk has only someone else.
function swapCase(view) {
  for (const d of view.desks) {
    if (d.township_id !== TOWN || !d.staff_ids.length) continue;
    // Another township's desk held by one person: taking them would leave it empty.
    const o = view.desks.find((x) => x.date === d.date && x.township_id !== TOWN && x.staff_ids.length === 1 && !d.staff_ids.includes(x.staff_ids[0]));
    if (o) return { mine: d, other: o };
  }
  return null;
}
async function trySwap(page, c) {
  await open(page, `market?township=${TOWN}&month=${MONTH}&plan=${c.plan}&date=${c.mine.date}`, 'market');
  await page.selectOption('#mk-op', 'swap');
  await page.selectOption('#mk-out', c.mine.staff_ids[0]);
  await page.selectOption('#mk-in', c.other.staff_ids[0]);
  await page.click('#mk-check');
  await page.click('#mk-apply');
  await page.waitForSelector('#mk-consequences');
}

// 4. Market days: plan a month in the browser, a refused swap, the planner's confirmation, a day with
//    a booking and no desk flagged, publish.
async function marketFlow(page, width) {
  await open(page, `market?township=${TOWN}&month=${MONTH}`, 'market');
  await page.click('#mk-start');
  await page.waitForFunction(() => /plan=MP|plan=[A-Za-z0-9-]+/.test(location.hash) && document.querySelector('#mk-publish'), null, { timeout: 120000 });
  await ready(page, 'market');
  const plan = new URLSearchParams(page.url().split('?')[1]).get('plan');
  check(!!plan, `a market plan ${plan} made in the browser`);
  const view = (await apiAs(TOK.planner, 'GET', '/market-plans/' + plan)).body;
  const c = swapCase(view);
  check(c !== null, 'a day with desks of two townships');
  if (c) {
    c.plan = plan;
    await trySwap(page, c);
    const txt = await page.textContent('#mk-side');
    check(txt.includes('换人被拒绝') && txt.includes('将离开') && txt.includes('该服务台将无人') && RID.test(txt), 'a swap that would empty another desk is refused in Chinese with its consequences and the request id');
    await shot(page, 'swap-refused', width);
    await axe(page, 'the market page with a refused swap', width);
    await page.click('#mk-confirm');
    await page.waitForFunction((v) => Number(new URLSearchParams(location.hash.split('?')[1]).get('v')) > v, view.version);
    await ready(page, 'market');
    const after = (await apiAs(TOK.planner, 'GET', '/market-plans/' + plan)).body;
    const desk = after.desks.find((d) => d.township_id === TOWN && d.date === c.mine.date);
    check(desk && desk.staff_ids.includes(c.other.staff_ids[0]), 'the planner confirmed the swap after seeing its consequences');
  }
  // Assign a person of the township to another market day's desk.
  {
    const v1 = (await apiAs(TOK.planner, 'GET', '/market-plans/' + plan)).body;
    const dk = v1.desks.find((d) => d.township_id === TOWN && d.date !== BOOKED && (!c || d.date !== c.mine.date));
    const busy = new Set(v1.desks.filter((d) => d.date === dk.date).flatMap((d) => d.staff_ids));
    const pick = (await apiAs(TOK.planner, 'GET', '/staff?township=' + TOWN)).body.items.find((s) => !busy.has(s.id) && s.role !== 'village_agent' && !s.id.startsWith('ST-E2E'));
    await open(page, `market?township=${TOWN}&month=${MONTH}&plan=${plan}&date=${dk.date}`, 'market');
    await page.selectOption('#mk-op', 'assign');
    await page.selectOption('#mk-in', pick.id);
    await page.click('#mk-check');
    await page.click('#mk-apply');
    await page.waitForFunction((v) => Number(new URLSearchParams(location.hash.split('?')[1]).get('v')) > v, v1.version);
    await ready(page, 'market');
    const d2 = (await apiAs(TOK.planner, 'GET', '/market-plans/' + plan)).body.desks.find((d) => d.township_id === TOWN && d.date === dk.date);
    check(d2 && d2.staff_ids.includes(pick.id) && d2.locked, `${pick.id} assigned to the desk of ${dk.date} (locked)`);
  }
  // A coordinator can neither confirm such a swap nor pick another township.
  {
    const { context, page: cp } = await session(width, 'coord');
    await signIn(cp, TOK.coord, 'market');
    const v2 = (await apiAs(TOK.planner, 'GET', '/market-plans/' + plan)).body;
    const c2 = swapCase(v2);
    check(c2 !== null, 'a day on which a swap would empty another township\'s desk, for the coordinator');
    if (c2) {
      c2.plan = plan;
      await trySwap(cp, c2);
      check(await cp.locator('#mk-confirm').count() === 0 && (await cp.textContent('#mk-side')).includes('县级计划员'), 'a coordinator cannot confirm a swap touching another township');
    }
    check(await cp.locator('#mk-township').isDisabled(), 'a coordinator sees only their township');
    // On the staff page a coordinator reads their township's people and records leave, but edits no record.
    const mine = (await apiAs(TOK.coord, 'GET', '/staff?township=' + TOWN)).body.items[0];
    await open(cp, `staff?staff=${mine.id}`, 'staff');
    check(await cp.locator('#sf-save').count() === 0 && await cp.locator('#sf-new').count() === 0 && await cp.locator('#sf-township').isDisabled(), 'a coordinator cannot edit staff records');
    await cp.fill('#ab-from', BOOKED); await cp.fill('#ab-to', BOOKED); await cp.fill('#ab-reason', '培训（测试）');
    await cp.selectOption('#ab-kind', 'training');
    await cp.click('#ab-add');
    await cp.waitForSelector('#ab-affected');
    const abs = (await apiAs(TOK.coord, 'GET', `/absences?staff=${mine.id}&from=${BOOKED}&to=${BOOKED}`)).body.items;
    check(abs.some((a) => a.kind === 'training' && a.reason === '培训（测试）'), 'a coordinator records leave of their township\'s staff from the page');
    check(await cp.locator('#mk-start').count() === 0 && await cp.locator('#mk-publish').count() === 0, 'a coordinator neither plans nor publishes');
    await context.close();
  }
  // Cancel the booked market day: its booking has no desk any more and the day is flagged.
  await open(page, `market?township=${TOWN}&month=${MONTH}&plan=${plan}&date=${BOOKED}`, 'market');
  await page.selectOption('#mk-op', 'cancel_day');
  await page.fill('#mk-reason', '场镇施工（测试）');
  await page.click('#mk-check');
  await page.click('#mk-apply');
  await page.waitForSelector(`.calendar .day.nodesk[data-date="${BOOKED}"]`);
  check((await page.textContent('#mk-nodesk')).includes(BOOKED), `the day ${BOOKED} with a booking and no desk is flagged`);
  await shot(page, 'nodesk', width);
  await axe(page, 'the market draft with a flagged day and the publish button', width);
  await page.click('#mk-publish');
  await page.waitForFunction(() => /已发布/.test((document.querySelector('#mk-plan') || {}).textContent));
  check((await apiAs(TOK.planner, 'GET', '/market-plans/' + plan)).body.publication === 'published', 'the market plan is published from the page');
}

// 5. axe on every workbench page (and the field sign-in) at this width.
async function axePass(page, width) {
  const pages = [['circuits', 'circuits'], [`circuits?plan=${CIRCUIT_PLAN}`, 'circuits'], ['requests', 'requests'], ['map', 'map'],
    [`market?township=${TOWN}&month=${MONTH}`, 'market'], ['plots', 'plots'], ['staff', 'staff'], [`staff?township=${TOWN}&staff=new`, 'staff'],
    [`staff?team=new`, 'staff'], [`market?township=${TOWN}&month=${MONTH}&date=${BOOKED}`, 'market'], ['day', 'day']];
  const someone = (await apiAs(TOK.planner, 'GET', '/staff?township=' + TOWN)).body.items[0];
  const team = (await apiAs(TOK.planner, 'GET', '/teams')).body.items.find((x) => x.home_code.startsWith(TOWN.slice(0, 9)));
  pages.push([`staff?township=${TOWN}&staff=${someone.id}`, 'staff'], [`staff?township=${TOWN}&team=${team.id}`, 'staff']);
  for (const [hash, name] of pages) {
    await open(page, hash, name);
    await axe(page, hash, width);
    if (name === 'staff' || name === 'market') await shot(page, name + '-' + hash.split(/[?=&]/).slice(-1)[0], width);
  }
  const s = await (await browser.newContext({ viewport: { width, height: 800 } })).newPage();
  await s.goto(BASE + '/');
  await s.waitForSelector('#token');
  await axe(s, 'sign-in', width);
  await s.goto(BASE + '/field/');
  await s.waitForLoadState('networkidle');
  await axe(s, 'field sign-in', width);
  await s.context().close();
}

for (const width of [1280, 360]) {
  const { context, page } = await session(width, 'planner');
  await signIn(page, TOK.planner, 'circuits');
  check(await page.locator('#nav-staff').count() === 1, 'the planner sees the staff page in the menu');
  await axePass(page, width);
  if (width === 1280) {
    await staffFlow(page, width);
    await routeSheetFlow(page);
    await leaveFlow(page, width);
    await marketFlow(page, width);
  }
  await context.close();
  if (width === 360) await expiryFlow(width);
}
await browser.close();
if (failures.length) { console.error(`${failures.length} failure(s)`); process.exit(1); }
console.log(`all ${steps} workbench checks passed`);
