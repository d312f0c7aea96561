import { describe, expect, it } from 'vitest';
import { minor } from '../money.ts';
import { expectOk } from '../result.ts';
import { worstCaseLoss } from './lmsr.ts';
import { createMarket, type CreateMarketContext, isOpen, type Market, MARKET_LIMITS, marketProbabilities, marketStatus, parseMarketSetup } from './market.ts';
import { restoreMarket } from './restore.ts';
import { unitsFromMinor } from './rounding.ts';

const ctx: CreateMarketContext = {
  marketId: 'm1',
  entryId: 'e1',
  now: 1_000,
  creator: { userId: 'carol', role: 'member', balance: minor(50_000) },
  correctionWindowMs: 3_600_000,
};
const binary = { kind: 'binary', question: 'Will it rain on Friday?', closeAt: 10_000, subsidy: 10_000 } as const;
const choice = { kind: 'multiple-choice', question: 'Which colour wins?', closeAt: 10_000, subsidy: 20_000, options: ['Red', 'Green', 'Blue'] } as const;

describe('createMarket', () => {
  it('opens a binary market at 50 %: the subsidy moves in, b = S / ln 2', () => {
    const { market, entry } = expectOk(createMarket(binary, ctx));
    expect(market.outcomes).toEqual(['YES', 'NO']);
    expect(market.b).toBeCloseTo(100 / Math.LN2, 12);
    expect(market.cash).toBe(10_000);
    expect(market.q).toEqual([0, 0]);
    expect(marketProbabilities(market)).toEqual([0.5, 0.5]);
    expect(entry).toMatchObject({ kind: 'subsidy', from: 'user:carol', to: 'market:m1', amount: 10_000, marketId: 'm1', id: 'e1', at: 1_000 });
  });

  it('opens a binary market at any p, with b = S / ln(1 / min p) so the loss stays within S', () => {
    const { market } = expectOk(createMarket({ ...binary, openingProbability: 0.8 }, ctx));
    const [yes, no] = marketProbabilities(market);
    expect(yes).toBeCloseTo(0.8, 14);
    expect(no).toBeCloseTo(0.2, 14);
    expect(market.b).toBeCloseTo(100 / Math.log(5), 12);
    expect(worstCaseLoss(market.opening, market.b)).toBeCloseTo(unitsFromMinor(market.subsidy), 10);
  });

  it('opens multiple choice at equal or chosen weights', () => {
    const equal = expectOk(createMarket(choice, ctx)).market;
    for (const p of marketProbabilities(equal)) expect(p).toBeCloseTo(1 / 3, 14);
    expect(equal.b).toBeCloseTo(200 / Math.log(3), 12);
    const chosen = expectOk(createMarket({ ...choice, openingProbabilities: [0.5, 0.3, 0.2] }, ctx)).market;
    marketProbabilities(chosen).forEach((p, i) => expect(p).toBeCloseTo([0.5, 0.3, 0.2][i]!, 14));
    expect(chosen.b).toBeCloseTo(200 / Math.log(5), 12);
  });

  it('normalizes the question and labels', () => {
    const { market } = expectOk(createMarket({ ...choice, question: '  Which   colour\twins? ', options: [' Red', 'Green  ', 'Dark  Blue'] }, ctx));
    expect(market.question).toBe('Which colour wins?');
    expect(market.outcomes).toEqual(['Red', 'Green', 'Dark Blue']);
  });

  const tooMany = Array.from({ length: 21 }, (_, i) => `Option ${i}`);
  it.each([
    ['not-a-member', binary, { creator: { ...ctx.creator, role: null } }],
    ['invalid-question', { ...binary, question: 'Why' }, {}],
    ['invalid-question', { ...binary, question: 'x'.repeat(MARKET_LIMITS.questionMaxLength + 1) }, {}],
    ['invalid-options', { ...choice, options: ['Only'] }, {}],
    ['invalid-options', { ...choice, options: tooMany }, {}],
    ['invalid-options', { ...choice, options: ['Red', ' ', 'Blue'] }, {}],
    ['duplicate-option', { ...choice, options: ['Red', 'red ', 'Blue'] }, {}],
    ['invalid-probabilities', { ...binary, openingProbability: 0 }, {}],
    ['invalid-probabilities', { ...binary, openingProbability: 1 }, {}],
    ['invalid-probabilities', { ...choice, openingProbabilities: [0.5, 0.5] }, {}],
    ['invalid-probabilities', { ...choice, openingProbabilities: [0.5, 0.3, 0.3] }, {}],
    ['invalid-probabilities', { ...choice, openingProbabilities: [0.6, 0.5, -0.1] }, {}],
    ['invalid-subsidy', { ...binary, subsidy: 0 }, {}],
    ['invalid-subsidy', { ...binary, subsidy: -5 }, {}],
    ['insufficient-balance', { ...binary, subsidy: 50_001 }, {}],
    ['insufficient-balance', binary, { creator: { ...ctx.creator, balance: minor(-1) } }],
    ['invalid-close-time', { ...binary, closeAt: 1_000 }, {}],
    ['invalid-close-time', { ...binary, closeAt: Number.NaN }, {}],
  ] as const)('refuses with %s: %j', (code, setup, overrides) => {
    const result = createMarket(setup, { ...ctx, ...overrides });
    expect(result.ok ? 'ok' : result.error.code).toBe(code);
  });

  it('accepts the boundaries: 20 options, a subsidy equal to the balance, close 1 ms ahead', () => {
    const options = tooMany.slice(0, 20);
    expect(createMarket({ ...choice, options, subsidy: 50_000, closeAt: 1_001 }, ctx).ok).toBe(true);
  });

  it('treats a bad tenant setting as a programmer error', () => {
    expect(() => createMarket(binary, { ...ctx, correctionWindowMs: -1 })).toThrow(RangeError);
  });
});

