/**
 * Electron main process: wiring only. Policy lives in `security.ts`, the UI protocol in
 * `app-protocol.ts`, the bridge in `ipc.ts`; each is unit-tested with Electron mocked.
 */
import { app, BrowserWindow, ipcMain, protocol, safeStorage, session, shell } from 'electron';
import path from 'node:path';
import { APP_ORIGIN, APP_SCHEME, APP_SCHEME_PRIVILEGES, createAppProtocolHandler } from './app-protocol.ts';
import { registerBridge } from './ipc.ts';
import { SecretStore } from './secrets.ts';
import { denyAllPermissions, hardenWebContents, secureWebPreferences } from './security.ts';
import { loadSettings, saveSettings, type DesktopSettings } from './settings.ts';
import { normalizeOrigin } from '../../shared/platform/csp.ts';

const EXTERNAL_LINK_HOSTS = ['github.com', 'platform.openai.com'] as const;

app.enableSandbox();
protocol.registerSchemesAsPrivileged([APP_SCHEME_PRIVILEGES]);

const rendererDir = path.join(import.meta.dirname, '../renderer');
const preloadPath = path.join(import.meta.dirname, '../preload/index.cjs');
const settingsFile = () => path.join(app.getPath('userData'), 'settings.json');

let settings: DesktopSettings = { version: 1, serverUrl: 'http://127.0.0.1:8787' };

function createWindow(): BrowserWindow {
  const window = new BrowserWindow({
    width: 1280,
    height: 840,
    minWidth: 720,
    minHeight: 520,
    title: 'Plaza',
    show: false,
    webPreferences: secureWebPreferences(preloadPath),
  });
  window.once('ready-to-show', () => window.show());
  void window.loadURL(`${APP_ORIGIN}/`);
  return window;
}

async function start(): Promise<void> {
  await app.whenReady();
  const loaded = await loadSettings(settingsFile(), process.env.PLAZA_SERVER_URL);
  settings = loaded.settings;
  if (loaded.problem) console.warn(`[plaza] ${loaded.problem}`);

  denyAllPermissions(session.defaultSession);
  protocol.handle(APP_SCHEME, createAppProtocolHandler({ rootDir: rendererDir, serverOrigin: () => settings.serverUrl }));

  const secrets = new SecretStore(path.join(app.getPath('userData'), 'secrets'), safeStorage);
  registerBridge(ipcMain, {
    appOrigin: () => APP_ORIGIN,
    getDesktopConfig: async () => ({ serverUrl: settings.serverUrl, appVersion: app.getVersion(), platform: process.platform }),
    setServerUrl: async (url) => {
      settings = { version: 1, serverUrl: normalizeOrigin(url) };
      await saveSettings(settingsFile(), settings);
      for (const window of BrowserWindow.getAllWindows()) window.webContents.reload();
      return { serverUrl: settings.serverUrl, appVersion: app.getVersion(), platform: process.platform };
    },
    saveSecret: (name, value) => secrets.save(name, value),
    loadSecret: (name) => secrets.load(name),
    deleteSecret: (name) => secrets.delete(name),
    openExternal: (url) => shell.openExternal(url),
  });

  createWindow();
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createWindow();
  });
}

app.on('web-contents-created', (_event, contents) => {
  hardenWebContents(contents, {
    appOrigin: APP_ORIGIN,
    externalHosts: EXTERNAL_LINK_HOSTS,
    openExternal: (url) => shell.openExternal(url),
  });
});

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});

start().catch((error: unknown) => {
  console.error('[plaza] failed to start', error);
  app.exit(1);
});
