/**
 * The LLM spend ledger in SQL: the budget policy of `shared/domain/llm` made durable and atomic.
 * Used by the server's embedded store and by the Electron main process (direct mode), each on its
 * own `node:sqlite` database; written against the structural `SqlDatabase` so it imports no driver.
 *
 * One call:
 * 1. `plan(input)`: reads the session and the scopes, runs `planCall` (token counting included)
 *    outside any lock.
 * 2. `admit(planned)`: ONE `BEGIN IMMEDIATE` transaction: re-reads the session (by version) and the
 *    scopes, re-plans only if either moved, then for every scope
 *    `UPDATE … SET reserved = reserved + amount WHERE committed + reserved + amount <= cap`, inserts
 *    the call row and stores the session state. A statement that changes no row rolls all of it
 *    back: the database itself holds the invariant, not only the JavaScript before it.
 * 3. `settle(callId, plan, outcome)`: one transaction: closes the call (once), moves the charge
 *    from reserved to committed in every scope, records it on the session (an overrun halts it),
 *    and fires the 50/80/100 % alerts newly reached.
 * `recoverOpenCalls` settles at their full reservation the calls a crash left open.
 */
import { formatMicroUsd, microUsd, type MicroUsd } from '../domain/money.ts';
import { err, ok, type DomainError, type Result } from '../domain/result.ts';
import { evaluateAlerts, type AlertThreshold, type BudgetAlert } from '../domain/llm/alerts.ts';
import { scopeLabel, scopesFor, type BudgetLimits, type BudgetScope, type CallIdentity, type LedgerSnapshot, type ScopeKind, type ScopeUsage } from '../domain/llm/budgets.ts';
import { parseSessionGuardState, recordSettlement, resumeSession, startSession, type GuardConfig, type SessionGuardState } from '../domain/llm/guards.ts';
import { planCall, type CallPlan, type CallPolicy, type KillSwitches } from '../domain/llm/plan.ts';
import type { PriceTable } from '../domain/llm/prices.ts';
import type { PromptTokenCounter } from '../domain/llm/tokens.ts';
import type { BudgetShortfall, KillSwitchScope, Refusal } from '../domain/llm/refusal.ts';
import { settle as settleCall, type CallOutcome, type OverrunAlert, type Settlement } from '../domain/llm/settle.ts';
import { dayWindow } from '../domain/llm/windows.ts';
import { immediateTransaction, int, nullableInt, nullableText, StatementCache, text, type SqlDatabase, type SqlRow, type SqlValue } from './db.ts';

export interface PlanInput {
  readonly callId: string;
  /** The untrusted request body. */
  readonly body: unknown;
  /** Who: from the verified token (server) or the local profile (direct mode), never the body. */
  readonly identity: CallIdentity;
  readonly prices: PriceTable;
  readonly limits: BudgetLimits;
  readonly policy: CallPolicy;
  readonly guards: GuardConfig;
  readonly killSwitches: KillSwitches;
  readonly now: number;
  /** How to count the prompt (the server's cached counter); default `countPromptTokens`. */
  readonly countPromptTokens?: PromptTokenCounter;
}

/** A plan made outside the lock, with the session version it was made from. */
export interface PlannedCall {
  readonly input: PlanInput;
  readonly result: Result<CallPlan, Refusal>;
  readonly sessionVersion: number;
}

/** The 100 % alert of a budget that can no longer pay for the smallest call. */
export type ReserveResult =
  | { readonly kind: 'admitted'; readonly callId: string; readonly plan: CallPlan }
  | { readonly kind: 'refused'; readonly refusal: Refusal; readonly session: SessionGuardState; readonly alerts: readonly LedgerAlert[] }
  | { readonly kind: 'no-session' };

export interface SettleMeta {
  readonly now: number;
  readonly guards: GuardConfig;
  /** From admission to the end of the call. */
  readonly latencyMs?: number;
  /** From admission to the first answer token (streams). */
  readonly firstTokenMs?: number;
}

export interface LedgerAlert {
  readonly id: number;
  readonly code: 'threshold' | 'usage-overrun';
  readonly scopeKey: string;
  readonly kind: ScopeKind;
  readonly window: string;
  readonly threshold: AlertThreshold | null;
  readonly tenant: string | null;
  readonly user: string | null;
  readonly session: string | null;
  readonly spentMicroUsd: MicroUsd;
  readonly capMicroUsd: MicroUsd;
  readonly message: string;
  readonly at: number;
}

export interface SettleResult {
  readonly settlement: Settlement;
  readonly session: SessionGuardState | null;
  readonly alerts: readonly LedgerAlert[];
}

export interface RecoveredCall {
  readonly callId: string;
  readonly tenant: string;
  readonly user: string;
  readonly session: string;
  readonly model: string;
  readonly chargedMicroUsd: MicroUsd;
}

