/**
 * The markets referee through real intents: stock y-websocket clients write into their outboxes,
 * the server decides, and we read the inboxes, the rooms and the store's ledger. Every grant is
 * the tenant's starting grant of the test harness: 100,000 minor.
 */
import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import type { Decision } from '../../../../shared/sync/intents.ts';
import {
  DIRECTORY_MARKETS,
  INBOX_ACCOUNT_KEY,
  INBOX_MARKETS,
  MARKET_INTENTS,
  MARKET_MAP,
  MARKET_POSITIONS,
  MARKET_STATE_KEY,
  MARKET_TRADES,
  type MarketsAccount,
  type MarketSummary,
  STANDINGS_LEADERS,
  type TradeResult,
} from '../../../../shared/sync/layouts/markets.ts';
import { roomNames } from '../../../../shared/sync/rooms.ts';
import type { RunningServer } from '../../server.ts';
import { addUser, connectClient, eventually, startTestServer, whenSynced, type TestUser } from '../../test-support/harness.ts';
import { decisionIn, writeIntent } from '../../test-support/intents.ts';

const T = 'acme';
const GRANT = 100_000;
let server: RunningServer;
const providers: Array<{ destroy(): void }> = [];
afterEach(async () => {
  for (const provider of providers.splice(0)) provider.destroy();
  await server?.close();
});

/** Adds users one after the other (the harness creates the tenant with the first). */
async function addUsers<const S extends ReadonlyArray<readonly [string, 'member' | 'admin' | 'guest', string]>>(...specs: S): Promise<{ -readonly [K in keyof S]: TestUser }> {
  const users: TestUser[] = [];
  for (const [tenant, role, name] of specs) users.push(await addUser(server, tenant, role, name));
  return users as { -readonly [K in keyof S]: TestUser };
}

interface Client {
  readonly user: TestUser;
  readonly outbox: Y.Doc;
  readonly inbox: Y.Doc;
  reconnectOutbox(): Promise<void>;
}

async function online(user: TestUser, outboxDoc?: Y.Doc): Promise<Client> {
  const outbox = connectClient(server, roomNames.outbox(user.tenant, user.id), user.token, outboxDoc ? { doc: outboxDoc } : {});
  const inbox = connectClient(server, roomNames.inbox(user.tenant, user.id), user.token);
  providers.push(outbox.provider, inbox.provider);
  await Promise.all([whenSynced(outbox.provider), whenSynced(inbox.provider)]);
  return {
    user,
    outbox: outbox.doc,
    inbox: inbox.doc,
    reconnectOutbox: async () => {
      outbox.provider.disconnect();
      outbox.provider.connect();
      await whenSynced(outbox.provider);
    },
  };
}

async function decided(client: Client, id: string): Promise<Decision> {
  return eventually(() => {
    const decision = decisionIn(client.inbox, id);
    if (!decision) throw new Error(`intent ${id} not decided yet`);
    return decision;
  });
}

async function act(client: Client, kind: string, payload: unknown): Promise<Decision> {
  return decided(client, writeIntent(client.outbox, kind, payload));
}

async function accepted(client: Client, kind: string, payload: unknown): Promise<Decision> {
  const decision = await act(client, kind, payload);
  expect(decision, JSON.stringify(decision)).toMatchObject({ status: 'accepted' });
  return decision;
}

function account(client: Client): MarketsAccount | undefined {
  return client.inbox.getMap(INBOX_MARKETS).get(INBOX_ACCOUNT_KEY) as MarketsAccount | undefined;
}

async function storedDoc(room: string): Promise<Y.Doc> {
  const doc = new Y.Doc();
  const stored = await server.store.rooms.load(room);
  for (const update of [stored.snapshot, ...stored.updates.map((entry) => entry.data)]) if (update) Y.applyUpdate(doc, update);
  return doc;
}

/** Σ of the store's ledger rows per account. */
async function ledgerFold(): Promise<Map<string, number>> {
  const fold = new Map<string, number>();
  for (const row of await server.store.ledger.rows(T)) fold.set(row.account, (fold.get(row.account) ?? 0) + row.amount);
  return fold;
}

