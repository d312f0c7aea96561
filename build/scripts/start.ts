/**
 * `npm start`: the sync server on 127.0.0.1 with embedded defaults, then the desktop app pointed
 * at it. `npm run web`: the same server, serving the web flavour. Where the Electron binary is
 * missing, the server keeps running for the web flavour and says how to get Electron.
 */
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { ConfigError, loadConfig } from '../../sync-server/src/config.ts';
import { startServer } from '../../sync-server/src/server.ts';
import { ELECTRON_MISSING_HELP, electronBinaryPath } from './electron-binary.ts';

const root = path.resolve(import.meta.dirname, '../..');
const webOnly = process.argv.includes('--web');
const serverArgs = process.argv.slice(2).filter((argument) => argument !== '--web');

function build(label: string, args: readonly string[]): void {
  process.stdout.write(`Building ${label}…\n`);
  const result = spawnSync(process.execPath, args, { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  if (result.status !== 0) {
    process.stderr.write(`Building ${label} failed (see above).\n`);
    process.exit(1);
  }
}

let config;
try {
  const loaded = loadConfig(serverArgs, { PLAZA_DATA_DIR: path.join(root, '.plaza-data'), PLAZA_WEB_DIR: path.join(root, 'out/web'), ...process.env });
  if (loaded.kind === 'help') {
    process.stdout.write(loaded.text);
    process.exit(0);
  }
  config = loaded.config;
} catch (error) {
  if (error instanceof ConfigError) {
    process.stderr.write(`plaza: ${error.message}\n`);
    process.exit(2);
  }
  throw error;
}

const electron = webOnly ? null : electronBinaryPath(root);
build('the web flavour', [path.join(root, 'node_modules/vite/bin/vite.js'), 'build', '--config', 'renderer/vite.web.config.ts', '--logLevel', 'error']);
if (electron) build('the desktop app', [path.join(root, 'node_modules/electron-vite/bin/electron-vite.js'), 'build']);

const server = await startServer(config);
const stopAll = async (code: number) => {
  await server.close();
  process.exit(code);
};
process.on('SIGINT', () => void stopAll(0));
process.on('SIGTERM', () => void stopAll(0));

if (webOnly || !electron) {
  if (!webOnly) process.stdout.write(`\n${ELECTRON_MISSING_HELP}\n`);
  process.stdout.write(`\nPlaza is running. Open ${server.url}/ in your browser (Ctrl+C to stop).\n\n`);
} else {
  process.stdout.write(`\nSync server at ${server.url}; starting the desktop app…\n`);
  const app = spawn(electron, [path.join(root, 'out/main/index.js')], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, PLAZA_SERVER_URL: server.url },
  });
  app.on('exit', (code) => void stopAll(code ?? 0));
}
