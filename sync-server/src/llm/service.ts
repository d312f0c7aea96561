/**
 * The AI proxy's composition: settings, the upstream client, the ledger store, kill switches,
 * calls in flight, drains, alerts and the inbox meter. HTTP lives in `http/llm-api.ts`, one
 * call's life in `proxied-call.ts`.
 *
 * At start, calls a crash left open are settled at their full reservation before anything else.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import OpenAI from 'openai';
import { scopeKey, type CallIdentity } from '../../../shared/domain/llm/budgets.ts';
import type { GuardConfig, SessionGuardState } from '../../../shared/domain/llm/guards.ts';
import { modelPickerOptions } from '../../../shared/domain/llm/meter.ts';
import type { CallPolicy, KillSwitches } from '../../../shared/domain/llm/plan.ts';
import type { PriceTable } from '../../../shared/domain/llm/prices.ts';
import { cachedPromptTokenCounter, type PromptTokenCounter } from '../../../shared/domain/llm/tokens.ts';
import type { KillSwitchScope } from '../../../shared/domain/llm/refusal.ts';
import { dayWindow, monthWindow } from '../../../shared/domain/llm/windows.ts';
import { killSwitchesFor, killSwitchTarget, type KillSwitchRecord, type LedgerAlert, type SpendRow } from '../../../shared/llm-ledger/ledger.ts';
import type { ModelsResponse, SessionView, SpendReport, SpendTotals } from '../../../shared/api/llm.ts';
import type { IntentRunner } from '../intents/runner.ts';
import type { ServerConfig } from '../config.ts';
import type { Logger } from '../log.ts';
import type { Metrics } from '../metrics.ts';
import type { LlmLedgerStore } from '../store/types.ts';
import { AlertDispatcher } from './alerts.ts';
import { DrainSlots, InflightCalls } from './inflight.ts';
import { MeterWriter } from './meter-writer.ts';
import { BudgetBook, callPolicyFrom, guardConfigFrom, loadPrices, operatorBudgetsFrom } from './settings.ts';

export interface LlmServiceOptions {
  readonly config: ServerConfig;
  readonly store: LlmLedgerStore;
  readonly runner: IntentRunner;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly now: () => number;
  /** For tests: a fetch for the alert webhook. */
  readonly webhookFetch?: typeof fetch;
  /** Cluster mode: the server processes alive now (their open calls are not crash leftovers). */
  readonly liveOwners?: () => Promise<readonly string[]>;
}

export interface KillSwitchRequest {
  readonly scope: KillSwitchScope;
  readonly on: boolean;
  readonly tenant?: string;
  readonly user?: string;
  readonly session?: string;
  readonly reason?: string;
}

export function sessionView(state: SessionGuardState): SessionView {
  return { sessionId: state.sessionId, startedAt: state.startedAt, lastHumanInputAt: state.lastHumanInputAt, callCount: state.callCount, spentMicroUsd: state.spentMicroUsd, halt: state.halt };
}

function totals(rows: readonly SpendRow[]): SpendTotals {
  return rows.reduce<SpendTotals>(
    (sum, row) => ({
      calls: sum.calls + row.calls,
      chargedMicroUsd: sum.chargedMicroUsd + row.chargedMicroUsd,
      openReservedMicroUsd: sum.openReservedMicroUsd + row.openReservedMicroUsd,
      promptTokens: sum.promptTokens + row.promptTokens,
      completionTokens: sum.completionTokens + row.completionTokens,
    }),
    { calls: 0, chargedMicroUsd: 0, openReservedMicroUsd: 0, promptTokens: 0, completionTokens: 0 },
  );
}

function groupBy<K extends string>(rows: readonly SpendRow[], key: (row: SpendRow) => K): Map<K, SpendRow[]> {
  const groups = new Map<K, SpendRow[]>();
  for (const row of rows) {
    const name = key(row);
    const list = groups.get(name) ?? [];
    list.push(row);
    groups.set(name, list);
  }
  return groups;
}

