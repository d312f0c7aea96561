/**
 * Intents and decisions. A user writes an intent into their outbox room; the server's referee
 * decides it exactly once and writes the decision into that user's inbox room; the client then
 * deletes the intent, and the server moves the decision on to the history room of its month.
 */
import { z } from 'zod';
import { fail, ok, type DomainError, type Result } from '../domain/result.ts';

export const INTENT_VERSION = 1;

/** Top-level names inside the Y.Docs involved. */
export const OUTBOX_INTENTS = 'intents';
export const INBOX_DECISIONS = 'decisions';
export const HISTORY_DECISIONS = 'decisions';

const INTENT_ID = /^[A-Za-z0-9_-]{8,64}$/;
const INTENT_KIND = /^[a-z][a-z0-9]*(\.[a-z][a-zA-Z0-9]*)+$/;

export const intentEnvelopeSchema = z.strictObject({
  v: z.number().int().positive(),
  id: z.string().regex(INTENT_ID, 'intent ids are 8–64 characters of A-Z a-z 0-9 _ -'),
  kind: z.string().max(64).regex(INTENT_KIND, 'intent kinds look like area.action'),
  createdAt: z.number().finite(),
  expiresAt: z.number().finite(),
  payload: z.unknown(),
});

export type IntentEnvelope = z.infer<typeof intentEnvelopeSchema>;

export const DECISION_STATUSES = ['accepted', 'rejected', 'invalid', 'expired'] as const;
export type DecisionStatus = (typeof DECISION_STATUSES)[number];

export interface DecisionReason {
  readonly code: string;
  readonly message: string;
}

export interface Decision {
  readonly v: typeof INTENT_VERSION;
  readonly intentId: string;
  readonly kind: string;
  readonly status: DecisionStatus;
  readonly reason?: DecisionReason;
  readonly result?: unknown;
  readonly decidedAt: number;
}

export const decisionSchema = z.strictObject({
  v: z.literal(INTENT_VERSION),
  intentId: z.string().regex(INTENT_ID),
  kind: z.string().max(64),
  status: z.enum(DECISION_STATUSES),
  reason: z.strictObject({ code: z.string().max(64), message: z.string().max(500) }).optional(),
  result: z.unknown().optional(),
  decidedAt: z.number().finite(),
});

export type IntentProblem = DomainError<'malformed' | 'unsupported-version'>;

/**
 * Parses an intent as found in an outbox. An envelope from a newer app version is not malformed:
 * it is decided `invalid` with a message asking its author to update.
 */
export function parseIntent(value: unknown): Result<IntentEnvelope, IntentProblem> {
  if (typeof value === 'object' && value !== null && 'v' in value && typeof value.v === 'number' && value.v > INTENT_VERSION) {
    return fail('unsupported-version', `this request was made by a newer version of Plaza (v${value.v}); update the app`);
  }
  const parsed = intentEnvelopeSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return fail('malformed', `malformed request${issue ? ` (${issue.path.join('.') || 'envelope'}: ${issue.message})` : ''}`);
  }
  return ok(parsed.data);
}

export function makeIntent(input: { id: string; kind: string; payload: unknown; now: number; ttlMs: number }): IntentEnvelope {
  return { v: INTENT_VERSION, id: input.id, kind: input.kind, createdAt: input.now, expiresAt: input.now + input.ttlMs, payload: input.payload };
}

export function intentArea(kind: string): string {
  return kind.slice(0, kind.indexOf('.'));
}
