/**
 * Direct mode in the Electron main process, run under Node (no Electron binary runs here, and
 * none of these modules imports electron): the same policy as the server on the main process's
 * own `node:sqlite` ledger, which must hold the cap alone.
 */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { microUsd } from '../../../shared/domain/money.ts';
import { scopeKey } from '../../../shared/domain/llm/budgets.ts';
import { DEFAULT_GUARD_CONFIG } from '../../../shared/domain/llm/guards.ts';
import { IPC_CHANNELS, IPC_EVENTS, type DirectChatRequest } from '../../../shared/platform/bridge.ts';
import { registerBridge, type BridgeServices } from '../ipc.ts';
import { DirectLlm, type ChunkSink, type KeyStore } from './direct.ts';
import { openDirectLedger, type DirectLedgerHandle } from './direct-ledger.ts';
import { startFakeUpstream, type FakeUpstream } from './test-support/fake-upstream.ts';

const KEY = 'sk-user-own-key-123456';
const opened: Array<DirectLedgerHandle | FakeUpstream> = [];
afterEach(async () => {
  for (const item of opened.splice(0)) {
    if ('ledger' in item) item.close();
    else await item.close();
  }
});

function keyStore(initial: string | null = KEY): KeyStore & { value: string | null } {
  const store = {
    value: initial,
    load: async () => store.value,
    save: async (key: string) => {
      store.value = key;
    },
    delete: async () => {
      store.value = null;
    },
  };
  return store;
}

function sink(): ChunkSink & { chunks: string[]; gone: () => void } {
  let listener: (() => void) | null = null;
  return {
    chunks: [] as string[],
    send(text: string) {
      this.chunks.push(text);
    },
    onGone(callback: () => void) {
      listener = callback;
    },
    gone: () => listener?.(),
  };
}

