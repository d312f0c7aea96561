/**
 * Chess end to end, in Chromium against a real server with a 15 s disconnect grace: two guests
 * quick-pair at 1+0 and play Scholar's mate (typed, clicked and dragged moves) while a third
 * guest watches every move; the player to move drops offline and comes back in time, and the
 * game goes on. Then a rematch with colours swapped, where the player to move stays away and
 * loses.
 */
import type { Page } from '@playwright/test';
import { expectAccessible } from './support/fixtures.ts';
import { chessGuest, DISCONNECT_GRACE_MS, expect, expectMove, expectSyncState, sideOf, square, test, typeMove } from './support/chess.ts';

// Three browsers and a game clock: generous for CI machines with 2 cores.
test.describe.configure({ timeout: 600_000 });

test('quick pairing, Scholar’s mate watched by a spectator, a reconnect in time, then a rematch lost by staying away', async ({ browser, server }) => {
  const first = await chessGuest(browser, server);
  const second = await chessGuest(browser, server);
  const watcher = await chessGuest(browser, server);
  await expect(first.page.getByRole('heading', { name: 'Quick pairing' })).toBeVisible();
  await expectAccessible(first.page, 'the chess lobby');

  // The first guest's seek waits in the lobby; the second one's pairs with it.
  await first.page.getByRole('button', { name: /^1\+0\s*Bullet$/ }).click();
  await expect(first.page.getByTestId('my-seeks')).toContainText('looking for an opponent');
  await expect(second.page.getByRole('table', { name: 'Open seeks' })).toContainText('1+0 · Bullet');
  await second.page.getByRole('button', { name: /^1\+0\s*Bullet$/ }).click();
  await expect(second.page).toHaveURL(/\/chess\/g\/[\w-]+$/);
  await expect(first.page).toHaveURL(second.page.url());
  const gameUrl = second.page.url();

  const [white, black] = (await sideOf(first.page)) === 'white' ? [first, second] : [second, first];
  expect(await sideOf(black.page)).toBe('black');

  // A third guest finds the game in the lobby and watches it.
  await expect(watcher.page.getByRole('list', { name: 'Live games' })).toBeVisible();
  await watcher.page.getByRole('link', { name: /^Watch / }).click();
  await expect(watcher.page).toHaveURL(gameUrl);
  await expect(watcher.page.getByTestId('spectating')).toBeVisible();
  await expect(watcher.page.getByTestId('viewers')).toHaveText(/^[1-9]\d* watching$/);
  await expect(watcher.page.getByRole('textbox', { name: 'Type a move' })).toHaveCount(0);
  const everyone: Page[] = [white.page, black.page, watcher.page];

  await typeMove(white.page, 'e4');
  await expectMove(everyone, 1, 'e4');
  await typeMove(black.page, 'e5');
  await expectMove(everyone, 2, 'e5');
  // Clicks: the bishop, then its target.
  await expect(white.page.getByTestId('turn')).toHaveText(/^Your turn/);
  await square(white.page, 'f1').click();
  await expect(square(white.page, 'c4')).toHaveAttribute('aria-label', /legal move/);
  await square(white.page, 'c4').click();
  await expectMove(everyone, 3, 'Bc4');
  await expectAccessible(white.page, 'a game in play');

  // Black, to move, drops offline: its own screen says so first, then White sees the countdown.
  await black.context.setOffline(true);
  await expectSyncState(black.page, 'offline');
  await expect(black.page.getByTestId('self-offline')).toBeVisible();
  await expect(white.page.getByTestId('away-black')).toContainText(/has \d+ s to come back/);
  await expect(white.page.getByTestId('presence-black')).toHaveText('Offline');
  await expect(watcher.page.getByTestId('away-black')).toBeVisible();
  // Back within the grace: the countdown goes and the game goes on.
  await black.context.setOffline(false);
  await expectSyncState(black.page, 'synced');
  await expect(white.page.getByTestId('away-black')).toHaveCount(0);
  await expect(white.page.getByTestId('presence-black')).toHaveText('Online');

  // A drag: the knight from b8 to c6.
  await expect(black.page.getByTestId('turn')).toHaveText(/^Your turn/);
  await square(black.page, 'b8').dragTo(square(black.page, 'c6'));
  await expectMove(everyone, 4, 'Nc6');
  await typeMove(white.page, 'Qh5');
  await expectMove(everyone, 5, 'Qh5');
  await typeMove(black.page, 'Nf6');
  await expectMove(everyone, 6, 'Nf6');
  await typeMove(white.page, 'Qxf7#');
  await expectMove(everyone, 7, 'Qxf7#');

  for (const page of everyone) {
    await expect(page.getByTestId('game-result')).toContainText('1-0 · White wins');
    await expect(page.getByTestId('game-result')).toContainText('Checkmate');
  }
  await expect(white.page.getByTestId('game-result')).toContainText('You won');
  await expect(black.page.getByTestId('game-result')).toContainText('You lost');
  await expect(watcher.page.getByTestId('chess-board').getByRole('button', { name: /^e8, black king.*in check/ })).toBeVisible();

  // Rematch: colours swap, both players are taken to the new game.
  await white.page.getByRole('button', { name: 'Rematch', exact: true }).click();
  await expect(black.page.getByText('Your opponent wants a rematch.')).toBeVisible();
  await black.page.getByRole('button', { name: 'Accept rematch' }).click();
  await expect(black.page).not.toHaveURL(gameUrl);
  await expect(black.page).toHaveURL(/\/chess\/g\/[\w-]+$/);
  await expect(white.page).toHaveURL(black.page.url());
  const [newWhite, newBlack] = [black, white];
  expect(await sideOf(newWhite.page)).toBe('white');

  await typeMove(newWhite.page, 'e4');
  await expectMove([newWhite.page, newBlack.page], 1, 'e4');
  await typeMove(newBlack.page, 'e5');
  await expectMove([newWhite.page, newBlack.page], 2, 'e5');

  // White, to move, drops and stays away past the grace: Black wins by forfeit.
  await newWhite.context.setOffline(true);
  await expectSyncState(newWhite.page, 'offline');
  await expect(newBlack.page.getByTestId('away-white')).toContainText(/has \d+ s to come back/);
  const result = newBlack.page.getByTestId('game-result');
  await expect(result).toContainText('0-1 · Black wins', { timeout: DISCONNECT_GRACE_MS + 30_000 });
  await expect(result).toContainText('left the game and forfeits');
  await expect(result).toContainText('You won');
  await newWhite.context.setOffline(false);
  await expectSyncState(newWhite.page, 'synced');
  await expect(newWhite.page.getByTestId('game-result')).toContainText('You lost');

  // Both games are in the history, replayable with PGN.
  await newBlack.page.getByRole('link', { name: 'History' }).click();
  await expect(newBlack.page.getByRole('table', { name: 'Finished games' }).getByRole('row')).toHaveCount(3);
  await expectAccessible(newBlack.page, 'the chess history');

  for (const person of [first, second, watcher]) {
    expect(person.errors.filter((error) => !/WebSocket|ERR_INTERNET_DISCONNECTED|Failed to fetch|net::/.test(error))).toEqual([]);
    await person.context.close();
  }
});
