/**
 * Finds the Electron binary without triggering its lazy download (requiring the `electron`
 * package downloads it on first use, which fails on machines without internet access).
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

export function electronBinaryPath(repoRoot: string): string | null {
  const packageDir = path.join(repoRoot, 'node_modules/electron');
  const override = process.env.ELECTRON_OVERRIDE_DIST_PATH;
  const pathFile = path.join(packageDir, 'path.txt');
  const relative = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : process.platform === 'win32' ? 'electron.exe' : 'electron';
  const candidate = override ? path.join(override, relative) : path.join(packageDir, 'dist', relative);
  return existsSync(candidate) ? candidate : null;
}

export const ELECTRON_MISSING_HELP = `The Electron binary is not installed on this machine.

  To get it (needs access to Electron's download servers):
    npx install-electron --no        # or: rm -rf node_modules/electron && npm install

  Meanwhile, use the web flavour, the same app in your browser:
    npm run web
`;
