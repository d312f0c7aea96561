import { test as base, expect, type Page } from '@playwright/test';
import { startServerProcess, type ServerProcess } from '../../build/scripts/server-process.ts';

export interface PlazaFixtures {
  /** A fresh sync server with its own data directory, serving the web flavour. */
  server: ServerProcess;
  /** Console errors and page errors seen on `page`; tests assert it stays empty. */
  consoleErrors: string[];
}

export const test = base.extend<PlazaFixtures>({
  // eslint-disable-next-line no-empty-pattern
  server: async ({}, use) => {
    // Generous: on a loaded 2-core machine a cold start of the type-stripped server takes a while.
    const server = await startServerProcess({ startTimeoutMs: 60_000 });
    await use(server);
    await server.stop();
  },
  consoleErrors: async ({ page }, use) => {
    const errors: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
    await use(errors);
  },
});

export { expect };

export async function gotoApp(page: Page, server: ServerProcess, path = '/'): Promise<void> {
  await page.goto(new URL(path, server.url).toString());
  await expect(page.getByRole('heading', { name: 'Plaza', level: 1 })).toBeVisible();
}

/**
 * Runs axe on the current page and fails on serious or critical violations, naming each node.
 * Finite transitions finish first: a dialog still fading in blends its colours with the page behind, and
 * axe would measure contrast on a frame that no one reads.
 */
export async function expectAccessible(page: Page, label: string): Promise<void> {
  const { default: AxeBuilder } = await import('@axe-core/playwright');
  await page.evaluate(() =>
    Promise.all(
      document
        .getAnimations()
        // A spinner's or a skeleton's animation never ends: only those that do are waited for.
        .filter((animation) => animation.effect?.getComputedTiming().endTime !== Infinity)
        .map((animation) => animation.finished.catch(() => undefined)),
    ),
  );
  const result = await new AxeBuilder({ page }).analyze();
  const serious = result.violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .flatMap((violation) => violation.nodes.map((node) => `${violation.id} at ${node.target.join(' ')}: ${node.failureSummary ?? ''}`));
  expect(serious, `accessibility of ${label}`).toEqual([]);
}
