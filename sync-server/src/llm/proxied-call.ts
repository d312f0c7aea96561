/**
 * One admitted call, from the upstream request to its settlement. The reservation is already in
 * the ledger; this class makes sure it is settled exactly once, whatever happens:
 *
 * - completed with a usage report → charged that usage;
 * - ended without one (client abort, kill switch, upstream error, dropped or idle stream,
 *   shutdown) → charged the full reservation;
 * - the client left mid-stream and a drain slot was free → the upstream stream is read on to its
 *   usage chunk (not forwarded), then charged exactly.
 *
 * The upstream is called through the official SDK with `maxRetries: 0` and the body that
 * `upstreamRequestBody` builds (the clamp as `max_completion_tokens`, usage forced on).
 */
import { APIConnectionTimeoutError, APIError, type OpenAI } from 'openai';
import type { ChatCompletion, ChatCompletionChunk, ChatCompletionCreateParamsNonStreaming, ChatCompletionCreateParamsStreaming } from 'openai/resources/chat/completions';
import type { CallPlan } from '../../../shared/domain/llm/plan.ts';
import type { TokenUsage } from '../../../shared/domain/llm/prices.ts';
import type { CallEndReason, CallOutcome } from '../../../shared/domain/llm/settle.ts';
import { parseUpstreamUsage, upstreamRequestBody } from '../../../shared/domain/llm/upstream.ts';
import type { SettleResult } from '../../../shared/llm-ledger/ledger.ts';
import type { ApiErrorCode } from '../../../shared/api/errors.ts';
import type { LlmErrorBody, LlmRefusalDetails, PlazaCallReceipt } from '../../../shared/api/llm.ts';
import type { CutReason, InflightCall } from './inflight.ts';
import type { LlmService } from './service.ts';

const SETTLE_RETRY_MS = [0, 50, 250, 1_000];

export function llmErrorBody(code: ApiErrorCode, message: string, details?: LlmRefusalDetails, param: string | null = null): LlmErrorBody {
  return { error: { code, message, type: code, param, ...(details ? { details } : {}) } };
}

export function llmErrorResponse(status: number, body: LlmErrorBody, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });
}

interface Failure {
  readonly endedBy: CallEndReason;
  readonly status: number;
  readonly code: ApiErrorCode;
  readonly message: string;
  readonly upstreamStatus?: number;
}

const CUT_FAILURE: Readonly<Record<CutReason | 'client-abort', Failure>> = {
  'kill-switch': { endedBy: 'kill-switch', status: 403, code: 'kill_switch', message: 'The AI assistant was switched off by an administrator while this answer was being written. It was stopped and charged its reservation.' },
  shutdown: { endedBy: 'shutdown', status: 503, code: 'unavailable', message: 'The server is shutting down; this answer was stopped and charged its reservation. Try again in a moment.' },
  timeout: { endedBy: 'timeout', status: 504, code: 'upstream_error', message: 'The AI provider stopped answering in time; the answer was cut and charged its reservation.' },
  'client-abort': { endedBy: 'client-abort', status: 499, code: 'bad_request', message: 'The client left.' },
};

/** What went wrong upstream, without echoing the provider's text (it can quote the API key). */
function classify(error: unknown): Failure {
  if (error instanceof APIConnectionTimeoutError) return CUT_FAILURE.timeout;
  if (error instanceof APIError && typeof error.status === 'number') {
    const code = typeof error.code === 'string' ? ` (${error.code})` : '';
    return {
      endedBy: 'upstream-error',
      status: 502,
      code: 'upstream_error',
      upstreamStatus: error.status,
      message: `The AI provider refused the call with HTTP ${error.status}${code}. The call was charged its reservation; try again later.`,
    };
  }
  if (error instanceof APIError) {
    return { endedBy: 'upstream-error', status: 502, code: 'upstream_error', message: 'The AI provider ended the answer with an error. It was charged its reservation.' };
  }
  return { endedBy: 'connection-lost', status: 502, code: 'upstream_error', message: 'The connection to the AI provider was lost. The call was charged its reservation.' };
}

const sse = (data: unknown) => `data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`;

export class ProxiedCall implements InflightCall {
  readonly callId: string;
  readonly tenant: string;
  readonly user: string;
  readonly session: string;
  readonly done: Promise<void>;
  private readonly service: LlmService;
  private readonly plan: CallPlan;
  private readonly upstream: OpenAI;
  private readonly startedMs: number;
  private readonly abort = new AbortController();
  private resolveDone!: () => void;
  private settlement: Promise<SettleResult | null> | null = null;
  private usage: TokenUsage | undefined;
  private firstTokenMs: number | undefined;
  private cutReason: CutReason | 'client-abort' | null = null;
  private clientGone = false;
  private clientClosed = false;
  private draining = false;
  private finished = false;
  private idleTimer: ReturnType<typeof setTimeout> | null = null;
  private maxTimer: ReturnType<typeof setTimeout> | null = null;
  private send: (text: string) => void = () => undefined;
  private closeClient: () => void = () => undefined;

