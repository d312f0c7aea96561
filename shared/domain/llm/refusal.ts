/**
 * Why a call may not go, as a value: a typed code, a message for people (a budget refusal names
 * the budget and when it resets) and the structured facts behind it for the UI.
 */
import { formatMicroUsd, type MicroUsd } from '../money.ts';
import type { DomainError } from '../result.ts';
import { scopeLabel, type BudgetScope, type ScopeKind } from './budgets.ts';
import type { SessionGuardState, SessionHalt } from './guards.ts';
import { formatUtc } from './windows.ts';

export const REFUSAL_CODES = [
  'invalid-request',
  'field-not-allowed',
  'unknown-model',
  'too-many-choices',
  'prompt-too-long',
  'session-mismatch',
  'kill-switch',
  'session-halted',
  'rate-limited',
  'budget-exhausted',
] as const;
export type RefusalCode = (typeof REFUSAL_CODES)[number];

export const KILL_SWITCH_SCOPES = ['global', 'tenant', 'user', 'session'] as const;
export type KillSwitchScope = (typeof KILL_SWITCH_SCOPES)[number];

export interface BudgetShortfall {
  readonly scopeKey: string;
  readonly kind: ScopeKind;
  readonly window: string;
  readonly capMicroUsd: MicroUsd;
  readonly remainingMicroUsd: MicroUsd;
  /** The least the call needed: its prompt plus the minimum answer, at worst-case prices. */
  readonly neededMicroUsd: MicroUsd;
  /** When the budget's window ends (ms), or null when it never resets (a session). */
  readonly resetsAt: number | null;
}

export interface Refusal extends DomainError<RefusalCode> {
  /** The request field at fault (`tools`, `messages[1].content[0].type`). */
  readonly field?: string;
  readonly budget?: BudgetShortfall;
  readonly killSwitch?: KillSwitchScope;
  readonly halt?: SessionHalt;
  /** When a rate-limited call may be tried again (ms). */
  readonly retryAt?: number;
  /** Session state the caller must persist although the call was refused (a new halt, an input). */
  readonly sessionAfter?: SessionGuardState;
}

export function refusal(code: RefusalCode, message: string, extra: Omit<Refusal, 'code' | 'message'> = {}): Refusal {
  return { code, message, ...extra };
}

const CAP_PERIOD: Readonly<Record<ScopeKind, string>> = {
  session: '',
  'user-day': ' a day',
  'tenant-day': ' a day',
  'tenant-month': ' a month',
  'global-day': ' a day',
};

/** "It resets at 2026-01-02 00:00 UTC." or, for a session, how to go on. */
export function resetSentence(resetsAt: number | null): string {
  return resetsAt === null ? 'It does not reset: start a new chat session to continue.' : `It resets at ${formatUtc(resetsAt)}.`;
}

export function budgetRefusal(scope: BudgetScope, remaining: MicroUsd, needed: MicroUsd, minAnswerTokens: number): Refusal {
  const label = scopeLabel(scope.kind);
  const message =
    `Not enough left in ${label} (${formatMicroUsd(scope.capMicroUsd)}${CAP_PERIOD[scope.kind]}): ${formatMicroUsd(remaining)} left, ` +
    `and this prompt with a ${minAnswerTokens}-token answer needs up to ${formatMicroUsd(needed)}. ${resetSentence(scope.resetsAt)}`;
  return refusal('budget-exhausted', message, {
    budget: {
      scopeKey: scope.key,
      kind: scope.kind,
      window: scope.window,
      capMicroUsd: scope.capMicroUsd,
      remainingMicroUsd: remaining,
      neededMicroUsd: needed,
      resetsAt: scope.resetsAt,
    },
  });
}

const KILL_SWITCH_WHO: Readonly<Record<KillSwitchScope, string>> = {
  global: 'for everyone by the Plaza operator',
  tenant: 'for your team by an administrator',
  user: 'for your account by an administrator',
  session: 'for this chat session',
};

export function killSwitchRefusal(scope: KillSwitchScope, reason: string | undefined): Refusal {
  const why = reason ? ` Reason: ${reason}.` : '';
  return refusal('kill-switch', `The AI assistant was switched off ${KILL_SWITCH_WHO[scope]}.${why} It stays off until it is switched back on.`, {
    killSwitch: scope,
  });
}

const HTTP_STATUS: Readonly<Record<RefusalCode, number>> = {
  'invalid-request': 400,
  'field-not-allowed': 400,
  'unknown-model': 404,
  'too-many-choices': 400,
  'prompt-too-long': 400,
  'session-mismatch': 400,
  'kill-switch': 403,
  'session-halted': 403,
  'rate-limited': 429,
  // 402, not 429: the openai SDK retries 408, 409, 429 and 5xx by itself.
  'budget-exhausted': 402,
};

/** The HTTP status the proxy answers a refusal with. */
export function refusalHttpStatus(code: RefusalCode): number {
  return HTTP_STATUS[code];
}