export interface StoredSession {
  readonly state: SessionGuardState;
  readonly version: number;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export interface CallRecord {
  readonly id: string;
  readonly tenant: string;
  readonly user: string;
  readonly session: string;
  readonly model: string;
  readonly day: string;
  readonly stream: boolean;
  readonly admittedAt: number;
  readonly promptTokensCounted: number;
  readonly promptTokensReserved: number;
  readonly requestedMaxTokens: number | null;
  readonly clampedMaxTokens: number;
  readonly reservedMicroUsd: MicroUsd;
  readonly status: 'open' | 'settled';
  readonly endedAt: number | null;
  readonly endedBy: string | null;
  readonly basis: string | null;
  readonly chargedMicroUsd: MicroUsd | null;
  readonly promptTokens: number | null;
  readonly cachedTokens: number | null;
  readonly completionTokens: number | null;
  readonly latencyMs: number | null;
  readonly firstTokenMs: number | null;
  readonly overrun: boolean;
  readonly recovered: boolean;
}

export interface ScopeRecord extends ScopeUsage {
  readonly key: string;
  readonly kind: ScopeKind;
  readonly window: string;
  readonly capMicroUsd: MicroUsd;
  readonly alerted: number;
}

export interface SpendRow {
  readonly tenant: string;
  readonly user: string;
  readonly model: string;
  readonly day: string;
  readonly calls: number;
  /** Settled charges. */
  readonly chargedMicroUsd: MicroUsd;
  /** Still held by open calls. */
  readonly openReservedMicroUsd: MicroUsd;
  readonly promptTokens: number;
  readonly cachedTokens: number;
  readonly completionTokens: number;
}

export interface KillSwitchRecord {
  readonly scope: KillSwitchScope;
  /** '' (global), tenant, tenant/user, tenant/user/session: see `killSwitchTarget`. */
  readonly target: string;
  readonly reason: string | null;
  readonly setBy: string;
  readonly setAt: number;
}

/** The target string of a kill switch row. */
export function killSwitchTarget(scope: KillSwitchScope, tenant = '', user = '', session = ''): string {
  const part = (value: string) => encodeURIComponent(value);
  switch (scope) {
    case 'global':
      return '';
    case 'tenant':
      return part(tenant);
    case 'user':
      return `${part(tenant)}/${part(user)}`;
    case 'session':
      return `${part(tenant)}/${part(user)}/${part(session)}`;
  }
}

/** The switches that apply to one call, for `planCall`. */
export function killSwitchesFor(rows: Iterable<KillSwitchRecord>, identity: CallIdentity): KillSwitches {
  const wanted = new Map<string, KillSwitchScope>([
    [`global\u0000`, 'global'],
    [`tenant\u0000${killSwitchTarget('tenant', identity.tenantId)}`, 'tenant'],
    [`user\u0000${killSwitchTarget('user', identity.tenantId, identity.userId)}`, 'user'],
    [`session\u0000${killSwitchTarget('session', identity.tenantId, identity.userId, identity.sessionId)}`, 'session'],
  ]);
  const on: Partial<Record<KillSwitchScope, { reason?: string }>> = {};
  for (const row of rows) {
    const scope = wanted.get(`${row.scope}\u0000${row.target}`);
    if (scope) on[scope] = row.reason === null ? {} : { reason: row.reason };
  }
  return on;
}

export class LedgerInvariantError extends Error {
  override readonly name = 'LedgerInvariantError';
}

/** A scope had no room for an optimistic plan: roll back and re-plan under the lock. */
class ScopesMoved extends Error {
  override readonly name = 'ScopesMoved';
}

/** Only for a session row that vanished mid-transaction (never in practice). */
function startSessionPlaceholder(sessionId: string, now: number): SessionGuardState {
  return startSession(sessionId, now);
}

/** Session states kept parsed (a few hundred bytes each). */
const PARSED_STATES_KEPT = 2_000;

/** See `recentSessions`: both directions must match the index for it to be read in order. */
export const RECENT_SESSIONS_SQL = 'SELECT state, version, created_at, updated_at FROM llm_sessions WHERE tenant = ? AND user = ? ORDER BY updated_at DESC, session DESC LIMIT ?';

/** Keys read per statement by `snapshot` (a call touches five scopes; a meter a few more). */
const SNAPSHOT_CHUNK = 16;

/** `?, ?, …`: `count` parameters. */
const placeholders = (count: number) => '?, '.repeat(count).slice(0, -2);
/** `(?, ?, …), (?, ?, …)`: `rows` rows of `columns` parameters, for a `VALUES` list. */
const valueRows = (rows: number, columns: number) => `(${placeholders(columns)}), `.repeat(rows).slice(0, -2);

const SCOPE_KINDS_SET = new Set<string>(['session', 'user-day', 'tenant-day', 'tenant-month', 'global-day']);

/** Ledger rows back into records; the embedded (SQLite) and the Postgres schemas differ only in two column names. */
export interface LedgerColumns {
  readonly user: 'user' | 'user_id';
  readonly window: 'window' | 'scope_window';
}

export function ledgerRowMappers(columns: LedgerColumns) {
  const scopeRecord = (row: SqlRow): ScopeRecord => {
    const kind = text(row.kind);
    if (!SCOPE_KINDS_SET.has(kind)) throw new LedgerInvariantError(`unknown scope kind "${kind}" in the ledger`);
    return {
      key: text(row.key),
      kind: kind as ScopeKind,
      window: text(row[columns.window]),
      capMicroUsd: microUsd(int(row.cap)),
      committedMicroUsd: microUsd(int(row.committed)),
      reservedMicroUsd: microUsd(int(row.reserved)),
      alerted: int(row.alerted),
    };
  };

  const callRecord = (row: SqlRow): CallRecord => {
    const charged = nullableInt(row.charged);
    return {
      id: text(row.id),
      tenant: text(row.tenant),
      user: text(row[columns.user]),
      session: text(row.session),
      model: text(row.model),
      day: text(row.day),
      stream: int(row.stream) === 1,
      admittedAt: int(row.admitted_at),
      promptTokensCounted: int(row.prompt_tokens_counted),
      promptTokensReserved: int(row.prompt_tokens_reserved),
      requestedMaxTokens: nullableInt(row.requested_max_tokens),
      clampedMaxTokens: int(row.clamped_max_tokens),
      reservedMicroUsd: microUsd(int(row.reserved)),
      status: text(row.status) === 'open' ? 'open' : 'settled',
      endedAt: nullableInt(row.ended_at),
      endedBy: nullableText(row.ended_by),
      basis: nullableText(row.basis),
      chargedMicroUsd: charged === null ? null : microUsd(charged),
      promptTokens: nullableInt(row.prompt_tokens),
      cachedTokens: nullableInt(row.cached_tokens),
      completionTokens: nullableInt(row.completion_tokens),
      latencyMs: nullableInt(row.latency_ms),
      firstTokenMs: nullableInt(row.first_token_ms),
      overrun: int(row.overrun) === 1,
      recovered: int(row.recovered) === 1,
    };
  };

  const alertRecord = (row: SqlRow): LedgerAlert => {
    const threshold = nullableInt(row.threshold);
    return {
      id: int(row.id),
      code: text(row.code) === 'usage-overrun' ? 'usage-overrun' : 'threshold',
      scopeKey: text(row.scope_key),
      kind: text(row.kind) as ScopeKind,
      window: text(row[columns.window]),
      threshold: threshold === 50 || threshold === 80 || threshold === 100 ? threshold : null,
      tenant: nullableText(row.tenant),
      user: nullableText(row[columns.user]),
      session: nullableText(row.session),
      spentMicroUsd: microUsd(int(row.spent)),
      capMicroUsd: microUsd(int(row.cap)),
      message: text(row.message),
      at: int(row.at),
    };
  };

  /** Who an alert about `kind` concerns: user scopes name the user, the global scope no tenant. */
  return { scopeRecord, callRecord, alertRecord };
}

const { scopeRecord, callRecord, alertRecord } = ledgerRowMappers({ user: 'user', window: 'window' });

function alertOwner(kind: ScopeKind, identity: { tenant: string; user: string; session: string }) {
  return {
    tenant: kind === 'global-day' ? null : identity.tenant,
    user: kind === 'session' || kind === 'user-day' ? identity.user : null,
    session: kind === 'session' ? identity.session : null,
  };
}

export class LlmLedger {
  private readonly db: SqlDatabase;
  private readonly statements: StatementCache;
  /** Session states by their stored text, least recently used first (see `storedSession`). */
  private readonly parsedStates = new Map<string, SessionGuardState>();

