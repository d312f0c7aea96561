import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Each file runs in its own forked process: RxDB counts open collections per process, and
    // integration tests start real servers with their own ports and data directories.
    pool: 'forks',
    isolate: true,
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 30_000,
    include: ['shared/**/*.test.ts', 'electron/**/*.test.ts', 'renderer/**/*.test.{ts,tsx}', 'sync-server/**/*.test.ts', 'build/**/*.test.ts'],
    exclude: ['node_modules/**', 'out/**', 'e2e/**'],
    environment: 'node',
  },
});
