/**
 * Property tests over random markets and random trade sequences, through the same referee path
 * as the server (the in-memory book calls decideTrade, resolveMarket, correctResolution).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { minor } from '../money.ts';
import { expectOk } from '../result.ts';
import { correctionEntry, foldBalances, marketAccount, postEntry, totalGranted, userAccount } from './ledger.ts';
import { buyCost, costFunction, logPrices, openingOffset, pricesFromLogPrices, sellProceeds, vectorTradeCost } from './lmsr.ts';
import { lmsrState, type MarketSetup, marketProbabilities, type Resolution } from './market.ts';
import { foldPositions, positionKey } from './position.ts';
import { settlementAmounts } from './resolution.ts';
import { unitsFromMinor } from './rounding.ts';
import { balance, type Book, correct, create, join, market, newBook, position, positionsOf, resolve, totalMoney, trade } from './test-support/book.ts';
import type { TradeFill } from './trade.ts';

const TRADERS = ['ann', 'ben', 'cat', 'dan'] as const;
const GRANT = 10_000_000;

const setupArb: fc.Arbitrary<MarketSetup> = fc.oneof(
  fc.record({ p: fc.double({ min: 0.01, max: 0.99, noNaN: true }), subsidy: fc.integer({ min: 100, max: 1_000_000 }) }).map(
    ({ p, subsidy }): MarketSetup => ({ kind: 'binary', question: 'Random binary market?', closeAt: 1e12, subsidy, openingProbability: p }),
  ),
  fc
    .record({ weights: fc.array(fc.double({ min: 0.02, max: 1, noNaN: true }), { minLength: 2, maxLength: 20 }), subsidy: fc.integer({ min: 100, max: 1_000_000 }) })
    .map(({ weights, subsidy }): MarketSetup => {
      const sum = weights.reduce((a, w) => a + w, 0);
      return { kind: 'multiple-choice', question: 'Random choice market?', closeAt: 1e12, subsidy, options: weights.map((_, i) => `Option ${i}`), openingProbabilities: weights.map((w) => w / sum) };
    }),
);

/** A random step: a trade sized on a log scale relative to b, or an admin correction. */
const stepArb = fc.record({
  trader: fc.integer({ min: 0, max: TRADERS.length - 1 }),
  kind: fc.constantFrom('buy-shares', 'buy-amount', 'sell-shares', 'sell-shares', 'correction'),
  outcome: fc.nat(19),
  scale: fc.double({ min: -3, max: 2.5, noNaN: true }),
  fraction: fc.double({ min: 0.05, max: 1.1, noNaN: true }),
});
type Step = typeof stepArb extends fc.Arbitrary<infer T> ? T : never;

function commandFor(book: Book, id: string, step: Step): unknown {
  const m = market(book, id);
  const outcome = step.outcome % m.outcomes.length;
  const size = 10 ** step.scale * m.b;
  const userId = TRADERS[step.trader]!;
  switch (step.kind) {
    case 'buy-shares':
      return { kind: 'buy-shares', outcome, shares: size, maxCost: GRANT * 10 };
    case 'buy-amount':
      return { kind: 'buy-amount', outcome, amount: Math.max(1, Math.round(size * 100)), minShares: 0 };
    default:
      return { kind: 'sell-shares', outcome, shares: (position(book, id, userId).shares[outcome] ?? 0) * step.fraction || 1, minProceeds: 0 };
  }
}

function expectSanePrices(probabilities: readonly number[]): void {
  for (const p of probabilities) expect(p >= 0 && p <= 1 && Number.isFinite(p)).toBe(true);
  expect(Math.abs(probabilities.reduce((a, p) => a + p, 0) - 1)).toBeLessThanOrEqual(1e-12);
}

interface Run {
  book: Book;
  id: string;
  fills: TradeFill[];
}

