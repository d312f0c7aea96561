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

/** Deletes every IndexedDB database whose name starts with `prefix` (RxDB's Dexie storage keeps them after a remove). */
async function deleteIndexedDbDatabases(prefix: string): Promise<void> {
  const names = (await indexedDB.databases()).flatMap((database) => (database.name?.startsWith(prefix) ? [database.name] : []));
  await Promise.all(
    names.map(
      (name) =>
        new Promise<void>((resolve, reject) => {
          const request = indexedDB.deleteDatabase(name);
          request.onsuccess = () => resolve();
          request.onerror = () => reject(request.error ?? new Error(`could not delete ${name}`));
        }),
    ),
  );
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
    deleteStorageFiles: (name) => deleteIndexedDbDatabases(`rxdb-dexie-${name}--`),
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
