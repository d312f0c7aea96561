/**
 * The order ticket's model: what the trader typed becomes a domain `TradeCommand`, priced by the
 * referee's own `previewTrade` (shared/domain/markets) at this device's view of the market, and
 * guarded against slippage: the guard sent with the intent is the previewed fill widened by the
 * trader's tolerance, so the referee refuses the trade if the price moved further than that
 * before the intent's turn came.
 *
 * Trades still pending in the outbox are applied first (`stateAfterPending`), in the order they
 * were written, so a second offline trade is previewed where the first one leaves the market.
 */
import {
  applyTrade,
  type Market,
  marketProbabilities,
  type Position,
  previewTrade,
  type Role,
  TRADE_LIMITS,
  type TradeCommand,
  type TradeErrorCode,
  type TradePreview,
  validateTrade,
} from '../../../../../shared/domain/markets/index.ts';
import { MINOR_PER_SHARE } from '../../../../../shared/domain/markets/index.ts';
import { minor, type Minor } from '../../../../../shared/domain/money.ts';

export const TICKET_MODES = ['buy-amount', 'buy-shares', 'sell-shares'] as const;
export type TicketMode = (typeof TICKET_MODES)[number];

export const TICKET_MODE_LABELS: Readonly<Record<TicketMode, string>> = {
  'buy-amount': 'Buy by amount',
  'buy-shares': 'Buy shares',
  'sell-shares': 'Sell shares',
};

/** Slippage tolerances the ticket offers, as fractions. */
export const SLIPPAGE_CHOICES = [0, 0.01, 0.02, 0.05, 0.1] as const;
export const DEFAULT_SLIPPAGE = 0.02;

export interface TicketInput {
  readonly mode: TicketMode;
  readonly outcome: number;
  /** What the trader typed: points to spend (buy-amount) or a number of shares. */
  readonly quantity: string;
  /** Fraction the price may move against the trader before the referee refuses (0.02 = 2%). */
  readonly slippage: number;
}

/** What this device knows for one trader in one market. */
export interface TradingState {
  readonly market: Market;
  readonly position: Position;
  readonly balance: Minor;
}

export interface TraderRef {
  readonly userId: string;
  readonly role: Role | null;
}

export type TicketOutcome =
  | { readonly kind: 'empty' }
  | { readonly kind: 'invalid'; readonly message: string }
  | { readonly kind: 'refused'; readonly code: TradeErrorCode; readonly message: string }
  | { readonly kind: 'ready'; readonly command: TradeCommand; readonly preview: TradePreview };

const DECIMAL = /^\s*(\d+)(?:[.,](\d*))?\s*$/;

/**
 * The typed quantity: an amount in points (at most two decimals, → integer minor units) or a
 * number of shares (a positive decimal). Empty input is not an error yet.
 */
export function parseQuantity(mode: TicketMode, text: string): { kind: 'empty' } | { kind: 'invalid'; message: string } | { kind: 'ok'; value: number } {
  if (text.trim() === '') return { kind: 'empty' };
  const match = DECIMAL.exec(text);
  if (!match) return { kind: 'invalid', message: mode === 'buy-amount' ? 'Enter an amount of points, like 25 or 12.50.' : 'Enter a number of shares, like 10 or 2.5.' };
  const whole = match[1]!;
  const fraction = match[2] ?? '';
  if (mode === 'buy-amount') {
    if (fraction.length > 2) return { kind: 'invalid', message: 'Amounts have at most two decimals.' };
    const amount = Number(whole) * MINOR_PER_SHARE + Number(fraction.padEnd(2, '0') || '0');
    if (!Number.isSafeInteger(amount) || amount < 1) return { kind: 'invalid', message: 'Spend at least 0.01 points.' };
    if (amount > TRADE_LIMITS.maxAmount) return { kind: 'invalid', message: 'That amount is larger than one trade may be.' };
    return { kind: 'ok', value: amount };
  }
  const shares = Number(`${whole}.${fraction || '0'}`);
  if (!(Number.isFinite(shares) && shares > 0)) return { kind: 'invalid', message: 'Enter more than 0 shares.' };
  if (shares > TRADE_LIMITS.maxShares) return { kind: 'invalid', message: 'That is more shares than one trade may move.' };
  return { kind: 'ok', value: shares };
}

