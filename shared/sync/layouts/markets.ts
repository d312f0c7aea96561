/**
 * Prediction markets: how the market rooms are laid out, what the four intents carry, and the
 * readers both sides use. Only the server (the markets referee) writes these rooms; members read
 * them (guests and other tenants cannot open them). The records defined here carry `v: 1` (the
 * domain's `Market` its own `version`); a reader that meets anything else hides the record.
 *
 * | room                                   | top-level Y.Map  | key → value                                      |
 * |----------------------------------------|------------------|--------------------------------------------------|
 * | `t/{t}/markets` (directory)            | `markets`        | market id → {@link MarketSummary}                |
 * | `t/{t}/market/{id}`                    | `market`         | `state` → domain `Market`; `info` → {@link MarketInfo} |
 * |                                        | `positions`      | user id → domain `Position` (every holder: public) |
 * |                                        | `names`          | user id → display name of holders and creator    |
 * |                                        | `trades`         | {@link seqKey}(trade number) → {@link TradeRecord}: the last 200–250 |
 * |                                        | `history`        | {@link seqKey}(trade number) → {@link ProbabilityPointRecord}, thinned ({@link pointsToDrop}) |
 * | `t/{t}/market/{id}/trades/{yyyy-mm}`   | `trades`         | {@link seqKey}(trade number) → {@link TradeRecord} (moved out of the tail) |
 * | `t/{t}/standings/markets`              | `leaders`        | user id → {@link LeaderRecord}                   |
 * | `t/{t}/u/{user}/inbox`                 | `markets`        | `account` → {@link MarketsAccount}; `position:{market}` → {@link PositionSummary} |
 * |                                        | `marketsBalance` | {@link seqKey}(entry number) → {@link BalancePointRecord}, thinned ({@link pointsToDrop}) |
 *
 * Money is integer minor units (100 per play-money unit; a winning share pays 100). A market's id
 * is the id of the `markets.create` intent that opened it, so a client knows it before the
 * decision arrives. Every balance is the fold of the store's ledger rows (accounts
 * `markets:user:{id}` and `markets:market:{id}`), written in the same transaction.
 */
import type * as Y from 'yjs';
import { z } from 'zod';
import {
  LEDGER_KINDS,
  MARKET_KINDS,
  MARKET_STATUSES,
  MarketSetupSchema,
  ResolutionSchema,
  TRADE_KINDS,
  TRADE_SIDES,
  TradeCommandSchema,
  type Market,
  type MarketError,
  type Position,
  restoreMarket,
  restorePosition,
} from '../../domain/markets/index.ts';
import { fail, ok, type DomainError, type Result } from '../../domain/result.ts';

// Names -----------------------------------------------------------------------------------------

/** The four intent kinds of the markets referee. */
export const MARKET_INTENTS = {
  /** Payload {@link CreateMarketPayload}; the market id is the intent id. */
  create: 'markets.create',
  /** Payload {@link TradePayload}. */
  trade: 'markets.trade',
  /** Payload {@link ResolvePayload}: YES/NO/option, PROB (binary), or N/A (`{ kind: 'na' }`). */
  resolve: 'markets.resolve',
  /** Payload {@link ResolvePayload}: within the correction window after the first resolution. */
  correct: 'markets.correct',
} as const;
export type MarketIntentKind = (typeof MARKET_INTENTS)[keyof typeof MARKET_INTENTS];

export const DIRECTORY_MARKETS = 'markets';
export const MARKET_MAP = 'market';
export const MARKET_STATE_KEY = 'state';
export const MARKET_INFO_KEY = 'info';
export const MARKET_POSITIONS = 'positions';
export const MARKET_NAMES = 'names';
export const MARKET_TRADES = 'trades';
export const MARKET_HISTORY = 'history';
export const STANDINGS_LEADERS = 'leaders';
export const INBOX_MARKETS = 'markets';
export const INBOX_ACCOUNT_KEY = 'account';
export const INBOX_MARKETS_BALANCE = 'marketsBalance';

export function positionSummaryKey(marketId: string): string {
  return `position:${marketId}`;
}

