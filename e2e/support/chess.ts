/**
 * Chess E2E helpers: a server with short chess waits, guests in their own browser contexts, and
 * moves typed into the move box (the keyboard path) or made on the board.
 */
import type { Browser, Page } from '@playwright/test';
import { startServerProcess, type ServerProcess } from '../../build/scripts/server-process.ts';
import { expect as baseExpect, gotoApp, test as base } from './fixtures.ts';
import { newPerson } from './shop.ts';

/** How long a player may stay away in these tests: short, yet long enough to come back on a loaded machine. */
export const DISCONNECT_GRACE_MS = 15_000;

export const test = base.extend<{ server: ServerProcess }>({
  // eslint-disable-next-line no-empty-pattern
  server: async ({}, use, testInfo) => {
    const server = await startServerProcess({
      startTimeoutMs: 90_000,
      env: {
        PLAZA_CHESS_DISCONNECT_GRACE_MS: String(DISCONNECT_GRACE_MS),
        // Three browsers on a loaded machine can take a while to reach the first move.
        PLAZA_CHESS_FIRST_MOVE_TIMEOUT_MS: '60000',
      },
    });
    await use(server);
    await server.stop();
    if (testInfo.status !== testInfo.expectedStatus) {
      // The server's warnings explain most failures (refused intents, dropped connections).
      const notable = server.logs.filter((entry) => typeof entry.level === 'number' && entry.level >= 40);
      await testInfo.attach('server-warnings.json', { body: JSON.stringify(notable, null, 2), contentType: 'application/json' });
    }
  },
});

/** Every wait is long: these tests run three browsers and a server on machines shared with other work. */
export const expect = baseExpect.configure({ timeout: 60_000 });

export type Guest = Awaited<ReturnType<typeof newPerson>>;

/** A visitor who opens the chess area and continues as a guest in one click. */
export async function chessGuest(browser: Browser, server: ServerProcess, path = '/chess'): Promise<Guest> {
  const guest = await newPerson(browser);
  await gotoApp(guest.page, server, path);
  await guest.page.getByRole('button', { name: 'Play as guest' }).click();
  return guest;
}

export async function typeMove(page: Page, san: string): Promise<void> {
  const box = page.getByRole('textbox', { name: 'Type a move' });
  await expect(box).toBeEnabled();
  await expect(page.getByTestId('turn')).toHaveText(/^Your turn/);
  await box.fill(san);
  await box.press('Enter');
}

/** Every page has the move `san` as move number `ply` in its move list. */
export async function expectMove(pages: readonly Page[], ply: number, san: string): Promise<void> {
  for (const page of pages) await expect(page.getByRole('button', { name: `Move ${ply}: ${san}`, exact: true })).toBeVisible();
}

export function square(page: Page, name: string) {
  return page.getByTestId('chess-board').getByRole('button', { name: new RegExp(`^${name},`) });
}

/** The side this page plays, from the "(you)" beside a name. */
export async function sideOf(page: Page): Promise<'white' | 'black'> {
  await expect(page.getByText('(you)')).toBeVisible();
  return (await page.getByTestId('player-white').textContent())?.includes('(you)') ? 'white' : 'black';
}

export async function expectSyncState(page: Page, state: 'offline' | 'synced'): Promise<void> {
  await expect(page.getByTestId('sync-status')).toHaveAttribute('data-state', state);
}
