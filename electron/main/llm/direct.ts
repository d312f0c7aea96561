/**
 * Direct mode: AI calls from the Electron main process with the user's own key (or a local
 * OpenAI-compatible server), under the same budget policy as the server (planCall, guards,
 * reservations, settle), with this process's own durable ledger as the ONLY cap.
 *
 * The key is read from the secret store for each call and given to the SDK only; no bridge call
 * returns it. Budgets are local settings (defaults: $0.50 a session, $2 a day). Identity is
 * fixed: tenant `local`, user `local`, the renderer's chat session.
 */
import { randomBytes } from 'node:crypto';
import OpenAI from 'openai';
import type { ChatCompletionChunk, ChatCompletionCreateParamsStreaming } from 'openai/resources/chat/completions';
import { microUsd } from '../../../shared/domain/money.ts';
import type { BudgetLimits, CallIdentity } from '../../../shared/domain/llm/budgets.ts';
import { DEFAULT_PRICES } from '../../../shared/domain/llm/default-prices.ts';
import { DEFAULT_GUARD_CONFIG, type GuardConfig, type SessionGuardState } from '../../../shared/domain/llm/guards.ts';
import { modelPickerOptions, spendMeter } from '../../../shared/domain/llm/meter.ts';
import { DEFAULT_CALL_POLICY, type CallPlan, type CallPolicy } from '../../../shared/domain/llm/plan.ts';
import type { PriceTable, TokenUsage } from '../../../shared/domain/llm/prices.ts';
import type { CallEndReason } from '../../../shared/domain/llm/settle.ts';
import { parseUpstreamUsage, upstreamRequestBody } from '../../../shared/domain/llm/upstream.ts';
import type { LlmLedger, SettleResult } from '../../../shared/llm-ledger/ledger.ts';
import type { DirectBudgets, DirectChatRequest, DirectChatResult, DirectConfigureRequest, DirectSessionRequest, DirectSessionView, DirectStatus } from '../../../shared/platform/bridge.ts';
import { directBudgetsSchema, directBaseUrlSchema } from '../../../shared/platform/bridge-schemas.ts';

export const DEFAULT_DIRECT_BUDGETS: DirectBudgets = { sessionMicroUsd: 500_000, dailyMicroUsd: 2_000_000, monthlyMicroUsd: 62_000_000 };
const TENANT = 'local';
const USER = 'local';
const SETTINGS_KEY = 'direct/settings';
const MAX_DRAINS = 2;

export interface KeyStore {
  load(): Promise<string | null>;
  save(key: string): Promise<void>;
  delete(): Promise<void>;
}

/** Where a call's answer goes: the window that asked. */
export interface ChunkSink {
  send(text: string): void;
  /** Called once if the window goes away (closed, reloaded) before the call ends. */
  onGone(listener: () => void): void;
}

export interface DirectLlmOptions {
  readonly ledger: LlmLedger;
  readonly keys: KeyStore;
  readonly now?: () => number;
  readonly prices?: PriceTable;
  readonly guards?: GuardConfig;
  readonly policy?: CallPolicy;
  /** Upstream timeouts: until the headers, and between two chunks. */
  readonly timeoutMs?: number;
  readonly idleTimeoutMs?: number;
  readonly log?: (message: string, facts?: Record<string, unknown>) => void;
}

interface StoredSettings {
  readonly baseURL: string | null;
  readonly budgets: DirectBudgets;
}

interface Running {
  readonly abort: AbortController;
  stopped: CallEndReason | null;
  draining: boolean;
}

export class DirectLlm {
  private readonly options: DirectLlmOptions;
  private readonly ledger: LlmLedger;
  private readonly now: () => number;
  private readonly prices: PriceTable;
  private readonly guards: GuardConfig;
  private readonly policy: CallPolicy;
  private readonly running = new Map<string, Running>();
  private drains = 0;

  constructor(options: DirectLlmOptions) {
    this.options = options;
    this.ledger = options.ledger;
    this.now = options.now ?? Date.now;
    this.prices = options.prices ?? DEFAULT_PRICES;
    this.guards = options.guards ?? DEFAULT_GUARD_CONFIG;
    this.policy = options.policy ?? { ...DEFAULT_CALL_POLICY, defaultMaxTokens: 4_096 };
    // Calls that were running when the app died are charged their worst case.
    const recovered = this.ledger.recoverOpenCalls(this.now(), this.guards);
    if (recovered.calls.length > 0) this.log('direct-mode calls left open were settled at their full reservation', { calls: recovered.calls.length });
  }

  private log(message: string, facts: Record<string, unknown> = {}): void {
    this.options.log?.(message, facts);
  }

