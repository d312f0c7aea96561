/**
 * Every way a call can end, and what it is charged: a client that leaves mid-stream (drained to an
 * exact charge, or cut and charged its reservation when no drain slot is free), an upstream error
 * or a dropped connection mid-stream, a stream without usage, an upstream reporting more than was
 * reserved, a kill switch cutting a held stream, and a ledger that cannot be written.
 */
import { APIError } from 'openai';
import type { ChatCompletionChunk } from 'openai/resources/chat/completions';
import { afterEach, describe, expect, it } from 'vitest';
import type { CallRecord } from '../../../shared/llm-ledger/ledger.ts';
import { eventually } from '../test-support/harness.ts';
import type { TestUser } from '../test-support/harness.ts';
import type { SqliteStore } from '../store/sqlite.ts';
import { api, chat, chatBody, errorOf, member, newSession, readSse, sdk, sseText, startLlmTest, type LlmTest } from './test-support/llm-harness.ts';

let test: LlmTest | null = null;
afterEach(async () => {
  await test?.close();
  test = null;
});

async function setup(config: Parameters<typeof startLlmTest>[0] = {}): Promise<{ test: LlmTest; user: TestUser; sessionId: string; calls: () => CallRecord[] }> {
  test = await startLlmTest({ fake: { answer: () => 'word '.repeat(40) }, ...config });
  const user = await member(test.server);
  const sessionId = await newSession(test.server, user);
  const ledger = test.ledger;
  return { test, user, sessionId, calls: () => ledger.callsOfSession({ tenantId: 'acme', userId: user.id, sessionId }) };
}

/** Opens a stream, reads until `bytes` arrived, and returns a way to abort it. */
async function openStream(t: LlmTest, user: TestUser, body: Record<string, unknown>): Promise<{ abort: () => void; reader: ReadableStreamDefaultReader<Uint8Array> }> {
  const controller = new AbortController();
  const response = await chat(t.server, user, body, { signal: controller.signal });
  expect(response.status).toBe(200);
  const reader = response.body!.getReader();
  await reader.read();
  return { abort: () => controller.abort(), reader };
}

async function settled(calls: () => CallRecord[], count = 1): Promise<CallRecord[]> {
  return eventually(() => {
    const list = calls();
    expect(list.filter((call) => call.status === 'settled')).toHaveLength(count);
    return list;
  });
}

