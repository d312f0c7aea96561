/**
 * `npm run bench:markets` — prediction-market benchmark (prints numbers; not a test):
 *
 *  1. Pipeline throughput, trades/s from the outbox update to the stored decision: a real server
 *     (in this process, SQLite store in a temp dir) and stock y-websocket clients in a child
 *     process (this same file with `--load`), each trader connected to their outbox and inbox.
 *     All trades are written at once (one Yjs transaction = one update = one WebSocket message
 *     per intent); the clock runs from "go" until every decision is in the store. Two runs: one
 *     hot market, and trades spread over 100 markets. Goal ≥ 5,000 trades/s.
 *  2. Where the time went: the server's event-loop utilisation, and time inside ingest (SQLite
 *     append + pending row), the referee's synchronous decide, the decision commit (SQLite) and
 *     the queue reads; the rest is Yjs encoding/merging, WebSocket I/O and scheduling.
 *  3. The referee alone: its synchronous `decide` on in-memory rooms (with the runner's update
 *     capture, without store and WebSocket), CPU per trade: the share of the pipeline that is
 *     the markets code itself.
 *  4. Folding 100,000 trades: the domain fold (balances + positions from LedgerEntry[]; goal
 *     ≤ 300 ms), and the store's ledger rows written by run 1 folded into balances.
 *
 *   npm run bench:markets -- [--trades 20000] [--traders 50] [--markets 100] [--pipeline-only]
 *
 * `--pipeline-only` runs parts 1 and 2 alone (quick A/B comparisons of the server's CPU per trade).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { WebSocket as WsWebSocket } from 'ws';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import {
  applyTrade,
  createMarket,
  emptyPosition,
  foldBalances,
  foldPositions,
  grantEntry,
  type LedgerEntry,
  type Market,
  type Position,
  positionKey,
  type TradeCommand,
  userAccount,
  validateTrade,
} from '../shared/domain/markets/index.ts';
import { minor, type Minor } from '../shared/domain/money.ts';
import { expectOk } from '../shared/domain/result.ts';
import { INBOX_DECISIONS, makeIntent, OUTBOX_INTENTS, type Decision } from '../shared/sync/intents.ts';
import { INBOX_ACCOUNT_KEY, INBOX_MARKETS, MARKET_INTENTS, type MarketsAccount } from '../shared/sync/layouts/markets.ts';
import { roomNames } from '../shared/sync/rooms.ts';
import { createUser } from '../sync-server/src/auth/provisioning.ts';
import { configSchema } from '../sync-server/src/config.ts';
import { createLogger } from '../sync-server/src/log.ts';
import type { Directory } from '../sync-server/src/auth/directory.ts';
import type { DecideContext } from '../sync-server/src/intents/referee.ts';
import { createMarketsReferee } from '../sync-server/src/referees/markets/index.ts';
import { startServer, type RunningServer } from '../sync-server/src/server.ts';
import type { SqliteStore } from '../sync-server/src/store/sqlite.ts';
import type { Store } from '../sync-server/src/store/types.ts';
import { SYNC_PATH_PREFIX } from '../sync-server/src/ws/sync-endpoint.ts';

/** mulberry32: a tiny seeded PRNG so every run sees the same trades. */
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

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

// The load generator (child process) ------------------------------------------------------------

interface LoadJob {
  readonly syncUrl: string;
  readonly tenant: string;
  readonly users: ReadonlyArray<{ readonly id: string; readonly token: string }>;
  readonly markets: number;
  readonly tradesPerUser: number;
  readonly prefix: string;
  readonly seed: number;
}

function intentIdOf(prefix: string, user: number, n: number): string {
  return `${prefix}u${user}n${n}`.padEnd(8, '_');
}

function marketIdOf(prefix: string, n: number): string {
  return `${prefix}mkt${n}`.padEnd(8, '_');
}

