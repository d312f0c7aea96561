/**
 * Resolving a market and correcting a resolution. Settlement is pure arithmetic over the
 * market's cash and every position in it:
 *
 * - YES/NO/option: each winning share pays 1 unit; PROB p (binary): YES pays p, NO pays 1 − p.
 *   Each payout rounds down; whatever is left in the market (the market maker's leftover
 *   subsidy plus those fractions) returns to the creator.
 * - N/A: every trade is undone at cost: each trader gets back spent − received. A trader who
 *   sold for more than they paid pays the difference back (the balance may go below zero and
 *   then blocks buying until it recovers). The creator gets the whole subsidy back.
 *
 * A correction within the market's window reverses every settlement entry exactly, then
 * settles anew from the same positions. Ledger ids derive from the decision id passed in.
 */
import { z } from 'zod';
import { type Minor, minor } from '../money.ts';
import { fail, ok, type Result } from '../result.ts';
import { type LedgerEntry, marketAccount, transferEntry, userAccount } from './ledger.ts';
import { type Market, type Resolution, ResolutionSchema, type Settlement } from './market.ts';
import type { Position } from './position.ts';
import { creditFromUnits } from './rounding.ts';
import type { ResolutionError, Role } from './vocab.ts';

/** Who resolves: the creator (while a member) or a tenant admin. */
export interface Resolver {
  readonly userId: string;
  readonly role: Role | null;
}

export function parseResolution(input: unknown): Result<Resolution, ResolutionError> {
  const parsed = ResolutionSchema.safeParse(input);
  return parsed.success ? ok(parsed.data) : fail('malformed', z.prettifyError(parsed.error));
}

function checkResolver(market: Market, resolver: Resolver): Result<true, ResolutionError> {
  const allowed = resolver.role === 'admin' || (resolver.role === 'member' && resolver.userId === market.creatorId);
  return allowed ? ok(true) : fail('not-authorized', 'only the creator or a tenant admin can resolve this market');
}

/** Checks that a resolution fits the market (outcome in range, PROB only for binary). */
export function checkResolution(market: Market, resolution: Resolution): Result<true, ResolutionError> {
  switch (resolution.kind) {
    case 'outcome': {
      const { outcome } = resolution;
      const exists = Number.isInteger(outcome) && outcome >= 0 && outcome < market.outcomes.length;
      return exists ? ok(true) : fail('invalid-resolution', `no outcome ${outcome} in this market`);
    }
    case 'probability': {
      if (market.kind !== 'binary') return fail('invalid-resolution', 'only binary markets resolve to a probability');
      const p = resolution.probability;
      return p >= 0 && p <= 1 ? ok(true) : fail('invalid-resolution', 'a probability lies between 0 and 1');
    }
    case 'na':
      return ok(true);
  }
}

/** Payout in units of one position under a resolution (N/A is handled in cash, not units). */
function payoutUnits(resolution: Exclude<Resolution, { kind: 'na' }>, shares: readonly number[]): number {
  if (resolution.kind === 'outcome') return shares[resolution.outcome] ?? 0;
  const p = resolution.probability;
  return (shares[0] ?? 0) * p + (shares[1] ?? 0) * (1 - p);
}

export interface SettlementAmounts {
  /** Per user id, sorted by id; negative = the user pays back (N/A). Zero amounts omitted. */
  readonly paid: ReadonlyMap<string, Minor>;
  readonly leftover: Minor;
  /** True if float noise made the payouts exceed the cash and they were scaled down. */
  readonly scaled: boolean;
}

/**
 * What each trader gets from `cash` under `resolution`. `positions` must be every position in
 * the market: the cash they put in must add up to the market's, else this throws (a referee
 * that forgot a trader would otherwise pay the rest to the creator).
 */
export function settlementAmounts(market: Market, positions: readonly Position[], resolution: Resolution, cash: Minor): SettlementAmounts {
  const sorted = [...positions].sort((a, b) => (a.userId < b.userId ? -1 : a.userId > b.userId ? 1 : 0));
  let netIn = 0;
  for (let i = 0; i < sorted.length; i++) {
    const position = sorted[i]!;
    if (position.marketId !== market.id) throw new Error('a position belongs to another market');
    if (i > 0 && sorted[i - 1]!.userId === position.userId) throw new Error(`two positions for user ${position.userId}`);
    netIn += position.spent - position.received;
  }
  if (netIn !== cash - market.subsidy) throw new Error(`positions account for ${netIn} of the market's ${cash - market.subsidy} traded cash`);

  const paid = new Map<string, number>();
  let total = 0;
  for (const position of sorted) {
    const amount = resolution.kind === 'na' ? position.spent - position.received : creditFromUnits(payoutUnits(resolution, position.shares));
    if (amount === 0) continue;
    paid.set(position.userId, amount);
    total += amount;
  }
  // LMSR bounds the market maker's loss by the subsidy, so payouts fit in the cash; only float
  // noise at the very edge (one outcome pushed to ~10⁷·b) could overshoot by a unit. Then every
  // payout is scaled by cash/total (exact integer arithmetic), so the market never goes negative.
  const scaled = total > cash;
  if (scaled) {
    const whole = BigInt(total);
    let cut = 0;
    for (const [userId, amount] of paid) {
      const share = Number((BigInt(amount) * BigInt(cash)) / whole);
      paid.set(userId, share);
      cut += share;
    }
    total = cut;
  }
  const typed = new Map<string, Minor>();
  for (const [userId, amount] of paid) if (amount !== 0) typed.set(userId, minor(amount));
  return { paid: typed, leftover: minor(cash - total), scaled };
}

