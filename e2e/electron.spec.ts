/**
 * The desktop app under Playwright's Electron driver. These run wherever the Electron binary is
 * installed; on machines that cannot download it they are reported as skipped, with the reason.
 */
import { _electron as electron, type ElectronApplication, type Page } from '@playwright/test';
import path from 'node:path';
import { parseContentSecurityPolicy } from '../shared/platform/csp.ts';
import { electronBinaryPath } from '../build/scripts/electron-binary.ts';
import { REPO_ROOT } from '../build/scripts/server-process.ts';
import { expect, test } from './support/fixtures.ts';

const binary = electronBinaryPath(REPO_ROOT);
const SKIP_REASON = 'the Electron binary is not installed here (it cannot be downloaded on this machine); run `npx install-electron --no` where it can';

test.describe('desktop app security baseline', () => {
  test.skip(binary === null, SKIP_REASON);

  let app: ElectronApplication;
  let appWindow: Page;

  test.beforeEach(async ({ server }) => {
    app = await electron.launch({
      executablePath: binary!,
      args: [path.join(REPO_ROOT, 'out/main/index.js')],
      env: { ...process.env, PLAZA_SERVER_URL: server.url },
    });
    appWindow = await app.firstWindow();
    await expect(appWindow.getByRole('heading', { name: 'Plaza', level: 1 })).toBeVisible();
  });

  test.afterEach(async () => {
    await app.close();
  });

  test('the appWindow is isolated, sandboxed and without Node', async () => {
    // The page sees no Node and none of the preload's own globals (context isolation).
    expect(await appWindow.evaluate(() => typeof (globalThis as { module?: unknown }).module)).toBe('undefined');
    expect(await appWindow.evaluate(() => typeof (globalThis as { ipcRenderer?: unknown }).ipcRenderer)).toBe('undefined');
    expect(await appWindow.evaluate(() => typeof (globalThis as { require?: unknown }).require)).toBe('undefined');
    expect(await appWindow.evaluate(() => typeof (globalThis as { process?: unknown }).process)).toBe('undefined');
  });

  test('the UI comes from app:// with a CSP that allows only the configured server', async ({ server }) => {
    expect(appWindow.url()).toMatch(/^app:\/\/plaza\//);
    const policy = await appWindow.evaluate(async () => (await fetch('/')).headers.get('content-security-policy'));
    const directives = parseContentSecurityPolicy(policy ?? '');
    expect(directives.get('connect-src')).toEqual(["'self'", new URL(server.url).origin, `ws://${new URL(server.url).host}`]);
    expect(policy).not.toContain('unsafe-eval');
    const traversal = await appWindow.evaluate(async () => (await fetch('app://plaza/assets/..%2f..%2f..%2fpackage.json')).status);
    expect(traversal).toBe(404);
  });

  test('the preload exposes only the named bridge functions', async () => {
    const keys = await appWindow.evaluate(() => Object.keys((globalThis as unknown as { plaza: object }).plaza).sort());
    expect(keys).toEqual(['bridgeVersion', 'deleteSecret', 'getDesktopConfig', 'llmChat', 'llmDirectConfigure', 'llmDirectSession', 'llmDirectStatus', 'llmStop', 'loadSecret', 'openExternal', 'saveSecret', 'setServerUrl']);
    await expect(appWindow.evaluate(() => (globalThis as unknown as { plaza: { saveSecret(a: string, b: string): Promise<void> } }).plaza.saveSecret('../x', 'y'))).rejects.toThrow(/invalid arguments/);
  });

  test('navigation away, new windows and permissions are denied', async () => {
    await appWindow.evaluate(() => {
      location.href = 'https://example.com/';
    });
    await appWindow.waitForTimeout(300);
    expect(appWindow.url()).toMatch(/^app:\/\/plaza\//);
    expect(await appWindow.evaluate(() => window.open('https://example.com/') === null)).toBe(true);
    expect(app.windows()).toHaveLength(1);
    expect(await appWindow.evaluate(() => Notification.requestPermission())).toBe('denied');
    const media = await appWindow.evaluate(() => navigator.mediaDevices.getUserMedia({ audio: true }).then(() => 'granted', (error: Error) => error.name));
    expect(media).not.toBe('granted');
  });

  test('secrets round-trip through safeStorage, or are refused when the OS has no keychain', async () => {
    const outcome = await appWindow.evaluate(async () => {
      const bridge = (globalThis as unknown as { plaza: { saveSecret(a: string, b: string): Promise<void>; loadSecret(a: string): Promise<string | null> } }).plaza;
      try {
        await bridge.saveSecret('e2e:probe', 'value-1');
        return await bridge.loadSecret('e2e:probe');
      } catch (error) {
        return (error as Error).message;
      }
    });
    expect(outcome === 'value-1' || /no encryption/.test(outcome ?? '')).toBe(true);
  });
});
