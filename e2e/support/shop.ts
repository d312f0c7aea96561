/** Page helpers for the shop E2E tests: accounts through the real UI, the sync status, errors. */
import type { Browser, BrowserContext, Page } from '@playwright/test';
import type { ServerProcess } from '../../build/scripts/server-process.ts';
import { expect, gotoApp } from './fixtures.ts';

export interface Person {
  readonly name: string;
  readonly email: string;
  readonly password: string;
}

export function person(name: string): Person {
  const slug = name.toLowerCase().replaceAll(/[^a-z]+/g, '.');
  return { name, email: `${slug}.${Date.now().toString(36)}@example.com`, password: `${slug}-long-enough-passphrase` };
}

/** Console errors and page errors of a page (a page of a second browser context, too). */
export function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`${message.text()} (${message.location().url})`);
  });
  page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
  return errors;
}

export async function newPerson(browser: Browser): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  return { context, page, errors: watchErrors(page) };
}

/** Creates an account through the account page (the first one on a fresh server becomes owner). */
export async function register(page: Page, server: ServerProcess, who: Person): Promise<void> {
  await gotoApp(page, server, '/account');
  await page.getByText('Create account', { exact: true }).first().click();
  await page.getByRole('textbox', { name: 'Your name' }).fill(who.name);
  await page.getByRole('textbox', { name: 'Email' }).fill(who.email);
  await page.getByRole('textbox', { name: 'Password' }).fill(who.password);
  await page.getByRole('button', { name: 'Create account' }).click();
  // The server hashes at its production scrypt cost; on a busy 2-core machine that takes seconds.
  await expect(page.getByText(who.name).first()).toBeVisible({ timeout: 30_000 });
  // Then the local database opens (RxDB on IndexedDB, slow on a busy machine): the badge leaves "Not signed in".
  await expect(page.getByTestId('sync-status')).not.toHaveAttribute('data-state', 'signed-out', { timeout: 60_000 });
}

export async function expectSync(page: Page, state: 'offline' | 'synced' | 'connecting' | 'pending'): Promise<void> {
  await expect(page.getByTestId('sync-status')).toHaveAttribute('data-state', state, { timeout: 20_000 });
}

export function shopNav(page: Page) {
  return page.getByRole('navigation', { name: 'Shop' });
}
