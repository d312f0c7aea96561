/**
 * Accounts end to end, in Chromium against a real server on an empty data directory: the
 * first-run claim message and the first account becoming the owner; a guest becoming an account
 * with the same user id; signing out with changes the server has not received (a warning, then
 * the local database of that user wiped).
 */
import type { Page } from '@playwright/test';
import { expect, expectAccessible, gotoApp, test } from './support/fixtures.ts';
import { expectSync, newPerson, person, register } from './support/shop.ts';

// Generous: two browsers and axe on a 2-core machine shared with other work.
test.describe.configure({ timeout: 420_000 });

/** Who this page is signed in as, as the app remembers it (the user id is not shown on screen). */
async function rememberedIdentity(page: Page): Promise<{ user: { id: string; kind: string }; tenant: { id: string }; role: string } | null> {
  return page.evaluate(() => JSON.parse(localStorage.getItem('plaza.identity') ?? 'null') as never);
}

/** The app's local databases in this browser profile (RxDB on IndexedDB). */
async function localDatabases(page: Page): Promise<string[]> {
  return page.evaluate(async () => (await indexedDB.databases()).map((database) => database.name ?? '').filter((name) => name.startsWith('rxdb-')));
}

test('first run: the default tenant takes guests and says how to claim it; the first account becomes its owner', async ({ browser, server }) => {
  const first = await newPerson(browser);
  await gotoApp(first.page, server, '/account');
  const claim = first.page.getByRole('alert').filter({ hasText: 'This Plaza has no owner yet' });
  await expect(claim).toBeVisible();
  await expect(claim).toContainText('The first account created here becomes the owner');
  await expect(first.page.getByRole('button', { name: 'Continue as guest' })).toBeEnabled();
  await expectAccessible(first.page, 'the first-run account page');

  const owner = person('Fay First');
  await register(first.page, server, owner);
  await expect(first.page.getByTestId('profile-name')).toHaveText(owner.name);
  await expect(first.page.getByText('owner', { exact: true })).toBeVisible();
  expect((await rememberedIdentity(first.page))?.role).toBe('owner');
  // The owner manages the tenant from the app.
  await expect(first.page.getByRole('heading', { name: /^Members of / })).toBeVisible();

  // Claimed: the next visitor is not invited to claim it, and their account is a member.
  const second = await newPerson(browser);
  await gotoApp(second.page, server, '/account');
  await expect(second.page.getByRole('button', { name: 'Continue as guest' })).toBeVisible();
  await expect(second.page.getByText('This Plaza has no owner yet')).toHaveCount(0);
  await register(second.page, server, person('Sam Second'));
  expect((await rememberedIdentity(second.page))?.role).toBe('member');

  expect(first.errors, 'console errors (first)').toEqual([]);
  expect(second.errors, 'console errors (second)').toEqual([]);
  await first.context.close();
  await second.context.close();
});

test('a guest starts with one click and becomes an account with the same user id', async ({ browser, server }) => {
  const visitor = await newPerson(browser);
  await gotoApp(visitor.page, server, '/account');
  await visitor.page.getByRole('button', { name: 'Continue as guest' }).click();
  await expect(visitor.page.getByTestId('profile-name')).toHaveText(/^Guest-\d{4}$/);
  const asGuest = await rememberedIdentity(visitor.page);
  expect(asGuest?.user.kind).toBe('guest');
  await expectSync(visitor.page, 'synced');
  await expectAccessible(visitor.page, 'a guest’s account page');

  const who = person('Gwen Guest');
  const form = visitor.page.getByRole('form', { name: 'Create an account' });
  await form.getByRole('textbox', { name: 'Your name' }).fill(who.name);
  await form.getByRole('textbox', { name: 'Email' }).fill(who.email);
  // A common password is refused with a clear message; nothing changes.
  await form.getByRole('textbox', { name: 'Password' }).fill('password123');
  await form.getByRole('button', { name: 'Create account' }).click();
  await expect(form.getByRole('alert')).toContainText(/common/i);
  await form.getByRole('textbox', { name: 'Password' }).fill(who.password);
  await form.getByRole('button', { name: 'Create account' }).click();
  await expect(visitor.page.getByTestId('profile-name')).toHaveText(who.name);
  const asAccount = await rememberedIdentity(visitor.page);
  expect(asAccount?.user).toMatchObject({ id: asGuest?.user.id, kind: 'account' });
  await expect(visitor.page.getByRole('form', { name: 'Change password' })).toBeVisible();
  // The browser logs the refused common password (a 400) itself; nothing else may appear.
  expect(visitor.errors.filter((error) => !/status of 400 .*\/api\/auth\/register/.test(error)), 'console errors').toEqual([]);
  await visitor.context.close();
});

test('signing out warns about changes the server has not received, then wipes this user’s local database', async ({ browser, server }) => {
  const member = await newPerson(browser);
  await register(member.page, server, person('Lou Leaving'));
  await expectSync(member.page, 'synced');
  expect((await localDatabases(member.page)).length).toBeGreaterThan(0);

  // Offline, a change that only this device has: the colour scheme lives in the user's room.
  await member.context.setOffline(true);
  await expectSync(member.page, 'offline');
  await member.page.getByRole('radiogroup', { name: 'Colour scheme' }).getByText('Dark', { exact: true }).click();
  await member.page.getByRole('button', { name: 'Sign out' }).click();
  const warning = member.page.getByRole('dialog', { name: 'Sign out with unsynced changes?' });
  await expect(warning).toBeVisible();
  await expect(warning).toContainText('Signing out deletes them from this device');
  await expectAccessible(member.page, 'the sign-out warning');
  await warning.getByRole('button', { name: 'Stay signed in' }).click();
  await expect(warning).toBeHidden();
  await expect(member.page.getByTestId('profile-name')).toHaveText('Lou Leaving');

  await member.page.getByRole('button', { name: 'Sign out' }).click();
  await warning.getByRole('button', { name: 'Sign out and discard' }).click();
  await expect(member.page.getByRole('button', { name: 'Continue as guest' })).toBeVisible();
  expect(await rememberedIdentity(member.page)).toBeNull();
  await expect.poll(() => localDatabases(member.page), { timeout: 20_000 }).toEqual([]);
  await member.context.setOffline(false);
  await expect(member.page.getByTestId('sync-status')).toHaveAttribute('data-state', 'signed-out');
  expect(member.errors.filter((error) => !/Failed to load resource|ERR_INTERNET_DISCONNECTED/.test(error)), 'console errors').toEqual([]);
  await member.context.close();
});

test('signing out with everything on the server asks nothing', async ({ browser, server }) => {
  const member = await newPerson(browser);
  await register(member.page, server, person('Nat Synced'));
  await expectSync(member.page, 'synced');
  await member.page.getByRole('button', { name: 'Sign out' }).click();
  await expect(member.page.getByRole('button', { name: 'Continue as guest' })).toBeVisible();
  await expect(member.page.getByRole('dialog')).toHaveCount(0);
  await expect.poll(() => localDatabases(member.page), { timeout: 20_000 }).toEqual([]);
  expect(member.errors, 'console errors').toEqual([]);
  await member.context.close();
});
