/**
 * Offline edits survive a real browser restart: edit offline (the UI shows offline first), close
 * Chromium, start it again on the same profile, reconnect — the edit reaches another client.
 */
import { chromium, type BrowserContext, type Page } from '@playwright/test';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../playwright.config.ts';
import { expect, test } from './support/fixtures.ts';

async function persistentContext(profile: string): Promise<BrowserContext> {
  return chromium.launchPersistentContext(profile, { executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
}

async function register(page: Page, email: string, password: string): Promise<void> {
  await page.locator('label').filter({ hasText: /^Create account$/ }).click();
  await page.getByLabel('Email').fill(email);
  await page.locator('input[autocomplete="new-password"]').fill(password);
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page.getByTestId('profile-name')).toBeVisible();
}

async function login(page: Page, email: string, password: string): Promise<void> {
  await page.getByLabel('Email').fill(email);
  await page.locator('input[autocomplete="current-password"]').fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expect(page.getByTestId('profile-name')).toBeVisible();
}

test('an edit made offline survives closing the browser and reaches another client after reconnecting', async ({ server }) => {
  test.slow(); // two persistent browsers, two sign-ins and a browser restart
  const profile = mkdtempSync(path.join(os.tmpdir(), 'plaza-profile-'));
  const email = 'ada@example.com';
  const password = 'correct horse battery staple';

  let first = await persistentContext(profile);
  let page = first.pages()[0] ?? (await first.newPage());
  await page.goto(new URL('/account', server.url).toString());
  await register(page, email, password);
  await expect(page.getByTestId('sync-status')).toHaveAttribute('data-state', 'synced');

  const other = await persistentContext(mkdtempSync(path.join(os.tmpdir(), 'plaza-profile-')));
  const otherPage = other.pages()[0] ?? (await other.newPage());
  await otherPage.goto(new URL('/account', server.url).toString());
  await login(otherPage, email, password);
  await expect(otherPage.getByTestId('sync-status')).toHaveAttribute('data-state', 'synced');
  await expect(otherPage.locator('html')).not.toHaveAttribute('data-mantine-color-scheme', 'dark');

  await first.setOffline(true);
  await expect(page.getByTestId('sync-status')).toHaveAttribute('data-state', 'offline');
  await page.locator('label').filter({ hasText: /^Dark$/ }).click();
  await expect(page.locator('html')).toHaveAttribute('data-mantine-color-scheme', 'dark');
  // Give the local database its tick to persist the change, then close the whole browser.
  await page.waitForTimeout(300);
  await first.close();
  await new Promise((resolve) => setTimeout(resolve, 500));
  await expect(otherPage.locator('html')).not.toHaveAttribute('data-mantine-color-scheme', 'dark');

  first = await persistentContext(profile);
  page = first.pages()[0] ?? (await first.newPage());
  await page.goto(new URL('/account', server.url).toString());
  await expect(page.getByTestId('profile-name')).toBeVisible();
  await expect(page.getByTestId('sync-status')).toHaveAttribute('data-state', 'synced');
  await expect(otherPage.locator('html')).toHaveAttribute('data-mantine-color-scheme', 'dark');
  await first.close();
  await other.close();
});
