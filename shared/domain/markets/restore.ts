/**
 * Reading a stored market back (from a room, a store row, a JSON file): parse the shape with
 * zod, then check the invariants that `createMarket`, `applyTrade` and the resolutions keep.
 * Parsed is not valid: only a market that passes both comes out.
 */
import { z } from 'zod';
import { minor } from '../money.ts';
import { fail, ok, type Result } from '../result.ts';
import { checkOpening, MARKET_LIMITS, MARKET_VERSION, type Market, ResolutionSchema } from './market.ts';
import { worstCaseLoss } from './lmsr.ts';
import { checkResolution } from './resolution.ts';
import { unitsFromMinor } from './rounding.ts';
import { BINARY_OUTCOMES, MARKET_KINDS, type MarketError } from './vocab.ts';

const minorSchema = z.int().transform((value) => minor(value));

const SettlementSchema = z.strictObject({
  resolution: ResolutionSchema,
  resolvedAt: z.number(),
  resolvedBy: z.string().min(1),
  firstResolvedAt: z.number(),
  revision: z.int().min(1),
  paid: z.record(z.string(), minorSchema),
  leftover: minorSchema,
  cashBefore: minorSchema,
});

export const MarketSchema = z.strictObject({
  version: z.literal(MARKET_VERSION),
  id: z.string().min(1),
  kind: z.enum(MARKET_KINDS),
  question: z.string(),
  outcomes: z.array(z.string()).max(MARKET_LIMITS.maxOptions),
  creatorId: z.string().min(1),
  createdAt: z.number(),
  closeAt: z.number(),
  correctionWindowMs: z.number().min(0),
  subsidy: minorSchema,
  b: z.number().positive(),
  opening: z.array(z.number()),
  q: z.array(z.number()),
  cash: minorSchema,
  volume: minorSchema,
  tradeCount: z.int().min(0),
  settlement: SettlementSchema.nullable(),
});

/** The first broken invariant of a parsed market, or null. */
function brokenInvariant(market: Market): string | null {
  const n = market.outcomes.length;
  if (market.kind === 'binary' && market.outcomes.join() !== BINARY_OUTCOMES.join()) return 'a binary market has the outcomes YES and NO';
  if (n < MARKET_LIMITS.minOptions) return 'a market has at least two outcomes';
  if (market.opening.length !== n || market.q.length !== n) return 'opening prices and shares must match the outcomes';
  if (!checkOpening(market.opening, n).ok) return 'opening prices must lie in (0, 1) and sum to 1';
  if (market.subsidy <= 0) return 'the subsidy must be positive';
  // b may not promise more than the subsidy covers (a little float slack for b·ln(1/p⁰)).
  if (worstCaseLoss(market.opening, market.b) > unitsFromMinor(market.subsidy) * (1 + 1e-12)) return 'b is too large for the subsidy';
  if (market.cash < 0 || market.volume < 0) return 'cash and volume cannot be negative';
  if (market.closeAt <= market.createdAt) return 'the market must close after it was created';
  const settlement = market.settlement;
  if (settlement !== null) {
    if (market.cash !== 0) return 'a settled market has paid out all its cash';
    if (!checkResolution(market, settlement.resolution).ok) return 'the resolution does not fit the market';
    const paid = Object.values(settlement.paid).reduce<number>((sum, amount) => sum + amount, 0);
    if (paid + settlement.leftover !== settlement.cashBefore) return 'the settlement does not add up to the cash it settled';
    if (settlement.leftover < 0) return 'the leftover cannot be negative';
  }
  return null;
}

export function restoreMarket(input: unknown): Result<Market, MarketError> {
  const parsed = MarketSchema.safeParse(input);
  if (!parsed.success) return fail('malformed', z.prettifyError(parsed.error));
  const market: Market = parsed.data;
  const broken = brokenInvariant(market);
  return broken === null ? ok(market) : fail('invalid-state', broken);
}
