import { describe, expect, it } from 'vitest';
import { DEFAULT_PRICES } from '../../../../shared/domain/llm/default-prices.ts';
import { DEFAULT_GUARD_CONFIG, type GuardConfig } from '../../../../shared/domain/llm/guards.ts';
import { nextDayStart, nextMonthStart } from '../../../../shared/domain/llm/windows.ts';
import { Assistant, type PromptMessage, type SendInput } from './assistant.ts';
import type { BudgetRow } from './client-cap.ts';
import { LlmHttpError } from './llm-api.ts';
import type { CallEnd, CallRequest, ChatTransport, SessionInfo } from './transport.ts';

const START = Date.UTC(2026, 2, 10, 9, 0, 0);

/** A transport that records what would have gone over the wire and answers at once. */
class FakeTransport implements ChatTransport {
  readonly mode = 'proxy' as const;
  readonly calls: CallRequest[] = [];
  sessionsCreated = 0;
  answer: (request: CallRequest) => CallEnd = () => ({ kind: 'complete', text: 'ok', chargedMicroUsd: 20 });
  private readonly clock: () => number;

  constructor(clock: () => number) {
    this.clock = clock;
  }

  private info(sessionId: string): SessionInfo {
    return { view: { sessionId, startedAt: this.clock(), lastHumanInputAt: this.clock(), callCount: 0, spentMicroUsd: 0, halt: null } };
  }

  async createSession(): Promise<SessionInfo> {
    this.sessionsCreated += 1;
    return this.info(`s${this.sessionsCreated}`);
  }

  async getSession(sessionId: string): Promise<SessionInfo | null> {
    return this.info(sessionId);
  }

  async resumeSession(sessionId: string): Promise<SessionInfo> {
    return this.info(sessionId);
  }

  async call(request: CallRequest): Promise<CallEnd> {
    this.calls.push(request);
    return this.answer(request);
  }
}

function setup(guards: GuardConfig = DEFAULT_GUARD_CONFIG) {
  let now = START;
  const transport = new FakeTransport(() => now);
  let ids = 0;
  const assistant = new Assistant({ transport, tenantId: 'acme', userId: 'u1', now: () => now, newRequestId: () => `req_${(ids += 1)}`, guards });
  return {
    transport,
    assistant,
    advance: (ms: number) => {
      now += ms;
    },
    now: () => now,
  };
}

const prompt = (text: string): PromptMessage[] => [{ role: 'user', content: text }];

function input(overrides: Partial<SendInput> = {}): SendInput {
  return {
    sessionId: null,
    model: 'gpt-4o-mini',
    messages: prompt('What is a CRDT?'),
    humanInput: true,
    prices: DEFAULT_PRICES,
    rows: () => [],
    onText: () => undefined,
    signal: new AbortController().signal,
    ...overrides,
  };
}

/** The user's daily budget as the inbox reports it. */
function dayRow(now: number, cap: number, spent: number): BudgetRow {
  return { kind: 'user-day', capMicroUsd: cap, spentMicroUsd: spent, reservedMicroUsd: 0, resetsAt: nextDayStart(now) };
}

