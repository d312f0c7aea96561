import { parseContentSecurityPolicy } from '../shared/platform/csp.ts';
import { expect, expectAccessible, gotoApp, test } from './support/fixtures.ts';

const AREAS = [
  { link: 'Shop', heading: 'Shop', path: '/shop' },
  { link: 'Chat', heading: 'Chat', path: '/chat' },
  { link: 'Chess', heading: 'Chess', path: '/chess' },
  { link: 'Markets', heading: 'Markets', path: '/markets' },
  { link: 'Account', heading: 'Account and settings', path: '/account' },
] as const;

test('the web flavour is served with a strict CSP that allows only its own server', async ({ page, server }) => {
  const response = await page.goto(server.url);
  const policy = response?.headers()['content-security-policy'];
  expect(policy, 'CSP header').toBeTruthy();
  const directives = parseContentSecurityPolicy(policy ?? '');
  expect(directives.get('script-src')).toEqual(["'self'"]);
  expect(policy).not.toContain('unsafe-eval');
  expect(policy).not.toMatch(/script-src[^;]*unsafe-inline/);
  const origin = new URL(server.url);
  expect(directives.get('connect-src')).toEqual(["'self'", origin.origin, `ws://${origin.host}`]);
  const nonce = await page.locator('meta[name="plaza-style-nonce"]').getAttribute('content');
  expect(nonce).toMatch(/^[A-Za-z0-9+/]{24}$/);
  expect(directives.get('style-src')).toContain(`'nonce-${nonce}'`);
});

test('every area is reachable from the navigation without console errors or serious a11y violations', async ({ page, server, consoleErrors }) => {
  test.slow(); // five axe runs
  await gotoApp(page, server);
  await expect(page).toHaveURL(/\/shop$/);
  for (const area of AREAS) {
    await page.getByRole('navigation', { name: 'Areas' }).getByRole('link', { name: area.link }).click();
    await expect(page).toHaveURL(new RegExp(`${area.path}$`));
    await expect(page.getByRole('heading', { level: 2, name: area.heading })).toBeVisible();
    await expectAccessible(page, area.path);
  }
  await expect(page.getByTestId('sync-status')).toBeVisible();
  expect(consoleErrors).toEqual([]);
});

test('a deep link to an area loads directly (SPA fallback) and unknown API paths are JSON 404s', async ({ page, server, request }) => {
  await gotoApp(page, server, '/markets');
  await expect(page.getByRole('heading', { level: 2, name: 'Markets' })).toBeVisible();
  const api = await request.get(new URL('/api/does-not-exist', server.url).toString());
  expect(api.status()).toBe(404);
  expect(await api.json()).toEqual({ error: { code: 'not_found', message: 'nothing at /api/does-not-exist' } });
});

test('the app opens offline once it has been opened online (service worker)', async ({ page, context, server }) => {
  await gotoApp(page, server);
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
  });
  // The first load is not controlled by the worker yet; reload so that it is.
  await page.reload();
  await expect.poll(() => page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);
  await context.setOffline(true);
  await page.reload();
  await expect(page.getByRole('heading', { name: 'Plaza', level: 1 })).toBeVisible();
  await expect(page.getByTestId('sync-status')).toHaveAttribute('data-state', 'offline');
  await context.setOffline(false);
});
