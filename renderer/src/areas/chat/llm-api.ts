/**
 * The client of the AI assistant's HTTP routes (contract: shared/api/llm.ts): models, chat
 * sessions, the streamed chat call, the tenant admins' spend, budgets and kill switches, and the
 * operator's cross-tenant versions (with the operator credential as the token).
 * Plain fetch and an SSE reader; errors keep the server's code, message and refusal details.
 */
import type { ApiErrorCode } from '../../../../shared/api/errors.ts';
import type {
  KillSwitchRequest,
  KillSwitchResponse,
  LlmRefusalDetails,
  ModelsResponse,
  OperatorBudgets,
  PlazaCallReceipt,
  SessionResponse,
  SessionView,
  SpendReport,
  TenantBudgets,
  TenantBudgetsResponse,
} from '../../../../shared/api/llm.ts';
import { SseReader } from './sse.ts';

/** A refusal or failure as the server (or the network) gave it. */
export class LlmHttpError extends Error {
  override readonly name = 'LlmHttpError';
  readonly status: number;
  readonly code: ApiErrorCode | 'network';
  readonly details: LlmRefusalDetails | undefined;

  constructor(status: number, code: ApiErrorCode | 'network', message: string, details?: LlmRefusalDetails) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

export interface ChatUsageReport {
  readonly promptTokens: number;
  readonly completionTokens: number;
  readonly cachedPromptTokens: number;
}

export type StreamEnd =
  /** The answer came to its end ([DONE]); `receipt` when the proxy sent one. */
  | { readonly kind: 'complete'; readonly text: string; readonly usage?: ChatUsageReport; readonly receipt?: PlazaCallReceipt }
  /** The stop button (the request was aborted): what arrived is kept. */
  | { readonly kind: 'stopped'; readonly text: string }
  /** Refused before any answer (402, 403, 429, …). */
  | { readonly kind: 'refused'; readonly text: ''; readonly error: LlmHttpError }
  /** Ended with an error event or a dropped connection: what arrived is kept. */
  | { readonly kind: 'error'; readonly text: string; readonly error: LlmHttpError };

interface ErrorShape {
  readonly error?: { readonly code?: unknown; readonly message?: unknown; readonly details?: unknown };
}

function errorFrom(status: number, body: unknown, fallback: string): LlmHttpError {
  const error = (body as ErrorShape | null)?.error;
  const code = typeof error?.code === 'string' ? (error.code as ApiErrorCode) : 'internal';
  const message = typeof error?.message === 'string' && error.message.length > 0 ? error.message : fallback;
  const details = typeof error?.details === 'object' && error.details !== null ? (error.details as LlmRefusalDetails) : undefined;
  return new LlmHttpError(status, code, message, details);
}

function usageFrom(value: unknown): ChatUsageReport | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const usage = value as { prompt_tokens?: unknown; completion_tokens?: unknown; prompt_tokens_details?: { cached_tokens?: unknown } | null };
  if (typeof usage.prompt_tokens !== 'number' || typeof usage.completion_tokens !== 'number') return undefined;
  const cached = usage.prompt_tokens_details?.cached_tokens;
  return { promptTokens: usage.prompt_tokens, completionTokens: usage.completion_tokens, cachedPromptTokens: typeof cached === 'number' ? cached : 0 };
}

const isAbort = (error: unknown) => (error as { name?: unknown } | null)?.name === 'AbortError';

export interface LlmApiOptions {
  readonly serverUrl: string;
  /** A valid access token, or null when offline or signed out. */
  readonly token: () => Promise<string | null>;
  readonly fetchImpl?: typeof fetch;
}

export class LlmApi {
  private readonly base: string;
  private readonly options: LlmApiOptions;
  private readonly fetchImpl: typeof fetch;

  constructor(options: LlmApiOptions) {
    this.options = options;
    this.base = options.serverUrl.replace(/\/$/, '');
    this.fetchImpl = options.fetchImpl ?? globalThis.fetch.bind(globalThis);
  }

  /** The server's origin, without a trailing slash. */
  get baseUrl(): string {
    return this.base;
  }

