/**
 * The budget policy against the fake upstream through the official SDK: what the proxy will do,
 * minus the store and HTTP. Plan → upstream body → call → usage → settle.
 */
import OpenAI from 'openai';
import type { ChatCompletionChunk, ChatCompletionCreateParamsNonStreaming, ChatCompletionCreateParamsStreaming } from 'openai/resources/chat/completions';
import { afterEach, describe, expect, it } from 'vitest';
import { microUsd } from '../../../../shared/domain/money.ts';
import { expectOk } from '../../../../shared/domain/result.ts';
import { scopeKey } from '../../../../shared/domain/llm/budgets.ts';
import { recordSettlement } from '../../../../shared/domain/llm/guards.ts';
import { planCall, type CallPlan } from '../../../../shared/domain/llm/plan.ts';
import { usageCost } from '../../../../shared/domain/llm/prices.ts';
import { settle, type Settlement } from '../../../../shared/domain/llm/settle.ts';
import { body, context, IDENTITY, spent } from '../../../../shared/domain/llm/test-support/fixtures.ts';
import { parseUpstreamUsage, upstreamRequestBody } from '../../../../shared/domain/llm/upstream.ts';
import { startFakeOpenAI, type FakeOpenAI, type FakeOpenAIOptions } from './fake-openai.ts';

const running: FakeOpenAI[] = [];
afterEach(async () => {
  for (const fake of running.splice(0)) await fake.close();
});

async function setup(options: FakeOpenAIOptions = {}): Promise<{ fake: FakeOpenAI; client: OpenAI }> {
  const fake = await startFakeOpenAI(options);
  running.push(fake);
  return { fake, client: new OpenAI({ apiKey: fake.apiKey, baseURL: fake.baseURL, maxRetries: 0 }) };
}

/** Streams the plan's upstream body and settles on what came back, as the proxy will. */
async function streamAndSettle(client: OpenAI, plan: CallPlan, abortAfterChunks?: number): Promise<Settlement> {
  const controller = new AbortController();
  const stream = await client.chat.completions.create(upstreamRequestBody(plan) as unknown as ChatCompletionCreateParamsStreaming, { signal: controller.signal });
  let usage: ChatCompletionChunk['usage'] = null;
  let chunks = 0;
  for await (const chunk of stream) {
    chunks += 1;
    if (chunk.usage) usage = chunk.usage;
    if (chunks === abortAfterChunks) controller.abort();
  }
  const reported = parseUpstreamUsage(usage);
  return settle(plan, reported ? { endedBy: 'completed', usage: reported } : { endedBy: 'client-abort' });
}

/** $0.0002 left today: a small clamp. */
const tight = spent(scopeKey('user-day', IDENTITY, '2026-01-15'), 1_000_000 - 200);

describe('policy and fake upstream, end to end', () => {
  it('sends the clamp and the forced usage report, and settles exactly on the reported usage', async () => {
    const { fake, client } = await setup({ answer: () => 'word '.repeat(5_000) });
    const plan = expectOk(planCall(body({ stream: true, max_tokens: 100_000 }), context({ ledger: tight })));
    const settlement = await streamAndSettle(client, plan);
    const sent = fake.requests[0]?.body as Record<string, unknown>;
    expect(sent).toMatchObject({ max_completion_tokens: plan.clampedMaxTokens, stream: true, stream_options: { include_usage: true } });
    expect(Object.keys(sent).filter((key) => key.startsWith('plaza_') || key === 'max_tokens')).toEqual([]);
    expect(fake.requests[0]?.usage).toMatchObject({ prompt_tokens: plan.promptTokensCounted, completion_tokens: plan.clampedMaxTokens });
    expect(settlement.basis).toBe('usage');
    expect(settlement.chargedMicroUsd).toBe(usageCost(plan.model, { promptTokens: plan.promptTokensCounted, cachedPromptTokens: 0, completionTokens: plan.clampedMaxTokens }));
    expect(settlement.chargedMicroUsd).toBeLessThanOrEqual(200);
    expect(settlement.alert).toBeUndefined();
  });

  it('a stop-button abort has no usage: the full reservation is kept', async () => {
    const { fake, client } = await setup();
    fake.setScript([{ holdAfterChunks: 2 }]);
    const plan = expectOk(planCall(body({ stream: true, max_tokens: 500 }), context()));
    const settlement = await streamAndSettle(client, plan, 3);
    expect(settlement).toMatchObject({ basis: 'full-reservation', chargedMicroUsd: plan.worstCaseMicroUsd, releaseMicroUsd: 0 });
    await fake.until(() => fake.requests[0]?.end === 'client-closed');
  });

  it('an upstream that undercounts beyond the margin is charged as reported, alerts and halts the session', async () => {
    const { client } = await setup({ promptSkew: { percent: 60, tokens: 0 }, answer: () => 'word '.repeat(5_000) });
    const plan = expectOk(planCall(body({ stream: true, messages: [{ role: 'user', content: 'chess '.repeat(400) }] }), context({ ledger: tight })));
    const settlement = await streamAndSettle(client, plan);
    expect(settlement.chargedMicroUsd).toBeGreaterThan(plan.worstCaseMicroUsd);
    expect(settlement.haltSession).toBe(true);
    expect(settlement.alert?.promptTokensReported).toBeGreaterThan(plan.promptTokensReserved);
    const session = recordSettlement(plan.sessionAfter, settlement, plan.admittedAt + 1_000);
    expect(session.halt?.code).toBe('usage-overrun');
  });

  it('an upstream that ignores the clamp halts the session', async () => {
    const { fake, client } = await setup({ answer: () => 'word '.repeat(200) });
    fake.setScript([{ ignoreMaxTokens: true }]);
    const plan = expectOk(planCall(body({ max_tokens: 10 }), context()));
    const completion = await client.chat.completions.create(upstreamRequestBody(plan) as unknown as ChatCompletionCreateParamsNonStreaming);
    const settlement = settle(plan, { endedBy: 'completed', usage: parseUpstreamUsage(completion.usage) ?? { promptTokens: 0, cachedPromptTokens: 0, completionTokens: 0 } });
    const reported = completion.usage?.completion_tokens ?? 0;
    expect(reported).toBeGreaterThan(190);
    expect(settlement).toMatchObject({ haltSession: true, alert: { completionTokensAllowed: 10, completionTokensReported: reported } });
    expect(settlement.chargedMicroUsd).toBeGreaterThan(microUsd(0));
  });
});
