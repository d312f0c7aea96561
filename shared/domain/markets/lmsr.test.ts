import { describe, expect, it } from 'vitest';
import {
  buyCost,
  costFunction,
  liquidityForSubsidy,
  logPrices,
  logSumExp,
  openingOffset,
  pricesFromLogPrices,
  sellProceeds,
  sharesForSpend,
  vectorTradeCost,
  worstCaseLoss,
} from './lmsr.ts';

const b = 100;
const flat = logPrices([0, 0], b);

/** Prices must be finite, in [0, 1], and sum to 1 within 1e-12. */
function expectSane(lp: readonly number[]): void {
  const p = pricesFromLogPrices(lp);
  for (const [i, pi] of p.entries()) {
    expect(Number.isFinite(lp[i]!), `log-price ${i}`).toBe(true);
    expect(pi).toBeGreaterThanOrEqual(0);
    expect(pi).toBeLessThanOrEqual(1);
  }
  expect(Math.abs(p.reduce((a, x) => a + x, 0) - 1)).toBeLessThanOrEqual(1e-12);
}

describe('LMSR vectors (notes §4.1, b = 100, independently recomputed with mpmath at 50 digits)', () => {
  it('L1: C(0,0) = b ln 2 = 69.314718', () => {
    expect(costFunction([0, 0], b)).toBeCloseTo(69.314718, 6);
  });

  it('L2: buying 10 YES from (0,0) costs 5.124948 and moves YES to 0.524979', () => {
    expect(buyCost(flat, 0, 10, b)).toBeCloseTo(5.124948, 6);
    expect(Math.exp(logPrices([10, 0], b)[0]!)).toBeCloseTo(0.524979, 6);
  });

  it('L6: spending 50 on YES from (0,0) buys 83.179657 shares and moves YES to 0.696735', () => {
    const shares = sharesForSpend(flat, 0, 50, b);
    expect(shares).toBeCloseTo(83.179657, 6);
    expect(Math.exp(logPrices([shares, 0], b)[0]!)).toBeCloseTo(0.696735, 6);
  });

  it('L9: b = 1, q = (1000, 0): the naive cost overflows, the stable one is 1000', () => {
    const naive = 1 * Math.log(Math.exp(1000) + Math.exp(0));
    expect(naive).toBe(Infinity);
    expect(costFunction([1000, 0], 1)).toBe(1000);
    expectSane(logPrices([1000, 0], 1));
  });

  it('L10: a complete set of 10 shares costs exactly 10', () => {
    expect(vectorTradeCost(flat, [10, 10], b)).toBeCloseTo(10, 12);
    const skewed = logPrices([250, -40, 3], b);
    expect(vectorTradeCost(skewed, [10, 10, 10], b)).toBeCloseTo(10, 12);
  });

  it('L11: +30 A, +20 B, −10 A costs 20.000000 in total = C(20,20) − C(0,0)', () => {
    let q = [0, 0];
    let total = buyCost(logPrices(q, b), 0, 30, b);
    q = [30, 0];
    total += buyCost(logPrices(q, b), 1, 20, b);
    q = [30, 20];
    total -= sellProceeds(logPrices(q, b), 0, 10, b);
    expect(total).toBeCloseTo(20, 9);
    expect(costFunction([20, 20], b) - costFunction([0, 0], b)).toBeCloseTo(20, 9);
  });
});

describe('single-outcome forms agree with the general trade vector and with each other', () => {
  const states: number[][] = [
    [0, 0],
    [350, -20],
    [-500, 40, 12],
    [0, 0, 0, 0, 0],
  ];
  it.each(states)('state %#', (...q: number[]) => {
    const lp = logPrices(q, b);
    for (let i = 0; i < q.length; i++) {
      for (const shares of [1e-6, 0.5, 17, 400]) {
        const delta = q.map((_, j) => (j === i ? shares : 0));
        expect(buyCost(lp, i, shares, b)).toBeCloseTo(vectorTradeCost(lp, delta, b), 9);
        expect(sellProceeds(lp, i, shares, b)).toBeCloseTo(-vectorTradeCost(lp, delta.map((d) => -d), b), 9);
        // Buy by amount is the exact inverse of buy by shares.
        const cost = buyCost(lp, i, shares, b);
        expect(sharesForSpend(lp, i, cost, b) / shares).toBeCloseTo(1, 11);
        // Selling what was just bought returns the cost.
        const after = logPrices(q.map((qj, j) => (j === i ? qj + shares : qj)), b);
        expect(sellProceeds(after, i, shares, b) / cost).toBeCloseTo(1, 11);
      }
    }
  });

  it('keeps tiny trades accurate where a difference of costs would lose every digit', () => {
    const lp = logPrices([0, 0], b);
    // Price 0.5: a tiny purchase costs half its shares.
    expect(buyCost(lp, 0, 1e-9, b) / 0.5e-9).toBeCloseTo(1, 8);
    expect(sellProceeds(lp, 0, 1e-9, b) / 0.5e-9).toBeCloseTo(1, 8);
    const naive = costFunction([1e-9, 0], b) - costFunction([0, 0], b);
    expect(Math.abs(naive / 0.5e-9 - 1)).toBeGreaterThan(1e-8);
  });

  it('sells a near-certain outcome where 1 − p rounds to 0: proceeds b·(10⁴ − ln 2)', () => {
    const lp = logPrices([1e4 * b, 0], b);
    expect(Math.exp(lp[0]!)).toBe(1);
    const proceeds = sellProceeds(lp, 0, 1e4 * b, b);
    expect(proceeds).toBeCloseTo(b * (1e4 - Math.LN2), 6);
  });

  it('returns 0 for no trade and throws on an outcome out of range', () => {
    expect(buyCost(flat, 0, 0, b)).toBe(0);
    expect(sellProceeds(flat, 1, 0, b)).toBe(0);
    expect(sharesForSpend(flat, 1, 0, b)).toBe(0);
    expect(() => buyCost(flat, 2, 1, b)).toThrow(RangeError);
    expect(() => vectorTradeCost(flat, [1], b)).toThrow(RangeError);
  });
});

