/**
 * Shop money: which ISO 4217 currencies a tenant may price in, how many minor units each has,
 * how amounts are shown and typed, and how tax is computed. Amounts are `Minor` integers
 * (`../money.ts`); a decimal point exists only in strings for people.
 */
import { z } from 'zod';
import { type Minor, minor, multiplyMinor, addMinor, ZERO_MINOR } from '../money.ts';
import { fail, ok, type DomainError, type Result } from '../result.ts';
import { LIMITS } from './vocab.ts';

export const CURRENCY_CODES = ['USD', 'EUR', 'GBP', 'CHF', 'CAD', 'AUD', 'NZD', 'SEK', 'NOK', 'DKK', 'PLN', 'CZK', 'JPY', 'KRW', 'ISK', 'BHD', 'KWD'] as const;
export type CurrencyCode = (typeof CURRENCY_CODES)[number];

/** Digits after the decimal point (ISO 4217 "minor unit"): 1 USD = 100 minor, 1 JPY = 1, 1 BHD = 1000. */
export const CURRENCY_EXPONENTS: Readonly<Record<CurrencyCode, 0 | 2 | 3>> = {
  USD: 2, EUR: 2, GBP: 2, CHF: 2, CAD: 2, AUD: 2, NZD: 2, SEK: 2, NOK: 2, DKK: 2, PLN: 2, CZK: 2,
  JPY: 0, KRW: 0, ISK: 0,
  BHD: 3, KWD: 3,
};

export function isCurrencyCode(value: unknown): value is CurrencyCode {
  return typeof value === 'string' && (CURRENCY_CODES as readonly string[]).includes(value);
}

export function currencyExponent(currency: CurrencyCode): 0 | 2 | 3 {
  return CURRENCY_EXPONENTS[currency];
}

/** A price: an integer amount of minor units and the currency they count. */
export interface Money {
  readonly amount: Minor;
  readonly currency: CurrencyCode;
}

export function sameMoney(a: Money, b: Money): boolean {
  return a.amount === b.amount && a.currency === b.currency;
}

/** zod pieces for wire and stored payloads (strict: unknown keys are errors). */
export const minorSchema = z.int().transform((value) => minor(value));
export const currencySchema = z.enum(CURRENCY_CODES);
export const moneySchema = z.strictObject({ amount: minorSchema, currency: currencySchema });

/** `1234` minor USD → `"12.34"`; exact for every safe integer (no float division). */
export function minorToDecimalString(amount: Minor, currency: CurrencyCode): `${number}` {
  const exponent = currencyExponent(currency);
  const sign = amount < 0 ? '-' : '';
  const digits = String(Math.abs(amount)).padStart(exponent + 1, '0');
  if (exponent === 0) return `${sign}${digits}` as `${number}`;
  const cut = digits.length - exponent;
  return `${sign}${digits.slice(0, cut)}.${digits.slice(cut)}` as `${number}`;
}

/**
 * Formats for people with `Intl.NumberFormat`, always with the currency's own number of
 * decimals. The amount reaches Intl as a decimal string, so no float rounding can creep in.
 * An unknown locale tag falls back to `en-US` rather than breaking a price label.
 */
export function formatMoney(amount: Minor, currency: CurrencyCode, locale: string): string {
  const digits = currencyExponent(currency);
  const options = { style: 'currency', currency, minimumFractionDigits: digits, maximumFractionDigits: digits } as const;
  let format: Intl.NumberFormat;
  try {
    format = new Intl.NumberFormat(locale, options);
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    format = new Intl.NumberFormat('en-US', options);
  }
  return format.format(minorToDecimalString(amount, currency));
}

export const MONEY_INPUT_ERROR_CODES = ['empty', 'invalid', 'negative', 'too-many-decimals', 'too-large'] as const;
export type MoneyInputErrorCode = (typeof MONEY_INPUT_ERROR_CODES)[number];
export type MoneyInputError = DomainError<MoneyInputErrorCode>;

const AMOUNT_PATTERN = /^(\d*)(?:[.,](\d*))?$/;

/**
 * Parses what a person typed into a price field: digits with at most one `.` or `,` as the
 * decimal separator (no thousands separators, no sign, no symbol). Full-width digits are
 * accepted (NFKC). Zeros past the currency's decimals are fine (`12.340` USD), other digits
 * there are not. Zero parses; whether zero is a valid price is the product's rule.
 */