  constructor(db: SqlDatabase) {
    this.db = db;
    this.statements = new StatementCache(db);
  }

  private sql(sql: string) {
    return this.statements.get(sql);
  }

  // Sessions ----------------------------------------------------------------------------------

  private readSession(identity: CallIdentity): StoredSession | null {
    const row = this.sql('SELECT state, version, created_at, updated_at FROM llm_sessions WHERE tenant = ? AND user = ? AND session = ?').get(identity.tenantId, identity.userId, identity.sessionId) as
      | SqlRow
      | undefined;
    return row ? this.storedSession(row) : null;
  }

  /**
   * A session row as a checked state. The state text is parsed and validated once: the same text
   * read again (every call reads its session twice, every meter a user's recent ones) is the same
   * immutable state.
   */
  private storedSession(row: SqlRow): StoredSession {
    const stateText = text(row.state);
    let state = this.parsedStates.get(stateText);
    if (state) {
      this.parsedStates.delete(stateText);
    } else {
      const parsed = parseSessionGuardState(JSON.parse(stateText) as unknown);
      if (!parsed.ok) throw new LedgerInvariantError(parsed.error.message);
      state = parsed.value;
      if (this.parsedStates.size >= PARSED_STATES_KEPT) this.parsedStates.delete(this.parsedStates.keys().next().value as string);
    }
    this.parsedStates.set(stateText, state);
    return { state, version: int(row.version), createdAt: int(row.created_at), updatedAt: int(row.updated_at) };
  }