  private async send(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<Response> {
    const token = await this.options.token();
    if (token === null) throw new LlmHttpError(0, 'network', 'You are offline: the AI assistant needs the server.');
    try {
      return await this.fetchImpl(`${this.base}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        ...(signal ? { signal } : {}),
      });
    } catch (error) {
      if (isAbort(error)) throw error;
      throw new LlmHttpError(0, 'network', 'The server cannot be reached. Check your connection and try again.');
    }
  }

  private async json<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await this.send(method, path, body);
    const text = await response.text();
    let parsed: unknown = null;
    try {
      parsed = text ? (JSON.parse(text) as unknown) : null;
    } catch {
      // handled below
    }
    if (!response.ok) throw errorFrom(response.status, parsed, `The server answered ${response.status}.`);
    return parsed as T;
  }

  models(): Promise<ModelsResponse> {
    return this.json('GET', '/v1/models');
  }

  async createSession(): Promise<SessionView> {
    return (await this.json<SessionResponse>('POST', '/api/llm/sessions', {})).session;
  }

  /** A session's guard state, or null when the server does not know it (any more). */
  async getSession(id: string): Promise<SessionView | null> {
    try {
      return (await this.json<SessionResponse>('GET', `/api/llm/sessions/${encodeURIComponent(id)}`)).session;
    } catch (error) {
      if (error instanceof LlmHttpError && error.status === 404) return null;
      throw error;
    }
  }

  /** The human action after a halt; a 409 means only a new session can go on. */
  async resumeSession(id: string): Promise<SessionView> {
    return (await this.json<SessionResponse>('POST', `/api/llm/sessions/${encodeURIComponent(id)}/resume`, {})).session;
  }

  /**
   * One streamed chat call. `onText` gets each piece of the answer; aborting `signal` is the
   * stop button (the proxy then settles the call, exactly when it can drain it).
   */
  async streamChat(body: Record<string, unknown>, onText: (piece: string) => void, signal: AbortSignal): Promise<StreamEnd> {
    let response: Response;
    try {
      response = await this.send('POST', '/v1/chat/completions', body, signal);
    } catch (error) {
      if (isAbort(error)) return { kind: 'stopped', text: '' };
      if (error instanceof LlmHttpError) return { kind: 'refused', text: '', error };
      throw error;
    }
    if (!response.ok || !response.body) {
      let parsed: unknown = null;
      try {
        parsed = JSON.parse(await response.text()) as unknown;
      } catch {
        // not JSON
      }
      return { kind: 'refused', text: '', error: errorFrom(response.status, parsed, `The server answered ${response.status}.`) };
    }
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    const sse = new SseReader();
    // One holder: the callbacks below change it, which flow analysis would not see on plain lets.
    const got: { text: string; usage?: ChatUsageReport; receipt?: PlazaCallReceipt; done: boolean; failure: LlmHttpError | null } = { text: '', done: false, failure: null };
    const handle = (data: string) => {
      if (data === '[DONE]') {
        got.done = true;
        return;
      }
      let event: Record<string, unknown>;
      try {
        event = JSON.parse(data) as Record<string, unknown>;
      } catch {
        return;
      }
      if (event.error !== undefined) {
        got.failure = errorFrom(200, event, 'The answer ended with an error.');
        return;
      }
      const choices = Array.isArray(event.choices) ? (event.choices as Array<{ delta?: { content?: unknown } }>) : [];
      const piece = choices[0]?.delta?.content;
      if (typeof piece === 'string' && piece.length > 0) {
        got.text += piece;
        onText(piece);
      }
      const usage = usageFrom(event.usage);
      if (usage) got.usage = usage;
      if (typeof event.plaza === 'object' && event.plaza !== null) got.receipt = event.plaza as PlazaCallReceipt;
    };
    try {
      for (;;) {
        const { value, done: finished } = await reader.read();
        if (finished) break;
        for (const data of sse.feed(value)) handle(data);
      }
      for (const data of sse.end()) handle(data);
    } catch (error) {
      if (signal.aborted || isAbort(error)) return { kind: 'stopped', text: got.text };
      return { kind: 'error', text: got.text, error: new LlmHttpError(0, 'network', 'The connection was lost while the answer was being written.') };
    }
    const { text, usage, receipt, done, failure } = got;
    if (signal.aborted) return { kind: 'stopped', text };
    if (failure) return { kind: 'error', text, error: failure };
    if (!done) return { kind: 'error', text, error: new LlmHttpError(0, 'upstream_error', 'The answer ended before it was complete.') };
    return { kind: 'complete', text, ...(usage ? { usage } : {}), ...(receipt ? { receipt } : {}) };
  }

  // Tenant admins ----------------------------------------------------------------------------------

  spend(tenant: string, from: string, to: string): Promise<SpendReport> {
    return this.json('GET', `/api/tenants/${encodeURIComponent(tenant)}/llm/spend?from=${from}&to=${to}`);
  }

  budgets(tenant: string): Promise<TenantBudgetsResponse> {
    return this.json('GET', `/api/tenants/${encodeURIComponent(tenant)}/llm/budgets`);
  }

  setBudgets(tenant: string, budgets: TenantBudgets): Promise<TenantBudgetsResponse> {
    return this.json('PUT', `/api/tenants/${encodeURIComponent(tenant)}/llm/budgets`, budgets);
  }

  killSwitch(tenant: string, request: KillSwitchRequest): Promise<KillSwitchResponse> {
    return this.json('PUT', `/api/tenants/${encodeURIComponent(tenant)}/llm/kill-switch`, request);
  }

  // The server operator (construct with the operator credential as the token) --------------------

  operatorSpend(from: string, to: string): Promise<SpendReport> {
    return this.json('GET', `/api/admin/llm/spend?from=${from}&to=${to}`);
  }

  operatorBudgets(): Promise<OperatorBudgets> {
    return this.json('GET', '/api/admin/llm/budgets');
  }

  setOperatorBudgets(budgets: OperatorBudgets): Promise<OperatorBudgets> {
    return this.json('PUT', '/api/admin/llm/budgets', budgets);
  }

  operatorKillSwitch(request: KillSwitchRequest): Promise<KillSwitchResponse> {
    return this.json('PUT', '/api/admin/llm/kill-switch', request);
  }
}