/** Runs the steps, checking the per-step invariants as it goes. */
function run(setup: MarketSetup, steps: readonly Step[]): Run {
  const book = newBook();
  join(book, 'maker', GRANT);
  for (const t of TRADERS) join(book, t, GRANT);
  const id = expectOk(create(book, 'maker', setup, 0)).id;
  const fills: TradeFill[] = [];
  steps.forEach((step, i) => {
    const userId = TRADERS[step.trader]!;
    if (step.kind === 'correction') {
      // An admin moves money between two members; it may leave one below zero.
      const to = TRADERS[(step.trader + 1) % TRADERS.length]!;
      const entry = correctionEntry(`k${i}`, userAccount(userId), userAccount(to), minor(Math.round(10 ** (step.scale + 5))), i, 'test');
      postEntry(book.balances, entry);
      book.ledger.push(entry);
      return;
    }
    const wasNegative = balance(book, userId) < 0;
    const result = trade(book, userId, id, commandFor(book, id, step), i + 1);
    if (result.ok) fills.push(result.value.fill);
    if (wasNegative && step.kind !== 'sell-shares') expect(result.ok ? 'ok' : result.error.code).toBe('balance-negative');
    expectSanePrices(marketProbabilities(market(book, id)));
    expect(totalMoney(book)).toBe(totalGranted(book.ledger));
  });
  return { book, id, fills };
}

function resolutionsFor(kind: MarketSetup['kind'], n: number): Resolution[] {
  const all: Resolution[] = [{ kind: 'na' }, ...Array.from({ length: n }, (_, outcome): Resolution => ({ kind: 'outcome', outcome }))];
  if (kind === 'binary') all.push({ kind: 'probability', probability: 0.37 }, { kind: 'probability', probability: 1 });
  return all;
}

const settings = { numRuns: 150 };

describe('properties over random trade sequences', () => {
  it('prices sum to 1, money is conserved, and folding the ledger equals the referee’s incremental state', () => {
    fc.assert(
      fc.property(setupArb, fc.array(stepArb, { maxLength: 40 }), (setup, steps) => {
        const { book, id } = run(setup, steps);
        expect(foldBalances(book.ledger)).toEqual(book.balances);
        expect(book.balances.get(marketAccount(id))).toBe(market(book, id).cash);
        const folded = foldPositions(book.ledger, () => market(book, id).outcomes.length);
        for (const p of positionsOf(book, id)) expect(folded.get(positionKey(id, p.userId))).toEqual(p);
        expect(folded.size).toBe(positionsOf(book, id).length);
      }),
      settings,
    );
  });

  it('total cost is path-independent: Σ trade costs = C(q_end + o) − C(o), and rounding only favours the market', () => {
    fc.assert(
      fc.property(setupArb, fc.array(stepArb, { maxLength: 40 }), (setup, steps) => {
        const { book, id, fills } = run(setup, steps);
        const m = market(book, id);
        const signed = fills.map((f) => (f.side === 'buy' ? f.exactCost : -f.exactCost));
        const exact = costFunction(lmsrState(m), m.b) - costFunction(lmsrState(m, m.q.map(() => 0)), m.b);
        const scale = fills.reduce((a, f) => a + f.exactCost, 0) + m.b;
        expect(Math.abs(signed.reduce((a, c) => a + c, 0) - exact)).toBeLessThanOrEqual(1e-9 * scale);
        // Cash the market took in beyond the subsidy vs the exact LMSR amount (minor units).
        const surplus = m.cash - m.subsidy - exact * 100;
        expect(surplus).toBeGreaterThanOrEqual(-1e-7 * scale * 100);
        expect(surplus).toBeLessThanOrEqual(fills.length + 1e-7 * scale * 100);
      }),
      settings,
    );
  });

  it('the market maker never loses more than the subsidy: every resolution fits in the market’s cash', () => {
    fc.assert(
      fc.property(setupArb, fc.array(stepArb, { maxLength: 40 }), (setup, steps) => {
        const { book, id } = run(setup, steps);
        const m = market(book, id);
        for (const resolution of resolutionsFor(setup.kind, m.outcomes.length)) {
          const amounts = settlementAmounts(m, positionsOf(book, id), resolution, m.cash);
          expect(amounts.scaled).toBe(false);
          expect(amounts.leftover).toBeGreaterThanOrEqual(0);
          if (resolution.kind === 'na') expect(amounts.leftover).toBe(m.subsidy);
        }
      }),
      settings,
    );
  });

  it('a correction equals resolving right the first time: reversal is exact', () => {
    fc.assert(
      fc.property(setupArb, fc.array(stepArb, { maxLength: 30 }), fc.nat(), fc.nat(), (setup, steps, first, second) => {
        const options = resolutionsFor(setup.kind, setup.kind === 'binary' ? 2 : setup.options.length);
        const r1 = options[first % options.length]!;
        const r2 = options[second % options.length]!;
        const corrected = run(setup, steps);
        const direct = run(setup, steps);
        expectOk(resolve(corrected.book, 'maker', corrected.id, r1, 1e12));
        const fixed = correct(corrected.book, 'maker', corrected.id, r2, 1e12 + 1);
        expectOk(resolve(direct.book, 'maker', direct.id, r2, 1e12));
        if (JSON.stringify(r1) === JSON.stringify(r2)) {
          expect(fixed.ok ? 'ok' : fixed.error.code).toBe('unchanged');
        } else {
          expect(fixed.ok).toBe(true);
        }
        expect(corrected.book.balances).toEqual(direct.book.balances);
        expect(totalMoney(corrected.book)).toBe(totalGranted(corrected.book.ledger));
        expect(foldBalances(corrected.book.ledger)).toEqual(corrected.book.balances);
      }),
      { numRuns: 100 },
    );
  });

  it('buying then selling the same shares returns the state and the money, up to one minor unit', () => {
    fc.assert(
      fc.property(setupArb, fc.array(stepArb, { maxLength: 15 }), fc.nat(19), fc.double({ min: -4, max: 2, noNaN: true }), fc.boolean(), (setup, steps, o, scale, byAmount) => {
        const { book, id } = run(setup, steps.filter((s) => s.kind !== 'correction'));
        const before = market(book, id);
        const outcome = o % before.outcomes.length;
        const size = 10 ** scale * before.b;
        const money = balance(book, 'ann');
        const command = byAmount ? { kind: 'buy-amount', outcome, amount: Math.max(1, Math.round(size * 100)), minShares: 0 } : { kind: 'buy-shares', outcome, shares: size, maxCost: GRANT };
        const bought = trade(book, 'ann', id, command, 1e6);
        if (!bought.ok) return; // e.g. more than ann can pay: nothing to undo
        const sold = expectOk(trade(book, 'ann', id, { kind: 'sell-shares', outcome, shares: bought.value.fill.shares, minProceeds: 0 }, 1e6 + 1));
        const after = market(book, id);
        after.q.forEach((q, i) => expect(Math.abs(q - before.q[i]!)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(before.q[i]!), bought.value.fill.shares)));
        const lost = money - balance(book, 'ann');
        expect(lost === 0 || lost === 1).toBe(true);
        expect(after.cash - before.cash).toBe(lost);
        expect(sold.fill.cash).toBe(bought.value.fill.cash - lost);
      }),
      settings,
    );
  });
});

