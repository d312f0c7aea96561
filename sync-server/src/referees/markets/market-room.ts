/**
 * Reading and writing one market's rooms: its state, holders, the recent trades tail (moved to
 * month rooms past its bound), the probability history (thinned past its bound), and its line in
 * the directory. The referee calls these inside `decide`; nothing here awaits.
 */
import type * as Y from 'yjs';
import { emptyPosition, type Market, type MarketStatus, marketProbabilities, type Position, restoreMarket, restorePosition } from '../../../../shared/domain/markets/index.ts';
import { fail, ok, type DomainError, type Result } from '../../../../shared/domain/result.ts';
import {
  DIRECTORY_MARKETS,
  MARKET_HISTORY,
  MARKET_INFO_KEY,
  MARKET_LIMITS_SYNC,
  MARKET_MAP,
  MARKET_NAMES,
  MARKET_POSITIONS,
  MARKET_STATE_KEY,
  MARKET_TRADES,
  pointsToDrop,
  tradesToArchive,
  type MarketInfo,
  type MarketSummary,
  readMarketInfo,
  readTradeRecord,
  seqKey,
  type TradeRecord,
} from '../../../../shared/sync/layouts/markets.ts';
import { monthKey, roomNames } from '../../../../shared/sync/rooms.ts';
import type { DecideContext } from '../../intents/referee.ts';
import { readTrusted, remember } from './trusted.ts';

export interface LoadedMarket {
  readonly market: Market;
  readonly info: MarketInfo;
}

/** The market in a room; `unknown-market` if the room holds none. A broken one is a server bug. */
export function loadMarket(doc: Y.Doc): Result<LoadedMarket, DomainError<'unknown-market'>> {
  const map = doc.getMap(MARKET_MAP);
  const raw = map.get(MARKET_STATE_KEY);
  if (raw === undefined) return fail('unknown-market', 'there is no such market');
  const market = readTrusted(raw, restoreMarket);
  if (!market.ok) throw new Error(`stored market is broken: ${market.error.message}`);
  const info = readTrusted(map.get(MARKET_INFO_KEY), readMarketInfo);
  if (!info.ok) throw new Error(`stored market info is broken: ${info.error.message}`);
  return ok({ market: market.value, info: info.value });
}

export function loadPosition(doc: Y.Doc, market: Market, userId: string): Position {
  const raw = doc.getMap(MARKET_POSITIONS).get(userId);
  if (raw === undefined) return emptyPosition(market, userId);
  const position = readTrusted(raw, (value) => restorePosition(value, market));
  if (!position.ok || position.value.userId !== userId) throw new Error(`stored position of ${userId} is broken`);
  return position.value;
}

/** Every position in the market (resolution needs them all). */
export function loadPositions(doc: Y.Doc, market: Market): Position[] {
  return [...doc.getMap(MARKET_POSITIONS).keys()].map((userId) => loadPosition(doc, market, userId));
}

export function holderName(doc: Y.Doc, userId: string): string | null {
  const name = doc.getMap(MARKET_NAMES).get(userId);
  return typeof name === 'string' ? name : null;
}

export function summarize(market: Market, info: MarketInfo, now: number, probabilities: readonly number[] = marketProbabilities(market)): MarketSummary {
  const settlement = market.settlement;
  return {
    v: 1,
    id: market.id,
    kind: market.kind,
    question: market.question,
    outcomes: [...market.outcomes],
    probabilities: [...probabilities],
    volume: market.volume,
    tradeCount: market.tradeCount,
    status: info.status,
    closeAt: market.closeAt,
    createdAt: market.createdAt,
    creatorId: market.creatorId,
    creatorName: info.creatorName,
    subsidy: market.subsidy,
    resolution: settlement?.resolution ?? null,
    resolvedAt: settlement?.resolvedAt ?? null,
    revision: settlement?.revision ?? 0,
    correctableUntil: settlement ? settlement.firstResolvedAt + market.correctionWindowMs : null,
    updatedAt: now,
  };
}

export interface MarketWrite {
  readonly market: Market;
  /** The info stored before this write (to skip rewriting it unchanged). */
  readonly previous?: MarketInfo;
  readonly status: MarketStatus;
  readonly creatorName: string;
  readonly positions?: readonly Position[];
  readonly names?: ReadonlyArray<readonly [string, string]>;
  readonly trade?: TradeRecord;
  /** Add a probability point for the market's current trade count. */
  readonly point?: boolean;
  /** The market's probabilities, if already computed. */
  readonly probabilities?: readonly number[];
  /** Whether to rewrite the directory line now (default: yes). */
  readonly directory?: boolean;
}

