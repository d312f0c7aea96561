/**
 * Trades: commands from traders, priced at the CURRENT market state. Queries apart from
 * commands: `validateTrade` decides and prices (a `TradeFill`) without changing anything,
 * `applyTrade` turns a fill into the next market, position and ledger entry. `previewTrade`
 * (the order ticket) runs exactly those two, and `decideTrade` is the referee's composition on
 * untrusted input: parse → validate → apply.
 */
import { z } from 'zod';
import { type Minor, minor } from '../money.ts';
import { fail, ok, type Result } from '../result.ts';
import { type LedgerEntry, marketAccount, transferEntry, userAccount } from './ledger.ts';
import { buyCost, sellProceeds, sharesForSpend } from './lmsr.ts';
import { type Market, marketLogPrices, marketProbabilities } from './market.ts';
import type { Position } from './position.ts';
import { chargeFromUnits, creditFromUnits, ROUNDING_TOLERANCE, unitsFromMinor } from './rounding.ts';
import type { Role, TradeError, TradeKind, TradeSide } from './vocab.ts';

export const TRADE_LIMITS = {
  /** Shares per trade: keeps costs (≤ shares units) far inside safe integers of minor units. */
  maxShares: 1e12,
  /** Minor units per buy-by-amount. */
  maxAmount: 10_000_000_000_000,
} as const;

const minorSchema = z.int().transform((value) => minor(value));

export const TradeCommandSchema = z.discriminatedUnion('kind', [
  /** Buy `shares`; refuse if the charge would exceed `maxCost`. */
  z.strictObject({ kind: z.literal('buy-shares'), outcome: z.int(), shares: z.number(), maxCost: minorSchema }),
  /** Spend exactly `amount`; refuse if that buys fewer than `minShares`. */
  z.strictObject({ kind: z.literal('buy-amount'), outcome: z.int(), amount: minorSchema, minShares: z.number() }),
  /** Sell `shares`; refuse if the proceeds would be below `minProceeds`. */
  z.strictObject({ kind: z.literal('sell-shares'), outcome: z.int(), shares: z.number(), minProceeds: minorSchema }),
]);
export type TradeCommand = z.infer<typeof TradeCommandSchema>;

export function parseTradeCommand(input: unknown): Result<TradeCommand, TradeError> {
  const parsed = TradeCommandSchema.safeParse(input);
  return parsed.success ? ok(parsed.data) : fail('malformed', z.prettifyError(parsed.error));
}

/** Who trades: `role` null means not a member of the tenant; `balance` is their ledger fold. */
export interface Trader {
  readonly userId: string;
  readonly role: Role | null;
  readonly balance: Minor;
}

/** A decided, priced trade. Valid only for the market state it was priced at. */
export interface TradeFill {
  readonly marketId: string;
  readonly userId: string;
  /** The market's tradeCount when priced; applyTrade refuses any other state. */
  readonly atTradeCount: number;
  readonly kind: TradeKind;
  readonly side: TradeSide;
  readonly outcome: number;
  /** Shares bought or sold (> 0). */
  readonly shares: number;
  /** Minor units the trader pays (buy) or receives (sell), after rounding. */
  readonly cash: Minor;
  /** The unrounded LMSR cost or proceeds in share units. */
  readonly exactCost: number;
}

function checkAmounts(command: TradeCommand): string | null {
  const { maxShares, maxAmount } = TRADE_LIMITS;
  switch (command.kind) {
    case 'buy-shares':
    case 'sell-shares': {
      if (!(command.shares > 0 && command.shares <= maxShares)) return `shares must be more than 0 and at most ${maxShares}`;
      const guard = command.kind === 'buy-shares' ? command.maxCost : command.minProceeds;
      return guard >= 0 ? null : 'the price guard cannot be negative';
    }
    case 'buy-amount':
      if (!(command.amount >= 1 && command.amount <= maxAmount)) return `the amount must be between 1 and ${maxAmount} minor units`;
      return Number.isFinite(command.minShares) && command.minShares >= 0 ? null : 'the minimum shares cannot be negative';
  }
}

/**
 * Decides a trade at the market's current state, in a fixed order: membership, lifecycle,
 * outcome, amounts, negative balance (buys only: a sale can only help a balance recover),
 * shares held, price, slippage guard, balance.
 */
export function validateTrade(market: Market, position: Position, trader: Trader, command: TradeCommand, now: number): Result<TradeFill, TradeError> {
  if (position.marketId !== market.id || position.userId !== trader.userId) throw new Error('the position does not belong to this market and trader');
  if (trader.role === null) return fail('not-a-member', 'only members can trade');
  if (market.settlement !== null) return fail('market-resolved', 'the market is resolved');
  if (now >= market.closeAt) return fail('market-closed', 'the market is closed');
  const { outcome } = command;
  if (!(Number.isInteger(outcome) && outcome >= 0 && outcome < market.outcomes.length)) return fail('invalid-outcome', `no outcome ${outcome} in this market`);
  const bad = checkAmounts(command);
  if (bad !== null) return fail('invalid-amount', bad);
  const side: TradeSide = command.kind === 'sell-shares' ? 'sell' : 'buy';
  if (side === 'buy' && trader.balance < 0) return fail('balance-negative', 'your balance is below zero; buying is blocked until it recovers');

  const lp = marketLogPrices(market);
  let shares: number;
  let exactCost: number;
  let cash: Minor;
  switch (command.kind) {
    case 'buy-shares':
      shares = command.shares;
      exactCost = buyCost(lp, outcome, shares, market.b);
      if (!Number.isFinite(exactCost)) return fail('invalid-amount', 'the cost of this trade is out of range');
      cash = chargeFromUnits(exactCost);
      if (cash > command.maxCost) return fail('slippage', `the cost ${cash} exceeds your limit ${command.maxCost}`);
      break;
    case 'buy-amount':
      exactCost = unitsFromMinor(command.amount);
      shares = sharesForSpend(lp, outcome, exactCost, market.b);
      if (!(Number.isFinite(shares) && shares <= TRADE_LIMITS.maxShares)) return fail('invalid-amount', 'this amount buys more shares than a trade may');
      cash = command.amount;
      if (shares < command.minShares) return fail('slippage', `${shares} shares is fewer than your minimum ${command.minShares}`);
      break;
    case 'sell-shares': {
      const held = position.shares[outcome] ?? 0;
      if (command.shares > held * (1 + ROUNDING_TOLERANCE)) return fail('insufficient-shares', `you hold ${held} shares of this outcome`);
      // Within float noise of the whole holding: sell exactly the holding, so it ends at 0.
      shares = Math.min(command.shares, held);
      exactCost = sellProceeds(lp, outcome, shares, market.b);
      cash = creditFromUnits(exactCost);
      if (cash < command.minProceeds) return fail('slippage', `the proceeds ${cash} are below your limit ${command.minProceeds}`);
      break;
    }
  }
  if (side === 'buy' && cash > trader.balance) return fail('insufficient-balance', `the trade costs ${cash}, your balance is ${trader.balance}`);
  return ok({ marketId: market.id, userId: trader.userId, atTradeCount: market.tradeCount, kind: command.kind, side, outcome, shares, cash, exactCost });
}