export class LlmService {
  readonly config: ServerConfig;
  readonly store: LlmLedgerStore;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly now: () => number;
  readonly prices: PriceTable;
  readonly guards: GuardConfig;
  readonly policy: CallPolicy;
  readonly budgets: BudgetBook;
  /** Null when no upstream key is configured: calls are refused with 503. */
  readonly upstream: OpenAI | null;
  readonly inflight = new InflightCalls();
  readonly drains: DrainSlots;
  /**
   * Exact prompt counts with a memory of the messages counted before: a chat resends its history
   * on every call, so a call pays for its new messages only (~16 MB at most).
   */
  readonly countPromptTokens: PromptTokenCounter = cachedPromptTokenCounter({ minChars: 64, maxChars: 8_000_000 });
  readonly alerts: AlertDispatcher;
  readonly meters: MeterWriter;
  private switches: KillSwitchRecord[];
  private readonly settling = new Set<Promise<unknown>>();

  private constructor(options: LlmServiceOptions, budgets: BudgetBook, switches: KillSwitchRecord[]) {
    const { config } = options;
    this.config = config;
    this.store = options.store;
    this.logger = options.logger;
    this.metrics = options.metrics;
    this.now = options.now;
    this.prices = loadPrices(config.llmPricesFile);
    this.guards = guardConfigFrom(config);
    this.policy = callPolicyFrom(config);
    this.budgets = budgets;
    this.switches = switches;
    this.upstream = config.llmApiKey
      ? new OpenAI({ apiKey: config.llmApiKey, baseURL: config.llmUpstreamUrl, maxRetries: 0, timeout: config.llmTimeoutMs })
      : null;
    this.drains = new DrainSlots(config.llmMaxConcurrentDrains);
    this.alerts = new AlertDispatcher({ logger: options.logger, metrics: options.metrics, ...(config.llmAlertWebhookUrl ? { webhookUrl: config.llmAlertWebhookUrl } : {}), ...(options.webhookFetch ? { fetch: options.webhookFetch } : {}) });
    this.meters = new MeterWriter({ runner: options.runner, store: options.store, budgets, logger: options.logger, now: options.now });
  }

  static async start(options: LlmServiceOptions): Promise<LlmService> {
    const budgets = await BudgetBook.load(options.store, operatorBudgetsFrom(options.config));
    const service = new LlmService(options, budgets, await options.store.killSwitches());
    await service.recover(options.liveOwners ? await options.liveOwners() : undefined);
    if (!service.upstream) options.logger.warn('no PLAZA_LLM_API_KEY: the AI proxy refuses every call (503) until one is configured');
    await service.refreshGauges();
    return service;
  }

  /**
   * Settles the calls a crash left open at their full reservation. Alone: every open call (at
   * start). In a cluster: the calls of processes no longer alive (`liveOwners`), at start and on a
   * timer, so a dead process's reservations do not hold budgets until some process restarts.
   */
  async recover(liveOwners?: readonly string[]): Promise<number> {
    const recovered = await this.store.recoverOpenCalls(this.now(), this.guards, liveOwners);
    if (recovered.calls.length > 0) {
      const total = recovered.calls.reduce((sum, call) => sum + call.chargedMicroUsd, 0);
      this.logger.warn({ calls: recovered.calls.length, chargedMicroUsd: total }, 'llm calls left open by a crash were settled at their full reservation');
      for (const call of recovered.calls) {
        this.metrics.llmCalls.inc({ outcome: 'recovered', basis: 'full-reservation' });
        this.metrics.llmSpend.inc({ tenant: call.tenant, model: call.model }, call.chargedMicroUsd);
        this.meters.schedule(call.tenant, call.user);
      }
    }
    this.alerts.dispatch(recovered.alerts);
    return recovered.calls.length;
  }

  /**
   * The open-reservation gauges, from the ledger. Only /metrics shows them, and it calls this (via
   * `refreshLedgerGauges`) at every scrape, so calls do not refresh them.
   */
  async refreshGauges(): Promise<void> {
    const open = await this.store.openReservations();
    this.metrics.llmReservationsOpen.set(open.count);
    this.metrics.llmReservedOpen.set(open.microUsd);
    this.metrics.llmDrains.set(this.drains.active);
  }

