import { describe, expect, it, vi } from 'vitest';
import { denyAllPermissions, hardenWebContents, isAllowedExternalLink, isSameOrigin, isTrustedSender, secureWebPreferences } from './security.ts';

type Listener = (event: { preventDefault: () => void }, url: string) => void;

function fakeContents() {
  const listeners = new Map<string, Listener>();
  let openHandler: ((details: { url: string }) => { action: string }) | null = null;
  return {
    contents: {
      on: (name: string, listener: Listener) => listeners.set(name, listener),
      setWindowOpenHandler: (handler: (details: { url: string }) => { action: string }) => {
        openHandler = handler;
      },
    },
    fire(name: string, url: string) {
      const event = { preventDefault: vi.fn() };
      listeners.get(name)?.(event, url);
      return event.preventDefault.mock.calls.length > 0;
    },
    open: (url: string) => openHandler?.({ url }),
  };
}

describe('window preferences', () => {
  it('isolate, sandbox and never integrate Node, as literal values', () => {
    const preferences = secureWebPreferences('/app/preload.cjs');
    expect(preferences).toMatchObject({
      preload: '/app/preload.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
    });
  });
});

describe('origin checks use URL parsing, not string prefixes', () => {
  it.each([
    ['app://plaza/shop', 'app://plaza', true],
    ['app://plaza', 'app://plaza/', true],
    ['app://plaza.evil.com/', 'app://plaza', false],
    ['app://plaza@evil/', 'app://plaza', false],
    ['https://plaza/', 'app://plaza', false],
    ['app://plazax/', 'app://plaza', false],
    ['not a url', 'app://plaza', false],
    ['javascript:alert(1)', 'app://plaza', false],
  ])('%s vs %s → %s', (candidate, origin, expected) => {
    expect(isSameOrigin(candidate, origin)).toBe(expected);
  });
});

describe('navigation and new windows', () => {
  const openExternal = vi.fn();
  const setup = () => {
    const fake = fakeContents();
    hardenWebContents(fake.contents as never, { appOrigin: 'app://plaza', externalHosts: ['github.com'], openExternal });
    return fake;
  };

  it('allows navigation inside the app and denies every other origin', () => {
    const fake = setup();
    expect(fake.fire('will-navigate', 'app://plaza/chess')).toBe(false);
    expect(fake.fire('will-navigate', 'https://evil.example/')).toBe(true);
    expect(fake.fire('will-navigate', 'file:///etc/passwd')).toBe(true);
    expect(fake.fire('will-redirect', 'http://127.0.0.1:1/')).toBe(true);
    expect(fake.fire('will-attach-webview', 'app://plaza/')).toBe(true);
  });

  it('denies window.open always; allow-listed https links open in the browser', () => {
    const fake = setup();
    openExternal.mockClear();
    expect(fake.open('https://github.com/plaza')).toEqual({ action: 'deny' });
    expect(openExternal).toHaveBeenCalledWith('https://github.com/plaza');
    openExternal.mockClear();
    for (const url of ['http://github.com/', 'https://evil.example/', 'file:///tmp/x', 'app://plaza/']) {
      expect(fake.open(url)).toEqual({ action: 'deny' });
    }
    expect(openExternal).not.toHaveBeenCalled();
    expect(isAllowedExternalLink('https://github.com.evil.example/', ['github.com'])).toBe(false);
  });
});

describe('permissions', () => {
  it('denies every permission request and check', () => {
    let request: ((contents: unknown, permission: string, callback: (granted: boolean) => void) => void) | undefined;
    let check: (() => boolean) | undefined;
    let device: (() => boolean) | undefined;
    denyAllPermissions({
      setPermissionRequestHandler: (handler: typeof request) => {
        request = handler;
      },
      setPermissionCheckHandler: (handler: typeof check) => {
        check = handler;
      },
      setDevicePermissionHandler: (handler: typeof device) => {
        device = handler;
      },
    } as never);
    for (const permission of ['media', 'geolocation', 'notifications', 'clipboard-read', 'openExternal']) {
      const callback = vi.fn();
      request?.({}, permission, callback);
      expect(callback).toHaveBeenCalledWith(false);
    }
    expect(check?.()).toBe(false);
    expect(device?.()).toBe(false);
  });
});

describe('IPC sender checks', () => {
  it('trusts only the top-level frame of the app origin', () => {
    expect(isTrustedSender({ url: 'app://plaza/shop', parent: null }, 'app://plaza')).toBe(true);
    expect(isTrustedSender({ url: 'app://plaza/', parent: {} as never }, 'app://plaza')).toBe(false);
    expect(isTrustedSender({ url: 'https://evil.example/', parent: null }, 'app://plaza')).toBe(false);
    expect(isTrustedSender(null, 'app://plaza')).toBe(false);
    expect(isTrustedSender(undefined, 'app://plaza')).toBe(false);
  });
});
