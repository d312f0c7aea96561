/**
 * Where a chat call goes: the server's proxy (the default), or, on desktop in direct mode, the
 * main process with the user's own key or a local server. Both look the same to the chat: chat
 * sessions, one streamed call with a stop, and the same refusal facts.
 */
import type { LlmRefusalDetails, SessionView } from '../../../../shared/api/llm.ts';
import type { SessionHalt } from '../../../../shared/domain/llm/guards.ts';
import { REFUSAL_CODES, refusalHttpStatus, type RefusalCode } from '../../../../shared/domain/llm/refusal.ts';
import type { DirectChatMessage, DirectMeterRow, DirectSessionView } from '../../../../shared/platform/bridge.ts';
import type { DirectLlmPort } from '../../platform/platform.ts';
import type { BudgetRow } from './client-cap.ts';
import { LlmHttpError, type LlmApi, type StreamEnd } from './llm-api.ts';

export interface SessionInfo {
  readonly view: Pick<SessionView, 'sessionId' | 'startedAt' | 'lastHumanInputAt' | 'callCount' | 'spentMicroUsd'> & { readonly halt: SessionHalt | null };
  /** Direct mode: the budgets as the main process's ledger holds them now. */
  readonly rows?: readonly BudgetRow[];
  readonly meter?: readonly DirectMeterRow[];
}

export interface CallRequest {
  readonly requestId: string;
  readonly sessionId: string;
  /** The OpenAI-compatible body, Plaza's fields included (it is what the cap checked). */
  readonly body: {
    readonly model: string;
    readonly messages: readonly DirectChatMessage[];
    readonly plaza_human_input: boolean;
    readonly [field: string]: unknown;
  };
}

export type CallEnd = StreamEnd & { readonly session?: SessionInfo; readonly chargedMicroUsd?: number };

export interface ChatTransport {
  readonly mode: 'proxy' | 'direct';
  createSession(): Promise<SessionInfo>;
  /** Null when the session is unknown (expired, another server). */
  getSession(sessionId: string): Promise<SessionInfo | null>;
  /** The human action after a halt; throws a 409 `LlmHttpError` when only a new session can go on. */
  resumeSession(sessionId: string): Promise<SessionInfo>;
  call(request: CallRequest, onText: (piece: string) => void, signal: AbortSignal): Promise<CallEnd>;
}

export function proxyTransport(api: LlmApi): ChatTransport {
  return {
    mode: 'proxy',
    createSession: async () => ({ view: await api.createSession() }),
    getSession: async (sessionId) => {
      const view = await api.getSession(sessionId);
      return view ? { view } : null;
    },
    resumeSession: async (sessionId) => ({ view: await api.resumeSession(sessionId) }),
    call: async (request, onText, signal) => {
      const end = await api.streamChat({ ...request.body, stream: true, stream_options: { include_usage: true } }, onText, signal);
      return end.kind === 'complete' && end.receipt ? { ...end, chargedMicroUsd: end.receipt.charged_micro_usd } : end;
    },
  };
}

// Direct mode ------------------------------------------------------------------------------------

const isRefusalCode = (value: string): value is RefusalCode => (REFUSAL_CODES as readonly string[]).includes(value);

/** The budget rows of a direct-mode session (its day cap is both the user's and the "team's"). */
export function directRows(view: DirectSessionView): BudgetRow[] {
  const rows: BudgetRow[] = view.meter.map((row) => ({ kind: row.kind, capMicroUsd: row.capMicroUsd, spentMicroUsd: row.spentMicroUsd, reservedMicroUsd: row.reservedMicroUsd, resetsAt: row.resetsAt }));
  const day = rows.find((row) => row.kind === 'user-day');
  if (day && !rows.some((row) => row.kind === 'tenant-day')) rows.push({ ...day, kind: 'tenant-day' });
  return rows;
}

