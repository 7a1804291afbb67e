// API client: the token lives in sessionStorage and goes out as a Bearer header.
const KEY = 'xh.token';
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

/** api calls /api/v1 + path; body (object) is sent as JSON. Resolves to parsed JSON or text. */
export async function api(path, { method = 'GET', body, raw = false } = {}) {
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
  if (res.status === 401 && path !== '/me') { setToken(''); location.hash = '#/signin'; }
  if (!res.ok) { let b = null; try { b = await res.json(); } catch { /* not JSON */ } throw new ApiError(res.status, b); }
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
