// Staff and teams: planners add and edit people (skills, weekly shifts) and teams (members, hours);
// planners and coordinators record leave on the same /absences calendar the planners plan around.
// Every edit sends the version read, so a concurrent edit is refused (409) instead of overwritten.
import { api, qs } from './api.js';
import { t } from './i18n.js';
import { h, clear, field, select, showError, toast, today, addDays, hm } from './util.js';
import { ctx, ref, go } from './app.js';

const ROLES = ['county_expert', 'desk_officer', 'village_agent', 'grid_worker'];
const SKILLS = ['general', 'civil_affairs', 'medical_security', 'social_security', 'education', 'health', 'public_security',
  'agriculture', 'forestry', 'disability', 'natural_resources', 'housing_construction', 'veterans_affairs'];
const KINDS = ['leave', 'sick', 'training', 'other'];
const WEEK = [1, 2, 3, 4, 5, 6, 0]; // Go weekdays, Monday first

const planner = () => ctx.me.role === 'admin' || ctx.me.role === 'county_planner';
const minutes = (v) => { const [a, b] = String(v || '0:0').split(':').map(Number); return a * 60 + b; };

export async function render(main, params) {
  const towns = await ref('townships');
  const town = ctx.me.role === 'township_coordinator' ? ctx.me.township_id : (params.get('township') || '');
  main.append(h('h1', {}, t('sf.title')));
  const townSel = select([['', t('common.all')], ...towns.map((x) => [x.id, x.name])], town, { id: 'sf-township', disabled: !planner() });
  townSel.addEventListener('change', () => go('staff', { township: townSel.value }));
  const tools = h('div', { class: 'toolbar' }, field(t('common.township'), townSel));
  if (planner()) {
    tools.append(h('button', { type: 'button', id: 'sf-new', onclick: () => go('staff', { township: town, staff: 'new' }) }, t('sf.new')),
      h('button', { type: 'button', id: 'sf-newteam', onclick: () => go('staff', { township: town, team: 'new' }) }, t('sf.newteam')));
  }
  main.append(tools);
  const [staff, teams] = await Promise.all([api('/staff' + qs({ township: town })), api('/teams')]);
  const people = staff.items || [];
  const shownTeams = (teams.items || []).filter((x) => !town || x.home_code.startsWith(town.slice(0, 9)));
  const layout = h('div', { class: 'split' });
  const lists = h('div', {});
  const side = h('section', { class: 'card', id: 'sf-side', 'aria-live': 'polite' });
  layout.append(lists, side);
  main.append(layout);
  lists.append(staffTable(people, town), teamTable(shownTeams, town));
  if (town) lists.append(routeSheets(town, towns.find((x) => x.id === town)));
  const sid = params.get('staff'), tid = params.get('team');
  if (sid === 'new' && planner()) staffForm(side, null, town);
  else if (sid) { const st = await api('/staff/' + encodeURIComponent(sid)); staffForm(side, st, town); await absences(side, st); }
  else if (tid === 'new' && planner()) teamForm(side, null, people, town, await ref('service-points'));
  else if (tid) teamForm(side, await api('/teams/' + encodeURIComponent(tid)), people, town, await ref('service-points'));
  else side.append(h('p', { class: 'muted' }, t('sf.pick')));
}

function staffTable(people, town) {
  const rows = people.map((s) => h('tr', {},
    h('td', {}, h('a', { href: '#/staff?' + new URLSearchParams({ township: town, staff: s.id }), 'data-staff': s.id }, s.name)),
    h('td', {}, t('role.s.' + s.role)), h('td', {}, s.skills.map((k) => t('skill.' + k)).join('、'))));
  return h('section', { class: 'card', 'aria-labelledby': 'sf-staff-h' }, h('h2', { id: 'sf-staff-h' }, `${t('sf.staff')} (${people.length})`),
    h('div', { class: 'scroll' }, h('table', { class: 'board', id: 'sf-staff' },
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t('req.name')), h('th', { scope: 'col' }, t('sf.role')), h('th', { scope: 'col' }, t('sf.skills')))),
      h('tbody', {}, rows))));
}