  /** Stores a session's new state if it is still at `version`; false when it moved (or is gone). */
  private tryWriteSession(identity: CallIdentity, state: SessionGuardState, version: number, now: number): boolean {
    const result = this.sql('UPDATE llm_sessions SET state = ?, version = version + 1, updated_at = ? WHERE tenant = ? AND user = ? AND session = ? AND version = ?').run(
      JSON.stringify(state),
      now,
      identity.tenantId,
      identity.userId,
      identity.sessionId,
      version,
    );
    return Number(result.changes) === 1;
  }

  private writeSession(identity: CallIdentity, state: SessionGuardState, version: number, now: number): void {
    if (!this.tryWriteSession(identity, state, version, now)) throw new LedgerInvariantError(`chat session ${identity.sessionId} changed under a transaction`);
  }

  /** A new chat session (opening it counts as human input). Throws if the id is taken. */
  createSession(identity: CallIdentity, now: number): SessionGuardState {
    const state = startSession(identity.sessionId, now);
    this.sql('INSERT INTO llm_sessions(tenant, user, session, state, version, created_at, updated_at) VALUES (?, ?, ?, ?, 1, ?, ?)').run(
      identity.tenantId,
      identity.userId,
      identity.sessionId,
      JSON.stringify(state),
      now,
      now,
    );
    return state;
  }

  session(identity: CallIdentity): StoredSession | null {
    return this.readSession(identity);
  }

  /**
   * The user's sessions, most recently used first (ties: the greater id first). The order is the
   * index `llm_sessions_recent` read backwards (it ends with the key, so `session` too): the first
   * `limit` rows, whatever the user's number of sessions. With `session` ascending SQLite read every
   * session of the user and sorted them, at every inbox meter write, i.e. after every call.
   */
  recentSessions(tenant: string, user: string, limit: number): StoredSession[] {
    const rows = this.sql(RECENT_SESSIONS_SQL).all(tenant, user, limit) as SqlRow[];
    return rows.map((row) => this.storedSession(row));
  }

  /** The human action after a halt. */
  resumeSession(identity: CallIdentity, now: number): Result<SessionGuardState, DomainError<'needs-new-session' | 'no-session'>> {
    return immediateTransaction(this.db, () => {
      const stored = this.readSession(identity);
      if (!stored) return err({ code: 'no-session' as const, message: 'This chat session does not exist.' });
      const resumed = resumeSession(stored.state, now, { kind: 'resume' });
      if (!resumed.ok) return resumed;
      this.writeSession(identity, resumed.value, stored.version, now);
      return ok(resumed.value);
    });
  }

  // Reservations ------------------------------------------------------------------------------

  /** What the ledger holds for these keys (missing keys have spent nothing). */
  snapshot(keys: readonly string[]): LedgerSnapshot {
    const snapshot: Record<string, ScopeUsage> = {};
    // One statement per chunk of keys (prepared once per chunk size) instead of one per key.
    for (let start = 0; start < keys.length; start += SNAPSHOT_CHUNK) {
      const chunk = keys.slice(start, start + SNAPSHOT_CHUNK);
      const rows = this.sql(`SELECT key, committed, reserved FROM llm_scopes WHERE key IN (${placeholders(chunk.length)})`).all(...chunk) as SqlRow[];
      for (const row of rows) snapshot[text(row.key)] = { committedMicroUsd: microUsd(int(row.committed)), reservedMicroUsd: microUsd(int(row.reserved)) };
    }
    return snapshot;
  }

  private planWith(input: PlanInput, session: SessionGuardState): Result<CallPlan, Refusal> {
    const keys = scopesFor(input.identity, input.limits, input.now).map((scope) => scope.key);
    return planCall(input.body, { ...input, ledger: this.snapshot(keys), session });
  }

  /** Step 1, outside the lock: null when the session does not exist. */
  plan(input: PlanInput): PlannedCall | null {
    const stored = this.readSession(input.identity);
    if (!stored) return null;
    return { input, result: this.planWith(input, stored.state), sessionVersion: stored.version };
  }

  /**
   * Step 2: the atomic check-and-reserve across every scope, with the session state. Optimistic:
   * when the session has not moved since the plan, the conditional UPDATEs alone decide; if one
   * of them finds no room (the scopes moved), everything is rolled back and re-planned inside a
   * second transaction against what the ledger holds then.
   */
  admit(planned: PlannedCall): ReserveResult {
    try {
      return this.admitOnce(planned, false);
    } catch (error) {
      if (!(error instanceof ScopesMoved)) throw error;
      return this.admitOnce(planned, true);
    }
  }

