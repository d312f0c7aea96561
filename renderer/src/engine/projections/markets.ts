/**
 * Prediction-market rooms → RxDB (layouts in shared/sync/layouts/markets.ts). How to open them:
 *
 *   client.open(roomNames.markets(t), [marketsDirectoryProjection])                    // the list
 *   client.open(roomNames.market(t, id), [marketDetailProjection, marketTradesProjection]) // one market
 *   client.open(roomNames.marketTrades(t, id, 'yyyy-mm'), [marketTradesProjection])     // older trades
 *   client.open(roomNames.standings(t, 'markets'), [marketsStandingsProjection])       // leaderboard
 *   client.openPersonalRooms()   // the inbox feeds marketsAccountProjection: my balance
 *
 * Records (query by id or by the indexed fields):
 *
 * | collection | id                            | data                        | other fields            |
 * |------------|-------------------------------|-----------------------------|-------------------------|
 * | markets    | `{marketId}`                  | {@link MarketSummary}       | status, room, updatedAt |
 * | markets    | `{marketId}/detail`           | {@link MarketDetail}        | status, room, updatedAt |
 * | trades     | `{marketId}:{trade number}`   | {@link TradeRecord}         | market, at, room        |
 * | kv         | `markets:me`                  | {@link MarketsMe}           | updatedAt               |
 * | kv         | `standings:markets:{tenant}`  | {@link MarketsStandings}    | updatedAt               |
 *
 * A record that breaks its schema is hidden and reported, on every device alike.
 */
import type * as Y from 'yjs';
import { emptyPosition, type Market, marketProbabilities, type MarketStatus, type Position } from '../../../../shared/domain/markets/index.ts';
import { minor } from '../../../../shared/domain/money.ts';
import {
  DIRECTORY_MARKETS,
  INBOX_ACCOUNT_KEY,
  INBOX_MARKETS,
  INBOX_MARKETS_BALANCE,
  MARKET_HISTORY,
  MARKET_INFO_KEY,
  MARKET_MAP,
  MARKET_NAMES,
  MARKET_POSITIONS,
  MARKET_TRADES,
  type BalancePointRecord,
  type LeaderRecord,
  type MarketSummary,
  type PositionSummary,
  type ProbabilityPointRecord,
  rankLeaders,
  readBalancePoint,
  readLeaderRecord,
  readMarketInfo,
  readMarketsAccount,
  readMarketState,
  readMarketSummary,
  readPositions,
  readPositionSummary,
  readProbabilityPoint,
  readTradeRecord,
  realizedProfit,
  seqKey,
  STANDINGS_LEADERS,
  type TradeRecord,
} from '../../../../shared/sync/layouts/markets.ts';
import type { RoomRef } from '../../../../shared/sync/rooms.ts';
import type { HiddenRecord, Projection, ProjectionResult } from '../projection.ts';

export type { MarketSummary, TradeRecord };

/** One market, from its own room: everything the market page and the order ticket need. */
export interface MarketDetail {
  /** The domain record: `restoreMarket(data.market)` → `previewTrade(market, position, …)`. */
  readonly market: Market;
  readonly status: MarketStatus;
  readonly creatorName: string;
  readonly probabilities: readonly number[];
  /** Every holder (positions are public), largest stake first. */
  readonly holders: ReadonlyArray<{ userId: string; name: string; shares: readonly number[]; spent: number; received: number }>;
  /** The probability chart, oldest first (thinned: older points are sparser). */
  readonly history: readonly ProbabilityPointRecord[];
  /** Until when the resolution may be corrected (null while unresolved). */
  readonly correctableUntil: number | null;
}

/** The signed-in member's markets account (kv `markets:me`). */
export interface MarketsMe {
  /** False until the first markets intent of this member was decided (the starting grant comes then). */
  readonly opened: boolean;
  readonly balance: number;
  readonly granted: number;
  /** Open positions at cost (net cash in unresolved markets). */
  readonly invested: number;
  readonly lockedSubsidy: number;
  /** Realized profit: balance − granted + invested + lockedSubsidy (what the leaderboard ranks). */
  readonly profit: number;
  /** Below zero (after an N/A or a correction): buying is refused until it recovers. */
  readonly blocked: boolean;
  /** Per market, newest first; kept after resolution with the payout. */
  readonly positions: readonly PositionSummary[];
  /** Balance after each ledger entry, oldest first (thinned: older points are sparser). */
  readonly balanceHistory: readonly BalancePointRecord[];
}

/** The leaderboard (kv `standings:markets:{tenant}`), ranked by realized profit. */
export interface MarketsStandings {
  readonly rows: ReadonlyArray<LeaderRecord & { rank: number }>;
}

export const MARKETS_ME_ID = 'markets:me';
export const marketsStandingsId = (tenant: string): string => `standings:markets:${tenant}`;
export const marketDetailId = (marketId: string): string => `${marketId}/detail`;
export const tradeRecordId = (marketId: string, seq: number): string => `${marketId}:${seq}`;