describe('parseMarketSetup', () => {
  it.each([null, 'market', { kind: 'binary' }, { ...binary, subsidy: 1.5 }, { ...binary, extra: 1 }, { ...choice, options: 'Red' }, { ...binary, closeAt: Infinity }])(
    'rejects garbage %j as malformed',
    (input) => {
      const parsed = parseMarketSetup(input);
      expect(parsed.ok ? 'ok' : parsed.error.code).toBe('malformed');
    },
  );
  it('parses a good setup (parsed is not valid: createMarket still checks it)', () => {
    const parsed = expectOk(parseMarketSetup({ ...binary, question: 'Why' }));
    expect(createMarket(parsed, ctx).ok).toBe(false);
  });
});

describe('lifecycle', () => {
  const { market } = expectOk(createMarket(binary, ctx));
  it('is open before closeAt and closed from closeAt on, by the clock passed in', () => {
    expect(isOpen(market, 9_999)).toBe(true);
    expect(marketStatus(market, 9_999)).toBe('open');
    expect(isOpen(market, 10_000)).toBe(false);
    expect(marketStatus(market, 10_000)).toBe('closed');
  });
});

describe('restoreMarket', () => {
  const { market } = expectOk(createMarket(choice, ctx));
  const json = JSON.parse(JSON.stringify(market)) as Record<string, unknown>;

  it('round-trips a market through JSON', () => {
    expect(restoreMarket(json)).toEqual({ ok: true, value: market });
  });

  it.each([
    ['malformed', { ...json, version: 2 }],
    ['malformed', { ...json, cash: 1.5 }],
    ['malformed', { ...json, b: 0 }],
    ['malformed', { ...json, unknown: true }],
    ['invalid-state', { ...json, q: [0, 0] }],
    ['invalid-state', { ...json, opening: [0.5, 0.5, 0.5] }],
    ['invalid-state', { ...json, kind: 'binary' }],
    ['invalid-state', { ...json, cash: -1 }],
    ['invalid-state', { ...json, b: (json.b as number) * 1.01 }],
    ['invalid-state', { ...json, closeAt: 0 }],
    [
      'invalid-state',
      { ...json, settlement: { resolution: { kind: 'na' }, resolvedAt: 1, resolvedBy: 'carol', firstResolvedAt: 1, revision: 1, paid: {}, leftover: 10, cashBefore: 20_000 }, cash: 0 },
    ],
    [
      'invalid-state',
      { ...json, settlement: { resolution: { kind: 'outcome', outcome: 7 }, resolvedAt: 1, resolvedBy: 'carol', firstResolvedAt: 1, revision: 1, paid: {}, leftover: 20_000, cashBefore: 20_000 }, cash: 0 },
    ],
  ])('rejects %s: case %#', (code, input) => {
    const restored = restoreMarket(input);
    expect(restored.ok ? 'ok' : restored.error.code).toBe(code);
  });

  it('accepts a market with b = 100 when the subsidy covers b ln 2 (used by the check values)', () => {
    const b100: Market = { ...expectOk(createMarket({ ...binary, subsidy: 6_932 }, ctx)).market, b: 100 };
    expect(restoreMarket(JSON.parse(JSON.stringify(b100))).ok).toBe(true);
    expect(restoreMarket(JSON.parse(JSON.stringify({ ...b100, subsidy: 6_931, cash: 6_931 }))).ok).toBe(false);
  });
});
