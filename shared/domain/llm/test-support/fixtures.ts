/** Shared fixtures for the LLM policy tests: one identity, generous limits, a context builder. */
import { microUsd } from '../../money.ts';
import type { BudgetLimits, CallIdentity, LedgerSnapshot } from '../budgets.ts';
import { DEFAULT_PRICES } from '../default-prices.ts';
import { DEFAULT_GUARD_CONFIG, startSession, type GuardConfig } from '../guards.ts';
import { DEFAULT_CALL_POLICY, type PlanContext } from '../plan.ts';

/** 2026-01-15 12:00 UTC. */
export const T0 = Date.UTC(2026, 0, 15, 12, 0, 0);

export const IDENTITY: CallIdentity = { tenantId: 't1', userId: 'u1', sessionId: 's1' };

export const LIMITS: BudgetLimits = {
  sessionMicroUsd: microUsd(500_000),
  userDailyMicroUsd: microUsd(1_000_000),
  tenantDailyMicroUsd: microUsd(5_000_000),
  tenantMonthlyMicroUsd: microUsd(50_000_000),
  globalDailyMicroUsd: microUsd(100_000_000),
};

/** Guards that never get in the way, for tests about money. */
export const LENIENT_GUARDS: GuardConfig = {
  ...DEFAULT_GUARD_CONFIG,
  maxCallsPerMinute: 10_000,
  maxCallsPerHumanInput: 10_000,
  loopThreshold: 1_000,
  maxLifetimeMs: 365 * 24 * 3_600_000,
  maxLifetimeSpendMicroUsd: microUsd(1_000_000_000),
};

export function context(overrides: Partial<PlanContext> = {}): PlanContext {
  const identity = overrides.identity ?? IDENTITY;
  const now = overrides.now ?? T0;
  return {
    prices: DEFAULT_PRICES,
    limits: LIMITS,
    policy: DEFAULT_CALL_POLICY,
    guards: LENIENT_GUARDS,
    identity,
    killSwitches: {},
    ledger: {},
    session: startSession(identity.sessionId, now),
    now,
    ...overrides,
  };
}

export function body(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    model: 'gpt-4o-mini',
    messages: [
      { role: 'system', content: 'You are Plaza’s shopping assistant.' },
      { role: 'user', content: 'Which chess set would you recommend for a beginner?' },
    ],
    plaza_session_id: IDENTITY.sessionId,
    plaza_human_input: true,
    ...overrides,
  };
}

/** A snapshot where `key` has `committed` settled and nothing reserved. */
export function spent(key: string, committed: number, reserved = 0): LedgerSnapshot {
  return { [key]: { committedMicroUsd: microUsd(committed), reservedMicroUsd: microUsd(reserved) } };
}