/**
 * A member's position in a projected market, as the domain wants it for `previewTrade` (the
 * order ticket): `previewTrade(detail.market, positionIn(detail, me), command, { trader, now })`.
 */
export function positionIn(detail: MarketDetail, userId: string): Position {
  const holder = detail.holders.find((entry) => entry.userId === userId);
  if (holder === undefined) return emptyPosition(detail.market, userId);
  return { marketId: detail.market.id, userId, shares: holder.shares, spent: minor(holder.spent), received: minor(holder.received) };
}

type Upsert = { id: string } & Record<string, unknown>;

function hide(hidden: HiddenRecord[], room: string, key: string, error: { code: string; message: string }): void {
  hidden.push({ room, key, code: error.code, message: error.message });
}

/** `t/{t}/markets` → one `markets` record per market (id = market id). */
export const marketsDirectoryProjection: Projection = {
  name: 'markets-directory',
  collection: 'markets',
  maps: [DIRECTORY_MARKETS],
  incremental: true,
  project(doc, room, roomName, keys): ProjectionResult {
    const upsert: Upsert[] = [];
    const remove: string[] = [];
    const hidden: HiddenRecord[] = [];
    if (room.kind !== 'markets') return { upsert, remove, hidden };
    const map = doc.getMap(DIRECTORY_MARKETS);
    for (const key of keys ?? map.keys()) {
      const value = map.get(key);
      if (value === undefined) {
        remove.push(key);
        continue;
      }
      const summary = readMarketSummary(value);
      if (!summary.ok || summary.value.id !== key) {
        remove.push(key);
        hide(hidden, roomName, key, summary.ok ? { code: 'id-mismatch', message: `market stored under "${key}" claims id "${summary.value.id}"` } : summary.error);
        continue;
      }
      upsert.push({ id: key, room: roomName, updatedAt: summary.value.updatedAt, status: summary.value.status, data: summary.value as unknown as Record<string, unknown> });
    }
    return { upsert, remove, hidden };
  },
};

function detailOf(doc: Y.Doc, roomName: string, hidden: HiddenRecord[]): MarketDetail | null {
  const state = readMarketState(doc);
  if (state === null) return null;
  if (!state.ok) {
    hide(hidden, roomName, 'market.state', state.error);
    return null;
  }
  const market = state.value;
  const info = readMarketInfo(doc.getMap(MARKET_MAP).get(MARKET_INFO_KEY));
  if (!info.ok) {
    hide(hidden, roomName, 'market.info', info.error);
    return null;
  }
  const { positions, invalid } = readPositions(doc, market);
  for (const key of invalid) hide(hidden, roomName, `positions.${key}`, { code: 'invalid-record', message: 'a position does not fit its market' });
  const names = doc.getMap(MARKET_NAMES);
  const holders = positions
    .map((position) => ({ userId: position.userId, name: typeof names.get(position.userId) === 'string' ? (names.get(position.userId) as string) : position.userId, shares: position.shares, spent: position.spent, received: position.received }))
    .sort((a, b) => b.spent - b.received - (a.spent - a.received) || (a.userId < b.userId ? -1 : 1));
  const history: ProbabilityPointRecord[] = [];
  for (const [key, value] of doc.getMap(MARKET_HISTORY)) {
    const point = readProbabilityPoint(value);
    if (point.ok) history.push(point.value);
    else hide(hidden, roomName, `history.${key}`, point.error);
  }
  history.sort((a, b) => a.n - b.n);
  const settlement = market.settlement;
  return {
    market,
    status: info.value.status,
    creatorName: info.value.creatorName,
    probabilities: marketProbabilities(market),
    holders,
    history,
    correctableUntil: settlement ? settlement.firstResolvedAt + market.correctionWindowMs : null,
  };
}

/** `t/{t}/market/{id}` → the `markets` record `{id}/detail`. */
export const marketDetailProjection: Projection = {
  name: 'market-detail',
  collection: 'markets',
  maps: [MARKET_MAP, MARKET_POSITIONS, MARKET_NAMES, MARKET_HISTORY],
  incremental: false,
  project(doc, room, roomName): ProjectionResult {
    const hidden: HiddenRecord[] = [];
    if (room.kind !== 'market') return { upsert: [], remove: [], hidden };
    const detail = detailOf(doc, roomName, hidden);
    const id = marketDetailId(room.market);
    if (detail === null) return { upsert: [], remove: [id], hidden };
    const updatedAt = Math.max(detail.market.createdAt, detail.history.at(-1)?.at ?? 0, detail.market.settlement?.resolvedAt ?? 0);
    return { upsert: [{ id, room: roomName, updatedAt, status: detail.status, data: detail as unknown as Record<string, unknown> }], remove: [], hidden };
  },
};

function marketOfRoom(room: RoomRef): string | null {
  return room.kind === 'market' || room.kind === 'market-trades' ? room.market : null;
}

