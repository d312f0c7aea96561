/**
 * Electron main process: wiring only. Policy lives in `security.ts`, the UI protocol in
 * `app-protocol.ts`, the bridge in `ipc.ts`; each is unit-tested with Electron mocked.
 */
import { app, BrowserWindow, ipcMain, protocol, safeStorage, session, shell } from 'electron';
import path from 'node:path';
import { APP_ORIGIN, APP_SCHEME, APP_SCHEME_PRIVILEGES, createAppProtocolHandler } from './app-protocol.ts';
import { registerBridge } from './ipc.ts';
import { DirectLlm } from './llm/direct.ts';
import { openDirectLedger } from './llm/direct-ledger.ts';
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
  // Direct-mode AI: its own key store (out of reach of the renderer's loadSecret) and its own ledger.
  const llmKeys = new SecretStore(path.join(app.getPath('userData'), 'llm-keys'), safeStorage);
  const direct = new DirectLlm({
    ledger: openDirectLedger(path.join(app.getPath('userData'), 'llm-ledger.db')).ledger,
    keys: { load: () => llmKeys.load('direct-api-key'), save: (key) => llmKeys.save('direct-api-key', key), delete: () => llmKeys.delete('direct-api-key') },
    log: (message, facts) => console.warn(`[plaza] ${message}`, facts ?? {}),
  });
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
    llmChat: (request, sink) => direct.chat(request, sink),
    llmStop: async (requestId) => direct.stop(requestId),
    llmDirectStatus: () => direct.status(),
    llmDirectConfigure: (request) => direct.configure(request),
    llmDirectSession: async (request) => direct.session(request),
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
