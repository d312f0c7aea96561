/**
 * The LLM spend ledger for a networked database shared by several server processes (Postgres
 * dialect: `$n` parameters, `FOR UPDATE`, `GREATEST`), over a structural async client so that
 * `shared/` imports no driver. Same policy and same tables as `ledger.ts` (columns renamed where
 * Postgres reserves the word: `user_id`, `scope_window`), plus the owner of each open call.
 *
 * Atomicity across processes comes from row locks, taken in one order by every transaction:
 * 1. the chat session row (`SELECT … FOR UPDATE`): calls of one session serialize;
 * 2. the call's scope rows (created first if missing), `SELECT … ORDER BY key FOR UPDATE`: calls
 *    sharing a user, tenant or global budget serialize on it, and the sorted order rules out
 *    deadlocks between them;
 * then the plan is made against what those locked rows hold and the reservation is written with
 * the same conditional `UPDATE … WHERE committed + reserved + amount <= cap` as the embedded
 * ledger, so the database holds the invariant even if the JavaScript before it were wrong.
 * Settlement locks the call row, then the session, then the scope rows, in that same order.
 */
import { formatMicroUsd, microUsd, type MicroUsd } from '../domain/money.ts';
import { err, ok, type DomainError, type Result } from '../domain/result.ts';
import { evaluateAlerts, type AlertThreshold } from '../domain/llm/alerts.ts';
import { scopeLabel, scopesFor, type BudgetScope, type CallIdentity, type LedgerSnapshot, type ScopeKind, type ScopeUsage } from '../domain/llm/budgets.ts';
import { parseSessionGuardState, recordSettlement, resumeSession, startSession, type GuardConfig, type SessionGuardState } from '../domain/llm/guards.ts';
import { planCall, type CallPlan } from '../domain/llm/plan.ts';
import type { BudgetShortfall, KillSwitchScope } from '../domain/llm/refusal.ts';
import { settle as settleCall, type CallOutcome } from '../domain/llm/settle.ts';
import { dayWindow } from '../domain/llm/windows.ts';
import { int, nullableText, text, type SqlRow, type SqlValue } from './db.ts';
import {
  ledgerRowMappers,
  LedgerInvariantError,
  type CallRecord,
  type KillSwitchRecord,
  type LedgerAlert,
  type PlanInput,
  type RecoveredCall,
  type ReserveResult,
  type ScopeRecord,
  type SettleMeta,
  type SettleResult,
  type SpendRow,
  type StoredSession,
} from './ledger.ts';

/** A parameter: a scalar, or a list of strings (for `= ANY($n::text[])`). */
export type AsyncSqlValue = SqlValue | readonly string[];

export interface AsyncSqlClient {
  query(sql: string, params?: readonly AsyncSqlValue[]): Promise<{ readonly rows: readonly SqlRow[]; readonly rowCount: number | null }>;
}

export interface AsyncSqlDatabase extends AsyncSqlClient {
  /** Runs `fn` in one transaction on one connection: COMMIT if it resolves, ROLLBACK if it throws. */
  transaction<T>(fn: (client: AsyncSqlClient) => Promise<T>): Promise<T>;
}

