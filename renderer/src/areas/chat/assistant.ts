/**
 * One chat call from the composer to the answer, with the client-side cap in front:
 *
 * 1. the thread's chat session (a new one when it has none, or the server forgot it);
 * 2. the cap (`checkCall`): the session guards on the local state, the budgets the inbox reports;
 *    refused here → nothing is sent;
 * 3. the call through the transport (proxy or direct mode), streamed, stoppable;
 * 4. the local state follows: the call recorded, its charge, the server's halts.
 *
 * Plain TypeScript with an injected clock, so the runaway cases are unit-tested without a browser.
 */
import type { DirectChatMessage } from '../../../../shared/platform/bridge.ts';
import { DEFAULT_GUARD_CONFIG, recordSettlement, resumeSession, type GuardConfig, type SessionGuardState } from '../../../../shared/domain/llm/guards.ts';
import { microUsd } from '../../../../shared/domain/money.ts';
// Types only from plan.ts: its code (and the tokenizer) loads with the check, in a worker.
import type { CallPolicy } from '../../../../shared/domain/llm/plan.ts';
import type { PriceTable } from '../../../../shared/domain/llm/prices.ts';
import type { ChatUsage } from '../../../../shared/sync/layouts/chat.ts';
import { inThreadChecker, mergeServerSession, sessionFromView, type BudgetRow, type CapChecker } from './client-cap.ts';
import { LlmHttpError } from './llm-api.ts';
import { problemFromError, problemFromRefusal, type ChatProblem } from './problems.ts';
import type { CallRequest, ChatTransport, SessionInfo } from './transport.ts';

/** One message of a prompt: plain text (the chat sends nothing else). */
export type PromptMessage = DirectChatMessage;

export interface ServerSessionFacts {
  readonly spentMicroUsd: number;
  readonly callCount: number;
  readonly halt: SessionGuardState['halt'];
}

export interface SendInput {
  /** The thread's chat session, or null to start one. */
  readonly sessionId: string | null;
  readonly model: string;
  /** The whole prompt: system message, history, the new message last. */
  readonly messages: readonly PromptMessage[];
  /** True only when a person's input event (Enter, a click) started this call. */
  readonly humanInput: boolean;
  /** The prices the cap uses (from `/v1/models`, or direct mode's table). */
  readonly prices: PriceTable;
  /** The budgets reported now for this session (the inbox; direct mode: its ledger). */
  readonly rows: (sessionId: string) => readonly BudgetRow[];
  /** What the server last said about this session (the inbox), if anything. */
  readonly serverSession?: (sessionId: string) => ServerSessionFacts | null;
  readonly onText: (piece: string) => void;
  readonly signal: AbortSignal;
}

export type SendResult =
  | { readonly kind: 'complete'; readonly sessionId: string; readonly text: string; readonly usage?: ChatUsage; readonly chargedMicroUsd?: number }
  | { readonly kind: 'stopped'; readonly sessionId: string; readonly text: string }
  | { readonly kind: 'error'; readonly sessionId: string; readonly text: string; readonly problem: ChatProblem }
  | { readonly kind: 'refused'; readonly sessionId: string | null; readonly problem: ChatProblem };

export interface AssistantOptions {
  readonly transport: ChatTransport;
  readonly tenantId: string;
  readonly userId: string;
  readonly now: () => number;
  readonly newRequestId: () => string;
  readonly guards?: GuardConfig;
  readonly policy?: CallPolicy;
  /** Where the cap's check runs (the browser: a worker); default: in this thread. */
  readonly check?: CapChecker;
}

export class Assistant {
  private readonly options: AssistantOptions;
  private readonly guards: GuardConfig;
  private readonly policy: CallPolicy | undefined;
  /** The local session states: the client-side guards run on these. */
  private readonly states = new Map<string, SessionGuardState>();
  /** When a person last resumed each session: older halts reported by the server are stale. */
  private readonly resumedAt = new Map<string, number>();
  private readonly directRows = new Map<string, readonly BudgetRow[]>();
  private readonly infos = new Map<string, SessionInfo>();
  private gate: Promise<unknown> = Promise.resolve();

