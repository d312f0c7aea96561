/**
 * The create-market form's model: what the creator typed becomes a domain `MarketSetup`, which
 * is checked by the domain's zod schema (`parseMarketSetup`) and then by `createMarket` itself
 * (the referee's rule: question length, 2–20 unique options, opening probabilities, subsidy
 * against the balance, close time in the future). Errors land on the input they are about.
 */
import { createMarket, liquidityForSubsidy, MARKET_LIMITS, type MarketErrorCode, type MarketKind, type MarketSetup, parseMarketSetup, type Role, unitsFromMinor } from '../../../../../shared/domain/markets/index.ts';
import { MINOR_PER_SHARE } from '../../../../../shared/domain/markets/index.ts';
import { minor, type Minor } from '../../../../../shared/domain/money.ts';

export interface CreateForm {
  readonly kind: MarketKind;
  readonly question: string;
  /** Multiple choice: one label per option (blank lines are ignored). */
  readonly options: readonly string[];
  /** Multiple choice: equal opening probabilities, or the percentages below. */
  readonly equalOdds: boolean;
  /** Multiple choice: opening percentages, one per option. */
  readonly percents: readonly string[];
  /** Binary: the opening probability of YES, in percent. */
  readonly yesPercent: string;
  /** The subsidy in points. */
  readonly subsidy: string;
  /** `YYYY-MM-DDTHH:mm` in local time (a datetime-local input). */
  readonly closeAt: string;
}

export const FORM_FIELDS = ['question', 'options', 'probabilities', 'subsidy', 'closeAt', 'form'] as const;
export type FormField = (typeof FORM_FIELDS)[number];
export type FormErrors = Partial<Record<FormField, string>>;

export const DEFAULT_SUBSIDY_POINTS = 100;
export const DEFAULT_CLOSE_IN_MS = 7 * 24 * 3600 * 1000;

/** A `datetime-local` value for `at` in the local time zone. */
export function localDateTimeValue(at: number): string {
  const d = new Date(at);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

export function emptyCreateForm(now: number): CreateForm {
  return {
    kind: 'binary',
    question: '',
    options: ['', ''],
    equalOdds: true,
    percents: ['', ''],
    yesPercent: '50',
    subsidy: String(DEFAULT_SUBSIDY_POINTS),
    closeAt: localDateTimeValue(now + DEFAULT_CLOSE_IN_MS),
  };
}

const NUMBER = /^\s*\d+(?:[.,]\d*)?\s*$/;

function parseNumber(text: string): number | null {
  return NUMBER.test(text) ? Number(text.trim().replace(',', '.')) : null;
}

/** Points with at most two decimals → minor units, or null. */
export function parsePoints(text: string): Minor | null {
  const match = /^\s*(\d+)(?:[.,](\d{0,2}))?\s*$/.exec(text);
  if (!match) return null;
  const value = Number(match[1]) * MINOR_PER_SHARE + Number((match[2] ?? '').padEnd(2, '0') || '0');
  return Number.isSafeInteger(value) ? minor(value) : null;
}

/** A datetime-local value → epoch ms in the local time zone, or null. */
export function parseLocalDateTime(text: string): number | null {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/.test(text)) return null;
  const at = new Date(text).getTime();
  return Number.isFinite(at) ? at : null;
}

const FIELD_OF_CODE: Readonly<Record<MarketErrorCode, FormField>> = {
  malformed: 'form',
  'not-a-member': 'form',
  'invalid-question': 'question',
  'invalid-options': 'options',
  'duplicate-option': 'options',
  'invalid-probabilities': 'probabilities',
  'invalid-subsidy': 'subsidy',
  'insufficient-balance': 'subsidy',
  'invalid-close-time': 'closeAt',
  'invalid-state': 'form',
};

export interface CreatorContext {
  readonly userId: string;
  readonly role: Role | null;
  /** What the creator can spend (balance minus what pending intents commit). */
  readonly balance: Minor;
  readonly now: number;
}

export type CreateCheck =
  | { readonly ok: true; readonly setup: MarketSetup; readonly liquidity: number; readonly opening: readonly number[] }
  | { readonly ok: false; readonly errors: FormErrors };

/** The setup the form describes, checked by the domain exactly as the referee will check it. */
export function checkCreateForm(form: CreateForm, creator: CreatorContext): CreateCheck {
  const errors: FormErrors = {};
  const subsidy = parsePoints(form.subsidy);
  if (subsidy === null) errors.subsidy = 'Enter the subsidy in points, like 100 or 25.50.';
  const closeAt = parseLocalDateTime(form.closeAt);
  if (closeAt === null) errors.closeAt = 'Pick the date and time when trading stops.';
  let raw: unknown;
  if (form.kind === 'binary') {
    const percent = parseNumber(form.yesPercent);
    if (percent === null) errors.probabilities = 'Enter the opening chance of YES in percent, between 0 and 100.';
    raw = { kind: 'binary', question: form.question, closeAt: closeAt ?? 0, subsidy: subsidy ?? 0, openingProbability: (percent ?? 50) / 100 };
  } else {
    const filled = form.options.map((label, index) => ({ label, percent: form.percents[index] ?? '' })).filter((option) => option.label.trim() !== '');
    let openingProbabilities: number[] | undefined;
    if (!form.equalOdds) {
      const percents = filled.map((option) => parseNumber(option.percent));
      if (percents.some((p) => p === null)) errors.probabilities = 'Enter an opening percentage for every option.';
      else {
        const sum = percents.reduce<number>((a, p) => a + p!, 0);
        if (Math.abs(sum - 100) > 1e-6) errors.probabilities = `The opening percentages add up to ${Math.round(sum * 1000) / 1000}%, not 100%.`;
        else openingProbabilities = percents.map((p) => p! / sum);
      }
    }
    raw = { kind: 'multiple-choice', question: form.question, closeAt: closeAt ?? 0, subsidy: subsidy ?? 0, options: filled.map((option) => option.label), ...(openingProbabilities ? { openingProbabilities } : {}) };
  }
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  const setup = parseMarketSetup(raw);
  if (!setup.ok) return { ok: false, errors: { form: setup.error.message } };
  const created = createMarket(setup.value, {
    marketId: 'preview',
    entryId: 'preview',
    now: creator.now,
    creator: { userId: creator.userId, role: creator.role, balance: creator.balance },
    correctionWindowMs: 0,
  });
  if (!created.ok) return { ok: false, errors: { [FIELD_OF_CODE[created.error.code]]: created.error.message } };
  const { market } = created.value;
  return { ok: true, setup: setup.value, liquidity: liquidityForSubsidy(unitsFromMinor(market.subsidy), market.opening), opening: market.opening };
}

/** Adds an option (up to the domain's maximum), keeping percentages aligned. */
export function addOption(form: CreateForm): CreateForm {
  if (form.options.length >= MARKET_LIMITS.maxOptions) return form;
  return { ...form, options: [...form.options, ''], percents: [...form.percents, ''] };
}

/** Removes option `index` (never below the domain's minimum). */
export function removeOption(form: CreateForm, index: number): CreateForm {
  if (form.options.length <= MARKET_LIMITS.minOptions) return form;
  return { ...form, options: form.options.filter((_, i) => i !== index), percents: form.percents.filter((_, i) => i !== index) };
}
