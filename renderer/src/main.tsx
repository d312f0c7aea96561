import '@mantine/core/styles.css';
import '@mantine/notifications/styles.css';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app/App.tsx';
import { PlazaRuntime } from './app/runtime.ts';
import { registerServiceWorker } from './app/service-worker.ts';
import { detectPlatform } from './platform/index.ts';

function styleNonce(): string | null {
  const value = document.querySelector('meta[name="plaza-style-nonce"]')?.getAttribute('content') ?? '';
  return value && !value.startsWith('__') ? value : null;
}

async function boot(): Promise<void> {
  const platform = detectPlatform(window);
  const serverUrl = await platform.serverUrl();
  // The runtime (session, local database, sync engine) is created once, outside React.
  const runtime = new PlazaRuntime({
    platform,
    serverUrl,
    storage: async () => (await import('rxdb/plugins/storage-dexie')).getRxStorageDexie(),
    localStorage: window.localStorage,
    window,
  });
  void runtime.session.start();
  const root = document.getElementById('root');
  if (!root) throw new Error('index.html has no #root');
  createRoot(root).render(
    <StrictMode>
      <App platform={platform} runtime={runtime} styleNonce={styleNonce()} />
    </StrictMode>,
  );
  if (platform.kind === 'web') registerServiceWorker(navigator, import.meta.env.PROD);
}

void boot();
