// API client: the token lives in sessionStorage and goes out as a Bearer header.
import { signInAgain } from './signin-again.js';

const KEY = 'xh.token';
let user = '';
/** setUser records who is signed in, so that signing in again mid-edit must be the same person. */
export function setUser(id) { user = id || ''; }
export function token() { return sessionStorage.getItem(KEY) || ''; }
export function setToken(v) { if (v) sessionStorage.setItem(KEY, v); else sessionStorage.removeItem(KEY); }

/** ApiError carries the API's error body ({code, message, field}). */
export class ApiError extends Error {
  constructor(status, body) {
    const e = (body && body.error) || {};
    super(e.message || ('HTTP ' + status));
    this.status = status; this.code = e.code; this.field = e.field; this.requestId = e.request_id; this.body = body;
  }
}

/** api calls /api/v1 + path; body (object) is sent as JSON. Resolves to parsed JSON, or text (raw), or a Blob (blob). */
export async function api(path, { method = 'GET', body, raw = false, blob = false } = {}) {
  const headers = { Authorization: 'Bearer ' + token() };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let res;
  // A 429 names how long to wait (Retry-After, seconds): wait it out a few times before giving up.
  for (let attempt = 0; ; attempt++) {
    res = await fetch('/api/v1' + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    if (res.status !== 429 || attempt >= 3) break;
    const wait = Math.min(10, Math.max(1, Number(res.headers.get('Retry-After')) || 1));
    await new Promise((r) => setTimeout(r, wait * 1000));
  }
  // A token that expired mid-edit: ask for a new one over the page (the form keeps what was typed)
  // and send the same request again. Dismissed, the page stays as it is and shows the 401.
  if (res.status === 401 && path !== '/me') {
    const tok = await signInAgain(user);
    if (tok) { setToken(tok); return api(path, { method, body, raw, blob }); }
  }
  if (!res.ok) { let b = null; try { b = await res.json(); } catch { /* not JSON */ } throw new ApiError(res.status, b); }
  if (blob) return res.blob();
  if (raw) return res.text();
  const ct = res.headers.get('Content-Type') || '';
  return ct.includes('json') ? res.json() : res.text();
}

/** qs builds a query string from the non-empty fields of o. */
export function qs(o) {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(o)) if (v !== undefined && v !== null && v !== '') p.set(k, v);
  const s = p.toString();
  return s ? '?' + s : '';
}

/**
 * events reads the server-sent events of path (fetch, so that the Bearer header goes out; EventSource
 * cannot send it) and calls onEvent(name, data) for each; resolves when the stream ends.
 */
export async function events(path, onEvent, signal) {
  const res = await fetch('/api/v1' + path, { headers: { Authorization: 'Bearer ' + token(), Accept: 'text/event-stream' }, signal });
  if (!res.ok || !res.body) { let b = null; try { b = await res.json(); } catch { /* not JSON */ } throw new ApiError(res.status, b); }
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buf = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buf += value;
    let cut;
    while ((cut = buf.indexOf('\n\n')) >= 0) {
      const chunk = buf.slice(0, cut); buf = buf.slice(cut + 2);
      let name = 'message', data = '';
      for (const line of chunk.split('\n')) {
        const i = line.indexOf(':');
        if (i < 0) continue;
        const k = line.slice(0, i), v = line.slice(i + 1).replace(/^ /, '');
        if (k === 'event') name = v; else if (k === 'data') data += (data ? '\n' : '') + v;
      }
      let parsed = data;
      try { parsed = JSON.parse(data); } catch { /* plain text */ }
      onEvent(name, parsed);
    }
  }
}
