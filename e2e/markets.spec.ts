/**
 * Prediction markets end to end, in Chromium against a real server: a member creates a
 * multiple-choice market; two other members trade on it, one of them offline first (their
 * trade shows pending with a predicted fill, then is decided on reconnect at the price of its
 * turn); all three see the same prices and chart; the creator resolves it; the payouts appear
 * in balances and on the leaderboard. Expected numbers come from the same domain code the
 * referee runs, replayed here in the order the server decides.
 */
import type { Page } from '@playwright/test';
import { createMarket, emptyPosition, type Market, marketProbabilities, type Position, resolveMarket, validateTrade, applyTrade } from '../shared/domain/markets/index.ts';
import { minor } from '../shared/domain/money.ts';
import { expectOk } from '../shared/domain/result.ts';
import { formatPoints, formatProbability, formatShares, formatSignedPoints } from '../renderer/src/areas/markets/model/format.ts';
import { expect as baseExpect, expectAccessible, test } from './support/fixtures.ts';
import { newPerson, person, register } from './support/shop.ts';

// Three browsers, axe on three screens, referee decisions: on a loaded 2-core machine this takes minutes.
test.describe.configure({ timeout: 1_200_000 });
const expect = baseExpect.configure({ timeout: 60_000 });

const QUESTION = 'Which colour wins the team vote?';
const OPTIONS = ['Red', 'Blue', 'Green'] as const;
const SUBSIDY = 10_000; // 100 points
const GRANT = 100_000; // the default tenant policy's starting grant: 1,000 points
const BOB_SPENDS = 3_000; // on Red, online
const CAROL_SPENDS = 5_000; // on Blue, offline first

/** What the referee will do: the market, Bob's trade, then Carol's (she reconnects after Bob is decided), then Blue wins. */
function expected() {
  const now = Date.now();
  let market: Market = expectOk(
    createMarket({ kind: 'multiple-choice', question: QUESTION, options: [...OPTIONS], subsidy: SUBSIDY, closeAt: now + 86_400_000 }, { marketId: 'm', entryId: 'e', now, creator: { userId: 'alice', role: 'admin', balance: minor(GRANT) }, correctionWindowMs: 0 }),
  ).market;
  const positions: Position[] = [];
  const trade = (userId: string, outcome: number, amount: number) => {
    const position = emptyPosition(market, userId);
    const fill = expectOk(validateTrade(market, position, { userId, role: 'member', balance: minor(GRANT) }, { kind: 'buy-amount', outcome, amount: minor(amount), minShares: 0 }, now));
    const applied = applyTrade(market, position, fill, { id: userId, at: now });
    market = applied.market;
    positions.push(applied.position);
    return { fill, probabilities: marketProbabilities(market) };
  };
  const bob = trade('bob', 0, BOB_SPENDS);
  const carol = trade('carol', 1, CAROL_SPENDS);
  const resolved = expectOk(resolveMarket(market, positions, { userId: 'alice', role: 'admin' }, { kind: 'outcome', outcome: 1 }, now, 'r')).market.settlement!;
  return { bob, carol, probabilities: carol.probabilities, carolPayout: resolved.paid.carol ?? 0, leftover: resolved.leftover };
}

async function expectSync(page: Page, state: 'offline' | 'synced'): Promise<void> {
  await expect(page.getByTestId('sync-status')).toHaveAttribute('data-state', state);
}

async function openMarkets(page: Page): Promise<void> {
  await page.getByRole('navigation', { name: 'Areas' }).getByRole('link', { name: 'Markets' }).click();
  await expect(page.getByRole('heading', { level: 2, name: 'Markets' })).toBeVisible();
}

function marketsNav(page: Page) {
  return page.getByRole('navigation', { name: 'Markets sections' });
}

async function probabilitiesOn(page: Page): Promise<string[]> {
  return page.getByTestId('outcome-probability').allTextContents();
}