/**
 * `t/{t}/market/{id}` (the recent tail) and `…/trades/{yyyy-mm}` → `trades` records. A trade
 * leaving the tail has moved to its month room, so it is not removed from RxDB here.
 */
export const marketTradesProjection: Projection = {
  name: 'market-trades',
  collection: 'trades',
  maps: [MARKET_TRADES],
  incremental: true,
  project(doc, room, roomName, keys): ProjectionResult {
    const upsert: Upsert[] = [];
    const remove: string[] = [];
    const hidden: HiddenRecord[] = [];
    const marketId = marketOfRoom(room);
    if (marketId === null) return { upsert, remove, hidden };
    const map = doc.getMap(MARKET_TRADES);
    for (const key of keys ?? map.keys()) {
      const id = tradeRecordId(marketId, Number(key));
      const value = map.get(key);
      if (value === undefined) {
        if (room.kind === 'market-trades') remove.push(id);
        continue;
      }
      const trade = readTradeRecord(value);
      if (!trade.ok || seqKey(trade.value.seq) !== key || trade.value.marketId !== marketId) {
        hide(hidden, roomName, key, trade.ok ? { code: 'id-mismatch', message: 'the trade does not belong here' } : trade.error);
        continue;
      }
      upsert.push({ id, room: roomName, updatedAt: trade.value.at, market: marketId, at: trade.value.at, data: trade.value as unknown as Record<string, unknown> });
    }
    return { upsert, remove, hidden };
  },
};

/** The inbox → kv `markets:me`. */
export const marketsAccountProjection: Projection = {
  name: 'markets-account',
  collection: 'kv',
  maps: [INBOX_MARKETS, INBOX_MARKETS_BALANCE],
  incremental: false,
  project(doc, room, roomName): ProjectionResult {
    const hidden: HiddenRecord[] = [];
    if (room.kind !== 'inbox') return { upsert: [], remove: [], hidden };
    const map = doc.getMap(INBOX_MARKETS);
    const raw = map.get(INBOX_ACCOUNT_KEY);
    const account = raw === undefined ? null : readMarketsAccount(raw);
    if (account !== null && !account.ok) hide(hidden, roomName, `${INBOX_MARKETS}.${INBOX_ACCOUNT_KEY}`, account.error);
    const positions: PositionSummary[] = [];
    for (const [key, value] of map) {
      if (key === INBOX_ACCOUNT_KEY) continue;
      const summary = readPositionSummary(value);
      if (summary.ok) positions.push(summary.value);
      else hide(hidden, roomName, `${INBOX_MARKETS}.${key}`, summary.error);
    }
    positions.sort((a, b) => b.updatedAt - a.updatedAt);
    const balanceHistory: BalancePointRecord[] = [];
    for (const [key, value] of doc.getMap(INBOX_MARKETS_BALANCE)) {
      const point = readBalancePoint(value);
      if (point.ok) balanceHistory.push(point.value);
      else hide(hidden, roomName, `${INBOX_MARKETS_BALANCE}.${key}`, point.error);
    }
    balanceHistory.sort((a, b) => a.n - b.n);
    const valid = account?.ok ? account.value : null;
    const me: MarketsMe = {
      opened: valid !== null,
      balance: valid?.balance ?? 0,
      granted: valid?.granted ?? 0,
      invested: valid?.invested ?? 0,
      lockedSubsidy: valid?.lockedSubsidy ?? 0,
      profit: valid ? realizedProfit(valid) : 0,
      blocked: (valid?.balance ?? 0) < 0,
      positions,
      balanceHistory,
    };
    return { upsert: [{ id: MARKETS_ME_ID, updatedAt: valid?.updatedAt ?? 0, data: me as unknown as Record<string, unknown> }], remove: [], hidden };
  },
};

/** `t/{t}/standings/markets` → kv `standings:markets:{tenant}`. */
export const marketsStandingsProjection: Projection = {
  name: 'markets-standings',
  collection: 'kv',
  maps: [STANDINGS_LEADERS],
  incremental: false,
  project(doc, room, roomName): ProjectionResult {
    const hidden: HiddenRecord[] = [];
    if (room.kind !== 'standings' || room.board !== 'markets') return { upsert: [], remove: [], hidden };
    const rows: LeaderRecord[] = [];
    let updatedAt = 0;
    for (const [key, value] of doc.getMap(STANDINGS_LEADERS)) {
      const row = readLeaderRecord(value);
      if (row.ok && row.value.userId === key) {
        rows.push(row.value);
        updatedAt = Math.max(updatedAt, row.value.updatedAt);
      } else hide(hidden, roomName, key, row.ok ? { code: 'id-mismatch', message: 'the row does not belong to its key' } : row.error);
    }
    const standings: MarketsStandings = { rows: rankLeaders(rows) };
    return { upsert: [{ id: marketsStandingsId(room.tenant), updatedAt, data: standings as unknown as Record<string, unknown> }], remove: [], hidden };
  },
};
