import { describe, expect, it } from 'vitest';
import { microUsd } from '../money.ts';
import { expectOk, type Result } from '../result.ts';
import {
  checkSession,
  DEFAULT_GUARD_CONFIG,
  guardConfigSchema,
  parseGuardConfig,
  parseSessionGuardState,
  recordCall,
  recordSettlement,
  resumeSession,
  startSession,
  type GuardConfig,
  type SessionBlock,
  type SessionGuardState,
} from './guards.ts';
import { T0 } from './test-support/fixtures.ts';

const MINUTE = 60_000;
const config: GuardConfig = DEFAULT_GUARD_CONFIG;

/** Checks then records, like the proxy does for an admitted call. */
function call(state: SessionGuardState, now: number, fingerprint: string, humanInput: boolean, guards = config): Result<SessionGuardState, SessionBlock> {
  const checked = checkSession(state, { fingerprint, humanInput }, now, guards);
  return checked.ok ? { ok: true, value: recordCall(checked.value, fingerprint, now) } : checked;
}

function blocked(result: Result<SessionGuardState, SessionBlock>): SessionBlock {
  if (result.ok) throw new Error('expected the guard to block');
  return result.error;
}

describe('session guards', () => {
  it('the default config is valid', () => {
    expect(guardConfigSchema.safeParse(DEFAULT_GUARD_CONFIG).success).toBe(true);
  });

  it('halts a script that never sets human input once the idle time has passed', () => {
    const guards = { ...config, maxCallsPerHumanInput: 1_000 };
    let state = startSession('s1', T0);
    let minute = 0;
    for (; minute <= 15; minute += 1) state = expectOk(call(state, T0 + minute * MINUTE, `fp${minute}`, false, guards));
    const block = blocked(call(state, T0 + 15 * MINUTE + 1, 'fp-next', false, guards));
    expect(block).toMatchObject({ code: 'session-halted', halt: { code: 'idle', resumable: true } });
    expect(block.message).toMatch(/no one has typed for 15 minutes.*Resume/);
    expect(block.state.halt?.code).toBe('idle');
  });

  it('human input keeps a session alive', () => {
    let state = startSession('s1', T0);
    for (let minute = 0; minute < 120; minute += 10) state = expectOk(call(state, T0 + minute * MINUTE, `fp${minute}`, true));
    expect(state.halt).toBeNull();
  });

  it('limits the calls one human input may cause', () => {
    let state = startSession('s1', T0);
    for (let index = 0; index < 8; index += 1) state = expectOk(call(state, T0 + index * 10_000, `fp${index}`, index === 0));
    expect(blocked(call(state, T0 + 90_000, 'fp-more', false))).toMatchObject({ halt: { code: 'turn-limit' } });
    expect(call(state, T0 + 90_000, 'fp-more', true).ok).toBe(true);
  });

  it('refuses the call over the per-minute rate without halting, until a slot frees', () => {
    let state = startSession('s1', T0);
    for (let index = 0; index < 10; index += 1) state = expectOk(call(state, T0 + index * 1_000, `fp${index}`, true));
    const block = blocked(call(state, T0 + 30_000, 'fp-x', true));
    expect(block).toMatchObject({ code: 'rate-limited', retryAt: T0 + MINUTE });
    expect(block.state.halt).toBeNull();
    expect(call(state, T0 + MINUTE + 1, 'fp-x', true).ok).toBe(true);
  });

  it('halts the same request repeated loopThreshold times in a row', () => {
    let state = startSession('s1', T0);
    for (let index = 0; index < 4; index += 1) state = expectOk(call(state, T0 + index * 7_000, 'same', true));
    expect(state.repeatCount).toBe(4);
    expect(blocked(call(state, T0 + 30_000, 'same', true))).toMatchObject({ halt: { code: 'loop' } });
    const broken = expectOk(call(state, T0 + 30_000, 'different', true));
    expect(broken.repeatCount).toBe(1);
  });

  it('ends a session at its maximum lifetime, even for a client that fakes human input', () => {
    let state = startSession('s1', T0);
    for (let hour = 0; hour < 12; hour += 1) state = expectOk(call(state, T0 + hour * 3_600_000, `fp${hour}`, true));
    const block = blocked(call(state, T0 + 12 * 3_600_000, 'fp-late', true));
    expect(block).toMatchObject({ halt: { code: 'lifetime', resumable: false } });
    expect(block.message).toMatch(/Start a new session/);
    expect(resumeSession(block.state, T0 + 13 * 3_600_000, { kind: 'resume' })).toMatchObject({ ok: false, error: { code: 'needs-new-session' } });
  });

  it('ends a session at its lifetime spend', () => {
    let state = startSession('s1', T0);
    state = recordSettlement(state, { chargedMicroUsd: microUsd(1_999_999), haltSession: false }, T0);
    expect(call(state, T0 + 1, 'a', true).ok).toBe(true);
    state = recordSettlement(state, { chargedMicroUsd: microUsd(1), haltSession: false }, T0 + 2);
    const block = blocked(call(state, T0 + 3, 'b', true));
    expect(block).toMatchObject({ halt: { code: 'lifetime-spend', resumable: false } });
    expect(block.message).toContain('$2.00');
  });

  it('a halted session stays halted, whatever the request, until a human resumes it', () => {
    const guards = { ...config, maxCallsPerHumanInput: 1_000 };
    const halted = blocked(call(startSession('s1', T0), T0 + 16 * MINUTE, 'x', false, guards)).state;
    expect(blocked(call(halted, T0 + 17 * MINUTE, 'y', true, guards))).toMatchObject({ code: 'session-halted', halt: { code: 'idle' } });
    const resumed = expectOk(resumeSession(halted, T0 + 18 * MINUTE, { kind: 'resume' }));
    expect(resumed.halt).toBeNull();
    expect(resumed.lastHumanInputAt).toBe(T0 + 18 * MINUTE);
    expect(call(resumed, T0 + 19 * MINUTE, 'y', false, guards).ok).toBe(true);
  });

  it('resuming after a loop forgets the streak; resuming an active session records the input', () => {
    let state = startSession('s1', T0);
    for (let index = 0; index < 4; index += 1) state = expectOk(call(state, T0 + index * 7_000, 'same', true));
    const halted = blocked(call(state, T0 + 30_000, 'same', true)).state;
    const resumed = expectOk(resumeSession(halted, T0 + 40_000, { kind: 'resume' }));
    expect(resumed).toMatchObject({ repeatCount: 0, lastFingerprint: null });
    expect(call(resumed, T0 + 70_000, 'same', true).ok).toBe(true);
    const active = expectOk(resumeSession(state, T0 + 50_000, { kind: 'resume' }));
    expect(active).toMatchObject({ lastHumanInputAt: T0 + 50_000, repeatCount: 4 });
  });

  it('a usage overrun halts; a second overrun keeps the first halt', () => {
    const once = recordSettlement(startSession('s1', T0), { chargedMicroUsd: microUsd(10), haltSession: true }, T0 + 1);
    expect(once.halt?.code).toBe('usage-overrun');
    const twice = recordSettlement(once, { chargedMicroUsd: microUsd(10), haltSession: true }, T0 + 2);
    expect(twice.halt?.at).toBe(T0 + 1);
    expect(twice.spentMicroUsd).toBe(20);
  });
});

describe('stored guard state and settings', () => {
  it('round-trips a session state through JSON and refuses a newer version', () => {
    let state = startSession('s1', T0);
    state = expectOk(call(state, T0 + 1_000, 'a', true));
    state = recordSettlement(state, { chargedMicroUsd: microUsd(5), haltSession: true }, T0 + 2_000);
    expect(expectOk(parseSessionGuardState(JSON.parse(JSON.stringify(state))))).toEqual(state);
    const newer = parseSessionGuardState({ ...state, version: 2 });
    expect(newer).toMatchObject({ ok: false, error: { code: 'invalid-session-state' } });
    if (!newer.ok) expect(newer.error.message).toMatch(/update the app/);
  });

  it('parses guard settings from config and refuses nonsense', () => {
    expect(expectOk(parseGuardConfig({ ...DEFAULT_GUARD_CONFIG }))).toEqual(DEFAULT_GUARD_CONFIG);
    expect(parseGuardConfig({ ...DEFAULT_GUARD_CONFIG, loopThreshold: 1 })).toMatchObject({ ok: false, error: { code: 'invalid-guard-config' } });
  });
});