function teamTable(teams, town) {
  return h('section', { class: 'card', 'aria-labelledby': 'sf-teams-h' }, h('h2', { id: 'sf-teams-h' }, `${t('sf.teams')} (${teams.length})`),
    h('ul', { id: 'sf-teams', class: 'plain' }, teams.map((x) => h('li', {},
      h('a', { href: '#/staff?' + new URLSearchParams({ township: town, team: x.id }), 'data-team': x.id }, x.name),
      ` · ${t('sf.level.' + x.level)} · ${x.member_ids.length} ${t('sf.people')} · ${hm(x.day_start)}–${hm(x.day_end)}`))));
}

/** routeSheets downloads the township's weekly route-sheet workbook (published routes, one sheet per team). */
function routeSheets(town, tw) {
  const from = h('input', { type: 'date', id: 'rs-from', value: today(), required: true });
  const msg = h('div', { id: 'rs-msg' });
  const get = async (e) => {
    e.preventDefault(); clear(msg);
    try {
      const b = await api(`/townships/${town}/route-sheets.xlsx` + qs({ from: from.value }), { blob: true });
      const url = URL.createObjectURL(b);
      const a = h('a', { href: url, download: `route-sheets-${town}-${from.value}.xlsx` });
      document.body.append(a); a.click(); a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10000);
    } catch (err) { showError(msg, err); }
  };
  return h('section', { class: 'card', 'aria-labelledby': 'rs-h' }, h('h2', { id: 'rs-h' }, `${t('rs.title')} · ${tw ? tw.name : town}`),
    h('p', { class: 'muted small' }, t('rs.help')),
    h('form', { class: 'toolbar', id: 'rs-form', onsubmit: get }, field(t('cir.from'), from), h('button', { type: 'submit', id: 'rs-get' }, t('rs.get'))), msg);
}

/** staffForm edits one person (st null: a new one). Coordinators see it read-only. */
function staffForm(side, st, town) {
  const ro = !planner();
  const s = st || { id: '', name: '', role: 'desk_officer', skills: ['general'], home_code: town, availability: WEEK.slice(0, 5).map((d) => ({ weekday: d, from: 540, to: 1020 })) };
  const id = h('input', { id: 'sf-id', value: s.id, required: true, disabled: !!st || ro, maxlength: 64 });
  const name = h('input', { id: 'sf-name', value: s.name, required: true, disabled: ro, maxlength: 100 });
  const role = select(ROLES.map((r) => [r, t('role.s.' + r)]), s.role, { id: 'sf-role', disabled: ro });
  const home = h('input', { id: 'sf-home', value: s.home_code, required: true, disabled: ro, inputmode: 'numeric', maxlength: 12 });
  const dept = h('input', { id: 'sf-dept', value: s.department || '', disabled: ro, maxlength: 100 });
  const phone = h('input', { id: 'sf-phone', value: s.phone || '', disabled: ro, type: 'tel', maxlength: 20 });
  const maxDays = h('input', { id: 'sf-maxdays', type: 'number', min: 0, max: 7, value: s.max_days_per_week || 0, disabled: ro });
  const skills = h('fieldset', { class: 'checks', id: 'sf-skills' }, h('legend', {}, t('sf.skills')),
    SKILLS.map((k) => h('label', {}, h('input', { type: 'checkbox', value: k, checked: s.skills.includes(k), disabled: ro }), t('skill.' + k))));
  const byDay = new Map(s.availability.map((w) => [w.weekday, w]));
  const shifts = h('fieldset', { class: 'shifts', id: 'sf-shifts' }, h('legend', {}, t('sf.shifts')), WEEK.map((d) => {
    const w = byDay.get(d);
    const lab = t('sf.wd')[d];
    return h('div', { class: 'shift', 'data-wd': d },
      h('label', {}, h('input', { type: 'checkbox', class: 'on', checked: !!w, disabled: ro }), lab),
      h('input', { type: 'time', class: 'from', value: hm(w ? w.from : 540), disabled: ro, 'aria-label': lab + ' ' + t('cir.from') }),
      h('input', { type: 'time', class: 'to', value: hm(w ? Math.min(w.to, 1439) : 1020), disabled: ro, 'aria-label': lab + ' ' + t('cir.to') }));
  }));
  const msg = h('div', { id: 'sf-msg' });
  const save = async (e) => {
    e.preventDefault(); clear(msg);
    const body = { ...s, id: id.value.trim(), name: name.value.trim(), role: role.value, home_code: home.value.trim(), department: dept.value.trim(),
      phone: phone.value.trim(), max_days_per_week: Number(maxDays.value) || 0,
      skills: [...skills.querySelectorAll('input:checked')].map((x) => x.value),
      availability: [...shifts.querySelectorAll('.shift')].filter((r) => r.querySelector('.on').checked)
        .map((r) => ({ weekday: Number(r.dataset.wd), from: minutes(r.querySelector('.from').value), to: minutes(r.querySelector('.to').value) })) };
    try {
      const got = st ? await api('/staff/' + encodeURIComponent(st.id), { method: 'PUT', body })
        : await api('/staff', { method: 'POST', body });
      toast(t('req.saved') + ' ✓');
      delete ctx.cache.staff; // other pages read the list once per sign-in
      go('staff', { township: town, staff: got.id, v: got.version });
    } catch (err) { showError(msg, err); }
  };
  side.append(h('h2', {}, st ? `${s.name} (${s.id}) · v${s.version}` : t('sf.new')),
    h('form', { class: 'stack', id: 'sf-form', onsubmit: save }, field(t('req.id'), id), field(t('req.name'), name), field(t('sf.role'), role),
      field(t('sf.home'), home), field(t('sf.dept'), dept), field(t('req.phone') + t('common.optional'), phone), skills, shifts,
      field(t('sf.maxdays'), maxDays), ro ? '' : h('button', { type: 'submit', class: 'primary', id: 'sf-save' }, t('common.save')), msg));
}

