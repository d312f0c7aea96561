import { describe, expect, it } from 'vitest';
import { microUsd } from '../../../shared/domain/money.ts';
import { scopeKey, type BudgetLimits, type CallIdentity } from '../../../shared/domain/llm/budgets.ts';
import { DEFAULT_PRICES } from '../../../shared/domain/llm/default-prices.ts';
import { DEFAULT_CALL_POLICY } from '../../../shared/domain/llm/plan.ts';
import { body, LENIENT_GUARDS, T0 } from '../../../shared/domain/llm/test-support/fixtures.ts';
import { immediateTransaction } from '../../../shared/llm-ledger/db.ts';
import type { PlanInput, ReserveResult } from '../../../shared/llm-ledger/ledger.ts';
import { temporaryDir } from '../test-support/harness.ts';
import { GroupCommit } from './sqlite-group-commit.ts';
import { SqliteStore } from './sqlite.ts';

const LIMITS: BudgetLimits = {
  sessionMicroUsd: microUsd(1_000_000),
  userDailyMicroUsd: microUsd(1_000_000),
  tenantDailyMicroUsd: microUsd(5_000_000),
  tenantMonthlyMicroUsd: microUsd(50_000_000),
  globalDailyMicroUsd: microUsd(100_000_000),
};

let counter = 0;
function input(identity: CallIdentity, limits: BudgetLimits = LIMITS): PlanInput {
  counter += 1;
  return {
    callId: `g${counter}`,
    body: body({ model: 'gpt-4o', max_tokens: 500, plaza_session_id: identity.sessionId }),
    identity,
    prices: DEFAULT_PRICES,
    limits,
    policy: DEFAULT_CALL_POLICY,
    guards: LENIENT_GUARDS,
    killSwitches: {},
    now: T0 + 1_000,
  };
}

async function storeWithSessions(count: number): Promise<{ store: SqliteStore; identities: CallIdentity[] }> {
  const store = SqliteStore.open(temporaryDir('plaza-group-commit-'));
  const identities = Array.from({ length: count }, (_, index) => ({ tenantId: 't1', userId: `u${index % 3}`, sessionId: `s${index}` }));
  for (const identity of identities) await store.llm.createSession(identity, T0);
  return { store, identities };
}

/** Counts the transactions the store's connection begins and commits. */
function countCommits(store: SqliteStore): { begins: number; commits: number } {
  const counts = { begins: 0, commits: 0 };
  const exec = store.db.exec.bind(store.db);
  store.db.exec = (sql: string) => {
    if (sql.startsWith('BEGIN')) counts.begins += 1;
    if (sql === 'COMMIT') counts.commits += 1;
    exec(sql);
  };
  return counts;
}