  private settings(): StoredSettings {
    const raw = this.ledger.setting(SETTINGS_KEY);
    if (raw === null) return { baseURL: null, budgets: DEFAULT_DIRECT_BUDGETS };
    const json = JSON.parse(raw) as { baseURL?: unknown; budgets?: unknown };
    const budgets = directBudgetsSchema.safeParse(json.budgets);
    const baseURL = directBaseUrlSchema.safeParse(json.baseURL);
    return { baseURL: baseURL.success ? baseURL.data : null, budgets: budgets.success ? budgets.data : DEFAULT_DIRECT_BUDGETS };
  }

  private limits(budgets: DirectBudgets): BudgetLimits {
    return {
      sessionMicroUsd: microUsd(budgets.sessionMicroUsd),
      userDailyMicroUsd: microUsd(budgets.dailyMicroUsd),
      tenantDailyMicroUsd: microUsd(budgets.dailyMicroUsd),
      tenantMonthlyMicroUsd: microUsd(budgets.monthlyMicroUsd),
    };
  }

  private identity(sessionId: string): CallIdentity {
    return { tenantId: TENANT, userId: USER, sessionId };
  }

  private view(state: SessionGuardState): DirectSessionView {
    const identity = this.identity(state.sessionId);
    const limits = this.limits(this.settings().budgets);
    const now = this.now();
    const meter = spendMeter(identity, limits, this.ledger.snapshot(spendMeter(identity, limits, {}, now).rows.map((row) => row.scopeKey)), now);
    return {
      sessionId: state.sessionId,
      startedAt: state.startedAt,
      callCount: state.callCount,
      spentMicroUsd: state.spentMicroUsd,
      halt: state.halt ? { code: state.halt.code, message: state.halt.message, resumable: state.halt.resumable } : null,
      meter: meter.rows
        .filter((row) => row.kind !== 'tenant-day')
        .map((row) => ({
          kind: row.kind,
          label: row.kind === 'user-day' ? 'today’s budget' : row.kind === 'tenant-month' ? 'this month’s budget' : row.label,
          spentMicroUsd: row.spentMicroUsd,
          reservedMicroUsd: row.reservedMicroUsd,
          capMicroUsd: row.capMicroUsd,
          remainingMicroUsd: row.remainingMicroUsd,
          resetsAt: row.resetsAt,
          summary: row.summary,
        })),
    };
  }

  async status(): Promise<DirectStatus> {
    const settings = this.settings();
    return {
      configured: settings.baseURL !== null,
      baseURL: settings.baseURL,
      hasKey: (await this.options.keys.load()) !== null,
      budgets: settings.budgets,
      models: modelPickerOptions(this.prices).map((option) => ({ id: option.id, label: option.label, priceText: option.priceText })),
    };
  }

  async configure(request: DirectConfigureRequest): Promise<DirectStatus> {
    const current = this.settings();
    const next: StoredSettings = { baseURL: request.baseURL ?? current.baseURL, budgets: request.budgets ?? current.budgets };
    if (request.apiKey === null) await this.options.keys.delete();
    else if (request.apiKey !== undefined) await this.options.keys.save(request.apiKey);
    this.ledger.setSetting(SETTINGS_KEY, JSON.stringify(next), this.now());
    return this.status();
  }

  session(request: DirectSessionRequest): DirectSessionView {
    if (request.action === 'new') {
      const sessionId = `ds_${randomBytes(12).toString('base64url')}`;
      return this.view(this.ledger.createSession(this.identity(sessionId), this.now()));
    }
    const identity = this.identity(request.sessionId);
    if (request.action === 'get') {
      const stored = this.ledger.session(identity);
      if (!stored) throw new Error('no such direct-mode chat session');
      return this.view(stored.state);
    }
    const resumed = this.ledger.resumeSession(identity, this.now());
    if (!resumed.ok) throw new Error(resumed.error.message);
    return this.view(resumed.value);
  }

  /** The stop button. */
  stop(requestId: string): boolean {
    const call = this.running.get(requestId);
    if (!call) return false;
    this.end(call, 'stop-button');
    return true;
  }

  /** Ends a running call: drained to its usage when a slot is free, else cut. */
  private end(call: Running, reason: CallEndReason): void {
    if (call.stopped) return;
    call.stopped = reason;
    if (this.drains < MAX_DRAINS) {
      this.drains += 1;
      call.draining = true;
    } else {
      call.abort.abort();
    }
  }

  private refused(code: string, message: string, sessionId: string, details?: unknown): DirectChatResult {
    const stored = this.ledger.session(this.identity(sessionId));
    return { ok: false, code, message, session: stored ? this.view(stored.state) : null, ...(details === undefined ? {} : { details }) };
  }