/** absences lists a person's leave around today and records a new one (the /absences calendar). */
async function absences(side, st) {
  const from = addDays(today(), -30), to = addDays(today(), 120);
  const box = h('section', { id: 'sf-absences', 'aria-labelledby': 'sf-abs-h' }, h('h3', { id: 'sf-abs-h' }, t('sf.leave')));
  side.append(box);
  let list;
  try { list = (await api('/absences' + qs({ staff: st.id, from, to }))).items || []; } catch (err) { showError(box, err); return; }
  box.append(h('ul', { class: 'plain' }, list.length ? list.map((a) => h('li', {}, `${a.from} – ${a.to} · ${t('ab.' + a.kind)} · ${a.reason}`)) : h('li', { class: 'muted' }, t('common.none'))));
  const f = h('input', { type: 'date', id: 'ab-from', value: today(), required: true });
  const tt = h('input', { type: 'date', id: 'ab-to', value: today(), required: true });
  const kind = select(KINDS.map((k) => [k, t('ab.' + k)]), 'leave', { id: 'ab-kind' });
  const reason = h('input', { id: 'ab-reason', required: true, maxlength: 200 });
  const msg = h('div', { id: 'ab-msg' });
  const add = async (e) => {
    e.preventDefault(); clear(msg);
    try {
      const r = await api('/absences', { method: 'POST', body: { staff_id: st.id, from: f.value, to: tt.value, kind: kind.value, reason: reason.value.trim() } });
      toast(t('req.saved') + ' ✓');
      const plans = [...new Set((r.affected || []).map((c) => c.plan_id))];
      box.append(h('div', { class: 'card warnbox', role: 'status', id: 'ab-affected' },
        h('p', {}, plans.length ? `${t('ab.affected')} (${r.affected.length})` : t('ab.noaffected')),
        h('ul', {}, (r.affected || []).map((c) => h('li', {}, `${c.date} · ${c.kind === 'circuit' ? t('common.team') : t('mk.desk')} ${c.ref}`))),
        plans.map((p) => h('a', { class: 'btn', href: (r.affected.find((c) => c.plan_id === p).kind === 'circuit' ? '#/circuits?plan=' : '#/market?plan=') + encodeURIComponent(p) }, `${t('ab.open')} ${p}`))));
    } catch (err) { showError(msg, err); }
  };
  box.append(h('form', { class: 'stack', id: 'ab-form', onsubmit: add }, h('div', { class: 'toolbar' }, field(t('cir.from'), f), field(t('cir.to'), tt), field(t('ab.kind'), kind)),
    field(t('mk.reason'), reason), h('button', { type: 'submit', class: 'primary', id: 'ab-add' }, t('ab.add')), msg));
}

