/**
 * Money conservation through the server: a seeded random sequence of creates, trades (buys,
 * sells, tight and loose guards, bad outcomes), resolutions of every kind and corrections, written
 * by several users at once. Afterwards, from the stored rooms and the store's ledger:
 *   Σ inbox balances + Σ market cash = Σ grants, every balance is its ledger fold, and each
 * account's open cost and locked subsidy match the market rooms.
 */
import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import type { Market, Position } from '../../../../shared/domain/markets/index.ts';
import {
  DIRECTORY_MARKETS,
  INBOX_ACCOUNT_KEY,
  INBOX_MARKETS,
  MARKET_INTENTS,
  MARKET_MAP,
  MARKET_POSITIONS,
  MARKET_STATE_KEY,
  type MarketsAccount,
  realizedProfit,
  STANDINGS_LEADERS,
} from '../../../../shared/sync/layouts/markets.ts';
import { roomNames } from '../../../../shared/sync/rooms.ts';
import type { RunningServer } from '../../server.ts';
import { addUser, connectClient, eventually, startTestServer, whenSynced, type TestUser } from '../../test-support/harness.ts';
import { decisionIn, writeIntent } from '../../test-support/intents.ts';

const T = 'acme';
process.setMaxListeners(50); // every stock provider listens for the process's exit
let server: RunningServer;
const providers: Array<{ destroy(): void }> = [];
afterEach(async () => {
  for (const provider of providers.splice(0)) provider.destroy();
  await server?.close();
});

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function storedDoc(room: string): Promise<Y.Doc> {
  const doc = new Y.Doc();
  const stored = await server.store.rooms.load(room);
  for (const update of [stored.snapshot, ...stored.updates.map((entry) => entry.data)]) if (update) Y.applyUpdate(doc, update);
  return doc;
}

