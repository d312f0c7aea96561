import { existsSync } from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { REPO_ROOT } from '../../build/scripts/server-process.ts';

/** E2E runs against the built web flavour; build it when a developer runs Playwright alone. */
export default function globalSetup(): void {
  if (existsSync(path.join(REPO_ROOT, 'out/web/index.html'))) return;
  execFileSync(process.execPath, [path.join(REPO_ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--config', 'renderer/vite.web.config.ts'], {
    cwd: REPO_ROOT,
    stdio: 'inherit',
  });
}
