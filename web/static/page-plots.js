// Plots: served requests per township per week, travel hours per team, waiting days of open requests.
import { api, qs } from './api.js';
import { t } from './i18n.js';
import { h, today, palette } from './util.js';
import { ctx, byId } from './app.js';

export async function render(main) {
  main.append(h('h1', {}, t('plot.title')));
  const towns = await byId('townships');
  const teams = await byId('teams');
  const [done, open, plans] = await Promise.all([
    api('/requests' + qs({ status: 'done', limit: 1000 })),
    api('/requests' + qs({ status: 'pending,planned,failed,follow_up', limit: 1000 })),
    api('/circuit-plans' + qs({ limit: 1 }))]);
  // Served per township per ISO week (week of the change to done).
  const weeks = new Map();
  for (const r of done.items) {
    const ev = (r.history || []).filter((e) => e.to === 'done').at(-1);
    const w = monday((ev ? ev.at : r.updated_at).slice(0, 10));
    const k = (towns.get(r.township_id) || {}).name || r.township_id;
    if (!weeks.has(k)) weeks.set(k, new Map());
    weeks.get(k).set(w, (weeks.get(k).get(w) || 0) + 1);
  }
  const allWeeks = [...new Set([...weeks.values()].flatMap((m) => [...m.keys()]))].sort();
  const rows = [...weeks].map(([k, m]) => [k, allWeeks.map((w) => m.get(w) || 0)]);
  main.append(chart(t('plot.served'), rows, allWeeks.map((w) => w.slice(5))));
  // Travel hours per team from the newest plan's loads.
  let loads = [];
  if (plans.items[0]) { const v = await api('/circuit-plans/' + plans.items[0].id); loads = (v.loads || []).filter((l) => l.travel_minutes > 0); }
  main.append(chart(t('plot.travel') + (plans.items[0] ? ` (${plans.items[0].from} – ${plans.items[0].to})` : ''),
    loads.sort((a, b) => b.travel_minutes - a.travel_minutes).slice(0, 30).map((l) => [(teams.get(l.team_id) || {}).name || l.team_id, [Math.round(l.travel_minutes / 6) / 10]]), ['h']));
  // Waiting days of open requests.
  const bins = [[0, 7], [8, 14], [15, 30], [31, 60], [61, 100000]];
  const now = Date.parse(today() + 'T00:00:00Z');
  const counts = bins.map(() => 0);
  for (const r of open.items) {
    const d = Math.floor((now - Date.parse(r.created_at.slice(0, 10) + 'T00:00:00Z')) / 864e5);
    counts[bins.findIndex(([a, b]) => d >= a && d <= b)]++;
  }
  main.append(chart(t('plot.wait'), bins.map(([a, b], i) => [b > 1000 ? `> ${a - 1} ${t('plot.days')}` : `${a}–${b} ${t('plot.days')}`, [counts[i]]]), ['n']));
}

function monday(d) { const x = new Date(d + 'T00:00:00Z'); x.setUTCDate(x.getUTCDate() - (x.getUTCDay() + 6) % 7); return x.toISOString().slice(0, 10); }

// chart draws horizontal bars (one row per label, one bar per series) as SVG; it scales to any width.
function chart(title, rows, series) {
  const sec = h('section', { class: 'card plot' }, h('h2', {}, title));
  if (!rows.length) { sec.append(h('p', { class: 'muted' }, t('plot.nodata'))); return sec; }
  const max = Math.max(1, ...rows.flatMap(([, v]) => v));
  const bh = 14, gap = 8, lw = 140, W = 600;
  const H = rows.length * (series.length * bh + gap) + 20;
  const svg = h('svg:svg', { viewBox: `0 0 ${W} ${H}`, class: 'chart', role: 'img', 'aria-label': title });
  let y = 10;
  for (const [lbl, vals] of rows) {
    const short = lbl.length > 11 ? lbl.slice(0, 10) + '…' : lbl;
    svg.append(h('svg:text', { x: lw - 6, y: y + bh * series.length / 2 + 4, 'text-anchor': 'end', 'font-size': 12 }, short, h('svg:title', {}, lbl)));
    vals.forEach((v, i) => {
      const w = (W - lw - 50) * v / max;
      svg.append(h('svg:rect', { x: lw, y: y + i * bh, width: Math.max(w, 0.5), height: bh - 2, fill: palette[i % palette.length] }, h('svg:title', {}, `${lbl} ${series[i]}: ${v}`)));
      svg.append(h('svg:text', { x: lw + w + 4, y: y + i * bh + bh - 4, 'font-size': 11 }, String(v)));
    });
    y += series.length * bh + gap;
  }
  sec.append(svg);
  if (series.length > 1) sec.append(h('p', { class: 'legend small' }, series.map((s, i) => h('span', { class: 'swatch', 'data-c': palette[i % palette.length] }, ''), ' ').flat(), series.join(' · ')));
  for (const sw of sec.querySelectorAll('[data-c]')) sw.style.background = sw.dataset.c;
  return sec;
}
