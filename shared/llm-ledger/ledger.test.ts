import { DatabaseSync } from 'node:sqlite';
import { describe, expect, it } from 'vitest';
import { microUsd } from '../domain/money.ts';
import { scopeKey, type BudgetLimits, type CallIdentity } from '../domain/llm/budgets.ts';
import { DEFAULT_PRICES } from '../domain/llm/default-prices.ts';
import { DEFAULT_CALL_POLICY } from '../domain/llm/plan.ts';
import { worstCaseCost } from '../domain/llm/prices.ts';
import { body, LENIENT_GUARDS, T0 } from '../domain/llm/test-support/fixtures.ts';
import { killSwitchesFor, killSwitchTarget, LlmLedger, RECENT_SESSIONS_SQL, type PlanInput } from './ledger.ts';
import { LLM_LEDGER_SCHEMA } from './schema.ts';

const ID: CallIdentity = { tenantId: 't1', userId: 'u1', sessionId: 's1' };
const LIMITS: BudgetLimits = {
  sessionMicroUsd: microUsd(20_000),
  userDailyMicroUsd: microUsd(1_000_000),
  tenantDailyMicroUsd: microUsd(5_000_000),
  tenantMonthlyMicroUsd: microUsd(50_000_000),
  globalDailyMicroUsd: microUsd(100_000_000),
};
const SESSION_KEY = scopeKey('session', ID, 'session');

function open(): { db: DatabaseSync; ledger: LlmLedger } {
  const db = new DatabaseSync(':memory:');
  db.exec(LLM_LEDGER_SCHEMA);
  const ledger = new LlmLedger(db);
  ledger.createSession(ID, T0);
  return { db, ledger };
}

let counter = 0;
function input(overrides: Partial<PlanInput> = {}, bodyOverrides: Record<string, unknown> = {}): PlanInput {
  counter += 1;
  return {
    callId: `c${counter}`,
    body: body({ model: 'gpt-4o', max_tokens: 500, ...bodyOverrides }),
    identity: ID,
    prices: DEFAULT_PRICES,
    limits: LIMITS,
    policy: DEFAULT_CALL_POLICY,
    guards: LENIENT_GUARDS,
    killSwitches: {},
    now: T0 + 1_000,
    ...overrides,
  };
}

function admitted(ledger: LlmLedger, overrides: Partial<PlanInput> = {}, bodyOverrides: Record<string, unknown> = {}) {
  const result = ledger.reserve(input(overrides, bodyOverrides));
  if (result.kind !== 'admitted') throw new Error(`expected admission, got ${JSON.stringify(result)}`);
  return result;
}

const meta = { now: T0 + 2_000, guards: LENIENT_GUARDS };

