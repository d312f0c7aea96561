/**
 * The price table Plaza ships with. These are DEFAULTS taken from OpenAI's public list prices
 * (standard tier, per million tokens, late 2025) and written in integer micro-dollars: $0.15 is
 * 150_000. Admins override them in the versioned config; whatever is not listed cannot be called.
 *
 * `contextWindow` is the whole window (prompt + answer) the policy allows. For the GPT-5 family it
 * is pinned at the 272K input limit, below any long-context price tier, so one price row holds
 * for every request it admits.
 */
import { expectOk } from '../result.ts';
import { parsePriceTable, type PriceTable, type PriceTableConfig } from './prices.ts';

export const DEFAULT_PRICE_CONFIG = {
  version: 1,
  models: {
    'gpt-4o-mini': {
      label: 'GPT-4o mini',
      inputPerMillion: 150_000,
      cachedInputPerMillion: 75_000,
      outputPerMillion: 600_000,
      contextWindow: 128_000,
      maxOutputTokens: 16_384,
    },
    'gpt-4o': {
      label: 'GPT-4o',
      inputPerMillion: 2_500_000,
      cachedInputPerMillion: 1_250_000,
      outputPerMillion: 10_000_000,
      contextWindow: 128_000,
      maxOutputTokens: 16_384,
    },
    'gpt-4.1-nano': {
      label: 'GPT-4.1 nano',
      inputPerMillion: 100_000,
      cachedInputPerMillion: 25_000,
      outputPerMillion: 400_000,
      contextWindow: 1_047_576,
      maxOutputTokens: 32_768,
    },
    'gpt-4.1-mini': {
      label: 'GPT-4.1 mini',
      inputPerMillion: 400_000,
      cachedInputPerMillion: 100_000,
      outputPerMillion: 1_600_000,
      contextWindow: 1_047_576,
      maxOutputTokens: 32_768,
    },
    'gpt-4.1': {
      label: 'GPT-4.1',
      inputPerMillion: 2_000_000,
      cachedInputPerMillion: 500_000,
      outputPerMillion: 8_000_000,
      contextWindow: 1_047_576,
      maxOutputTokens: 32_768,
    },
    'gpt-5-nano': {
      label: 'GPT-5 nano',
      inputPerMillion: 50_000,
      cachedInputPerMillion: 5_000,
      outputPerMillion: 400_000,
      contextWindow: 272_000,
      maxOutputTokens: 128_000,
    },
    'gpt-5-mini': {
      label: 'GPT-5 mini',
      inputPerMillion: 250_000,
      cachedInputPerMillion: 25_000,
      outputPerMillion: 2_000_000,
      contextWindow: 272_000,
      maxOutputTokens: 128_000,
    },
    'gpt-5': {
      label: 'GPT-5',
      inputPerMillion: 1_250_000,
      cachedInputPerMillion: 125_000,
      outputPerMillion: 10_000_000,
      contextWindow: 272_000,
      maxOutputTokens: 128_000,
    },
  },
} as const satisfies PriceTableConfig;

/** The default table, parsed: a broken default is a programmer error and throws at load. */
export const DEFAULT_PRICES: PriceTable = expectOk(parsePriceTable(DEFAULT_PRICE_CONFIG));