/**
 * Bounds that keep market rooms and inboxes small (DESIGN "Rooms stay small"). Nothing here
 * counts a Y.Map (its size and keys walk every key ever set, deleted ones included): which keys
 * go is computed from the sequence numbers alone.
 */
export const MARKET_LIMITS_SYNC = {
  /** Trades kept in the market room; older ones move to `…/trades/{yyyy-mm}`. */
  tradesTail: 200,
  /** The tail grows to tail + slack, then the oldest `slack` trades move out at once. */
  tradesSlack: 50,
  /** Probability points: every one of the last `historyWindow` trades, sparser further back. */
  historyWindow: 100,
  /** Balance points in the inbox, thinned the same way. */
  balanceWindow: 50,
  /**
   * A trade rewrites its market's directory line at most this often (every member reads the
   * directory, so each write fans out to all of them); the last state follows by a deadline.
   * The market's own room is always exact.
   */
  directoryRefreshMs: 1_000,
} as const;

/**
 * The trade numbers to move out of the tail after trade `seq` was added: a batch of `slack`
 * whenever the tail reaches tail + slack (so it holds between `tail` and `tail + slack`).
 */
export function tradesToArchive(seq: number, limits: { tradesTail: number; tradesSlack: number } = MARKET_LIMITS_SYNC): { from: number; to: number } | null {
  const { tradesTail: tail, tradesSlack: slack } = limits;
  if (seq < tail + slack || (seq - tail) % slack !== 0) return null;
  return { from: seq - tail - slack + 1, to: seq - tail };
}

/**
 * How long a trade intent stays good: submit trades with `{ ttlMs: DEFAULT_TRADE_TTL_MS }`. The
 * server's `marketsTradeTtlMs` (same default) has the last word: older trades are `expired`.
 */
export const DEFAULT_TRADE_TTL_MS = 24 * 3600 * 1000;

/** Zero-padded so that keys sort as numbers. */
export function seqKey(n: number): string {
  return String(n).padStart(12, '0');
}

/** Ledger account names in the store's `ledger` table (a domain `AccountId` with a prefix). */
export function ledgerAccount(account: `user:${string}` | `market:${string}`): string {
  return `markets:${account}`;
}

// Intent payloads -------------------------------------------------------------------------------

const marketId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'a market id');

/** `markets.create`: the domain's market setup (binary or multiple choice, subsidy from the creator's balance). */
export const CreateMarketPayloadSchema = MarketSetupSchema;
export type CreateMarketPayload = z.input<typeof CreateMarketPayloadSchema>;

/**
 * `markets.trade`: one of
 * - `{ kind: 'buy-shares', outcome, shares, maxCost }`  (refused if the cost exceeds maxCost),
 * - `{ kind: 'buy-amount', outcome, amount, minShares }` (refused if it buys fewer shares),
 * - `{ kind: 'sell-shares', outcome, shares, minProceeds }` (refused if it fetches less),
 * priced by the server at the market's state when the intent's turn comes.
 */
export const TradePayloadSchema = z.strictObject({ market: marketId, command: TradeCommandSchema });
export type TradePayload = z.input<typeof TradePayloadSchema>;

/** `markets.resolve` / `markets.correct`. */
export const ResolvePayloadSchema = z.strictObject({ market: marketId, resolution: ResolutionSchema });
export type ResolvePayload = z.input<typeof ResolvePayloadSchema>;

/** What an accepted `markets.trade` decision carries in `result`. */
export interface TradeResult {
  readonly tradeId: string;
  readonly marketId: string;
  readonly outcome: number;
  readonly side: 'buy' | 'sell';
  readonly shares: number;
  /** Minor units paid (buy) or received (sell). */
  readonly cash: number;
  readonly balance: number;
  readonly probabilities: readonly number[];
}

/** What an accepted `markets.create` decision carries in `result`. */
export interface CreateResult {
  readonly marketId: string;
  readonly balance: number;
}

/** What an accepted `markets.resolve` / `markets.correct` decision carries in `result`. */
export interface ResolveResult {
  readonly marketId: string;
  readonly revision: number;
  /** Σ paid to traders (negative parts: N/A pay-backs). */
  readonly paid: number;
  readonly leftover: number;
}

