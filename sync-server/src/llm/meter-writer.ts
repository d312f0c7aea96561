/**
 * Writes the AI spend meter into the user's inbox room (layout: shared/sync/layouts/llm.ts) after
 * every settlement, refusal that changed a session, session change and alert. Writes go through
 * the intent runner's task queue, so they are durable before they are published. Requests for one
 * user coalesce: while a write runs, later requests make one more write with the newest numbers.
 */
import type { MicroUsd } from '../../../shared/domain/money.ts';
import { scopeKey, scopesFor, type CallIdentity } from '../../../shared/domain/llm/budgets.ts';
import { sessionMeterRow, spendMeter, type MeterRow } from '../../../shared/domain/llm/meter.ts';
import type { CallEndReason } from '../../../shared/domain/llm/settle.ts';
import { roomNames } from '../../../shared/sync/rooms.ts';
import {
  INBOX_LLM,
  LLM_ALERTS_KEY,
  LLM_INBOX_MAX_ALERTS,
  LLM_INBOX_MAX_SESSIONS,
  LLM_INBOX_VERSION,
  LLM_METER_KEY,
  LLM_SESSION_PREFIX,
  llmSessionKey,
  type LlmAlertRecord,
  type LlmMeterRecord,
  type LlmSessionRecord,
  type MeterRowRecord,
} from '../../../shared/sync/layouts/llm.ts';
import type { IntentRunner } from '../intents/runner.ts';
import type { Logger } from '../log.ts';
import type { LlmLedgerStore } from '../store/types.ts';
import type { BudgetBook } from './settings.ts';

export const LLM_QUEUE = '_llm';

export interface LastCall {
  readonly callId: string;
  readonly model: string;
  readonly endedBy: CallEndReason;
  readonly basis: 'usage' | 'full-reservation';
  readonly chargedMicroUsd: MicroUsd;
  readonly at: number;
}

export interface MeterWriterOptions {
  readonly runner: IntentRunner;
  readonly store: LlmLedgerStore;
  readonly budgets: BudgetBook;
  readonly logger: Logger;
  readonly now: () => number;
}

const row = (meter: MeterRow): MeterRowRecord => ({ ...meter });

/** Whether two JSON values are equal (what the inbox holds vs. what would be written), without serializing them. */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((item, index) => sameJson(item, b[index]));
  if (Array.isArray(b)) return false;
  // Fields set to undefined are absent in JSON.
  const keysA = Object.keys(a).filter((key) => (a as Record<string, unknown>)[key] !== undefined);
  const keysB = Object.keys(b).filter((key) => (b as Record<string, unknown>)[key] !== undefined);
  return keysA.length === keysB.length && keysA.every((key) => Object.hasOwn(b, key) && sameJson((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]));
}

export class MeterWriter {
  private readonly options: MeterWriterOptions;
  private readonly running = new Map<string, Promise<void>>();
  private readonly again = new Set<string>();
  private readonly lastCalls = new Map<string, LastCall>();
  private stopped = false;

  constructor(options: MeterWriterOptions) {
    this.options = options;
  }

  noteLastCall(identity: CallIdentity, call: LastCall): void {
    const key = `${identity.tenantId}\u0000${identity.userId}\u0000${identity.sessionId}`;
    this.lastCalls.delete(key);
    this.lastCalls.set(key, call);
    if (this.lastCalls.size > 10_000) this.lastCalls.delete(this.lastCalls.keys().next().value as string);
  }

  schedule(tenant: string, user: string): void {
    if (this.stopped) return;
    const key = `${tenant}\u0000${user}`;
    if (this.running.has(key)) {
      this.again.add(key);
      return;
    }
    const job = (async () => {
      // The meter is bookkeeping for the UI: it waits one turn so that the I/O already pending
      // (the first tokens of the stream just written, other clients' requests and chunks) goes
      // first, and the requests of that turn coalesce into this one write.
      await new Promise((resolve) => setImmediate(resolve));
      do {
        this.again.delete(key);
        try {
          await this.write(tenant, user);
        } catch (error) {
          this.options.logger.error({ err: error, tenant, user }, 'writing the AI spend meter into the inbox failed');
        }
      } while (this.again.has(key) && !this.stopped);
    })().finally(() => this.running.delete(key));
    this.running.set(key, job);
  }