/** The command with no guard yet: priced first, then guarded from the price. */
function looseCommand(mode: TicketMode, outcome: number, value: number): TradeCommand {
  switch (mode) {
    case 'buy-amount':
      return { kind: 'buy-amount', outcome, amount: minor(value), minShares: 0 };
    case 'buy-shares':
      return { kind: 'buy-shares', outcome, shares: value, maxCost: minor(TRADE_LIMITS.maxAmount) };
    case 'sell-shares':
      return { kind: 'sell-shares', outcome, shares: value, minProceeds: minor(0) };
  }
}

/**
 * The slippage guard for a previewed command: the referee refuses the trade if, at its turn,
 * it would cost more than `cost·(1 + s)`, buy fewer than `shares·(1 − s)` or fetch less than
 * `proceeds·(1 − s)`.
 */
export function guardedCommand(command: TradeCommand, preview: TradePreview, slippage: number): TradeCommand {
  const s = Math.min(1, Math.max(0, Number.isFinite(slippage) ? slippage : 0));
  switch (command.kind) {
    case 'buy-amount':
      return { ...command, minShares: preview.shares * (1 - s) };
    case 'buy-shares':
      return { ...command, maxCost: minor(Math.ceil(preview.cost * (1 + s))) };
    case 'sell-shares':
      return { ...command, minProceeds: minor(Math.floor(preview.cost * (1 - s))) };
  }
}

/** Prices what the trader typed with the referee's own rule, at `state`, and guards it. */
export function evaluateTicket(input: TicketInput, state: TradingState, trader: TraderRef, now: number): TicketOutcome {
  const parsed = parseQuantity(input.mode, input.quantity);
  if (parsed.kind !== 'ok') return parsed;
  const command = looseCommand(input.mode, input.outcome, parsed.value);
  const previewed = previewTrade(state.market, state.position, command, { trader: { ...trader, balance: state.balance }, now });
  if (!previewed.ok) return { kind: 'refused', code: previewed.error.code, message: previewed.error.message };
  return { kind: 'ready', command: guardedCommand(command, previewed.value, input.slippage), preview: previewed.value };
}

/** What the device predicted for a trade, stored beside its pending intent (plain JSON). */
export type TradePrediction =
  | {
      readonly kind: 'fill';
      readonly outcome: number;
      readonly side: 'buy' | 'sell';
      readonly shares: number;
      /** Minor units paid (buy) or received (sell). */
      readonly cash: number;
      readonly averagePrice: number;
      readonly probabilitiesAfter: readonly number[];
    }
  | { readonly kind: 'refused'; readonly code: string; readonly message: string };

export function predictionOf(preview: TradePreview): TradePrediction {
  return {
    kind: 'fill',
    outcome: preview.fill.outcome,
    side: preview.fill.side,
    shares: preview.shares,
    cash: preview.cost,
    averagePrice: preview.averagePrice,
    probabilitiesAfter: [...preview.probabilitiesAfter],
  };
}

export interface PendingTrade {
  readonly id: string;
  readonly command: TradeCommand;
}

/**
 * The state once this trader's pending trades in this market are applied, in order, each
 * priced by the referee's rule at the state the previous one left; with each one's predicted
 * fill (or why it would be refused, which leaves the state as it was).
 */
export function stateAfterPending(state: TradingState, trader: TraderRef, pending: readonly PendingTrade[], now: number): { state: TradingState; predictions: ReadonlyMap<string, TradePrediction> } {
  let { market, position, balance } = state;
  const predictions = new Map<string, TradePrediction>();
  for (const trade of pending) {
    const fill = validateTrade(market, position, { ...trader, balance }, trade.command, now);
    if (!fill.ok) {
      predictions.set(trade.id, { kind: 'refused', code: fill.error.code, message: fill.error.message });
      continue;
    }
    const applied = applyTrade(market, position, fill.value, { id: trade.id, at: now });
    market = applied.market;
    position = applied.position;
    balance = minor(fill.value.side === 'buy' ? balance - fill.value.cash : balance + fill.value.cash);
    predictions.set(trade.id, {
      kind: 'fill',
      outcome: fill.value.outcome,
      side: fill.value.side,
      shares: fill.value.shares,
      cash: fill.value.cash,
      averagePrice: fill.value.shares > 0 ? fill.value.cash / MINOR_PER_SHARE / fill.value.shares : 0,
      probabilitiesAfter: marketProbabilities(market),
    });
  }
  return { state: { market, position, balance }, predictions };
}
