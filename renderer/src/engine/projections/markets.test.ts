/**
 * A Plaza client engine against a real server running the markets referee: markets, trades, the
 * member's balance and the leaderboard appear in RxDB. One engine per test process (RxDB's
 * collection cap); the other members are stock y-websocket clients.
 */
import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { emptyPosition, previewTrade, restoreMarket } from '../../../../shared/domain/markets/index.ts';
import { minor } from '../../../../shared/domain/money.ts';
import { expectOk } from '../../../../shared/domain/result.ts';
import { DIRECTORY_MARKETS, MARKET_INTENTS, MARKET_TRADES, seqKey, type TradePayload } from '../../../../shared/sync/layouts/markets.ts';
import { parseRoomName, type RoomRef } from '../../../../shared/sync/rooms.ts';
import { roomNames } from '../../../../shared/sync/rooms.ts';
import type { RunningServer } from '../../../../sync-server/src/server.ts';
import { addUser, connectClient, destroyAll, eventually, startTestServer, whenSynced, type TestUser } from '../../../../sync-server/src/test-support/harness.ts';
import { decisionIn, writeIntent } from '../../../../sync-server/src/test-support/intents.ts';
import { fixedToken, startEngine, type Engine } from '../test-support/engine-harness.ts';
import {
  type MarketDetail,
  marketDetailId,
  marketDetailProjection,
  type MarketsMe,
  marketsDirectoryProjection,
  type MarketsStandings,
  marketsStandingsId,
  marketsStandingsProjection,
  type MarketSummary,
  marketTradesProjection,
  MARKETS_ME_ID,
  positionIn,
  type TradeRecord,
  tradeRecordId,
} from './markets.ts';

const T = 'acme';
process.setMaxListeners(50); // every stock provider listens for the process's exit
let server: RunningServer;
let engine: Engine | null = null;
afterEach(async () => {
  await engine?.close();
  engine = null;
  await server?.close();
});

async function stockUser(user: TestUser) {
  const outbox = connectClient(server, roomNames.outbox(T, user.id), user.token);
  const inbox = connectClient(server, roomNames.inbox(T, user.id), user.token);
  await Promise.all([whenSynced(outbox.provider), whenSynced(inbox.provider)]);
  const act = async (kind: string, payload: unknown) => {
    const id = writeIntent(outbox.doc, kind, payload);
    return eventually(() => {
      const decision = decisionIn(inbox.doc, id);
      expect(decision?.status, JSON.stringify(decision)).toBe('accepted');
      return decision!;
    });
  };
  return { act, providers: [outbox.provider, inbox.provider] };
}