async function runLoad(): Promise<void> {
  const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]();
  const job = JSON.parse((await lines.next()).value as string) as LoadJob;
  const say = (message: unknown) => process.stdout.write(`${JSON.stringify(message)}\n`);
  const clients = job.users.map((user) => {
    const connect = (room: string) => {
      const doc = new Y.Doc();
      const provider = new WebsocketProvider(job.syncUrl, room, doc, {
        disableBc: true,
        protocols: ['plaza.v1', `plaza.auth.${user.token}`],
        WebSocketPolyfill: WsWebSocket as unknown as typeof WebSocket,
      });
      for (const type of [100, 101, 102, 103]) provider.messageHandlers[type] = () => undefined;
      return { doc, provider };
    };
    return { user, outbox: connect(roomNames.outbox(job.tenant, user.id)), inbox: connect(roomNames.inbox(job.tenant, user.id)) };
  });
  await Promise.all(clients.flatMap((client) => [client.outbox.provider, client.inbox.provider]).map((provider) => new Promise<void>((resolve) => (provider.synced ? resolve() : provider.once('sync', () => resolve())))));
  // Counted from the events (Y.Map.size walks every key: quadratic over a run).
  const decided = (client: (typeof clients)[number], count: number) =>
    new Promise<void>((resolve) => {
      const decisions = client.inbox.doc.getMap<Decision>(INBOX_DECISIONS);
      let seen = decisions.size;
      const check = (event?: Y.YMapEvent<Decision>) => {
        if (event) for (const key of event.keysChanged) if (event.changes.keys.get(key)?.action === 'add') seen += 1;
        if (seen >= count) {
          decisions.unobserve(check);
          resolve();
        }
      };
      decisions.observe(check);
      check();
    });
  // Setup (not timed): the first trader opens the markets, 10 play-money units of subsidy per
  // trader and market so that prices move but stay sane.
  const maker = clients[0]!;
  const now = Date.now();
  maker.outbox.doc.transact(() => {
    for (let m = 0; m < job.markets; m++) {
      const id = marketIdOf(job.prefix, m);
      const payload = m % 2 === 0 ? { kind: 'binary', question: `Bench market ${m}?`, subsidy: 5_000_000, closeAt: now + 3_600_000 } : { kind: 'multiple-choice', question: `Bench market ${m}?`, subsidy: 5_000_000, closeAt: now + 3_600_000, options: ['A', 'B', 'C', 'D'] };
      maker.outbox.doc.getMap(OUTBOX_INTENTS).set(id, makeIntent({ id, kind: MARKET_INTENTS.create, payload, now, ttlMs: 3_600_000 }));
    }
  });
  await decided(maker, job.markets);
  say({ phase: 'ready' });
  await lines.next(); // "go"
  const started = performance.now();
  const random = rng(job.seed);
  const bought = new Set<string>();
  for (let n = 0; n < job.tradesPerUser; n++) {
    for (let u = 0; u < clients.length; u++) {
      const market = Math.floor(random() * job.markets);
      const outcome = Math.floor(random() * (market % 2 === 0 ? 2 : 4));
      const key = `${u}:${market}:${outcome}`;
      const roll = random();
      const command =
        roll < 0.1 && bought.has(key)
          ? { kind: 'sell-shares', outcome, shares: 0.5, minProceeds: 0 }
          : roll < 0.35
            ? { kind: 'buy-shares', outcome, shares: 1 + random() * 20, maxCost: 1_000_000_000 }
            : { kind: 'buy-amount', outcome, amount: 100 + Math.floor(random() * 2_000), minShares: 0 };
      if (command.kind !== 'sell-shares') bought.add(key);
      const id = intentIdOf(job.prefix, u, n);
      clients[u]!.outbox.doc.getMap(OUTBOX_INTENTS).set(id, makeIntent({ id, kind: MARKET_INTENTS.trade, payload: { market: marketIdOf(job.prefix, market), command }, now: Date.now(), ttlMs: 3_600_000 }));
    }
  }
  const sentMs = performance.now() - started;
  const cpuBefore = process.cpuUsage();
  await Promise.all(clients.map((client, u) => decided(client, job.tradesPerUser + (u === 0 ? job.markets : 0))));
  const seenMs = performance.now() - started;
  const codes: Record<string, number> = {};
  for (const client of clients) {
    for (const decision of client.inbox.doc.getMap<Decision>(INBOX_DECISIONS).values()) {
      if (decision.kind !== MARKET_INTENTS.trade) continue;
      const code = decision.status === 'accepted' ? 'accepted' : (decision.reason?.code ?? decision.status);
      codes[code] = (codes[code] ?? 0) + 1;
    }
  }
  const balances = clients.map((client) => (client.inbox.doc.getMap(INBOX_MARKETS).get(INBOX_ACCOUNT_KEY) as MarketsAccount | undefined)?.balance ?? null);
  const cpu = process.cpuUsage(cpuBefore);
  say({ phase: 'done', sentMs, seenMs, codes, balances, clientCpuMs: (cpu.user + cpu.system) / 1000 });
  for (const client of clients) {
    client.outbox.provider.destroy();
    client.inbox.provider.destroy();
  }
  process.exit(0);
}