  /** Waits until every scheduled write is done (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running.values()]);
  }

  stop(): void {
    this.stopped = true;
  }

  private async write(tenant: string, user: string): Promise<void> {
    const { store, budgets, runner } = this.options;
    const now = this.options.now();
    const limits = await budgets.limitsFor(tenant);
    const sessions = await store.recentSessions(tenant, user, LLM_INBOX_MAX_SESSIONS);
    const lastSessionId = sessions[0]?.state.sessionId ?? null;
    const identity: CallIdentity = { tenantId: tenant, userId: user, sessionId: lastSessionId ?? '-' };
    const keys = [
      ...scopesFor(identity, limits, now).map((scope) => scope.key),
      ...sessions.map((session) => scopeKey('session', { ...identity, sessionId: session.state.sessionId }, 'session')),
    ];
    const snapshot = await store.snapshot(keys);
    const userRows = spendMeter(identity, limits, snapshot, now).rows.filter((meter) => meter.kind !== 'session');
    const tightest = userRows.reduce((least, meter) => (meter.remainingMicroUsd < least.remainingMicroUsd ? meter : least));
    const meter: LlmMeterRecord = { v: LLM_INBOX_VERSION, updatedAt: now, rows: userRows.map(row), tightest: tightest.kind, lastSessionId };
    const sessionRecords: LlmSessionRecord[] = sessions.map(({ state, updatedAt }) => {
      const lastCall = this.lastCalls.get(`${tenant}\u0000${user}\u0000${state.sessionId}`) ?? null;
      return {
        v: LLM_INBOX_VERSION,
        sessionId: state.sessionId,
        // When the session last changed in the ledger (not when this meter was written): a
        // session that did not change is left alone in the inbox instead of rewritten every time.
        updatedAt,
        startedAt: state.startedAt,
        lastHumanInputAt: state.lastHumanInputAt,
        callCount: state.callCount,
        spentMicroUsd: state.spentMicroUsd,
        budget: row(sessionMeterRow({ ...identity, sessionId: state.sessionId }, limits, snapshot)),
        halt: state.halt,
        lastCall,
      };
    });
    const alerts: LlmAlertRecord[] = (await store.alerts({ tenant, limit: 50 }))
      .filter((alert) => alert.user === user || alert.user === null)
      .slice(0, LLM_INBOX_MAX_ALERTS)
      .map((alert) => ({
        id: alert.id,
        code: alert.code,
        kind: alert.kind,
        window: alert.window,
        threshold: alert.threshold,
        sessionId: alert.session,
        spentMicroUsd: alert.spentMicroUsd,
        capMicroUsd: alert.capMicroUsd,
        message: alert.message.slice(0, 1000),
        at: alert.at,
      }));

    const inbox = roomNames.inbox(tenant, user);
    await runner.task(tenant, LLM_QUEUE, {
      rooms: [inbox],
      run: (context) => {
        context.write(inbox, (doc) => {
          const map = doc.getMap<unknown>(INBOX_LLM);
          const put = (key: string, value: unknown) => {
            if (!sameJson(map.get(key), value)) map.set(key, value);
          };
          put(LLM_METER_KEY, meter);
          const keep = new Set(sessionRecords.map((record) => llmSessionKey(record.sessionId)));
          for (const record of sessionRecords) put(llmSessionKey(record.sessionId), record);
          for (const key of [...map.keys()]) if (key.startsWith(LLM_SESSION_PREFIX) && !keep.has(key)) map.delete(key);
          put(LLM_ALERTS_KEY, { v: LLM_INBOX_VERSION, items: alerts });
        });
      },
    });
  }
}
