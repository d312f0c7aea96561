/**
 * A real crash with calls in flight: the server runs as a child process, three streams are held
 * open upstream, the process is killed (SIGKILL). On the next start the open reservations are
 * settled at their worst case (the full reservation) before anything else, charged to the session,
 * and nothing stays held: new calls reserve and release normally.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { scopeKey } from '../../../shared/domain/llm/budgets.ts';
import { startServerProcess, type ServerProcess } from '../../../build/scripts/server-process.ts';
import type { RunningServer } from '../server.ts';
import type { SqliteStore } from '../store/sqlite.ts';
import { startFakeOpenAI, type FakeOpenAI } from '../test-support/fake-openai/fake-openai.ts';
import { startTestServer } from '../test-support/harness.ts';
import { chatBody, readSse } from './test-support/llm-harness.ts';

let child: ServerProcess | null = null;
let server: RunningServer | null = null;
let fake: FakeOpenAI | null = null;
afterEach(async () => {
  await child?.kill();
  await server?.close();
  await fake?.close();
  child = server = fake = null;
});

describe('restart with open reservations', () => {
  it('settles them conservatively at start, and leaks nothing afterwards', async () => {
    fake = await startFakeOpenAI();
    const upstream = fake;
    child = await startServerProcess({ startTimeoutMs: 60_000, env: { PLAZA_LLM_UPSTREAM_URL: upstream.baseURL, PLAZA_LLM_API_KEY: upstream.apiKey, PLAZA_LLM_MAX_CALLS_PER_INPUT: '100' } });
    const operatorKey = readFileSync(path.join(child.dataDir, 'keys/operator.key'), 'utf8').trim();
    const post = async (url: string, route: string, token: string, body?: unknown) =>
      fetch(`${url}${route}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    const { user } = (await (await post(child.url, '/api/admin/users', operatorKey, { tenant: 'default', displayName: 'Crash Test' })).json()) as { user: { id: string } };
    const { token } = (await (await post(child.url, '/api/admin/tokens', operatorKey, { tenant: 'default', user: user.id })).json()) as { token: string };
    const { session } = (await (await post(child.url, '/api/llm/sessions', token)).json()) as { session: { sessionId: string } };
    const sessionId = session.sessionId;

    upstream.setScript([{ holdAfterChunks: 2 }, { holdAfterChunks: 2 }, { holdAfterChunks: 2 }]);
    const streams = await Promise.all(
      [0, 1, 2].map(async (index) => {
        const response = await post(child!.url, '/v1/chat/completions', token, chatBody(sessionId, { stream: true, max_tokens: 300 + index, messages: [{ role: 'user', content: `question ${index}` }] }));
        expect(response.status).toBe(200);
        const reader = response.body!.getReader();
        await reader.read();
        return reader;
      }),
    );
    await upstream.until(() => upstream.heldCount() === 3);
    await child.kill();
    for (const reader of streams) await reader.cancel().catch(() => undefined);

    // The same data directory, in-process this time, so that the ledger can be inspected.
    server = await startTestServer({ dataDir: child.dataDir, llmUpstreamUrl: upstream.baseURL, llmApiKey: upstream.apiKey, llmMaxCallsPerInput: 100 });
    const ledger = (server.store as SqliteStore).llmLedger;
    const identity = { tenantId: 'default', userId: user.id, sessionId };
    const calls = ledger.callsOfSession(identity);
    expect(calls).toHaveLength(3);
    for (const call of calls) expect(call).toMatchObject({ status: 'settled', endedBy: 'shutdown', basis: 'full-reservation', recovered: true, chargedMicroUsd: call.reservedMicroUsd });
    const recovered = calls.reduce((sum, call) => sum + call.reservedMicroUsd, 0);
    expect(ledger.openReservations()).toEqual({ count: 0, microUsd: 0 });
    const keys = ['session', 'user-day', 'tenant-day', 'tenant-month', 'global-day'] as const;
    for (const kind of keys) {
      const scope = ledger.scope(scopeKey(kind, identity, kind === 'session' ? 'session' : kind === 'tenant-month' ? calls[0]!.day.slice(0, 7) : calls[0]!.day));
      expect(scope).toMatchObject({ committedMicroUsd: recovered, reservedMicroUsd: 0 });
    }
    expect(ledger.session(identity)?.state.spentMicroUsd).toBe(recovered);

    // No leak: a new call on the same token and session reserves, settles, and releases all of it.
    const response = await post(server.url, '/v1/chat/completions', token, chatBody(sessionId, { stream: true }));
    expect((await readSse(response)).events.at(-1)).toBe('[DONE]');
    const after = ledger.callsOfSession(identity).at(-1)!;
    expect(after).toMatchObject({ status: 'settled', basis: 'usage' });
    expect(ledger.openReservations().count).toBe(0);
    expect(ledger.scope(scopeKey('session', identity, 'session'))).toMatchObject({ committedMicroUsd: recovered + after.chargedMicroUsd!, reservedMicroUsd: 0 });
  }, 150_000);
});