describe('LLM ledger (SQL)', () => {
  it('reserves the worst case in every scope and settles to the reported usage', () => {
    const { ledger } = open();
    const { callId, plan } = admitted(ledger);
    expect(plan.reservations).toHaveLength(5);
    for (const row of plan.reservations) expect(ledger.scope(row.scope.key)).toMatchObject({ committedMicroUsd: 0, reservedMicroUsd: plan.worstCaseMicroUsd });
    expect(ledger.call(callId)).toMatchObject({ status: 'open', reservedMicroUsd: plan.worstCaseMicroUsd, clampedMaxTokens: 500 });
    expect(ledger.session(ID)?.state.callCount).toBe(1);

    const result = ledger.settle(callId, plan, { endedBy: 'completed', usage: { promptTokens: plan.promptTokensCounted, cachedPromptTokens: 0, completionTokens: 100 } }, meta);
    const charged = result!.settlement.chargedMicroUsd;
    expect(charged).toBeLessThan(plan.worstCaseMicroUsd);
    for (const row of plan.reservations) expect(ledger.scope(row.scope.key)).toMatchObject({ committedMicroUsd: charged, reservedMicroUsd: 0 });
    expect(ledger.call(callId)).toMatchObject({ status: 'settled', chargedMicroUsd: charged, endedBy: 'completed', basis: 'usage', completionTokens: 100 });
    expect(ledger.session(ID)?.state.spentMicroUsd).toBe(charged);
    expect(ledger.openReservations()).toEqual({ count: 0, microUsd: 0 });
    // Settling twice is a no-op: the first settlement wins.
    expect(ledger.settle(callId, plan, { endedBy: 'kill-switch' }, meta)).toBeNull();
    expect(ledger.scope(SESSION_KEY)?.committedMicroUsd).toBe(charged);
  });

  it('never lets open reservations plus charges pass a cap, and refuses with the budget named', () => {
    const { ledger } = open();
    const open_ = [];
    for (;;) {
      const result = ledger.reserve(input());
      if (result.kind !== 'admitted') {
        expect(result.kind).toBe('refused');
        if (result.kind === 'refused') {
          expect(result.refusal.code).toBe('budget-exhausted');
          expect(result.refusal.message).toMatch(/this chat session’s budget/);
        }
        break;
      }
      open_.push(result);
      const scope = ledger.scope(SESSION_KEY)!;
      expect(scope.committedMicroUsd + scope.reservedMicroUsd).toBeLessThanOrEqual(LIMITS.sessionMicroUsd);
    }
    expect(open_.length).toBeGreaterThan(1);
    // The last admission was clamped to what was left.
    expect(open_.at(-1)!.plan.clampedMaxTokens).toBeLessThanOrEqual(500);
    // Settle all at full reservation: charged never passes the cap.
    for (const call of open_) ledger.settle(call.callId, call.plan, { endedBy: 'client-abort' }, meta);
    const scope = ledger.scope(SESSION_KEY)!;
    expect(scope.reservedMicroUsd).toBe(0);
    expect(scope.committedMicroUsd).toBeLessThanOrEqual(LIMITS.sessionMicroUsd);
  });

  it('re-plans inside the lock when the session or the scopes moved since the plan', () => {
    const { ledger } = open();
    const first = ledger.plan(input())!;
    const second = ledger.plan(input())!;
    expect(ledger.admit(first).kind).toBe('admitted');
    // `second` was planned against the same session version: it is re-made, not lost.
    const result = ledger.admit(second);
    expect(result.kind).toBe('admitted');
    expect(ledger.session(ID)?.state.callCount).toBe(2);
  });

  it('holds the cap in SQL even when another writer took the room after the plan', () => {
    const { db, ledger } = open();
    const planned = ledger.plan(input())!;
    // Another process (or a bug) fills the session scope meanwhile.
    db.prepare('INSERT INTO llm_scopes(key, kind, window, cap, committed, reserved, alerted, updated_at) VALUES (?, ?, ?, ?, ?, 0, 0, 0)').run(SESSION_KEY, 'session', 'session', 20_000, 19_990);
    const result = ledger.admit(planned);
    expect(result.kind).toBe('refused');
    expect(ledger.openReservations().count).toBe(0);
  });

  it('persists a halt that a refused call caused (idle guard)', () => {
    const { ledger } = open();
    const result = ledger.reserve(input({ guards: { ...LENIENT_GUARDS, idleMs: 1_000 }, now: T0 + 10_000 }, { plaza_human_input: false }));
    expect(result).toMatchObject({ kind: 'refused', refusal: { code: 'session-halted', halt: { code: 'idle' } } });
    expect(ledger.session(ID)?.state.halt?.code).toBe('idle');
    expect(ledger.resumeSession(ID, T0 + 11_000)).toMatchObject({ ok: true, value: { halt: null } });
  });

  it('charges an overrun as reported, records an alert and halts the session', () => {
    const { ledger } = open();
    const { callId, plan } = admitted(ledger, {}, { max_tokens: 64 });
    const result = ledger.settle(callId, plan, { endedBy: 'completed', usage: { promptTokens: plan.promptTokensCounted, cachedPromptTokens: 0, completionTokens: 5_000 } }, meta)!;
    expect(result.settlement.chargedMicroUsd).toBeGreaterThan(plan.worstCaseMicroUsd);
    expect(result.session?.halt?.code).toBe('usage-overrun');
    expect(result.alerts.find((alert) => alert.code === 'usage-overrun')).toMatchObject({ session: 's1', user: 'u1', tenant: 't1' });
    expect(ledger.call(callId)?.overrun).toBe(true);
  });

  it('fires 50, 80 and 100 % once per scope, the last when the budget cannot pay for the smallest call', () => {
    const { ledger } = open();
    const thresholds: number[] = [];
    for (let index = 0; index < 100; index += 1) {
      const result = ledger.reserve(input());
      if (result.kind === 'refused') {
        thresholds.push(...result.alerts.filter((alert) => alert.kind === 'session').map((alert) => alert.threshold ?? 0));
        break;
      }
      if (result.kind !== 'admitted') throw new Error('no session');
      const settled = ledger.settle(result.callId, result.plan, { endedBy: 'completed', usage: { promptTokens: result.plan.promptTokensCounted, cachedPromptTokens: 0, completionTokens: result.plan.clampedMaxTokens } }, meta)!;
      thresholds.push(...settled.alerts.filter((alert) => alert.kind === 'session').map((alert) => alert.threshold ?? 0));
    }
    expect(thresholds).toEqual([50, 80, 100]);
    expect(ledger.alerts({ tenant: 't1', limit: 10 }).filter((alert) => alert.kind === 'session')).toHaveLength(3);
    // A refusal again does not fire again.
    const again = ledger.reserve(input());
    expect(again.kind === 'refused' && again.alerts).toEqual([]);
  });

  it('settles the calls a crash left open at their full reservation, once', () => {
    const { ledger } = open();
    const a = admitted(ledger);
    const b = admitted(ledger);
    const { calls } = ledger.recoverOpenCalls(T0 + 60_000, LENIENT_GUARDS);
    expect(calls.map((call) => call.callId)).toEqual([a.callId, b.callId]);
    const total = a.plan.worstCaseMicroUsd + b.plan.worstCaseMicroUsd;
    expect(ledger.scope(SESSION_KEY)).toMatchObject({ committedMicroUsd: total, reservedMicroUsd: 0 });
    expect(ledger.call(a.callId)).toMatchObject({ status: 'settled', endedBy: 'shutdown', basis: 'full-reservation', recovered: true });
    expect(ledger.session(ID)?.state.spentMicroUsd).toBe(total);
    expect(ledger.recoverOpenCalls(T0 + 70_000, LENIENT_GUARDS).calls).toEqual([]);
    // A late settle of a recovered call does nothing.
    expect(ledger.settle(a.callId, a.plan, { endedBy: 'completed' }, meta)).toBeNull();
  });

  it('refuses when the database cannot be written (fail closed), and writes nothing', () => {
    const { db, ledger } = open();
    db.exec('PRAGMA query_only = ON');
    expect(() => ledger.reserve(input())).toThrow();
    db.exec('PRAGMA query_only = OFF');
    expect(ledger.openReservations().count).toBe(0);
    expect(ledger.reserve(input()).kind).toBe('admitted');
  });

  it('answers no-session for a session that is not this user’s', () => {
    const { ledger } = open();
    expect(ledger.reserve(input({ identity: { ...ID, userId: 'u2' } })).kind).toBe('no-session');
    expect(ledger.reserve(input({ identity: { ...ID, tenantId: 't2' } })).kind).toBe('no-session');
  });

  it('applies kill switches by scope and target', () => {
    const { ledger } = open();
    ledger.setKillSwitch({ scope: 'user', target: killSwitchTarget('user', 't1', 'u1'), reason: 'testing', setBy: 'admin', setAt: T0 });
    const switches = killSwitchesFor(ledger.killSwitches(), ID);
    expect(switches).toEqual({ user: { reason: 'testing' } });
    expect(killSwitchesFor(ledger.killSwitches(), { ...ID, userId: 'u2' })).toEqual({});
    const result = ledger.reserve(input({ killSwitches: switches }));
    expect(result).toMatchObject({ kind: 'refused', refusal: { code: 'kill-switch', killSwitch: 'user' } });
    expect(ledger.clearKillSwitch('user', killSwitchTarget('user', 't1', 'u1'))).toBe(true);
  });

  it('reports spend by tenant, user, model and day', () => {
    const { ledger } = open();
    const { callId, plan } = admitted(ledger);
    admitted(ledger, {}, { model: 'gpt-4o-mini' });
    ledger.settle(callId, plan, { endedBy: 'client-abort' }, meta);
    const rows = ledger.spend({ tenant: 't1', fromDay: '2026-01-15', toDay: '2026-01-15' });
    expect(rows).toEqual([
      expect.objectContaining({ user: 'u1', model: 'gpt-4o', calls: 1, chargedMicroUsd: plan.worstCaseMicroUsd, openReservedMicroUsd: 0 }),
      expect.objectContaining({ user: 'u1', model: 'gpt-4o-mini', calls: 1, chargedMicroUsd: 0 }),
    ]);
    expect(rows[1]!.openReservedMicroUsd).toBe(worstCaseCost(DEFAULT_PRICES.models['gpt-4o-mini']!, plan.promptTokensReserved, 500));
    expect(ledger.spend({ tenant: 't2', fromDay: '2026-01-01', toDay: '2026-12-31' })).toEqual([]);
  });
});

describe('recent sessions (the inbox meter reads them after every call)', () => {
  it('are the most recently used first, ties the greater id first, read from the index without sorting every session', () => {
    const { db, ledger } = open();
    for (let index = 0; index < 30; index += 1) ledger.createSession({ ...ID, sessionId: `s${String(index).padStart(2, '0')}` }, T0 + Math.floor(index / 2));
    ledger.createSession({ ...ID, userId: 'u2', sessionId: 'zz' }, T0 + 1_000);
    const ids = ledger.recentSessions(ID.tenantId, ID.userId, 5).map((stored) => stored.state.sessionId);
    expect(ids).toEqual(['s29', 's28', 's27', 's26', 's25']);
    // A plan that sorts ("USE TEMP B-TREE FOR ORDER BY") reads all of a user's sessions per meter write.
    const plan = (db.prepare(`EXPLAIN QUERY PLAN ${RECENT_SESSIONS_SQL}`).all(ID.tenantId, ID.userId, 5) as Array<{ detail: string }>).map((row) => row.detail);
    expect(plan.join('\n')).toContain('llm_sessions_recent');
    expect(plan.join('\n')).not.toContain('TEMP B-TREE');
  });
});
