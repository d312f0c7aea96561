/**
 * The main-process wiring with Electron mocked (no Electron binary runs here): checks that the
 * entry point applies every part of the security baseline in the right order.
 */
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { IPC_CHANNELS } from '../../shared/platform/bridge.ts';

const calls: string[] = [];
const windows: Array<{ options: Record<string, unknown>; url?: string }> = [];
const appListeners = new Map<string, (...args: unknown[]) => void>();
const ipcChannels: string[] = [];
const permissionHandlers: Record<string, unknown> = {};
let protocolHandler: ((request: Request) => Promise<Response>) | undefined;

vi.mock('electron', () => {
  class BrowserWindow {
    static getAllWindows = () => [];
    webContents = { reload: vi.fn() };
    constructor(options: Record<string, unknown>) {
      calls.push('new BrowserWindow');
      windows.push({ options });
    }
    once() {}
    loadURL(url: string) {
      windows[windows.length - 1]!.url = url;
      return Promise.resolve();
    }
  }
  return {
    app: {
      enableSandbox: () => calls.push('enableSandbox'),
      whenReady: () => {
        calls.push('whenReady');
        return Promise.resolve();
      },
      getPath: () => '/tmp/plaza-electron-test',
      getVersion: () => '0.1.0',
      on: (name: string, listener: (...args: unknown[]) => void) => appListeners.set(name, listener),
      quit: vi.fn(),
      exit: vi.fn(),
    },
    BrowserWindow,
    ipcMain: { handle: (channel: string) => ipcChannels.push(channel) },
    protocol: {
      registerSchemesAsPrivileged: (schemes: unknown) => calls.push(`registerSchemesAsPrivileged:${JSON.stringify(schemes)}`),
      handle: (scheme: string, handler: (request: Request) => Promise<Response>) => {
        calls.push(`protocol.handle:${scheme}`);
        protocolHandler = handler;
      },
    },
    safeStorage: {},
    session: {
      defaultSession: {
        setPermissionRequestHandler: (handler: unknown) => (permissionHandlers.request = handler),
        setPermissionCheckHandler: (handler: unknown) => (permissionHandlers.check = handler),
        setDevicePermissionHandler: (handler: unknown) => (permissionHandlers.device = handler),
      },
    },
    shell: { openExternal: vi.fn() },
  };
});

beforeAll(async () => {
  await import('./index.ts');
  await vi.waitFor(() => expect(windows.length).toBe(1));
});

describe('main process entry', () => {
  it('enables the sandbox and registers app:// as standard and secure before the app is ready', () => {
    expect(calls[0]).toBe('enableSandbox');
    expect(calls[1]).toBe('registerSchemesAsPrivileged:[{"scheme":"app","privileges":{"standard":true,"secure":true,"supportFetchAPI":true,"stream":true,"codeCache":true}}]');
    expect(calls.indexOf('whenReady')).toBeGreaterThan(1);
  });

  it('opens the window from app:// (never file://) with isolated, sandboxed preferences', () => {
    const [window] = windows;
    expect(window?.url).toBe('app://plaza/');
    expect(window?.options.webPreferences).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true });
    expect(String((window?.options.webPreferences as { preload: string }).preload)).toMatch(/preload\/index\.cjs$/);
  });

  it('serves the UI through the app:// handler with a CSP for the configured server', async () => {
    expect(calls).toContain('protocol.handle:app');
    const response = await protocolHandler!(new Request('app://plaza/../../etc/passwd'));
    expect(response.status).toBe(404);
  });

  it('denies all permissions and registers only the named bridge channels', () => {
    const requestHandler = permissionHandlers.request as (c: unknown, p: string, cb: (granted: boolean) => void) => void;
    expect(requestHandler).toBeTypeOf('function');
    expect((permissionHandlers.check as () => boolean)()).toBe(false);
    const callback = vi.fn();
    requestHandler({}, 'media', callback);
    expect(callback).toHaveBeenCalledWith(false);
    expect(ipcChannels.sort()).toEqual(Object.values(IPC_CHANNELS).sort());
  });

  it('hardens every web contents that is created', () => {
    const listener = appListeners.get('web-contents-created');
    expect(listener).toBeTypeOf('function');
    const on = vi.fn();
    const setWindowOpenHandler = vi.fn();
    listener!({}, { on, setWindowOpenHandler });
    expect(on.mock.calls.map(([name]) => name)).toEqual(['will-navigate', 'will-redirect', 'will-attach-webview']);
    expect(setWindowOpenHandler).toHaveBeenCalledOnce();
  });
});
