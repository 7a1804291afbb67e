// Shell: sign-in, role-aware navigation and the hash router.
import { api, token, setToken, setUser } from './api.js';
import { t, getLang, setLang } from './i18n.js';
import { h, clear, showError } from './util.js';

// Pages each role may open (the API enforces the same scopes).
const pages = {
  day: { roles: ['admin', 'county_planner', 'township_coordinator', 'team_member'], load: () => import('./page-day.js') },
  circuits: { roles: ['admin', 'county_planner', 'township_coordinator'], load: () => import('./page-circuits.js') },
  requests: { roles: ['admin', 'county_planner', 'township_coordinator', 'team_member'], load: () => import('./page-requests.js') },
  map: { roles: ['admin', 'county_planner', 'township_coordinator', 'team_member'], load: () => import('./page-map.js') },
  market: { roles: ['admin', 'county_planner', 'township_coordinator'], load: () => import('./page-market.js') },
  staff: { roles: ['admin', 'county_planner', 'township_coordinator'], load: () => import('./page-staff.js') },
  plots: { roles: ['admin', 'county_planner', 'township_coordinator'], load: () => import('./page-plots.js') },
};
const home = { admin: 'circuits', county_planner: 'circuits', township_coordinator: 'market', team_member: 'day' };

/** ctx is shared with the pages: the user and cached reference data. */
export const ctx = { me: null, cache: {} };
/** ref loads a reference list once per sign-in (townships, villages, teams, staff, service-items). */
export async function ref(name) {
  if (!ctx.cache[name]) ctx.cache[name] = api('/' + name).then((b) => b.items || []);
  return ctx.cache[name];
}
/** byId is ref as a Map from id to record. */
export async function byId(name) { const m = new Map(); for (const x of await ref(name)) m.set(x.id, x); return m; }

function parseHash() {
  const [path, query] = location.hash.replace(/^#\/?/, '').split('?');
  return { page: path || '', params: new URLSearchParams(query || '') };
}
/** go navigates to page with params (object). */
export function go(page, params) {
  const q = new URLSearchParams(params || {}).toString();
  location.hash = '#/' + page + (q ? '?' + q : '');
}

function signIn(box) {
  const input = h('input', { id: 'token', type: 'password', autocomplete: 'current-password', required: true, spellcheck: 'false' });
  const msg = h('div');
  const form = h('form', { class: 'card signin', onsubmit: async (e) => {
    e.preventDefault(); clear(msg);
    setToken(input.value.trim());
    try { await loadMe(); go(home[ctx.me.role] || 'day'); } catch { setToken(''); showError(msg, { message: t('signin.bad') }); }
  } },
  h('h1', {}, t('signin.title')), h('p', { class: 'muted' }, t('signin.help')),
  h('label', { class: 'field' }, h('span', {}, t('signin.token')), input),
  h('button', { type: 'submit', class: 'primary', id: 'signin' }, t('signin.go')), msg);
  box.append(form);
  input.focus();
}

async function loadMe() {
  const b = await api('/me');
  ctx.me = b.user; ctx.cache = {};
  setUser(b.user.id);
}

function renderNav(active) {
  const nav = clear(document.getElementById('nav'));
  document.getElementById('lang').textContent = t('lang');
  const so = document.getElementById('signout');
  so.textContent = t('signout'); so.hidden = !ctx.me;
  document.querySelector('.brand').textContent = t('app.title');
  if (!ctx.me) return;
  for (const [name, p] of Object.entries(pages)) {
    if (!p.roles.includes(ctx.me.role)) continue;
    nav.append(h('a', { href: '#/' + name, 'aria-current': name === active ? 'page' : null, id: 'nav-' + name }, t('nav.' + name)));
  }
  nav.append(h('span', { class: 'who' }, ctx.me.name + ' · ' + t('role.' + ctx.me.role)));
}

let generation = 0;
async function route() {
  // Each route renders into its own box: a slower earlier render then only
  // fills a detached box and never mixes with the current page.
  const gen = ++generation;
  const main = document.getElementById('main');
  delete main.dataset.ready;
  const box = h('div', { class: 'view' });
  main.replaceChildren(box);
  const { page, params } = parseHash();
  if (!token()) { ctx.me = null; renderNav(); return signIn(box); }
  if (!ctx.me) { try { await loadMe(); } catch { setToken(''); ctx.me = null; renderNav(); return signIn(box); } }
  if (gen !== generation) return;
  const name = pages[page] && pages[page].roles.includes(ctx.me.role) ? page : home[ctx.me.role];
  if (name !== page) { go(name); return; }
  renderNav(name);
  document.title = t('nav.' + name) + ' · ' + t('app.title');
  try {
    const mod = await pages[name].load();
    await mod.render(box, params);
  } catch (err) { console.error(err); showError(box, err); }
  if (gen === generation) main.dataset.ready = name; // tests wait for this
}

document.getElementById('lang').addEventListener('click', () => { setLang(getLang() === 'en' ? 'zh' : 'en'); route(); });
document.getElementById('signout').addEventListener('click', () => { setToken(''); ctx.me = null; ctx.cache = {}; location.hash = '#/signin'; route(); });
window.addEventListener('hashchange', route);
route();