async function storedBalance(user: TestUser): Promise<number | undefined> {
  const doc = await storedDoc(roomNames.inbox(T, user.id));
  return (doc.getMap(INBOX_MARKETS).get(INBOX_ACCOUNT_KEY) as MarketsAccount | undefined)?.balance;
}

async function marketCash(id: string): Promise<number> {
  const doc = await storedDoc(roomNames.market(T, id));
  return (doc.getMap(MARKET_MAP).get(MARKET_STATE_KEY) as { cash: number }).cash;
}

/** Inbox balances, and the ledger fold of the same accounts, must equal `expected`. */
async function expectBalances(clients: Record<string, Client>, expected: Record<string, number>): Promise<void> {
  await server.runner.idle();
  const fold = await ledgerFold();
  const fromInbox: Record<string, number | undefined> = {};
  const fromLedger: Record<string, number | undefined> = {};
  for (const [name, client] of Object.entries(clients)) {
    fromInbox[name] = await storedBalance(client.user);
    fromLedger[name] = fold.get(`markets:user:${client.user.id}`);
  }
  expect(fromInbox).toEqual(expected);
  expect(fromLedger).toEqual(expected);
  await eventually(() => expect(Object.fromEntries(Object.entries(clients).map(([name, client]) => [name, account(client)?.balance]))).toEqual(expected));
}

function binary(question: string, subsidy: number, closeInMs = 3_600_000) {
  return { kind: 'binary' as const, question, subsidy, closeAt: Date.now() + closeInMs };
}

const buyShares = (market: string, outcome: number, shares: number, maxCost = 1_000_000) => ({ market, command: { kind: 'buy-shares', outcome, shares, maxCost } });