  /**
   * For /metrics: today's spend per tenant, user and model and the team and global budgets now,
   * read from the ledger, so that the exported numbers are the spend dashboard's.
   */
  async refreshLedgerGauges(): Promise<void> {
    await this.refreshGauges();
    const today = dayWindow(this.now());
    const [rows, report] = await Promise.all([this.store.spend({ fromDay: today, toDay: today }), this.spendReport(null, today, today)]);
    const { llmLedgerSpent, llmLedgerCalls, llmBudgetSpent, llmBudgetReserved, llmBudgetCap } = this.metrics;
    for (const gauge of [llmLedgerSpent, llmLedgerCalls, llmBudgetSpent, llmBudgetReserved, llmBudgetCap]) gauge.reset();
    for (const row of rows) {
      const labels = { tenant: row.tenant, user: row.user, model: row.model, day: row.day };
      llmLedgerSpent.set(labels, row.chargedMicroUsd);
      llmLedgerCalls.set(labels, row.calls);
    }
    for (const budget of report.budgets) {
      const labels = { kind: budget.kind, window: budget.window, tenant: budget.tenant ?? '' };
      llmBudgetSpent.set(labels, budget.spentMicroUsd);
      llmBudgetReserved.set(labels, budget.reservedMicroUsd);
      llmBudgetCap.set(labels, budget.capMicroUsd);
    }
  }

  /**
   * `call_` + the time in base 36 + 74 random bits (a v4 UUID past its version digit): unique
   * across processes and restarts, and in time order, so that a new call row lands next to the
   * last one (the same page of the index, not a random one).
   */
  newCallId(): string {
    return `call_${Date.now().toString(36).padStart(9, '0')}${randomUUID().replaceAll('-', '').slice(13)}`;
  }

  killSwitchesFor(identity: CallIdentity): KillSwitches {
    return killSwitchesFor(this.switches, identity);
  }

  /** Cluster mode: tells the other processes that a switch changed (they reload and cut their calls). */
  announceKillSwitch: ((request: KillSwitchRequest) => void) | null = null;

  /** Turns a switch on (cutting the calls it covers at once) or off; returns the calls cut here. */
  async setKillSwitch(request: KillSwitchRequest, setBy: string): Promise<number> {
    const target = killSwitchTarget(request.scope, request.tenant, request.user, request.session);
    if (!request.on) await this.store.clearKillSwitch(request.scope, target);
    else await this.store.setKillSwitch({ scope: request.scope, target, reason: request.reason ?? null, setBy, setAt: this.now() });
    this.announceKillSwitch?.(request);
    return this.applyKillSwitch(request, setBy);
  }

  /** Applies a switch changed here or on another process: reloads the switches, cuts the calls it covers. */
  async applyKillSwitch(request: KillSwitchRequest, setBy: string): Promise<number> {
    const target = killSwitchTarget(request.scope, request.tenant, request.user, request.session);
    this.switches = await this.store.killSwitches();
    if (!request.on) {
      this.logger.info({ scope: request.scope, target, by: setBy }, 'llm kill switch off');
      return 0;
    }
    const cut = this.inflight.cutWhere((call) => {
      switch (request.scope) {
        case 'global':
          return true;
        case 'tenant':
          return call.tenant === request.tenant;
        case 'user':
          return call.tenant === request.tenant && call.user === request.user;
        case 'session':
          return call.tenant === request.tenant && call.user === request.user && call.session === request.session;
      }
    }, 'kill-switch');
    this.logger.warn({ scope: request.scope, target, by: setBy, reason: request.reason, callsCut: cut.length }, 'llm kill switch on');
    await Promise.allSettled(cut.map((call) => call.done));
    return cut.length;
  }

  killSwitchList(tenant: string | null): KillSwitchRecord[] {
    const prefix = tenant === null ? null : killSwitchTarget('tenant', tenant);
    return this.switches.filter((row) => prefix === null || row.scope === 'global' || row.target === prefix || row.target.startsWith(`${prefix}/`));
  }

  models(): ModelsResponse {
    return {
      object: 'list',
      data: modelPickerOptions(this.prices).map((option) => {
        const model = this.prices.models[option.id]!;
        return {
          id: option.id,
          object: 'model' as const,
          created: 0,
          owned_by: 'plaza',
          plaza: {
            label: option.label,
            inputPerMillionMicroUsd: model.inputPerMillion,
            cachedInputPerMillionMicroUsd: model.cachedInputPerMillion,
            outputPerMillionMicroUsd: model.outputPerMillion,
            contextWindow: model.contextWindow,
            maxOutputTokens: model.maxOutputTokens,
            priceText: option.priceText,
            cachedText: option.cachedText,
            contextText: option.contextText,
          },
        };
      }),
    };
  }

