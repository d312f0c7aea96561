/**
 * Referee-level tests, still pure: intents applied in arrival order through the in-memory book,
 * which calls decideTrade exactly as the server's market referee will.
 */
import { describe, expect, it } from 'vitest';
import { minor } from '../money.ts';
import { expectOk } from '../result.ts';
import { buyCost } from './lmsr.ts';
import { marketLogPrices } from './market.ts';
import { previewTrade } from './trade.ts';
import { balance, type Book, create, join, market, newBook, position, trade } from './test-support/book.ts';

function opened(): { book: Book; id: string } {
  const book = newBook();
  join(book, 'carol', 100_000);
  join(book, 'alice', 20_000);
  join(book, 'bob', 20_000);
  const id = expectOk(create(book, 'carol', { kind: 'binary', question: 'Will the release ship on time?', closeAt: 5_000, subsidy: 10_000 }, 0)).id;
  return { book, id };
}

describe('market referee (pure): intents in arrival order', () => {
  it('prices the second buyer at the state after the first', () => {
    const { book, id } = opened();
    const first = expectOk(trade(book, 'alice', id, { kind: 'buy-shares', outcome: 0, shares: 40, maxCost: 20_000 }, 10));
    const afterFirst = market(book, id);
    const second = expectOk(trade(book, 'bob', id, { kind: 'buy-shares', outcome: 0, shares: 40, maxCost: 20_000 }, 11));
    expect(second.fill.atTradeCount).toBe(1);
    expect(second.fill.exactCost).toBe(buyCost(marketLogPrices(afterFirst), 0, 40, afterFirst.b));
    expect(second.fill.cash).toBeGreaterThan(first.fill.cash);
    // mpmath: 40 YES from (0,0) cost 21.381877 units, the next 40 cost 24.093679 units.
    expect(first.fill.cash).toBe(2_139);
    expect(second.fill.cash).toBe(2_410);
    expect(balance(book, 'alice')).toBe(20_000 - 2_139);
    expect(balance(book, 'bob')).toBe(20_000 - 2_410);
    expect(market(book, id).cash).toBe(10_000 + 2_139 + 2_410);
  });

  it('rejects a guard that no longer holds, changing nothing; a fresh preview then succeeds', () => {
    const { book, id } = opened();
    const trader = { userId: 'bob', role: 'member' as const, balance: balance(book, 'bob') };
    const ticket = expectOk(previewTrade(market(book, id), position(book, id, 'bob'), { kind: 'buy-shares', outcome: 0, shares: 40, maxCost: minor(20_000) }, { trader, now: 5 }));
    // bob's intent is written with the previewed cost as its limit; alice's arrives first.
    expectOk(trade(book, 'alice', id, { kind: 'buy-shares', outcome: 0, shares: 40, maxCost: 20_000 }, 10));
    const before = { market: market(book, id), bob: balance(book, 'bob'), ledger: book.ledger.length };
    const late = trade(book, 'bob', id, { kind: 'buy-shares', outcome: 0, shares: 40, maxCost: ticket.cost }, 11);
    expect(late.ok ? 'ok' : late.error.code).toBe('slippage');
    expect({ market: market(book, id), bob: balance(book, 'bob'), ledger: book.ledger.length }).toEqual(before);
    // A buy-by-amount guard on shares behaves the same way.
    const byAmount = trade(book, 'bob', id, { kind: 'buy-amount', outcome: 0, amount: ticket.cost, minShares: 40 }, 12);
    expect(byAmount.ok ? 'ok' : byAmount.error.code).toBe('slippage');
    const fresh = expectOk(previewTrade(market(book, id), position(book, id, 'bob'), { kind: 'buy-shares', outcome: 0, shares: 40, maxCost: minor(20_000) }, { trader, now: 12 }));
    expectOk(trade(book, 'bob', id, { kind: 'buy-shares', outcome: 0, shares: 40, maxCost: fresh.cost }, 13));
    expect(book.decisions.map((d) => d.result)).toEqual(['ok', 'ok', 'slippage', 'slippage', 'ok']);
  });

  it('rejects trades at and after close, by the clock passed in', () => {
    const { book, id } = opened();
    expectOk(trade(book, 'alice', id, { kind: 'buy-amount', outcome: 1, amount: 500, minShares: 0 }, 4_999));
    for (const now of [5_000, 9_999]) {
      const late = trade(book, 'alice', id, { kind: 'sell-shares', outcome: 1, shares: 1, minProceeds: 0 }, now);
      expect(late.ok ? 'ok' : late.error.code).toBe('market-closed');
    }
  });

  it('rejects non-members and removed members', () => {
    const { book, id } = opened();
    const guest = trade(book, 'mallory', id, { kind: 'buy-amount', outcome: 0, amount: 100, minShares: 0 }, 10);
    expect(guest.ok ? 'ok' : guest.error.code).toBe('not-a-member');
    book.roles.delete('bob');
    const removed = trade(book, 'bob', id, { kind: 'buy-amount', outcome: 0, amount: 100, minShares: 0 }, 11);
    expect(removed.ok ? 'ok' : removed.error.code).toBe('not-a-member');
    expect(market(book, id).tradeCount).toBe(0);
  });

  it('rejects a buy the balance cannot pay, at the exact boundary', () => {
    const { book, id } = opened();
    const all = expectOk(trade(book, 'alice', id, { kind: 'buy-amount', outcome: 0, amount: 20_000, minShares: 0 }, 10));
    expect(all.fill.cash).toBe(20_000);
    expect(balance(book, 'alice')).toBe(0);
    const broke = trade(book, 'alice', id, { kind: 'buy-amount', outcome: 0, amount: 1, minShares: 0 }, 11);
    expect(broke.ok ? 'ok' : broke.error.code).toBe('insufficient-balance');
    const poor = trade(book, 'bob', id, { kind: 'buy-amount', outcome: 0, amount: 20_001, minShares: 0 }, 12);
    expect(poor.ok ? 'ok' : poor.error.code).toBe('insufficient-balance');
  });

  it('is deterministic: the same intents in the same order give the same state, which survives JSON', () => {
    const run = (): Book => {
      const { book, id } = opened();
      trade(book, 'alice', id, { kind: 'buy-shares', outcome: 0, shares: 12.5, maxCost: 20_000 }, 1);
      trade(book, 'bob', id, { kind: 'buy-amount', outcome: 1, amount: 7_777, minShares: 0 }, 2);
      trade(book, 'alice', id, { kind: 'sell-shares', outcome: 0, shares: 12.5, minProceeds: 0 }, 3);
      trade(book, 'bob', id, { kind: 'sell-shares', outcome: 1, shares: 99_999, minProceeds: 0 }, 4);
      return book;
    };
    const a = run();
    const b = run();
    expect(a.ledger).toEqual(b.ledger);
    expect(a.balances).toEqual(b.balances);
    expect(a.markets).toEqual(b.markets);
    expect(a.decisions.map((d) => d.result)).toEqual(['ok', 'ok', 'ok', 'ok', 'insufficient-shares']);
    expect(JSON.parse(JSON.stringify(a.ledger))).toEqual(a.ledger);
  });
});
