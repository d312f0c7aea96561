import { describe, expect, it } from 'vitest';
import { microUsd } from '../money.ts';
import { expectOk } from '../result.ts';
import { applyReservation, parseBudgetLimits, scopeKey, scopesFor, type LedgerSnapshot } from './budgets.ts';
import { DEFAULT_PRICES } from './default-prices.ts';
import { haltSession, startSession } from './guards.ts';
import { admitPlan, callPolicySchema, DEFAULT_CALL_POLICY, planCall, requiredHeadroom, type CallPlan } from './plan.ts';
import { affordableOutputTokens, lookupModel, worstCaseCost, type PricedModel } from './prices.ts';
import { killSwitchRefusal, refusalHttpStatus, type Refusal } from './refusal.ts';
import { parseChatRequest } from './request.ts';
import { body, context, IDENTITY, LIMITS, spent, T0 } from './test-support/fixtures.ts';
import { countPromptTokens, reservedPromptTokens } from './tokens.ts';
import { upstreamRequestBody } from './upstream.ts';
import { dayWindow, formatUtc } from './windows.ts';

const mini = lookupModel(DEFAULT_PRICES, 'gpt-4o-mini') as PricedModel;
const gpt4o = lookupModel(DEFAULT_PRICES, 'gpt-4o') as PricedModel;
const userDay = scopeKey('user-day', IDENTITY, '2026-01-15');
const sessionKey = scopeKey('session', IDENTITY, 'session');

function refused(result: ReturnType<typeof planCall>): Refusal {
  if (result.ok) throw new Error(`expected a refusal, got a plan for ${result.value.clampedMaxTokens} tokens`);
  return result.error;
}

const prompt = expectOk(parseChatRequest(body())).messages;
const counted = countPromptTokens(prompt);
const reserved = reservedPromptTokens(counted, { percent: 10, tokens: 16 });

describe('planCall: worst case and clamp', () => {
  it('reserves prompt (with margin) plus the full answer at worst-case prices, in every scope', () => {
    const plan = expectOk(planCall(body({ max_tokens: 500 }), context()));
    expect(plan.promptTokensCounted).toBe(counted);
    expect(plan.promptTokensReserved).toBe(reserved);
    expect(plan.requestedMaxTokens).toBe(500);
    expect(plan.clampedMaxTokens).toBe(500);
    expect(plan.worstCaseMicroUsd).toBe(worstCaseCost(mini, reserved, 500));
    expect(requiredHeadroom(plan).map((row) => [row.scope.kind, row.amountMicroUsd])).toEqual(
      ['session', 'user-day', 'tenant-day', 'tenant-month', 'global-day'].map((kind) => [kind, plan.worstCaseMicroUsd]),
    );
    expect(plan.sessionAfter.callCount).toBe(1);
    expect(plan.stream).toBe(false);
  });

  it('without max_tokens, asks for the policy default or the model maximum', () => {
    const plan = expectOk(planCall(body(), context()));
    expect(plan.requestedMaxTokens).toBeNull();
    expect(plan.clampedMaxTokens).toBe(mini.maxOutputTokens);
    const policy = { ...context().policy, defaultMaxTokens: 2_048 };
    expect(expectOk(planCall(body(), context({ policy }))).clampedMaxTokens).toBe(2_048);
    expect(expectOk(planCall(body({ max_tokens: 3_000 }), context({ policy }))).clampedMaxTokens).toBe(3_000);
  });

  it('clamps a huge max_tokens to what the tightest budget can pay for, to the micro-dollar', () => {
    const ledger = spent(userDay, 999_000); // $0.001 left today
    const plan = expectOk(planCall(body({ model: 'gpt-4o', max_tokens: 10_000_000 }), context({ ledger })));
    const expected = affordableOutputTokens(gpt4o, reserved, microUsd(1_000));
    expect(plan.clampedMaxTokens).toBe(expected);
    expect(plan.worstCaseMicroUsd).toBeLessThanOrEqual(1_000);
    expect(worstCaseCost(gpt4o, reserved, plan.clampedMaxTokens + 1)).toBeGreaterThan(1_000);
    expect(upstreamRequestBody(plan)).toMatchObject({ max_completion_tokens: expected });
    expect(upstreamRequestBody(plan)).not.toHaveProperty('max_tokens');
  });

  it('clamps to the model maximum and to the context window', () => {
    expect(expectOk(planCall(body({ max_completion_tokens: 1_000_000 }), context())).clampedMaxTokens).toBe(16_384);
    const long = 'word '.repeat(127_000);
    const plan = expectOk(planCall(body({ model: 'gpt-4.1-nano', messages: [{ role: 'user', content: long }] }), context()));
    expect(plan.clampedMaxTokens).toBeLessThanOrEqual(1_047_576 - plan.promptTokensCounted);
  });

  it('forces the usage report on a stream', () => {
    const plan = expectOk(planCall(body({ stream: true, stream_options: { include_usage: false } }), context()));
    expect(plan.stream).toBe(true);
    expect(upstreamRequestBody(plan)).toMatchObject({ stream: true, stream_options: { include_usage: true } });
  });

  it('lets a small request through when the budget pays for what it asked, even below the minimum answer', () => {
    const cost = worstCaseCost(mini, reserved, 10);
    const ledger = spent(userDay, LIMITS.userDailyMicroUsd - cost);
    expect(expectOk(planCall(body({ max_tokens: 10 }), context({ ledger }))).clampedMaxTokens).toBe(10);
    expect(refused(planCall(body({ max_tokens: 11 }), context({ ledger: spent(userDay, LIMITS.userDailyMicroUsd - cost + 1) }))).code).toBe('budget-exhausted');
  });
});