/** The ledger tables in Postgres (applied by the server's Postgres migrations). */
export const LLM_LEDGER_PG_SCHEMA = `
  CREATE TABLE llm_scopes (
    key TEXT PRIMARY KEY, kind TEXT NOT NULL, scope_window TEXT NOT NULL, cap BIGINT NOT NULL,
    committed BIGINT NOT NULL DEFAULT 0, reserved BIGINT NOT NULL DEFAULT 0, alerted INTEGER NOT NULL DEFAULT 0,
    updated_at BIGINT NOT NULL,
    CHECK (committed >= 0 AND reserved >= 0));
  CREATE TABLE llm_calls (
    id TEXT PRIMARY KEY, tenant TEXT NOT NULL, user_id TEXT NOT NULL, session TEXT NOT NULL, model TEXT NOT NULL,
    day TEXT NOT NULL, stream INTEGER NOT NULL, admitted_at BIGINT NOT NULL,
    prompt_tokens_counted INTEGER NOT NULL, prompt_tokens_reserved INTEGER NOT NULL,
    requested_max_tokens INTEGER, clamped_max_tokens INTEGER NOT NULL, choices INTEGER NOT NULL,
    reserved BIGINT NOT NULL, scope_keys TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('open', 'settled')),
    ended_at BIGINT, ended_by TEXT, basis TEXT, charged BIGINT,
    prompt_tokens INTEGER, cached_tokens INTEGER, completion_tokens INTEGER,
    latency_ms INTEGER, first_token_ms INTEGER, overrun INTEGER NOT NULL DEFAULT 0, recovered INTEGER NOT NULL DEFAULT 0,
    owner TEXT);
  CREATE INDEX llm_calls_open ON llm_calls (status) WHERE status = 'open';
  CREATE INDEX llm_calls_by_tenant_day ON llm_calls (tenant, day);
  CREATE INDEX llm_calls_by_day ON llm_calls (day);
  CREATE TABLE llm_sessions (
    tenant TEXT NOT NULL, user_id TEXT NOT NULL, session TEXT NOT NULL, state TEXT NOT NULL, version INTEGER NOT NULL,
    created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL,
    PRIMARY KEY (tenant, user_id, session));
  CREATE INDEX llm_sessions_recent ON llm_sessions (tenant, user_id, updated_at);
  CREATE TABLE llm_alerts (
    id BIGSERIAL PRIMARY KEY, code TEXT NOT NULL, scope_key TEXT NOT NULL, kind TEXT NOT NULL, scope_window TEXT NOT NULL,
    threshold INTEGER, tenant TEXT, user_id TEXT, session TEXT, spent BIGINT NOT NULL, cap BIGINT NOT NULL,
    message TEXT NOT NULL, at BIGINT NOT NULL);
  CREATE INDEX llm_alerts_by_tenant ON llm_alerts (tenant, id);
  CREATE TABLE llm_kill_switches (
    scope TEXT NOT NULL, target TEXT NOT NULL, reason TEXT, set_by TEXT NOT NULL, set_at BIGINT NOT NULL,
    PRIMARY KEY (scope, target));
  CREATE TABLE llm_settings (key TEXT PRIMARY KEY, value TEXT NOT NULL, updated_at BIGINT NOT NULL);
`;

const { scopeRecord, callRecord, alertRecord } = ledgerRowMappers({ user: 'user_id', window: 'scope_window' });

function alertOwner(kind: ScopeKind, identity: { tenant: string; user: string; session: string }) {
  return {
    tenant: kind === 'global-day' ? null : identity.tenant,
    user: kind === 'session' || kind === 'user-day' ? identity.user : null,
    session: kind === 'session' ? identity.session : null,
  };
}

function parseStoredSession(row: SqlRow): StoredSession {
  const parsed = parseSessionGuardState(JSON.parse(text(row.state)) as unknown);
  if (!parsed.ok) throw new LedgerInvariantError(parsed.error.message);
  return { state: parsed.value, version: int(row.version), createdAt: int(row.created_at), updatedAt: int(row.updated_at) };
}

export interface AsyncLedgerOptions {
  /** Written on every call this process admits; crash recovery settles only dead owners' calls. */
  readonly owner: string;
}

export class AsyncLlmLedger {
  private readonly db: AsyncSqlDatabase;
  private readonly owner: string;
  /**
   * This process's locking transactions, one at a time. Every reservation locks the global-day
   * scope row anyway, so the database serializes them cluster-wide; queueing them here first
   * means a burst waits in memory instead of holding every pooled connection while it waits on
   * a row lock (which starves settlements and times connections out).
   */
  private chain: Promise<unknown> = Promise.resolve();

  constructor(db: AsyncSqlDatabase, options: AsyncLedgerOptions) {
    this.db = db;
    this.owner = options.owner;
  }

