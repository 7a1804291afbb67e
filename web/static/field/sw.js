// Service worker of the field app: keeps the app shell so that the app opens
// with no network; the synced week and the outbox live in IndexedDB (field.js).
// VERSION is replaced by the server with a hash of the shell's files.
const VERSION = 'dev';
const SHELL = ['/field/', '/field/field.js?v=dev', '/field/field.css?v=dev', '/field/manifest.webmanifest', '/field/icon-192.png', '/field/icon-512.png'];
const CACHE = 'xh-field-' + VERSION;

self.addEventListener('install', (e) => {
  e.waitUntil(caches.open(CACHE).then((c) => c.addAll(SHELL)).then(() => self.skipWaiting()));
});
self.addEventListener('activate', (e) => {
  e.waitUntil(caches.keys().then((ks) => Promise.all(ks.filter((k) => k.startsWith('xh-field-') && k !== CACHE).map((k) => caches.delete(k))))
    .then(() => self.clients.claim()));
});
// The shell is served from the cache (the page itself by its path, whatever
// the query); everything else, the API included, goes to the network.
self.addEventListener('fetch', (e) => {
  const url = new URL(e.request.url);
  if (e.request.method !== 'GET' || url.origin !== location.origin || !url.pathname.startsWith('/field/') || url.pathname === '/field/sw.js') return;
  const key = e.request.mode === 'navigate' ? '/field/' : e.request;
  e.respondWith(caches.open(CACHE).then((c) => c.match(key).then((hit) => hit || fetch(e.request))));
});