// The server side: timing and the breakdown ------------------------------------------------------

interface Timers {
  /** Synchronous time only: awaited time overlaps across concurrent calls and would count waits. */
  ingest: number;
  /** The outbox side of ingest: reading the new intents of an update (JSON, zod). */
  intents: number;
  decide: number;
  roomsFor: number;
  commit: number;
  pending: number;
  /** Counts, to see the batching: decision commits, decisions in them, append flushes, appends. */
  commits: number;
  decisions: number;
  updateBytes: number;
  flushes: number;
  appends: number;
}

const zeroTimers = (): Timers => ({ ingest: 0, intents: 0, decide: 0, roomsFor: 0, commit: 0, pending: 0, commits: 0, decisions: 0, updateBytes: 0, flushes: 0, appends: 0 });

type TimedKey = 'ingest' | 'intents' | 'decide' | 'roomsFor' | 'commit' | 'pending';

function instrument(server: RunningServer): Timers {
  const timers = zeroTimers();
  const timeSync = <A extends unknown[], R>(fn: (...args: A) => R, key: TimedKey) =>
    (...args: A): R => {
      const start = performance.now();
      try {
        return fn(...args);
      } finally {
        timers[key] += performance.now() - start;
      }
    };
  // The embedded store's append group commit: queued per tick, written in one synchronous flush.
  const store = server.store as unknown as { flushAppends: () => void; appendQueue: unknown[] };
  if (typeof store.flushAppends !== 'function') throw new Error('the bench expects the SQLite store');
  const flushAppends = timeSync(store.flushAppends.bind(store), 'ingest');
  store.flushAppends = () => {
    timers.flushes += 1;
    timers.appends += store.appendQueue.length;
    flushAppends();
  };
  const hooks = server.rooms.hooks!;
  hooks.intentsFor = timeSync(hooks.intentsFor.bind(hooks), 'intents');
  // commit and pending are async in the interface but synchronous in SQLite: their whole run is the call.
  const intents = server.store.intents as { commit: typeof server.store.intents.commit; pending: typeof server.store.intents.pending };
  const commit = timeSync(intents.commit.bind(intents), 'commit');
  intents.commit = (batch) => {
    timers.commits += 1;
    timers.decisions += batch.decisions.length;
    for (const update of batch.updates) timers.updateBytes += update.data.length;
    return commit(batch);
  };
  intents.pending = timeSync(intents.pending.bind(intents), 'pending');
  const referee = server.runner.refereeNamed('markets')! as { decide: (...args: Parameters<NonNullable<ReturnType<typeof server.runner.refereeNamed>>['decide']>) => ReturnType<NonNullable<ReturnType<typeof server.runner.refereeNamed>>['decide']>; roomsFor: NonNullable<ReturnType<typeof server.runner.refereeNamed>>['roomsFor'] };
  referee.decide = timeSync(referee.decide.bind(referee), 'decide');
  // roomsFor awaits the directory (a cached read): its wall time, as before.
  const roomsFor = referee.roomsFor.bind(referee);
  referee.roomsFor = async (...args) => {
    const start = performance.now();
    try {
      return await roomsFor(...args);
    } finally {
      timers.roomsFor += performance.now() - start;
    }
  };
  return timers;
}