/** The ledger entries paying out a settlement: one per trader, then the leftover. */
function settlementEntries(market: Market, amounts: SettlementAmounts, resolution: Resolution, at: number, id: string, revision: number): LedgerEntry[] {
  const kind = resolution.kind === 'na' ? 'refund' : 'payout';
  const memo = `resolution ${revision}`;
  const entries: LedgerEntry[] = [];
  const marketId = market.id;
  for (const [userId, amount] of amounts.paid) {
    const user = userAccount(userId);
    const toUser = amount > 0;
    entries.push(
      transferEntry(kind, { id: `${id}:${kind}:${userId}`, at, from: toUser ? marketAccount(marketId) : user, to: toUser ? user : marketAccount(marketId), amount: minor(Math.abs(amount)), marketId, memo }),
    );
  }
  if (amounts.leftover > 0) {
    entries.push(transferEntry('subsidy-return', { id: `${id}:leftover`, at, from: marketAccount(marketId), to: userAccount(market.creatorId), amount: amounts.leftover, marketId, memo }));
  }
  return entries;
}

/** Entries that undo a settlement exactly: every transfer, back the other way. */
function reversalEntries(market: Market, settlement: Settlement, at: number, id: string): LedgerEntry[] {
  const memo = `reverses resolution ${settlement.revision}`;
  const marketId = market.id;
  const entries: LedgerEntry[] = [];
  for (const userId of Object.keys(settlement.paid).sort()) {
    const amount = settlement.paid[userId]!;
    const user = userAccount(userId);
    const fromUser = amount > 0;
    entries.push(transferEntry('reversal', { id: `${id}:reversal:${userId}`, at, from: fromUser ? user : marketAccount(marketId), to: fromUser ? marketAccount(marketId) : user, amount: minor(Math.abs(amount)), marketId, memo }));
  }
  if (settlement.leftover > 0) {
    entries.push(transferEntry('reversal', { id: `${id}:reversal:leftover`, at, from: userAccount(market.creatorId), to: marketAccount(marketId), amount: settlement.leftover, marketId, memo }));
  }
  return entries;
}

export interface ResolvedMarket {
  readonly market: Market;
  readonly entries: readonly LedgerEntry[];
}

function settle(market: Market, positions: readonly Position[], resolution: Resolution, resolver: Resolver, now: number, id: string, cash: Minor, previous: Settlement | null): ResolvedMarket & { amounts: SettlementAmounts } {
  const revision = (previous?.revision ?? 0) + 1;
  const amounts = settlementAmounts(market, positions, resolution, cash);
  const settlement: Settlement = {
    resolution,
    resolvedAt: now,
    resolvedBy: resolver.userId,
    firstResolvedAt: previous?.firstResolvedAt ?? now,
    revision,
    paid: Object.fromEntries(amounts.paid),
    leftover: amounts.leftover,
    cashBefore: cash,
  };
  return { market: { ...market, cash: minor(0), settlement }, entries: settlementEntries(market, amounts, resolution, now, id, revision), amounts };
}

/** Resolves an open or closed market (a creator may resolve early; trading stops either way). */
export function resolveMarket(market: Market, positions: readonly Position[], resolver: Resolver, resolution: Resolution, now: number, id: string): Result<ResolvedMarket, ResolutionError> {
  const allowed = checkResolver(market, resolver);
  if (!allowed.ok) return allowed;
  if (market.settlement !== null) return fail('market-resolved', 'the market is already resolved; correct the resolution instead');
  const fits = checkResolution(market, resolution);
  if (!fits.ok) return fits;
  const { market: resolved, entries } = settle(market, positions, resolution, resolver, now, id, market.cash, null);
  return ok({ market: resolved, entries });
}

function sameResolution(a: Resolution, b: Resolution): boolean {
  if (a.kind === 'outcome' && b.kind === 'outcome') return a.outcome === b.outcome;
  if (a.kind === 'probability' && b.kind === 'probability') return a.probability === b.probability;
  return a.kind === b.kind;
}

/** Within the window after the first resolution: reverse the payouts exactly and pay anew. */
export function correctResolution(market: Market, positions: readonly Position[], resolver: Resolver, resolution: Resolution, now: number, id: string): Result<ResolvedMarket, ResolutionError> {
  const allowed = checkResolver(market, resolver);
  if (!allowed.ok) return allowed;
  const previous = market.settlement;
  if (previous === null) return fail('not-resolved', 'the market is not resolved yet');
  if (now > previous.firstResolvedAt + market.correctionWindowMs) return fail('correction-window-closed', 'the window for correcting this resolution has passed');
  const fits = checkResolution(market, resolution);
  if (!fits.ok) return fits;
  if (sameResolution(previous.resolution, resolution)) return fail('unchanged', 'the market already has this resolution');
  const reversed = reversalEntries(market, previous, now, id);
  const { market: resolved, entries } = settle(market, positions, resolution, resolver, now, id, previous.cashBefore, previous);
  return ok({ market: resolved, entries: [...reversed, ...entries] });
}
