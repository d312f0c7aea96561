import * as libraryModels from 'gpt-tokenizer/models';
import { describe, expect, it } from 'vitest';
import { microUsd } from '../money.ts';
import { expectOk } from '../result.ts';
import { DEFAULT_PRICE_CONFIG, DEFAULT_PRICES } from './default-prices.ts';
import { affordableOutputTokens, lookupModel, parsePriceTable, usageCost, worstCaseCost, type PricedModel } from './prices.ts';

const mini = lookupModel(DEFAULT_PRICES, 'gpt-4o-mini') as PricedModel;

describe('price table', () => {
  it('parses the shipped defaults into integer micro-dollar rows', () => {
    expect(Object.keys(DEFAULT_PRICES.models)).toEqual(expect.arrayContaining(['gpt-4o-mini', 'gpt-4o', 'gpt-4.1-mini', 'gpt-4.1', 'gpt-5-mini']));
    expect(mini).toEqual({
      id: 'gpt-4o-mini',
      label: 'GPT-4o mini',
      inputPerMillion: 150_000,
      cachedInputPerMillion: 75_000,
      outputPerMillion: 600_000,
      contextWindow: 128_000,
      maxOutputTokens: 16_384,
    });
  });

  it('keeps every default within what gpt-tokenizer knows of the model (window, max output)', () => {
    const known = libraryModels as unknown as Record<string, { context_window?: number; max_output_tokens?: number } | undefined>;
    for (const [id, row] of Object.entries(DEFAULT_PRICE_CONFIG.models)) {
      const spec = known[id];
      expect(spec, id).toBeDefined();
      if (spec?.context_window !== undefined) expect(row.contextWindow, id).toBeLessThanOrEqual(spec.context_window);
      if (spec?.max_output_tokens !== undefined) expect(row.maxOutputTokens, id).toBeLessThanOrEqual(spec.max_output_tokens);
    }
  });

  it('does not find unknown models, nor inherited object keys', () => {
    expect(lookupModel(DEFAULT_PRICES, 'gpt-9-ultra')).toBeUndefined();
    expect(lookupModel(DEFAULT_PRICES, 'toString')).toBeUndefined();
    expect(lookupModel(DEFAULT_PRICES, '__proto__')).toBeUndefined();
  });

  const row = { label: 'X', inputPerMillion: 1_000, cachedInputPerMillion: 500, outputPerMillion: 2_000, contextWindow: 1_000, maxOutputTokens: 100 };
  it.each([
    ['an unknown version (update the app)', { version: 2, models: {} }, /update the app/],
    ['a free model (would skip every budget)', { version: 1, models: { m: { ...row, inputPerMillion: 0 } } }, /above zero/],
    ['a free answer', { version: 1, models: { m: { ...row, outputPerMillion: 0 } } }, /above zero/],
    ['a float price', { version: 1, models: { m: { ...row, outputPerMillion: 0.6 } } }, /whole number/],
    ['dollars instead of micro-dollars typed huge', { version: 1, models: { m: { ...row, outputPerMillion: 5e9 } } }, /micro-dollars/],
    ['cached dearer than uncached', { version: 1, models: { m: { ...row, cachedInputPerMillion: 2_000 } } }, /cannot exceed/],
    ['an unknown field', { version: 1, models: { m: { ...row, discount: 1 } } }, /discount/],
    ['a bad model id', { version: 1, models: { 'a b': row } }, /not a model id/],
  ])('refuses %s', (_name, config, message) => {
    const parsed = parsePriceTable(config);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) {
      expect(parsed.error.code).toBe('invalid-price-table');
      expect(parsed.error.message).toMatch(message);
    }
  });
});

describe('cost', () => {
  it.each([
    // [prompt, cached, completion, micro-dollars]
    [0, 0, 0, 0],
    [1, 0, 0, 1], // 0.15 µ$ rounds up to 1
    [1_000_000, 0, 0, 150_000],
    [1_000_000, 1_000_000, 0, 75_000],
    [1_000_000, 400_000, 1_000_000, 90_000 + 30_000 + 600_000],
    [7, 3, 5, 4], // (4·150000 + 3·75000 + 5·600000) / 1e6 = 3.825 → 4
  ])('usage %i prompt / %i cached / %i out costs %i µ$', (prompt, cached, completion, expected) => {
    expect(usageCost(mini, { promptTokens: prompt, cachedPromptTokens: cached, completionTokens: completion })).toBe(expected);
  });

  it('rounds up once, on the exact sum, never below the true cost', () => {
    // 3 output tokens at 600000 µ$/M = 1.8 µ$ → 2; 1 input at 150000 = 0.15 → together 1.95 → 2 (not 1 + 2).
    expect(usageCost(mini, { promptTokens: 1, cachedPromptTokens: 0, completionTokens: 3 })).toBe(2);
    expect(worstCaseCost(mini, 1, 3)).toBe(2);
  });

  it('treats a cached count above the prompt as the whole prompt cached', () => {
    expect(usageCost(mini, { promptTokens: 1_000_000, cachedPromptTokens: 5_000_000, completionTokens: 0 })).toBe(75_000);
  });

  it('prices the worst case uncached, per choice, and stays exact for huge counts', () => {
    expect(worstCaseCost(mini, 1_000_000, 1_000_000, 2)).toBe(150_000 + 1_200_000);
    const gpt5 = lookupModel(DEFAULT_PRICES, 'gpt-5') as PricedModel;
    expect(worstCaseCost(gpt5, 100_000_000, 100_000_000)).toBe(125_000_000 + 1_000_000_000);
    expect(() => worstCaseCost(mini, -1, 0)).toThrow(RangeError);
    expect(() => usageCost(mini, { promptTokens: 1.5, cachedPromptTokens: 0, completionTokens: 0 })).toThrow(RangeError);
  });

  it('affordable output tokens are the exact inverse of the worst case', () => {
    for (const [prompt, budget] of [
      [0, 0],
      [100, 1],
      [1_000, 600],
      [12_345, 98_765],
      [1, 1_000_000],
    ] as const) {
      const tokens = affordableOutputTokens(mini, prompt, microUsd(budget));
      if (tokens > 0) expect(worstCaseCost(mini, prompt, tokens)).toBeLessThanOrEqual(budget);
      expect(worstCaseCost(mini, prompt, tokens + 1)).toBeGreaterThan(budget);
    }
    expect(affordableOutputTokens(mini, 10_000, microUsd(1))).toBe(0);
    expect(affordableOutputTokens(mini, 0, microUsd(600), 2)).toBe(500);
  });

  it('is exact where floats are not', () => {
    // 0.1 + 0.2 style: 3 tokens at 100000 µ$/M is 0.3 µ$ exactly, rounds to 1, never 0.
    const cheap = expectOk(parsePriceTable({ version: 1, models: { c: { label: 'C', inputPerMillion: 100_000, cachedInputPerMillion: 0, outputPerMillion: 200_000, contextWindow: 10, maxOutputTokens: 5 } } })).models.c as PricedModel;
    expect(usageCost(cheap, { promptTokens: 1, cachedPromptTokens: 0, completionTokens: 1 })).toBe(1);
    expect(usageCost(cheap, { promptTokens: 10, cachedPromptTokens: 10, completionTokens: 0 })).toBe(0);
  });
});