  private admitOnce(planned: PlannedCall, replan: boolean): ReserveResult {
    const { input } = planned;
    const { identity, now } = input;
    return immediateTransaction(this.db, (): ReserveResult => {
      let version = planned.sessionVersion;
      let result = planned.result;
      if (replan) {
        const stored = this.readSession(identity);
        if (!stored) return { kind: 'no-session' };
        version = stored.version;
        result = this.planWith(input, stored.state);
      }
      if (!result.ok) return this.refuse(planned, result.error, version, replan);
      const plan = result.value;
      // The session first, on the version the plan was made from: a session that moved since
      // (another call of it, a resume) changes no row, and the call is re-planned under the lock.
      if (!this.tryWriteSession(identity, plan.sessionAfter, version, now)) {
        if (!replan) throw new ScopesMoved();
        throw new LedgerInvariantError(`chat session ${identity.sessionId} changed under a transaction`);
      }
      // Every scope in one statement: insert it holding `amount`, or add `amount` to what it
      // holds, only where committed + reserved + amount <= cap. Fewer rows changed: no room.
      const rows = plan.reservations;
      const params: SqlValue[] = [];
      for (const row of rows) params.push(row.scope.key, row.scope.kind, row.scope.window, row.scope.capMicroUsd, row.amountMicroUsd, now);
      const changed = this.sql(
        `INSERT INTO llm_scopes(key, kind, window, cap, committed, reserved, alerted, updated_at)
         SELECT column1, column2, column3, column4, 0, column5, 0, column6 FROM (VALUES ${valueRows(rows.length, 6)}) WHERE column5 <= column4
         ON CONFLICT(key) DO UPDATE SET reserved = reserved + excluded.reserved, cap = excluded.cap, updated_at = excluded.updated_at
         WHERE committed + reserved + excluded.reserved <= excluded.cap`,
      ).run(...params);
      if (Number(changed.changes) !== rows.length) {
        if (!replan) throw new ScopesMoved();
        throw new LedgerInvariantError(`the scopes of call ${input.callId} cannot hold ${plan.worstCaseMicroUsd} µ$ although the plan said they could`);
      }
      this.sql(
        `INSERT INTO llm_calls(id, tenant, user, session, model, day, stream, admitted_at, prompt_tokens_counted, prompt_tokens_reserved,
           requested_max_tokens, clamped_max_tokens, choices, reserved, scope_keys, status)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'open')`,
      ).run(
        input.callId,
        identity.tenantId,
        identity.userId,
        identity.sessionId,
        plan.model.id,
        dayWindow(now),
        plan.stream ? 1 : 0,
        now,
        plan.promptTokensCounted,
        plan.promptTokensReserved,
        plan.requestedMaxTokens,
        plan.clampedMaxTokens,
        plan.choices,
        plan.worstCaseMicroUsd,
        JSON.stringify(plan.reservations.map((row) => [row.scope.key, row.amountMicroUsd])),
      );
      return { kind: 'admitted', callId: input.callId, plan };
    });
  }

  /** A refused plan, inside the admission's transaction: stores what the refusal did to the session. */
  private refuse(planned: PlannedCall, planRefusal: Refusal, version: number, replanned: boolean): ReserveResult {
    const { identity, now } = planned.input;
    let refusal = planRefusal;
    let stored: StoredSession | null = null;
    if (!replanned) {
      // The plan was made outside the lock: re-make it if the session moved meanwhile.
      stored = this.readSession(identity);
      if (!stored) return { kind: 'no-session' };
      if (stored.version !== version) {
        version = stored.version;
        const again = this.planWith(planned.input, stored.state);
        if (again.ok) throw new ScopesMoved();
        refusal = again.error;
      }
    }
    stored ??= this.readSession(identity);
    let session = stored?.state ?? startSessionPlaceholder(identity.sessionId, now);
    if (refusal.sessionAfter) {
      this.writeSession(identity, refusal.sessionAfter, version, now);
      session = refusal.sessionAfter;
    }
    const alerts = refusal.code === 'budget-exhausted' && refusal.budget ? this.markExhausted(refusal.budget, identity, now) : [];
    return { kind: 'refused', refusal, session, alerts };
  }

  /** Plan and admit in one go (no other work between them). */
  reserve(input: PlanInput): ReserveResult {
    const planned = this.plan(input);
    if (!planned) return { kind: 'no-session' };
    return this.admit(planned);
  }

  private insertAlert(alert: Omit<LedgerAlert, 'id'>): LedgerAlert {
    const row = this.sql(
      'INSERT INTO llm_alerts(code, scope_key, kind, window, threshold, tenant, user, session, spent, cap, message, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id',
    ).get(
      alert.code,
      alert.scopeKey,
      alert.kind,
      alert.window,
      alert.threshold,
      alert.tenant,
      alert.user,
      alert.session,
      alert.spentMicroUsd,
      alert.capMicroUsd,
      alert.message,
      alert.at,
    ) as SqlRow;
    return { ...alert, id: int(row.id) };
  }