describe('markets projections in a client engine', () => {
  it('shows the market list, one market with its trades, my balance and positions, and the leaderboard', async () => {
    server = await startTestServer();
    const carolUser = await addUser(server, T, 'member', 'Carol');
    const bobUser = await addUser(server, T, 'member', 'Bob');
    const alice = await addUser(server, T, 'member', 'Alice');
    const [carol, bob] = [await stockUser(carolUser), await stockUser(bobUser)];
    engine = await startEngine({ serverUrl: server.url, principal: { tenant: T, user: alice.id, role: 'member' }, tokens: fixedToken(alice.token) });
    const { client, db } = engine;
    await client.openPersonalRooms();
    await client.open(roomNames.markets(T), [marketsDirectoryProjection]);
    await client.open(roomNames.standings(T, 'markets'), [marketsStandingsProjection]);

    // Before any markets intent, the account is not opened yet (the grant comes with the first).
    await eventually(async () => expect((await db.kv.findOne(MARKETS_ME_ID).exec())?.data).toMatchObject({ opened: false, balance: 0 }));

    const created = await carol.act(MARKET_INTENTS.create, { kind: 'binary', question: 'Will the projection show up?', subsidy: 10_000, closeAt: Date.now() + 3_600_000 });
    const marketId = (created.result as { marketId: string }).marketId;
    const summary = await eventually(async () => {
      const record = await db.markets.findOne(marketId).exec();
      expect(record?.get('status')).toBe('open');
      return record!.data as unknown as MarketSummary;
    });
    expect(summary).toMatchObject({ question: 'Will the projection show up?', outcomes: ['YES', 'NO'], probabilities: [0.5, 0.5], volume: 0, creatorName: 'Carol', tradeCount: 0 });

    await client.open(roomNames.market(T, marketId), [marketDetailProjection, marketTradesProjection]);
    const detail = await eventually(async () => {
      const record = await db.markets.findOne(marketDetailId(marketId)).exec();
      expect(record).toBeTruthy();
      return record!.data as unknown as MarketDetail;
    });
    // The order ticket: the same domain code the referee runs, on the projected market.
    const market = expectOk(restoreMarket(detail.market));
    expect(positionIn(detail, alice.id)).toEqual(emptyPosition(market, alice.id));
    const ticket = expectOk(previewTrade(market, positionIn(detail, alice.id), { kind: 'buy-shares', outcome: 0, shares: 40, maxCost: minor(1_000_000) }, { trader: { userId: alice.id, role: 'member', balance: minor(100_000) }, now: Date.now() }));
    expect(ticket.cost).toBe(2_139);
    const payload: TradePayload = { market: marketId, command: { kind: 'buy-shares', outcome: 0, shares: 40, maxCost: ticket.cost } };
    const id = await client.intents.submit(MARKET_INTENTS.trade, payload, { prediction: { cost: ticket.cost } });
    expect((await client.intents.decision(id)).status).toBe('accepted');
    await bob.act(MARKET_INTENTS.trade, { market: marketId, command: { kind: 'buy-amount', outcome: 1, amount: 1_000, minShares: 0 } });

    await eventually(async () => {
      const trades = await db.trades.find({ selector: { room: roomNames.market(T, marketId) }, sort: [{ updatedAt: 'asc' }] }).exec();
      expect(trades.every((trade) => trade.get('market') === marketId)).toBe(true);
      const records = trades.map((trade) => trade.data as unknown as TradeRecord).sort((a, b) => a.seq - b.seq);
      expect(records.map((trade) => [trade.userName, trade.side, trade.cash])).toEqual([
        ['Alice', 'buy', 2_139],
        ['Bob', 'buy', 1_000],
      ]);
      const me = (await db.kv.findOne(MARKETS_ME_ID).exec())?.data as unknown as MarketsMe;
      expect(me).toMatchObject({ opened: true, balance: 100_000 - 2_139, granted: 100_000, invested: 2_139, profit: 0, blocked: false });
      expect(me.positions).toEqual([expect.objectContaining({ marketId, shares: [40, 0], spent: 2_139, status: 'open' })]);
      expect(me.balanceHistory.map((point) => [point.kind, point.delta, point.balance])).toEqual([
        ['grant', 100_000, 100_000],
        ['trade', -2_139, 97_861],
      ]);
      const list = (await db.markets.findOne(marketId).exec())?.data as unknown as MarketSummary;
      expect(list).toMatchObject({ tradeCount: 2, volume: 3_139 });
      const full = (await db.markets.findOne(marketDetailId(marketId)).exec())?.data as unknown as MarketDetail;
      expect(full.holders.map((holder) => holder.name)).toEqual(['Alice', 'Bob']);
      expect(positionIn(full, alice.id)).toMatchObject({ marketId, userId: alice.id, shares: [40, 0], spent: 2_139, received: 0 });
      expect(full.history.map((point) => point.n)).toEqual([0, 1, 2]);
      expect(full.probabilities[0]).toBeCloseTo(list.probabilities[0]!, 12);
    });

    // YES: alice's 40 shares pay 4,000. The leaderboard ranks realized profit.
    await carol.act(MARKET_INTENTS.resolve, { market: marketId, resolution: { kind: 'outcome', outcome: 0 } });
    await eventually(async () => {
      expect((await db.markets.findOne(marketId).exec())?.get('status')).toBe('resolved');
      const me = (await db.kv.findOne(MARKETS_ME_ID).exec())?.data as unknown as MarketsMe;
      expect(me).toMatchObject({ balance: 100_000 - 2_139 + 4_000, invested: 0, profit: 4_000 - 2_139 });
      expect(me.positions[0]).toMatchObject({ status: 'resolved', payout: 4_000, resolution: { kind: 'outcome', outcome: 0 } });
      const standings = (await db.kv.findOne(marketsStandingsId(T)).exec())?.data as unknown as MarketsStandings;
      // carol: 100,000 − 10,000 subsidy + 9,139 leftover (13,139 cash − 4,000 paid) → −861.
      expect(standings.rows.map((row) => [row.rank, row.name, row.profit])).toEqual([
        [1, 'Alice', 1_861],
        [2, 'Carol', -861],
        [3, 'Bob', -1_000],
      ]);
    });
    destroyAll(...carol.providers, ...bob.providers);
  });
});