describe('extreme states: q up to 10⁷·b', () => {
  const extremes = [1e7, -1e7, 5e6, 1, 0, -3, 1e-300];
  it('two outcomes: every mix of extremes stays finite, in [0, 1], summing to 1 ± 1e-12', () => {
    for (const x of extremes) {
      for (const y of extremes) {
        const lp = logPrices([x * b, y * b], b);
        expectSane(lp);
        expect(Number.isFinite(costFunction([x * b, y * b], b))).toBe(true);
        for (const i of [0, 1]) {
          for (const shares of [1e-6, 1, 1e7 * b]) {
            expect(Number.isFinite(buyCost(lp, i, shares, b))).toBe(true);
            expect(Number.isFinite(sellProceeds(lp, i, shares, b))).toBe(true);
            expect(Number.isFinite(sharesForSpend(lp, i, shares, b))).toBe(true);
          }
        }
      }
    }
  });

  it('twenty outcomes with q spread over ±10⁷·b', () => {
    const q = Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? 1 : -1) * i * 5e5 * b);
    const lp = logPrices(q, b);
    expectSane(lp);
    const spread = Array.from({ length: 20 }, (_, i) => Math.sin(i) * 1e7 * b);
    expectSane(logPrices(spread, b));
    const ties = Array.from({ length: 20 }, () => 1e7 * b);
    const tiedPrices = pricesFromLogPrices(logPrices(ties, b));
    for (const p of tiedPrices) expect(p).toBeCloseTo(1 / 20, 14);
  });

  it('buying 10⁷·b shares of one outcome in a binary market costs ≈ 10⁹ − b ln 2 and leaves sane prices', () => {
    const cost = buyCost(flat, 0, 1e7 * b, b);
    expect(cost).toBeCloseTo(1e9 - b * Math.LN2, 3);
    const lp = logPrices([1e7 * b, 0], b);
    expectSane(lp);
    expect(lp[1]).toBeCloseTo(-1e7, 3);
  });

  it('logSumExp handles −∞ and empty input', () => {
    expect(logSumExp([])).toBe(-Infinity);
    expect(logSumExp([-Infinity, -Infinity])).toBe(-Infinity);
    expect(logSumExp([-Infinity, 0])).toBe(0);
  });
});

describe('subsidy, liquidity and opening prices', () => {
  it('b = S / ln n for uniform opening prices (notes: 144.27 for n = 2, 91.02 for n = 3)', () => {
    expect(liquidityForSubsidy(100, [0.5, 0.5])).toBeCloseTo(144.27, 2);
    expect(liquidityForSubsidy(100, [1 / 3, 1 / 3, 1 / 3])).toBeCloseTo(91.02, 2);
  });

  it('the offset opens the market at the chosen prices and bounds the loss by S', () => {
    const opening = [0.7, 0.2, 0.1];
    const bb = liquidityForSubsidy(50, opening);
    expect(bb).toBeCloseTo(50 / Math.log(10), 12);
    const lp = logPrices(openingOffset(opening, bb), bb);
    pricesFromLogPrices(lp).forEach((p, i) => expect(p).toBeCloseTo(opening[i]!, 14));
    expect(worstCaseLoss(opening, bb)).toBeCloseTo(50, 12);
    // C(o) = b·ln Σ p⁰ = 0: the empty market costs nothing.
    expect(costFunction(openingOffset(opening, bb), bb)).toBeCloseTo(0, 12);
  });

  it('refuses opening prices outside (0, 1)', () => {
    expect(() => liquidityForSubsidy(10, [1, 0])).toThrow(RangeError);
  });
});