describe('group commit of LLM ledger writes (embedded store)', () => {
  it('reservations asked for in one turn share one transaction, and each holds every cap', async () => {
    const { store, identities } = await storeWithSessions(40);
    const counts = countCommits(store);
    const results = await Promise.all(identities.map((identity) => store.llm.reserve(input(identity))));
    expect(results.map((result) => result.kind)).toEqual(identities.map(() => 'admitted'));
    expect(counts).toEqual({ begins: 1, commits: 1 });
    // Every reservation is in every scope, exactly once.
    const amounts = results.map((result): number => (result.kind === 'admitted' ? result.plan.worstCaseMicroUsd : 0));
    const tenantDay = (await store.llm.scopes('tenant-day/t1/'))[0]!;
    expect(tenantDay.reservedMicroUsd).toBe(amounts.reduce((sum, amount) => sum + amount, 0));
    expect((await store.llm.openReservations()).count).toBe(40);
    await store.close();
  });

  it('calls of one session planned before either was admitted: the second is re-planned on the first', async () => {
    const { store, identities } = await storeWithSessions(1);
    const identity = identities[0]!;
    const alone = store.llmLedger.plan(input(identity))!.result;
    if (!alone.ok) throw new Error('the plan should fit');
    // Room for one and a half worst cases: each plan fits alone, together they do not.
    const tight = { ...LIMITS, sessionMicroUsd: microUsd(Math.floor(alone.value.worstCaseMicroUsd * 1.5)) };
    const [a, b] = await Promise.all([store.llm.reserve(input(identity, tight)), store.llm.reserve(input(identity, tight))]);
    expect(a.kind).toBe('admitted');
    // The second, re-planned under the lock against the first: clamped to what is left.
    expect(b.kind).toBe('admitted');
    if (a.kind !== 'admitted' || b.kind !== 'admitted') return;
    expect(a.plan.clampedMaxTokens).toBe(500);
    expect(b.plan.clampedMaxTokens).toBeLessThan(500);
    const session = (await store.llm.scopes(scopeKey('session', identity, 'session')))[0]!;
    expect(session.reservedMicroUsd).toBe(a.plan.worstCaseMicroUsd + b.plan.worstCaseMicroUsd);
    expect(session.reservedMicroUsd).toBeLessThanOrEqual(tight.sessionMicroUsd);
    expect((await store.llm.session(identity))!.state.callCount).toBe(2);
    await store.close();
  });

  it('one operation that throws fails alone; the rest of its group is written', async () => {
    const { store } = await storeWithSessions(0);
    const group = new GroupCommit(store.db);
    const insert = (key: string) => () =>
      immediateTransaction(store.db, () => store.db.prepare('INSERT INTO server_state(key, value) VALUES (?, ?)').run(key, 'v'));
    const outcomes = await Promise.allSettled([group.run(insert('a')), group.run(insert('a')), group.run(insert('b'))]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(await store.serverState.get('a')).toBe('v');
    expect(await store.serverState.get('b')).toBe('v');
    await store.close();
  });

  it('a ledger that cannot be written fails every reservation of the group, and nothing is held (fail closed)', async () => {
    const { store, identities } = await storeWithSessions(5);
    store.db.exec('PRAGMA query_only = ON');
    const outcomes = await Promise.allSettled(identities.map((identity) => store.llm.reserve(input(identity))));
    expect(outcomes.every((outcome) => outcome.status === 'rejected')).toBe(true);
    store.db.exec('PRAGMA query_only = OFF');
    expect((await store.llm.openReservations()).count).toBe(0);
    expect(await store.llm.scopes()).toEqual([]);
    // And it recovers: the next group is written.
    const after: ReserveResult[] = await Promise.all(identities.map((identity) => store.llm.reserve(input(identity))));
    expect(after.every((result) => result.kind === 'admitted')).toBe(true);
    await store.close();
  });

  it('a settlement waits for its group commit and settles once', async () => {
    const { store, identities } = await storeWithSessions(3);
    const admitted = await Promise.all(identities.map((identity) => store.llm.reserve(input(identity))));
    const counts = countCommits(store);
    const meta = { now: T0 + 2_000, guards: LENIENT_GUARDS };
    const settled = await Promise.all(
      admitted.flatMap((result) =>
        result.kind === 'admitted'
          ? [store.llm.settle(result.callId, result.plan, { endedBy: 'completed', usage: { promptTokens: 10, cachedPromptTokens: 0, completionTokens: 5 } }, meta), store.llm.settle(result.callId, result.plan, { endedBy: 'kill-switch' }, meta)]
          : [],
      ),
    );
    expect(counts.commits).toBe(1);
    // The first settlement of each call wins; the second finds it settled.
    expect(settled.map((result) => (result === null ? null : result.settlement.basis))).toEqual(['usage', null, 'usage', null, 'usage', null]);
    expect((await store.llm.openReservations()).count).toBe(0);
    const tenantDay = (await store.llm.scopes('tenant-day/t1/'))[0]!;
    expect(tenantDay.reservedMicroUsd).toBe(0);
    expect(tenantDay.committedMicroUsd).toBe(settled.reduce((sum, result) => sum + (result?.settlement.chargedMicroUsd ?? 0), 0));
    await store.close();
  });
});
