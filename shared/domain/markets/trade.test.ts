import { describe, expect, it } from 'vitest';
import { type Minor, minor } from '../money.ts';
import { expectOk } from '../result.ts';
import { logPrices, sharesForSpend } from './lmsr.ts';
import { createMarket, type Market, marketProbabilities, type Resolution } from './market.ts';
import { emptyPosition, type Position } from './position.ts';
import { settlementAmounts } from './resolution.ts';
import { restoreMarket } from './restore.ts';
import { applyTrade, decideTrade, previewTrade, type TradeCommand, type Trader, validateTrade } from './trade.ts';

const m = (n: number): Minor => minor(n);
const NOW = 1_000;
const CLOSE = 10_000;

/** A binary market with b = 100 exactly (subsidy 6,932 ≥ 100·ln 2 units), for the check values. */
function b100(): Market {
  const created = expectOk(createMarket({ kind: 'binary', question: 'Check values market?', closeAt: CLOSE, subsidy: 6_932 }, {
    marketId: 'm1',
    entryId: 'e1',
    now: 0,
    creator: { userId: 'carol', role: 'member', balance: m(1_000_000) },
    correctionWindowMs: 0,
  })).market;
  return expectOk(restoreMarket(JSON.parse(JSON.stringify({ ...created, b: 100 }))));
}

const alice: Trader = { userId: 'alice', role: 'member', balance: m(100_000) };
const buy10: TradeCommand = { kind: 'buy-shares', outcome: 0, shares: 10, maxCost: m(513) };

describe('check values (b = 100, from (0,0)); money in minor units, 1 share pays 100', () => {
  const market = b100();
  const position = emptyPosition(market, 'alice');

  it('buying 10 YES costs 5.124948 units, charged 513 minor, and moves YES to 0.524979', () => {
    const fill = expectOk(validateTrade(market, position, alice, buy10, NOW));
    expect(fill.exactCost).toBeCloseTo(5.124948, 6);
    expect(fill.cash).toBe(513);
    const after = applyTrade(market, position, fill, { id: 't1', at: NOW });
    expect(marketProbabilities(after.market)[0]).toBeCloseTo(0.524979, 6);
    expect(after.market.cash).toBe(6_932 + 513);
    expect(after.position).toEqual({ marketId: 'm1', userId: 'alice', shares: [10, 0], spent: 513, received: 0 });
    expect(after.entry).toMatchObject({ kind: 'trade', from: 'user:alice', to: 'market:m1', amount: 513, trade: { outcome: 0, shares: 10 } });
  });

  it('spending 50 (5,000 minor) on YES buys 83.179657 shares and charges exactly 5,000', () => {
    const fill = expectOk(validateTrade(market, position, alice, { kind: 'buy-amount', outcome: 0, amount: m(5_000), minShares: 83 }, NOW));
    expect(fill.shares).toBeCloseTo(83.179657, 6);
    expect(fill.cash).toBe(5_000);
  });

  it('selling the 10 shares back returns 512 (proceeds round down): the round trip costs one minor unit', () => {
    const bought = applyTrade(market, position, expectOk(validateTrade(market, position, alice, buy10, NOW)), { id: 't1', at: NOW });
    const sell = expectOk(validateTrade(bought.market, bought.position, { ...alice, balance: m(100_000 - 513) }, { kind: 'sell-shares', outcome: 0, shares: 10, minProceeds: m(0) }, NOW));
    expect(sell.exactCost).toBeCloseTo(5.124948, 6);
    expect(sell.cash).toBe(512);
    const sold = applyTrade(bought.market, bought.position, sell, { id: 't2', at: NOW });
    expect(sold.market.q).toEqual([0, 0]);
    expect(sold.position.shares).toEqual([0, 0]);
    expect(sold.market.cash).toBe(6_932 + 1);
    expect(sold.market.volume).toBe(513 + 512);
    expect(sold.entry).toMatchObject({ from: 'market:m1', to: 'user:alice', amount: 512, trade: { outcome: 0, shares: -10 } });
  });
});