  constructor(service: LlmService, upstream: OpenAI, callId: string, plan: CallPlan, startedMs: number) {
    this.service = service;
    this.upstream = upstream;
    this.callId = callId;
    this.plan = plan;
    this.startedMs = startedMs;
    this.tenant = plan.identity.tenantId;
    this.user = plan.identity.userId;
    this.session = plan.identity.sessionId;
    this.done = new Promise((resolve) => (this.resolveDone = resolve));
  }

  private get headers(): Record<string, string> {
    return {
      'x-plaza-call-id': this.callId,
      'x-plaza-max-tokens': String(this.plan.clampedMaxTokens),
      'x-plaza-reserved-micro-usd': String(this.plan.worstCaseMicroUsd),
    };
  }

  private receipt(result: SettleResult | null): PlazaCallReceipt {
    return {
      call_id: this.callId,
      reserved_micro_usd: this.plan.worstCaseMicroUsd,
      charged_micro_usd: result?.settlement.chargedMicroUsd ?? this.plan.worstCaseMicroUsd,
      basis: result?.settlement.basis ?? 'full-reservation',
      max_completion_tokens: this.plan.clampedMaxTokens,
    };
  }

  /** Runs the call and answers the client (a JSON body or an SSE stream). */
  async run(): Promise<Response> {
    this.service.inflight.add(this);
    this.maxTimer = setTimeout(() => this.cut('timeout'), this.service.config.llmMaxCallMs);
    this.maxTimer.unref();
    return this.plan.stream ? this.runStream() : this.runJson();
  }

  /** Stops the call now; the settlement follows when the upstream request has ended. */
  cut(reason: CutReason | 'client-abort'): void {
    if (this.finished) return;
    this.cutReason ??= reason;
    this.abort.abort();
    if (reason !== 'client-abort' && !this.clientGone) {
      const failure = CUT_FAILURE[reason];
      this.send(sse(llmErrorBody(failure.code, failure.message, { refusal: reason === 'kill-switch' ? 'kill-switch' : 'upstream' })));
      this.closeClient();
    }
  }

  private clientLeft(): void {
    this.clientGone = true;
    this.clientClosed = true;
    if (this.finished || this.cutReason) return;
    if (this.service.drains.tryTake()) {
      this.draining = true;
      this.service.metrics.llmDrains.set(this.service.drains.active);
    } else {
      this.cut('client-abort');
    }
  }

  private armIdle(): void {
    if (this.finished) return;
    // Every chunk pushes the deadline back: re-arm the one timer rather than make a new one per chunk.
    if (this.idleTimer) {
      this.idleTimer.refresh();
      return;
    }
    this.idleTimer = setTimeout(() => this.cut('timeout'), this.service.config.llmIdleTimeoutMs);
    this.idleTimer.unref();
  }

  private clearTimers(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    if (this.maxTimer) clearTimeout(this.maxTimer);
  }

  private elapsed(): number {
    return Math.round(performance.now() - this.startedMs);
  }

  private settle(outcome: CallOutcome): Promise<SettleResult | null> {
    this.finished = true;
    this.clearTimers();
    this.settlement ??= this.service.track(this.writeSettlement(outcome));
    return this.settlement;
  }

  private async writeSettlement(outcome: CallOutcome): Promise<SettleResult | null> {
    const { service } = this;
    const meta = { now: service.now(), guards: service.guards, latencyMs: this.elapsed(), ...(this.firstTokenMs === undefined ? {} : { firstTokenMs: this.firstTokenMs }) };
    let result: SettleResult | null = null;
    let written = false;
    // The call is already closed (`finished`), its reservation keeps the budgets safe meanwhile:
    // the commit waits one turn, so that the I/O that arrived with the upstream's last chunks (this
    // call's tokens in the client's socket, other calls' chunks and requests) is served first, and
    // it joins the next turn's group commit (the admissions of that turn) instead of one of its own.
    await new Promise((resolve) => setImmediate(resolve));
    for (const wait of SETTLE_RETRY_MS) {
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      try {
        result = await service.store.settle(this.callId, this.plan, outcome, meta);
        written = true;
        break;
      } catch (error) {
        service.logger.error({ err: error, callId: this.callId }, 'llm settlement could not be written');
      }
    }
    service.inflight.delete(this.callId);
    if (this.draining) {
      service.drains.release();
      this.draining = false;
      service.metrics.llmDrains.set(service.drains.active);
    }
    if (!written) {
      service.logger.error({ callId: this.callId }, 'llm settlement failed for good: the reservation stays held until the next start settles it at its worst case');
    } else if (result) {
      const { settlement } = result;
      service.metrics.llmCalls.inc({ outcome: settlement.endedBy, basis: settlement.basis });
      service.metrics.llmSpend.inc({ tenant: this.tenant, model: this.plan.model.id }, settlement.chargedMicroUsd);
      service.alerts.dispatch(result.alerts);
      service.meters.noteLastCall(this.plan.identity, {
        callId: this.callId,
        model: this.plan.model.id,
        endedBy: settlement.endedBy,
        basis: settlement.basis,
        chargedMicroUsd: settlement.chargedMicroUsd,
        at: meta.now,
      });
      service.meters.schedule(this.tenant, this.user);
    }
    // The open-reservation gauges are read from the ledger when /metrics is scraped: a query here
    // would be paid by every call and seen by nobody.
    this.resolveDone();
    return result;
  }

