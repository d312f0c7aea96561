import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { createMarket, emptyPosition } from '../../domain/markets/index.ts';
import { minor } from '../../domain/money.ts';
import { expectOk } from '../../domain/result.ts';
import {
  MARKET_MAP,
  MARKET_POSITIONS,
  MARKET_STATE_KEY,
  pointsToDrop,
  rankLeaders,
  readMarketState,
  readPositions,
  readTradeRecord,
  realizedProfit,
  ResolvePayloadSchema,
  seqKey,
  TradePayloadSchema,
  tradesToArchive,
} from './markets.ts';

describe('markets layout', () => {
  it('seqKey sorts like the numbers it encodes', () => {
    const keys = [10, 2, 300, 0, 1_000_000].map(seqKey);
    expect([...keys].sort()).toEqual([0, 2, 10, 300, 1_000_000].map(seqKey));
  });

  it('pointsToDrop keeps every recent point, point 0, and a logarithmic number of older ones', () => {
    const kept = new Set<number>();
    for (let n = 0; n <= 100_000; n++) {
      kept.add(n);
      for (const p of pointsToDrop(n, 100)) {
        expect(kept.has(p), `point ${p} dropped twice (at ${n})`).toBe(true);
        kept.delete(p);
      }
      if (n % 997 === 0) for (let p = Math.max(0, n - 99); p <= n; p++) expect(kept.has(p)).toBe(true);
    }
    expect(kept.has(0)).toBe(true);
    // window + window/2 · log2(n / window) ≈ 100 + 50 · 10 = 600
    expect(kept.size).toBeGreaterThan(400);
    expect(kept.size).toBeLessThan(700);
    // The spacing only grows going back in time.
    const sorted = [...kept].sort((a, b) => a - b);
    const gaps = sorted.slice(1).map((p, i) => p - sorted[i]!);
    for (let i = 1; i < gaps.length; i++) expect(gaps[i]!).toBeLessThanOrEqual(gaps[i - 1]!);
  });

  it.each([
    [249, null],
    [250, { from: 1, to: 50 }],
    [251, null],
    [300, { from: 51, to: 100 }],
    [1_000, { from: 751, to: 800 }],
  ])('tradesToArchive after trade %i: %j (the tail holds 200–250 trades)', (seq, batch) => {
    expect(tradesToArchive(seq)).toEqual(batch);
  });

  it('ranks leaders by profit with shared ranks for ties', () => {
    const row = (userId: string, profit: number) => ({ v: 1 as const, userId, name: userId, profit, granted: 0, updatedAt: 0 });
    expect(rankLeaders([row('b', 5), row('a', 5), row('c', 9), row('d', -1)]).map((r) => [r.rank, r.userId])).toEqual([
      [1, 'c'],
      [2, 'a'],
      [2, 'b'],
      [4, 'd'],
    ]);
  });

  it('realized profit counts open cost and locked subsidy as still owned', () => {
    expect(realizedProfit({ balance: 80_000, granted: 100_000, invested: 15_000, lockedSubsidy: 5_000 })).toBe(0);
  });

  it.each([
    [{ market: 'm1', command: { kind: 'buy-shares', outcome: 0, shares: 1, maxCost: 100 } }, true],
    [{ market: 'm1', command: { kind: 'buy-shares', outcome: 0, shares: 1, maxCost: 1.5 } }, false],
    [{ market: 'm/1', command: { kind: 'buy-amount', outcome: 0, amount: 1, minShares: 0 } }, false],
    [{ market: 'm1', command: { kind: 'sell-shares', outcome: 0, shares: 1, minProceeds: 0 }, extra: 1 }, false],
  ])('trade payload %j parses: %s', (payload, good) => {
    expect(TradePayloadSchema.safeParse(payload).success).toBe(good);
  });

  it.each([
    [{ market: 'm1', resolution: { kind: 'na' } }, true],
    [{ market: 'm1', resolution: { kind: 'probability', probability: 0.25 } }, true],
    [{ market: 'm1', resolution: { kind: 'probability', probability: 2 } }, false],
    [{ market: 'm1', resolution: { kind: 'outcome' } }, false],
  ])('resolution payload %j parses: %s', (payload, good) => {
    expect(ResolvePayloadSchema.safeParse(payload).success).toBe(good);
  });

  it('reads a market room back through the domain, skipping positions that do not fit', () => {
    const doc = new Y.Doc();
    expect(readMarketState(doc)).toBeNull();
    const { market } = expectOk(
      createMarket({ kind: 'binary', question: 'Will it parse?', closeAt: 10, subsidy: 1_000 }, { marketId: 'm1', entryId: 'e', now: 0, creator: { userId: 'c', role: 'member', balance: minor(5_000) }, correctionWindowMs: 0 }),
    );
    doc.getMap(MARKET_MAP).set(MARKET_STATE_KEY, JSON.parse(JSON.stringify(market)));
    expect(expectOk(readMarketState(doc)!)).toEqual(market);
    doc.getMap(MARKET_POSITIONS).set('u1', emptyPosition(market, 'u1'));
    doc.getMap(MARKET_POSITIONS).set('u2', emptyPosition(market, 'someone-else'));
    doc.getMap(MARKET_POSITIONS).set('u3', { ...emptyPosition(market, 'u3'), shares: [1] });
    expect(readPositions(doc, market)).toEqual({ positions: [emptyPosition(market, 'u1')], invalid: ['u2', 'u3'] });
    doc.getMap(MARKET_MAP).set(MARKET_STATE_KEY, { ...market, cash: -1 });
    expect(readMarketState(doc)).toMatchObject({ ok: false, error: { code: 'invalid-state' } });
  });

  it('trade records are strict', () => {
    const trade = { v: 1, id: 'u:i1', marketId: 'm1', userId: 'u', userName: 'U', at: 1, seq: 1, kind: 'buy-amount', side: 'buy', outcome: 0, shares: 2, cash: 100, probabilities: [0.6, 0.4] };
    expect(readTradeRecord(trade).ok).toBe(true);
    expect(readTradeRecord({ ...trade, v: 2 }).ok).toBe(false);
    expect(readTradeRecord({ ...trade, cash: 0.5 }).ok).toBe(false);
    expect(readTradeRecord({ ...trade, html: '<b>' }).ok).toBe(false);
  });
});