interface RunResult {
  readonly label: string;
  readonly trades: number;
  readonly ms: number;
  readonly sentMs: number;
  readonly seenMs: number;
  readonly codes: Record<string, number>;
  readonly elu: number;
  readonly timers: Timers;
  /** CPU time of the server process (user + system) during the run. */
  readonly serverCpuMs: number;
  /** CPU time of the server's main thread alone (the event loop; the WAL checkpointer and GC helpers are other threads). */
  readonly mainCpuMs: number;
  /** CPU time of the load generator while it waited for the decisions (it shares the cores). */
  readonly clientCpuMs: number;
}

async function pipelineRun(server: RunningServer, timers: Timers, label: string, tenant: string, markets: number, traders: number, tradesPerUser: number, seed: number): Promise<RunResult> {
  await server.store.directory.createTenant({ id: tenant, name: tenant, policy: { guestsMayBrowse: false, taxBps: 0, startingGrant: 1_000_000_000_000, currency: 'USD' }, createdAt: Date.now() });
  const users: Array<{ id: string; token: string }> = [];
  for (let u = 0; u < traders; u++) {
    const user = await createUser(server.directory, { tenant, displayName: `Trader ${u}`, role: 'member', kind: 'account', now: Date.now() });
    const { token } = await server.tokens.issue({ tenant, user: user.id, role: 'member', name: user.displayName, session: `bench-${user.id}`, kind: 'account' }, 7200);
    users.push({ id: user.id, token });
  }
  const prefix = `${tenant}x`;
  const job: LoadJob = { syncUrl: `${server.url.replace(/^http/, 'ws')}${SYNC_PATH_PREFIX.slice(0, -1)}`, tenant, users, markets, tradesPerUser, prefix, seed };
  const child = spawn(process.execPath, [import.meta.filename, '--load'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const messages = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  child.stdin!.write(`${JSON.stringify(job)}\n`);
  const ready = JSON.parse((await messages.next()).value as string) as { phase: string };
  if (ready.phase !== 'ready') throw new Error(`load generator: ${JSON.stringify(ready)}`);
  await server.runner.idle();
  Object.assign(timers, zeroTimers());
  const lastIds = users.map((user, u) => [user.id, intentIdOf(prefix, u, tradesPerUser - 1)] as const);
  const eluStart = performance.eventLoopUtilization();
  const cpuStart = process.cpuUsage();
  const mainStart = process.threadCpuUsage();
  const started = performance.now();
  child.stdin!.write('go\n');
  for (;;) {
    let all = true;
    for (const [user, id] of lastIds) {
      if ((await server.store.intents.decision(tenant, user, id)) === null) {
        all = false;
        break;
      }
    }
    if (all) break;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  const ms = performance.now() - started;
  const elu = performance.eventLoopUtilization(eluStart).utilization;
  const cpu = process.cpuUsage(cpuStart);
  const main = process.threadCpuUsage(mainStart);
  const snapshot = { ...timers };
  const done = JSON.parse((await messages.next()).value as string) as { sentMs: number; seenMs: number; codes: Record<string, number>; clientCpuMs: number };
  child.stdin!.end();
  await new Promise((resolve) => child.once('exit', resolve));
  return { label, trades: traders * tradesPerUser, ms, sentMs: done.sentMs, seenMs: done.seenMs, codes: done.codes, elu, timers: snapshot, serverCpuMs: (cpu.user + cpu.system) / 1000, mainCpuMs: (main.user + main.system) / 1000, clientCpuMs: done.clientCpuMs };
}

function report(run: RunResult): void {
  const perSecond = (run.trades / run.ms) * 1000;
  const codes = Object.entries(run.codes)
    .sort((a, b) => b[1] - a[1])
    .map(([code, n]) => `${code} ${fmt(n)}`)
    .join(', ');
  console.log(`${run.label}: ${fmt(run.trades)} trades decided and stored in ${fmt(run.ms)} ms = ${fmt(perSecond)} trades/s (goal ≥ 5,000)${perSecond >= 5_000 ? '' : '  ← MISSED'}`);
  console.log(`    client: all written after ${fmt(run.sentMs)} ms, all decisions seen in the inboxes after ${fmt(run.seenMs)} ms; outcomes: ${codes}`);
  const t = run.timers;
  const inside = t.ingest + t.intents + t.decide + t.roomsFor + t.commit + t.pending;
  const busy = run.elu * run.ms;
  const us = (x: number) => `${((x / run.trades) * 1000).toFixed(1)} µs`;
  const cpuPerTrade = (run.serverCpuMs / run.trades) * 1000;
  const mainPerTrade = (run.mainCpuMs / run.trades) * 1000;
  console.log(
    `    server CPU ${fmt(run.serverCpuMs)} ms = ${cpuPerTrade.toFixed(0)} µs/trade, of which the main thread ${mainPerTrade.toFixed(0)} µs/trade (one free core for it: ≈ ${fmt(1e6 / mainPerTrade)} trades/s); the load generator used ${fmt(run.clientCpuMs)} ms of CPU meanwhile`,
  );
  console.log(
    `    server event loop ${(run.elu * 100).toFixed(0)}% busy (${us(busy)}/trade): ingest ${us(t.ingest)} (SQLite append + pending row) + ${us(t.intents)} (reading the intents), referee decide ${us(t.decide)}, roomsFor ${us(t.roomsFor)}, decision commit ${us(t.commit)}, queue reads ${us(t.pending)}; the rest ${us(Math.max(0, busy - inside))} (Yjs apply/capture/merge, WebSocket, publish, scheduling)`,
  );
  const per = (a: number, b: number) => (b === 0 ? '0' : (a / b).toFixed(1));
  console.log(`    batching: ${fmt(t.commits)} decision commits (${per(t.decisions, t.commits)} decisions each, ${per(t.updateBytes / 1024, t.commits)} KiB of room updates each); ${fmt(t.flushes)} append flushes (${per(t.appends, t.flushes)} appends each)`);
}

// The referee alone ----------------------------------------------------------------------------

/**
 * `batch` 1: each decide alone, every write its own Yjs transaction (encoded at once). `batch` > 1:
 * what the runner does with a batch of trades: one Yjs transaction per room around all of them,
 * so each room's writes are encoded once per batch; the time includes that encoding.
 */
async function refereeAlone(markets: number, trades: number, traders: number, batch: number): Promise<{ cpuUsPerTrade: number; wallUsPerTrade: number; accepted: number }> {
  const tenant = 'solo';
  const directory = { tenant: async () => ({ id: tenant, name: tenant, policy: { guestsMayBrowse: false, taxBps: 0, startingGrant: 1_000_000_000_000, currency: 'USD' }, createdAt: 0 }) } as unknown as Directory;
  let now = Date.now();
  const referee = createMarketsReferee({ config: { marketsCorrectionWindowMs: 0, marketsTradeTtlMs: 86_400_000 }, store: {} as Store, directory, logger: createLogger('silent'), now: () => now });
  const docs = new Map<string, Y.Doc>();
  const origin = { kind: 'referee' };
  let encoded = 0;
  const docOf = (name: string): Y.Doc => {
    let doc = docs.get(name);
    if (!doc) {
      doc = new Y.Doc();
      // What the runner does with every referee write: capture the update it produces.
      doc.on('update', (update: Uint8Array, updateOrigin: unknown) => {
        if (updateOrigin === origin) encoded += update.length;
      });
      docs.set(name, doc);
    }
    return doc;
  };
  const logger = createLogger('silent');
  const context = (): DecideContext => ({
    now,
    tenant,
    logger,
    doc: docOf,
    write: (name, change) => docOf(name).transact(() => change(docOf(name)), origin),
    setDeadline: () => undefined,
    clearDeadline: () => undefined,
    ledger: () => undefined,
    rttOf: () => null,
    isConnected: () => false,
  });
  const author = (u: number) => ({ tenant, user: `trader${u}`, role: 'member' as const, name: `Trader ${u}`, kind: 'account' as const });
  let sequence = 0;
  const decide = async (u: number, kind: string, payload: unknown) => {
    sequence += 1;
    const intent = makeIntent({ id: `solo${String(sequence).padStart(8, '0')}`, kind, payload, now, ttlMs: 3_600_000 });
    await referee.roomsFor(intent, author(u));
    return referee.decide(intent, author(u), context());
  };
  for (let m = 0; m < markets; m++) await decide(0, MARKET_INTENTS.create, { kind: 'binary', question: `Solo market ${m}?`, subsidy: 5_000_000, closeAt: now + 3_600_000 });
  const ids = [...docs.keys()].filter((name) => /\/market\/[^/]+$/.test(name)).map((name) => name.slice(name.lastIndexOf('/') + 1));
  const random = rng(5);
  let accepted = 0;
  let cpuUs = 0;
  let wallUs = 0;
  for (let i = 0; i < trades; i += batch) {
    const items: Array<{ intent: ReturnType<typeof makeIntent>; u: number }> = [];
    for (let k = 0; k < batch && i + k < trades; k++) {
      now += 1;
      const market = ids[Math.floor(random() * ids.length)]!;
      const payload = { market, command: { kind: 'buy-amount', outcome: Math.floor(random() * 2), amount: 100 + Math.floor(random() * 2_000), minShares: 0 } };
      const u = Math.floor(random() * traders);
      sequence += 1;
      const intent = makeIntent({ id: `solo${String(sequence).padStart(8, '0')}`, kind: MARKET_INTENTS.trade, payload, now, ttlMs: 3_600_000 });
      for (const name of await referee.roomsFor(intent, author(u))) docOf(name);
      docOf(roomNames.inbox(tenant, author(u).user));
      items.push({ intent, u });
    }
    const rooms = batch === 1 ? [] : [...docs.values()];
    const cpu = process.cpuUsage();
    const start = performance.now();
    const run = (index: number): void => {
      if (index < rooms.length) {
        rooms[index]!.transact(() => run(index + 1), origin);
        return;
      }
      // One context per job, as the runner makes it.
      const job = context();
      for (const { intent, u } of items) if (referee.decide(intent, author(u), job).status === 'accepted') accepted += 1;
    };
    run(0);
    wallUs += (performance.now() - start) * 1000;
    const used = process.cpuUsage(cpu);
    cpuUs += used.user + used.system;
  }
  if (encoded === 0) throw new Error('nothing was written');
  return { cpuUsPerTrade: cpuUs / trades, wallUsPerTrade: wallUs / trades, accepted };
}

// Folds ------------------------------------------------------------------------------------------

/**
 * The domain fold of a 100,000-trade ledger (what markets-fold.ts measured, merged here), twice:
 * on entries as the referee built them in memory (account ids are template strings, which V8
 * keeps as rope strings: slow Map keys), and on the same entries after a JSON round trip, as they
 * are when read from storage or a room.
 */
function domainFold(trades: number, runs: number): { ms: number; cpuMs: number; flatMs: number; flatCpuMs: number; entries: number; check: boolean } {
  const random = rng(7);
  const markets = Array.from({ length: 100 }, (_, i) => {
    const setup = i % 2 === 0 ? { kind: 'binary' as const, question: `Binary market ${i}?`, closeAt: 1e15, subsidy: 100_000 } : { kind: 'multiple-choice' as const, question: `Choice market ${i}?`, closeAt: 1e15, subsidy: 100_000, options: ['A', 'B', 'C', 'D', 'E'] };
    return expectOk(createMarket(setup, { marketId: `m${i}`, entryId: `s${i}`, now: 0, creator: { userId: 'maker', role: 'member', balance: minor(1e12) }, correctionWindowMs: 0 })).market;
  });
  const positions = new Map<string, Position>();
  const balances = new Map<string, Minor>();
  const ledger: LedgerEntry[] = [];
  for (let u = 0; u < 1_000; u++) {
    ledger.push(grantEntry(`g${u}`, `u${u}`, minor(1e10), 0));
    balances.set(`u${u}`, minor(1e10));
  }
  for (let i = 0; ledger.length < trades + 1_000; i++) {
    const mi = Math.floor(random() * markets.length);
    const market: Market = markets[mi]!;
    const userId = `u${Math.floor(random() * 1_000)}`;
    const key = positionKey(market.id, userId);
    const position = positions.get(key) ?? emptyPosition(market, userId);
    const outcome = Math.floor(random() * market.outcomes.length);
    const held = position.shares[outcome] ?? 0;
    const command: TradeCommand = random() < 0.3 && held > 0 ? { kind: 'sell-shares', outcome, shares: held / 2, minProceeds: minor(0) } : { kind: 'buy-amount', outcome, amount: minor(100 + Math.floor(random() * 5_000)), minShares: 0 };
    const fill = validateTrade(market, position, { userId, role: 'member', balance: balances.get(userId)! }, command, i);
    if (!fill.ok) continue;
    const next = applyTrade(market, position, fill.value, { id: `t${i}`, at: i });
    markets[mi] = next.market;
    positions.set(key, next.position);
    balances.set(userId, minor(balances.get(userId)! + (fill.value.side === 'buy' ? -fill.value.cash : fill.value.cash)));
    ledger.push(next.entry);
  }
  const outcomes = new Map(markets.map((m) => [m.id, m.outcomes.length]));
  let check = true;
  const measure = (entries: readonly LedgerEntry[]): { ms: number; cpuMs: number } => {
    const times: number[] = [];
    const cpus: number[] = [];
    for (let r = 0; r <= runs; r++) {
      const cpu = process.cpuUsage();
      const start = performance.now();
      const folded = foldBalances(entries);
      const foldedPositions = foldPositions(entries, (id) => outcomes.get(id) ?? 0);
      const used = process.cpuUsage(cpu);
      if (r > 0) {
        // run 0 warms the JIT up
        times.push(performance.now() - start);
        cpus.push((used.user + used.system) / 1000);
      }
      for (const [userId, amount] of balances) check &&= folded.get(userAccount(userId)) === amount;
      check &&= foldedPositions.size === positions.size;
    }
    return { ms: median(times), cpuMs: median(cpus) };
  };
  const inMemory = measure(ledger);
  const flat = measure(JSON.parse(JSON.stringify(ledger)) as LedgerEntry[]);
  return { ms: inMemory.ms, cpuMs: inMemory.cpuMs, flatMs: flat.ms, flatCpuMs: flat.cpuMs, entries: ledger.length, check };
}

async function storeFold(server: RunningServer, tenants: readonly string[]): Promise<{ rows: number; trades: number; readMs: number; foldMs: number; conserved: boolean }> {
  const start = performance.now();
  const rows = (await Promise.all(tenants.map((tenant) => server.store.ledger.rows(tenant)))).flat();
  const readMs = performance.now() - start;
  const foldStart = performance.now();
  const balances = new Map<string, number>();
  let grants = 0;
  let trades = 0;
  for (const row of rows) {
    balances.set(row.account, (balances.get(row.account) ?? 0) + row.amount);
    if (row.kind === 'grant') grants += row.amount;
    else if (row.kind === 'trade' && row.amount > 0) trades += 1;
  }
  const foldMs = performance.now() - foldStart;
  let total = 0;
  for (const amount of balances.values()) total += amount;
  return { rows: rows.length, trades, readMs, foldMs, conserved: total === grants };
}

// Main -------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { trades: { type: 'string', default: '20000' }, traders: { type: 'string', default: '50' }, markets: { type: 'string', default: '100' }, 'pipeline-only': { type: 'boolean', default: false } } });
  const trades = Number(values.trades);
  const traders = Number(values.traders);
  const perUser = Math.ceil(trades / traders);
  console.log(`bench:markets — Node ${process.version}, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);

  const dataDir = mkdtempSync(path.join(tmpdir(), 'plaza-bench-markets-'));
  const config = configSchema.parse({ port: 0, dataDir, webDir: '/nonexistent', logLevel: 'silent', messagesPerSecond: 100_000, messageBurst: 100_000, maxConnectionsPerIp: 100_000, maxConnectionsPerUser: 100 });
  const server = await startServer(config, { logger: createLogger('silent') });
  const interrupted = () => {
    rmSync(dataDir, { recursive: true, force: true });
    process.exit(130);
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  const walMiB = () => {
    try {
      return statSync(path.join(dataDir, 'plaza.db-wal')).size / 2 ** 20;
    } catch {
      return 0;
    }
  };
  // What this process sent to the disk (Linux; the server's store is the only writer here).
  const writtenBytes = (): number | null => {
    try {
      const match = /^write_bytes: (\d+)$/m.exec(readFileSync('/proc/self/io', 'utf8'));
      return match ? Number(match[1]) : null;
    } catch {
      return null;
    }
  };
  /** Runs one pipeline pass while sampling the WAL's size, and reports it with the bytes written. */
  const pipelinePass = async (timers: Timers, label: string, tenant: string, markets: number, seed: number) => {
    let peak = walMiB();
    const sampler = setInterval(() => (peak = Math.max(peak, walMiB())), 20);
    const before = writtenBytes();
    try {
      const run = await pipelineRun(server, timers, label, tenant, markets, traders, perUser, seed);
      report(run);
      const after = writtenBytes();
      const written = before === null || after === null ? 'n/a' : `${((after - before) / 2 ** 20).toFixed(0)} MiB written to disk (${((after - before) / run.trades / 1024).toFixed(1)} KiB/trade)`;
      const restarts = (server.store as Partial<SqliteStore>).walRestarts;
      const restarted = restarts ? `; WAL restarts so far: ${restarts.complete} (+ ${restarts.incomplete} that did not catch up), writes held back ≤ ${restarts.maxHeldMs.toFixed(1)} ms each` : '';
      console.log(`    store: the SQLite WAL peaked at ${Math.max(peak, walMiB()).toFixed(0)} MiB and is ${walMiB().toFixed(0)} MiB now; ${written} during the run and its setup${restarted}`);
    } finally {
      clearInterval(sampler);
    }
  };
  try {
    const timers = instrument(server);
    await pipelinePass(timers, `pipeline, 1 hot market    `, 'hot', 1, 11);
    await pipelinePass(timers, `pipeline, ${values.markets} markets     `, 'wide', Number(values.markets), 12);
    if (values['pipeline-only']) return;

    for (const markets of [1, Number(values.markets)]) {
      for (const batch of [1, 200]) {
        const solo = await refereeAlone(markets, trades, traders, batch);
        const how = batch === 1 ? 'one by one, a Yjs transaction per write' : `in batches of ${batch} as the runner does, a Yjs transaction per room`;
        console.log(`referee alone, ${String(markets).padStart(3)} market(s), ${how}: decide ${solo.cpuUsPerTrade.toFixed(0)} µs CPU (${solo.wallUsPerTrade.toFixed(0)} µs wall) per trade, ${fmt(solo.accepted)} of ${fmt(trades)} accepted`);
      }
    }
    const fold = domainFold(100_000, 7);
    console.log(
      `fold (domain): ${fmt(fold.entries)} ledger entries (100,000 trades + 1,000 grants) into balances + positions, median of 7 (goal ≤ 300 ms)${fold.check ? '' : '  MISMATCH'}:\n` +
        `    as loaded from storage ${fold.flatMs.toFixed(1)} ms (CPU ${fold.flatCpuMs.toFixed(1)} ms); as built in memory ${fold.ms.toFixed(1)} ms (CPU ${fold.cpuMs.toFixed(1)} ms)`,
    );
    const stored = await storeFold(server, ['hot', 'wide']);
    console.log(
      `fold (store): the ${fmt(stored.rows)} ledger rows of run 1 (${fmt(stored.trades)} trades, two rows each, + grants and subsidies): read from SQLite ${stored.readMs.toFixed(0)} ms, folded into balances ${stored.foldMs.toFixed(1)} ms; Σ balances = Σ grants: ${stored.conserved}`,
    );
  } finally {
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (process.argv.includes('--load')) await runLoad();
else await main();