export interface AppliedTrade {
  readonly market: Market;
  readonly position: Position;
  readonly entry: LedgerEntry;
}

/** Applies a fill to the state it was priced at. Mismatches are programmer errors and throw. */
export function applyTrade(market: Market, position: Position, fill: TradeFill, entry: { readonly id: string; readonly at: number }): AppliedTrade {
  if (fill.marketId !== market.id || fill.atTradeCount !== market.tradeCount) throw new Error('the fill was priced at another market state');
  if (position.marketId !== market.id || position.userId !== fill.userId) throw new Error('the position does not belong to this fill');
  const signed = fill.side === 'buy' ? fill.shares : -fill.shares;
  // Same float operation as every replay (probability history, position folds): q + signed.
  const q = market.q.map((qi, i) => (i === fill.outcome ? qi + signed : qi));
  const shares = position.shares.map((si, i) => (i === fill.outcome ? si + signed : si));
  const buying = fill.side === 'buy';
  return {
    market: {
      ...market,
      q,
      cash: minor(buying ? market.cash + fill.cash : market.cash - fill.cash),
      volume: minor(market.volume + fill.cash),
      tradeCount: market.tradeCount + 1,
    },
    position: {
      ...position,
      shares,
      spent: buying ? minor(position.spent + fill.cash) : position.spent,
      received: buying ? position.received : minor(position.received + fill.cash),
    },
    entry: transferEntry('trade', {
      id: entry.id,
      at: entry.at,
      from: buying ? userAccount(fill.userId) : marketAccount(market.id),
      to: buying ? marketAccount(market.id) : userAccount(fill.userId),
      amount: fill.cash,
      marketId: market.id,
      trade: { outcome: fill.outcome, shares: signed },
    }),
  };
}

export interface TradePreview {
  readonly fill: TradeFill;
  /** What the trader pays (buy) or receives (sell), in minor units. */
  readonly cost: Minor;
  readonly shares: number;
  /** Cash per share in play-money units (0..1 for buys; comparable to a probability). */
  readonly averagePrice: number;
  readonly probabilitiesBefore: readonly number[];
  readonly probabilitiesAfter: readonly number[];
  /** What the shares bought pay if their outcome wins (0 for a sale). */
  readonly maxPayout: Minor;
  /** What the whole position in this outcome pays if it wins, after the trade. */
  readonly payoutIfWins: Minor;
  readonly balanceAfter: Minor;
  readonly positionAfter: Position;
}

/** The order ticket: the referee's own validate + apply, reported for people. */
export function previewTrade(market: Market, position: Position, command: TradeCommand, context: { readonly trader: Trader; readonly now: number }): Result<TradePreview, TradeError> {
  const decided = validateTrade(market, position, context.trader, command, context.now);
  if (!decided.ok) return decided;
  const fill = decided.value;
  const after = applyTrade(market, position, fill, { id: 'preview', at: context.now });
  const buying = fill.side === 'buy';
  return ok({
    fill,
    cost: fill.cash,
    shares: fill.shares,
    averagePrice: fill.shares > 0 ? unitsFromMinor(fill.cash) / fill.shares : 0,
    probabilitiesBefore: marketProbabilities(market),
    probabilitiesAfter: marketProbabilities(after.market),
    maxPayout: buying ? creditFromUnits(fill.shares) : minor(0),
    payoutIfWins: creditFromUnits(after.position.shares[fill.outcome] ?? 0),
    balanceAfter: minor(buying ? context.trader.balance - fill.cash : context.trader.balance + fill.cash),
    positionAfter: after.position,
  });
}

export interface DecidedTrade extends AppliedTrade {
  readonly fill: TradeFill;
}

/** The referee's step for one trade intent, in arrival order: parse, validate, apply. */
export function decideTrade(input: {
  readonly market: Market;
  readonly position: Position;
  readonly trader: Trader;
  readonly command: unknown;
  readonly now: number;
  readonly entryId: string;
}): Result<DecidedTrade, TradeError> {
  const command = parseTradeCommand(input.command);
  if (!command.ok) return command;
  const decided = validateTrade(input.market, input.position, input.trader, command.value, input.now);
  if (!decided.ok) return decided;
  const applied = applyTrade(input.market, input.position, decided.value, { id: input.entryId, at: input.now });
  return ok({ ...applied, fill: decided.value });
}
