/**
 * Values this referee wrote into a room are trusted by identity: Y.Map.get returns the very
 * object that was set as long as the room stays loaded, and nobody else can write these rooms.
 * So a market, position or account is parsed once (when loaded from the store) and then reused
 * without running zod again on every trade. A reloaded room yields new objects: parsed anew.
 */
import type { Result } from '../../../../shared/domain/result.ts';

const parsed = new WeakMap<object, unknown>();

/** Records `value` as what reading `raw` gives; returns `raw` (the object to store). */
export function remember<T extends object>(raw: T, value: unknown = raw): T {
  parsed.set(raw, value);
  return raw;
}

/** Reads a stored value through `read`, unless this referee wrote that very object. */
export function readTrusted<T, E>(raw: unknown, read: (raw: unknown) => Result<T, E>): Result<T, E> {
  if (typeof raw === 'object' && raw !== null) {
    const known = parsed.get(raw);
    if (known !== undefined) return { ok: true, value: known as T };
  }
  const result = read(raw);
  if (result.ok && typeof raw === 'object' && raw !== null) parsed.set(raw, result.value);
  return result;
}
