/**
 * A market: its question and outcomes, the LMSR state (b, opening prices, outstanding shares q),
 * its integer cash account, and its settlement once resolved. Plain data that round-trips as
 * JSON. A setup parsed from an intent is not yet a market: `createMarket` checks it and is the
 * only way to get one (`restoreMarket` re-checks stored state).
 */
import { z } from 'zod';
import { type Minor, minor } from '../money.ts';
import { fail, ok, type Result } from '../result.ts';
import { type LedgerEntry, marketAccount, transferEntry, userAccount } from './ledger.ts';
import { liquidityForSubsidy, logPrices, pricesFromLogPrices } from './lmsr.ts';
import { unitsFromMinor } from './rounding.ts';
import { BINARY_OUTCOMES, type MarketError, type MarketKind, type MarketStatus, type Role } from './vocab.ts';

export const MARKET_VERSION = 1;

export const MARKET_LIMITS = {
  questionMinLength: 5,
  questionMaxLength: 300,
  minOptions: 2,
  maxOptions: 20,
  optionMaxLength: 100,
  /** 10¹³ minor: far below 2⁵³, so sums of balances stay exact integers. */
  maxSubsidy: 10_000_000_000_000,
  /** Opening probabilities must sum to 1 within this. */
  probabilitySumTolerance: 1e-9,
} as const;

export const ResolutionSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('outcome'), outcome: z.int().min(0) }),
  z.strictObject({ kind: z.literal('probability'), probability: z.number().min(0).max(1) }),
  z.strictObject({ kind: z.literal('na') }),
]);
/** YES/NO/option (`outcome` index), PROB (binary: YES pays p, NO pays 1 − p), or N/A. */
export type Resolution = z.infer<typeof ResolutionSchema>;

/** What a resolution paid, kept so that a correction can reverse it exactly. */
export interface Settlement {
  readonly resolution: Resolution;
  readonly resolvedAt: number;
  readonly resolvedBy: string;
  /** The correction window runs from the first resolution, so corrections cannot extend it. */
  readonly firstResolvedAt: number;
  /** 1 for the first resolution, +1 per correction. */
  readonly revision: number;
  /** Minor paid per user id; negative when an N/A refund made the user pay back. */
  readonly paid: Readonly<Record<string, Minor>>;
  /** What went back to the creator: the market maker's leftover subsidy. */
  readonly leftover: Minor;
  /** The market's cash just before settling; a reversal restores exactly this. */
  readonly cashBefore: Minor;
}

export interface Market {
  readonly version: typeof MARKET_VERSION;
  readonly id: string;
  readonly kind: MarketKind;
  readonly question: string;
  readonly outcomes: readonly string[];
  readonly creatorId: string;
  readonly createdAt: number;
  readonly closeAt: number;
  readonly correctionWindowMs: number;
  readonly subsidy: Minor;
  /** LMSR liquidity in share units: subsidy / ln(1 / min opening price). */
  readonly b: number;
  /** Opening prices p⁰ (sum 1); the virtual offset is oᵢ = b·ln p⁰ᵢ. */
  readonly opening: readonly number[];
  /** Shares held by traders, per outcome. Prices come from q + o. */
  readonly q: readonly number[];
  readonly cash: Minor;
  /** Σ |cash| moved by trades. */
  readonly volume: Minor;
  readonly tradeCount: number;
  readonly settlement: Settlement | null;
}

const questionField = z.string().max(10_000);
export const MarketSetupSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('binary'),
    question: questionField,
    closeAt: z.number(),
    subsidy: z.int(),
    /** Opening price of YES; 0.5 when absent. */
    openingProbability: z.number().optional(),
  }),
  z.strictObject({
    kind: z.literal('multiple-choice'),
    question: questionField,
    closeAt: z.number(),
    subsidy: z.int(),
    options: z.array(z.string().max(10_000)).max(1_000).readonly(),
    /** Opening prices per option; equal when absent. */
    openingProbabilities: z.array(z.number()).max(1_000).readonly().optional(),
  }),
]);
/** A market as a creator asks for it: parsed, not yet valid. */
export type MarketSetup = z.infer<typeof MarketSetupSchema>;

export function parseMarketSetup(input: unknown): Result<MarketSetup, MarketError> {
  const parsed = MarketSetupSchema.safeParse(input);
  return parsed.success ? ok(parsed.data) : fail('malformed', z.prettifyError(parsed.error));
}

export interface CreateMarketContext {
  readonly marketId: string;
  /** Id of the subsidy ledger entry. */
  readonly entryId: string;
  readonly now: number;
  readonly creator: { readonly userId: string; readonly role: Role | null; readonly balance: Minor };
  /** Tenant setting: how long after the first resolution it may be corrected. */
  readonly correctionWindowMs: number;
}

function normalizeLabel(label: string): string {
  return label.normalize('NFC').trim().replace(/\s+/gu, ' ');
}

