/**
 * Values this referee wrote into a room are trusted by identity: Y.Map.get returns the very
 * object that was set as long as the room stays loaded, and nobody else can write these rooms.
 * So a market, position or account is parsed once (when loaded from the store) and then reused
 * without running zod again on every trade. A reloaded room yields new objects: parsed anew.
 *
 * The mark is a non-enumerable symbol property on the object itself: Yjs encodes only
 * `Object.keys`, so it never reaches a room, and unlike a WeakMap it costs the garbage collector
 * nothing (a WeakMap entry per trade made ephemeron tables a large part of GC time).
 */
import type { Result } from '../../../../shared/domain/result.ts';

const TRUSTED: unique symbol = Symbol('markets.trusted');

type Marked = { [TRUSTED]?: unknown };

/** Marks `raw` (the object to store) as trusted, reading as `value` (itself by default). */
export function remember<T extends object>(raw: T, value: unknown = raw): T {
  Object.defineProperty(raw, TRUSTED, { value, enumerable: false, configurable: true });
  return raw;
}

/** Reads a stored value through `read`, unless this referee wrote that very object. */
export function readTrusted<T, E>(raw: unknown, read: (raw: unknown) => Result<T, E>): Result<T, E> {
  if (typeof raw === 'object' && raw !== null) {
    const known = (raw as Marked)[TRUSTED];
    if (known !== undefined) return { ok: true, value: known as T };
  }
  const result = read(raw);
  if (result.ok && typeof raw === 'object' && raw !== null && Object.isExtensible(raw)) remember(raw, result.value);
  return result;
}