describe('markets referee: trading through intents', () => {
  it('a burst of trades in one market, decided in batches, ends where the same trades decided one by one end', async () => {
    const trades = [
      buyShares('', 0, 30),
      buyShares('', 1, 12),
      { market: '', command: { kind: 'buy-amount', outcome: 0, amount: 700, minShares: 0 } },
      { market: '', command: { kind: 'sell-shares', outcome: 0, shares: 11.5, minProceeds: 0 } },
      buyShares('', 1, 45),
      { market: '', command: { kind: 'buy-amount', outcome: 1, amount: 1_234, minShares: 0 } },
      { market: '', command: { kind: 'sell-shares', outcome: 1, shares: 20, minProceeds: 0 } },
      buyShares('', 0, 5.25),
      // More than the balance left: refused in both, at the same point.
      buyShares('', 0, 5_000),
      { market: '', command: { kind: 'sell-shares', outcome: 0, shares: 1, minProceeds: 0 } },
    ];
    const run = async (burst: boolean) => {
      server = await startTestServer();
      const [carolUser, aliceUser] = await addUsers([T, 'member', 'Carol'], [T, 'member', 'Alice']);
      const [carol, alice] = [await online(carolUser), await online(aliceUser)];
      const market = ((await accepted(carol, MARKET_INTENTS.create, binary('Batch or not?', 10_000))).result as { marketId: string }).marketId;
      const payloads = trades.map((trade) => ({ ...trade, market }));
      const decisions: Decision[] = [];
      if (burst) {
        // Ten messages in one turn: one room batch, one runner batch.
        const ids = payloads.map((payload) => writeIntent(alice.outbox, MARKET_INTENTS.trade, payload));
        for (const id of ids) decisions.push(await decided(alice, id));
      } else {
        for (const payload of payloads) decisions.push(await act(alice, MARKET_INTENTS.trade, payload));
      }
      await server.runner.idle();
      const room = await storedDoc(roomNames.market(T, market));
      const state = room.getMap(MARKET_MAP).get(MARKET_STATE_KEY) as { q: number[]; cash: number; volume: number; tradeCount: number };
      const position = room.getMap(MARKET_POSITIONS).get(aliceUser.id) as { shares: number[] };
      const inboxUpdates = (await server.store.rooms.load(roomNames.inbox(T, aliceUser.id))).updates.length;
      const result = {
        outcomes: decisions.map((decision) => (decision.status === 'accepted' ? { cash: (decision.result as TradeResult).cash, shares: (decision.result as TradeResult).shares } : decision.reason?.code)),
        market: { q: state.q, cash: state.cash, volume: state.volume, tradeCount: state.tradeCount },
        shares: position.shares,
        balance: await storedBalance(aliceUser),
        ledger: (await ledgerFold()).get(`markets:user:${aliceUser.id}`),
      };
      await server.close();
      return { result, inboxUpdates };
    };
    const single = await run(false);
    const batched = await run(true);
    expect(batched.result).toEqual(single.result);
    expect(single.result.balance).toBe(single.result.ledger);
    expect(single.result.outcomes).toContain('insufficient-balance');
    // It was batched: fewer stored inbox updates than decisions (one by one: at least one each).
    expect(single.inboxUpdates).toBeGreaterThanOrEqual(trades.length);
    expect(batched.inboxUpdates).toBeLessThan(trades.length);
  });

  it('prices two offline buyers of the same outcome in arrival order; a stale guard is refused; replays are decided once', async () => {
    server = await startTestServer();
    const [carolUser, aliceUser, bobUser, daveUser] = await addUsers([T, 'member', 'Carol'], [T, 'member', 'Alice'], [T, 'member', 'Bob'], [T, 'member', 'Dave']);
    const carol = await online(carolUser);
    const created = await accepted(carol, MARKET_INTENTS.create, binary('Will the release ship on time?', 10_000));
    const market = (created.result as { marketId: string }).marketId;

    // Offline, all three saw the fresh market: 40 YES cost 2,139 there (mpmath, see the domain's
    // referee test). Alice and Bob allow 3,000; Dave's guard is exactly the price he saw.
    const offline = { alice: new Y.Doc(), bob: new Y.Doc(), dave: new Y.Doc() };
    const ids = {
      alice: writeIntent(offline.alice, MARKET_INTENTS.trade, buyShares(market, 0, 40, 3_000)),
      bob: writeIntent(offline.bob, MARKET_INTENTS.trade, buyShares(market, 0, 40, 3_000)),
      dave: writeIntent(offline.dave, MARKET_INTENTS.trade, buyShares(market, 0, 40, 2_139)),
    };
    const [alice, bob] = await Promise.all([online(aliceUser, offline.alice), online(bobUser, offline.bob)]);
    const [a, b] = await Promise.all([decided(alice, ids.alice), decided(bob, ids.bob)]);
    expect([a.status, b.status]).toEqual(['accepted', 'accepted']);
    const [first, second] = [a, b].sort((x, y) => (x.result as TradeResult).cash - (y.result as TradeResult).cash);
    // The second is priced after the first: 40 more YES cost 2,410 (mpmath).
    expect([(first!.result as TradeResult).cash, (second!.result as TradeResult).cash]).toEqual([2_139, 2_410]);
    const dave = await online(daveUser, offline.dave);
    expect(await decided(dave, ids.dave)).toMatchObject({ status: 'rejected', reason: { code: 'slippage' } });

    // Replays: reconnecting re-sends the same intents; editing one after submission changes nothing.
    writeIntent(alice.outbox, MARKET_INTENTS.trade, buyShares(market, 0, 400, 1_000_000), { id: ids.alice });
    await Promise.all([alice.reconnectOutbox(), bob.reconnectOutbox(), dave.reconnectOutbox()]);
    await new Promise((resolve) => setTimeout(resolve, 300));
    await server.runner.idle();
    expect(await marketCash(market)).toBe(10_000 + 2_139 + 2_410);
    const rows = await server.store.ledger.rows(T);
    expect(rows.filter((row) => row.kind === 'trade')).toHaveLength(4); // two trades, two rows each
    expect(rows.filter((row) => row.kind === 'grant').map((row) => row.amount)).toEqual([GRANT, GRANT, GRANT, GRANT]);
    const paid = { alice: GRANT - (first === a ? 2_139 : 2_410), bob: GRANT - (first === b ? 2_139 : 2_410) };
    await expectBalances({ alice, bob, dave, carol }, { ...paid, dave: GRANT, carol: GRANT - 10_000 });

    // The rooms show it: two trades in the tail, the directory's volume and YES probability.
    const room = await storedDoc(roomNames.market(T, market));
    expect(room.getMap(MARKET_TRADES).size).toBe(2);
    // The directory line follows within a second (trades rewrite it at most once a second).
    await eventually(async () => {
      const summary = (await storedDoc(roomNames.markets(T))).getMap(DIRECTORY_MARKETS).get(market) as MarketSummary;
      expect(summary).toMatchObject({ status: 'open', tradeCount: 2, volume: 2_139 + 2_410, creatorName: 'Carol', question: 'Will the release ship on time?' });
      expect(summary.probabilities[0]).toBeGreaterThan(0.6);
    }, 5_000);
  });

  it('refuses trades after the close time (the deadline marks the market closed), from guests, from another tenant, and past the trade TTL', async () => {
    server = await startTestServer({ marketsTradeTtlMs: 60_000 });
    const [carolUser, aliceUser, guestUser, outsiderUser] = await addUsers([T, 'member', 'Carol'], [T, 'member', 'Alice'], [T, 'guest', 'Gus'], ['other', 'member', 'Olga']);
    const [carol, alice, guest, outsider] = await Promise.all([online(carolUser), online(aliceUser), online(guestUser), online(outsiderUser)]);
    const created = await accepted(carol, MARKET_INTENTS.create, binary('Will it snow this week?', 5_000, 1_500));
    const market = (created.result as { marketId: string }).marketId;
    await accepted(alice, MARKET_INTENTS.trade, buyShares(market, 1, 10));

    expect(await act(guest, MARKET_INTENTS.trade, buyShares(market, 0, 10))).toMatchObject({ status: 'rejected', reason: { code: 'not-a-member' } });
    expect(await act(guest, MARKET_INTENTS.create, binary('A guest market?', 100))).toMatchObject({ status: 'rejected', reason: { code: 'not-a-member' } });
    // Another tenant's member writes into their own outbox: in their tenant there is no such market.
    expect(await act(outsider, MARKET_INTENTS.trade, buyShares(market, 0, 10))).toMatchObject({ status: 'rejected', reason: { code: 'unknown-market' } });
    // …and they cannot even open this tenant's market room.
    const peek = connectClient(server, roomNames.market(T, market), outsiderUser.token);
    providers.push(peek.provider);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(peek.doc.getMap(MARKET_MAP).has(MARKET_STATE_KEY)).toBe(false);

    const stale = writeIntent(alice.outbox, MARKET_INTENTS.trade, buyShares(market, 1, 10), { now: Date.now() - 61_000, ttlMs: 3_600_000 });
    expect(await decided(alice, stale)).toMatchObject({ status: 'rejected', reason: { code: 'expired' } });

    await eventually(async () => expect(((await storedDoc(roomNames.markets(T))).getMap(DIRECTORY_MARKETS).get(market) as MarketSummary).status).toBe('closed'), 5_000);
    expect(await act(alice, MARKET_INTENTS.trade, buyShares(market, 1, 10))).toMatchObject({ status: 'rejected', reason: { code: 'market-closed' } });
    expect(await act(alice, MARKET_INTENTS.trade, { market, command: { kind: 'sell-shares', outcome: 1, shares: 1, minProceeds: 0 } })).toMatchObject({ status: 'rejected', reason: { code: 'market-closed' } });
    expect(await act(alice, MARKET_INTENTS.trade, { market, command: { kind: 'buy-shares', outcome: 1 } })).toMatchObject({ status: 'rejected', reason: { code: 'malformed' } });

    // The guest and the outsider got no grant; nothing moved but Alice's one trade.
    const rows = await server.store.ledger.rows(T);
    expect(rows.some((row) => row.account === `markets:user:${guestUser.id}`)).toBe(false);
    expect(rows.filter((row) => row.kind === 'trade')).toHaveLength(2);
    expect(await server.store.ledger.rows('other')).toEqual([{ tenant: 'other', account: `markets:user:${outsiderUser.id}`, kind: 'grant', amount: GRANT, ref: `grant:${outsiderUser.id}`, at: expect.any(Number) }]);
    expect(account(guest)).toBeUndefined();
  });
});