describe('planCall: refusals', () => {
  it.each([
    ['an unknown model (never priced at zero)', body({ model: 'gpt-9-ultra' }), 'unknown-model', 'model'],
    ['n: 50', body({ n: 50 }), 'too-many-choices', 'n'],
    ['n: 2 with the default policy', body({ n: 2 }), 'too-many-choices', 'n'],
    ['an unknown field', body({ logit_bias_v2: {} }), 'field-not-allowed', 'logit_bias_v2'],
    ['tools', body({ tools: [{ type: 'function', function: { name: 'search' } }] }), 'field-not-allowed', 'tools'],
    ['an image', body({ messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://x' } }] }] }), 'field-not-allowed', 'messages[0].content[0].type'],
    ['another session', body({ plaza_session_id: 's2' }), 'session-mismatch', 'plaza_session_id'],
    ['a prompt longer than the window', body({ messages: [{ role: 'user', content: 'word '.repeat(130_000) }] }), 'prompt-too-long', 'messages'],
  ])('refuses %s', (_name, request, code, field) => {
    const refusal = refused(planCall(request, context()));
    expect(refusal.code).toBe(code);
    expect(refusal.field).toBe(field);
    expect(refusal.message.length).toBeGreaterThan(10);
    expect(refusalHttpStatus(refusal.code)).toBeGreaterThanOrEqual(400);
  });

  it('prices n > 1 when the policy allows it, every choice at the full answer', () => {
    const policy = { ...context().policy, maxChoices: 3 };
    const plan = expectOk(planCall(body({ n: 3, max_tokens: 100 }), context({ policy })));
    expect(plan.choices).toBe(3);
    expect(plan.worstCaseMicroUsd).toBe(worstCaseCost(mini, reserved, 100, 3));
    expect(upstreamRequestBody(plan)).toMatchObject({ n: 3 });
  });

  it('refuses when the remainder cannot pay for the prompt and a minimum answer, naming the budget and its reset', () => {
    const refusal = refused(planCall(body(), context({ ledger: spent(userDay, 999_990) })));
    expect(refusal.code).toBe('budget-exhausted');
    expect(refusal.budget).toMatchObject({ kind: 'user-day', window: '2026-01-15', remainingMicroUsd: 10, resetsAt: Date.UTC(2026, 0, 16) });
    expect(refusal.budget?.neededMicroUsd).toBe(worstCaseCost(mini, reserved, 64));
    expect(refusal.message).toContain('your daily budget ($1.00 a day)');
    expect(refusal.message).toContain('It resets at 2026-01-16 00:00 UTC.');
    expect(refusalHttpStatus(refusal.code)).toBe(402);
    expect(refusal.sessionAfter?.callCount).toBe(0);
  });

  it('names the session budget, which does not reset', () => {
    const refusal = refused(planCall(body(), context({ ledger: spent(sessionKey, 400_000, 100_000) })));
    expect(refusal.budget).toMatchObject({ kind: 'session', resetsAt: null, remainingMicroUsd: 0 });
    expect(refusal.message).toMatch(/this chat session’s budget.*start a new chat session/);
  });

  it('names the monthly team budget and the first of next month', () => {
    const ledger = spent(scopeKey('tenant-month', IDENTITY, '2026-01'), 50_000_000);
    const refusal = refused(planCall(body(), context({ ledger })));
    expect(refusal.budget?.kind).toBe('tenant-month');
    expect(refusal.message).toContain('It resets at 2026-02-01 00:00 UTC.');
  });

  it('a zero cap blocks every call in its scope', () => {
    const refusal = refused(planCall(body({ max_tokens: 1 }), context({ limits: { ...LIMITS, globalDailyMicroUsd: microUsd(0) } })));
    expect(refusal.budget?.kind).toBe('global-day');
  });

  it.each(['global', 'tenant', 'user', 'session'] as const)('honours the %s kill switch', (scope) => {
    const refusal = refused(planCall(body(), context({ killSwitches: { [scope]: { reason: 'incident 42' } } })));
    expect(refusal).toMatchObject({ code: 'kill-switch', killSwitch: scope });
    expect(refusal.message).toContain('incident 42');
    expect(refusal.sessionAfter).toBeUndefined();
  });

  it('refuses for a halted session and hands back the halted state to persist', () => {
    const session = haltSession(startSession('s1', T0), 'loop', T0);
    const refusal = refused(planCall(body(), context({ session })));
    expect(refusal).toMatchObject({ code: 'session-halted', halt: { code: 'loop', resumable: true } });
    const idle = refused(planCall(body({ plaza_human_input: false }), context({ now: T0 + 16 * 60_000, session: startSession('s1', T0) })));
    expect(idle).toMatchObject({ code: 'session-halted', halt: { code: 'idle' }, sessionAfter: { halt: { code: 'idle' } } });
  });
});

describe('budget windows', () => {
  it('roll over at UTC midnight: a new day starts empty, the session and month do not', () => {
    const before = Date.UTC(2026, 0, 15, 23, 59, 59, 999);
    const after = before + 1;
    expect(dayWindow(before)).toBe('2026-01-15');
    expect(dayWindow(after)).toBe('2026-01-16');
    const plan = expectOk(planCall(body({ max_tokens: 1000 }), context({ now: before })));
    let ledger: LedgerSnapshot = expectOk(admitPlan(plan, {}));
    ledger = { ...ledger, [userDay]: { committedMicroUsd: microUsd(1_000_000), reservedMicroUsd: microUsd(0) } };
    expect(refused(planCall(body(), context({ now: before, ledger }))).budget?.kind).toBe('user-day');
    const next = expectOk(planCall(body(), context({ now: after, ledger })));
    const keys = next.reservations.map((row) => row.scope.key);
    expect(keys).toContain(scopeKey('user-day', IDENTITY, '2026-01-16'));
    expect(keys).toContain(sessionKey);
    expect(keys).toContain(scopeKey('tenant-month', IDENTITY, '2026-01'));
  });

  it('roll over at the UTC month boundary, including leap years', () => {
    const scopes = (now: number) => Object.fromEntries(scopesFor(IDENTITY, LIMITS, now).map((scope) => [scope.kind, scope]));
    const endOfJanuary = Date.UTC(2026, 0, 31, 23, 59, 59, 999);
    expect(scopes(endOfJanuary)['tenant-month']).toMatchObject({ window: '2026-01', resetsAt: Date.UTC(2026, 1, 1) });
    expect(scopes(endOfJanuary + 1)['tenant-month']).toMatchObject({ window: '2026-02', resetsAt: Date.UTC(2026, 2, 1) });
    expect(scopes(Date.UTC(2028, 1, 29, 12))['user-day']).toMatchObject({ window: '2028-02-29', resetsAt: Date.UTC(2028, 2, 1) });
    expect(scopes(Date.UTC(2026, 11, 31, 23))['tenant-month']).toMatchObject({ window: '2026-12', resetsAt: Date.UTC(2027, 0, 1) });
  });

  it('keep identities with separators apart in scope keys', () => {
    const a = scopeKey('user-day', { tenantId: 'a/b', userId: 'c', sessionId: 's' }, '2026-01-15');
    const b = scopeKey('user-day', { tenantId: 'a', userId: 'b/c', sessionId: 's' }, '2026-01-15');
    expect(a).not.toBe(b);
  });
});

describe('admitPlan: the atomic check-and-insert', () => {
  it('admits plans until the room is gone, then refuses a plan made against a stale snapshot', () => {
    const ledger = spent(userDay, 1_000_000 - 12_000);
    const first = expectOk(planCall(body({ max_tokens: 10_000 }), context({ ledger })));
    const second = expectOk(planCall(body({ max_tokens: 10_000 }), context({ ledger })));
    const afterFirst = expectOk(admitPlan(first, ledger));
    expect(afterFirst[userDay]?.reservedMicroUsd).toBe(first.worstCaseMicroUsd);
    const racing = admitPlan(second, afterFirst);
    expect(racing.ok).toBe(false);
    if (!racing.ok) expect(racing.error).toMatchObject({ code: 'budget-exhausted', budget: { kind: 'user-day' } });
  });

  it('reserves the same amount in every scope at once', () => {
    const plan: CallPlan = expectOk(planCall(body({ max_tokens: 100 }), context()));
    const after = applyReservation({}, plan.reservations);
    expect(Object.values(after).map((usage) => usage.reservedMicroUsd)).toEqual(Array(5).fill(plan.worstCaseMicroUsd));
  });
});

describe('call policy config', () => {
  it('the default policy is valid config', () => {
    expect(callPolicySchema.safeParse(DEFAULT_CALL_POLICY).success).toBe(true);
    expect(callPolicySchema.safeParse({ ...DEFAULT_CALL_POLICY, promptMargin: { percent: -1, tokens: 0 } }).success).toBe(false);
  });
});

describe('edges', () => {
  it('time must be a finite number of milliseconds', () => {
    expect(() => dayWindow(Number.NaN)).toThrow(RangeError);
    expect(formatUtc(Date.UTC(2026, 0, 2, 3, 4))).toBe('2026-01-02 03:04 UTC');
  });

  it('a kill switch without a reason still says who switched it off', () => {
    expect(killSwitchRefusal('tenant', undefined).message).toBe('The AI assistant was switched off for your team by an administrator. It stays off until it is switched back on.');
  });

  it('a message that is not an object is an invalid request, not a crash', () => {
    expect(refused(planCall(body({ messages: ['hello'] }), context()))).toMatchObject({ code: 'invalid-request', field: 'messages[0]' });
  });

  it('the global daily cap is optional', () => {
    const limits = expectOk(parseBudgetLimits({ sessionMicroUsd: 1, userDailyMicroUsd: 2, tenantDailyMicroUsd: 3, tenantMonthlyMicroUsd: 4, globalDailyMicroUsd: 5 }));
    expect(scopesFor(IDENTITY, limits, T0).map((scope) => scope.kind)).toContain('global-day');
    const { globalDailyMicroUsd: _omitted, ...withoutGlobal } = LIMITS;
    expect(scopesFor(IDENTITY, withoutGlobal, T0).map((scope) => scope.kind)).not.toContain('global-day');
  });

  it('the unknown-model refusal says it is not on the price list', () => {
    expect(refused(planCall(body({ model: 'o9-preview' }), context())).message).toBe('The model "o9-preview" is not on Plaza\'s price list, so it cannot be called.');
  });
});