describe('order independence of total cost', () => {
  it('the same buys in any order end at the same state for the same total LMSR cost', () => {
    const buyArb = fc.record({ outcome: fc.nat(19), scale: fc.double({ min: -2, max: 2, noNaN: true }) });
    fc.assert(
      fc.property(setupArb, fc.array(buyArb, { minLength: 1, maxLength: 12 }), fc.func(fc.integer()), (setup, buys, key) => {
        const shuffled = [...buys].map((b, i) => ({ b, k: key(i) })).sort((x, y) => x.k - y.k).map((x) => x.b);
        const totals = [buys, shuffled].map((order) => {
          const book = newBook();
          join(book, 'maker', GRANT);
          join(book, 'ann', GRANT * 100);
          const id = expectOk(create(book, 'maker', setup, 0)).id;
          let total = 0;
          for (const { outcome, scale } of order) {
            const n = market(book, id).outcomes.length;
            const fill = expectOk(trade(book, 'ann', id, { kind: 'buy-shares', outcome: outcome % n, shares: 10 ** scale * market(book, id).b, maxCost: GRANT * 100 }, 1)).fill;
            total += fill.exactCost;
          }
          return { total, m: market(book, id), trades: order.length };
        });
        const [a, b] = totals as [(typeof totals)[0], (typeof totals)[0]];
        expect(Math.abs(a.total - b.total)).toBeLessThanOrEqual(1e-9 * (a.total + a.m.b));
        a.m.q.forEach((q, i) => expect(Math.abs(q - b.m.q[i]!)).toBeLessThanOrEqual(1e-9 * Math.max(1, q)));
        // Rounding is per trade, so the cash may differ by less than one unit per trade.
        expect(Math.abs(a.m.cash - b.m.cash)).toBeLessThanOrEqual(a.trades);
      }),
      settings,
    );
  });
});