describe('markets referee: resolution and correction, to the minor unit', () => {
  /**
   * Market A of the domain's tests, through intents (expected values recomputed with mpmath):
   * alice buys 100 YES (5,850), bob spends 3,000 on NO, alice sells 20 YES (1,048) → cash 17,802.
   */
  async function marketA() {
    server = await startTestServer();
    const users = await addUsers([T, 'member', 'Carol'], [T, 'member', 'Alice'], [T, 'member', 'Bob'], [T, 'admin', 'Erin']);
    const [carol, alice, bob, erin] = await Promise.all(users.map((user) => online(user)));
    const id = ((await accepted(carol!, MARKET_INTENTS.create, binary('Will it rain on Friday?', 10_000))).result as { marketId: string }).marketId;
    expect(((await accepted(alice!, MARKET_INTENTS.trade, buyShares(id, 0, 100))).result as TradeResult).cash).toBe(5_850);
    await accepted(bob!, MARKET_INTENTS.trade, { market: id, command: { kind: 'buy-amount', outcome: 1, amount: 3_000, minShares: 75 } });
    expect(((await accepted(alice!, MARKET_INTENTS.trade, { market: id, command: { kind: 'sell-shares', outcome: 0, shares: 20, minProceeds: 1_000 } })).result as TradeResult).cash).toBe(1_048);
    expect(await marketCash(id)).toBe(17_802);
    return { id, carol: carol!, alice: alice!, bob: bob!, erin: erin! };
  }

  it.each([
    ['YES: alice’s 80 shares pay 8,000; carol gets the leftover 9,802', { kind: 'outcome', outcome: 0 }, { alice: 103_198, bob: 97_000, carol: 99_802 }],
    ['NO: bob’s 75.995 shares pay 7,599; leftover 10,203', { kind: 'outcome', outcome: 1 }, { alice: 95_198, bob: 104_599, carol: 100_203 }],
    ['PROB 0.3: alice 80·0.3 → 2,400, bob 75.995·0.7 → 5,319; leftover 10,083', { kind: 'probability', probability: 0.3 }, { alice: 97_598, bob: 102_319, carol: 100_083 }],
    ['N/A: everyone gets back their net cash, carol her whole subsidy', { kind: 'na' }, { alice: 100_000, bob: 100_000, carol: 100_000 }],
  ])('%s', async (_name, resolution, expected) => {
    const { id, carol, alice, bob } = await marketA();
    await expectBalances({ alice, bob, carol }, { alice: 95_198, bob: 97_000, carol: 90_000 });
    expect(await act(alice, MARKET_INTENTS.resolve, { market: id, resolution })).toMatchObject({ status: 'rejected', reason: { code: 'not-authorized' } });
    await accepted(carol, MARKET_INTENTS.resolve, { market: id, resolution });
    await expectBalances({ alice, bob, carol }, expected);
    expect(await marketCash(id)).toBe(0);
    expect((await ledgerFold()).get(`markets:market:${id}`)).toBe(0);
    const summary = (await storedDoc(roomNames.markets(T))).getMap(DIRECTORY_MARKETS).get(id) as MarketSummary;
    expect(summary).toMatchObject({ status: 'resolved', resolution, revision: 1 });
    // The leaderboard ranks realized profit: balance − granted (nothing is open any more).
    const leaders = (await storedDoc(roomNames.standings(T, 'markets'))).getMap(STANDINGS_LEADERS);
    expect(Object.fromEntries(Object.entries({ alice, bob, carol }).map(([name, client]) => [name, (leaders.get(client.user.id) as { profit: number }).profit]))).toEqual({
      alice: expected.alice - GRANT,
      bob: expected.bob - GRANT,
      carol: expected.carol - GRANT,
    });
  });

  it('resolves a multiple-choice market to an option: winners paid 100 per share, the rest to the creator', async () => {
    server = await startTestServer();
    const users = await addUsers([T, 'member', 'Erin'], [T, 'member', 'Alice'], [T, 'member', 'Bob'], [T, 'member', 'Dave'], [T, 'admin', 'Ada']);
    const [erin, alice, bob, dave, ada] = await Promise.all(users.map((user) => online(user)));
    const setup = { kind: 'multiple-choice', question: 'Which colour wins the vote?', subsidy: 9_000, closeAt: Date.now() + 3_600_000, options: ['Red', 'Green', 'Blue'] };
    const id = ((await accepted(erin!, MARKET_INTENTS.create, setup)).result as { marketId: string }).marketId;
    // b = 90 / ln 3; costs (double precision, charges rounded up): 1,127, 633, 403, 411.
    const cash = [];
    for (const [client, outcome, shares] of [[alice, 0, 30], [bob, 1, 20], [dave, 0, 10], [bob, 2, 15]] as const) cash.push(((await accepted(client!, MARKET_INTENTS.trade, buyShares(id, outcome, shares))).result as TradeResult).cash);
    expect(cash).toEqual([1_127, 633, 403, 411]);
    expect(await marketCash(id)).toBe(11_574);
    // A tenant admin resolves (Red): alice 30 → 3,000, dave 10 → 1,000, leftover 7,574 to erin.
    expect((await accepted(ada!, MARKET_INTENTS.resolve, { market: id, resolution: { kind: 'outcome', outcome: 0 } })).result).toEqual({ marketId: id, revision: 1, paid: 4_000, leftover: 7_574 });
    await expectBalances({ erin: erin!, alice: alice!, bob: bob!, dave: dave! }, { erin: 98_574, alice: 101_873, bob: 98_956, dave: 100_597 });
    expect(await act(erin!, MARKET_INTENTS.resolve, { market: id, resolution: { kind: 'probability', probability: 0.5 } })).toMatchObject({ status: 'rejected', reason: { code: 'market-resolved' } });
  });

  it('corrects YES to NO: reverses exactly, pays anew, drives a spender below zero and blocks her buys until she recovers', async () => {
    const { id, carol, alice, bob } = await marketA();
    await accepted(carol, MARKET_INTENTS.resolve, { market: id, resolution: { kind: 'outcome', outcome: 0 } });
    await expectBalances({ alice, bob, carol }, { alice: 103_198, bob: 97_000, carol: 99_802 });
    // alice spends 100,000 of her winnings in bob's new market M2 (subsidy 5,000).
    const m2 = ((await accepted(bob, MARKET_INTENTS.create, binary('Will the bus be late?', 5_000))).result as { marketId: string }).marketId;
    await accepted(alice, MARKET_INTENTS.trade, { market: m2, command: { kind: 'buy-amount', outcome: 0, amount: 100_000, minShares: 0 } });
    await expectBalances({ alice, bob, carol }, { alice: 3_198, bob: 92_000, carol: 99_802 });

    const correction = await accepted(carol, MARKET_INTENTS.correct, { market: id, resolution: { kind: 'outcome', outcome: 1 } });
    expect(correction.result).toEqual({ marketId: id, revision: 2, paid: 7_599, leftover: 10_203 });
    // alice loses her 8,000 payout: 3,198 − 8,000 = −4,802. bob is paid 7,599; carol 10,203 − 9,802 more.
    await expectBalances({ alice, bob, carol }, { alice: -4_802, bob: 99_599, carol: 100_203 });
    expect(await marketCash(id)).toBe(0);
    expect(await marketCash(m2)).toBe(105_000);
    expect((await ledgerFold()).get(`markets:market:${m2}`)).toBe(105_000);
    const kinds = (await server.store.ledger.rows(T)).filter((row) => row.ref.includes(':reversal:')).map((row) => [row.kind, row.amount]);
    expect(kinds.sort()).toEqual([['reversal', -9_802], ['reversal', -8_000], ['reversal', 8_000], ['reversal', 9_802]].sort());

    expect(await act(alice, MARKET_INTENTS.trade, { market: m2, command: { kind: 'buy-amount', outcome: 1, amount: 1, minShares: 0 } })).toMatchObject({ status: 'rejected', reason: { code: 'balance-negative' } });
    expect(account(alice)?.balance).toBe(-4_802);
    const sold = await accepted(alice, MARKET_INTENTS.trade, { market: m2, command: { kind: 'sell-shares', outcome: 0, shares: 100, minProceeds: 0 } });
    const recovered = -4_802 + (sold.result as TradeResult).cash;
    expect(recovered).toBeGreaterThan(0);
    await expectBalances({ alice, bob, carol }, { alice: recovered, bob: 99_599, carol: 100_203 });
    await accepted(alice, MARKET_INTENTS.trade, { market: m2, command: { kind: 'buy-amount', outcome: 1, amount: 1, minShares: 0 } });

    expect(await act(carol, MARKET_INTENTS.correct, { market: id, resolution: { kind: 'outcome', outcome: 1 } })).toMatchObject({ status: 'rejected', reason: { code: 'unchanged' } });
  });

  it('refuses a correction after the window', async () => {
    server = await startTestServer({ marketsCorrectionWindowMs: 0 });
    const [carol, alice] = await Promise.all((await addUsers([T, 'member', 'Carol'], [T, 'member', 'Alice'])).map((user) => online(user)));
    const id = ((await accepted(carol!, MARKET_INTENTS.create, binary('Will the window close?', 1_000))).result as { marketId: string }).marketId;
    await accepted(alice!, MARKET_INTENTS.trade, buyShares(id, 0, 5));
    await accepted(carol!, MARKET_INTENTS.resolve, { market: id, resolution: { kind: 'outcome', outcome: 0 } });
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(await act(carol!, MARKET_INTENTS.correct, { market: id, resolution: { kind: 'na' } })).toMatchObject({ status: 'rejected', reason: { code: 'correction-window-closed' } });
  });
});