  /**
   * A budget that refuses a call's smallest version (its prompt and the minimum answer) while no
   * other call holds any of it is used up for the calls being made: the 100 % alert fires then,
   * although committed spend may stop short of the cap by less than that call.
   */
  private markExhausted(budget: BudgetShortfall, identity: CallIdentity, now: number): LedgerAlert[] {
    const row = this.sql('SELECT * FROM llm_scopes WHERE key = ?').get(budget.scopeKey) as SqlRow | undefined;
    if (!row) return [];
    const scope = scopeRecord(row);
    if (scope.reservedMicroUsd > 0 || scope.alerted >= 100 || budget.capMicroUsd <= 0) return [];
    const alerts: LedgerAlert[] = [];
    const owner = alertOwner(scope.kind, { tenant: identity.tenantId, user: identity.userId, session: identity.sessionId });
    const label = scopeLabel(scope.kind);
    const where = scope.kind === 'session' ? '' : ` (${scope.window})`;
    for (const threshold of [50, 80, 100] as const) {
      if (threshold <= scope.alerted) continue;
      const message =
        threshold === 100
          ? `${label.charAt(0).toUpperCase()}${label.slice(1)}${where} is used up: ${formatMicroUsd(scope.committedMicroUsd)} of ${formatMicroUsd(budget.capMicroUsd)} spent, and the ${formatMicroUsd(budget.remainingMicroUsd)} left cannot pay for the ${formatMicroUsd(budget.neededMicroUsd)} the last call needed at least.`
          : `${label.charAt(0).toUpperCase()}${label.slice(1)}${where} has passed ${threshold} %: ${formatMicroUsd(scope.committedMicroUsd)} of ${formatMicroUsd(budget.capMicroUsd)}.`;
      alerts.push(this.insertAlert({ code: 'threshold', scopeKey: scope.key, kind: scope.kind, window: scope.window, threshold, ...owner, spentMicroUsd: scope.committedMicroUsd, capMicroUsd: budget.capMicroUsd, message, at: now }));
    }
    this.sql('UPDATE llm_scopes SET alerted = 100, updated_at = ? WHERE key = ?').run(now, scope.key);
    return alerts;
  }

  /** Fires the thresholds newly reached by committed spend in these scopes. */
  private evaluateScopeAlerts(scopes: readonly BudgetScope[], owner: { tenant: string; user: string; session: string }, now: number, known?: ReadonlyMap<string, SqlRow>): LedgerAlert[] {
    const previous: Record<string, AlertThreshold> = {};
    const observations = [];
    for (const scope of scopes) {
      // `known`: the rows as the settlement's own UPDATE … RETURNING left them.
      const row = known ? known.get(scope.key) : (this.sql('SELECT committed, alerted FROM llm_scopes WHERE key = ?').get(scope.key) as SqlRow | undefined);
      if (!row) continue;
      const alerted = int(row.alerted);
      if (alerted === 50 || alerted === 80 || alerted === 100) previous[scope.key] = alerted;
      observations.push({ scope, spentMicroUsd: microUsd(int(row.committed)) });
    }
    const { alerts } = evaluateAlerts(previous, observations);
    const fired: LedgerAlert[] = [];
    const highest = new Map<string, number>();
    for (const alert of alerts) {
      fired.push(this.insertAlert(budgetAlertRow(alert, alertOwner(alert.kind, owner), now)));
      highest.set(alert.scopeKey, Math.max(highest.get(alert.scopeKey) ?? 0, alert.threshold));
    }
    for (const [key, threshold] of highest) this.sql('UPDATE llm_scopes SET alerted = MAX(alerted, ?) WHERE key = ?').run(threshold, key);
    return fired;
  }

  /**
   * Step 3: settles an admitted call once. Returns null when it was already settled (a kill
   * switch and the stream's own end may race; the first one wins).
   */
  settle(callId: string, plan: CallPlan, outcome: CallOutcome, meta: SettleMeta): SettleResult | null {
    const settlement = settleCall(plan, outcome);
    const identity = plan.identity;
    return immediateTransaction(this.db, (): SettleResult | null => {
      const usage = outcome.usage;
      const closed = this.sql(
        `UPDATE llm_calls SET status = 'settled', ended_at = ?, ended_by = ?, basis = ?, charged = ?, prompt_tokens = ?, cached_tokens = ?,
           completion_tokens = ?, latency_ms = ?, first_token_ms = ?, overrun = ? WHERE id = ? AND status = 'open'`,
      ).run(
        meta.now,
        settlement.endedBy,
        settlement.basis,
        settlement.chargedMicroUsd,
        usage?.promptTokens ?? null,
        usage?.cachedPromptTokens ?? null,
        usage?.completionTokens ?? null,
        meta.latencyMs ?? null,
        meta.firstTokenMs ?? null,
        settlement.alert ? 1 : 0,
        callId,
      );
      if (Number(closed.changes) !== 1) return null;
      // Every scope holding the same amount (all of them, for a plan) in one statement that also
      // returns what the alerts need.
      const after = new Map<string, SqlRow>();
      const byAmount = new Map<number, string[]>();
      for (const row of settlement.rows) byAmount.set(row.amountMicroUsd, [...(byAmount.get(row.amountMicroUsd) ?? []), row.scope.key]);
      for (const [amount, keys] of byAmount) {
        for (let start = 0; start < keys.length; start += SNAPSHOT_CHUNK) {
          const chunk = keys.slice(start, start + SNAPSHOT_CHUNK);
          const rows = this.sql(
            `UPDATE llm_scopes SET committed = committed + ?, reserved = MAX(0, reserved - ?), updated_at = ? WHERE key IN (${placeholders(chunk.length)}) RETURNING key, committed, alerted`,
          ).all(settlement.chargedMicroUsd, amount, meta.now, ...chunk) as SqlRow[];
          for (const row of rows) after.set(text(row.key), row);
        }
      }
      let session: SessionGuardState | null = null;
      const stored = this.readSession(identity);
      if (stored) {
        session = recordSettlement(stored.state, settlement, meta.now, meta.guards);
        this.writeSession(identity, session, stored.version, meta.now);
      }
      const owner = { tenant: identity.tenantId, user: identity.userId, session: identity.sessionId };
      const alerts = this.evaluateScopeAlerts(
        plan.reservations.map((row) => row.scope),
        owner,
        meta.now,
        after,
      );
      if (settlement.alert) alerts.push(this.insertAlert(overrunAlertRow(settlement.alert, plan.reservations[0]?.scope, owner, meta.now)));
      return { settlement, session, alerts };
    });
  }

