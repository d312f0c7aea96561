/**
 * Resolutions end with exact integer balances. The expected numbers were computed apart from
 * this code, with mpmath at 60 digits, applying the same rounding rule (charges up, credits
 * down, snapping within 1e-9 relative):
 *
 * Market A: binary, subsidy 10,000 (b = 100/ln 2 units), carol creates; grants carol 100,000,
 * alice 50,000, bob 50,000.
 *   alice buys 100 YES  → cost 58.496250 units → charged 5,850
 *   bob spends 3,000 on NO → 75.995111 shares
 *   alice sells 20 YES  → proceeds 10.484798 units → credited 1,048
 *   → market cash 17,802; alice 45,198, bob 47,000, carol 90,000.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { minor } from '../money.ts';
import { expectOk } from '../result.ts';
import { foldBalances, marketAccount, totalGranted } from './ledger.ts';
import { type Market, type Resolution } from './market.ts';
import { parseResolution, settlementAmounts } from './resolution.ts';
import { accountBalance, balance, type Book, correct, create, DAY, grant, join, market, newBook, positionsOf, resolve, totalMoney, trade } from './test-support/book.ts';
import { marketA } from './test-support/scenarios.ts';

function balances(book: Book): Record<string, number> {
  return { alice: balance(book, 'alice'), bob: balance(book, 'bob'), carol: balance(book, 'carol') };
}

function expectConserved(book: Book): void {
  expect(totalMoney(book)).toBe(totalGranted(book.ledger));
  expect(foldBalances(book.ledger)).toEqual(book.balances);
  for (const [id, m] of book.markets) expect(accountBalance(book, marketAccount(id))).toBe(m.cash);
}

describe('resolving market A', () => {
  let book: Book;
  let id: string;
  beforeEach(() => {
    ({ book, id } = marketA());
  });

  it('has the expected state before resolution', () => {
    expect(balances(book)).toEqual({ alice: 45_198, bob: 47_000, carol: 90_000 });
    expect(market(book, id).cash).toBe(17_802);
    expect(positionsOf(book, id).find((p) => p.userId === 'bob')!.shares[1]).toBeCloseTo(75.995111, 6);
  });

  it.each<[string, Resolution, Record<string, number>, number]>([
    // name, resolution, final balances, leftover to carol
    ['YES: alice’s 80 shares pay 8,000', { kind: 'outcome', outcome: 0 }, { alice: 53_198, bob: 47_000, carol: 99_802 }, 9_802],
    ['NO: bob’s 75.995 shares pay 7,599', { kind: 'outcome', outcome: 1 }, { alice: 45_198, bob: 54_599, carol: 100_203 }, 10_203],
    ['PROB 0.3: alice 80·0.3 → 2,400, bob 75.995·0.7 → 5,319', { kind: 'probability', probability: 0.3 }, { alice: 47_598, bob: 52_319, carol: 100_083 }, 10_083],
    ['N/A: everyone gets back net cash spent, carol the whole subsidy', { kind: 'na' }, { alice: 50_000, bob: 50_000, carol: 100_000 }, 10_000],
  ])('%s', (_, resolution, expected, leftover) => {
    const resolved = expectOk(resolve(book, 'carol', id, resolution, 2_000));
    expect(balances(book)).toEqual(expected);
    expect(market(book, id).cash).toBe(0);
    expect(market(book, id).settlement).toMatchObject({ revision: 1, leftover, cashBefore: 17_802, resolvedBy: 'carol', firstResolvedAt: 2_000 });
    expect(resolved.entries.at(-1)).toMatchObject({ kind: 'subsidy-return', to: 'user:carol', amount: leftover });
    expectConserved(book);
  });

  it('stops trading once resolved, and a second resolution must be a correction', () => {
    expectOk(resolve(book, 'carol', id, { kind: 'outcome', outcome: 0 }, 500));
    const late = trade(book, 'bob', id, { kind: 'buy-amount', outcome: 1, amount: 100, minShares: 0 }, 600);
    expect(late.ok ? 'ok' : late.error.code).toBe('market-resolved');
    const again = resolve(book, 'carol', id, { kind: 'na' }, 700);
    expect(again.ok ? 'ok' : again.error.code).toBe('market-resolved');
  });

  it.each<[string, string, Resolution]>([
    ['not-authorized', 'alice', { kind: 'outcome', outcome: 0 }],
    ['invalid-resolution', 'carol', { kind: 'outcome', outcome: 2 }],
    ['invalid-resolution', 'carol', { kind: 'outcome', outcome: 0.5 }],
    ['invalid-resolution', 'carol', { kind: 'probability', probability: Number.NaN }],
    ['invalid-resolution', 'carol', { kind: 'probability', probability: 1.01 }],
  ])('refuses %s (case %#)', (code, who, resolution) => {
    const result = resolve(book, who, id, resolution, 2_000);
    expect(result.ok ? 'ok' : result.error.code).toBe(code);
    expect(market(book, id).settlement).toBeNull();
  });

  it('a tenant admin may resolve; a creator who left the tenant may not', () => {
    book.roles.delete('carol');
    const refused = resolve(book, 'carol', id, { kind: 'na' }, 2_000);
    expect(refused.ok ? 'ok' : refused.error.code).toBe('not-authorized');
    expectOk(resolve(book, 'erin', id, { kind: 'na' }, 2_000));
    expect(market(book, id).settlement?.resolvedBy).toBe('erin');
  });

  it('N/A makes a trader who sold at a profit pay the difference back, even below zero', () => {
    // dave buys YES cheap, bob pushes YES up, dave sells at a profit, then spends everything elsewhere.
    expectOk(trade(book, 'dave', id, { kind: 'buy-shares', outcome: 0, shares: 50, maxCost: 100_000 }, 40));
    expectOk(trade(book, 'bob', id, { kind: 'buy-shares', outcome: 0, shares: 300, maxCost: 100_000 }, 41));
    expectOk(trade(book, 'dave', id, { kind: 'sell-shares', outcome: 0, shares: 50, minProceeds: 0 }, 42));
    const profit = balance(book, 'dave') - 50_000;
    expect(profit).toBeGreaterThan(0);
    const other = expectOk(create(book, 'carol', { kind: 'binary', question: 'Another question?', closeAt: 100_000, subsidy: 1_000 }, 43)).id;
    expectOk(trade(book, 'dave', other, { kind: 'buy-amount', outcome: 0, amount: balance(book, 'dave'), minShares: 0 }, 44));
    expect(balance(book, 'dave')).toBe(0);

    const resolved = expectOk(resolve(book, 'carol', id, { kind: 'na' }, 2_000));
    expect(resolved.entries.find((e) => e.id.endsWith(':refund:dave'))).toMatchObject({ from: 'user:dave', to: `market:${id}`, amount: profit });
    expect(balance(book, 'dave')).toBe(-profit);
    expect(balances(book)).toEqual({ alice: 50_000, bob: 50_000, carol: 100_000 - 1_000 });
    const blocked = trade(book, 'dave', other, { kind: 'buy-amount', outcome: 0, amount: 1, minShares: 0 }, 2_001);
    expect(blocked.ok ? 'ok' : blocked.error.code).toBe('balance-negative');
    expectConserved(book);
  });
});

describe('correcting a resolution within the window', () => {
  it('reverses YES exactly, pays NO, drives a spender below zero and blocks her buys until she recovers', () => {
    const { book, id } = marketA();
    expectOk(resolve(book, 'carol', id, { kind: 'outcome', outcome: 0 }, 2_000));
    expect(balances(book)).toEqual({ alice: 53_198, bob: 47_000, carol: 99_802 });

    // alice spends her winnings in bob's market M2 (subsidy 5,000, b = 50/ln 2).
    const m2 = expectOk(create(book, 'bob', { kind: 'binary', question: 'Will the bus be late?', closeAt: 100_000, subsidy: 5_000 }, 2_100)).id;
    const spent = expectOk(trade(book, 'alice', m2, { kind: 'buy-amount', outcome: 0, amount: 50_000, minShares: 549 }, 2_500));
    expect(spent.fill.shares).toBeCloseTo(549.964769, 6);
    expect(balances(book)).toEqual({ alice: 3_198, bob: 42_000, carol: 99_802 });

    const corrected = expectOk(correct(book, 'carol', id, { kind: 'outcome', outcome: 1 }, 3_000));
    expect(corrected.entries.map((e) => [e.kind, e.from, e.to, e.amount])).toEqual([
      ['reversal', 'user:alice', `market:${id}`, 8_000],
      ['reversal', 'user:carol', `market:${id}`, 9_802],
      ['payout', `market:${id}`, 'user:bob', 7_599],
      ['subsidy-return', `market:${id}`, 'user:carol', 10_203],
    ]);
    expect(balances(book)).toEqual({ alice: -4_802, bob: 49_599, carol: 100_203 });
    expect(market(book, id).settlement).toMatchObject({ revision: 2, firstResolvedAt: 2_000, resolvedAt: 3_000, resolution: { kind: 'outcome', outcome: 1 } });
    expectConserved(book);

    // Below zero: buying is blocked; selling is allowed and helps.
    const blocked = trade(book, 'alice', m2, { kind: 'buy-amount', outcome: 0, amount: 100, minShares: 0 }, 3_050);
    expect(blocked.ok ? 'ok' : blocked.error.code).toBe('balance-negative');
    const sold = expectOk(trade(book, 'alice', m2, { kind: 'sell-shares', outcome: 0, shares: 10, minProceeds: 0 }, 3_100));
    expect(sold.fill.cash).toBe(999);
    expect(balance(book, 'alice')).toBe(-3_803);
    const still = trade(book, 'alice', m2, { kind: 'buy-amount', outcome: 0, amount: 100, minShares: 0 }, 3_150);
    expect(still.ok ? 'ok' : still.error.code).toBe('balance-negative');
    grant(book, 'alice', 5_000, 3_200);
    expect(balance(book, 'alice')).toBe(1_197);
    expectOk(trade(book, 'alice', m2, { kind: 'buy-amount', outcome: 0, amount: 100, minShares: 0 }, 3_250));
    expect(balance(book, 'alice')).toBe(1_097);

    // Back to YES within the window: NO reversed, YES paid again.
    expectOk(correct(book, 'erin', id, { kind: 'outcome', outcome: 0 }, 3_300));
    expect(balances(book)).toEqual({ alice: 9_097, bob: 42_000, carol: 99_802 });
    expect(market(book, id).settlement?.revision).toBe(3);
    expectConserved(book);
  });

  it('N/A → YES: negative refunds and the full subsidy are reversed too', () => {
    const { book, id } = marketA();
    expectOk(resolve(book, 'carol', id, { kind: 'na' }, 2_000));
    expectOk(correct(book, 'carol', id, { kind: 'outcome', outcome: 0 }, 2_001));
    expect(balances(book)).toEqual({ alice: 53_198, bob: 47_000, carol: 99_802 });
    expectConserved(book);
  });

  it.each<[string, string, Resolution, number]>([
    ['correction-window-closed', 'carol', { kind: 'outcome', outcome: 1 }, 2_000 + DAY + 1],
    ['unchanged', 'carol', { kind: 'outcome', outcome: 0 }, 2_500],
    ['not-authorized', 'bob', { kind: 'outcome', outcome: 1 }, 2_500],
    ['invalid-resolution', 'carol', { kind: 'outcome', outcome: 5 }, 2_500],
  ])('refuses %s', (code, who, resolution, now) => {
    const { book, id } = marketA();
    expectOk(resolve(book, 'carol', id, { kind: 'outcome', outcome: 0 }, 2_000));
    const before = balances(book);
    const result = correct(book, who, id, resolution, now);
    expect(result.ok ? 'ok' : result.error.code).toBe(code);
    expect(balances(book)).toEqual(before);
  });

  it('the window runs from the first resolution: a correction does not extend it', () => {
    const { book, id } = marketA();
    expectOk(resolve(book, 'carol', id, { kind: 'outcome', outcome: 0 }, 2_000));
    expectOk(correct(book, 'carol', id, { kind: 'outcome', outcome: 1 }, 2_000 + DAY));
    const late = correct(book, 'carol', id, { kind: 'outcome', outcome: 0 }, 2_000 + DAY + 1);
    expect(late.ok ? 'ok' : late.error.code).toBe('correction-window-closed');
  });

  it('cannot correct an unresolved market', () => {
    const { book, id } = marketA();
    const result = correct(book, 'carol', id, { kind: 'na' }, 2_000);
    expect(result.ok ? 'ok' : result.error.code).toBe('not-resolved');
  });
});

describe('multiple choice', () => {
  it('Red/Green/Blue opening 0.5/0.3/0.2, subsidy 20,000: Blue wins', () => {
    const book = newBook();
    join(book, 'carol', 100_000);
    join(book, 'alice', 50_000);
    join(book, 'bob', 50_000);
    join(book, 'dave', 50_000);
    join(book, 'erin', 0, 0, 'admin');
    const id = expectOk(create(book, 'carol', { kind: 'multiple-choice', question: 'Which colour wins?', closeAt: 1_000, subsidy: 20_000, options: ['Red', 'Green', 'Blue'], openingProbabilities: [0.5, 0.3, 0.2] }, 0)).id;
    expect(market(book, id).b).toBeCloseTo(124.266987, 6);
    expect(expectOk(trade(book, 'alice', id, { kind: 'buy-shares', outcome: 2, shares: 40, maxCost: 910 }, 1)).fill.cash).toBe(910);
    expect(expectOk(trade(book, 'bob', id, { kind: 'buy-amount', outcome: 1, amount: 2_500, minShares: 72.98 }, 2)).fill.shares).toBeCloseTo(72.989234, 6);
    expect(expectOk(trade(book, 'dave', id, { kind: 'buy-shares', outcome: 0, shares: 30, maxCost: 2_000 }, 3)).fill.cash).toBe(1_227);
    expect(market(book, id).cash).toBe(24_637);
    // Trading has closed by the clock; the admin resolves.
    const late = trade(book, 'dave', id, { kind: 'buy-shares', outcome: 0, shares: 1, maxCost: 2_000 }, 1_000);
    expect(late.ok ? 'ok' : late.error.code).toBe('market-closed');
    const probability = resolve(book, 'erin', id, { kind: 'probability', probability: 0.5 }, 1_500);
    expect(probability.ok ? 'ok' : probability.error.code).toBe('invalid-resolution');
    expectOk(resolve(book, 'erin', id, { kind: 'outcome', outcome: 2 }, 1_500));
    expect({ alice: balance(book, 'alice'), bob: balance(book, 'bob'), dave: balance(book, 'dave'), carol: balance(book, 'carol') }).toEqual({
      alice: 50_000 - 910 + 4_000,
      bob: 47_500,
      dave: 50_000 - 1_227,
      carol: 80_000 + 20_637,
    });
    // Corrected to Green: bob's 72.989 shares pay 7,298.
    expectOk(correct(book, 'carol', id, { kind: 'outcome', outcome: 1 }, 1_600));
    expect({ alice: balance(book, 'alice'), bob: balance(book, 'bob'), carol: balance(book, 'carol') }).toEqual({ alice: 49_090, bob: 54_798, carol: 97_339 });
    expectConserved(book);
  });
});

describe('parseResolution', () => {
  it.each([null, { kind: 'yes' }, { kind: 'outcome' }, { kind: 'outcome', outcome: -1 }, { kind: 'probability', probability: 2 }, { kind: 'na', extra: 1 }])('rejects %j as malformed', (input) => {
    const parsed = parseResolution(input);
    expect(parsed.ok ? 'ok' : parsed.error.code).toBe('malformed');
  });
  it('parses the three shapes', () => {
    for (const r of [{ kind: 'outcome', outcome: 3 }, { kind: 'probability', probability: 0.25 }, { kind: 'na' }]) expect(parseResolution(r)).toEqual({ ok: true, value: r });
  });
});

describe('settlementAmounts safety net', () => {
  const { book, id } = marketA();
  const base = market(book, id);
  it('refuses an incomplete set of positions (a referee bug would pay traders’ money to the creator)', () => {
    expect(() => settlementAmounts(base, positionsOf(book, id).slice(1), { kind: 'outcome', outcome: 0 }, base.cash)).toThrow(/account for/);
  });

  it('scales payouts down, in exact integers, if float noise ever made them exceed the cash', () => {
    // Pretend the market holds only 7,001 instead of 17,802: payouts of YES (8,000) exceed it.
    const poor: Market = { ...base, subsidy: minor(base.subsidy - 10_801) };
    const amounts = settlementAmounts(poor, positionsOf(book, id), { kind: 'outcome', outcome: 0 }, minor(7_001));
    expect(amounts.scaled).toBe(true);
    expect([...amounts.paid]).toEqual([['alice', 7_001]]);
    expect(amounts.leftover).toBe(0);
    const ok = settlementAmounts(base, positionsOf(book, id), { kind: 'outcome', outcome: 0 }, base.cash);
    expect(ok.scaled).toBe(false);
  });
});
