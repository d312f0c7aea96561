/**
 * Runaway guards for one chat session, as a pure state machine. The incident they answer: a
 * session nobody watched kept calling the model all afternoon.
 *
 * - idle: no human input for `idleMs` → halted (a script that never sets `plaza_human_input`).
 * - turn limit: at most `maxCallsPerHumanInput` calls per human input (one turn, a bounded loop).
 * - rate: at most `maxCallsPerMinute` calls in any 60 s (refused until a slot frees, not halted).
 * - loop: the same canonical request `loopThreshold` times in a row → halted.
 * - lifetime: a session older than `maxLifetimeMs`, or that has spent `maxLifetimeSpendMicroUsd`,
 *   is over for good: this bounds a tampered client that fakes human input.
 * - overrun: a call whose reported usage exceeded its reservation halts the session.
 *
 * A halted session says why and needs a human action (`resumeSession`) to go on; the two
 * lifetime halts cannot be resumed, only replaced by a new session.
 */
import { z } from 'zod';
import { formatMicroUsd, microUsd, type MicroUsd } from '../money.ts';
import { err, ok, type DomainError, type Result } from '../result.ts';
import { formatUtc } from './windows.ts';

export const guardConfigSchema = z.strictObject({
  idleMs: z.int().min(1_000).max(7 * 24 * 3_600_000),
  maxCallsPerMinute: z.int().min(1).max(10_000),
  maxCallsPerHumanInput: z.int().min(1).max(10_000),
  loopThreshold: z.int().min(2).max(1_000),
  maxLifetimeMs: z.int().min(60_000).max(365 * 24 * 3_600_000),
  maxLifetimeSpendMicroUsd: z.int().min(0).max(1_000_000_000_000),
});

export interface GuardConfig {
  readonly idleMs: number;
  readonly maxCallsPerMinute: number;
  readonly maxCallsPerHumanInput: number;
  readonly loopThreshold: number;
  readonly maxLifetimeMs: number;
  readonly maxLifetimeSpendMicroUsd: MicroUsd;
}

export const DEFAULT_GUARD_CONFIG: GuardConfig = {
  idleMs: 15 * 60_000,
  maxCallsPerMinute: 10,
  maxCallsPerHumanInput: 8,
  loopThreshold: 5,
  maxLifetimeMs: 12 * 3_600_000,
  maxLifetimeSpendMicroUsd: microUsd(2_000_000),
};

export const HALT_CODES = ['idle', 'turn-limit', 'loop', 'lifetime', 'lifetime-spend', 'usage-overrun'] as const;
export type HaltCode = (typeof HALT_CODES)[number];
const TERMINAL: ReadonlySet<HaltCode> = new Set(['lifetime', 'lifetime-spend']);

export interface SessionHalt {
  readonly code: HaltCode;
  readonly message: string;
  readonly at: number;
  /** False for the lifetime halts: only a new session continues. */
  readonly resumable: boolean;
}

export interface SessionGuardState {
  readonly version: 1;
  readonly sessionId: string;
  readonly startedAt: number;
  readonly lastHumanInputAt: number;
  readonly callsSinceHumanInput: number;
  /** Admission times within the last minute, oldest first. */
  readonly recentCallTimes: readonly number[];
  readonly lastFingerprint: string | null;
  /** How many calls in a row carried `lastFingerprint`. */
  readonly repeatCount: number;
  readonly callCount: number;
  readonly spentMicroUsd: MicroUsd;
  readonly halt: SessionHalt | null;
}

export function parseGuardConfig(input: unknown): Result<GuardConfig, DomainError<'invalid-guard-config'>> {
  const parsed = guardConfigSchema.safeParse(input);
  if (!parsed.success) return err({ code: 'invalid-guard-config', message: `The session guard settings are invalid: ${z.prettifyError(parsed.error)}` });
  return ok({ ...parsed.data, maxLifetimeSpendMicroUsd: microUsd(parsed.data.maxLifetimeSpendMicroUsd) });
}

