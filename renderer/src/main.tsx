import '@mantine/core/styles.css';
import '@mantine/notifications/styles.css';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app/App.tsx';
import { detectPlatform } from './platform/index.ts';
import { registerServiceWorker } from './app/service-worker.ts';

function styleNonce(): string | null {
  const value = document.querySelector('meta[name="plaza-style-nonce"]')?.getAttribute('content') ?? '';
  return value && !value.startsWith('__') ? value : null;
}

const platform = detectPlatform(window);
const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root');
createRoot(root).render(
  <StrictMode>
    <App platform={platform} styleNonce={styleNonce()} />
  </StrictMode>,
);
if (platform.kind === 'web') registerServiceWorker(navigator, import.meta.env.PROD);