/** teamForm edits a team's name, hours and members (t null: a new team). Coordinators see it read-only. */
function teamForm(side, tm, people, town, points) {
  const ro = !planner();
  const x = tm || { id: '', name: '', level: 'township', home_code: town, home_point_id: '', member_ids: [], travel_mode: 'car', day_start: 510, day_end: 1050, lunch_start: 720, lunch_end: 780 };
  const id = h('input', { id: 'tm-id', value: x.id, required: true, disabled: !!tm || ro, maxlength: 64 });
  const name = h('input', { id: 'tm-name', value: x.name, required: true, disabled: ro, maxlength: 100 });
  const level = select(['county', 'township', 'village'].map((l) => [l, t('sf.level.' + l)]), x.level, { id: 'tm-level', disabled: !!tm || ro });
  const home = h('input', { id: 'tm-home', value: x.home_code, required: true, disabled: !!tm || ro });
  // The base is a service point (county centre, township centre or village room); it sets the home code.
  const near = points.filter((p) => !town || p.code.startsWith(town.slice(0, 9)) || p.circle === 'county' || p.id === x.home_point_id);
  const point = select([['', '—'], ...near.map((p) => [p.id, `${p.name} (${p.id})`])], x.home_point_id, { id: 'tm-point', required: true, disabled: ro });
  point.addEventListener('change', () => { const p = points.find((q) => q.id === point.value); if (p && !tm) home.value = p.code; });
  const times = ['day_start', 'day_end', 'lunch_start', 'lunch_end'].map((k) => [k, h('input', { type: 'time', id: 'tm-' + k, value: hm(x[k]), disabled: ro })]);
  const members = [...x.member_ids];
  const names = new Map(people.map((p) => [p.id, p.name]));
  const ul = h('ul', { class: 'plain', id: 'tm-members' });
  const draw = () => {
    clear(ul);
    for (const m of members) {
      ul.append(h('li', { 'data-member': m }, `${names.get(m) || m} (${m}) `, ro ? '' : h('button', { type: 'button', class: 'small', 'aria-label': `${t('sf.removem')} ${names.get(m) || m}`,
        onclick: () => { members.splice(members.indexOf(m), 1); draw(); } }, t('sf.removem'))));
    }
  };
  draw();
  const addSel = select([['', '—'], ...people.filter((p) => !members.includes(p.id)).map((p) => [p.id, `${p.name} (${p.id})`])], '', { id: 'tm-add' });
  addSel.addEventListener('change', () => { if (addSel.value && !members.includes(addSel.value)) { members.push(addSel.value); draw(); } addSel.value = ''; });
  const msg = h('div', { id: 'tm-msg' });
  const save = async (e) => {
    e.preventDefault(); clear(msg);
    const body = { ...x, id: id.value.trim(), name: name.value.trim(), level: level.value, home_code: home.value.trim(), home_point_id: point.value.trim(), member_ids: members };
    for (const [k, el] of times) body[k] = minutes(el.value);
    try {
      const got = tm ? await api('/teams/' + encodeURIComponent(tm.id), { method: 'PUT', body }) : await api('/teams', { method: 'POST', body });
      toast(t('req.saved') + ' ✓');
      delete ctx.cache.teams;
      go('staff', { township: town, team: got.id, v: got.version });
    } catch (err) { showError(msg, err); }
  };
  side.append(h('h2', {}, tm ? `${x.name} (${x.id}) · v${x.version}` : t('sf.newteam')),
    h('form', { class: 'stack', id: 'tm-form', onsubmit: save }, field(t('req.id'), id), field(t('sf.tname'), name), field(t('sf.tlevel'), level),
      field(t('sf.home'), home), field(t('sf.point'), point), h('div', { class: 'toolbar' }, times.map(([k, el]) => field(t('sf.' + k), el))),
      h('h3', {}, t('sf.members')), ul, ro ? '' : field(t('sf.addm'), addSel),
      ro ? '' : h('button', { type: 'submit', class: 'primary', id: 'tm-save' }, t('common.save')), msg));
}
