import { describe, expect, it } from 'vitest';
import { expectOk } from '../result.ts';
import { balanceHistory, userAccount } from './ledger.ts';
import { foldPortfolio } from './portfolio.ts';
import { correct, market, resolve } from './test-support/book.ts';
import { marketA } from './test-support/scenarios.ts';

describe('portfolio fold (market A; values from mpmath: YES at 0.506939)', () => {
  it('open market: shares, average-cost basis, mark-to-market value, realized and unrealized P/L', () => {
    const { book, id } = marketA();
    const markets = new Map([[id, market(book, id)]]);
    const alice = foldPortfolio(book.ledger, 'alice', markets, 500);
    expect(alice.balance).toBe(45_198);
    expect(alice.markets).toHaveLength(1);
    const row = alice.markets[0]!;
    expect(row).toMatchObject({ marketId: id, status: 'open', invested: 4_802, costBasis: 4_680, value: 4_055, realized: -122, unrealized: -625 });
    expect(row.holdings).toHaveLength(1);
    expect(row.holdings[0]).toMatchObject({ outcome: 0, label: 'YES', shares: 80, costBasis: 4_680, value: 4_055 });
    expect(row.holdings[0]!.probability).toBeCloseTo(0.506939, 6);
    expect(alice).toMatchObject({ value: 4_055, costBasis: 4_680, realized: -122, unrealized: -625 });

    const bob = foldPortfolio(book.ledger, 'bob', markets, 500).markets[0]!;
    expect(bob).toMatchObject({ costBasis: 3_000, value: 3_747, realized: 0, unrealized: 747 });
    expect(foldPortfolio(book.ledger, 'bob', markets, 1_000).markets[0]!.status).toBe('closed');
  });

  it('resolved market: everything is realized as net cash, and a correction moves it', () => {
    const { book, id } = marketA();
    expectOk(resolve(book, 'carol', id, { kind: 'outcome', outcome: 0 }, 2_000));
    let markets = new Map([[id, market(book, id)]]);
    expect(foldPortfolio(book.ledger, 'alice', markets, 2_000).markets[0]).toMatchObject({ status: 'resolved', holdings: [], value: 0, costBasis: 0, realized: 3_198, unrealized: 0 });
    expect(foldPortfolio(book.ledger, 'bob', markets, 2_000).markets[0]).toMatchObject({ realized: -3_000 });
    expectOk(correct(book, 'carol', id, { kind: 'outcome', outcome: 1 }, 2_500));
    markets = new Map([[id, market(book, id)]]);
    expect(foldPortfolio(book.ledger, 'alice', markets, 2_500).markets[0]).toMatchObject({ realized: -4_802 });
    expect(foldPortfolio(book.ledger, 'bob', markets, 2_500).markets[0]).toMatchObject({ realized: 4_599 });
    // N/A after all: nobody gains or loses.
    expectOk(correct(book, 'carol', id, { kind: 'na' }, 2_600));
    markets = new Map([[id, market(book, id)]]);
    for (const user of ['alice', 'bob']) expect(foldPortfolio(book.ledger, user, markets, 2_600).markets[0]!.realized).toBe(0);
  });

  it('a market missing from the map cannot be priced: status null, value 0', () => {
    const { book } = marketA();
    const row = foldPortfolio(book.ledger, 'alice', new Map(), 500).markets[0]!;
    expect(row).toMatchObject({ status: null, value: 0, costBasis: 4_680, realized: -122, unrealized: 0 });
  });

  it('members who never traded have an empty portfolio', () => {
    const { book, id } = marketA();
    expect(foldPortfolio(book.ledger, 'dave', new Map([[id, market(book, id)]]), 500)).toMatchObject({ balance: 50_000, markets: [], value: 0, realized: 0 });
  });

  it('balance history follows every entry of the member', () => {
    const { book } = marketA();
    expect(balanceHistory(book.ledger, userAccount('alice')).map((p) => [p.kind, p.delta, p.balance])).toEqual([
      ['grant', 50_000, 50_000],
      ['trade', -5_850, 44_150],
      ['trade', 1_048, 45_198],
    ]);
  });
});
