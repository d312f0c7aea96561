/** Helpers to act as a user writing intents with a stock Yjs client. */
import { randomBytes } from 'node:crypto';
import type * as Y from 'yjs';
import { makeIntent, OUTBOX_INTENTS, type Decision } from '../../../shared/sync/intents.ts';

export function intentId(): string {
  return `i_${randomBytes(9).toString('base64url')}`;
}

export function writeIntent(outbox: Y.Doc, kind: string, payload: unknown, options: { id?: string; ttlMs?: number; now?: number } = {}): string {
  const id = options.id ?? intentId();
  outbox.getMap(OUTBOX_INTENTS).set(id, makeIntent({ id, kind, payload, now: options.now ?? Date.now(), ttlMs: options.ttlMs ?? 60_000 }));
  return id;
}

export function decisionIn(inbox: Y.Doc, id: string): Decision | undefined {
  return inbox.getMap<Decision>('decisions').get(id);
}