  private failure(error: unknown): Failure {
    return this.cutReason ? CUT_FAILURE[this.cutReason] : classify(error);
  }

  private async failBeforeAnswer(error: unknown): Promise<Response> {
    const failure = this.failure(error);
    if (!this.cutReason) this.service.logger.warn({ callId: this.callId, status: failure.upstreamStatus, endedBy: failure.endedBy }, 'llm upstream call failed');
    await this.settle({ endedBy: failure.endedBy });
    const details: LlmRefusalDetails = failure.code === 'kill_switch' ? { refusal: 'kill-switch' } : { refusal: 'upstream', ...(failure.upstreamStatus === undefined ? {} : { upstreamStatus: failure.upstreamStatus }) };
    return llmErrorResponse(failure.status, llmErrorBody(failure.code, failure.message, details), this.headers);
  }

  private async runJson(): Promise<Response> {
    let completion: ChatCompletion;
    try {
      completion = await this.upstream.chat.completions.create(upstreamRequestBody(this.plan) as unknown as ChatCompletionCreateParamsNonStreaming, { signal: this.abort.signal });
    } catch (error) {
      return this.failBeforeAnswer(error);
    }
    this.firstTokenMs = this.elapsed();
    const usage = parseUpstreamUsage(completion.usage);
    const result = await this.settle(usage ? { endedBy: 'completed', usage } : { endedBy: 'completed' });
    return new Response(JSON.stringify({ ...completion, plaza: this.receipt(result) }), { status: 200, headers: { 'content-type': 'application/json', ...this.headers } });
  }

  private async runStream(): Promise<Response> {
    let stream: AsyncIterable<ChatCompletionChunk>;
    try {
      stream = await this.upstream.chat.completions.create(upstreamRequestBody(this.plan) as unknown as ChatCompletionCreateParamsStreaming, { signal: this.abort.signal });
    } catch (error) {
      return this.failBeforeAnswer(error);
    }
    const encoder = new TextEncoder();
    const readable = new ReadableStream<Uint8Array>({
      start: (controller) => {
        this.send = (text) => {
          if (this.clientClosed) return;
          try {
            controller.enqueue(encoder.encode(text));
          } catch {
            this.clientClosed = true;
          }
        };
        this.closeClient = () => {
          if (this.clientClosed) return;
          this.clientClosed = true;
          try {
            controller.close();
          } catch {
            // already closed by the consumer
          }
        };
      },
      cancel: () => this.clientLeft(),
    });
    void this.pump(stream);
    return new Response(readable, {
      status: 200,
      headers: { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', 'x-accel-buffering': 'no', ...this.headers },
    });
  }

  private async pump(stream: AsyncIterable<ChatCompletionChunk>): Promise<void> {
    const wantsUsage = this.plan.request.stream_options?.include_usage === true;
    let usageChunk: ChatCompletionChunk | null = null;
    let failure: unknown = null;
    this.armIdle();
    try {
      for await (const chunk of stream) {
        this.armIdle();
        const choices = Array.isArray(chunk.choices) ? chunk.choices : [];
        if (chunk.usage) this.usage = parseUpstreamUsage(chunk.usage) ?? this.usage;
        if (this.firstTokenMs === undefined && choices.some((choice) => typeof choice.delta?.content === 'string' && choice.delta.content.length > 0)) this.firstTokenMs = this.elapsed();
        if (choices.length === 0 && chunk.usage) {
          usageChunk = chunk;
          continue;
        }
        if (this.clientGone) continue;
        if (wantsUsage) this.send(sse(chunk));
        else {
          const { usage: _usage, ...rest } = chunk;
          this.send(sse(rest));
        }
      }
    } catch (error) {
      failure = error;
    }
    const ended: Failure | null = this.cutReason ? CUT_FAILURE[this.cutReason] : failure ? classify(failure) : null;
    const endedBy: CallEndReason = ended?.endedBy ?? (this.clientGone ? 'client-abort' : 'completed');
    if (failure && !this.cutReason) this.service.logger.warn({ callId: this.callId, endedBy, status: ended?.upstreamStatus }, 'llm upstream stream failed');
    const result = await this.settle(this.usage ? { endedBy, usage: this.usage } : { endedBy });
    if (this.clientGone || this.clientClosed) return;
    if (ended) {
      this.send(sse(llmErrorBody(ended.code, ended.message, { refusal: 'upstream', ...(ended.upstreamStatus === undefined ? {} : { upstreamStatus: ended.upstreamStatus }) })));
    } else {
      if (usageChunk && wantsUsage) this.send(sse({ ...usageChunk, plaza: this.receipt(result) }));
      this.send(sse('[DONE]'));
    }
    this.closeClient();
  }
}
