/**
 * Prediction-market benchmark (prints numbers; not a test):
 *   1. fold a 100,000-trade ledger into balances and positions (goal ≤ 300 ms);
 *   2. referee throughput: decideTrade (parse + validate + apply) and validateTrade + applyTrade,
 *      in trades/s, on one market and spread over 100 markets.
 * Medians of several runs. Deterministic inputs (a seeded generator), so runs are comparable.
 *
 *   npx node bench/markets-fold.ts
 */
import { loadavg } from 'node:os';
import { minor, type Minor } from '../shared/domain/money.ts';
import { expectOk } from '../shared/domain/result.ts';
import {
  applyTrade,
  createMarket,
  decideTrade,
  emptyPosition,
  foldBalances,
  foldPositions,
  grantEntry,
  type LedgerEntry,
  type Market,
  type MarketSetup,
  type Position,
  positionKey,
  type TradeCommand,
  type Trader,
  userAccount,
  validateTrade,
} from '../shared/domain/markets/index.ts';

const TRADES = 100_000;
const USERS = 1_000;
const RUNS = 7;

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

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function openMarkets(count: number): Market[] {
  return Array.from({ length: count }, (_, i) => {
    const setup: MarketSetup =
      i % 2 === 0
        ? { kind: 'binary', question: `Binary market number ${i}?`, closeAt: 1e15, subsidy: 100_000 }
        : { kind: 'multiple-choice', question: `Choice market number ${i}?`, closeAt: 1e15, subsidy: 100_000, options: ['A', 'B', 'C', 'D', 'E'] };
    const creator = { userId: 'maker', role: 'member' as const, balance: minor(1e12) };
    return expectOk(createMarket(setup, { marketId: `m${i}`, entryId: `s${i}`, now: 0, creator, correctionWindowMs: 0 })).market;
  });
}

/** A trade command for the current state: mostly buys, some sells of what the trader holds. */
function nextCommand(random: () => number, market: Market, position: Position): TradeCommand {
  const outcome = Math.floor(random() * market.outcomes.length);
  const roll = random();
  const held = position.shares[outcome] ?? 0;
  if (roll < 0.3 && held > 0) return { kind: 'sell-shares', outcome, shares: held * (0.2 + 0.8 * random()), minProceeds: minor(0) };
  if (roll < 0.65) return { kind: 'buy-shares', outcome, shares: 1 + random() * 50, maxCost: minor(1e12) };
  return { kind: 'buy-amount', outcome, amount: minor(100 + Math.floor(random() * 5_000)), minShares: 0 };
}

interface Referee {
  markets: Market[];
  positions: Map<string, Position>;
  balances: Map<string, Minor>;
  ledger: LedgerEntry[];
}

function newReferee(marketCount: number): Referee {
  const ref: Referee = { markets: openMarkets(marketCount), positions: new Map(), balances: new Map(), ledger: [] };
  for (let u = 0; u < USERS; u++) {
    const grant = grantEntry(`g${u}`, `u${u}`, minor(1e10), 0);
    ref.ledger.push(grant);
    ref.balances.set(`u${u}`, grant.amount);
  }
  return ref;
}

/**
 * Runs `count` trades the way the referee will: load market, position and balance, decide,
 * store. `mode` picks the full decideTrade (with zod parsing) or validate + apply on typed input.
 */
function runTrades(ref: Referee, count: number, seed: number, mode: 'decide' | 'validate+apply'): number {
  const random = rng(seed);
  let ok = 0;
  const start = performance.now();
  for (let i = 0; i < count; i++) {
    const mi = Math.floor(random() * ref.markets.length);
    const market = ref.markets[mi]!;
    const userId = `u${Math.floor(random() * USERS)}`;
    const key = `${market.id}|${userId}`;
    const position = ref.positions.get(key) ?? emptyPosition(market, userId);
    const trader: Trader = { userId, role: 'member', balance: ref.balances.get(userId) ?? minor(0) };
    const command = nextCommand(random, market, position);
    let next: { market: Market; position: Position; entry: LedgerEntry } | null = null;
    if (mode === 'decide') {
      const decided = decideTrade({ market, position, trader, command, now: i, entryId: `t${i}` });
      if (decided.ok) next = decided.value;
    } else {
      const fill = validateTrade(market, position, trader, command, i);
      if (fill.ok) next = applyTrade(market, position, fill.value, { id: `t${i}`, at: i });
    }
    if (next === null) continue;
    ok++;
    ref.markets[mi] = next.market;
    ref.positions.set(key, next.position);
    const delta = next.entry.to === userAccount(userId) ? next.entry.amount : -next.entry.amount;
    ref.balances.set(userId, minor(trader.balance + delta));
    ref.ledger.push(next.entry);
  }
  const ms = performance.now() - start;
  if (ok < count * 0.95) throw new Error(`only ${ok} of ${count} trades went through`);
  return ms;
}

function throughput(marketCount: number, mode: 'decide' | 'validate+apply'): { ms: number; perSecond: number } {
  const times: number[] = [];
  for (let r = 0; r < RUNS; r++) times.push(runTrades(newReferee(marketCount), TRADES, 42 + r, mode));
  const ms = median(times);
  return { ms, perSecond: (TRADES / ms) * 1000 };
}

function foldBench(): { ms: number; entries: number; check: boolean } {
  const ref = newReferee(100);
  runTrades(ref, TRADES, 7, 'validate+apply');
  const outcomes = new Map(ref.markets.map((m) => [m.id, m.outcomes.length]));
  const times: number[] = [];
  let check = true;
  for (let r = 0; r < RUNS + 1; r++) {
    const start = performance.now();
    const balances = foldBalances(ref.ledger);
    const positions = foldPositions(ref.ledger, (id) => outcomes.get(id) ?? 0);
    if (r > 0) times.push(performance.now() - start); // run 0 warms the JIT up
    // Folding must reproduce the incrementally kept state (checked outside the timing).
    for (const [userId, amount] of ref.balances) check &&= balances.get(userAccount(userId)) === amount;
    check &&= positions.size === ref.positions.size;
    for (const [key, p] of ref.positions) check &&= JSON.stringify(positions.get(positionKey(p.marketId, p.userId))) === JSON.stringify(p) && key.length > 0;
  }
  return { ms: median(times), entries: ref.ledger.length, check };
}

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');

console.log(`Node ${process.version}, ${RUNS} runs each (after one warm-up for the fold), medians; load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
const fold = foldBench();
console.log(`fold ${fmt(fold.entries)} ledger entries (${fmt(TRADES)} trades + grants) into balances + positions: ${fold.ms.toFixed(1)} ms (goal ≤ 300 ms)${fold.check ? '' : '  MISMATCH'}`);
for (const markets of [1, 100]) {
  for (const mode of ['decide', 'validate+apply'] as const) {
    const { ms, perSecond } = throughput(markets, mode);
    console.log(`${mode.padEnd(15)} ${String(markets).padStart(3)} market(s): ${fmt(TRADES)} trades in ${ms.toFixed(0)} ms = ${fmt(perSecond)} trades/s`);
  }
}
