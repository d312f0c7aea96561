/**
 * Model prices: a pinned, versioned table that admins may edit, and the one place where tokens
 * become micro-dollars. Every conversion rounds UP (the worst case for the budget), on the exact
 * integer product, so that `cost ≤ remaining` can be decided without floats.
 *
 * An unknown model is refused, never priced at zero: a model must be in the table to be called.
 */
import { z } from 'zod';
import { microUsd, type MicroUsd } from '../money.ts';
import { err, ok, type DomainError, type Result } from '../result.ts';

export const PRICE_TABLE_VERSION = 1;

/** $1,000 per million tokens: far above any list price, low enough that every product is exact. */
const MAX_PRICE_PER_MILLION = 1_000_000_000;
const MAX_TOKENS = 100_000_000;

const perMillion = (what: string) =>
  z
    .int({ error: `${what} must be a whole number of micro-dollars per million tokens` })
    .min(0, { error: `${what} cannot be negative` })
    .max(MAX_PRICE_PER_MILLION, { error: `${what} is above $1,000 per million tokens; is it in micro-dollars?` });

const tokenLimit = (what: string) =>
  z.int({ error: `${what} must be a whole number of tokens` }).min(1, { error: `${what} must be at least 1` }).max(MAX_TOKENS);

export const modelPriceSchema = z
  .strictObject({
    /** Micro-dollars per million uncached input tokens. */
    inputPerMillion: perMillion('inputPerMillion').min(1, { error: 'inputPerMillion must be above zero: a free model would skip every budget' }),
    /** Micro-dollars per million cached input tokens (never more than the uncached price). */
    cachedInputPerMillion: perMillion('cachedInputPerMillion'),
    /** Micro-dollars per million output tokens (reasoning tokens are output). */
    outputPerMillion: perMillion('outputPerMillion').min(1, { error: 'outputPerMillion must be above zero: a free model would skip every budget' }),
    /** Most input tokens a request may carry. Set below any long-context price tier. */
    contextWindow: tokenLimit('contextWindow'),
    maxOutputTokens: tokenLimit('maxOutputTokens'),
    label: z.string().trim().min(1, { error: 'label cannot be empty' }).max(80),
  })
  .refine((model) => model.cachedInputPerMillion <= model.inputPerMillion, {
    error: 'cachedInputPerMillion cannot exceed inputPerMillion',
    path: ['cachedInputPerMillion'],
  });

const MODEL_ID = /^[A-Za-z0-9][A-Za-z0-9._:/-]{0,99}$/;

export const priceTableSchema = z
  .strictObject({
    version: z.literal(PRICE_TABLE_VERSION, { error: 'this price table version is not known to this app: update the app' }),
    models: z.record(z.string(), modelPriceSchema),
  })
  .superRefine((table, context) => {
    for (const id of Object.keys(table.models)) {
      if (!MODEL_ID.test(id)) context.addIssue({ code: 'custom', path: ['models', id], message: `"${id}" is not a model id: use letters, digits and . _ : / - only` });
    }
  });

/** The editable config as admins write it (JSON). */
export type PriceTableConfig = z.input<typeof priceTableSchema>;
export type ModelPriceConfig = z.input<typeof modelPriceSchema>;

/** One model with its prices, as the policy uses it. Prices are micro-dollars per million tokens. */
export interface PricedModel {
  readonly id: string;
  readonly label: string;
  readonly inputPerMillion: MicroUsd;
  readonly cachedInputPerMillion: MicroUsd;
  readonly outputPerMillion: MicroUsd;
  readonly contextWindow: number;
  readonly maxOutputTokens: number;
}

export interface PriceTable {
  readonly version: typeof PRICE_TABLE_VERSION;
  readonly models: Readonly<Record<string, PricedModel>>;
}

export type PriceTableErrorCode = 'invalid-price-table';

