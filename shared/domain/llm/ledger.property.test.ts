/**
 * Zero overshoot, as a property: many sessions of several users in two tenants plan calls against
 * a shared ledger, admissions happen later (other calls may have been admitted meanwhile, as when
 * requests race), calls settle with any usage up to what was reserved or with none, and the clock
 * crosses a UTC day and month boundary. After every step, for every scope key:
 * committed + open reservations ≤ cap. At the end, everything settled: charged ≤ cap.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { microUsd, type MicroUsd } from '../money.ts';
import { applySettlement, remainingIn, type BudgetLimits, type CallIdentity, type LedgerSnapshot } from './budgets.ts';
import { DEFAULT_PRICES } from './default-prices.ts';
import { startSession, type SessionGuardState } from './guards.ts';
import { admitPlan, DEFAULT_CALL_POLICY, planCall, type CallPlan } from './plan.ts';
import { affordableOutputTokens, worstCaseCost, type PricedModel } from './prices.ts';
import { CALL_END_REASONS, settle } from './settle.ts';
import { LENIENT_GUARDS } from './test-support/fixtures.ts';

const LIMITS: BudgetLimits = {
  sessionMicroUsd: microUsd(30_000),
  userDailyMicroUsd: microUsd(50_000),
  tenantDailyMicroUsd: microUsd(80_000),
  tenantMonthlyMicroUsd: microUsd(150_000),
  globalDailyMicroUsd: microUsd(200_000),
};

const ACTORS: readonly CallIdentity[] = ['t1', 't2'].flatMap((tenantId) =>
  ['a', 'b'].flatMap((user) => ['1', '2'].map((session) => ({ tenantId, userId: `${tenantId}-${user}`, sessionId: `${tenantId}-${user}-${session}` }))),
);

const START = Date.UTC(2026, 0, 31, 22, 0, 0);

type Command =
  | { kind: 'plan'; actor: number; model: string; words: number; maxTokens: number | null; stream: boolean }
  | { kind: 'admit'; pick: number }
  | { kind: 'settle'; pick: number; report: { prompt: number; cached: number; completion: number } | null; endedBy: number }
  | { kind: 'advance'; ms: number };

const percent = fc.integer({ min: 0, max: 100 });
const command: fc.Arbitrary<Command> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('plan' as const),
      actor: fc.nat({ max: ACTORS.length - 1 }),
      model: fc.constantFrom('gpt-4o-mini', 'gpt-4o', 'gpt-4.1', 'gpt-5-mini'),
      words: fc.integer({ min: 1, max: 300 }),
      maxTokens: fc.option(fc.integer({ min: 1, max: 200_000 }), { nil: null }),
      stream: fc.boolean(),
    }),
  },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('admit' as const), pick: fc.nat() }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('settle' as const),
      pick: fc.nat(),
      report: fc.option(fc.record({ prompt: percent, cached: percent, completion: percent }), { nil: null }),
      endedBy: fc.nat({ max: CALL_END_REASONS.length - 1 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 3_600_000 }) }) },
);

interface World {
  now: number;
  ledger: LedgerSnapshot;
  caps: Map<string, MicroUsd>;
  charged: Map<string, number>;
  sessions: Map<string, SessionGuardState>;
  pending: CallPlan[];
  open: CallPlan[];
}

/** How often each path ran, across all runs. */
const seen = { admitted: 0, refused: 0, raced: 0 };

function assertWithinCaps(world: World): void {
  for (const [key, usage] of Object.entries(world.ledger)) {
    const cap = world.caps.get(key);
    expect(cap, key).toBeDefined();
    expect(usage.committedMicroUsd + usage.reservedMicroUsd, key).toBeLessThanOrEqual(cap as number);
    expect(usage.reservedMicroUsd, key).toBeGreaterThanOrEqual(0);
  }
}

function take<T>(items: T[], pick: number): T | undefined {
  if (items.length === 0) return undefined;
  return items.splice(pick % items.length, 1)[0];
}

