/**
 * The forgotten session: a script calls once a second with no human input. The idle guard halts
 * it in the configured time (3 s here), within budget, and the halt reaches the user's inbox
 * (the synced spend meter) so the UI can offer Resume.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { roomNames } from '../../../shared/sync/rooms.ts';
import { INBOX_LLM, readLlmInbox } from '../../../shared/sync/layouts/llm.ts';
import { connectClient, destroyAll, eventually, whenSynced } from '../test-support/harness.ts';
import { api, chat, chatBody, errorOf, member, newSession, startLlmTest, type LlmTest } from './test-support/llm-harness.ts';

let test: LlmTest | null = null;
afterEach(async () => {
  await test?.close();
  test = null;
});

const IDLE_MS = 3_000;

describe('forgotten session', () => {
  it('a script calling once a second without human input is halted by the idle guard, within budget', async () => {
    test = await startLlmTest({ config: { llmIdleMs: IDLE_MS, llmMaxCallsPerInput: 1_000, llmMaxCallsPerMinute: 1_000, llmLoopThreshold: 1_000 } });
    const t = test;
    const user = await member(t.server);
    const sessionId = await newSession(t.server, user);
    const started = Date.now();
    const first = await chat(t.server, user, chatBody(sessionId, { plaza_human_input: true }));
    expect(first.status).toBe(200);
    await first.json();

    let haltedAt: number | null = null;
    let haltMessage = '';
    let admitted = 1;
    for (let second = 1; second <= 8; second += 1) {
      await new Promise((resolve) => setTimeout(resolve, started + second * 1_000 - Date.now()));
      const response = await chat(t.server, user, chatBody(sessionId, { plaza_human_input: false }));
      if (response.status === 200) {
        expect(haltedAt).toBeNull();
        admitted += 1;
        await response.json();
        continue;
      }
      const error = await errorOf(response);
      expect(error).toMatchObject({ status: 403, code: 'session_halted', details: { halt: { code: 'idle', resumable: true } } });
      haltedAt ??= Date.now() - started;
      haltMessage ||= error.message;
    }
    expect(haltedAt).not.toBeNull();
    expect(haltedAt!).toBeGreaterThanOrEqual(IDLE_MS);
    expect(haltedAt!).toBeLessThan(IDLE_MS + 1_500);
    expect(haltMessage).toMatch(/no one has typed for 0 minutes|no one has typed/);
    expect(admitted).toBeLessThanOrEqual(4);
    // Within budget, and every admitted call settled.
    const calls = t.ledger.callsOfSession({ tenantId: 'acme', userId: user.id, sessionId });
    expect(calls).toHaveLength(admitted);
    const spent = calls.reduce((sum, call) => sum + (call.chargedMicroUsd ?? 0), 0);
    expect(spent).toBeLessThanOrEqual(500_000);
    expect(t.fake.requests).toHaveLength(admitted);

    // The halt is in the user's inbox, as the client projection reads it.
    const inbox = connectClient(t.server, roomNames.inbox('acme', user.id), user.token);
    await whenSynced(inbox.provider);
    await eventually(() => {
      const view = readLlmInbox(inbox.doc.getMap<unknown>(INBOX_LLM));
      expect(view.problems).toEqual([]);
      expect(view.sessions[sessionId]).toMatchObject({ halt: { code: 'idle' }, callCount: admitted, spentMicroUsd: spent });
      expect(view.meter?.rows.map((row) => row.kind)).toEqual(['user-day', 'tenant-day', 'tenant-month', 'global-day']);
      expect(view.meter?.rows[0]?.spentMicroUsd).toBe(spent);
    });

    // A human presses Resume: calls go again.
    const resumed = await api(t.server, user.token, 'POST', `/api/llm/sessions/${sessionId}/resume`);
    expect(resumed.status).toBe(200);
    expect((await chat(t.server, user, chatBody(sessionId, { plaza_human_input: false }))).status).toBe(200);
    await eventually(() => expect(readLlmInbox(inbox.doc.getMap<unknown>(INBOX_LLM)).sessions[sessionId]?.halt).toBeNull());
    destroyAll(inbox.provider);
  }, 30_000);
});
