/**
 * One trader's position in one market: shares per outcome (floats) and the integer cash that
 * went in and out through trades. Kept apart from the market so that a trade touches only the
 * market, this one position and the trader's balance, however many traders the market has.
 */
import { z } from 'zod';
import { type Minor, minor, ZERO_MINOR } from '../money.ts';
import { type DomainError, fail, ok, type Result } from '../result.ts';
import { type LedgerEntry, userOfAccount } from './ledger.ts';
import type { Market } from './market.ts';

export interface Position {
  readonly marketId: string;
  readonly userId: string;
  readonly shares: readonly number[];
  /** Σ cash paid for buys. */
  readonly spent: Minor;
  /** Σ cash received for sells. */
  readonly received: Minor;
}

export function emptyPosition(market: Market, userId: string): Position {
  return { marketId: market.id, userId, shares: market.outcomes.map(() => 0), spent: ZERO_MINOR, received: ZERO_MINOR };
}

/** Net cash a trader put into the market through trades; what an N/A resolution refunds. */
export function netSpent(position: Position): Minor {
  return minor(position.spent - position.received);
}

/** True if the position holds nothing and never moved cash (it can be dropped). */
export function isEmptyPosition(position: Position): boolean {
  return position.spent === 0 && position.received === 0 && position.shares.every((s) => s === 0);
}

/** A map key for positions: one per (market, user). */
export function positionKey(marketId: string, userId: string): string {
  return `${marketId}\u0000${userId}`;
}

const minorSchema = z.int().min(0).transform((value) => minor(value));

export const PositionSchema = z.strictObject({
  marketId: z.string().min(1),
  userId: z.string().min(1),
  shares: z.array(z.number().min(0)).max(20),
  spent: minorSchema,
  received: minorSchema,
});

/** Parses a stored position and checks it belongs to `market`. */
export function restorePosition(input: unknown, market: Market): Result<Position, DomainError<'malformed' | 'invalid-state'>> {
  const parsed = PositionSchema.safeParse(input);
  if (!parsed.success) return fail('malformed', z.prettifyError(parsed.error));
  if (parsed.data.marketId !== market.id) return fail('invalid-state', 'the position belongs to another market');
  if (parsed.data.shares.length !== market.outcomes.length) return fail('invalid-state', 'the position has the wrong number of outcomes');
  return ok(parsed.data);
}

interface MutablePosition {
  readonly userId: string;
  readonly shares: number[];
  spent: number;
  received: number;
}

/**
 * Every position, rebuilt from the trade entries of a ledger in order: the same float additions
 * as `applyTrade`, so the result equals the referee's incrementally kept positions exactly.
 * Markets are created lazily with as many outcomes as `outcomeCount` says. Keyed by
 * `positionKey`; the loop itself builds no strings (it runs over 10⁵ entries in a few ms).
 */
export function foldPositions(entries: Iterable<LedgerEntry>, outcomeCount: (marketId: string) => number): Map<string, Position> {
  const byMarket = new Map<string, Map<string, MutablePosition>>();
  for (const entry of entries) {
    const trade = entry.trade;
    if (trade === null || entry.kind !== 'trade' || entry.marketId === null) continue;
    const buying = trade.shares > 0;
    const account = buying ? entry.from : entry.to;
    if (account === null) throw new Error(`trade entry ${entry.id} has no source`);
    let users = byMarket.get(entry.marketId);
    if (users === undefined) {
      users = new Map();
      byMarket.set(entry.marketId, users);
    }
    let position = users.get(account);
    if (position === undefined) {
      const userId = userOfAccount(account);
      if (userId === null) throw new Error(`trade entry ${entry.id} has no user side`);
      position = { userId, shares: new Array<number>(outcomeCount(entry.marketId)).fill(0), spent: 0, received: 0 };
      users.set(account, position);
    }
    position.shares[trade.outcome] = (position.shares[trade.outcome] ?? 0) + trade.shares;
    if (buying) position.spent += entry.amount;
    else position.received += entry.amount;
  }
  const result = new Map<string, Position>();
  for (const [marketId, users] of byMarket) {
    for (const p of users.values()) {
      result.set(positionKey(marketId, p.userId), { marketId, userId: p.userId, shares: p.shares, spent: minor(p.spent), received: minor(p.received) });
    }
  }
  return result;
}
