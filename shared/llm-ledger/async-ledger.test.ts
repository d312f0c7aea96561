/**
 * The async ledger on a real Postgres, used by two stores at once (two pools: two processes):
 * concurrent reservations on one session and on one user's daily budget never pass the cap
 * together, and settlement moves reservations to charges once.
 */
import { describe, expect, it } from 'vitest';
import { microUsd } from '../domain/money.ts';
import { type BudgetLimits, type CallIdentity } from '../domain/llm/budgets.ts';
import { DEFAULT_PRICES } from '../domain/llm/default-prices.ts';
import { DEFAULT_CALL_POLICY } from '../domain/llm/plan.ts';
import { body, LENIENT_GUARDS, T0 } from '../domain/llm/test-support/fixtures.ts';
import { PostgresStore } from '../../sync-server/src/store/postgres/postgres-store.ts';
import { ensureInfra, freshDatabase } from '../../sync-server/src/test-support/infra.ts';
import type { PlanInput } from './ledger.ts';

const LIMITS: BudgetLimits = {
  sessionMicroUsd: microUsd(60_000),
  userDailyMicroUsd: microUsd(100_000),
  tenantDailyMicroUsd: microUsd(5_000_000),
  tenantMonthlyMicroUsd: microUsd(50_000_000),
  globalDailyMicroUsd: microUsd(100_000_000),
};

let counter = 0;
function input(identity: CallIdentity): PlanInput {
  counter += 1;
  return { callId: `c${counter}`, body: body({ model: 'gpt-4o', max_tokens: 500 }), identity, prices: DEFAULT_PRICES, limits: LIMITS, policy: DEFAULT_CALL_POLICY, guards: LENIENT_GUARDS, killSwitches: {}, now: T0 + 1_000 };
}

describe('async LLM ledger on Postgres, two processes', () => {
  it('concurrent reservations from two pools hold every cap; settlement happens once', async () => {
    const url = await freshDatabase(await ensureInfra(), 'ledger');
    const one = await PostgresStore.open({ url, processId: 'one', poolSize: 6 });
    const two = await PostgresStore.open({ url, processId: 'two', poolSize: 6 });
    try {
      const sessions: CallIdentity[] = [1, 2, 3].map((index) => ({ tenantId: 't1', userId: 'u1', sessionId: `s${index}` }));
      for (const identity of sessions) await one.llm.createSession(identity, T0);
      const attempts = await Promise.all(Array.from({ length: 60 }, (_, index) => (index % 2 === 0 ? one : two).llm.reserve(input(sessions[index % 3]!))));
      const admitted = attempts.filter((result) => result.kind === 'admitted');
      expect(admitted.length).toBeGreaterThan(0);
      expect(attempts.some((result) => result.kind === 'refused')).toBe(true);
      const scopes = await one.llm.scopes('');
      const userDay = scopes.find((scope) => scope.kind === 'user-day')!;
      expect(userDay.reservedMicroUsd + userDay.committedMicroUsd).toBeLessThanOrEqual(LIMITS.userDailyMicroUsd);
      for (const scope of scopes.filter((row) => row.kind === 'session')) expect(scope.reservedMicroUsd).toBeLessThanOrEqual(LIMITS.sessionMicroUsd);
      // Settle every admitted call twice, from both stores at once: each settles once.
      const outcome = { endedBy: 'completed', usage: { promptTokens: 20, completionTokens: 100, cachedPromptTokens: 0 } } as never;
      const settled = await Promise.all(
        admitted.flatMap((result) =>
          result.kind === 'admitted' ? [one, two].map((store) => store.llm.settle(result.callId, result.plan, outcome, { now: T0 + 2_000, guards: LENIENT_GUARDS })) : [],
        ),
      );
      expect(settled.filter((result) => result !== null)).toHaveLength(admitted.length);
      const after = (await two.llm.scopes('')).find((scope) => scope.kind === 'user-day')!;
      expect(after.reservedMicroUsd).toBe(0);
      const charged = settled.filter((result) => result !== null).reduce((sum, result) => sum + result!.settlement.chargedMicroUsd, 0);
      expect(after.committedMicroUsd).toBe(charged);
      expect((await one.llm.openReservations()).count).toBe(0);
    } finally {
      await one.close();
      await two.close();
    }
  });
});