test('a member creates a multiple-choice market, two others trade (one offline first), the creator resolves it and everyone is paid', async ({ browser, server }) => {
  const want = expected();
  const alice = await newPerson(browser);
  const bob = await newPerson(browser);
  const carol = await newPerson(browser);
  await register(alice.page, server, person('Alice Asker'));
  await register(bob.page, server, person('Bob Buyer'));
  await register(carol.page, server, person('Carol Contrarian'));

  // Alice creates the market; the form refuses what the referee would refuse.
  await openMarkets(alice.page);
  await expect(alice.page.getByText('No markets yet')).toBeVisible();
  await expect(alice.page.getByTestId('markets-balance')).toHaveText(formatPoints(GRANT));
  await marketsNav(alice.page).getByRole('link', { name: 'New market' }).click();
  await alice.page.locator('label').filter({ hasText: /^Multiple choice$/ }).click();
  await alice.page.getByRole('textbox', { name: 'Question' }).fill('Hm?');
  await alice.page.getByRole('textbox', { name: 'Option 1', exact: true }).fill('Red');
  await alice.page.getByRole('textbox', { name: 'Option 2', exact: true }).fill('red');
  await alice.page.getByRole('button', { name: 'Create market' }).click();
  await expect(alice.page.getByText('the question has 5–300 characters')).toBeVisible();
  await expectAccessible(alice.page, 'the create form with errors');
  await alice.page.getByRole('textbox', { name: 'Question' }).fill(QUESTION);
  await expect(alice.page.getByText('option labels must be unique')).toBeVisible();
  await alice.page.getByRole('textbox', { name: 'Option 2', exact: true }).fill('Blue');
  await alice.page.getByRole('button', { name: 'Add option' }).click();
  await alice.page.getByRole('textbox', { name: 'Option 3', exact: true }).fill('Green');
  await alice.page.getByRole('textbox', { name: 'Subsidy (points)' }).fill('100');
  await expect(alice.page.getByTestId('create-summary')).toContainText('33.3% / 33.3% / 33.3%');
  await alice.page.getByRole('button', { name: 'Create market' }).click();
  await expect(alice.page).toHaveURL(/\/markets\/m\/m_/);
  await expect(alice.page.getByTestId('market-question')).toHaveText(QUESTION);
  await expect(alice.page.getByTestId('market-status')).toHaveAttribute('data-status', 'open');
  await expect(alice.page.getByTestId('markets-balance')).toHaveText(formatPoints(GRANT - SUBSIDY));

  // Bob and Carol find it in the list (Carol while online: the page and her starting grant reach her device).
  for (const { page } of [bob, carol]) {
    await openMarkets(page);
    const row = page.getByTestId('market-row').filter({ hasText: QUESTION });
    await expect(row).toBeVisible();
    await expect(row.getByTestId('market-leader')).toContainText('33.3%');
    await page.getByRole('searchbox', { name: 'Search markets' }).fill('colour VOTE');
    await expect(page.getByTestId('market-count')).toHaveText('1 market');
    await row.getByRole('link', { name: QUESTION }).click();
    await expect(page.getByTestId('market-question')).toHaveText(QUESTION);
    await expect(page.getByTestId('probability-chart')).toHaveAttribute('data-points', '1');
  }
  await expectAccessible(bob.page, 'a market page');

  // Carol goes offline and buys Blue: pending, with the fill predicted at the price she sees.
  await carol.context.setOffline(true);
  await expectSync(carol.page, 'offline');
  await carol.page.getByRole('radio', { name: 'Blue' }).check();
  await carol.page.getByRole('textbox', { name: 'Amount to spend (points)' }).fill('50');
  const predictedAlone = expectOk(createMarket({ kind: 'multiple-choice', question: QUESTION, options: [...OPTIONS], subsidy: SUBSIDY, closeAt: Date.now() + 1e6 }, { marketId: 'x', entryId: 'x', now: Date.now(), creator: { userId: 'a', role: 'member', balance: minor(GRANT) }, correctionWindowMs: 0 })).market;
  const predictedFill = expectOk(validateTrade(predictedAlone, emptyPosition(predictedAlone, 'c'), { userId: 'c', role: 'member', balance: minor(GRANT) }, { kind: 'buy-amount', outcome: 1, amount: minor(CAROL_SPENDS), minShares: 0 }, Date.now()));
  await expect(carol.page.getByTestId('preview-shares')).toHaveText(formatShares(predictedFill.shares));
  await carol.page.getByRole('button', { name: /^Buy Blue for 50\.00 pts$/ }).click();
  const carolOrder = carol.page.getByTestId('my-order');
  await expect(carolOrder).toHaveAttribute('data-status', 'pending');
  await expect(carolOrder.getByTestId('order-prediction')).toContainText(`Expected: ${formatShares(predictedFill.shares)} Blue shares for 50.00 pts`);
  await expectSync(carol.page, 'offline');

  // Meanwhile Bob buys Red online; the market moves before Carol's order reaches it.
  await bob.page.getByRole('radio', { name: 'Red' }).check();
  await bob.page.getByRole('textbox', { name: 'Amount to spend (points)' }).fill('30');
  await bob.page.getByRole('button', { name: /^Buy Red for 30\.00 pts$/ }).click();
  const bobOrder = bob.page.getByTestId('my-order');
  await expect(bobOrder).toHaveAttribute('data-status', 'accepted');
  await expect(bobOrder.getByTestId('order-result')).toHaveText(`Bought ${formatShares(want.bob.fill.shares)} Red shares for 30.00 pts`);
  await expect(bob.page.getByTestId('markets-balance')).toHaveText(formatPoints(GRANT - BOB_SPENDS));

  // Carol reconnects: her order is decided at the price of its turn (after Bob's), within her 2% protection.
  await carol.context.setOffline(false);
  await expect(carolOrder).toHaveAttribute('data-status', 'accepted');
  await expect(carolOrder.getByTestId('order-result')).toHaveText(`Bought ${formatShares(want.carol.fill.shares)} Blue shares for 50.00 pts`);
  await expectSync(carol.page, 'synced');
  await expect(carol.page.getByTestId('markets-balance')).toHaveText(formatPoints(GRANT - CAROL_SPENDS));

  // Everyone sees the same prices, the same chart and the same trades.
  const prices = want.probabilities.map((p) => formatProbability(p));
  for (const { page } of [alice, bob, carol]) {
    await expect(page.getByTestId('probability-chart')).toHaveAttribute('data-points', '3');
    await expect(page.getByTestId('trade-row')).toHaveCount(2);
    await expect.poll(() => probabilitiesOn(page)).toEqual(prices);
  }
  const lines = await Promise.all([alice, bob, carol].map(({ page }) => page.getByTestId('probability-chart').getAttribute('data-last')));
  expect(new Set(lines).size, `chart endpoints ${JSON.stringify(lines)}`).toBe(1);
  expect(lines[0]!.split(',').map(Number)).toEqual(want.probabilities.map((p) => Number(p.toFixed(6))));

  // Alice resolves to Blue.
  await alice.page.getByRole('button', { name: 'Resolve market' }).click();
  const dialog = alice.page.getByRole('dialog', { name: 'Resolve this market' });
  await dialog.getByRole('radio', { name: 'Blue' }).check();
  await expect(dialog.getByTestId('resolve-preview')).toContainText(formatPoints(want.carolPayout));
  await dialog.getByRole('button', { name: 'Resolve to Blue' }).click();
  await expect(dialog).toBeHidden();
  for (const { page } of [alice, bob, carol]) {
    await expect(page.getByTestId('resolution-banner')).toContainText('Resolved: Blue');
    await expect(page.getByTestId('market-status')).toHaveAttribute('data-status', 'resolved');
  }

  // Payouts in balances: Carol's Blue shares pay a point each; Alice gets the market maker's leftover.
  await expect(carol.page.getByTestId('position-payout')).toHaveText(formatPoints(want.carolPayout));
  await expect(carol.page.getByTestId('markets-balance')).toHaveText(formatPoints(GRANT - CAROL_SPENDS + want.carolPayout));
  await expect(bob.page.getByTestId('markets-balance')).toHaveText(formatPoints(GRANT - BOB_SPENDS));
  await expect(alice.page.getByTestId('markets-balance')).toHaveText(formatPoints(GRANT - SUBSIDY + want.leftover));

  // And on the leaderboard, the same for everyone.
  const board = (
    [
      ['Carol Contrarian', want.carolPayout - CAROL_SPENDS],
      ['Alice Asker', want.leftover - SUBSIDY],
      ['Bob Buyer', -BOB_SPENDS],
    ] as Array<[string, number]>
  )
    .sort((a, b) => b[1] - a[1])
    .map(([name, profit]) => [name, formatSignedPoints(profit)]);
  for (const { page } of [alice, bob, carol]) {
    await marketsNav(page).getByRole('link', { name: 'Leaderboard' }).click();
    const rows = page.getByTestId('leader-row');
    await expect(rows).toHaveCount(3);
    await expect
      .poll(async () => Promise.all((await rows.all()).map(async (row) => [await row.getAttribute('data-user'), await row.getByTestId('leader-profit').textContent()])))
      .toEqual(board);
  }

  // Carol's portfolio: the resolved market with its realized profit, and her balance history.
  await marketsNav(carol.page).getByRole('link', { name: 'Portfolio' }).click();
  await expect(carol.page.getByTestId('portfolio-balance')).toHaveText(formatPoints(GRANT - CAROL_SPENDS + want.carolPayout));
  await expect(carol.page.getByTestId('resolved-positions')).toContainText(formatSignedPoints(want.carolPayout - CAROL_SPENDS));
  await expect(carol.page.getByTestId('balance-chart')).toHaveAttribute('data-points', '3');
  await expectAccessible(carol.page, 'the portfolio');

  expect(alice.errors, 'Alice console errors').toEqual([]);
  expect(bob.errors, 'Bob console errors').toEqual([]);
  expect(carol.errors, 'Carol console errors').toEqual([]);
  await Promise.all([alice.context.close(), bob.context.close(), carol.context.close()]);
});