  constructor(options: AssistantOptions) {
    this.options = options;
    this.guards = options.guards ?? DEFAULT_GUARD_CONFIG;
    this.policy = options.policy;
  }

  get mode(): ChatTransport['mode'] {
    return this.options.transport.mode;
  }

  /** The local state of a session (for the UI and tests). */
  sessionState(sessionId: string): SessionGuardState | undefined {
    return this.states.get(sessionId);
  }

  /** Direct mode: the budgets the main process reported with its last answer for this session. */
  reportedRows(sessionId: string): readonly BudgetRow[] | undefined {
    return this.directRows.get(sessionId);
  }

  private adopt(info: SessionInfo): SessionGuardState {
    const state = sessionFromView(info.view);
    this.states.set(state.sessionId, state);
    this.noteInfo(info);
    return state;
  }

  private noteInfo(info: SessionInfo): void {
    this.infos.set(info.view.sessionId, info);
    if (info.rows) this.directRows.set(info.view.sessionId, info.rows);
  }

  /** What the transport last said about a session (direct mode: with its meter). */
  sessionInfo(sessionId: string): SessionInfo | undefined {
    return this.infos.get(sessionId);
  }

  /** Asks the transport about a session again (direct mode: its meter now); null when it is gone. */
  async refresh(sessionId: string): Promise<SessionInfo | null> {
    const info = await this.options.transport.getSession(sessionId);
    if (!info) return null;
    this.noteInfo(info);
    if (!this.states.has(sessionId)) this.states.set(sessionId, sessionFromView(info.view));
    return info;
  }

  /** A new chat session (the "New session" button, or the first message of a thread). */
  async newSession(): Promise<string> {
    return this.adopt(await this.options.transport.createSession()).sessionId;
  }

  /** The session's local state, loaded from the server after a restart; null when it is gone. */
  private async load(sessionId: string): Promise<SessionGuardState | null> {
    const known = this.states.get(sessionId);
    if (known) return known;
    const info = await this.options.transport.getSession(sessionId);
    return info ? this.adopt(info) : null;
  }

  /**
   * The Resume button after a halt: the human action the guards ask for. Returns null when the
   * session was resumed, or the problem (only a new session can go on, or offline).
   */
  async resume(sessionId: string): Promise<ChatProblem | null> {
    const now = this.options.now();
    try {
      const info = await this.options.transport.resumeSession(sessionId);
      this.noteInfo(info);
      const local = this.states.get(sessionId) ?? sessionFromView(info.view);
      const resumed = resumeSession({ ...local, halt: local.halt ?? info.view.halt }, now, { kind: 'resume' });
      if (!resumed.ok) return { kind: 'halted', title: 'This chat session is over.', message: resumed.error.message, by: 'device', resumable: false, needsNewSession: true, sessionId };
      this.states.set(sessionId, { ...resumed.value, halt: info.view.halt });
      this.resumedAt.set(sessionId, now);
      return null;
    } catch (error) {
      if (error instanceof LlmHttpError && error.status === 409) return { kind: 'halted', title: 'This chat session is over.', message: error.message, by: 'server', resumable: false, needsNewSession: true, sessionId };
      return problemFromError(error, now, sessionId);
    }
  }

  private merged(sessionId: string, state: SessionGuardState, input: SendInput): SessionGuardState {
    const server = input.serverSession?.(sessionId);
    if (!server) return state;
    const resumedAt = this.resumedAt.get(sessionId) ?? -Infinity;
    const halt = server.halt && server.halt.at > resumedAt ? server.halt : null;
    return mergeServerSession(state, { ...server, halt });
  }