describe('markets projections, record by record', () => {
  const ref = (name: string): RoomRef => expectOk(parseRoomName(name));
  const summary = (id: string) => ({
    v: 1, id, kind: 'binary', question: 'Q?', outcomes: ['YES', 'NO'], probabilities: [0.5, 0.5], volume: 0, tradeCount: 0, status: 'open', closeAt: 2, createdAt: 1,
    creatorId: 'c', creatorName: 'C', subsidy: 100, resolution: null, resolvedAt: null, revision: 0, correctableUntil: null, updatedAt: 1,
  });

  it('hides directory lines that break the layout or claim another id, and removes deleted ones', () => {
    const doc = new Y.Doc();
    const map = doc.getMap(DIRECTORY_MARKETS);
    map.set('m1', summary('m1'));
    map.set('m2', summary('other'));
    map.set('m3', { ...summary('m3'), volume: 1.5 });
    const room = roomNames.markets(T);
    const result = marketsDirectoryProjection.project(doc, ref(room), room, null);
    expect(result.upsert.map((record) => [record.id, record.status])).toEqual([['m1', 'open']]);
    expect(result.hidden.map((record) => [record.key, record.code])).toEqual([['m2', 'id-mismatch'], ['m3', 'invalid-record']]);
    map.delete('m1');
    expect(marketsDirectoryProjection.project(doc, ref(room), room, new Set(['m1'])).remove).toEqual(['m1']);
  });

  it('keeps a trade that left the tail (it moved to its month room); removes it from a month room', () => {
    const doc = new Y.Doc();
    const trade = { v: 1, id: 'u:t1', marketId: 'm1', userId: 'u', userName: 'U', at: 5, seq: 1, kind: 'buy-amount', side: 'buy', outcome: 0, shares: 2, cash: 100, probabilities: [0.6, 0.4] };
    doc.getMap(MARKET_TRADES).set(seqKey(1), trade);
    const tail = roomNames.market(T, 'm1');
    expect(marketTradesProjection.project(doc, ref(tail), tail, null).upsert).toEqual([{ id: tradeRecordId('m1', 1), room: tail, updatedAt: 5, market: 'm1', at: 5, data: trade }]);
    doc.getMap(MARKET_TRADES).delete(seqKey(1));
    expect(marketTradesProjection.project(doc, ref(tail), tail, new Set([seqKey(1)])).remove).toEqual([]);
    const month = roomNames.marketTrades(T, 'm1', '2026-01');
    expect(marketTradesProjection.project(doc, ref(month), month, new Set([seqKey(1)])).remove).toEqual(['m1:1']);
    doc.getMap(MARKET_TRADES).set(seqKey(2), { ...trade, seq: 2, marketId: 'm2' });
    doc.getMap(MARKET_TRADES).set(seqKey(3), { ...trade, seq: 4 });
    expect(marketTradesProjection.project(doc, ref(tail), tail, null).hidden.map((record) => record.code)).toEqual(['id-mismatch', 'id-mismatch']);
  });

  it('a market room without a market yet projects nothing; the standings of an empty room are empty', () => {
    const doc = new Y.Doc();
    const room = roomNames.market(T, 'm9');
    expect(marketDetailProjection.project(doc, ref(room), room, null)).toEqual({ upsert: [], remove: [marketDetailId('m9')], hidden: [] });
    const standings = roomNames.standings(T, 'markets');
    expect(marketsStandingsProjection.project(doc, ref(standings), standings, null).upsert).toEqual([{ id: marketsStandingsId(T), updatedAt: 0, data: { rows: [] } }]);
  });
});
