/**
 * The incident, replayed against the proxy: 50 clients stream as fast as they can on one chat
 * session capped at $0.10, with the rate and loop guards relaxed so that only the budget stops
 * them. Open reservations plus charges never pass the cap while it runs; at the end the charges
 * are within the cap to the micro-dollar, what is left cannot pay for the smallest call, every
 * refusal says which budget, and the 50/80/100 % alerts fired once each.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { scopeKey } from '../../../shared/domain/llm/budgets.ts';
import { DEFAULT_PRICES } from '../../../shared/domain/llm/default-prices.ts';
import { worstCaseCost } from '../../../shared/domain/llm/prices.ts';
import { countPromptTokens, reservedPromptTokens } from '../../../shared/domain/llm/tokens.ts';
import { chat, chatBody, errorOf, LENIENT_GUARDS, member, newSession, readSse, startLlmTest, type LlmTest } from './test-support/llm-harness.ts';

let test: LlmTest | null = null;
afterEach(async () => {
  await test?.close();
  test = null;
});

const CAP = 100_000;
const WORKERS = 50;

describe('runaway session', () => {
  it('50 concurrent streams cannot push one session past its $0.10 cap, and the cap is reached, not dodged', async () => {
    test = await startLlmTest({
      config: { ...LENIENT_GUARDS, llmSessionMicroUsd: CAP },
      fake: { answer: () => 'word '.repeat(300), tokensPerChunk: 25, defaults: { chunkDelayMs: 2 } },
    });
    const t = test;
    const user = await member(t.server);
    const sessionId = await newSession(t.server, user);
    const key = scopeKey('session', { tenantId: 'acme', userId: user.id, sessionId }, 'session');
    const body = chatBody(sessionId, { model: 'gpt-4o', max_tokens: 500, stream: true });

    let worst = 0;
    let samples = 0;
    const sampler = setInterval(() => {
      const scope = t.ledger.scope(key);
      if (!scope) return;
      samples += 1;
      worst = Math.max(worst, scope.committedMicroUsd + scope.reservedMicroUsd);
    }, 2);

    const refusals: Array<{ status: number; code: string; message: string }> = [];
    let admitted = 0;
    const worker = async () => {
      for (let attempt = 0; attempt < 400; attempt += 1) {
        const response = await chat(t.server, user, body);
        if (response.status === 200) {
          admitted += 1;
          const { events } = await readSse(response);
          expect(events.at(-1)).toBe('[DONE]');
          continue;
        }
        refusals.push(await errorOf(response));
        // Refused: stop once nothing is held any more (the budget is really gone), else retry.
        if ((t.ledger.scope(key)?.reservedMicroUsd ?? 0) === 0) return;
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    };
    await Promise.all(Array.from({ length: WORKERS }, worker));
    clearInterval(sampler);

    const scope = t.ledger.scope(key)!;
    expect(samples).toBeGreaterThan(10);
    expect(worst).toBeLessThanOrEqual(CAP);
    expect(scope.reservedMicroUsd).toBe(0);
    expect(scope.committedMicroUsd).toBeLessThanOrEqual(CAP);
    // The remainder cannot pay for the smallest call: prompt (with its margin) + 64 answer tokens.
    const model = DEFAULT_PRICES.models['gpt-4o']!;
    const smallest = worstCaseCost(model, reservedPromptTokens(countPromptTokens(body.messages as never), { percent: 10, tokens: 16 }), 64);
    expect(CAP - scope.committedMicroUsd).toBeLessThan(smallest);
    // Many calls ran, many more were refused, all with the budget named.
    expect(admitted).toBeGreaterThan(25);
    expect(refusals.length).toBeGreaterThanOrEqual(WORKERS);
    for (const refusal of refusals) {
      expect(refusal).toMatchObject({ status: 402, code: 'budget_exhausted' });
      expect(refusal.message).toMatch(/Not enough left in this chat session’s budget \(\$0\.10\)/);
    }
    // Every admitted call is settled and accounted for in every scope.
    const calls = t.ledger.callsOfSession({ tenantId: 'acme', userId: user.id, sessionId });
    expect(calls).toHaveLength(admitted);
    expect(calls.every((call) => call.status === 'settled')).toBe(true);
    expect(calls.reduce((sum, call) => sum + (call.chargedMicroUsd ?? 0), 0)).toBe(scope.committedMicroUsd);
    expect(t.ledger.scope(scopeKey('user-day', { tenantId: 'acme', userId: user.id, sessionId }, calls[0]!.day))?.committedMicroUsd).toBe(scope.committedMicroUsd);
    // Alerts: 50, 80 and 100 % of the session budget, once each.
    const alerts = t.ledger.alerts({ tenant: 'acme', limit: 100 }).filter((alert) => alert.kind === 'session');
    expect(alerts.map((alert) => alert.threshold).sort()).toEqual([100, 50, 80]);
    expect(alerts.find((alert) => alert.threshold === 100)?.message).toMatch(/is used up/);
  }, 120_000);
});
