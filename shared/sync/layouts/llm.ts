/**
 * The AI spend meter in the user's inbox room (`t/{tenant}/u/{user}/inbox`), written by the server
 * after every settlement, session change and alert, read by the client projection like the rest
 * of Plaza's synced data. One top-level map, `llm`:
 *
 * | key | value |
 * |---|---|
 * | `meter` | `LlmMeterRecord`: the user's day, the team's day and month, the global day |
 * | `session:{id}` | `LlmSessionRecord`: one chat session (its budget, guard state, last call); the server keeps the 10 most recent |
 * | `alerts` | `LlmAlertsRecord`: the latest budget alerts about this user (banners) |
 *
 * Only the server writes the inbox. Values that do not parse (an older or newer server, a bug) are
 * hidden and reported by `readLlmInbox`, never trusted.
 */
import { z } from 'zod';
import { SCOPE_KINDS } from '../../domain/llm/budgets.ts';
import { CALL_END_REASONS } from '../../domain/llm/settle.ts';
import { HALT_CODES } from '../../domain/llm/guards.ts';

export const INBOX_LLM = 'llm';
export const LLM_METER_KEY = 'meter';
export const LLM_ALERTS_KEY = 'alerts';
export const LLM_SESSION_PREFIX = 'session:';
export const LLM_INBOX_VERSION = 1;
/** Sessions kept in the inbox; older ones stay in the server's ledger only. */
export const LLM_INBOX_MAX_SESSIONS = 10;
export const LLM_INBOX_MAX_ALERTS = 10;

export const llmSessionKey = (sessionId: string): string => `${LLM_SESSION_PREFIX}${sessionId}`;

const money = z.int().min(0);
const time = z.number().finite();
const version = z.literal(LLM_INBOX_VERSION, { error: 'this AI spend record was written by a newer server: update the app' });

/** One budget as the UI shows it (see `spendMeter` in shared/domain/llm/meter.ts). */
export const meterRowSchema = z.strictObject({
  scopeKey: z.string().max(600),
  kind: z.enum(SCOPE_KINDS),
  label: z.string().max(200),
  window: z.string().max(20),
  spentMicroUsd: money,
  reservedMicroUsd: money,
  capMicroUsd: money,
  remainingMicroUsd: money,
  percentUsed: z.int().min(0).max(100),
  resetsAt: time.nullable(),
  summary: z.string().max(200),
});

export const llmMeterRecordSchema = z.strictObject({
  v: version,
  updatedAt: time,
  /** user-day, tenant-day, tenant-month and (when capped) global-day, in that order. */
  rows: z.array(meterRowSchema).max(8),
  /** The budget that will stop the next call first (not counting the session's own). */
  tightest: z.enum(SCOPE_KINDS),
  /** The most recently used chat session, or null. */
  lastSessionId: z.string().max(128).nullable(),
});

const haltSchema = z.strictObject({ code: z.enum(HALT_CODES), message: z.string().max(1000), at: time, resumable: z.boolean() });

export const llmSessionRecordSchema = z.strictObject({
  v: version,
  sessionId: z.string().min(1).max(128),
  updatedAt: time,
  startedAt: time,
  lastHumanInputAt: time,
  callCount: z.int().min(0),
  spentMicroUsd: money,
  /** The session's own budget. */
  budget: meterRowSchema,
  halt: haltSchema.nullable(),
  lastCall: z
    .strictObject({
      callId: z.string().max(128),
      model: z.string().max(100),
      endedBy: z.enum(CALL_END_REASONS),
      basis: z.enum(['usage', 'full-reservation']),
      chargedMicroUsd: money,
      at: time,
    })
    .nullable(),
});

export const llmAlertSchema = z.strictObject({
  id: z.int().min(0),
  code: z.enum(['threshold', 'usage-overrun']),
  kind: z.enum(SCOPE_KINDS),
  window: z.string().max(20),
  threshold: z.union([z.literal(50), z.literal(80), z.literal(100)]).nullable(),
  sessionId: z.string().max(128).nullable(),
  spentMicroUsd: money,
  capMicroUsd: money,
  message: z.string().max(1000),
  at: time,
});

export const llmAlertsRecordSchema = z.strictObject({ v: version, items: z.array(llmAlertSchema).max(LLM_INBOX_MAX_ALERTS) });

export type MeterRowRecord = z.infer<typeof meterRowSchema>;
export type LlmMeterRecord = z.infer<typeof llmMeterRecordSchema>;
export type LlmSessionRecord = z.infer<typeof llmSessionRecordSchema>;
export type LlmAlertRecord = z.infer<typeof llmAlertSchema>;
export type LlmAlertsRecord = z.infer<typeof llmAlertsRecordSchema>;

export interface LlmInboxView {
  readonly meter: LlmMeterRecord | null;
  /** Sessions by id. */
  readonly sessions: Readonly<Record<string, LlmSessionRecord>>;
  /** Newest first. */
  readonly alerts: readonly LlmAlertRecord[];
  /** Entries that did not parse: hidden, for the report. */
  readonly problems: readonly string[];
}

/**
 * Projects the `llm` map of an inbox (any iterable of [key, value]: a `Y.Map`, a `Map`, entries)
 * into plain records. Unknown keys and invalid values are skipped and named in `problems`.
 */
export function readLlmInbox(entries: Iterable<readonly [string, unknown]>): LlmInboxView {
  let meter: LlmMeterRecord | null = null;
  const sessions: Record<string, LlmSessionRecord> = {};
  let alerts: LlmAlertRecord[] = [];
  const problems: string[] = [];
  const problem = (key: string, error: z.ZodError) => problems.push(`${key}: ${error.issues[0]?.message ?? 'invalid'}`);
  for (const [key, value] of entries) {
    if (key === LLM_METER_KEY) {
      const parsed = llmMeterRecordSchema.safeParse(value);
      if (parsed.success) meter = parsed.data;
      else problem(key, parsed.error);
    } else if (key === LLM_ALERTS_KEY) {
      const parsed = llmAlertsRecordSchema.safeParse(value);
      if (parsed.success) alerts = [...parsed.data.items].sort((a, b) => b.id - a.id);
      else problem(key, parsed.error);
    } else if (key.startsWith(LLM_SESSION_PREFIX)) {
      const parsed = llmSessionRecordSchema.safeParse(value);
      if (!parsed.success) problem(key, parsed.error);
      else if (llmSessionKey(parsed.data.sessionId) !== key) problems.push(`${key}: stored under another session's key`);
      else sessions[parsed.data.sessionId] = parsed.data;
    } else {
      problems.push(`${key}: not a key of the AI spend layout`);
    }
  }
  return { meter, sessions, alerts, problems };
}