describe('validateTrade rejections, each with its code', () => {
  const market = b100();
  const empty = emptyPosition(market, 'alice');
  const holding: Position = { ...empty, shares: [10, 0], spent: m(513) };
  const resolved: Market = { ...market, cash: m(0), settlement: { resolution: { kind: 'na' }, resolvedAt: 5, resolvedBy: 'carol', firstResolvedAt: 5, revision: 1, paid: {}, leftover: m(6_932), cashBefore: m(6_932) } };
  it.each<[string, Partial<{ market: Market; position: Position; trader: Trader; now: number }>, TradeCommand]>([
    ['not-a-member', { trader: { ...alice, role: null } }, buy10],
    ['market-resolved', { market: resolved }, buy10],
    ['market-closed', { now: CLOSE }, buy10],
    ['invalid-outcome', {}, { ...buy10, outcome: 2 }],
    ['invalid-outcome', {}, { ...buy10, outcome: -1 }],
    ['invalid-amount', {}, { ...buy10, shares: 0 }],
    ['invalid-amount', {}, { ...buy10, shares: -3 }],
    ['invalid-amount', {}, { ...buy10, shares: Number.NaN }],
    ['invalid-amount', {}, { ...buy10, shares: 1e13 }],
    ['invalid-amount', {}, { ...buy10, maxCost: m(-1) }],
    ['invalid-amount', {}, { kind: 'buy-amount', outcome: 0, amount: m(0), minShares: 0 }],
    ['invalid-amount', {}, { kind: 'buy-amount', outcome: 0, amount: m(5), minShares: -1 }],
    ['invalid-amount', {}, { kind: 'sell-shares', outcome: 0, shares: Infinity, minProceeds: m(0) }],
    ['balance-negative', { trader: { ...alice, balance: m(-1) } }, buy10],
    ['insufficient-balance', { trader: { ...alice, balance: m(512) } }, buy10],
    ['insufficient-balance', { trader: { ...alice, balance: m(4_999) } }, { kind: 'buy-amount', outcome: 1, amount: m(5_000), minShares: 0 }],
    ['slippage', {}, { ...buy10, maxCost: m(512) }],
    ['slippage', {}, { kind: 'buy-amount', outcome: 0, amount: m(5_000), minShares: 83.18 }],
    ['slippage', { position: holding }, { kind: 'sell-shares', outcome: 0, shares: 10, minProceeds: m(513) }],
    ['insufficient-shares', {}, { kind: 'sell-shares', outcome: 0, shares: 1, minProceeds: m(0) }],
    ['insufficient-shares', { position: holding }, { kind: 'sell-shares', outcome: 0, shares: 10.001, minProceeds: m(0) }],
    ['insufficient-shares', { position: holding }, { kind: 'sell-shares', outcome: 1, shares: 1, minProceeds: m(0) }],
  ])('%s (case %#)', (code, overrides, command) => {
    const o = { market, position: empty, trader: alice, now: NOW, ...overrides };
    const result = validateTrade(o.market, o.position, o.trader, command, o.now);
    expect(result.ok ? 'ok' : result.error.code).toBe(code);
  });

  it('lets a member whose balance is below zero sell (a sale can only help the balance recover)', () => {
    const fill = expectOk(validateTrade(market, holding, { ...alice, balance: m(-4_000) }, { kind: 'sell-shares', outcome: 0, shares: 4, minProceeds: m(0) }, NOW));
    expect(fill.side).toBe('sell');
    expect(fill.cash).toBeGreaterThan(0);
  });

  it('sells the exact holding when asked for it up to float noise, leaving exactly 0', () => {
    // What spending 5,000 buys from (0,0): selling it all returns exactly 5,000.
    const held = sharesForSpend(logPrices([0, 0], 100), 0, 50, 100);
    const position: Position = { ...empty, shares: [held, 0], spent: m(5_000) };
    const state: Market = { ...market, q: [held, 0] };
    const fill = expectOk(validateTrade(state, position, alice, { kind: 'sell-shares', outcome: 0, shares: held * (1 + 1e-12), minProceeds: m(0) }, NOW));
    expect(fill.shares).toBe(held);
    const after = applyTrade(state, position, fill, { id: 't', at: NOW });
    expect(after.position.shares[0]).toBe(0);
    expect(after.market.q[0]).toBe(0);
    expect(fill.cash).toBe(5_000);
  });

  it('throws on a position of another trader (programmer error)', () => {
    expect(() => validateTrade(market, emptyPosition(market, 'bob'), alice, buy10, NOW)).toThrow();
  });
});

