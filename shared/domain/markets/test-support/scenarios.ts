/**
 * Shared scenarios for tests. Market A (binary, subsidy 10,000, b = 100/ln 2), with expected
 * values recomputed apart from this code (mpmath, 60 digits):
 *   alice buys 100 YES (charged 5,850), bob spends 3,000 on NO (75.995111 shares),
 *   alice sells 20 YES (credited 1,048) → cash 17,802, YES at 0.506939.
 */
import { expectOk } from '../../result.ts';
import { type Book, create, join, newBook, trade } from './book.ts';

export function marketA(): { book: Book; id: string } {
  const book = newBook();
  join(book, 'carol', 100_000);
  join(book, 'alice', 50_000);
  join(book, 'bob', 50_000);
  join(book, 'erin', 0, 0, 'admin');
  join(book, 'dave', 50_000);
  const id = expectOk(create(book, 'carol', { kind: 'binary', question: 'Will it rain on Friday?', closeAt: 1_000, subsidy: 10_000 }, 0)).id;
  expectOk(trade(book, 'alice', id, { kind: 'buy-shares', outcome: 0, shares: 100, maxCost: 100_000 }, 10));
  expectOk(trade(book, 'bob', id, { kind: 'buy-amount', outcome: 1, amount: 3_000, minShares: 0 }, 20));
  expectOk(trade(book, 'alice', id, { kind: 'sell-shares', outcome: 0, shares: 20, minProceeds: 0 }, 30));
  return { book, id };
}
