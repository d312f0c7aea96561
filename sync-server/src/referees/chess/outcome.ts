import type { Outcome } from '../../intents/referee.ts';

/** A rejection with a code and a message for people (and, rarely, a result such as the new game). */
export function rejected(code: string, message: string, result?: unknown): Outcome {
  return result === undefined ? { status: 'rejected', reason: { code, message } } : { status: 'rejected', reason: { code, message }, result };
}
