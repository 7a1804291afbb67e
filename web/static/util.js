// DOM and date helpers. Data is only ever inserted as text, never as HTML.
import { t } from './i18n.js';
/** h creates an element: h('a', {href, class, onclick}, child, ...). Strings become text nodes. */
export function h(tag, attrs, ...kids) {
  const el = tag.startsWith('svg:') ? document.createElementNS('http://www.w3.org/2000/svg', tag.slice(4)) : document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'text') el.textContent = v;
    else el.setAttribute(k, v === true ? '' : v);
  }
  for (const c of kids.flat()) if (c !== null && c !== undefined && c !== false) el.append(c instanceof Node ? c : String(c));
  return el;
}
export function clear(el) { while (el.firstChild) el.firstChild.remove(); return el; }
let toastTimer;
export function toast(msg, bad) {
  const el = document.getElementById('toast');
  el.textContent = msg; el.className = bad ? 'show bad' : 'show';
  clearTimeout(toastTimer); toastTimer = setTimeout(() => { el.className = ''; }, 4000);
}
/** today is the civil date in Asia/Shanghai as YYYY-MM-DD. */
export function today() { return new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 10); }
export function addDays(d, n) { const x = new Date(d + 'T00:00:00Z'); x.setUTCDate(x.getUTCDate() + n); return x.toISOString().slice(0, 10); }
export function weekday(d) { return (new Date(d + 'T00:00:00Z').getUTCDay() + 6) % 7; } // 0 = Monday
/** nextMonday is the Monday after d (or d itself when d is a Monday). */
export function nextMonday(d) { const w = weekday(d); return w === 0 ? d : addDays(d, 7 - w); }
export function hm(min) { return String(Math.floor(min / 60)).padStart(2, '0') + ':' + String(min % 60).padStart(2, '0'); }
export function dayRange(from, to) { const out = []; for (let d = from; d <= to && out.length < 62; d = addDays(d, 1)) out.push(d); return out; }
/** palette gives distinct colours for routes (team × day). */
export const palette = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#17becf', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#393b79', '#637939', '#8c6d31', '#843c39', '#7b4173', '#3182bd', '#e6550d', '#31a354', '#756bb1', '#636363'];
export function field(label, input) { return h('label', { class: 'field' }, h('span', {}, label), input); }
export function select(options, value, attrs) {
  const s = h('select', attrs || {});
  for (const [v, l] of options) { const o = h('option', { value: v }, l); if (v === value) o.selected = true; s.append(o); }
  return s;
}
/** errorText is err in the page's language: the sentence for its code (and field), with the field named. */
export function errorText(err) {
  if (!err || !err.code) return (err && err.message) || String(err);
  const own = t('err.' + err.code + '.' + err.field);
  let s = own !== 'err.' + err.code + '.' + err.field ? own : t('err.' + err.code);
  if (s === 'err.' + err.code) s = err.message;
  if (err.field && own.startsWith('err.')) s += ` (${t('err.field')}: ${t('fld.' + err.field).replace(/^fld\./, '')})`;
  return s;
}
/** showError shows err in the page's language with its request id; the server's own words stay one click away. */
export function showError(el, err) {
  const detail = err && err.code && err.message ? h('details', { class: 'small' }, h('summary', {}, t('err.detail')), h('span', { lang: 'en' }, err.message)) : '';
  el.append(h('div', { class: 'error', role: 'alert' }, h('p', {}, errorText(err),
    err && err.requestId ? h('span', { class: 'rid', title: t('err.rid') }, ` [${err.requestId}]`) : ''), detail));
}