describe('markets referee: money is conserved', () => {
  it.each([1, 2])('over a random sequence of intents from several users (seed %i)', async (seed) => {
    server = await startTestServer();
    const random = rng(seed);
    const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
    const users: TestUser[] = [];
    for (const [role, name] of [['member', 'Ann'], ['member', 'Ben'], ['member', 'Cy'], ['admin', 'Di'], ['member', 'Ed']] as const) users.push(await addUser(server, T, role, name));
    const clients = await Promise.all(
      users.map(async (user) => {
        const outbox = connectClient(server, roomNames.outbox(T, user.id), user.token);
        const inbox = connectClient(server, roomNames.inbox(T, user.id), user.token);
        providers.push(outbox.provider, inbox.provider);
        await Promise.all([whenSynced(outbox.provider), whenSynced(inbox.provider)]);
        return { user, outbox: outbox.doc, inbox: inbox.doc };
      }),
    );
    const markets: Array<{ id: string; creator: string; outcomes: number }> = [];
    const resolved = new Set<string>();
    const statuses = new Map<string, number>();
    const admin = clients[3]!;
    let closing = '';
    for (let round = 0; round < 20; round++) {
      const written: Array<{ inbox: Y.Doc; id: string }> = [];
      const write = (client: (typeof clients)[number], kind: string, payload: unknown): string => {
        const id = writeIntent(client.outbox, kind, payload);
        written.push({ inbox: client.inbox, id });
        return id;
      };
      // A market that closes early: trades on it after round 6 must be refused.
      if (round === 0) closing = write(admin, MARKET_INTENTS.create, { kind: 'binary', question: 'Closing soon?', subsidy: 2_000, closeAt: Date.now() + 800 });
      else write(clients[round % 5]!, MARKET_INTENTS.trade, { market: closing, command: { kind: 'buy-amount', outcome: round % 2, amount: 100, minShares: 0 } });
      for (const client of clients) {
        const count = Math.floor(random() * 4);
        for (let i = 0; i < count; i++) {
          const roll = random();
          if (markets.length < 3 || roll < 0.07) {
            const closeAt = Date.now() + 3_600_000;
            const subsidy = 1_000 + Math.floor(random() * 20_000);
            const options = ['A', 'B', 'C', 'D'].slice(0, 2 + Math.floor(random() * 3));
            const binary = random() < 0.5;
            const payload = binary
              ? { kind: 'binary', question: `Binary question ${round}.${i}?`, subsidy, closeAt, openingProbability: 0.2 + random() * 0.6 }
              : { kind: 'multiple-choice', question: `Choice question ${round}.${i}?`, subsidy, closeAt, options };
            markets.push({ id: write(client, MARKET_INTENTS.create, payload), creator: client.user.id, outcomes: binary ? 2 : options.length });
          } else if (roll < 0.93) {
            const market = pick(markets);
            const outcome = random() < 0.05 ? market.outcomes : Math.floor(random() * market.outcomes);
            const which = random();
            const command =
              which < 0.4
                ? { kind: 'buy-shares', outcome, shares: 1 + random() * 200, maxCost: random() < 0.15 ? 50 : 1_000_000 }
                : which < 0.7
                  ? { kind: 'buy-amount', outcome, amount: 1 + Math.floor(random() * 30_000), minShares: random() < 0.1 ? 1e6 : 0 }
                  : { kind: 'sell-shares', outcome, shares: 1 + random() * 100, minProceeds: 0 };
            write(client, MARKET_INTENTS.trade, { market: market.id, command });
          } else {
            // Mostly by the creator or the admin; sometimes by someone who may not.
            const correcting = roll > 0.975 && resolved.size > 0;
            const target = correcting ? pick([...resolved]) : null;
            const market = target === null ? pick(markets) : markets.find((m) => m.id === target)!;
            const who = random() < 0.15 ? client : random() < 0.7 ? clients.find((c) => c.user.id === market.creator)! : admin;
            const resolution = pick([{ kind: 'outcome', outcome: Math.floor(random() * market.outcomes) }, { kind: 'probability', probability: Math.round(random() * 100) / 100 }, { kind: 'na' }]);
            write(who, correcting ? MARKET_INTENTS.correct : MARKET_INTENTS.resolve, { market: market.id, resolution });
            if (!correcting) resolved.add(market.id);
          }
        }
      }
      await eventually(() => {
        for (const { inbox, id } of written) if (!decisionIn(inbox, id)) throw new Error(`waiting for ${id}`);
      });
      for (const { inbox, id } of written) {
        const decision = decisionIn(inbox, id)!;
        const code = decision.status === 'accepted' ? 'accepted' : (decision.reason?.code ?? decision.status);
        statuses.set(`${decision.kind} ${code}`, (statuses.get(`${decision.kind} ${code}`) ?? 0) + 1);
        expect(decision.status, JSON.stringify(decision)).not.toBe('invalid');
      }
      if (round === 6) await new Promise((resolve) => setTimeout(resolve, 900)); // let short markets close
    }
    await server.runner.idle();
    // The sequence exercised the interesting paths.
    if (process.env.SHOW_STATUSES) console.log([...statuses].sort());
    for (const key of ['markets.create accepted', 'markets.trade accepted', 'markets.resolve accepted', 'markets.correct accepted', 'markets.trade slippage', 'markets.trade market-closed']) expect(statuses.get(key) ?? 0, key).toBeGreaterThan(0);

    const ledger = await server.store.ledger.rows(T);
    const fold = new Map<string, number>();
    for (const row of ledger) fold.set(row.account, (fold.get(row.account) ?? 0) + row.amount);
    const grants = ledger.filter((row) => row.kind === 'grant').reduce((sum, row) => sum + row.amount, 0);
    expect(grants).toBe(users.length * 100_000);
    expect(ledger.reduce((sum, row) => sum + row.amount, 0)).toBe(grants);

    const stored = new Map<string, { market: Market; positions: Position[] }>();
    const directory = (await storedDoc(roomNames.markets(T))).getMap(DIRECTORY_MARKETS);
    for (const id of directory.keys()) {
      const doc = await storedDoc(roomNames.market(T, id));
      stored.set(id, { market: doc.getMap(MARKET_MAP).get(MARKET_STATE_KEY) as Market, positions: [...doc.getMap(MARKET_POSITIONS).values()] as Position[] });
    }
    let cash = 0;
    for (const [id, { market }] of stored) {
      expect(fold.get(`markets:market:${id}`) ?? 0, `market ${id}`).toBe(market.cash);
      cash += market.cash;
    }
    let balances = 0;
    const leaders = (await storedDoc(roomNames.standings(T, 'markets'))).getMap(STANDINGS_LEADERS);
    for (const user of users) {
      const account = (await storedDoc(roomNames.inbox(T, user.id))).getMap(INBOX_MARKETS).get(INBOX_ACCOUNT_KEY) as MarketsAccount;
      expect(account.balance, user.id).toBe(fold.get(`markets:user:${user.id}`));
      balances += account.balance;
      let invested = 0;
      let locked = 0;
      for (const { market, positions } of stored.values()) {
        if (market.settlement !== null) continue;
        for (const position of positions) if (position.userId === user.id) invested += position.spent - position.received;
        if (market.creatorId === user.id) locked += market.subsidy;
      }
      expect({ invested: account.invested, lockedSubsidy: account.lockedSubsidy }).toEqual({ invested, lockedSubsidy: locked });
      expect((leaders.get(user.id) as { profit: number }).profit).toBe(realizedProfit(account));
      // The client's live inbox agrees with the store.
      const live = clients.find((client) => client.user.id === user.id)!;
      await eventually(() => expect((live.inbox.getMap(INBOX_MARKETS).get(INBOX_ACCOUNT_KEY) as MarketsAccount).balance).toBe(account.balance));
    }
    expect(balances + cash).toBe(grants);
  });
});
