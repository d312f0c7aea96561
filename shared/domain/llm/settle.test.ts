import { describe, expect, it } from 'vitest';
import { expectOk } from '../result.ts';
import { applySettlement } from './budgets.ts';
import { recordSettlement } from './guards.ts';
import { admitPlan, planCall } from './plan.ts';
import { usageCost } from './prices.ts';
import { CALL_END_REASONS, settle } from './settle.ts';
import { body, context, T0 } from './test-support/fixtures.ts';
import { parseUpstreamUsage } from './upstream.ts';

const plan = expectOk(planCall(body({ max_tokens: 1_000 }), context()));

describe('settle', () => {
  it('with usage: charges the actual cost and releases the rest', () => {
    const usage = { promptTokens: plan.promptTokensCounted, cachedPromptTokens: 0, completionTokens: 120 };
    const settlement = settle(plan, { endedBy: 'completed', usage });
    const actual = usageCost(plan.model, usage);
    expect(settlement).toMatchObject({ basis: 'usage', chargedMicroUsd: actual, actualMicroUsd: actual, releaseMicroUsd: plan.worstCaseMicroUsd - actual, haltSession: false });
    expect(settlement.alert).toBeUndefined();
  });

  it('prices cached prompt tokens at the cached rate', () => {
    const usage = { promptTokens: 2_000, cachedPromptTokens: 1_024, completionTokens: 0 };
    const big = expectOk(planCall(body({ max_tokens: 1_000, messages: [{ role: 'user', content: 'token '.repeat(2_000) }] }), context()));
    expect(settle(big, { endedBy: 'completed', usage }).chargedMicroUsd).toBe(Math.ceil((976 * 150_000 + 1_024 * 75_000) / 1e6));
  });

  it.each(CALL_END_REASONS)('without usage (%s): keeps the full reservation, never zero', (endedBy) => {
    const settlement = settle(plan, { endedBy });
    expect(settlement).toMatchObject({ basis: 'full-reservation', chargedMicroUsd: plan.worstCaseMicroUsd, releaseMicroUsd: 0, actualMicroUsd: null, haltSession: false });
    expect(settlement.chargedMicroUsd).toBeGreaterThan(0);
  });

  it('usage obtained by draining after a client abort settles exactly', () => {
    const usage = { promptTokens: plan.promptTokensCounted, cachedPromptTokens: 0, completionTokens: 40 };
    expect(settle(plan, { endedBy: 'client-abort', usage })).toMatchObject({ basis: 'usage', chargedMicroUsd: usageCost(plan.model, usage) });
  });

  it('usage above the reservation: charges the actual, alerts, halts the session', () => {
    const usage = { promptTokens: plan.promptTokensReserved * 3, cachedPromptTokens: 0, completionTokens: 1_000 };
    const settlement = settle(plan, { endedBy: 'completed', usage });
    expect(settlement.chargedMicroUsd).toBe(usageCost(plan.model, usage));
    expect(settlement.chargedMicroUsd).toBeGreaterThan(plan.worstCaseMicroUsd);
    expect(settlement.releaseMicroUsd).toBe(0);
    expect(settlement.haltSession).toBe(true);
    expect(settlement.alert).toMatchObject({ code: 'usage-overrun', sessionId: 's1', model: 'gpt-4o-mini', promptTokensReported: usage.promptTokens });
    expect(settlement.alert?.message).toMatch(/charged against/);
    const session = recordSettlement(plan.sessionAfter, settlement, T0 + 1);
    expect(session.halt).toMatchObject({ code: 'usage-overrun', resumable: true });
    expect(session.spentMicroUsd).toBe(settlement.chargedMicroUsd);
  });

  it('an answer longer than the clamp halts even when the cost still fits (the upstream ignored the limit)', () => {
    const settlement = settle(plan, { endedBy: 'completed', usage: { promptTokens: 1, cachedPromptTokens: 0, completionTokens: 1_001 } });
    expect(settlement.chargedMicroUsd).toBeLessThanOrEqual(plan.worstCaseMicroUsd);
    expect(settlement.haltSession).toBe(true);
    expect(settlement.alert?.completionTokensReported).toBe(1_001);
  });

  it('a prompt undercount beyond the margin alerts but does not halt while the cost fits', () => {
    const settlement = settle(plan, { endedBy: 'completed', usage: { promptTokens: plan.promptTokensReserved + 5, cachedPromptTokens: 0, completionTokens: 10 } });
    expect(settlement.haltSession).toBe(false);
    expect(settlement.alert?.code).toBe('usage-overrun');
  });

  it('moves the reservation to committed in every scope', () => {
    const reserved = expectOk(admitPlan(plan, {}));
    const settlement = settle(plan, { endedBy: 'completed', usage: { promptTokens: 30, cachedPromptTokens: 0, completionTokens: 30 } });
    const after = applySettlement(reserved, settlement.rows, settlement.chargedMicroUsd);
    for (const row of plan.reservations) {
      expect(after[row.scope.key]).toEqual({ committedMicroUsd: settlement.chargedMicroUsd, reservedMicroUsd: 0 });
    }
  });
});

describe('upstream usage report', () => {
  it('reads OpenAI usage, with or without details', () => {
    expect(
      parseUpstreamUsage({
        prompt_tokens: 12,
        completion_tokens: 4,
        total_tokens: 16,
        prompt_tokens_details: { cached_tokens: 2, audio_tokens: 0 },
        completion_tokens_details: { reasoning_tokens: 1 },
      }),
    ).toEqual({ promptTokens: 12, cachedPromptTokens: 2, completionTokens: 4 });
    expect(parseUpstreamUsage({ prompt_tokens: 12, completion_tokens: 4 })).toEqual({ promptTokens: 12, cachedPromptTokens: 0, completionTokens: 4 });
    expect(parseUpstreamUsage({ prompt_tokens: 12, completion_tokens: 4, prompt_tokens_details: { cached_tokens: 99 } })?.cachedPromptTokens).toBe(12);
  });

  it('treats a missing or malformed report as no report (settled at the full reservation)', () => {
    for (const raw of [undefined, null, {}, { prompt_tokens: -1, completion_tokens: 0 }, { prompt_tokens: 1.5, completion_tokens: 0 }, { prompt_tokens: '3', completion_tokens: 1 }]) {
      expect(parseUpstreamUsage(raw)).toBeUndefined();
    }
  });
});
