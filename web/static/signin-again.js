// Signing in again mid-edit: a 401 opens this dialog over the page, so the form being filled in
// stays exactly as typed; api.js then sends the refused request again with the new token.
import { t } from './i18n.js';
import { h } from './util.js';

let pending = null;
/** signInAgain asks for a token once for all requests refused together; resolves to the token
 *  (checked with /me, and the same user as before when known) or null when the user dismisses it. */
export function signInAgain(expectUser) {
  if (!pending) pending = ask(expectUser).finally(() => { pending = null; });
  return pending;
}

function ask(expectUser) {
  return new Promise((resolve) => {
    const input = h('input', { id: 're-token', type: 'password', autocomplete: 'current-password', required: true, spellcheck: 'false' });
    const msg = h('p', { class: 'error', role: 'alert', id: 're-msg' });
    const dlg = h('dialog', { id: 'reauth', class: 'card', 'aria-labelledby': 're-title' });
    let token = null;
    const submit = async (e) => {
      e.preventDefault(); msg.textContent = '';
      const tok = input.value.trim();
      const res = await fetch('/api/v1/me', { headers: { Authorization: 'Bearer ' + tok } }).catch(() => null);
      if (!res || !res.ok) { msg.textContent = t('signin.bad'); return; }
      const me = (await res.json()).user;
      if (expectUser && me.id !== expectUser) { msg.textContent = t('re.other'); return; }
      token = tok; dlg.close();
    };
    dlg.append(h('form', { class: 'stack', onsubmit: submit },
      h('h2', { id: 're-title' }, t('re.title')), h('p', {}, t('re.help')),
      h('label', { class: 'field' }, h('span', {}, t('signin.token')), input), msg,
      h('div', { class: 'toolbar' }, h('button', { type: 'submit', class: 'primary', id: 're-go' }, t('re.go')),
        h('button', { type: 'button', id: 're-cancel', onclick: () => dlg.close() }, t('common.cancel')))));
    dlg.addEventListener('close', () => { dlg.remove(); resolve(token); });
    document.body.append(dlg);
    dlg.showModal();
    input.focus();
  });
}