/** Writes the market room and its directory line; moves trades out of the tail if it is full. */
export function writeMarket(context: DecideContext, change: MarketWrite): void {
  const { market } = change;
  const tenant = context.tenant;
  const room = roomNames.market(tenant, market.id);
  const previous = change.previous;
  const unchanged = previous !== undefined && previous.status === change.status && previous.creatorName === change.creatorName;
  const info: MarketInfo = unchanged ? previous : remember({ v: 1, status: change.status, creatorName: change.creatorName, updatedAt: context.now });
  context.write(room, (doc) => {
    const map = doc.getMap(MARKET_MAP);
    map.set(MARKET_STATE_KEY, remember(market));
    if (!unchanged) map.set(MARKET_INFO_KEY, info);
    if (change.positions) {
      const positions = doc.getMap(MARKET_POSITIONS);
      for (const position of change.positions) positions.set(position.userId, remember(position));
    }
    if (change.names) {
      const names = doc.getMap(MARKET_NAMES);
      for (const [userId, name] of change.names) if (names.get(userId) !== name) names.set(userId, name);
    }
    if (change.trade) doc.getMap(MARKET_TRADES).set(seqKey(change.trade.seq), remember(change.trade));
    if (change.point) {
      const n = market.tradeCount;
      const history = doc.getMap(MARKET_HISTORY);
      history.set(seqKey(n), { at: context.now, n, p: change.probabilities ?? marketProbabilities(market) });
      for (const old of pointsToDrop(n, MARKET_LIMITS_SYNC.historyWindow)) history.delete(seqKey(old));
    }
  });
  if (change.directory ?? true) writeDirectoryLine(context, market, info, change.probabilities);
  const batch = change.trade ? tradesToArchive(change.trade.seq) : null;
  if (batch) archiveTrades(context, market.id, batch.to);
}

export function writeDirectoryLine(context: DecideContext, market: Market, info: MarketInfo, probabilities?: readonly number[]): void {
  context.write(roomNames.markets(context.tenant), (doc) => doc.getMap(DIRECTORY_MARKETS).set(market.id, summarize(market, info, context.now, probabilities)));
}

export const DIRECTORY_DEADLINE = 'directory';

/**
 * Trades rewrite a market's directory line at most once per interval; a deadline at the end of
 * the interval writes the final state. In memory only: after a restart the first trade writes.
 */
export class DirectoryThrottle {
  private readonly writtenAt = new Map<string, number>();
  private readonly pending = new Set<string>();
  private readonly intervalMs: number;

  constructor(intervalMs: number) {
    this.intervalMs = intervalMs;
  }

  /** Whether this trade may write the line now; if not, makes sure a refresh is due. */
  admit(context: DecideContext, marketId: string): boolean {
    const key = `${context.tenant}\u0000${marketId}`;
    const last = this.writtenAt.get(key);
    if (last === undefined || context.now - last >= this.intervalMs) {
      this.writtenAt.set(key, context.now);
      return true;
    }
    if (!this.pending.has(key)) {
      this.pending.add(key);
      context.setDeadline({ id: `markets:directory:${context.tenant}:${marketId}`, kind: DIRECTORY_DEADLINE, fireAt: last + this.intervalMs, payload: { market: marketId } });
    }
    return false;
  }

  /** The refresh deadline ran (it writes the line). */
  refreshed(tenant: string, marketId: string, now: number): void {
    const key = `${tenant}\u0000${marketId}`;
    this.pending.delete(key);
    this.writtenAt.set(key, now);
  }
}

function isLoaded(context: DecideContext, room: string): boolean {
  try {
    context.doc(room);
    return true;
  } catch {
    return false;
  }
}

export const ARCHIVE_DEADLINE = 'archive';

export function archiveDeadlineId(tenant: string, marketId: string): string {
  return `markets:archive:${tenant}:${marketId}`;
}

/**
 * Moves trades up to number `upTo` out of the tail into the month rooms they belong to (the
 * batch `tradesToArchive` names, looked up by key). Months whose room this decision did not load
 * are left for an `archive` deadline, which fires at once on the referee's queue with those
 * rooms loaded and sweeps the whole tail (`upTo` null: everything past the tail's bound).
 */
export function archiveTrades(context: DecideContext, marketId: string, upTo: number | null): void {
  const tenant = context.tenant;
  const room = roomNames.market(tenant, marketId);
  const trades = context.doc(room).getMap(MARKET_TRADES);
  const records: TradeRecord[] = [];
  if (upTo !== null) {
    for (let seq = upTo - MARKET_LIMITS_SYNC.tradesSlack + 1; seq <= upTo; seq++) {
      const value = trades.get(seqKey(seq));
      if (value === undefined) continue;
      const record = readTrusted(value, readTradeRecord);
      if (record.ok) records.push(record.value);
    }
  } else {
    const market = loadMarket(context.doc(room));
    const bound = market.ok ? market.value.market.tradeCount - MARKET_LIMITS_SYNC.tradesTail : 0;
    for (const value of trades.values()) {
      const record = readTrusted(value, readTradeRecord);
      if (record.ok && record.value.seq <= bound) records.push(record.value);
    }
  }
  const byMonth = new Map<string, TradeRecord[]>();
  for (const record of records) {
    const month = monthKey(record.at);
    const list = byMonth.get(month) ?? [];
    list.push(record);
    byMonth.set(month, list);
  }
  const later: string[] = [];
  const moved: number[] = [];
  for (const [month, list] of byMonth) {
    const target = roomNames.marketTrades(tenant, marketId, month);
    if (!isLoaded(context, target)) {
      later.push(month);
      continue;
    }
    context.write(target, (doc) => {
      const map = doc.getMap(MARKET_TRADES);
      for (const record of list) map.set(seqKey(record.seq), record);
    });
    for (const record of list) moved.push(record.seq);
  }
  if (moved.length > 0) {
    context.write(room, (doc) => {
      const map = doc.getMap(MARKET_TRADES);
      for (const seq of moved) map.delete(seqKey(seq));
    });
  }
  if (later.length > 0) context.setDeadline({ id: archiveDeadlineId(tenant, marketId), kind: ARCHIVE_DEADLINE, fireAt: context.now, payload: { market: marketId, months: later } });
}
