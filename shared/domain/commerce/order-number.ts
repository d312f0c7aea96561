/**
 * Human order numbers such as `P-000123`: a per-tenant prefix and a per-tenant counter that the
 * commerce referee keeps in the orders room and advances once per accepted checkout. Numbers
 * are for people (phone calls, receipts); ids stay the keys. Pure formatting and parsing.
 */
import { fail, ok, type DomainError, type Result } from '../result.ts';

export const DEFAULT_ORDER_PREFIX = 'P';
/** Digits shown at least; counters past 999,999 simply grow longer (`P-1000000`). */
export const ORDER_NUMBER_DIGITS = 6;

const PREFIX_PATTERN = /^[A-Z]{1,4}$/;
const NUMBER_PATTERN = /^([A-Z]{1,4})-(\d{1,16})$/;

export function isOrderPrefix(value: unknown): value is string {
  return typeof value === 'string' && PREFIX_PATTERN.test(value);
}

/** `formatOrderNumber(123)` → `P-000123`. Throws on a counter below 1 or a bad prefix (bugs). */
export function formatOrderNumber(counter: number, prefix: string = DEFAULT_ORDER_PREFIX): string {
  if (!Number.isSafeInteger(counter) || counter < 1) throw new RangeError(`order counter must be a positive integer, got ${counter}`);
  if (!isOrderPrefix(prefix)) throw new RangeError(`order prefix must be 1–4 capital letters, got ${JSON.stringify(prefix)}`);
  return `${prefix}-${String(counter).padStart(ORDER_NUMBER_DIGITS, '0')}`;
}

export interface ParsedOrderNumber {
  readonly prefix: string;
  readonly counter: number;
}

export type OrderNumberError = DomainError<'invalid-order-number'>;

/**
 * Reads what a person typed (search box, support form): trims, accepts lower case and a missing
 * dash (`p000123`) or padding (`P-123`), and gives back the canonical parts. `parse(format(n)) = n` for every counter.
 */
export function parseOrderNumber(input: unknown): Result<ParsedOrderNumber, OrderNumberError> {
  const bad = fail('invalid-order-number', 'An order number looks like P-000123.');
  if (typeof input !== 'string' || input.length > 40) return bad;
  const text = input.normalize('NFKC').trim().toUpperCase();
  const canonical = /^[A-Z]{1,4}\d/.test(text) ? text.replace(/^([A-Z]{1,4})(\d)/, '$1-$2') : text;
  const match = NUMBER_PATTERN.exec(canonical);
  if (match === null) return bad;
  const counter = Number(match[2]);
  if (!Number.isSafeInteger(counter) || counter < 1) return bad;
  return ok({ prefix: match[1] ?? DEFAULT_ORDER_PREFIX, counter });
}

/** The number the next accepted order gets, from the counter of the last one (0 when none yet). */
export function nextOrderNumber(lastCounter: number, prefix: string = DEFAULT_ORDER_PREFIX): { readonly counter: number; readonly number: string } {
  const counter = lastCounter + 1;
  return { counter, number: formatOrderNumber(counter, prefix) };
}