describe('LMSR properties on raw states (including extreme q)', () => {
  const qArb = (n: number): fc.Arbitrary<number[]> => fc.array(fc.double({ min: -1e7, max: 1e7, noNaN: true }), { minLength: n, maxLength: n });
  const nArb = fc.integer({ min: 2, max: 20 });

  it('prices of any state up to ±10⁷·b are finite, in [0, 1] and sum to 1 ± 1e-12', () => {
    fc.assert(
      fc.property(
        nArb.chain((n) => qArb(n)),
        fc.double({ min: 0.01, max: 1e4, noNaN: true }),
        (x, b) => {
          expectSanePrices(pricesFromLogPrices(logPrices(x.map((xi) => xi * b), b)));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('a path of vector trades costs C(end) − C(start), whatever the path', () => {
    fc.assert(
      fc.property(
        nArb.chain((n) => fc.tuple(qArb(n), fc.array(fc.array(fc.double({ min: -500, max: 500, noNaN: true }), { minLength: n, maxLength: n }), { maxLength: 10 }))),
        ([start, path]) => {
          const b = 100;
          let z = start.map((x) => x / 1e4);
          let total = 0;
          let scale = 1;
          for (const delta of path) {
            const step = vectorTradeCost(logPrices(z, b), delta, b);
            total += step;
            scale += Math.abs(step);
            z = z.map((zi, i) => zi + delta[i]!);
          }
          const exact = costFunction(z, b) - costFunction(start.map((x) => x / 1e4), b);
          expect(Math.abs(total - exact)).toBeLessThanOrEqual(1e-9 * (scale + Math.abs(costFunction(z, b))));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('the single-outcome buy and sell forms agree with the vector form anywhere', () => {
    fc.assert(
      fc.property(nArb.chain((n) => fc.tuple(qArb(n), fc.nat(n - 1))), fc.double({ min: -6, max: 4, noNaN: true }), ([q, outcome], scale) => {
        const b = 50;
        const lp = logPrices(q.map((x) => x / 1e3), b);
        const shares = 10 ** scale * b;
        const delta = q.map((_, i) => (i === outcome ? shares : 0));
        // The vector form sums n terms around 1 before its log: ~1e-16 absolute error per term, times b.
        const tol = (x: number): number => 1e-9 * Math.abs(x) + 1e-14 * b * q.length;
        const buy = vectorTradeCost(lp, delta, b);
        expect(Math.abs(buyCost(lp, outcome, shares, b) - buy)).toBeLessThanOrEqual(tol(buy));
        const sell = -vectorTradeCost(lp, delta.map((d) => -d), b);
        expect(Math.abs(sellProceeds(lp, outcome, shares, b) - sell)).toBeLessThanOrEqual(tol(sell));
      }),
      { numRuns: 500 },
    );
  });

  it('the market maker’s loss on any outcome is at most the subsidy: q_i − (C(q + o) − C(o)) ≤ S', () => {
    fc.assert(
      fc.property(
        nArb.chain((n) => fc.tuple(qArb(n), fc.array(fc.double({ min: 0.01, max: 1, noNaN: true }), { minLength: n, maxLength: n }))),
        fc.double({ min: 0.01, max: 1e6, noNaN: true }),
        ([q, weights], subsidy) => {
          const sum = weights.reduce((a, w) => a + w, 0);
          const opening = weights.map((w) => w / sum);
          const b = subsidy / -Math.log(Math.min(...opening));
          const o = openingOffset(opening, b);
          const held = q.map((x) => Math.abs(x) * b * 1e-3);
          const collected = costFunction(held.map((h, i) => h + o[i]!), b) - costFunction(o, b);
          for (const h of held) expect(h - collected).toBeLessThanOrEqual(subsidy * (1 + 1e-9) + 1e-9 * collected);
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('unit bookkeeping', () => {
  it('a market’s b and subsidy agree: b·ln(1 / min p⁰) = S in units', () => {
    fc.assert(
      fc.property(setupArb, (setup) => {
        const book = newBook();
        join(book, 'maker', GRANT);
        const m = expectOk(create(book, 'maker', setup, 0));
        expect(m.b * -Math.log(Math.min(...m.opening))).toBeCloseTo(unitsFromMinor(m.subsidy), 6);
      }),
      { numRuns: 100 },
    );
  });
});
