/**
 * Why a message was not answered, as people read it: which budget and when it resets, why a
 * session was paused and whether Resume can lift it, that guests need an account. One shape for
 * refusals made on this device (the policy's `Refusal`) and by the server (its error body).
 */
import { describeRefusal, formatDuration } from '../../../../shared/domain/llm/meter.ts';
import { REFUSAL_CODES, type Refusal, type RefusalCode } from '../../../../shared/domain/llm/refusal.ts';
import { LlmHttpError } from './llm-api.ts';

export type ChatProblemKind = 'budget' | 'halted' | 'rate-limited' | 'kill-switch' | 'needs-account' | 'request' | 'unavailable' | 'error';

export interface ChatProblem {
  readonly kind: ChatProblemKind;
  /** A short line: `AI budget reached.` */
  readonly title: string;
  /** The full explanation, with the reset time when there is one. */
  readonly message: string;
  /** Where the call was stopped: this device (the client-side cap) or the server. */
  readonly by: 'device' | 'server';
  /** For a halted session: Resume can lift it (else only a new session goes on). */
  readonly resumable?: boolean;
  /** Only a new chat session can go on (its own budget is spent, or it is over for good). */
  readonly needsNewSession?: boolean;
  /** The chat session the problem belongs to, when there is one. */
  readonly sessionId?: string;
}

const KIND: Readonly<Record<RefusalCode, ChatProblemKind>> = {
  'invalid-request': 'request',
  'field-not-allowed': 'request',
  'unknown-model': 'request',
  'too-many-choices': 'request',
  'prompt-too-long': 'request',
  'session-mismatch': 'request',
  'kill-switch': 'kill-switch',
  'session-halted': 'halted',
  'rate-limited': 'rate-limited',
  'budget-exhausted': 'budget',
};

const isRefusalCode = (value: unknown): value is RefusalCode => typeof value === 'string' && (REFUSAL_CODES as readonly string[]).includes(value);

/** A policy refusal as a problem: the domain's own title and text, with how long until a reset. */
export function problemFromRefusal(refusal: Refusal, now: number, by: 'device' | 'server', sessionId?: string): ChatProblem {
  const title = describeRefusal({ code: refusal.code, message: '' }).trim();
  const message = describeRefusal(refusal, now).slice(title.length).trim();
  return {
    kind: KIND[refusal.code],
    title,
    message,
    by,
    ...(refusal.halt ? { resumable: refusal.halt.resumable } : {}),
    ...(refusal.budget?.kind === 'session' || refusal.halt?.resumable === false ? { needsNewSession: true } : {}),
    ...(sessionId === undefined ? {} : { sessionId }),
  };
}

/** A server (or network) error as a problem; refusals keep their budget and reset facts. */
export function problemFromError(error: unknown, now: number, sessionId?: string): ChatProblem {
  const session = sessionId === undefined ? {} : { sessionId };
  if (!(error instanceof LlmHttpError)) return { kind: 'error', title: 'Something went wrong.', message: (error as Error)?.message ?? String(error), by: 'device', ...session };
  const details = error.details;
  if (details && isRefusalCode(details.refusal)) {
    const refusal: Refusal = {
      code: details.refusal,
      message: error.message,
      ...(details.budget ? { budget: details.budget } : {}),
      ...(details.halt ? { halt: details.halt } : {}),
      ...(details.killSwitch ? { killSwitch: details.killSwitch } : {}),
      ...(details.retryAt === undefined ? {} : { retryAt: details.retryAt }),
    };
    return problemFromRefusal(refusal, now, 'server', sessionId);
  }
  if (details?.refusal === 'not-allowed') return { kind: 'needs-account', title: 'AI chat needs an account.', message: error.message, by: 'server', ...session };
  if (error.code === 'network') return { kind: 'unavailable', title: 'Not connected.', message: error.message, by: 'device', ...session };
  if (details?.refusal === 'not-configured' || details?.refusal === 'ledger-unavailable' || error.status === 503) {
    return { kind: 'unavailable', title: 'The AI assistant is unavailable.', message: error.message, by: 'server', ...session };
  }
  if (error.status === 429) {
    const retry = details?.retryAt === undefined ? '' : ` You can try again in ${formatDuration(details.retryAt - now)}.`;
    return { kind: 'rate-limited', title: 'Slow down a little.', message: `${error.message}${retry}`, by: 'server', ...session };
  }
  if (error.status === 400 || error.status === 404 || error.status === 413) return { kind: 'request', title: 'This request cannot be sent.', message: error.message, by: 'server', ...session };
  return { kind: 'error', title: 'The answer did not complete.', message: error.message, by: 'server', ...session };
}