describe('settling every way a call can end', () => {
  it('a client that leaves mid-stream is drained to its usage chunk and charged exactly', async () => {
    const { test: t, user, sessionId, calls } = await setup();
    t.fake.setScript([{ holdAfterChunks: 3 }]);
    const stream = await openStream(t, user, chatBody(sessionId, { stream: true }));
    await t.fake.until(() => t.fake.heldCount() === 1);
    stream.abort();
    await eventually(() => expect(t.server.llm.drains.active).toBe(1));
    t.fake.release();
    const [call] = await settled(calls);
    expect(call).toMatchObject({ endedBy: 'client-abort', basis: 'usage', completionTokens: 41 });
    expect(call!.chargedMicroUsd).toBeLessThan(call!.reservedMicroUsd);
    expect(t.fake.requests[0]!.end).toBe('completed');
    expect(t.server.llm.drains.active).toBe(0);
  });

  it('with no drain slot free, a client that leaves cuts the upstream and is charged its full reservation', async () => {
    const { test: t, user, sessionId, calls } = await setup({ config: { llmMaxConcurrentDrains: 0 } });
    t.fake.setScript([{ holdAfterChunks: 3 }]);
    const stream = await openStream(t, user, chatBody(sessionId, { stream: true }));
    await t.fake.until(() => t.fake.heldCount() === 1);
    stream.abort();
    const [call] = await settled(calls);
    expect(call).toMatchObject({ endedBy: 'client-abort', basis: 'full-reservation' });
    expect(call!.chargedMicroUsd).toBe(call!.reservedMicroUsd);
    await t.fake.until(() => t.fake.requests[0]!.end === 'client-closed');
  });

  it('an upstream error mid-stream reaches the SDK client as an error and is charged the full reservation', async () => {
    const { test: t, user, sessionId, calls } = await setup();
    t.fake.setScript([{ errorAfterChunks: 3 }]);
    const stream = await sdk(t.server, user).chat.completions.create(chatBody(sessionId, { stream: true }) as never);
    let text = '';
    const failure = await (async () => {
      for await (const chunk of stream as unknown as AsyncIterable<ChatCompletionChunk>) text += chunk.choices[0]?.delta?.content ?? '';
    })().catch((error: unknown) => error);
    expect(text).toBe('word word word');
    expect(failure).toBeInstanceOf(APIError);
    expect((failure as APIError).message).toMatch(/ended the answer with an error.*reservation/);
    const [call] = await settled(calls);
    expect(call).toMatchObject({ endedBy: 'upstream-error', basis: 'full-reservation' });
    expect(call!.chargedMicroUsd).toBe(call!.reservedMicroUsd);
  });

  it('a dropped upstream connection is charged the full reservation and the client is told', async () => {
    const { test: t, user, sessionId, calls } = await setup();
    t.fake.setScript([{ dropAfterChunks: 2 }]);
    const { events } = await readSse(await chat(t.server, user, chatBody(sessionId, { stream: true })));
    expect(sseText(events)).toBe('word word');
    expect(events.at(-1)).toMatchObject({ error: { code: 'upstream_error', message: expect.stringMatching(/connection to the AI provider was lost/) } });
    const [call] = await settled(calls);
    expect(call).toMatchObject({ endedBy: 'connection-lost', basis: 'full-reservation' });
  });

  it('a stream that completes without a usage report is charged the full reservation, never zero', async () => {
    const { test: t, user, sessionId, calls } = await setup();
    t.fake.setScript([{ omitUsage: true }, { omitUsage: true }]);
    const { events } = await readSse(await chat(t.server, user, chatBody(sessionId, { stream: true, stream_options: { include_usage: true } })));
    expect(events.at(-1)).toBe('[DONE]');
    const json = await chat(t.server, user, chatBody(sessionId, { messages: [{ role: 'user', content: 'again' }] }));
    expect(((await json.json()) as { plaza: { basis: string } }).plaza.basis).toBe('full-reservation');
    const list = await settled(calls, 2);
    for (const call of list) {
      expect(call).toMatchObject({ endedBy: 'completed', basis: 'full-reservation', promptTokens: null });
      expect(call.chargedMicroUsd).toBe(call.reservedMicroUsd);
      expect(call.chargedMicroUsd).toBeGreaterThan(0);
    }
  });

  it('a stream that goes quiet mid-answer is cut by the idle timeout (re-armed by each chunk) and charged its reservation', async () => {
    const { test: t, user, sessionId, calls } = await setup({ config: { llmIdleTimeoutMs: 500 } });
    // Three content chunks re-arm the idle timer, then the upstream stays silent until released.
    t.fake.setScript([{ holdAfterChunks: 3 }]);
    const response = await chat(t.server, user, chatBody(sessionId, { stream: true }));
    const { events } = await readSse(response);
    expect(sseText(events)).toBe('word word word');
    expect(events.at(-1)).toMatchObject({ error: { code: 'upstream_error' } });
    const [call] = await settled(calls);
    expect(call).toMatchObject({ endedBy: 'timeout', basis: 'full-reservation' });
    expect(call!.chargedMicroUsd).toBe(call!.reservedMicroUsd);
    expect(t.fake.requests[0]!.end).toBe('client-closed');
    t.fake.release();
  });

  it('usage above the reservation is charged as reported, alerts, and halts the session until a human resumes it', async () => {
    const logged: unknown[] = [];
    const { test: t, user, sessionId, calls } = await setup({ start: { webhookFetch: async (_url, init) => (logged.push(JSON.parse(String(init?.body))), new Response('ok')) }, config: { llmAlertWebhookUrl: 'http://127.0.0.1:9/hook' } });
    t.fake.setScript([{ extraCompletionTokens: 50_000 }]);
    const { events } = await readSse(await chat(t.server, user, chatBody(sessionId, { stream: true, max_tokens: 100 })));
    expect(events.at(-1)).toBe('[DONE]');
    const [call] = await settled(calls);
    expect(call!.overrun).toBe(true);
    expect(call!.chargedMicroUsd).toBeGreaterThan(call!.reservedMicroUsd);
    expect(call!.completionTokens).toBe(50_041);
    const refused = await errorOf(await chat(t.server, user, chatBody(sessionId)));
    expect(refused).toMatchObject({ status: 403, code: 'session_halted', details: { halt: { code: 'usage-overrun', resumable: true } } });
    expect(refused.message).toMatch(/more usage than was reserved/);
    await eventually(() => expect(logged).toContainEqual(expect.objectContaining({ type: 'llm-alert', alert: expect.objectContaining({ code: 'usage-overrun', session: sessionId }) })));
    const resumed = await api(t.server, user.token, 'POST', `/api/llm/sessions/${sessionId}/resume`);
    expect(((await resumed.json()) as { session: { halt: unknown } }).session.halt).toBeNull();
    expect((await chat(t.server, user, chatBody(sessionId))).status).toBe(200);
  });

  it('a kill switch cuts a held stream at once, settles it at its reservation and refuses new calls', async () => {
    const { test: t, user, sessionId, calls } = await setup();
    const admin = await member(t.server, 'acme', 'admin');
    t.fake.setScript([{ holdAfterChunks: 2 }]);
    const response = await chat(t.server, user, chatBody(sessionId, { stream: true }));
    const reading = readSse(response);
    await t.fake.until(() => t.fake.heldCount() === 1);
    const started = performance.now();
    const switched = await api(t.server, admin.token, 'PUT', '/api/tenants/acme/llm/kill-switch', { scope: 'session', on: true, user: user.id, session: sessionId, reason: 'runaway' });
    expect(await switched.json()).toEqual({ scope: 'session', on: true, callsCut: 1 });
    const { events } = await reading;
    // "At once" is that the stream ended while the upstream still held it (never released, cut by
    // the proxy); the clock bound is only a backstop, generous for a busy shared machine.
    expect(performance.now() - started).toBeLessThan(10_000);
    await t.fake.until(() => t.fake.requests[0]!.end === 'client-closed');
    expect(sseText(events)).toBe('word word');
    expect(events.at(-1)).toMatchObject({ error: { code: 'kill_switch', message: expect.stringMatching(/switched off by an administrator/) } });
    const [call] = await settled(calls);
    expect(call).toMatchObject({ endedBy: 'kill-switch', basis: 'full-reservation' });
    expect(call!.chargedMicroUsd).toBe(call!.reservedMicroUsd);
    const refused = await errorOf(await chat(t.server, user, chatBody(sessionId)));
    expect(refused).toMatchObject({ status: 403, code: 'kill_switch', details: { killSwitch: 'session' } });
    expect(refused.message).toMatch(/Reason: runaway/);
    // A plain member cannot touch switches; switching it off lets calls through again.
    expect((await api(t.server, user.token, 'PUT', '/api/tenants/acme/llm/kill-switch', { scope: 'tenant', on: true })).status).toBe(403);
    await api(t.server, admin.token, 'PUT', '/api/tenants/acme/llm/kill-switch', { scope: 'session', on: false, user: user.id, session: sessionId });
    expect((await chat(t.server, user, chatBody(sessionId))).status).toBe(200);
  });

  it('the operator’s global switch cuts a waiting non-stream call too; tenant admins cannot use it', async () => {
    const { test: t, user, sessionId, calls } = await setup();
    const admin = await member(t.server, 'acme', 'admin');
    t.fake.setScript([{ responseDelayMs: 10_000 }]);
    const waiting = chat(t.server, user, chatBody(sessionId));
    await t.fake.until(() => t.fake.requests.length === 1);
    expect((await api(t.server, admin.token, 'PUT', '/api/tenants/acme/llm/kill-switch', { scope: 'global', on: true })).status).toBe(403);
    const switched = await api(t.server, t.server.operatorKey, 'PUT', '/api/admin/llm/kill-switch', { scope: 'global', on: true, reason: 'provider incident' });
    expect(await switched.json()).toMatchObject({ callsCut: 1 });
    expect(await errorOf(await waiting)).toMatchObject({ status: 403, code: 'kill_switch' });
    const [call] = await settled(calls);
    expect(call).toMatchObject({ endedBy: 'kill-switch', basis: 'full-reservation' });
    const other = await member(t.server, 'other');
    expect(await errorOf(await chat(t.server, other, chatBody(await newSession(t.server, other))))).toMatchObject({ code: 'kill_switch', details: { killSwitch: 'global' } });
  });

  it('a kill switch turned on while a reservation waits for its commit stops that call before it goes upstream', async () => {
    const { test: t, user, sessionId, calls } = await setup();
    const store = t.server.llm.store;
    const reserve = store.reserve.bind(store);
    // The switch lands between the plan (which saw no switch) and the group commit of the admission.
    store.reserve = async (input) => {
      const pending = reserve(input);
      await t.server.llm.setKillSwitch({ scope: 'session', on: true, tenant: 'acme', user: user.id, session: sessionId, reason: 'caught mid-admission' }, 'operator');
      return pending;
    };
    const refused = await errorOf(await chat(t.server, user, chatBody(sessionId, { stream: true })));
    expect(refused).toMatchObject({ code: 'kill_switch' });
    const [call] = await settled(calls);
    expect(call).toMatchObject({ endedBy: 'kill-switch', basis: 'full-reservation' });
    expect(t.fake.requests).toHaveLength(0);
  });

  it('refuses every call with 503 when the ledger cannot be written (fail closed), and recovers', async () => {
    const { test: t, user, sessionId, calls } = await setup();
    const db = (t.server.store as SqliteStore).db;
    db.exec('PRAGMA query_only = ON');
    const refused = await errorOf(await chat(t.server, user, chatBody(sessionId)));
    expect(refused).toMatchObject({ status: 503, code: 'unavailable', details: { refusal: 'ledger-unavailable' } });
    expect(refused.message).toMatch(/ledger cannot be written/);
    expect(t.fake.requests).toHaveLength(0);
    db.exec('PRAGMA query_only = OFF');
    expect((await chat(t.server, user, chatBody(sessionId))).status).toBe(200);
    await settled(calls);
  });

  it('a stream whose upstream ended at once is settled after its client could read the answer, not in the same turn', async () => {
    // The whole upstream answer arrives in one go: the settlement used to commit in that same
    // turn, ahead of the client's read of the tokens already written. A client on this event loop
    // sees the order: the answer's first token, then the settlement.
    const { test: t, user, sessionId, calls } = await setup({ fake: { answer: () => 'Try the Italian Game.' } });
    // The ledger's own (synchronous) settle: the moment the settlement transaction runs.
    const ledger = t.ledger;
    const settle = ledger.settle.bind(ledger);
    let clientHadToken = false;
    const seenAtSettle: boolean[] = [];
    ledger.settle = (...args) => {
      seenAtSettle.push(clientHadToken);
      return settle(...args);
    };
    const response = await chat(t.server, user, chatBody(sessionId, { stream: true }));
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    let seen = '';
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      seen += decoder.decode(value, { stream: true });
      if (seen.includes('"content":"Try')) clientHadToken = true;
    }
    const [call] = await settled(calls);
    expect(call).toMatchObject({ endedBy: 'completed', basis: 'usage' });
    expect(seenAtSettle).toEqual([true]);
  });
});
