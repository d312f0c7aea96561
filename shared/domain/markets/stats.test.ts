import { describe, expect, it } from 'vitest';
import { expectOk } from '../result.ts';
import { marketProbabilities } from './market.ts';
import { leaderboard, marketVolume, probabilityHistory, volumeByMarket } from './stats.ts';
import { market, resolve } from './test-support/book.ts';
import { marketA } from './test-support/scenarios.ts';

describe('probability history', () => {
  it('has the opening point and one point per trade; the last equals the market exactly', () => {
    const { book, id } = marketA();
    const m = market(book, id);
    const history = probabilityHistory(m, book.ledger);
    expect(history.map((p) => [p.at, p.tradeCount])).toEqual([
      [0, 0],
      [10, 1],
      [20, 2],
      [30, 3],
    ]);
    expect(history[0]!.probabilities).toEqual([0.5, 0.5]);
    // b = 100/ln 2, so 100 YES shares make YES e^{ln 2} = 2 times as likely as NO.
    expect(history[1]!.probabilities[0]).toBeCloseTo(2 / 3, 14);
    expect(history.at(-1)!.probabilities).toEqual(marketProbabilities(m));
  });
});

describe('volume', () => {
  it('sums the cash of every trade in the market', () => {
    const { book, id } = marketA();
    expect(marketVolume(book.ledger, id)).toBe(5_850 + 3_000 + 1_048);
    expect(marketVolume(book.ledger, id)).toBe(market(book, id).volume);
    expect(marketVolume(book.ledger, 'nope')).toBe(0);
    expect([...volumeByMarket(book.ledger).keys()]).toEqual([id]);
  });
});

describe('leaderboard', () => {
  it('open market: open positions at market prices, the creator’s subsidy at cost; ties share a rank', () => {
    const { book, id } = marketA();
    const rows = leaderboard(book.ledger, new Map([[id, market(book, id)]]));
    expect(rows.map((r) => [r.rank, r.userId, r.profit])).toEqual([
      [1, 'bob', 747],
      [2, 'carol', 0],
      [2, 'dave', 0],
      [4, 'alice', -747],
    ]);
    expect(rows.find((r) => r.userId === 'carol')).toMatchObject({ balance: 90_000, granted: 100_000, lockedSubsidy: 10_000, openValue: 0 });
    expect(rows.find((r) => r.userId === 'alice')).toMatchObject({ balance: 45_198, openValue: 4_055 });
  });

  it('resolved market: profit is cash', () => {
    const { book, id } = marketA();
    expectOk(resolve(book, 'carol', id, { kind: 'outcome', outcome: 0 }, 2_000));
    const rows = leaderboard(book.ledger, new Map([[id, market(book, id)]]));
    expect(rows.map((r) => [r.rank, r.userId, r.profit])).toEqual([
      [1, 'alice', 3_198],
      [2, 'dave', 0],
      [3, 'carol', -198],
      [4, 'bob', -3_000],
    ]);
    // Nothing is created: profits sum to zero once every market is resolved.
    expect(rows.reduce((sum, r) => sum + r.profit, 0)).toBe(0);
  });
});