let requestCounter = 0;
function request(sessionId: string, overrides: Partial<DirectChatRequest> = {}): DirectChatRequest {
  requestCounter += 1;
  return { requestId: `request-${requestCounter}`, sessionId, model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Suggest a chess opening.' }], humanInput: true, ...overrides };
}

async function setup(options: { file?: string; words?: number; now?: () => number; guards?: typeof DEFAULT_GUARD_CONFIG; budgets?: { sessionMicroUsd: number; dailyMicroUsd: number; monthlyMicroUsd: number } } = {}) {
  const upstream = await startFakeUpstream(options.words ?? 30);
  const handle = openDirectLedger(options.file ?? ':memory:');
  opened.push(upstream, handle);
  const keys = keyStore();
  const direct = new DirectLlm({ ledger: handle.ledger, keys, ...(options.now ? { now: options.now } : {}), ...(options.guards ? { guards: options.guards } : {}) });
  await direct.configure({ baseURL: upstream.baseURL, ...(options.budgets ? { budgets: options.budgets } : {}) });
  const sessionId = direct.session({ action: 'new' }).sessionId;
  return { upstream, handle, keys, direct, sessionId, ledger: handle.ledger };
}

describe('direct mode (Electron main process, under Node)', () => {
  it('streams the answer to the window, settles exactly, and never hands the key back', async () => {
    const { upstream, direct, sessionId, ledger } = await setup();
    const out = sink();
    const result = await direct.chat(request(sessionId), out);
    expect(result).toMatchObject({ ok: true, basis: 'usage', endedBy: 'completed' });
    expect(out.chunks.join('')).toBe(`word${' word'.repeat(29)}`);
    expect(upstream.authorizations[0]).toBe(`Bearer ${KEY}`);
    expect(upstream.bodies[0]).toMatchObject({ stream: true, stream_options: { include_usage: true }, max_completion_tokens: 4096 });
    expect(Object.keys(upstream.bodies[0]!).filter((key) => key.startsWith('plaza_'))).toEqual([]);
    const status = await direct.status();
    expect(status).toMatchObject({ configured: true, hasKey: true, budgets: { sessionMicroUsd: 500_000, dailyMicroUsd: 2_000_000 } });
    expect(JSON.stringify([result, status, direct.session({ action: 'get', sessionId })])).not.toContain(KEY);
    expect(ledger.openReservations().count).toBe(0);
    if (result.ok) expect(result.session.meter.map((row) => row.kind)).toEqual(['session', 'user-day', 'tenant-month']);
  });

  it('the forgotten session: a script calling once a second without input is halted by the idle guard, within budget', async () => {
    let clock = Date.UTC(2026, 0, 15, 12);
    const { direct, sessionId, ledger } = await setup({ now: () => clock, guards: { ...DEFAULT_GUARD_CONFIG, idleMs: 3_000, maxCallsPerHumanInput: 1_000 } });
    const started = clock;
    expect((await direct.chat(request(sessionId, { humanInput: true }), sink())).ok).toBe(true);
    let haltedAfter: number | null = null;
    for (let second = 1; second <= 10; second += 1) {
      clock = started + second * 1_000;
      const result = await direct.chat(request(sessionId, { humanInput: false }), sink());
      if (!result.ok) {
        expect(result).toMatchObject({ code: 'session-halted', session: { halt: { code: 'idle', resumable: true } } });
        haltedAfter ??= second * 1_000;
      } else {
        expect(haltedAfter).toBeNull();
      }
    }
    expect(haltedAfter).toBe(4_000);
    const calls = ledger.callsOfSession({ tenantId: 'local', userId: 'local', sessionId });
    expect(calls).toHaveLength(4);
    expect(calls.reduce((sum, call) => sum + (call.chargedMicroUsd ?? 0), 0)).toBeLessThanOrEqual(500_000);
    // The human presses Resume.
    expect(direct.session({ action: 'resume', sessionId }).halt).toBeNull();
    expect((await direct.chat(request(sessionId, { humanInput: false }), sink())).ok).toBe(true);
  });

  it('several windows calling at once on one process cannot pass the session cap', async () => {
    const cap = 3_000;
    const { direct, sessionId, ledger } = await setup({ words: 200, budgets: { sessionMicroUsd: cap, dailyMicroUsd: 2_000_000, monthlyMicroUsd: 62_000_000 } });
    const key = scopeKey('session', { tenantId: 'local', userId: 'local', sessionId }, 'session');
    let worst = 0;
    const sampler = setInterval(() => {
      const scope = ledger.scope(key);
      if (scope) worst = Math.max(worst, scope.committedMicroUsd + scope.reservedMicroUsd);
    }, 1);
    const windows = Array.from({ length: 8 }, () => sink());
    const outcomes: string[] = [];
    await Promise.all(
      windows.map(async (window) => {
        for (let attempt = 0; attempt < 30; attempt += 1) {
          const result = await direct.chat(request(sessionId, { model: 'gpt-4o', maxTokens: 100 }), window);
          outcomes.push(result.ok ? 'ok' : result.code);
          if (!result.ok && (ledger.scope(key)?.reservedMicroUsd ?? 0) === 0) return;
          if (!result.ok) await new Promise((resolve) => setTimeout(resolve, 2));
        }
      }),
    );
    clearInterval(sampler);
    const scope = ledger.scope(key)!;
    expect(worst).toBeLessThanOrEqual(cap);
    expect(scope).toMatchObject({ reservedMicroUsd: 0 });
    expect(scope.committedMicroUsd).toBeLessThanOrEqual(cap);
    expect(outcomes.filter((outcome) => outcome === 'ok').length).toBeGreaterThan(2);
    expect(new Set(outcomes.filter((outcome) => outcome !== 'ok'))).toEqual(new Set(['budget-exhausted']));
  });

  it('the stop button drains to the usage (exact); a closed window is charged too; never zero', async () => {
    const { upstream, direct, sessionId, ledger } = await setup();
    upstream.script = [{ holdAfterChunks: 3 }, { holdAfterChunks: 3, omitUsage: true }];
    const first = request(sessionId);
    const out = sink();
    const running = direct.chat(first, out);
    await expect.poll(() => upstream.heldCount()).toBe(1);
    expect(direct.stop(first.requestId)).toBe(true);
    upstream.release();
    const stopped = await running;
    expect(stopped).toMatchObject({ ok: true, endedBy: 'stop-button', basis: 'usage' });
    expect(out.chunks).toHaveLength(3);

    const window = sink();
    const second = direct.chat(request(sessionId), window);
    await expect.poll(() => upstream.heldCount()).toBe(1);
    window.gone();
    upstream.release();
    const closed = await second;
    expect(closed).toMatchObject({ ok: true, endedBy: 'client-abort', basis: 'full-reservation' });
    const calls = ledger.callsOfSession({ tenantId: 'local', userId: 'local', sessionId });
    expect(calls[1]!.chargedMicroUsd).toBe(calls[1]!.reservedMicroUsd);
    expect(calls[1]!.chargedMicroUsd).toBeGreaterThan(0);
  });

  it('an overrun halts the session; an upstream error is charged its reservation', async () => {
    const { upstream, direct, sessionId } = await setup();
    upstream.script = [{ status: 500 }, { extraCompletionTokens: 100_000 }];
    const failed = await direct.chat(request(sessionId), sink());
    expect(failed).toMatchObject({ ok: false, code: 'upstream', message: expect.stringMatching(/HTTP 500.*charged its reservation/) });
    expect((await direct.chat(request(sessionId, { maxTokens: 50 }), sink())).ok).toBe(true);
    expect(await direct.chat(request(sessionId), sink())).toMatchObject({ ok: false, code: 'session-halted', session: { halt: { code: 'usage-overrun' } } });
  });

  it('refuses without a server or a key, and survives a restart with calls open (settled at worst case)', async () => {
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'plaza-direct-')), 'llm-ledger.db');
    const { direct, sessionId, keys, handle, upstream } = await setup({ file });
    // A remote server needs the user's key (a local one, on http://127.0.0.1, does not).
    await direct.configure({ baseURL: 'https://api.example.invalid/v1', apiKey: null });
    expect(keys.value).toBeNull();
    expect(await direct.chat(request(sessionId), sink())).toMatchObject({ ok: false, code: 'not-configured', message: expect.stringMatching(/API key/) });
    await direct.configure({ baseURL: upstream.baseURL, apiKey: KEY });
    // A call admitted and never settled: the app died.
    const admitted = handle.ledger.reserve({
      callId: 'dc_crashed',
      body: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], plaza_session_id: sessionId, plaza_human_input: true },
      identity: { tenantId: 'local', userId: 'local', sessionId },
      prices: (await import('../../../shared/domain/llm/default-prices.ts')).DEFAULT_PRICES,
      limits: { sessionMicroUsd: microUsd(500_000), userDailyMicroUsd: microUsd(2_000_000), tenantDailyMicroUsd: microUsd(2_000_000), tenantMonthlyMicroUsd: microUsd(62_000_000) },
      policy: { minAnswerTokens: 64, promptMargin: { percent: 10, tokens: 16 }, maxChoices: 1, defaultMaxTokens: 4096 },
      guards: DEFAULT_GUARD_CONFIG,
      killSwitches: {},
      now: Date.now(),
    });
    expect(admitted.kind).toBe('admitted');
    handle.close();
    opened.splice(opened.indexOf(handle), 1);
    const reopened = openDirectLedger(file);
    opened.push(reopened);
    const restarted = new DirectLlm({ ledger: reopened.ledger, keys });
    expect(reopened.ledger.call('dc_crashed')).toMatchObject({ status: 'settled', basis: 'full-reservation', recovered: true });
    expect(reopened.ledger.openReservations().count).toBe(0);
    expect((await restarted.chat(request(sessionId), sink())).ok).toBe(true);
  });

  it('the IPC call validates its request, checks the sender and streams chunks to that window only', async () => {
    const { direct, sessionId } = await setup();
    const handlers = new Map<string, (event: unknown, ...args: unknown[]) => Promise<unknown>>();
    const services = { llmChat: (req, out) => direct.chat(req, out), llmStop: async (id) => direct.stop(id) } as Partial<BridgeServices> as BridgeServices;
    registerBridge({ handle: (channel, listener) => handlers.set(channel, listener as never) }, { ...services, appOrigin: () => 'app://plaza' });
    const sent: unknown[][] = [];
    const sender = { send: (...args: unknown[]) => sent.push(args), isDestroyed: () => false, once: () => undefined };
    const trusted = { senderFrame: { url: 'app://plaza/chat', parent: null }, sender };
    const call = (event: unknown, ...args: unknown[]) => handlers.get(IPC_CHANNELS.llmChat)!(event, ...args);
    const good = request(sessionId);
    expect(await call(trusted, good)).toMatchObject({ ok: true });
    expect(sent.length).toBe(30);
    expect(sent.every(([channel, id]) => channel === IPC_EVENTS.llmChunk && id === good.requestId)).toBe(true);
    await expect(call({ senderFrame: { url: 'https://evil.example/', parent: null }, sender }, request(sessionId))).rejects.toThrow(/sender is not the app's own page/);
    await expect(call(trusted, { ...request(sessionId), requestId: 'x' })).rejects.toThrow(/invalid arguments: a request id uses/);
    await expect(call(trusted, { ...request(sessionId), apiKey: 'sk-x' })).rejects.toThrow(/invalid arguments/);
    await expect(call(trusted, { ...request(sessionId), messages: [{ role: 'tool', content: 'x' }] })).rejects.toThrow(/invalid arguments/);
    await expect(call(trusted, 'garbage')).rejects.toThrow(/invalid arguments/);
  });
});