  async chat(request: DirectChatRequest, sink: ChunkSink): Promise<DirectChatResult> {
    if (this.running.has(request.requestId)) return this.refused('invalid-request', 'This request id is already in use.', request.sessionId);
    const settings = this.settings();
    if (settings.baseURL === null) return this.refused('not-configured', 'Direct mode has no AI server set: add your API key or a local server in the settings.', request.sessionId);
    const apiKey = await this.options.keys.load();
    const local = new URL(settings.baseURL).protocol === 'http:';
    if (apiKey === null && !local) return this.refused('not-configured', 'Direct mode needs your API key: add it in the settings.', request.sessionId);

    const body = {
      model: request.model,
      messages: request.messages,
      ...(request.maxTokens === undefined ? {} : { max_tokens: request.maxTokens }),
      ...(request.temperature === undefined ? {} : { temperature: request.temperature }),
      stream: true,
      plaza_session_id: request.sessionId,
      plaza_human_input: request.humanInput,
    };
    const callId = `dc_${randomBytes(12).toString('base64url')}`;
    const identity = this.identity(request.sessionId);
    let reserved;
    try {
      reserved = this.ledger.reserve({ callId, body, identity, prices: this.prices, limits: this.limits(settings.budgets), policy: this.policy, guards: this.guards, killSwitches: {}, now: this.now() });
    } catch (error) {
      this.log('the direct-mode ledger could not reserve', { error: String(error) });
      return this.refused('ledger-unavailable', 'The local AI budget ledger cannot be written, so no AI call can be made.', request.sessionId);
    }
    if (reserved.kind === 'no-session') return { ok: false, code: 'unknown-session', message: 'This chat session does not exist: start a new one.', session: null };
    if (reserved.kind === 'refused') {
      const refusal = reserved.refusal;
      return { ok: false, code: refusal.code, message: refusal.message, session: this.view(reserved.session), details: { budget: refusal.budget, halt: refusal.halt, retryAt: refusal.retryAt } };
    }
    return this.run(request, sink, callId, reserved.plan, apiKey ?? 'local', settings.baseURL);
  }

  private async run(request: DirectChatRequest, sink: ChunkSink, callId: string, plan: CallPlan, apiKey: string, baseURL: string): Promise<DirectChatResult> {
    const started = performance.now();
    const call: Running = { abort: new AbortController(), stopped: null, draining: false };
    this.running.set(request.requestId, call);
    sink.onGone(() => this.end(call, 'client-abort'));
    const client = new OpenAI({ apiKey, baseURL, maxRetries: 0, timeout: this.options.timeoutMs ?? 60_000 });
    let usage: TokenUsage | undefined;
    let text = '';
    let failure: unknown = null;
    let firstTokenMs: number | undefined;
    let idle: ReturnType<typeof setTimeout> | null = null;
    const armIdle = () => {
      if (idle) clearTimeout(idle);
      idle = setTimeout(() => {
        call.stopped ??= 'timeout';
        call.abort.abort();
      }, this.options.idleTimeoutMs ?? 60_000);
      idle.unref();
    };
    try {
      armIdle();
      const stream = await client.chat.completions.create(upstreamRequestBody(plan) as unknown as ChatCompletionCreateParamsStreaming, { signal: call.abort.signal });
      for await (const chunk of stream as AsyncIterable<ChatCompletionChunk>) {
        armIdle();
        if (chunk.usage) usage = parseUpstreamUsage(chunk.usage) ?? usage;
        const piece = chunk.choices?.[0]?.delta?.content;
        if (typeof piece === 'string' && piece.length > 0) {
          firstTokenMs ??= Math.round(performance.now() - started);
          if (!call.stopped) {
            text += piece;
            sink.send(piece);
          }
        }
      }
    } catch (error) {
      failure = error;
    } finally {
      if (idle) clearTimeout(idle);
      this.running.delete(request.requestId);
      if (call.draining) this.drains -= 1;
    }
    const endedBy: CallEndReason = call.stopped ?? (failure ? (failure instanceof OpenAI.APIError ? 'upstream-error' : 'connection-lost') : 'completed');
    let result: SettleResult | null = null;
    try {
      result = this.ledger.settle(callId, plan, usage ? { endedBy, usage } : { endedBy }, {
        now: this.now(),
        guards: this.guards,
        latencyMs: Math.round(performance.now() - started),
        ...(firstTokenMs === undefined ? {} : { firstTokenMs }),
      });
    } catch (error) {
      this.log('the direct-mode settlement could not be written; the reservation stays held until the next start', { error: String(error) });
    }
    const session = this.ledger.session(plan.identity);
    const view = session ? this.view(session.state) : null;
    if (failure && !call.stopped) {
      const status = failure instanceof OpenAI.APIError ? failure.status : undefined;
      return {
        ok: false,
        code: 'upstream',
        message: `The AI server ${status === undefined ? 'connection failed' : `answered HTTP ${status}`}. The call was charged its reservation.`,
        session: view,
        details: { status },
      };
    }
    return {
      ok: true,
      callId,
      text,
      endedBy,
      basis: result?.settlement.basis ?? 'full-reservation',
      chargedMicroUsd: result?.settlement.chargedMicroUsd ?? plan.worstCaseMicroUsd,
      session: view ?? this.view(plan.sessionAfter),
    };
  }
}