export function parsePriceTable(input: unknown): Result<PriceTable, DomainError<PriceTableErrorCode>> {
  const parsed = priceTableSchema.safeParse(input);
  if (!parsed.success) return err({ code: 'invalid-price-table', message: `The price table is invalid: ${z.prettifyError(parsed.error)}` });
  const models: Record<string, PricedModel> = {};
  for (const [id, model] of Object.entries(parsed.data.models)) {
    models[id] = {
      id,
      label: model.label,
      inputPerMillion: microUsd(model.inputPerMillion),
      cachedInputPerMillion: microUsd(model.cachedInputPerMillion),
      outputPerMillion: microUsd(model.outputPerMillion),
      contextWindow: model.contextWindow,
      maxOutputTokens: model.maxOutputTokens,
    };
  }
  return ok({ version: PRICE_TABLE_VERSION, models });
}

export function lookupModel(table: PriceTable, id: string): PricedModel | undefined {
  return Object.hasOwn(table.models, id) ? table.models[id] : undefined;
}

/** Tokens a call consumed, in the policy's own words (OpenAI's `usage`, already decoded). */
export interface TokenUsage {
  /** All prompt tokens, cached ones included (OpenAI `prompt_tokens`). */
  readonly promptTokens: number;
  /** The cached subset of `promptTokens` (OpenAI `prompt_tokens_details.cached_tokens`). */
  readonly cachedPromptTokens: number;
  /** All output tokens, reasoning included (OpenAI `completion_tokens`). */
  readonly completionTokens: number;
}

const MILLION = 1_000_000n;

function ceilMillionths(numerator: bigint): MicroUsd {
  return microUsd(Number((numerator + MILLION - 1n) / MILLION));
}

function assertTokens(value: number, what: string): bigint {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`${what} must be a non-negative integer, got ${value}`);
  return BigInt(value);
}

/**
 * Actual cost: (input − cached)·p_in + cached·p_cached + output·p_out, rounded up once to the
 * micro-dollar. A cached count above the prompt count is treated as the whole prompt cached.
 */
export function usageCost(model: PricedModel, usage: TokenUsage): MicroUsd {
  const prompt = assertTokens(usage.promptTokens, 'promptTokens');
  const cachedRaw = assertTokens(usage.cachedPromptTokens, 'cachedPromptTokens');
  const cached = cachedRaw > prompt ? prompt : cachedRaw;
  const output = assertTokens(usage.completionTokens, 'completionTokens');
  return ceilMillionths(
    (prompt - cached) * BigInt(model.inputPerMillion) + cached * BigInt(model.cachedInputPerMillion) + output * BigInt(model.outputPerMillion),
  );
}

/** Worst case: every prompt token uncached, every choice writing `outputTokensPerChoice` tokens. */
export function worstCaseCost(model: PricedModel, promptTokens: number, outputTokensPerChoice: number, choices = 1): MicroUsd {
  const prompt = assertTokens(promptTokens, 'promptTokens');
  const output = assertTokens(outputTokensPerChoice, 'outputTokensPerChoice') * assertTokens(choices, 'choices');
  return ceilMillionths(prompt * BigInt(model.inputPerMillion) + output * BigInt(model.outputPerMillion));
}

/**
 * The most output tokens per choice that `budget` can pay for after the (uncached) prompt, so
 * that `worstCaseCost(model, promptTokens, result, choices) ≤ budget` exactly. 0 when the prompt
 * alone does not fit (callers compare against their minimum answer).
 */
export function affordableOutputTokens(model: PricedModel, promptTokens: number, budget: MicroUsd, choices = 1): number {
  const prompt = assertTokens(promptTokens, 'promptTokens');
  const perChoice = BigInt(model.outputPerMillion) * assertTokens(choices, 'choices');
  const left = BigInt(Math.max(0, budget)) * MILLION - prompt * BigInt(model.inputPerMillion);
  if (left <= 0n || perChoice === 0n) return 0;
  const tokens = left / perChoice;
  return tokens > BigInt(MAX_TOKENS) ? MAX_TOKENS : Number(tokens);
}
