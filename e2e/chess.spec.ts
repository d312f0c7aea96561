/**
 * Chess end to end, in Chromium against a real server with a 15 s disconnect grace: two guests
 * quick-pair at 1+0 and play Scholar's mate (typed, clicked and dragged moves) while a third
 * guest watches every move (all three see "1 watching"). Then a 10+0 game posted in the lobby
 * and joined from its list: the player to move drops offline (told the server's grace) and comes
 * back in time, and the game goes on; then the other stays away past the grace and loses.
 */
import type { Page } from '@playwright/test';
import { expectAccessible } from './support/fixtures.ts';
import { newPerson } from './support/shop.ts';
import { chessGuest, DISCONNECT_GRACE_MS, expect, expectMove, expectSyncState, sideOf, square, test, typeMove } from './support/chess.ts';

// Three browsers and a game clock: generous for CI machines with 2 cores.
test.describe.configure({ timeout: 900_000 });

test('quick pairing and Scholar’s mate watched by a spectator; a reconnect in time; a player who stays away loses', async ({ browser, server }) => {
  const first = await chessGuest(browser, server);
  const second = await chessGuest(browser, server);
  const watcher = await chessGuest(browser, server);
  await expect(first.page.getByRole('heading', { name: 'Quick pairing' })).toBeVisible();
  for (const page of [first.page, second.page]) await expectSyncState(page, 'synced');

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
  // The server counts the people in the game room; both players see the spectator too.
  for (const page of [white.page, black.page, watcher.page]) await expect(page.getByTestId('viewers')).toHaveText('1 watching');
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
  // axe can hold a page's main thread for a long time on a busy machine, so it runs where that cannot cost a game.
  await expectAccessible(watcher.page, 'a finished game (spectator)');
  await watcher.page.getByRole('link', { name: 'Play', exact: true }).click();
  await expect(watcher.page.getByRole('heading', { name: 'Quick pairing' })).toBeVisible();
  await expectAccessible(watcher.page, 'the chess lobby');

  // A second game, 10+0 so that a slow machine cannot flag anyone: posted in the lobby, joined from the list.
  await white.page.getByRole('link', { name: 'Play', exact: true }).click();
  await white.page.locator('label').filter({ hasText: /^10\+0$/ }).click();
  await white.page.locator('label').filter({ hasText: /^White$/ }).click();
  await white.page.getByRole('button', { name: 'Post to the lobby' }).click();
  await expect(white.page.getByTestId('my-seeks')).toContainText('10+0 · Rapid · White');
  await black.page.getByRole('link', { name: 'Play', exact: true }).click();
  await black.page.getByRole('button', { name: /^Join .*10\+0 · Rapid game$/ }).click();
  await expect(black.page).toHaveURL(/\/chess\/g\/[\w-]+$/);
  await expect(white.page).toHaveURL(black.page.url());
  expect(black.page.url()).not.toBe(gameUrl);
  expect(await sideOf(white.page)).toBe('white');
  const players: Page[] = [white.page, black.page];
  await typeMove(white.page, 'e4');
  await expectMove(players, 1, 'e4');
  await typeMove(black.page, 'e5');
  await expectMove(players, 2, 'e5');

  // White, to move, drops offline: its own screen says so first, then Black sees the countdown.
  await white.context.setOffline(true);
  await expectSyncState(white.page, 'offline');
  // The grace this server gave the game, not a number built into the app.
  await expect(white.page.getByTestId('self-offline')).toContainText(`come back within ${DISCONNECT_GRACE_MS / 1000} seconds`);
  await expect(black.page.getByTestId('away-white')).toContainText(/has \d+ s to come back/);
  await expect(black.page.getByTestId('presence-white')).toHaveText('Offline');
  // Back within the grace: the countdown goes and the game goes on.
  await white.context.setOffline(false);
  await expectSyncState(white.page, 'synced');
  await expect(black.page.getByTestId('away-white')).toHaveCount(0);
  await expect(black.page.getByTestId('presence-white')).toHaveText('Online');
  await typeMove(white.page, 'Nf3');
  await expectMove(players, 3, 'Nf3');

  // Black, to move, drops and stays away past the grace: White wins by forfeit.
  await black.context.setOffline(true);
  await expectSyncState(black.page, 'offline');
  await expect(white.page.getByTestId('away-black')).toContainText(/has \d+ s to come back/);
  // The away player is not counted as a spectator: nobody watches this game.
  await expect(white.page.getByTestId('viewers')).toHaveText('0 watching');
  const result = white.page.getByTestId('game-result');
  await expect(result).toContainText('1-0 · White wins', { timeout: DISCONNECT_GRACE_MS + 60_000 });
  await expect(result).toContainText('left the game and forfeits');
  await expect(result).toContainText('You won');
  await black.context.setOffline(false);
  await expectSyncState(black.page, 'synced');
  await expect(black.page.getByTestId('game-result')).toContainText('You lost');

  // The rematch offer reaches the opponent.
  await white.page.getByRole('button', { name: 'Rematch', exact: true }).click();
  await expect(black.page.getByText('Your opponent wants a rematch.')).toBeVisible();
  await black.page.getByRole('button', { name: 'Decline rematch' }).click();
  await expect(white.page.getByText('Your opponent declined the rematch.')).toBeVisible();

  // Both games are in the history, replayable with PGN.
  await white.page.getByRole('link', { name: 'History', exact: true }).click();
  await expect(white.page.getByRole('table', { name: 'Finished games' }).getByRole('row')).toHaveCount(3);
  await expectAccessible(white.page, 'the chess history');

  for (const person of [first, second, watcher]) {
    expect(person.errors.filter((error) => !/WebSocket|ERR_INTERNET_DISCONNECTED|Failed to fetch|net::/.test(error))).toEqual([]);
    await person.context.close();
  }
});

test('a challenge link opens for a visitor who is not signed in, and joining it starts the game for both', async ({ browser, server }) => {
  const host = await chessGuest(browser, server);
  await host.page.locator('label').filter({ hasText: /^3\+2$/ }).click();
  await host.page.getByRole('button', { name: 'Create a challenge link' }).click();
  const link = host.page.getByRole('textbox', { name: 'Challenge link' });
  await expect(link).toHaveValue(/\/chess\/join\/[\w-]+$/);
  const url = await link.inputValue();
  // Links are not listed in the lobby.
  await expect(host.page.getByTestId('no-seeks')).toBeVisible();

  const friend = await newPerson(browser);
  await friend.page.goto(url);
  await expect(friend.page.getByRole('heading', { name: 'You are invited to a game of chess' })).toBeVisible();
  // Told this server's grace before signing in.
  await expect(friend.page.getByTestId('grace-promise')).toHaveText(`If your connection drops, you have ${DISCONNECT_GRACE_MS / 1000} seconds to come back.`);
  await friend.page.getByRole('button', { name: 'Play as guest' }).click();
  await expect(friend.page.getByTestId('challenge-details')).toContainText('3+2 · Blitz');
  await friend.page.getByRole('button', { name: 'Accept the challenge' }).click();
  await expect(friend.page).toHaveURL(/\/chess\/g\/[\w-]+$/);
  await expect(host.page).toHaveURL(friend.page.url());
  await expect(host.page.getByTestId('chess-board')).toBeVisible();
  await expect(friend.page.getByText('3+2 · Blitz').first()).toBeVisible();
  await expectAccessible(friend.page, 'a game in play');
  for (const person of [host, friend]) await person.context.close();
});