/**
 * Rejection codes of the markets referee: the domain's (`slippage`, `insufficient-balance`,
 * `balance-negative`, `market-closed`, `market-resolved`, `not-authorized`,
 * `correction-window-closed`, …) plus these.
 */
export const MARKETS_REFEREE_CODES = ['malformed', 'not-a-member', 'unknown-market', 'market-exists', 'expired'] as const;

// Records ---------------------------------------------------------------------------------------

const money = z.int();
const probabilities = z.array(z.number().min(0).max(1)).max(20);

/** One market in the directory: everything a list or card shows. */
export const MarketSummarySchema = z.strictObject({
  v: z.literal(1),
  id: marketId,
  kind: z.enum(MARKET_KINDS),
  question: z.string(),
  outcomes: z.array(z.string()).max(20),
  probabilities,
  /** Σ |cash| moved by trades, minor. */
  volume: money,
  tradeCount: z.int().min(0),
  status: z.enum(MARKET_STATUSES),
  closeAt: z.number(),
  createdAt: z.number(),
  creatorId: z.string(),
  creatorName: z.string(),
  subsidy: money,
  resolution: ResolutionSchema.nullable(),
  resolvedAt: z.number().nullable(),
  /** Number of resolutions: 1 after the first, +1 per correction. */
  revision: z.int().min(0),
  /** Until when the resolution may be corrected (null while unresolved). */
  correctableUntil: z.number().nullable(),
  updatedAt: z.number(),
});
export type MarketSummary = z.infer<typeof MarketSummarySchema>;

/** Beside the market state in its room: the status the server last set and who created it. */
export const MarketInfoSchema = z.strictObject({ v: z.literal(1), status: z.enum(MARKET_STATUSES), creatorName: z.string(), updatedAt: z.number() });
export type MarketInfo = z.infer<typeof MarketInfoSchema>;

export const TradeRecordSchema = z.strictObject({
  v: z.literal(1),
  id: z.string().min(1),
  marketId,
  userId: z.string(),
  userName: z.string(),
  at: z.number(),
  /** 1-based trade number in its market. */
  seq: z.int().min(1),
  kind: z.enum(TRADE_KINDS),
  side: z.enum(TRADE_SIDES),
  outcome: z.int().min(0),
  shares: z.number().positive(),
  /** Minor units paid (buy) or received (sell). */
  cash: money,
  /** Probabilities right after the trade. */
  probabilities,
});
export type TradeRecord = z.infer<typeof TradeRecordSchema>;

export const ProbabilityPointSchema = z.strictObject({ at: z.number(), n: z.int().min(0), p: probabilities });
export type ProbabilityPointRecord = z.infer<typeof ProbabilityPointSchema>;

/**
 * A member's markets account, kept by the referee in their inbox. `balance` always equals the
 * fold of their ledger rows. Profit (realized) = balance − granted + invested + lockedSubsidy.
 */
export const MarketsAccountSchema = z.strictObject({
  v: z.literal(1),
  balance: money,
  /** Σ grants received. */
  granted: money,
  /** Net cash in unresolved markets through trades (spent − received): open positions at cost. */
  invested: money,
  /** Subsidies of the member's own unresolved markets. */
  lockedSubsidy: money,
  /** Ledger entries that touched this account (numbers the balance points). */
  entries: z.int().min(0),
  updatedAt: z.number(),
});
export type MarketsAccount = z.infer<typeof MarketsAccountSchema>;

export function realizedProfit(account: Pick<MarketsAccount, 'balance' | 'granted' | 'invested' | 'lockedSubsidy'>): number {
  return account.balance - account.granted + account.invested + account.lockedSubsidy;
}

/** A member's position in one market, in their inbox (kept after resolution, with the payout). */
export const PositionSummarySchema = z.strictObject({
  v: z.literal(1),
  marketId,
  question: z.string(),
  outcomes: z.array(z.string()).max(20),
  shares: z.array(z.number()).max(20),
  spent: money,
  received: money,
  status: z.enum(MARKET_STATUSES),
  resolution: ResolutionSchema.nullable(),
  /** Net settlement cash of the current resolution (negative: an N/A pay-back). */
  payout: money,
  updatedAt: z.number(),
});
export type PositionSummary = z.infer<typeof PositionSummarySchema>;

