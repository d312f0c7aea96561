import { resolve } from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';
import { serviceWorkerPlugin } from '../build/vite/service-worker-plugin.ts';

/** The web flavour: the same renderer, served by the sync server, with offline support. */
export default defineConfig({
  root: import.meta.dirname,
  base: '/',
  plugins: [react(), serviceWorkerPlugin()],
  build: {
    outDir: resolve(import.meta.dirname, '../out/web'),
    emptyOutDir: true,
    minify: true,
    sourcemap: false,
    chunkSizeWarningLimit: 2048,
  },
});
