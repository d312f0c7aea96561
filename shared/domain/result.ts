/**
 * Errors are values: every parse, validate and decide function returns a Result whose error has
 * a typed `code` (a union per module) and a message for people. Throw only for programmer errors.
 */
export type Result<T, E> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: E };

export interface DomainError<Code extends string> {
  readonly code: Code;
  readonly message: string;
}

export function ok<T>(value: T): { readonly ok: true; readonly value: T } {
  return { ok: true, value };
}

export function err<E>(error: E): { readonly ok: false; readonly error: E } {
  return { ok: false, error };
}

export function fail<Code extends string>(code: Code, message: string): { readonly ok: false; readonly error: DomainError<Code> } {
  return { ok: false, error: { code, message } };
}

/** Unwraps a Result where failure would be a bug (tests, invariants already checked). */
export function expectOk<T, E>(result: Result<T, E>): T {
  if (!result.ok) throw new Error(`expected ok, got ${JSON.stringify(result.error)}`);
  return result.value;
}