  private locked<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.chain.then(fn, fn);
    this.chain = next.catch(() => undefined);
    return next;
  }

  // Sessions ----------------------------------------------------------------------------------

  private async readSession(client: AsyncSqlClient, identity: CallIdentity, lock: boolean): Promise<StoredSession | null> {
    const { rows } = await client.query(
      `SELECT state, version, created_at, updated_at FROM llm_sessions WHERE tenant = $1 AND user_id = $2 AND session = $3${lock ? ' FOR UPDATE' : ''}`,
      [identity.tenantId, identity.userId, identity.sessionId],
    );
    return rows[0] ? parseStoredSession(rows[0]) : null;
  }

  private async writeSession(client: AsyncSqlClient, identity: CallIdentity, state: SessionGuardState, version: number, now: number): Promise<void> {
    const result = await client.query('UPDATE llm_sessions SET state = $1, version = version + 1, updated_at = $2 WHERE tenant = $3 AND user_id = $4 AND session = $5 AND version = $6', [
      JSON.stringify(state),
      now,
      identity.tenantId,
      identity.userId,
      identity.sessionId,
      version,
    ]);
    if (result.rowCount !== 1) throw new LedgerInvariantError(`chat session ${identity.sessionId} changed under a transaction`);
  }

  async createSession(identity: CallIdentity, now: number): Promise<SessionGuardState> {
    const state = startSession(identity.sessionId, now);
    await this.db.query('INSERT INTO llm_sessions(tenant, user_id, session, state, version, created_at, updated_at) VALUES ($1, $2, $3, $4, 1, $5, $6)', [
      identity.tenantId,
      identity.userId,
      identity.sessionId,
      JSON.stringify(state),
      now,
      now,
    ]);
    return state;
  }

  session(identity: CallIdentity): Promise<StoredSession | null> {
    return this.readSession(this.db, identity, false);
  }

  /** Ordered as the embedded ledger orders them (`RECENT_SESSIONS_SQL`): ties, the greater id first. */
  async recentSessions(tenant: string, user: string, limit: number): Promise<StoredSession[]> {
    const { rows } = await this.db.query('SELECT state, version, created_at, updated_at FROM llm_sessions WHERE tenant = $1 AND user_id = $2 ORDER BY updated_at DESC, session DESC LIMIT $3', [tenant, user, limit]);
    return rows.map(parseStoredSession);
  }

  resumeSession(identity: CallIdentity, now: number): Promise<Result<SessionGuardState, DomainError<'needs-new-session' | 'no-session'>>> {
    return this.locked(() => this.db.transaction(async (client) => {
      const stored = await this.readSession(client, identity, true);
      if (!stored) return err({ code: 'no-session' as const, message: 'This chat session does not exist.' });
      const resumed = resumeSession(stored.state, now, { kind: 'resume' });
      if (!resumed.ok) return resumed;
      await this.writeSession(client, identity, resumed.value, stored.version, now);
      return ok(resumed.value);
    }));
  }

  // Reservations ------------------------------------------------------------------------------

  async snapshot(keys: readonly string[]): Promise<LedgerSnapshot> {
    const snapshot: Record<string, ScopeUsage> = {};
    if (keys.length === 0) return snapshot;
    const { rows } = await this.db.query('SELECT key, committed, reserved FROM llm_scopes WHERE key = ANY($1::text[])', [keys]);
    for (const row of rows) snapshot[text(row.key)] = { committedMicroUsd: microUsd(int(row.committed)), reservedMicroUsd: microUsd(int(row.reserved)) };
    return snapshot;
  }

  /** Plans and reserves in one transaction, under the session and scope row locks. */
  reserve(input: PlanInput): Promise<ReserveResult> {
    const { identity, now } = input;
    return this.locked(() => this.db.transaction(async (client): Promise<ReserveResult> => {
      const stored = await this.readSession(client, identity, true);
      if (!stored) return { kind: 'no-session' };
      const scopes = [...scopesFor(identity, input.limits, now)].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
      // Create missing scope rows (holding nothing), then lock all of them in key order.
      for (const scope of scopes) {
        await client.query('INSERT INTO llm_scopes(key, kind, scope_window, cap, committed, reserved, alerted, updated_at) VALUES ($1, $2, $3, $4, 0, 0, 0, $5) ON CONFLICT (key) DO NOTHING', [
          scope.key,
          scope.kind,
          scope.window,
          scope.capMicroUsd,
          now,
        ]);
      }
      const { rows } = await client.query('SELECT key, committed, reserved FROM llm_scopes WHERE key = ANY($1::text[]) ORDER BY key FOR UPDATE', [scopes.map((scope) => scope.key)]);
      const ledger: Record<string, ScopeUsage> = {};
      for (const row of rows) ledger[text(row.key)] = { committedMicroUsd: microUsd(int(row.committed)), reservedMicroUsd: microUsd(int(row.reserved)) };
      const result = planCall(input.body, { ...input, ledger, session: stored.state });
      if (!result.ok) {
        const refusal = result.error;
        let session = stored.state;
        if (refusal.sessionAfter) {
          await this.writeSession(client, identity, refusal.sessionAfter, stored.version, now);
          session = refusal.sessionAfter;
        }
        const alerts = refusal.code === 'budget-exhausted' && refusal.budget ? await this.markExhausted(client, refusal.budget, identity, now) : [];
        return { kind: 'refused', refusal, session, alerts };
      }
      const plan = result.value;
      for (const row of plan.reservations) {
        const changed = await client.query('UPDATE llm_scopes SET reserved = reserved + $2, cap = $3, updated_at = $4 WHERE key = $1 AND committed + reserved + $2 <= $3', [
          row.scope.key,
          row.amountMicroUsd,
          row.scope.capMicroUsd,
          now,
        ]);
        if (changed.rowCount !== 1) throw new LedgerInvariantError(`scope ${row.scope.key} cannot hold ${row.amountMicroUsd} µ$ although the plan said it could`);
      }
      await client.query(
        `INSERT INTO llm_calls(id, tenant, user_id, session, model, day, stream, admitted_at, prompt_tokens_counted, prompt_tokens_reserved,
           requested_max_tokens, clamped_max_tokens, choices, reserved, scope_keys, status, owner)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, 'open', $16)`,
        [
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
          this.owner,
        ],
      );
      await this.writeSession(client, identity, plan.sessionAfter, stored.version, now);
      return { kind: 'admitted', callId: input.callId, plan };
    }));
  }

  private async insertAlert(client: AsyncSqlClient, alert: Omit<LedgerAlert, 'id'>): Promise<LedgerAlert> {
    const { rows } = await client.query(
      'INSERT INTO llm_alerts(code, scope_key, kind, scope_window, threshold, tenant, user_id, session, spent, cap, message, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id',
      [alert.code, alert.scopeKey, alert.kind, alert.window, alert.threshold, alert.tenant, alert.user, alert.session, alert.spentMicroUsd, alert.capMicroUsd, alert.message, alert.at],
    );
    return { ...alert, id: int(rows[0]?.id) };
  }

  /** See `LlmLedger.markExhausted`; the scope row is already locked by the caller. */
  private async markExhausted(client: AsyncSqlClient, budget: BudgetShortfall, identity: CallIdentity, now: number): Promise<LedgerAlert[]> {
    const { rows } = await client.query('SELECT * FROM llm_scopes WHERE key = $1', [budget.scopeKey]);
    if (!rows[0]) return [];
    const scope = scopeRecord(rows[0]);
    if (scope.reservedMicroUsd > 0 || scope.alerted >= 100 || budget.capMicroUsd <= 0) return [];
    const alerts: LedgerAlert[] = [];
    const owner = alertOwner(scope.kind, { tenant: identity.tenantId, user: identity.userId, session: identity.sessionId });
    const label = scopeLabel(scope.kind);
    const where = scope.kind === 'session' ? '' : ` (${scope.window})`;
    const Label = `${label.charAt(0).toUpperCase()}${label.slice(1)}`;
    for (const threshold of [50, 80, 100] as const) {
      if (threshold <= scope.alerted) continue;
      const message =
        threshold === 100
          ? `${Label}${where} is used up: ${formatMicroUsd(scope.committedMicroUsd)} of ${formatMicroUsd(budget.capMicroUsd)} spent, and the ${formatMicroUsd(budget.remainingMicroUsd)} left cannot pay for the ${formatMicroUsd(budget.neededMicroUsd)} the last call needed at least.`
          : `${Label}${where} has passed ${threshold} %: ${formatMicroUsd(scope.committedMicroUsd)} of ${formatMicroUsd(budget.capMicroUsd)}.`;
      alerts.push(
        await this.insertAlert(client, { code: 'threshold', scopeKey: scope.key, kind: scope.kind, window: scope.window, threshold, ...owner, spentMicroUsd: scope.committedMicroUsd, capMicroUsd: budget.capMicroUsd, message, at: now }),
      );
    }
    await client.query('UPDATE llm_scopes SET alerted = 100, updated_at = $2 WHERE key = $1', [scope.key, now]);
    return alerts;
  }

  private async evaluateScopeAlerts(client: AsyncSqlClient, scopes: readonly BudgetScope[], owner: { tenant: string; user: string; session: string }, now: number): Promise<LedgerAlert[]> {
    const previous: Record<string, AlertThreshold> = {};
    const observations = [];
    for (const scope of scopes) {
      const { rows } = await client.query('SELECT committed, alerted FROM llm_scopes WHERE key = $1', [scope.key]);
      const row = rows[0];
      if (!row) continue;
      const alerted = int(row.alerted);
      if (alerted === 50 || alerted === 80 || alerted === 100) previous[scope.key] = alerted;
      observations.push({ scope, spentMicroUsd: microUsd(int(row.committed)) });
    }
    const { alerts } = evaluateAlerts(previous, observations);
    const fired: LedgerAlert[] = [];
    const highest = new Map<string, number>();
    for (const alert of alerts) {
      fired.push(
        await this.insertAlert(client, {
          code: 'threshold',
          scopeKey: alert.scopeKey,
          kind: alert.kind,
          window: alert.window,
          threshold: alert.threshold,
          ...alertOwner(alert.kind, owner),
          spentMicroUsd: alert.spentMicroUsd,
          capMicroUsd: alert.capMicroUsd,
          message: alert.message,
          at: now,
        }),
      );
      highest.set(alert.scopeKey, Math.max(highest.get(alert.scopeKey) ?? 0, alert.threshold));
    }
    for (const [key, threshold] of highest) await client.query('UPDATE llm_scopes SET alerted = GREATEST(alerted, $2) WHERE key = $1', [key, threshold]);
    return fired;
  }

  /** Locks scope rows in key order (the order every transaction uses). */
  private async lockScopes(client: AsyncSqlClient, keys: readonly string[]): Promise<void> {
    if (keys.length > 0) await client.query('SELECT key FROM llm_scopes WHERE key = ANY($1::text[]) ORDER BY key FOR UPDATE', [[...keys]]);
  }

  /** Settles an admitted call once; null when it was already settled. */
  settle(callId: string, plan: CallPlan, outcome: CallOutcome, meta: SettleMeta): Promise<SettleResult | null> {
    const settlement = settleCall(plan, outcome);
    const identity = plan.identity;
    return this.locked(() => this.db.transaction(async (client): Promise<SettleResult | null> => {
      const usage = outcome.usage;
      const closed = await client.query(
        `UPDATE llm_calls SET status = 'settled', ended_at = $1, ended_by = $2, basis = $3, charged = $4, prompt_tokens = $5, cached_tokens = $6,
           completion_tokens = $7, latency_ms = $8, first_token_ms = $9, overrun = $10 WHERE id = $11 AND status = 'open'`,
        [
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
        ],
      );
      if (closed.rowCount !== 1) return null;
      const stored = await this.readSession(client, identity, true);
      await this.lockScopes(client, plan.reservations.map((row) => row.scope.key));
      for (const row of settlement.rows) {
        await client.query('UPDATE llm_scopes SET committed = committed + $1, reserved = GREATEST(0, reserved - $2), updated_at = $3 WHERE key = $4', [
          settlement.chargedMicroUsd,
          row.amountMicroUsd,
          meta.now,
          row.scope.key,
        ]);
      }
      let session: SessionGuardState | null = null;
      if (stored) {
        session = recordSettlement(stored.state, settlement, meta.now, meta.guards);
        await this.writeSession(client, identity, session, stored.version, meta.now);
      }
      const owner = { tenant: identity.tenantId, user: identity.userId, session: identity.sessionId };
      const alerts = await this.evaluateScopeAlerts(
        client,
        plan.reservations.map((row) => row.scope),
        owner,
        meta.now,
      );
      if (settlement.alert) {
        const sessionScope = plan.reservations[0]?.scope;
        alerts.push(
          await this.insertAlert(client, {
            code: 'usage-overrun',
            scopeKey: sessionScope?.key ?? `session/${owner.session}`,
            kind: 'session',
            window: 'session',
            threshold: null,
            tenant: owner.tenant,
            user: owner.user,
            session: owner.session,
            spentMicroUsd: settlement.alert.actualMicroUsd,
            capMicroUsd: settlement.alert.reservedMicroUsd,
            message: settlement.alert.message,
            at: meta.now,
          }),
        );
      }
      return { settlement, session, alerts };
    }));
  }

  /**
   * Settles at their full reservation the open calls whose owner is dead: `liveOwners` are the
   * processes known alive (this one included); every other owner's open calls are recovered.
   */
  async recoverOpenCalls(now: number, guards: GuardConfig, liveOwners: readonly string[]): Promise<{ calls: RecoveredCall[]; alerts: LedgerAlert[] }> {
    const { rows: open } = await this.db.query("SELECT id FROM llm_calls WHERE status = 'open' AND (owner IS NULL OR NOT (owner = ANY($1::text[]))) ORDER BY admitted_at", [[...liveOwners]]);
    const calls: RecoveredCall[] = [];
    const alerts: LedgerAlert[] = [];
    for (const { id } of open) {
      const recovered = await this.locked(() => this.db.transaction(async (client) => {
        const { rows } = await client.query("SELECT * FROM llm_calls WHERE id = $1 AND status = 'open' FOR UPDATE", [text(id)]);
        const row = rows[0];
        if (!row) return null;
        const call = callRecord(row);
        const held = JSON.parse(text(row.scope_keys)) as Array<[string, number]>;
        const charged = call.reservedMicroUsd;
        await client.query("UPDATE llm_calls SET status = 'settled', ended_at = $1, ended_by = 'shutdown', basis = 'full-reservation', charged = $2, recovered = 1 WHERE id = $3", [now, charged, call.id]);
        const identity = { tenantId: call.tenant, userId: call.user, sessionId: call.session };
        const stored = await this.readSession(client, identity, true);
        await this.lockScopes(client, held.map(([key]) => key));
        const scopes: BudgetScope[] = [];
        for (const [key, amount] of held) {
          await client.query('UPDATE llm_scopes SET committed = committed + $1, reserved = GREATEST(0, reserved - $2), updated_at = $3 WHERE key = $4', [charged, amount, now, key]);
          const { rows: scopeRows } = await client.query('SELECT * FROM llm_scopes WHERE key = $1', [key]);
          if (scopeRows[0]) {
            const scope = scopeRecord(scopeRows[0]);
            scopes.push({ key, kind: scope.kind, window: scope.window, capMicroUsd: scope.capMicroUsd, resetsAt: null });
          }
        }
        if (stored) await this.writeSession(client, identity, recordSettlement(stored.state, { chargedMicroUsd: charged, haltSession: false }, now, guards), stored.version, now);
        const fired = await this.evaluateScopeAlerts(client, scopes, { tenant: call.tenant, user: call.user, session: call.session }, now);
        return { call: { callId: call.id, tenant: call.tenant, user: call.user, session: call.session, model: call.model, chargedMicroUsd: charged }, fired };
      }));
      if (recovered) {
        calls.push(recovered.call);
        alerts.push(...recovered.fired);
      }
    }
    return { calls, alerts };
  }

  // Reads -------------------------------------------------------------------------------------

  async call(id: string): Promise<CallRecord | null> {
    const { rows } = await this.db.query('SELECT * FROM llm_calls WHERE id = $1', [id]);
    return rows[0] ? callRecord(rows[0]) : null;
  }

  async scopes(prefix = ''): Promise<ScopeRecord[]> {
    const { rows } = await this.db.query('SELECT * FROM llm_scopes WHERE starts_with(key, $1) ORDER BY key COLLATE "C"', [prefix]);
    return rows.map(scopeRecord);
  }

  async openReservations(): Promise<{ count: number; microUsd: MicroUsd }> {
    const { rows } = await this.db.query("SELECT COUNT(*) AS n, COALESCE(SUM(reserved), 0) AS total FROM llm_calls WHERE status = 'open'");
    return { count: int(rows[0]?.n), microUsd: microUsd(int(rows[0]?.total)) };
  }

  async spend(filter: { readonly tenant?: string; readonly fromDay: string; readonly toDay: string }): Promise<SpendRow[]> {
    const select = `SELECT tenant, user_id, model, day, COUNT(*) AS calls,
        COALESCE(SUM(CASE WHEN status = 'settled' THEN charged ELSE 0 END), 0) AS charged,
        COALESCE(SUM(CASE WHEN status = 'open' THEN reserved ELSE 0 END), 0) AS open_reserved,
        COALESCE(SUM(prompt_tokens), 0) AS prompt_tokens, COALESCE(SUM(cached_tokens), 0) AS cached_tokens,
        COALESCE(SUM(completion_tokens), 0) AS completion_tokens
      FROM llm_calls`;
    const group = 'GROUP BY tenant, user_id, model, day ORDER BY day, tenant, user_id, model';
    const { rows } =
      filter.tenant === undefined
        ? await this.db.query(`${select} WHERE day >= $1 AND day <= $2 ${group}`, [filter.fromDay, filter.toDay])
        : await this.db.query(`${select} WHERE tenant = $1 AND day >= $2 AND day <= $3 ${group}`, [filter.tenant, filter.fromDay, filter.toDay]);
    return rows.map((row) => ({
      tenant: text(row.tenant),
      user: text(row.user_id),
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

  async alerts(filter: { readonly tenant?: string; readonly user?: string; readonly limit: number }): Promise<LedgerAlert[]> {
    const { rows } =
      filter.tenant === undefined
        ? await this.db.query('SELECT * FROM llm_alerts ORDER BY id DESC LIMIT $1', [filter.limit])
        : filter.user === undefined
          ? await this.db.query('SELECT * FROM llm_alerts WHERE tenant = $1 ORDER BY id DESC LIMIT $2', [filter.tenant, filter.limit])
          : await this.db.query('SELECT * FROM llm_alerts WHERE tenant = $1 AND user_id = $2 ORDER BY id DESC LIMIT $3', [filter.tenant, filter.user, filter.limit]);
    return rows.map(alertRecord);
  }

  // Admin state -------------------------------------------------------------------------------

  async killSwitches(): Promise<KillSwitchRecord[]> {
    const { rows } = await this.db.query('SELECT * FROM llm_kill_switches ORDER BY set_at');
    return rows.map((row) => ({ scope: text(row.scope) as KillSwitchScope, target: text(row.target), reason: nullableText(row.reason), setBy: text(row.set_by), setAt: int(row.set_at) }));
  }

  async setKillSwitch(record: KillSwitchRecord): Promise<void> {
    await this.db.query(
      'INSERT INTO llm_kill_switches(scope, target, reason, set_by, set_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (scope, target) DO UPDATE SET reason = excluded.reason, set_by = excluded.set_by, set_at = excluded.set_at',
      [record.scope, record.target, record.reason, record.setBy, record.setAt],
    );
  }

  async clearKillSwitch(scope: KillSwitchScope, target: string): Promise<boolean> {
    const result = await this.db.query('DELETE FROM llm_kill_switches WHERE scope = $1 AND target = $2', [scope, target]);
    return (result.rowCount ?? 0) > 0;
  }

  async setting(key: string): Promise<string | null> {
    const { rows } = await this.db.query('SELECT value FROM llm_settings WHERE key = $1', [key]);
    return rows[0] ? text(rows[0].value) : null;
  }

  async setSetting(key: string, value: string, now: number): Promise<void> {
    await this.db.query('INSERT INTO llm_settings(key, value, updated_at) VALUES ($1, $2, $3) ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at', [key, value, now]);
  }
}