  /** Runs `step` after every earlier one: the check and the state it records are one step. */
  private exclusive<T>(step: () => Promise<T>): Promise<T> {
    const run = this.gate.then(step);
    this.gate = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  /**
   * The session and the cap's check, serialized: calls fired at once (a runaway script) are
   * checked one after the other against the state each earlier one recorded, never all against
   * the same one.
   */
  private admit(input: SendInput): Promise<{ readonly refused: SendResult } | { readonly sessionId: string; readonly body: CallRequest['body']; readonly admitted: SessionGuardState }> {
    return this.exclusive(async () => {
      let sessionId = input.sessionId;
      let state: SessionGuardState | null = null;
      try {
        if (sessionId !== null) state = await this.load(sessionId);
        if (state === null) {
          sessionId = await this.newSession();
          state = this.states.get(sessionId) ?? null;
        }
      } catch (error) {
        return { refused: { kind: 'refused', sessionId, problem: problemFromError(error, this.options.now()) } };
      }
      if (state === null || sessionId === null) return { refused: { kind: 'refused', sessionId, problem: { kind: 'error', title: 'No chat session.', message: 'A chat session could not be started.', by: 'device' } } };

      const body = { model: input.model, messages: input.messages, plaza_session_id: sessionId, plaza_human_input: input.humanInput };
      // The client-side cap: the same policy as the server, on what this device knows.
      const now = this.options.now();
      state = this.merged(sessionId, state, input);
      const check = this.options.check ?? inThreadChecker;
      const checked = await check(body, {
        prices: input.prices,
        identity: { tenantId: this.options.tenantId, userId: this.options.userId, sessionId },
        rows: this.directRows.get(sessionId) ?? input.rows(sessionId),
        session: state,
        now,
        guards: this.guards,
        ...(this.policy ? { policy: this.policy } : {}),
      });
      if (!checked.ok) {
        this.states.set(sessionId, checked.error.sessionAfter ?? state);
        return { refused: { kind: 'refused', sessionId, problem: problemFromRefusal(checked.error, now, 'device', sessionId) } };
      }
      this.states.set(sessionId, checked.value.sessionAfter);
      return { sessionId, body, admitted: checked.value.sessionAfter };
    });
  }

  async send(input: SendInput): Promise<SendResult> {
    const { transport } = this.options;
    const admission = await this.admit(input);
    if ('refused' in admission) return admission.refused;
    const { sessionId, body } = admission;

    const end = await transport.call({ requestId: this.options.newRequestId(), sessionId, body }, input.onText, input.signal);
    if (end.session) this.noteInfo(end.session);
    const after = this.states.get(sessionId) ?? admission.admitted;
    const later = this.options.now();
    switch (end.kind) {
      case 'complete': {
        const charged = end.chargedMicroUsd;
        if (charged !== undefined) this.states.set(sessionId, recordSettlement(after, { chargedMicroUsd: microUsd(charged), haltSession: false }, later, this.guards));
        const usage = end.usage ? { promptTokens: end.usage.promptTokens, completionTokens: end.usage.completionTokens, ...(end.usage.cachedPromptTokens > 0 ? { cachedPromptTokens: end.usage.cachedPromptTokens } : {}) } : undefined;
        return { kind: 'complete', sessionId, text: end.text, ...(usage ? { usage } : {}), ...(charged === undefined ? {} : { chargedMicroUsd: charged }) };
      }
      case 'stopped':
        return { kind: 'stopped', sessionId, text: end.text };
      case 'refused': {
        // The server refused: its halt (if any) becomes the local one, so the next try stops here.
        const halt = end.error.details?.halt;
        if (halt) this.states.set(sessionId, { ...after, halt });
        if (end.error.details?.refusal === 'unknown-session') this.states.delete(sessionId);
        return { kind: 'refused', sessionId, problem: problemFromError(end.error, later, sessionId) };
      }
      case 'error':
        return { kind: 'error', sessionId, text: end.text, problem: problemFromError(end.error, later, sessionId) };
    }
  }
}