const time = z.number().finite();

export const sessionGuardStateSchema = z.strictObject({
  version: z.literal(1, { error: 'this session state was written by a newer app: update the app' }),
  sessionId: z.string().min(1).max(128),
  startedAt: time,
  lastHumanInputAt: time,
  callsSinceHumanInput: z.int().min(0),
  recentCallTimes: z.array(time).max(100_000),
  lastFingerprint: z.string().max(64).nullable(),
  repeatCount: z.int().min(0),
  callCount: z.int().min(0),
  spentMicroUsd: z.int().min(0),
  halt: z.strictObject({ code: z.enum(HALT_CODES), message: z.string(), at: time, resumable: z.boolean() }).nullable(),
});

/** Decodes a stored session state (JSON in the store or the client's database). */
export function parseSessionGuardState(input: unknown): Result<SessionGuardState, DomainError<'invalid-session-state'>> {
  const parsed = sessionGuardStateSchema.safeParse(input);
  if (!parsed.success) return err({ code: 'invalid-session-state', message: `The stored chat session state is invalid: ${z.prettifyError(parsed.error)}` });
  return ok({ ...parsed.data, spentMicroUsd: microUsd(parsed.data.spentMicroUsd) });
}

/** A new session; opening it is itself a human action. */
export function startSession(sessionId: string, now: number): SessionGuardState {
  return {
    version: 1,
    sessionId,
    startedAt: now,
    lastHumanInputAt: now,
    callsSinceHumanInput: 0,
    recentCallTimes: [],
    lastFingerprint: null,
    repeatCount: 0,
    callCount: 0,
    spentMicroUsd: microUsd(0),
    halt: null,
  };
}

export interface GuardRequest {
  /** `requestFingerprint(request)`. */
  readonly fingerprint: string;
  /** The request says it comes from a real input event (`plaza_human_input: true`). */
  readonly humanInput: boolean;
}

export type SessionBlock =
  | (DomainError<'session-halted'> & { readonly halt: SessionHalt; readonly state: SessionGuardState })
  | (DomainError<'rate-limited'> & { readonly retryAt: number; readonly state: SessionGuardState });

const MINUTE = 60_000;
const minutes = (ms: number) => `${Math.round(ms / MINUTE)} minute${Math.round(ms / MINUTE) === 1 ? '' : 's'}`;

function haltMessage(code: HaltCode, state: SessionGuardState, config: GuardConfig): string {
  switch (code) {
    case 'idle':
      return `This chat session was paused: no one has typed for ${minutes(config.idleMs)} (last input ${formatUtc(state.lastHumanInputAt)}). Press Resume to continue.`;
    case 'turn-limit':
      return `This chat session was paused: ${config.maxCallsPerHumanInput} AI calls followed one message without new input. Press Resume to continue.`;
    case 'loop':
      return `This chat session was paused: the same request was sent ${config.loopThreshold} times in a row. Press Resume to continue.`;
    case 'lifetime':
      return `This chat session has reached its maximum length of ${minutes(config.maxLifetimeMs)}. Start a new session to continue.`;
    case 'lifetime-spend':
      return `This chat session has spent its limit of ${formatMicroUsd(config.maxLifetimeSpendMicroUsd)}. Start a new session to continue.`;
    case 'usage-overrun':
      return 'This chat session was paused: the provider reported more usage than was reserved, and an administrator was alerted. Press Resume to continue.';
  }
}

/** Marks the session halted; the caller persists the result. */
export function haltSession(state: SessionGuardState, code: HaltCode, now: number, config: GuardConfig = DEFAULT_GUARD_CONFIG): SessionGuardState {
  return { ...state, halt: { code, message: haltMessage(code, state, config), at: now, resumable: !TERMINAL.has(code) } };
}

function blocked(state: SessionGuardState, code: HaltCode, now: number, config: GuardConfig): { ok: false; error: SessionBlock } {
  const halted = haltSession(state, code, now, config);
  const halt = halted.halt as SessionHalt;
  return err({ code: 'session-halted', message: halt.message, halt, state: halted });
}

