/**
 * One trader's position in one market: shares per outcome (floats) and the integer cash that
 * went in and out through trades. Kept apart from the market so that a trade touches only the
 * market, this one position and the trader's balance, however many traders the market has.
 */
import { z } from 'zod';
import { type Minor, minor, ZERO_MINOR } from '../money.ts';
import { type DomainError, fail, ok, type Result } from '../result.ts';
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