describe('client-side cap: a runaway client stops itself before sending', () => {
  it('a script calling once a second with no human input is halted by the idle guard before sending', async () => {
    // The turn, rate and loop guards relaxed (as in the server's forgotten-session test): only idle stops it.
    const t = setup({ ...DEFAULT_GUARD_CONFIG, idleMs: 3_000, maxCallsPerHumanInput: 1_000, maxCallsPerMinute: 1_000, loopThreshold: 1_000 });
    const first = await t.assistant.send(input({ humanInput: true }));
    expect(first.kind).toBe('complete');
    const sessionId = first.sessionId!;
    const outcomes: string[] = [];
    for (let second = 1; second <= 10; second += 1) {
      t.advance(1_000);
      const result = await t.assistant.send(input({ sessionId, humanInput: false }));
      outcomes.push(result.kind === 'refused' ? `refused:${result.problem.kind}:${result.problem.by}` : result.kind);
    }
    // Seconds 1–3 are within the idle time; from second 4 on the client refuses by itself.
    expect(outcomes).toEqual(['complete', 'complete', 'complete', ...Array<string>(7).fill('refused:halted:device')]);
    expect(t.transport.calls).toHaveLength(4);
    expect(t.transport.calls.map((call) => call.body.plaza_human_input)).toEqual([true, false, false, false]);
    const state = t.assistant.sessionState(sessionId);
    expect(state?.halt).toMatchObject({ code: 'idle', resumable: true });

    // The same script keeps calling: still nothing is sent.
    t.advance(60_000);
    const again = await t.assistant.send(input({ sessionId, humanInput: false }));
    expect(again).toMatchObject({ kind: 'refused', problem: { kind: 'halted', title: 'This chat session is paused.', resumable: true, by: 'device' } });
    expect(t.transport.calls).toHaveLength(4);

    // A person presses Continue: the session goes on, and the next real message is sent.
    expect(await t.assistant.resume(sessionId)).toBeNull();
    expect((await t.assistant.send(input({ sessionId, humanInput: true }))).kind).toBe('complete');
    expect(t.transport.calls).toHaveLength(5);
  });

  it('with the default guards, a script that never has human input is stopped by the turn limit', async () => {
    const t = setup();
    const first = await t.assistant.send(input({ humanInput: true }));
    const sessionId = first.sessionId!;
    let sent = 1;
    for (let call = 0; call < 20; call += 1) {
      t.advance(7_000);
      const result = await t.assistant.send(input({ sessionId, humanInput: false, messages: prompt(`variant ${call}`) }));
      if (result.kind === 'complete') sent += 1;
      else expect(result).toMatchObject({ kind: 'refused', problem: { kind: 'halted', by: 'device' } });
    }
    expect(sent).toBe(DEFAULT_GUARD_CONFIG.maxCallsPerHumanInput);
    expect(t.transport.calls).toHaveLength(sent);
  });

  it('calls fired all at once are checked one after the other: the turn limit holds', async () => {
    const t = setup({ ...DEFAULT_GUARD_CONFIG, maxCallsPerMinute: 1_000 });
    const first = await t.assistant.send(input());
    const burst = await Promise.all(Array.from({ length: 30 }, (_, index) => t.assistant.send(input({ sessionId: first.sessionId, humanInput: false, messages: prompt(`burst ${index}`) }))));
    // One human input allows `maxCallsPerHumanInput` calls in all, the first one included.
    expect(burst.filter((result) => result.kind === 'complete')).toHaveLength(DEFAULT_GUARD_CONFIG.maxCallsPerHumanInput - 1);
    expect(t.transport.calls).toHaveLength(DEFAULT_GUARD_CONFIG.maxCallsPerHumanInput);
  });

  it('the same prompt sent again and again is caught by the loop guard', async () => {
    const t = setup({ ...DEFAULT_GUARD_CONFIG, maxCallsPerMinute: 1_000 });
    const first = await t.assistant.send(input());
    for (let call = 0; call < 10; call += 1) await t.assistant.send(input({ sessionId: first.sessionId, humanInput: true }));
    expect(t.transport.calls).toHaveLength(DEFAULT_GUARD_CONFIG.loopThreshold - 1);
    expect(t.assistant.sessionState(first.sessionId!)?.halt?.code).toBe('loop');
  });

  it('more than the rate allows in a minute is refused until a slot frees, not halted', async () => {
    const t = setup();
    const first = await t.assistant.send(input());
    const results = [];
    for (let call = 0; call < 12; call += 1) results.push(await t.assistant.send(input({ sessionId: first.sessionId, messages: prompt(`q${call}`) })));
    expect(t.transport.calls).toHaveLength(DEFAULT_GUARD_CONFIG.maxCallsPerMinute);
    expect(results.at(-1)).toMatchObject({ kind: 'refused', problem: { kind: 'rate-limited', by: 'device' } });
    t.advance(61_000);
    expect((await t.assistant.send(input({ sessionId: first.sessionId, messages: prompt('later') }))).kind).toBe('complete');
  });
});

describe('client-side cap: budgets the inbox reports', () => {
  it('a call the remaining budget cannot pay is refused before sending, naming the budget and its reset', async () => {
    const t = setup();
    // $0.0001 a day with $0.00009 spent: not enough for the prompt and a 64-token answer.
    const rows = () => [dayRow(t.now(), 100, 90)];
    const result = await t.assistant.send(input({ rows }));
    expect(t.transport.calls).toHaveLength(0);
    expect(result.kind).toBe('refused');
    if (result.kind !== 'refused') return;
    expect(result.problem).toMatchObject({ kind: 'budget', title: 'AI budget reached.', by: 'device' });
    expect(result.problem.message).toMatch(/Not enough left in your daily budget \(\$0\.0001 a day\): \$0\.00 left/);
    expect(result.problem.message).toMatch(/It resets at 2026-03-11 00:00 UTC\. That is in 15 h\./);
  });

  it('what the budget can pay for goes through; the session budget and the team budgets count too', async () => {
    const t = setup();
    expect((await t.assistant.send(input({ rows: () => [dayRow(t.now(), 2_000_000, 1_000_000)] }))).kind).toBe('complete');
    const sessionRow = (): BudgetRow => ({ kind: 'session', capMicroUsd: 500_000, spentMicroUsd: 499_990, reservedMicroUsd: 0, resetsAt: null });
    const bySession = await t.assistant.send(input({ rows: () => [dayRow(t.now(), 2_000_000, 0), sessionRow()] }));
    expect(bySession).toMatchObject({ kind: 'refused', problem: { kind: 'budget', needsNewSession: true } });
    if (bySession.kind === 'refused') expect(bySession.problem.message).toMatch(/this chat session’s budget .* start a new chat session/);
    const monthRow: BudgetRow = { kind: 'tenant-month', capMicroUsd: 10, spentMicroUsd: 0, reservedMicroUsd: 0, resetsAt: nextMonthStart(t.now()) };
    const byTeam = await t.assistant.send(input({ rows: () => [monthRow] }));
    expect(byTeam.kind === 'refused' && byTeam.problem.message).toMatch(/your team’s monthly budget/);
    expect(t.transport.calls).toHaveLength(1);
  });

  it('a row from yesterday does not block today: the window has reset', async () => {
    const t = setup();
    const yesterday = dayRow(t.now() - 86_400_000, 100, 100);
    expect((await t.assistant.send(input({ rows: () => [yesterday] }))).kind).toBe('complete');
  });

  it('budgets it does not know yet (no meter in the inbox) do not block: the server decides', async () => {
    const t = setup();
    expect((await t.assistant.send(input({ rows: () => [] }))).kind).toBe('complete');
  });

  it('a long conversation costs more: the prompt is counted with the tokenizer', async () => {
    const t = setup();
    // Enough for a short prompt, not for a long one.
    const rows = () => [dayRow(t.now(), 2_000_000, 2_000_000 - 200)];
    expect((await t.assistant.send(input({ rows, messages: prompt('hi') }))).kind).toBe('complete');
    const long = await t.assistant.send(input({ rows, messages: prompt('word '.repeat(2_000)) }));
    expect(long).toMatchObject({ kind: 'refused', problem: { kind: 'budget' } });
    expect(t.transport.calls).toHaveLength(1);
  });

  it('an unknown model is refused before sending', async () => {
    const t = setup();
    expect(await t.assistant.send(input({ model: 'gpt-9' }))).toMatchObject({ kind: 'refused', problem: { kind: 'request', by: 'device' } });
    expect(t.transport.calls).toHaveLength(0);
  });
});