export function parseMoneyInput(input: unknown, currency: CurrencyCode, max: number = LIMITS.maxPriceMinor): Result<Minor, MoneyInputError> {
  if (typeof input !== 'string') return fail('invalid', 'Type an amount, such as 12.50.');
  if (input.length > 64) return fail('too-large', 'That amount is too long.');
  const text = input.normalize('NFKC').trim();
  if (text === '') return fail('empty', 'Type an amount.');
  if (/^[-\u2212]/u.test(text)) return fail('negative', 'The amount cannot be negative.');
  const match = AMOUNT_PATTERN.exec(text);
  const whole = match?.[1] ?? '';
  const fraction = (match?.[2] ?? '').replace(/0+$/, '');
  if (match === null || (whole === '' && (match[2] ?? '') === '')) {
    return fail('invalid', 'Type digits with at most one decimal point, such as 1234.50 (no thousands separators).');
  }
  const exponent = currencyExponent(currency);
  if (fraction.length > exponent) {
    return fail('too-many-decimals', exponent === 0 ? `${currency} amounts have no decimals.` : `${currency} amounts have at most ${exponent} decimals.`);
  }
  const value = BigInt(`${whole === '' ? '0' : whole}${fraction.padEnd(exponent, '0')}`);
  if (value > BigInt(max)) {
    return fail('too-large', `The amount can be at most ${formatMoney(minor(max), currency, 'en-US')}.`);
  }
  return ok(minor(Number(value)));
}

/**
 * Tax rates are integer basis points per tenant: 1 bps = 0.01 %, so 8.25 % is 825 and 20 % is 2000.
 * Prices are tax-exclusive; tax is added on top.
 */
export type TaxRateBps = number;

export function validateTaxRate(value: unknown): Result<TaxRateBps, DomainError<'invalid-tax-rate'>> {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0 || value > LIMITS.maxTaxBps) {
    return fail('invalid-tax-rate', `A tax rate is a whole number of basis points from 0 to ${LIMITS.maxTaxBps} (100 %).`);
  }
  return ok(value);
}

/**
 * THE one place where tax rounds: tax = subtotal × rate / 10,000, rounded half up (0.5 of a
 * minor unit goes up), computed once on the order's subtotal, never per line.
 *
 * Why once on the total: rounding each line and summing drifts by up to half a cent per line,
 * so a ten-line order could show a different tax than the same goods bought one by one, and
 * the preview in the UI could disagree with the referee if either summed differently. One
 * rounding on one number makes the client preview and the server decision equal by construction.
 * Why half up (not half-to-even): it is what receipts, most sales-tax and VAT rules and people
 * expect; amounts are never negative, so "half up" and "half away from zero" agree.
 * BigInt keeps subtotal × rate exact beyond 2^53.
 */
export function taxFor(subtotal: Minor, rateBps: TaxRateBps): Minor {
  if (!Number.isSafeInteger(subtotal) || subtotal < 0) throw new RangeError(`taxFor: subtotal must be a non-negative integer, got ${subtotal}`);
  if (!validateTaxRate(rateBps).ok) throw new RangeError(`taxFor: invalid tax rate ${rateBps}`);
  const scaled = BigInt(subtotal) * BigInt(rateBps);
  return minor(Number((scaled + 5_000n) / 10_000n));
}

export interface Totals {
  readonly subtotal: Minor;
  readonly tax: Minor;
  readonly total: Minor;
}

export interface PricedQuantity {
  readonly unitPrice: Minor;
  readonly quantity: number;
}

export function lineTotal(unitPrice: Minor, quantity: number): Minor {
  return multiplyMinor(unitPrice, quantity);
}

/** Subtotal of the lines (each unit price × quantity, exact), tax once on it, and the total. */
export function totalsFor(lines: readonly PricedQuantity[], rateBps: TaxRateBps): Totals {
  const subtotal = addMinor(ZERO_MINOR, ...lines.map((line) => lineTotal(line.unitPrice, line.quantity)));
  const tax = taxFor(subtotal, rateBps);
  return { subtotal, tax, total: addMinor(subtotal, tax) };
}