/**
 * Decides whether the session may make one more call at `now`. On success returns the state with
 * any human input recorded (the call itself is recorded by `recordCall` once it is admitted). On
 * a halt the error carries the halted state, which the caller must persist.
 */
export function checkSession(state: SessionGuardState, request: GuardRequest, now: number, config: GuardConfig): Result<SessionGuardState, SessionBlock> {
  if (state.halt) return err({ code: 'session-halted', message: state.halt.message, halt: state.halt, state });
  const recentCallTimes = state.recentCallTimes.filter((time) => time > now - MINUTE);
  let next: SessionGuardState = { ...state, recentCallTimes };
  if (request.humanInput) next = { ...next, lastHumanInputAt: Math.max(next.lastHumanInputAt, now), callsSinceHumanInput: 0 };

  if (now - next.startedAt >= config.maxLifetimeMs) return blocked(next, 'lifetime', now, config);
  if (next.spentMicroUsd >= config.maxLifetimeSpendMicroUsd) return blocked(next, 'lifetime-spend', now, config);
  if (now - next.lastHumanInputAt > config.idleMs) return blocked(next, 'idle', now, config);
  if (next.callsSinceHumanInput >= config.maxCallsPerHumanInput) return blocked(next, 'turn-limit', now, config);
  if (request.fingerprint === next.lastFingerprint && next.repeatCount + 1 >= config.loopThreshold) return blocked(next, 'loop', now, config);

  const oldest = recentCallTimes[0];
  if (oldest !== undefined && recentCallTimes.length >= config.maxCallsPerMinute) {
    const retryAt = oldest + MINUTE;
    return err({
      code: 'rate-limited',
      message: `This chat session may make ${config.maxCallsPerMinute} AI calls per minute. Try again at ${formatUtc(retryAt)}.`,
      retryAt,
      state: next,
    });
  }
  return ok(next);
}

/** Records an admitted call. */
export function recordCall(state: SessionGuardState, fingerprint: string, now: number): SessionGuardState {
  return {
    ...state,
    recentCallTimes: [...state.recentCallTimes.filter((time) => time > now - MINUTE), now],
    callsSinceHumanInput: state.callsSinceHumanInput + 1,
    lastFingerprint: fingerprint,
    repeatCount: fingerprint === state.lastFingerprint ? state.repeatCount + 1 : 1,
    callCount: state.callCount + 1,
  };
}

/** Adds a settled call's charge; a settlement that asks for it halts the session. */
export function recordSettlement(
  state: SessionGuardState,
  settlement: { readonly chargedMicroUsd: MicroUsd; readonly haltSession: boolean },
  now: number,
  config: GuardConfig = DEFAULT_GUARD_CONFIG,
): SessionGuardState {
  const next = { ...state, spentMicroUsd: microUsd(state.spentMicroUsd + settlement.chargedMicroUsd) };
  return settlement.haltSession && !state.halt ? haltSession(next, 'usage-overrun', now, config) : next;
}

/** What a person did to resume: the UI creates it only from a real click. */
export interface HumanAction {
  readonly kind: 'resume';
}

/**
 * Lifts a resumable halt after a human action: counts it as human input and forgets the loop
 * streak. A session that is not halted just records the input.
 */
export function resumeSession(state: SessionGuardState, now: number, _action: HumanAction): Result<SessionGuardState, DomainError<'needs-new-session'>> {
  if (state.halt && !state.halt.resumable) return err({ code: 'needs-new-session', message: state.halt.message });
  return ok({
    ...state,
    halt: null,
    lastHumanInputAt: Math.max(state.lastHumanInputAt, now),
    callsSinceHumanInput: 0,
    lastFingerprint: state.halt ? null : state.lastFingerprint,
    repeatCount: state.halt ? 0 : state.repeatCount,
  });
}