describe('markets referee: rooms stay small', () => {
  it('moves trades past the tail into the month room and thins the probability history', async () => {
    server = await startTestServer();
    const [carol, alice] = await Promise.all((await addUsers([T, 'member', 'Carol'], [T, 'member', 'Alice'])).map((user) => online(user)));
    const id = ((await accepted(carol!, MARKET_INTENTS.create, binary('Will the tail stay short?', 100_000 - 1))).result as { marketId: string }).marketId;
    const ids: string[] = [];
    alice!.outbox.transact(() => {
      for (let i = 0; i < 330; i++) ids.push(writeIntent(alice!.outbox, MARKET_INTENTS.trade, { market: id, command: { kind: 'buy-amount', outcome: i % 2, amount: 10, minShares: 0 } }));
    });
    await eventually(() => expect(decisionIn(alice!.inbox, ids.at(-1)!)?.status).toBe('accepted'), 20_000);
    await server.runner.idle();
    const room = await storedDoc(roomNames.market(T, id));
    const tail = room.getMap(MARKET_TRADES);
    expect(tail.size).toBe(230); // trades 1–100 moved out at 250 and 300
    expect(tail.has('000000000101')).toBe(true);
    const month = await storedDoc(roomNames.marketTrades(T, id, new Date().toISOString().slice(0, 7)));
    expect(month.getMap(MARKET_TRADES).size + tail.size).toBe(330);
    const history = room.getMap('history');
    expect(history.size).toBeLessThan(330);
    expect(history.has('000000000000')).toBe(true);
    for (let n = 231; n <= 330; n++) expect(history.has(String(n).padStart(12, '0'))).toBe(true);
    await expectBalances({ alice: alice! }, { alice: GRANT - 3_300 });
  });
});

