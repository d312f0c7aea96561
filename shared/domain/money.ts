/**
 * Money is an integer count of minor units with a branded type, never a float. Shop prices and
 * play money are `Minor` (cents of their currency), LLM spend is `MicroUsd`. Arithmetic that
 * could produce a fraction rounds at exactly one named place.
 */
declare const minorBrand: unique symbol;
declare const microUsdBrand: unique symbol;

/** Integer minor units (cents) of some currency. */
export type Minor = number & { readonly [minorBrand]: true };
/** Integer micro-dollars (1e-6 USD) of LLM spend. */
export type MicroUsd = number & { readonly [microUsdBrand]: true };

export class MoneyError extends Error {
  override readonly name = 'MoneyError';
}

function assertSafeInteger(value: number, what: string): void {
  if (!Number.isSafeInteger(value)) throw new MoneyError(`${what} must be a safe integer, got ${value}`);
}

export function minor(value: number): Minor {
  assertSafeInteger(value, 'an amount in minor units');
  return value as Minor;
}

export function microUsd(value: number): MicroUsd {
  assertSafeInteger(value, 'an amount in micro-dollars');
  return value as MicroUsd;
}

export function isMinor(value: unknown): value is Minor {
  return typeof value === 'number' && Number.isSafeInteger(value);
}

export function addMinor(...amounts: readonly Minor[]): Minor {
  return minor(amounts.reduce<number>((sum, amount) => sum + amount, 0));
}

export function subtractMinor(a: Minor, b: Minor): Minor {
  return minor(a - b);
}

export function multiplyMinor(amount: Minor, quantity: number): Minor {
  assertSafeInteger(quantity, 'a quantity');
  return minor(amount * quantity);
}

export function addMicroUsd(...amounts: readonly MicroUsd[]): MicroUsd {
  return microUsd(amounts.reduce<number>((sum, amount) => sum + amount, 0));
}

export const ZERO_MINOR = 0 as Minor;
export const ZERO_MICRO_USD = 0 as MicroUsd;

/**
 * Building an `Intl.NumberFormat` costs far more than formatting with one, and formatting costs
 * more than remembering: keep one per style, with the texts of the amounts it formatted lately
 * (meters format the same caps and balances over and over).
 */
const usdFormats = new Map<string, { readonly format: Intl.NumberFormat; readonly texts: Map<number, string> }>();
const TEXTS_KEPT = 1_000;

/** Formats micro-dollars for people: `$0.0123`, with up to 4 decimals below a cent. */
export function formatMicroUsd(amount: MicroUsd, locale = 'en-US'): string {
  const dollars = amount / 1_000_000;
  const digits = Math.abs(dollars) >= 1 || dollars === 0 ? 2 : 4;
  const key = `${locale}\u0000${digits}`;
  let style = usdFormats.get(key);
  if (!style) {
    style = { format: new Intl.NumberFormat(locale, { style: 'currency', currency: 'USD', minimumFractionDigits: 2, maximumFractionDigits: digits }), texts: new Map() };
    if (usdFormats.size < 64) usdFormats.set(key, style);
  }
  let text = style.texts.get(amount);
  if (text === undefined) {
    text = style.format.format(dollars);
    if (style.texts.size >= TEXTS_KEPT) style.texts.clear();
    style.texts.set(amount, text);
  }
  return text;
}