  /**
   * After a crash: every call still open is settled at its full reservation (the worst case: it
   * may have run to its limit upstream), charged to its session too. Returns what it settled.
   */
  recoverOpenCalls(now: number, guards: GuardConfig): { calls: RecoveredCall[]; alerts: LedgerAlert[] } {
    return immediateTransaction(this.db, () => {
      const rows = this.sql("SELECT * FROM llm_calls WHERE status = 'open' ORDER BY admitted_at").all() as SqlRow[];
      const calls: RecoveredCall[] = [];
      const alerts: LedgerAlert[] = [];
      for (const row of rows) {
        const call = callRecord(row);
        const held = JSON.parse(text(row.scope_keys)) as Array<[string, number]>;
        const charged = call.reservedMicroUsd;
        this.sql(
          "UPDATE llm_calls SET status = 'settled', ended_at = ?, ended_by = 'shutdown', basis = 'full-reservation', charged = ?, recovered = 1 WHERE id = ? AND status = 'open'",
        ).run(now, charged, call.id);
        const scopes: BudgetScope[] = [];
        for (const [key, amount] of held) {
          this.sql('UPDATE llm_scopes SET committed = committed + ?, reserved = MAX(0, reserved - ?), updated_at = ? WHERE key = ?').run(charged, amount, now, key);
          const scopeRow = this.sql('SELECT * FROM llm_scopes WHERE key = ?').get(key) as SqlRow | undefined;
          if (scopeRow) {
            const scope = scopeRecord(scopeRow);
            scopes.push({ key, kind: scope.kind, window: scope.window, capMicroUsd: scope.capMicroUsd, resetsAt: null });
          }
        }
        const identity = { tenantId: call.tenant, userId: call.user, sessionId: call.session };
        const stored = this.readSession(identity);
        if (stored) this.writeSession(identity, recordSettlement(stored.state, { chargedMicroUsd: charged, haltSession: false }, now, guards), stored.version, now);
        alerts.push(...this.evaluateScopeAlerts(scopes, { tenant: call.tenant, user: call.user, session: call.session }, now));
        calls.push({ callId: call.id, tenant: call.tenant, user: call.user, session: call.session, model: call.model, chargedMicroUsd: charged });
      }
      return { calls, alerts };
    });
  }

  // Reads -------------------------------------------------------------------------------------

  call(id: string): CallRecord | null {
    const row = this.sql('SELECT * FROM llm_calls WHERE id = ?').get(id) as SqlRow | undefined;
    return row ? callRecord(row) : null;
  }

  callsOfSession(identity: CallIdentity): CallRecord[] {
    const rows = this.sql('SELECT * FROM llm_calls WHERE tenant = ? AND user = ? AND session = ? ORDER BY admitted_at, id').all(identity.tenantId, identity.userId, identity.sessionId) as SqlRow[];
    return rows.map(callRecord);
  }

  scope(key: string): ScopeRecord | null {
    const row = this.sql('SELECT * FROM llm_scopes WHERE key = ?').get(key) as SqlRow | undefined;
    return row ? scopeRecord(row) : null;
  }

  /** Every scope row whose key starts with `prefix` (admin views, tests). */
  scopes(prefix = ''): ScopeRecord[] {
    const rows = this.sql('SELECT * FROM llm_scopes WHERE key >= ? AND key < ? ORDER BY key').all(prefix, `${prefix}\uffff`) as SqlRow[];
    return rows.map(scopeRecord);
  }

  openReservations(): { count: number; microUsd: MicroUsd } {
    const row = this.sql("SELECT COUNT(*) AS n, COALESCE(SUM(reserved), 0) AS total FROM llm_calls WHERE status = 'open'").get() as SqlRow;
    return { count: int(row.n), microUsd: microUsd(int(row.total)) };
  }