  async createSession(tenant: string, user: string): Promise<SessionGuardState> {
    const sessionId = `ls_${randomBytes(16).toString('base64url')}`;
    const state = await this.store.createSession({ tenantId: tenant, userId: user, sessionId }, this.now());
    this.meters.schedule(tenant, user);
    return state;
  }

  /** Spend by tenant, user, model and day over [from, to] (UTC days), with budgets and alerts. */
  async spendReport(tenant: string | null, from: string, to: string): Promise<SpendReport> {
    const rows = await this.store.spend({ ...(tenant === null ? {} : { tenant }), fromDay: from, toDay: to });
    const now = this.now();
    const day = dayWindow(now);
    const month = monthWindow(now);
    const budgets: Array<SpendReport['budgets'][number]> = [];
    const tenants = tenant === null ? [...new Set(rows.map((row) => row.tenant))] : [tenant];
    const global = this.budgets.operator().globalDailyMicroUsd;
    const keys: Array<{ key: string; kind: 'tenant-day' | 'tenant-month' | 'global-day'; window: string; tenant: string | null; cap: number }> = [];
    for (const name of tenants) {
      const limits = await this.budgets.effective(name);
      const identity = { tenantId: name, userId: '-', sessionId: '-' };
      keys.push({ key: scopeKey('tenant-day', identity, day), kind: 'tenant-day', window: day, tenant: name, cap: limits.tenantDailyMicroUsd });
      keys.push({ key: scopeKey('tenant-month', identity, month), kind: 'tenant-month', window: month, tenant: name, cap: limits.tenantMonthlyMicroUsd });
    }
    if (global !== null) keys.push({ key: scopeKey('global-day', { tenantId: '-', userId: '-', sessionId: '-' }, day), kind: 'global-day', window: day, tenant: null, cap: global });
    const snapshot = await this.store.snapshot(keys.map((entry) => entry.key));
    for (const entry of keys) {
      const usage = snapshot[entry.key];
      budgets.push({ kind: entry.kind, window: entry.window, tenant: entry.tenant, capMicroUsd: entry.cap, spentMicroUsd: usage?.committedMicroUsd ?? 0, reservedMicroUsd: usage?.reservedMicroUsd ?? 0 });
    }
    const alerts: LedgerAlert[] = await this.store.alerts({ ...(tenant === null ? {} : { tenant }), limit: 50 });
    return {
      tenant,
      from,
      to,
      total: totals(rows),
      byTenant: [...groupBy(rows, (row) => row.tenant)].map(([name, list]) => ({ tenant: name, ...totals(list) })),
      byUser: [...groupBy(rows, (row) => `${row.tenant}\u0000${row.user}`)].map(([, list]) => ({ tenant: list[0]!.tenant, user: list[0]!.user, ...totals(list) })),
      byModel: [...groupBy(rows, (row) => row.model)].map(([model, list]) => ({ model, ...totals(list) })),
      byDay: [...groupBy(rows, (row) => row.day)].map(([name, list]) => ({ day: name, ...totals(list) })),
      budgets,
      alerts,
      killSwitches: this.killSwitchList(tenant).map((row) => ({ scope: row.scope, target: row.target, reason: row.reason, setAt: row.setAt })),
    };
  }

  /** Tracks a settlement so that shutdown can wait for it. */
  track<T>(work: Promise<T>): Promise<T> {
    this.settling.add(work);
    void work.finally(() => this.settling.delete(work)).catch(() => undefined);
    return work;
  }

  /** Cuts every call in flight (settled at its reservation) and waits for the inbox writes. */
  async close(): Promise<void> {
    const cut = this.inflight.cutWhere(() => true, 'shutdown');
    await Promise.allSettled(cut.map((call) => call.done));
    await Promise.allSettled([...this.settling]);
    await this.meters.idle();
    this.meters.stop();
    await this.alerts.idle();
  }
}
