/**
 * The OpenAI-compatible proxy against the fake upstream: the official SDK as a client (streaming
 * and not), the body the upstream really receives, and a tampered client speaking raw HTTP with a
 * valid token.
 */
import { APIError, NotFoundError } from 'openai';
import type { ChatCompletionChunk } from 'openai/resources/chat/completions';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_PRICES } from '../../../shared/domain/llm/default-prices.ts';
import { countPromptTokens } from '../../../shared/domain/llm/tokens.ts';
import { usageCost } from '../../../shared/domain/llm/prices.ts';
import { addUser, startTestServer } from '../test-support/harness.ts';
import type { RunningServer } from '../server.ts';
import { api, chat, chatBody, errorOf, member, newSession, readSse, sdk, sseText, startLlmTest, type LlmTest } from './test-support/llm-harness.ts';

let test: LlmTest | null = null;
let plain: RunningServer | null = null;
afterEach(async () => {
  await test?.close();
  await plain?.close();
  test = null;
  plain = null;
});

const ANSWER = 'This is a deterministic answer from the fake OpenAI server to: Which chess set would you recommend for a beginner?';

describe('OpenAI-compatible proxy', () => {
  it('serves the official SDK, streaming with usage: text, usage chunk with the receipt, exact settlement', async () => {
    test = await startLlmTest();
    const user = await member(test.server);
    const sessionId = await newSession(test.server, user);
    const client = sdk(test.server, user);
    const body = chatBody(sessionId, { stream: true, stream_options: { include_usage: true } });
    const stream = await client.chat.completions.create(body as never);
    const chunks: ChatCompletionChunk[] = [];
    for await (const chunk of stream as unknown as AsyncIterable<ChatCompletionChunk>) chunks.push(chunk);
    expect(chunks.map((chunk) => chunk.choices[0]?.delta?.content ?? '').join('')).toBe(ANSWER);
    const last = chunks.at(-1) as ChatCompletionChunk & { plaza?: Record<string, unknown> };
    expect(last.choices).toEqual([]);
    const prompt = countPromptTokens(body.messages as never);
    expect(last.usage).toMatchObject({ prompt_tokens: prompt });
    const charged = usageCost(DEFAULT_PRICES.models['gpt-4o-mini']!, { promptTokens: prompt, cachedPromptTokens: 0, completionTokens: last.usage!.completion_tokens });
    expect(last.plaza).toMatchObject({ charged_micro_usd: charged, basis: 'usage' });
    // The upstream got the clamp, forced usage, and none of Plaza's fields; the key is the server's.
    const sent = test.fake.requests[0]!;
    expect(sent.headers.authorization).toBe(`Bearer ${test.fake.apiKey}`);
    expect(sent.body).toMatchObject({ model: 'gpt-4o-mini', stream: true, stream_options: { include_usage: true }, max_completion_tokens: 4096 });
    expect(Object.keys(sent.body as object).filter((key) => key.startsWith('plaza_') || key === 'max_tokens')).toEqual([]);
    const call = test.ledger.callsOfSession({ tenantId: 'acme', userId: user.id, sessionId })[0]!;
    expect(call).toMatchObject({ status: 'settled', basis: 'usage', endedBy: 'completed', chargedMicroUsd: charged, promptTokens: prompt });
    expect(test.ledger.openReservations().count).toBe(0);
  });

  it('serves the official SDK without streaming, with the receipt and the headers', async () => {
    test = await startLlmTest();
    const user = await member(test.server);
    const sessionId = await newSession(test.server, user);
    const { data, response } = await sdk(test.server, user).chat.completions.create(chatBody(sessionId, { max_tokens: 5 }) as never).withResponse();
    const completion = data as unknown as { choices: Array<{ message: { content: string }; finish_reason: string }>; usage: { completion_tokens: number }; plaza: Record<string, unknown> };
    expect(completion.choices[0]).toMatchObject({ message: { content: 'This is a deterministic answer' }, finish_reason: 'length' });
    expect(completion.usage.completion_tokens).toBe(5);
    expect(response.headers.get('x-plaza-max-tokens')).toBe('5');
    expect(response.headers.get('x-plaza-call-id')).toMatch(/^call_/);
    expect(completion.plaza).toMatchObject({ basis: 'usage', max_completion_tokens: 5 });
  });

  it('streams without include_usage like the API: no usage fields, no usage chunk, [DONE] at the end', async () => {
    test = await startLlmTest();
    const user = await member(test.server);
    const sessionId = await newSession(test.server, user);
    const response = await chat(test.server, user, chatBody(sessionId, { stream: true }));
    expect(response.headers.get('content-type')).toMatch(/text\/event-stream/);
    const { events } = await readSse(response);
    expect(events.at(-1)).toBe('[DONE]');
    expect(events.slice(0, -1).every((event) => !('usage' in (event as object)))).toBe(true);
    expect(sseText(events)).toBe(ANSWER);
    // Upstream still reported usage, so the call settled exactly.
    await test.server.llm.meters.idle();
    expect(test.ledger.callsOfSession({ tenantId: 'acme', userId: user.id, sessionId })[0]).toMatchObject({ basis: 'usage' });
  });

  it('lists the priced models for the picker, cheapest answer first, through the SDK', async () => {
    test = await startLlmTest();
    const user = await member(test.server);
    const models = await sdk(test.server, user).models.list();
    const ids = models.data.map((model) => model.id);
    expect(ids).toContain('gpt-4o-mini');
    expect(ids[0]).toBe('gpt-4.1-nano');
    expect((models.data[0] as unknown as { plaza: Record<string, unknown> }).plaza).toMatchObject({ label: 'GPT-4.1 nano', outputPerMillionMicroUsd: 400_000, priceText: expect.stringMatching(/per 1M tokens/) });
  });

  it('clamps a huge max_tokens to what the budget and the model allow (checked on the upstream body)', async () => {
    test = await startLlmTest({ config: { llmSessionMicroUsd: 5_000 } });
    const user = await member(test.server);
    const sessionId = await newSession(test.server, user);
    const response = await chat(test.server, user, chatBody(sessionId, { max_tokens: 10_000_000, model: 'gpt-4o' }));
    expect(response.status).toBe(200);
    const sent = test.fake.requests[0]!.body as Record<string, unknown>;
    // $0.005 at $10 per million output tokens: at most 500 tokens, minus the prompt.
    expect(sent.max_completion_tokens).toBeLessThan(500);
    expect(sent.max_completion_tokens).toBeGreaterThan(400);
    expect(sent).not.toHaveProperty('max_tokens');
    expect(response.headers.get('x-plaza-max-tokens')).toBe(String(sent.max_completion_tokens));
  });

  it.each([
    ['an unknown model', { model: 'gpt-99-ultra' }, 404, 'not_found', /not on Plaza's price list/, 'model'],
    ['n: 50', { n: 50 }, 400, 'validation_failed', /at most 1 answer \(n\), not 50/, 'n'],
    ['an unknown field', { logit_bias: { 1: 100 } }, 400, 'validation_failed', /"logit_bias" is not allowed/, 'logit_bias'],
    ['tools', { tools: [{ type: 'function', function: { name: 'x' } }] }, 400, 'validation_failed', /cannot be priced/, 'tools'],
    ['an image part', { messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'x' } }] }] }, 400, 'validation_failed', /only text parts/, 'messages[0].content[0].type'],
    ['a negative max_tokens', { max_tokens: -5 }, 400, 'validation_failed', /max_tokens must be at least 1/, 'max_tokens'],
  ])('refuses %s with a clear error, before any upstream call', async (_name, overrides, status, code, message, param) => {
    test ??= await startLlmTest();
    const user = await member(test.server);
    const sessionId = await newSession(test.server, user);
    const response = await chat(test.server, user, chatBody(sessionId, overrides));
    const error = await errorOf(response);
    expect(error).toMatchObject({ status, code, param });
    expect(error.message).toMatch(message);
    expect(test.fake.requests).toHaveLength(0);
    expect(test.ledger.openReservations().count).toBe(0);
  });

  it('refuses garbage bodies, missing and foreign session ids, missing tokens and guests', async () => {
    test = await startLlmTest();
    const { server } = test;
    const alice = await member(server, 'acme');
    const bob = await member(server, 'acme');
    const carol = await member(server, 'other');
    const guest = await addUser(server, 'acme', 'guest');
    const aliceSession = await newSession(server, alice);

    expect(await errorOf(await chat(server, alice, '{"model": "gpt-4o-mini", '))).toMatchObject({ status: 400, code: 'invalid_json' });
    expect(await errorOf(await chat(server, alice, '[1,2,3]'))).toMatchObject({ status: 400, code: 'validation_failed', message: expect.stringMatching(/JSON object/) });
    expect(await errorOf(await chat(server, alice, { model: 'gpt-4o-mini', messages: [] }))).toMatchObject({ status: 400, param: 'plaza_session_id', message: expect.stringMatching(/POST \/api\/llm\/sessions/) });
    const garbage = await fetch(`${server.url}/v1/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${alice.token}`, 'content-type': 'application/json' }, body: new Uint8Array([0xff, 0xfe, 0x00, 0x7b]) });
    expect(await errorOf(garbage)).toMatchObject({ status: 400, code: 'invalid_json' });
    expect((await chat(server, alice, 'x'.repeat(10), { headers: { authorization: `Bearer ${alice.token}`, 'content-type': 'text/plain' } })).status).toBe(415);

    // Another user's session (same tenant) and another tenant's user: the same 404.
    for (const stranger of [bob, carol]) {
      const error = await errorOf(await chat(server, stranger, chatBody(aliceSession)));
      expect(error).toMatchObject({ status: 404, code: 'not_found', param: 'plaza_session_id' });
      expect(error.message).toMatch(/does not exist or is not yours/);
    }
    expect((await api(server, bob.token, 'GET', `/api/llm/sessions/${aliceSession}`)).status).toBe(404);
    expect((await api(server, bob.token, 'POST', `/api/llm/sessions/${aliceSession}/resume`)).status).toBe(404);

    const noToken = await fetch(`${server.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(chatBody(aliceSession)) });
    expect(await errorOf(noToken)).toMatchObject({ status: 401, code: 'unauthorized' });
    expect(await errorOf(await api(server, 'not-a-token', 'GET', '/v1/models'))).toMatchObject({ status: 401 });
    expect(await errorOf(await api(server, guest.token, 'POST', '/api/llm/sessions'))).toMatchObject({ status: 403, message: expect.stringMatching(/guests/) });

    // Removed from the tenant: refused at once, although the token is still valid.
    await server.directory.setRole('acme', alice.id, null);
    expect(await errorOf(await chat(server, alice, chatBody(aliceSession)))).toMatchObject({ status: 403, code: 'forbidden' });
    expect(test.fake.requests).toHaveLength(0);
  });

  it('maps an upstream error before the answer to 502 and charges the reservation', async () => {
    test = await startLlmTest();
    const user = await member(test.server);
    const sessionId = await newSession(test.server, user);
    test.fake.setScript([{ error: { status: 429 } }, { error: { status: 401 } }]);
    const client = sdk(test.server, user);
    const failure = await client.chat.completions.create(chatBody(sessionId) as never).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(APIError);
    expect((failure as APIError).status).toBe(502);
    expect((failure as APIError).message).toMatch(/HTTP 429 \(rate_limit_exceeded\).*charged its reservation/);
    // A 401 upstream (a bad server key) never echoes the provider's text, which quotes the key.
    const second = await errorOf(await chat(test.server, user, chatBody(sessionId)));
    expect(second).toMatchObject({ status: 502, code: 'upstream_error', details: { upstreamStatus: 401 } });
    expect(second.message).not.toMatch(/sk-/);
    const calls = test.ledger.callsOfSession({ tenantId: 'acme', userId: user.id, sessionId });
    expect(calls.map((call) => [call.endedBy, call.basis, call.chargedMicroUsd === call.reservedMicroUsd])).toEqual([
      ['upstream-error', 'full-reservation', true],
      ['upstream-error', 'full-reservation', true],
    ]);
    expect(await client.models.list().then(() => 'ok')).toBe('ok');
    expect(NotFoundError).toBeDefined();
  });

  it('answers 503 when no upstream key is configured', async () => {
    plain = await startTestServer();
    const user = await member(plain);
    const sessionId = await newSession(plain, user);
    expect(await errorOf(await chat(plain, user, chatBody(sessionId)))).toMatchObject({ status: 503, code: 'unavailable', details: { refusal: 'not-configured' } });
  });
});
