/**
 * Field-level validation for records that people edit in a form (products) and that arrive
 * untrusted from a room (the same products, possibly tampered). Each reader takes an unknown
 * value, records `{ field, code, message }` errors for the form, and returns the clean value or
 * `undefined`. Readers never throw and bound their work before scanning big inputs.
 */
import { cleanLine, cleanMultiline, codePointLength, isHopelesslyLong } from './text.ts';
import { isPlainObject } from './vocab.ts';

export const FIELD_ERROR_CODES = [
  'required',
  'wrong-type',
  'too-short',
  'too-long',
  'too-many',
  'out-of-range',
  'not-allowed',
  'invalid-format',
  'unknown-field',
  'duplicate',
] as const;
export type FieldErrorCode = (typeof FIELD_ERROR_CODES)[number];

/** One problem with one form field; `field` is a dotted path such as `tags.3` or `price.amount`. */
export interface FieldError {
  readonly field: string;
  readonly code: FieldErrorCode;
  readonly message: string;
}

export type FieldErrors = FieldError[];

export function addError(errors: FieldErrors, field: string, code: FieldErrorCode, message: string): undefined {
  errors.push({ field, code, message });
  return undefined;
}

function missing(errors: FieldErrors, field: string, value: unknown, label: string): boolean {
  if (value === undefined) {
    addError(errors, field, 'required', `${label} is required.`);
    return true;
  }
  return false;
}

/** A plain object whose keys are all in `allowed`; unknown keys are errors (`field.key`). */
export function readObject(value: unknown, field: string, allowed: readonly string[], label: string, errors: FieldErrors): Record<string, unknown> | undefined {
  if (missing(errors, field, value, label)) return undefined;
  if (!isPlainObject(value)) return addError(errors, field, 'wrong-type', `${label} must be an object.`);
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) {
      const path = field === '' ? key : `${field}.${key}`;
      addError(errors, path, 'unknown-field', `"${key.slice(0, 40)}" is not a field of ${label.toLowerCase()}.`);
    }
  }
  return value;
}

export interface TextRule {
  readonly label: string;
  readonly min: number;
  readonly max: number;
  readonly multiline?: boolean;
}

/** A string, cleaned (see text.ts), whose length in code points is within `min..max`. */
export function readText(value: unknown, field: string, rule: TextRule, errors: FieldErrors): string | undefined {
  if (missing(errors, field, value, rule.label)) return undefined;
  if (typeof value !== 'string') return addError(errors, field, 'wrong-type', `${rule.label} must be text.`);
  if (isHopelesslyLong(value, rule.max)) return addError(errors, field, 'too-long', `${rule.label} can be at most ${rule.max} characters.`);
  const text = rule.multiline === true ? cleanMultiline(value) : cleanLine(value);
  const length = codePointLength(text);
  if (length < rule.min) {
    return addError(errors, field, rule.min === 1 ? 'required' : 'too-short', rule.min === 1 ? `${rule.label} is required.` : `${rule.label} needs at least ${rule.min} characters.`);
  }
  if (length > rule.max) return addError(errors, field, 'too-long', `${rule.label} can be at most ${rule.max} characters (it has ${length}).`);
  return text;
}

export interface IntegerRule {
  readonly label: string;
  readonly min: number;
  readonly max: number;
  /** Message for out-of-range values; a default one names the bounds. */
  readonly rangeMessage?: string;
}

/** A safe integer within `min..max` (never a numeric string, never a float). */
export function readInteger(value: unknown, field: string, rule: IntegerRule, errors: FieldErrors): number | undefined {
  if (missing(errors, field, value, rule.label)) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value)) return addError(errors, field, 'wrong-type', `${rule.label} must be a number.`);
  if (!Number.isSafeInteger(value)) return addError(errors, field, 'wrong-type', `${rule.label} must be a whole number.`);
  if (value < rule.min || value > rule.max) {
    return addError(errors, field, 'out-of-range', rule.rangeMessage ?? `${rule.label} must be between ${rule.min} and ${rule.max}.`);
  }
  return value;
}

/** One of a fixed vocabulary. */
export function readChoice<T extends string>(value: unknown, field: string, choices: readonly T[], label: string, errors: FieldErrors): T | undefined {
  if (missing(errors, field, value, label)) return undefined;
  if (typeof value !== 'string') return addError(errors, field, 'wrong-type', `${label} must be text.`);
  const found = choices.find((choice) => choice === value);
  if (found === undefined) return addError(errors, field, 'not-allowed', `${label} must be one of: ${choices.join(', ')}.`);
  return found;
}

/** An array of at most `max` items; a longer one is refused before any item is looked at. */
export function readArray(value: unknown, field: string, max: number, label: string, errors: FieldErrors): readonly unknown[] | undefined {
  if (missing(errors, field, value, label)) return undefined;
  if (!Array.isArray(value)) return addError(errors, field, 'wrong-type', `${label} must be a list.`);
  if (value.length > max) return addError(errors, field, 'too-many', `${label}: at most ${max} (there are ${value.length}).`);
  return value;
}