describe('markets referee: month boundaries and restarts', () => {
  it('moves trades of a month whose room was not loaded with an archive deadline', async () => {
    let clock = Date.now();
    server = await startTestServer({}, { now: () => clock });
    const [carolUser, aliceUser] = await addUsers([T, 'member', 'Carol'], [T, 'member', 'Alice']);
    const [carol, alice] = [await online(carolUser), await online(aliceUser)];
    const id = ((await accepted(carol, MARKET_INTENTS.create, binary('Will the month turn?', 50_000, 90 * 86_400_000))).result as { marketId: string }).marketId;
    const trade = () => ({ market: id, command: { kind: 'buy-amount', outcome: 0, amount: 10, minShares: 0 } });
    const first: string[] = [];
    alice.outbox.transact(() => {
      for (let i = 0; i < 249; i++) first.push(writeIntent(alice.outbox, MARKET_INTENTS.trade, trade(), { now: clock }));
    });
    await eventually(() => expect(decisionIn(alice.inbox, first.at(-1)!)?.status).toBe('accepted'), 20_000);
    const before = new Date(clock).toISOString().slice(0, 7);
    clock += 40 * 86_400_000; // the next trade lands in another month
    const after = new Date(clock).toISOString().slice(0, 7);
    expect(await decided(alice, writeIntent(alice.outbox, MARKET_INTENTS.trade, trade(), { now: clock }))).toMatchObject({ status: 'accepted' });
    await eventually(async () => {
      const old = await storedDoc(roomNames.marketTrades(T, id, before));
      expect(old.getMap(MARKET_TRADES).size).toBe(50);
    });
    const tail = (await storedDoc(roomNames.market(T, id))).getMap(MARKET_TRADES);
    expect(tail.size).toBe(200);
    expect((await storedDoc(roomNames.marketTrades(T, id, after))).getMap(MARKET_TRADES).size).toBe(0);
  });

  it('resolves correctly after a restart: holders are read back from the store, the close deadline is re-armed', async () => {
    server = await startTestServer();
    const users = await addUsers([T, 'member', 'Carol'], [T, 'member', 'Alice'], [T, 'member', 'Bob']);
    let [carol, alice, bob] = await Promise.all(users.map((user) => online(user)));
    const id = ((await accepted(carol!, MARKET_INTENTS.create, binary('Will it survive a restart?', 10_000, 2_500))).result as { marketId: string }).marketId;
    await accepted(alice!, MARKET_INTENTS.trade, buyShares(id, 0, 100));
    await accepted(bob!, MARKET_INTENTS.trade, { market: id, command: { kind: 'buy-amount', outcome: 1, amount: 3_000, minShares: 0 } });
    for (const provider of providers.splice(0)) provider.destroy();
    const dataDir = server.dataDir;
    await server.close();
    server = await startTestServer({ dataDir });
    expect(server.runner.armedDeadlines().map((deadline) => deadline.kind)).toContain('close');
    [carol, alice, bob] = await Promise.all(users.map((user) => online(user)));
    await eventually(async () => expect(((await storedDoc(roomNames.markets(T))).getMap(DIRECTORY_MARKETS).get(id) as MarketSummary).status).toBe('closed'), 5_000);
    await accepted(carol!, MARKET_INTENTS.resolve, { market: id, resolution: { kind: 'outcome', outcome: 0 } });
    // alice's 100 YES cost 5,850 and pay 10,000; bob's 3,000 on NO is lost; carol: 10,000 + 8,850 − 10,000 back.
    await expectBalances({ alice: alice!, bob: bob!, carol: carol! }, { alice: GRANT - 5_850 + 10_000, bob: GRANT - 3_000, carol: GRANT - 10_000 + 8_850 });
  });
});