/** Checks and normalizes opening prices: each in (0, 1), summing to 1 within the tolerance. */
export function checkOpening(probabilities: readonly number[], count: number): Result<number[], MarketError> {
  if (probabilities.length !== count) return fail('invalid-probabilities', `expected ${count} opening probabilities`);
  if (!probabilities.every((p) => Number.isFinite(p) && p > 0 && p < 1)) return fail('invalid-probabilities', 'opening probabilities must lie strictly between 0 and 1');
  const sum = probabilities.reduce((a, p) => a + p, 0);
  if (Math.abs(sum - 1) > MARKET_LIMITS.probabilitySumTolerance) return fail('invalid-probabilities', `opening probabilities sum to ${sum}, not 1`);
  return ok(probabilities.map((p) => p / sum));
}

function checkOutcomes(setup: MarketSetup): Result<{ outcomes: string[]; opening: number[] }, MarketError> {
  if (setup.kind === 'binary') {
    const p = setup.openingProbability ?? 0.5;
    if (!(Number.isFinite(p) && p > 0 && p < 1)) return fail('invalid-probabilities', 'the opening probability must lie strictly between 0 and 1');
    return ok({ outcomes: [...BINARY_OUTCOMES], opening: [p, 1 - p] });
  }
  const { minOptions, maxOptions, optionMaxLength } = MARKET_LIMITS;
  const outcomes = setup.options.map(normalizeLabel);
  if (outcomes.length < minOptions || outcomes.length > maxOptions) return fail('invalid-options', `a multiple-choice market has ${minOptions}–${maxOptions} options`);
  if (outcomes.some((label) => label.length === 0 || label.length > optionMaxLength)) return fail('invalid-options', `option labels have 1–${optionMaxLength} characters`);
  const seen = new Set(outcomes.map((label) => label.toLowerCase()));
  if (seen.size !== outcomes.length) return fail('duplicate-option', 'option labels must be unique (ignoring case and spacing)');
  const opening = checkOpening(setup.openingProbabilities ?? outcomes.map(() => 1 / outcomes.length), outcomes.length);
  return opening.ok ? ok({ outcomes, opening: opening.value }) : opening;
}

/**
 * Validates a setup and opens the market: the creator's subsidy S moves into the market's cash
 * account, and b = S / ln(1 / min p⁰), so the market maker can lose at most S.
 */
export function createMarket(setup: MarketSetup, ctx: CreateMarketContext): Result<{ market: Market; entry: LedgerEntry }, MarketError> {
  if (!(Number.isFinite(ctx.correctionWindowMs) && ctx.correctionWindowMs >= 0)) throw new RangeError('correctionWindowMs must be a non-negative number');
  if (ctx.creator.role === null) return fail('not-a-member', 'only members can create markets');
  const question = normalizeLabel(setup.question);
  const { questionMinLength, questionMaxLength, maxSubsidy } = MARKET_LIMITS;
  if (question.length < questionMinLength || question.length > questionMaxLength) {
    return fail('invalid-question', `the question has ${questionMinLength}–${questionMaxLength} characters`);
  }
  const shape = checkOutcomes(setup);
  if (!shape.ok) return shape;
  if (!(setup.subsidy > 0 && setup.subsidy <= maxSubsidy)) return fail('invalid-subsidy', `the subsidy must be between 1 and ${maxSubsidy} minor units`);
  const subsidy = minor(setup.subsidy);
  if (subsidy > ctx.creator.balance) return fail('insufficient-balance', 'the subsidy exceeds your balance');
  if (!(Number.isFinite(setup.closeAt) && setup.closeAt > ctx.now)) return fail('invalid-close-time', 'the close time must be in the future');
  const { outcomes, opening } = shape.value;
  const market: Market = {
    version: MARKET_VERSION,
    id: ctx.marketId,
    kind: setup.kind,
    question,
    outcomes,
    creatorId: ctx.creator.userId,
    createdAt: ctx.now,
    closeAt: setup.closeAt,
    correctionWindowMs: ctx.correctionWindowMs,
    subsidy,
    b: liquidityForSubsidy(unitsFromMinor(subsidy), opening),
    opening,
    q: outcomes.map(() => 0),
    cash: subsidy,
    volume: minor(0),
    tradeCount: 0,
    settlement: null,
  };
  const entry = transferEntry('subsidy', {
    id: ctx.entryId,
    at: ctx.now,
    from: userAccount(ctx.creator.userId),
    to: marketAccount(ctx.marketId),
    amount: subsidy,
    marketId: ctx.marketId,
  });
  return ok({ market, entry });
}

/** open → closed at closeAt by the server's clock → resolved once settled. */
export function marketStatus(market: Market, now: number): MarketStatus {
  if (market.settlement !== null) return 'resolved';
  return now < market.closeAt ? 'open' : 'closed';
}

export function isOpen(market: Market, now: number): boolean {
  return marketStatus(market, now) === 'open';
}

/** z = q + o: the LMSR state of a market given its shares q. */
export function lmsrState(market: Market, q: readonly number[] = market.q): number[] {
  return q.map((qi, i) => qi + market.b * Math.log(market.opening[i]!));
}

export function marketLogPrices(market: Market, q: readonly number[] = market.q): number[] {
  return logPrices(lmsrState(market, q), market.b);
}

/** Current probabilities (prices) per outcome; they sum to 1. */
export function marketProbabilities(market: Market, q: readonly number[] = market.q): number[] {
  return pricesFromLogPrices(marketLogPrices(market, q));
}
