// Hand edits of a draft circuit plan: pick a visit on the board, check a move on the server
// (feasible or not, which rule breaks and where, travel and lateness change), apply it,
// remove or pin it; assign an unassigned request from a suggested slot; undo the last edit.
import { api } from './api.js';
import { t } from './i18n.js';
import { h, clear, field, select, showError, toast, dayRange, hm } from './util.js';
import { go } from './app.js';

const enc = encodeURIComponent;

/** editor builds the edit panel of plan v (a draft) and returns pick(visit) for the board. */
export function editor(v, teams, villages) {
  const id = v.plan.id;
  const days = dayRange(v.plan.from, v.plan.to);
  const box = h('section', { class: 'card', id: 'cir-edit', 'aria-live': 'polite' }, h('h2', {}, t('ed.title')),
    h('p', { class: 'muted' }, t('ed.help')));
  const edits = ((v.plan.summary || {}).edits || []).filter((e) => e.edit.op !== 'undo' && !e.undone);
  if (edits.length) {
    box.append(h('button', { type: 'button', id: 'cir-undo', onclick: () => send(`/circuit-plans/${enc(id)}/edits/undo`, { version: v.plan.version }, box) },
      `${t('ed.undo')} (${edits.length})`));
  }
  const panel = h('div', { id: 'ed-panel' });
  box.append(panel);
  const teamOpts = [...teams.values()].sort((a, b) => a.id.localeCompare(b.id)).map((x) => [x.id, `${x.name} (${x.id})`]);
  function pick(visit) {
    clear(panel);
    const vil = (villages.get(visit.stop.village_id) || {}).short_name || visit.stop.village_id;
    const team = select(teamOpts, visit.team, { id: 'ed-team' });
    const day = select(days.map((d) => [d, d]), visit.date, { id: 'ed-date' });
    const seq = h('input', { id: 'ed-seq', type: 'number', min: 0, max: 50, value: visit.seq, inputmode: 'numeric' });
    const out = h('div', { id: 'ed-eval' });
    const body = (op, extra) => ({ version: v.plan.version, op, team_id: visit.team, date: visit.date, seq: visit.seq, ...extra });
    const target = () => ({ to_team_id: team.value, to_date: day.value, to_seq: Number(seq.value) || 0 });
    panel.append(h('p', {}, h('strong', {}, `${(teams.get(visit.team) || {}).name || visit.team} ${visit.date} #${visit.seq}`),
      ` ${hm(visit.stop.start)} ${vil} · ${visit.stop.request_ids.join(', ')}${visit.stop.locked ? ' · ' + t('ed.pinned') : ''}`),
    h('div', { class: 'toolbar' }, field(t('ed.toteam'), team), field(t('ed.todate'), day), field(t('ed.toseq'), seq)),
    h('div', { class: 'toolbar' },
      h('button', { type: 'button', id: 'ed-check', onclick: async () => {
        clear(out); out.append(h('p', { class: 'muted' }, t('common.loading')));
        try { const r = await api(`/circuit-plans/${enc(id)}/edits?dry_run=true`, { method: 'POST', body: body('move', target()) }); clear(out); out.append(evaluation(r.evaluation, teams)); }
        catch (err) { clear(out); showError(out, err); }
      } }, t('ed.check')),
      h('button', { type: 'button', class: 'primary', id: 'ed-apply', onclick: () => send(`/circuit-plans/${enc(id)}/edits`, body('move', target()), out) }, t('ed.apply')),
      h('button', { type: 'button', id: 'ed-pin', onclick: () => send(`/circuit-plans/${enc(id)}/edits`, body(visit.stop.locked ? 'unpin' : 'pin'), out) },
        t(visit.stop.locked ? 'ed.unpin' : 'ed.pin')),
      h('button', { type: 'button', id: 'ed-remove', onclick: () => send(`/circuit-plans/${enc(id)}/edits`, body('remove'), out) }, t('ed.remove'))),
    out);
    team.focus();
  }
  /** suggest offers the best slots for an unassigned request; a click assigns it there. */
  async function suggest(rid, where) {
    clear(where); where.append(h('span', { class: 'muted' }, t('common.loading')));
    try {
      const r = await api(`/circuit-plans/${enc(id)}/slots?request=${enc(rid)}`);
      clear(where);
      if (!r.slots.length) { where.append(h('span', { class: 'muted' }, `${t('ed.noslot')}: ${t('code.' + r.reason)}`)); return; }
      for (const s of r.slots) {
        where.append(h('button', { type: 'button', class: 'slot', onclick: () => send(`/circuit-plans/${enc(id)}/edits`,
          { version: v.plan.version, op: 'assign', request_id: rid, to_team_id: s.team_id, to_date: s.date, to_seq: s.seq }, where) },
        `${(teams.get(s.team_id) || {}).name || s.team_id} ${s.date.slice(5)} #${s.seq} ${hm(s.start)} (+${Math.round(s.extra_travel_seconds / 60)} ${t('ed.min')})`));
      }
    } catch (err) { clear(where); showError(where, err); }
  }
  async function send(path, body, out) {
    try {
      const r = await api(path, { method: 'POST', body });
      toast(`${t('ed.saved')} · ${t('ed.travel')} ${signed(Math.round(r.evaluation.travel_delta_seconds / 60))} ${t('ed.min')}`);
      go('circuits', { plan: id, t: Date.now() });
    } catch (err) {
      clear(out);
      if (err.body && err.body.evaluation) {
        out.append(evaluation(err.body.evaluation, teams));
        showError(out, { message: t('ed.refused'), requestId: err.requestId });
      } else showError(out, err);
    }
  }
  return { box, pick, suggest };
}

function signed(n) { return n > 0 ? '+' + n : String(n); }

/** evaluation shows feasibility, the broken rules in words and where, and the travel and lateness change. */
export function evaluation(ev, teams) {
  const el = h('div', { class: 'evaluation ' + (ev.feasible ? 'ok' : 'bad') },
    h('p', {}, h('strong', {}, t(ev.feasible ? 'ed.feasible' : 'ed.infeasible')),
      h('span', { class: 'travel' }, ` · ${t('ed.travel')} ${signed(Math.round(ev.travel_delta_seconds / 60))} ${t('ed.min')}`),
      ` · ${t('ed.late')} ${signed(ev.late_minutes_delta)} ${t('ed.min')}`));
  if (ev.violations.length) {
    const ul = h('ul', { class: 'violations' });
    for (const x of ev.violations.slice(0, 20)) {
      ul.append(h('li', { class: 'violation', 'data-rule': x.rule }, h('strong', {}, t('rule.' + x.rule)),
        ` — ${(teams.get(x.team_id) || {}).name || x.team_id} ${x.date}${x.seq ? ' #' + x.seq : ''}${x.request_id ? ' · ' + x.request_id : ''}`));
    }
    el.append(ul);
  }
  return el;
}