describe('assistant: sessions and the server', () => {
  it('starts a session for a thread that has none, and keeps using it', async () => {
    const t = setup();
    const first = await t.assistant.send(input());
    const second = await t.assistant.send(input({ sessionId: first.sessionId, messages: prompt('next') }));
    expect([first.sessionId, second.sessionId]).toEqual(['s1', 's1']);
    expect(t.transport.calls.map((call) => call.body.plaza_session_id)).toEqual(['s1', 's1']);
  });

  it('a halt reported by the server stops the next call here; a halt older than Continue does not', async () => {
    const t = setup();
    const first = await t.assistant.send(input());
    const sessionId = first.sessionId!;
    const halt = { code: 'loop' as const, message: 'paused on the server', at: t.now(), resumable: true };
    let serverHalt: typeof halt | null = halt;
    const serverSession = () => ({ spentMicroUsd: 0, callCount: 1, halt: serverHalt });
    t.advance(1_000);
    expect(await t.assistant.send(input({ sessionId, serverSession, messages: prompt('two') }))).toMatchObject({ kind: 'refused', problem: { kind: 'halted', by: 'device' } });
    t.advance(1_000);
    expect(await t.assistant.resume(sessionId)).toBeNull();
    // The inbox still shows the old halt for a moment: it must not pause the session again.
    expect((await t.assistant.send(input({ sessionId, serverSession, messages: prompt('three') }))).kind).toBe('complete');
    serverHalt = null;
    expect(t.transport.calls).toHaveLength(2);
  });

  it('server refusals keep their facts; a server halt is remembered locally', async () => {
    const t = setup();
    t.transport.answer = () => ({
      kind: 'refused',
      text: '',
      error: new LlmHttpError(403, 'session_halted', 'This chat session was paused: the same request was sent 5 times in a row.', {
        refusal: 'session-halted',
        halt: { code: 'loop', message: 'paused', at: t.now(), resumable: true },
      }),
    });
    const result = await t.assistant.send(input());
    expect(result).toMatchObject({ kind: 'refused', problem: { kind: 'halted', by: 'server', resumable: true, title: 'This chat session is paused.' } });
    expect(t.assistant.sessionState(result.sessionId!)?.halt?.code).toBe('loop');
  });

  it('guests get "needs an account" from the server, before any session exists', async () => {
    const t = setup();
    t.transport.createSession = async () => {
      throw new LlmHttpError(403, 'forbidden', 'The AI assistant is for members; guests cannot use it.', { refusal: 'not-allowed' });
    };
    expect(await t.assistant.send(input())).toMatchObject({ kind: 'refused', sessionId: null, problem: { kind: 'needs-account', title: 'AI chat needs an account.' } });
  });

  it('a stopped answer keeps what arrived; an error keeps it too, with the reason', async () => {
    const t = setup();
    t.transport.answer = () => ({ kind: 'stopped', text: 'half an' });
    expect(await t.assistant.send(input())).toMatchObject({ kind: 'stopped', text: 'half an' });
    t.transport.answer = () => ({ kind: 'error', text: 'half', error: new LlmHttpError(200, 'upstream_error', 'The AI provider ended the answer with an error.', { refusal: 'upstream' }) });
    expect(await t.assistant.send(input({ messages: prompt('again') }))).toMatchObject({ kind: 'error', text: 'half', problem: { kind: 'error', message: 'The AI provider ended the answer with an error.' } });
  });
});