function step(world: World, cmd: Command): void {
  switch (cmd.kind) {
    case 'plan': {
      const identity = ACTORS[cmd.actor] as CallIdentity;
      const session = world.sessions.get(identity.sessionId) ?? startSession(identity.sessionId, world.now);
      const content = Array.from({ length: cmd.words }, (_, index) => `word${index % 17}`).join(' ');
      const body = { model: cmd.model, messages: [{ role: 'user', content }], plaza_human_input: true, stream: cmd.stream, ...(cmd.maxTokens ? { max_tokens: cmd.maxTokens } : {}) };
      const result = planCall(body, {
        prices: DEFAULT_PRICES,
        limits: LIMITS,
        policy: DEFAULT_CALL_POLICY,
        guards: LENIENT_GUARDS,
        identity,
        killSwitches: {},
        ledger: world.ledger,
        session,
        now: world.now,
      });
      if (result.ok) {
        const plan = result.value;
        for (const row of plan.reservations) {
          world.caps.set(row.scope.key, row.scope.capMicroUsd);
          expect(row.amountMicroUsd).toBeLessThanOrEqual(remainingIn(row.scope, world.ledger));
        }
        world.sessions.set(identity.sessionId, plan.sessionAfter);
        world.pending.push(plan);
      } else {
        expect(result.error.code).toBe('budget-exhausted');
        seen.refused += 1;
        if (result.error.sessionAfter) world.sessions.set(identity.sessionId, result.error.sessionAfter);
      }
      return;
    }
    case 'admit': {
      const plan = take(world.pending, cmd.pick);
      if (!plan) return;
      const admitted = admitPlan(plan, world.ledger);
      if (admitted.ok) {
        world.ledger = admitted.value;
        world.open.push(plan);
        seen.admitted += 1;
      } else {
        seen.raced += 1;
        expect(admitted.error.code).toBe('budget-exhausted');
      }
      return;
    }
    case 'settle': {
      const plan = take(world.open, cmd.pick);
      if (!plan) return;
      const usage = cmd.report && {
        promptTokens: Math.floor((plan.promptTokensReserved * cmd.report.prompt) / 100),
        cachedPromptTokens: 0,
        completionTokens: Math.floor((plan.clampedMaxTokens * plan.choices * cmd.report.completion) / 100),
      };
      const withCache = usage && { ...usage, cachedPromptTokens: Math.floor((usage.promptTokens * (cmd.report?.cached ?? 0)) / 100) };
      const endedBy = CALL_END_REASONS[cmd.endedBy] ?? 'completed';
      const settlement = settle(plan, withCache ? { endedBy, usage: withCache } : { endedBy });
      expect(settlement.chargedMicroUsd).toBeLessThanOrEqual(plan.worstCaseMicroUsd);
      expect(settlement.chargedMicroUsd + settlement.releaseMicroUsd).toBe(plan.worstCaseMicroUsd);
      expect(settlement.haltSession).toBe(false);
      world.ledger = applySettlement(world.ledger, settlement.rows, settlement.chargedMicroUsd);
      for (const row of settlement.rows) world.charged.set(row.scope.key, (world.charged.get(row.scope.key) ?? 0) + settlement.chargedMicroUsd);
      return;
    }
    case 'advance':
      world.now += cmd.ms;
      return;
  }
}

describe('ledger properties', () => {
  it('committed + open reservations never exceed any cap, and the final charge stays under every cap', () => {
    fc.assert(
      fc.property(fc.array(command, { minLength: 1, maxLength: 120, size: 'max' }), (commands) => {
        const world: World = { now: START, ledger: {}, caps: new Map(), charged: new Map(), sessions: new Map(), pending: [], open: [] };
        for (const cmd of commands) {
          step(world, cmd);
          assertWithinCaps(world);
        }
        world.pending = [];
        while (world.open.length > 0) step(world, { kind: 'settle', pick: 0, report: null, endedBy: 1 });
        assertWithinCaps(world);
        for (const [key, usage] of Object.entries(world.ledger)) {
          expect(usage.reservedMicroUsd, key).toBe(0);
          expect(usage.committedMicroUsd, key).toBe(world.charged.get(key) ?? 0);
          expect(usage.committedMicroUsd, key).toBeLessThanOrEqual(world.caps.get(key) as number);
        }
      }),
      { numRuns: 300 },
    );
    // The runs must have exercised refusals at planning and at admission, not only easy calls.
    expect(seen.admitted).toBeGreaterThan(500);
    expect(seen.refused).toBeGreaterThan(100);
    expect(seen.raced).toBeGreaterThan(50);
  });

  it('affordableOutputTokens is the exact inverse of worstCaseCost for any prices', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1_000_000_000 }),
        fc.integer({ min: 1, max: 1_000_000_000 }),
        fc.integer({ min: 0, max: 2_000_000 }),
        fc.integer({ min: 0, max: 10_000_000 }),
        fc.integer({ min: 1, max: 8 }),
        (input, output, prompt, budget, choices) => {
          const model: PricedModel = {
            id: 'm',
            label: 'M',
            inputPerMillion: microUsd(input),
            cachedInputPerMillion: microUsd(0),
            outputPerMillion: microUsd(output),
            contextWindow: 10_000_000,
            maxOutputTokens: 10_000_000,
          };
          const tokens = affordableOutputTokens(model, prompt, microUsd(budget), choices);
          if (tokens > 0) expect(worstCaseCost(model, prompt, tokens, choices)).toBeLessThanOrEqual(budget);
          if (tokens < 100_000_000) expect(worstCaseCost(model, prompt, tokens + 1, choices)).toBeGreaterThan(budget);
        },
      ),
      { numRuns: 500 },
    );
  });
});
