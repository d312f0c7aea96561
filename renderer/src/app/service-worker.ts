/** Registers the web flavour's service worker, which keeps the app shell for offline starts. */
export function registerServiceWorker(nav: Navigator, production: boolean): void {
  if (!production || !('serviceWorker' in nav)) return;
  if (!window.isSecureContext) return;
  nav.serviceWorker.register('/sw.js', { scope: '/' }).catch((error: unknown) => {
    console.warn('[plaza] offline support is unavailable:', error);
  });
}