export const BalancePointSchema = z.strictObject({
  v: z.literal(1),
  at: z.number(),
  n: z.int().min(1),
  kind: z.enum(LEDGER_KINDS),
  delta: money,
  balance: money,
  marketId: z.string().nullable(),
  ref: z.string(),
});
export type BalancePointRecord = z.infer<typeof BalancePointSchema>;

/** One row of the leaderboard; ranks are computed by readers (ties share a rank). */
export const LeaderRecordSchema = z.strictObject({ v: z.literal(1), userId: z.string(), name: z.string(), profit: money, granted: money, updatedAt: z.number() });
export type LeaderRecord = z.infer<typeof LeaderRecordSchema>;

// Readers ---------------------------------------------------------------------------------------

export type LayoutViolation = DomainError<'invalid-record'>;

function reader<T>(schema: z.ZodType<T>): (value: unknown) => Result<T, LayoutViolation> {
  return (value) => {
    const parsed = schema.safeParse(value);
    return parsed.success ? ok(parsed.data) : fail('invalid-record', z.prettifyError(parsed.error));
  };
}

export const readMarketSummary = reader(MarketSummarySchema);
export const readMarketInfo = reader(MarketInfoSchema);
export const readTradeRecord = reader(TradeRecordSchema);
export const readProbabilityPoint = reader(ProbabilityPointSchema);
export const readMarketsAccount = reader(MarketsAccountSchema);
export const readPositionSummary = reader(PositionSummarySchema);
export const readBalancePoint = reader(BalancePointSchema);
export const readLeaderRecord = reader(LeaderRecordSchema);

/** The market of a market room, re-checked by the domain; null when the room holds none yet. */
export function readMarketState(doc: Y.Doc): Result<Market, MarketError> | null {
  const value = doc.getMap(MARKET_MAP).get(MARKET_STATE_KEY);
  return value === undefined ? null : restoreMarket(value);
}

/** Every valid position of a market room (invalid ones are skipped and listed). */
export function readPositions(doc: Y.Doc, market: Market): { positions: Position[]; invalid: string[] } {
  const positions: Position[] = [];
  const invalid: string[] = [];
  for (const [userId, value] of doc.getMap(MARKET_POSITIONS)) {
    const position = restorePosition(value, market);
    if (position.ok && position.value.userId === userId) positions.push(position.value);
    else invalid.push(userId);
  }
  return { positions, invalid };
}

/** Leaderboard rows sorted by profit (then user id), with competition ranks. */
export function rankLeaders(rows: readonly LeaderRecord[]): Array<LeaderRecord & { rank: number }> {
  const sorted = [...rows].sort((a, b) => b.profit - a.profit || (a.userId < b.userId ? -1 : a.userId > b.userId ? 1 : 0));
  let rank = 0;
  return sorted.map((row, i) => {
    if (i === 0 || sorted[i - 1]!.profit !== row.profit) rank = i + 1;
    return { ...row, rank };
  });
}

/**
 * Downsampling a series that gains one point per step (probabilities per trade, balance per
 * entry), computed from the new point's number `n` alone: every point of the last `window` is
 * kept; further back, point p stays while p is a multiple of 2^(j+1) in the band of ages
 * [window·2^j, window·2^(j+1)). So the density halves band by band, point 0 (the opening) stays,
 * and about window + window/2 · log2(n / window) points remain (≈ 600 of 100,000 for a window of
 * 100). Returns the points that leave as point `n` is added: at most log2(n / window) + 1.
 */
export function pointsToDrop(n: number, window: number): number[] {
  const drop: number[] = [];
  for (let j = 0, span = window; span <= n; j++, span *= 2) {
    const p = n - span;
    const step = 2 ** j;
    // Entering band j: p was kept so far (a multiple of 2^j); it stays only if also of 2^(j+1).
    if (p % step === 0 && p % (2 * step) !== 0) drop.push(p);
  }
  return drop;
}