  /** Spend grouped by tenant, user, model and UTC day, for days in [fromDay, toDay]. */
  spend(filter: { readonly tenant?: string; readonly fromDay: string; readonly toDay: string }): SpendRow[] {
    const select = `SELECT tenant, user, model, day, COUNT(*) AS calls,
        COALESCE(SUM(CASE WHEN status = 'settled' THEN charged ELSE 0 END), 0) AS charged,
        COALESCE(SUM(CASE WHEN status = 'open' THEN reserved ELSE 0 END), 0) AS open_reserved,
        COALESCE(SUM(prompt_tokens), 0) AS prompt_tokens, COALESCE(SUM(cached_tokens), 0) AS cached_tokens,
        COALESCE(SUM(completion_tokens), 0) AS completion_tokens
      FROM llm_calls`;
    const group = 'GROUP BY tenant, user, model, day ORDER BY day, tenant, user, model';
    const rows = (filter.tenant === undefined
      ? this.sql(`${select} WHERE day >= ? AND day <= ? ${group}`).all(filter.fromDay, filter.toDay)
      : this.sql(`${select} WHERE tenant = ? AND day >= ? AND day <= ? ${group}`).all(filter.tenant, filter.fromDay, filter.toDay)) as SqlRow[];
    return rows.map((row) => ({
      tenant: text(row.tenant),
      user: text(row.user),
      model: text(row.model),
      day: text(row.day),
      calls: int(row.calls),
      chargedMicroUsd: microUsd(int(row.charged)),
      openReservedMicroUsd: microUsd(int(row.open_reserved)),
      promptTokens: int(row.prompt_tokens),
      cachedTokens: int(row.cached_tokens),
      completionTokens: int(row.completion_tokens),
    }));
  }

  /** Alerts, newest first; `tenant` limits to one tenant (global alerts have none). */
  alerts(filter: { readonly tenant?: string; readonly user?: string; readonly limit: number }): LedgerAlert[] {
    const rows = (filter.tenant === undefined
      ? this.sql('SELECT * FROM llm_alerts ORDER BY id DESC LIMIT ?').all(filter.limit)
      : filter.user === undefined
        ? this.sql('SELECT * FROM llm_alerts WHERE tenant = ? ORDER BY id DESC LIMIT ?').all(filter.tenant, filter.limit)
        : this.sql('SELECT * FROM llm_alerts WHERE tenant = ? AND user = ? ORDER BY id DESC LIMIT ?').all(filter.tenant, filter.user, filter.limit)) as SqlRow[];
    return rows.map(alertRecord);
  }

  // Admin state -------------------------------------------------------------------------------

  killSwitches(): KillSwitchRecord[] {
    const rows = this.sql('SELECT * FROM llm_kill_switches ORDER BY set_at').all() as SqlRow[];
    return rows.map((row) => ({
      scope: text(row.scope) as KillSwitchScope,
      target: text(row.target),
      reason: nullableText(row.reason),
      setBy: text(row.set_by),
      setAt: int(row.set_at),
    }));
  }

  setKillSwitch(record: KillSwitchRecord): void {
    this.sql(
      'INSERT INTO llm_kill_switches(scope, target, reason, set_by, set_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT(scope, target) DO UPDATE SET reason = excluded.reason, set_by = excluded.set_by, set_at = excluded.set_at',
    ).run(record.scope, record.target, record.reason, record.setBy, record.setAt);
  }

  clearKillSwitch(scope: KillSwitchScope, target: string): boolean {
    return Number(this.sql('DELETE FROM llm_kill_switches WHERE scope = ? AND target = ?').run(scope, target).changes) > 0;
  }

  setting(key: string): string | null {
    const row = this.sql('SELECT value FROM llm_settings WHERE key = ?').get(key) as SqlRow | undefined;
    return row ? text(row.value) : null;
  }

  setSetting(key: string, value: string, now: number): void {
    this.sql('INSERT INTO llm_settings(key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at').run(key, value, now);
  }
}

function budgetAlertRow(alert: BudgetAlert, owner: { tenant: string | null; user: string | null; session: string | null }, now: number): Omit<LedgerAlert, 'id'> {
  return {
    code: 'threshold',
    scopeKey: alert.scopeKey,
    kind: alert.kind,
    window: alert.window,
    threshold: alert.threshold,
    ...owner,
    spentMicroUsd: alert.spentMicroUsd,
    capMicroUsd: alert.capMicroUsd,
    message: alert.message,
    at: now,
  };
}

function overrunAlertRow(alert: OverrunAlert, sessionScope: BudgetScope | undefined, owner: { tenant: string; user: string; session: string }, now: number): Omit<LedgerAlert, 'id'> {
  return {
    code: 'usage-overrun',
    scopeKey: sessionScope?.key ?? `session/${owner.session}`,
    kind: 'session',
    window: 'session',
    threshold: null,
    tenant: owner.tenant,
    user: owner.user,
    session: owner.session,
    spentMicroUsd: alert.actualMicroUsd,
    capMicroUsd: alert.reservedMicroUsd,
    message: alert.message,
    at: now,
  };
}
