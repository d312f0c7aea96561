/**
 * Emits `sw.js` for the web flavour: precaches the built app shell so that the page opens
 * offline, serves navigations network-first (fresh CSP nonce online) and static assets
 * cache-first. API calls, blobs and WebSockets are never intercepted.
 */
import { createHash } from 'node:crypto';
import type { Plugin } from 'vite';

export function serviceWorkerPlugin(): Plugin {
  return {
    name: 'plaza-service-worker',
    apply: 'build',
    generateBundle(_options, bundle) {
      const assets = Object.keys(bundle)
        .filter((file) => !file.endsWith('.map') && file !== 'sw.js')
        .map((file) => `/${file}`)
        .sort();
      const precache = ['/', ...assets.filter((file) => file !== '/index.html'), '/favicon.svg', '/manifest.webmanifest'];
      const version = createHash('sha256').update(precache.join('\n')).update(JSON.stringify(Object.keys(bundle))).digest('hex').slice(0, 16);
      this.emitFile({ type: 'asset', fileName: 'sw.js', source: serviceWorkerSource(version, precache) });
    },
  };
}

export function serviceWorkerSource(version: string, precache: readonly string[]): string {
  return `// Plaza web flavour service worker (generated at build time)
const CACHE = 'plaza-shell-${version}';
const PRECACHE = ${JSON.stringify(precache)};
const PASS_THROUGH = ['/v1/', '/api/', '/blobs/', '/healthz', '/readyz', '/metrics', '/sync/'];

self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(PRECACHE)).then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((key) => key.startsWith('plaza-shell-') && key !== CACHE).map((key) => caches.delete(key))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (PASS_THROUGH.some((prefix) => url.pathname.startsWith(prefix))) return;
  if (request.mode === 'navigate') {
    event.respondWith(
      fetch(request)
        .then((response) => {
          if (response.ok) {
            const copy = response.clone();
            caches.open(CACHE).then((cache) => cache.put('/', copy));
          }
          return response;
        })
        .catch(() => caches.match('/').then((cached) => cached || new Response('Plaza is offline and has not been opened here before.', { status: 503, headers: { 'content-type': 'text/plain' } }))),
    );
    return;
  }
  event.respondWith(caches.match(request).then((cached) => cached || fetch(request)));
});
`;
}