function directInfo(view: DirectSessionView): SessionInfo {
  const halt: SessionHalt | null = view.halt ? { code: view.halt.code as SessionHalt['code'], message: view.halt.message, resumable: view.halt.resumable, at: view.startedAt } : null;
  return {
    view: { sessionId: view.sessionId, startedAt: view.startedAt, lastHumanInputAt: view.startedAt, callCount: view.callCount, spentMicroUsd: view.spentMicroUsd, halt },
    rows: directRows(view),
    meter: view.meter,
  };
}

/** A direct-mode refusal in the proxy's error shape, so the chat explains both alike. */
export function directError(code: string, message: string, details: unknown): LlmHttpError {
  const facts = (typeof details === 'object' && details !== null ? details : {}) as Partial<Pick<LlmRefusalDetails, 'budget' | 'halt' | 'retryAt'>>;
  const refusal: LlmRefusalDetails = {
    refusal: isRefusalCode(code) ? code : code === 'not-configured' || code === 'unknown-session' || code === 'ledger-unavailable' ? code : 'upstream',
    ...(facts.budget ? { budget: facts.budget } : {}),
    ...(facts.halt ? { halt: facts.halt } : {}),
    ...(facts.retryAt === undefined ? {} : { retryAt: facts.retryAt }),
  };
  const status = isRefusalCode(code) ? refusalHttpStatus(code) : code === 'unknown-session' ? 404 : code === 'upstream' ? 502 : 503;
  const apiCode = status === 402 ? 'budget_exhausted' : code === 'session-halted' ? 'session_halted' : code === 'kill-switch' ? 'kill_switch' : status === 429 ? 'rate_limited' : status === 502 ? 'upstream_error' : status === 404 ? 'not_found' : status === 400 ? 'validation_failed' : 'unavailable';
  return new LlmHttpError(status, apiCode, message, refusal);
}

function failure(error: unknown): LlmHttpError {
  return error instanceof LlmHttpError ? error : new LlmHttpError(503, 'unavailable', `Direct mode failed: ${(error as Error)?.message ?? String(error)}`, { refusal: 'not-configured' });
}

export function directTransport(port: DirectLlmPort): ChatTransport {
  return {
    mode: 'direct',
    createSession: async () => directInfo(await port.session({ action: 'new' })),
    getSession: async (sessionId) => {
      try {
        return directInfo(await port.session({ action: 'get', sessionId }));
      } catch {
        return null;
      }
    },
    resumeSession: async (sessionId) => {
      try {
        return directInfo(await port.session({ action: 'resume', sessionId }));
      } catch (error) {
        throw new LlmHttpError(409, 'session_halted', (error as Error)?.message ?? 'Start a new session to continue.', { refusal: 'session-halted' });
      }
    },
    call: async (request, onText, signal) => {
      let text = '';
      const stop = () => void port.stop(request.requestId).catch(() => undefined);
      signal.addEventListener('abort', stop, { once: true });
      try {
        const result = await port.chat(
          {
            requestId: request.requestId,
            sessionId: request.sessionId,
            model: request.body.model,
            messages: request.body.messages.map((message) => ({ role: message.role, content: message.content })),
            humanInput: request.body.plaza_human_input,
          },
          (piece) => {
            text += piece;
            onText(piece);
          },
        );
        if (result.ok) {
          const session = directInfo(result.session);
          if (result.endedBy === 'stop-button' || signal.aborted) return { kind: 'stopped', text: result.text || text, session };
          return { kind: 'complete', text: result.text, chargedMicroUsd: result.chargedMicroUsd, session };
        }
        const error = directError(result.code, result.message, result.details);
        const session = result.session ? { session: directInfo(result.session) } : {};
        return text.length > 0 || result.code === 'upstream' ? { kind: 'error', text, error, ...session } : { kind: 'refused', text: '', error, ...session };
      } catch (error) {
        return text.length > 0 ? { kind: 'error', text, error: failure(error) } : { kind: 'refused', text: '', error: failure(error) };
      } finally {
        signal.removeEventListener('abort', stop);
      }
    },
  };
}