describe('applyTrade refuses stale fills, previewTrade runs the same path, decideTrade parses', () => {
  const market = b100();
  const position = emptyPosition(market, 'alice');

  it('a fill priced at another state throws instead of applying at the wrong price', () => {
    const fill = expectOk(validateTrade(market, position, alice, buy10, NOW));
    const moved = applyTrade(market, position, fill, { id: 't1', at: NOW });
    expect(() => applyTrade(moved.market, moved.position, fill, { id: 't2', at: NOW })).toThrow(/another market state/);
  });

  it('the preview shows what applying does: shares, cost, average price, probabilities, payouts, balance', () => {
    const preview = expectOk(previewTrade(market, position, buy10, { trader: alice, now: NOW }));
    const decided = expectOk(decideTrade({ market, position, trader: alice, command: buy10, now: NOW, entryId: 't1' }));
    expect(preview.fill).toEqual(decided.fill);
    expect(preview.positionAfter).toEqual(decided.position);
    expect(preview.probabilitiesAfter).toEqual(marketProbabilities(decided.market));
    expect(preview.probabilitiesBefore).toEqual([0.5, 0.5]);
    expect(preview).toMatchObject({ cost: 513, shares: 10, averagePrice: 0.513, maxPayout: 1_000, payoutIfWins: 1_000, balanceAfter: 100_000 - 513 });
  });

  it('a sale preview reports proceeds and adds them to the balance', () => {
    const holding: Position = { ...position, shares: [10, 0], spent: m(513) };
    const preview = expectOk(previewTrade({ ...market, q: [10, 0] }, holding, { kind: 'sell-shares', outcome: 0, shares: 4, minProceeds: m(0) }, { trader: alice, now: NOW }));
    expect(preview.maxPayout).toBe(0);
    expect(preview.payoutIfWins).toBe(600);
    expect(preview.balanceAfter).toBe(100_000 + preview.cost);
    expect(preview.probabilitiesAfter[0]).toBeLessThan(preview.probabilitiesBefore[0]!);
  });

  it('the preview refuses with the same code as the referee', () => {
    const preview = previewTrade(market, position, buy10, { trader: { ...alice, balance: m(10) }, now: NOW });
    expect(preview.ok ? 'ok' : preview.error.code).toBe('insufficient-balance');
  });

  it.each([null, { kind: 'buy-shares', outcome: 0, shares: 1 }, { ...buy10, maxCost: 1.5 }, { ...buy10, outcome: 0.5 }, { ...buy10, extra: 1 }, { ...buy10, shares: '10' }])(
    'decideTrade answers malformed for %j',
    (command) => {
      const decided = decideTrade({ market, position, trader: alice, command, now: NOW, entryId: 't1' });
      expect(decided.ok ? 'ok' : decided.error.code).toBe('malformed');
    },
  );

  it('a market after trades round-trips through JSON', () => {
    let state = market;
    let pos = position;
    for (const [i, command] of ([buy10, { kind: 'buy-amount', outcome: 1, amount: m(777), minShares: 0 }, { kind: 'sell-shares', outcome: 0, shares: 3.3, minProceeds: m(0) }] as const).entries()) {
      const decided = expectOk(decideTrade({ market: state, position: pos, trader: alice, command, now: NOW, entryId: `t${i}` }));
      state = decided.market;
      pos = decided.position;
    }
    expect(state.tradeCount).toBe(3);
    expect(restoreMarket(JSON.parse(JSON.stringify(state)))).toEqual({ ok: true, value: state });
  });
});

describe('extreme trades through the referee path (b = 100, q to 10⁷·b)', () => {
  it('buys 10⁹ shares, keeps prices sane, buys the near-free side, and every settlement fits the cash', () => {
    const market = b100();
    const rich: Trader = { userId: 'alice', role: 'member', balance: m(200_000_000_000) };
    // mpmath: C(10⁹, 0) − C(0, 0) = 999,999,930.685281 units = 99,999,993,068.53 minor.
    const big = expectOk(decideTrade({ market, position: emptyPosition(market, 'alice'), trader: rich, command: { kind: 'buy-shares', outcome: 0, shares: 1e9, maxCost: m(200_000_000_000) }, now: NOW, entryId: 't1' }));
    expect(big.fill.cash).toBe(99_999_993_069);
    const [yes, no] = marketProbabilities(big.market);
    expect(yes).toBe(1);
    expect(no).toBe(0);
    // One minor unit on NO buys ≈ b·(10⁷ + ln(e^{10⁻⁴} − 1)) shares (mpmath: 999,999,078.970963).
    const bob: Trader = { userId: 'bob', role: 'member', balance: m(1) };
    const cheap = expectOk(decideTrade({ market: big.market, position: emptyPosition(market, 'bob'), trader: bob, command: { kind: 'buy-amount', outcome: 1, amount: m(1), minShares: 0 }, now: NOW, entryId: 't2' }));
    expect(cheap.fill.shares / 999_999_078.970963).toBeCloseTo(1, 9);
    const probabilities = marketProbabilities(cheap.market);
    expect(probabilities.every((p) => Number.isFinite(p) && p >= 0 && p <= 1)).toBe(true);
    expect(Math.abs(probabilities[0]! + probabilities[1]! - 1)).toBeLessThanOrEqual(1e-12);
    // Above ~5·10⁸ minor the 1e-9 relative tolerance spans half a unit, so rounding there is to nearest.
    const back = expectOk(validateTrade(big.market, big.position, { ...rich, balance: m(200_000_000_000 - big.fill.cash) }, { kind: 'sell-shares', outcome: 0, shares: 1e9, minProceeds: m(0) }, NOW));
    expect(back.cash).toBe(99_999_993_069);
    expect(JSON.parse(JSON.stringify(cheap.market))).toEqual(cheap.market);
    const resolutions: Resolution[] = [{ kind: 'outcome', outcome: 0 }, { kind: 'outcome', outcome: 1 }, { kind: 'probability', probability: 0.5 }, { kind: 'na' }];
    for (const resolution of resolutions) {
      const amounts = settlementAmounts(cheap.market, [big.position, cheap.position], resolution, cheap.market.cash);
      expect(amounts.scaled).toBe(false);
      expect(amounts.leftover).toBeGreaterThanOrEqual(0);
    }
  });
});
