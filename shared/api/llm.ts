/**
 * The HTTP contract of Plaza's AI assistant, shared by the server and its clients.
 *
 * OpenAI-compatible (Bearer = a Plaza access token; the official `openai` SDK works with
 * `baseURL: <server>/v1`):
 * - `GET  /v1/models`: the priced models (`ModelsResponse`).
 * - `POST /v1/chat/completions`: Chat Completions, streaming or not, with Plaza's body fields
 *   `plaza_session_id` (required) and `plaza_human_input` (true only from a real input event).
 *   Answers carry `x-plaza-call-id`, `x-plaza-max-tokens` (the clamp) and
 *   `x-plaza-reserved-micro-usd` headers; a JSON answer (and, when `include_usage` was asked, the
 *   final stream chunk) carries `plaza: PlazaCallReceipt`. Errors: `LlmErrorBody`, with a status
 *   the SDK does not retry for refusals (402 budget, 403 halt or kill switch, 400/404 request).
 *
 * Plaza's own (Bearer = access token unless noted):
 * - `POST /api/llm/sessions` → `SessionResponse` (201): a new chat session and its guard state.
 * - `GET  /api/llm/sessions/:id` → `SessionResponse`.
 * - `POST /api/llm/sessions/:id/resume` → `SessionResponse`: the human action after a halt.
 * - `GET  /api/tenants/:tenant/llm/spend?from=YYYY-MM-DD&to=YYYY-MM-DD` (tenant admins) → `SpendReport`.
 * - `GET|PUT /api/tenants/:tenant/llm/budgets` (tenant admins) → `TenantBudgetsResponse`.
 * - `PUT /api/tenants/:tenant/llm/kill-switch` (tenant admins) body `KillSwitchRequest`.
 * - Operator credential: `GET /api/admin/llm/spend`, `GET|PUT /api/admin/llm/budgets`,
 *   `PUT /api/admin/llm/kill-switch`.
 */
import { z } from 'zod';
import type { ScopeKind } from '../domain/llm/budgets.ts';
import type { SessionHalt } from '../domain/llm/guards.ts';
import type { BudgetShortfall, KillSwitchScope, RefusalCode } from '../domain/llm/refusal.ts';
import type { ApiErrorCode } from './errors.ts';

// OpenAI-compatible routes ----------------------------------------------------------------------

export interface PlazaModelInfo {
  readonly label: string;
  readonly inputPerMillionMicroUsd: number;
  readonly cachedInputPerMillionMicroUsd: number;
  readonly outputPerMillionMicroUsd: number;
  readonly contextWindow: number;
  readonly maxOutputTokens: number;
  /** `$0.15 in · $0.60 out per 1M tokens` */
  readonly priceText: string;
  readonly cachedText: string;
  readonly contextText: string;
}

export interface ModelEntry {
  readonly id: string;
  readonly object: 'model';
  readonly created: number;
  readonly owned_by: string;
  readonly plaza: PlazaModelInfo;
}

/** Cheapest answer first (the picker's order). */
export interface ModelsResponse {
  readonly object: 'list';
  readonly data: readonly ModelEntry[];
}

/** What one call cost, on a JSON answer and on the final usage chunk of a stream. */
export interface PlazaCallReceipt {
  readonly call_id: string;
  readonly reserved_micro_usd: number;
  readonly charged_micro_usd: number;
  readonly basis: 'usage' | 'full-reservation';
  readonly max_completion_tokens: number;
}

/** Facts behind a refusal, for the UI (which budget, when it resets, why a session halted). */
export interface LlmRefusalDetails {
  readonly refusal: RefusalCode | 'unknown-session' | 'ledger-unavailable' | 'not-configured' | 'upstream' | 'not-allowed';
  readonly budget?: BudgetShortfall;
  readonly killSwitch?: KillSwitchScope;
  readonly halt?: SessionHalt;
  readonly retryAt?: number;
  readonly upstreamStatus?: number;
}

/**
 * An error in both shapes at once: Plaza's `{ error: { code, message, details } }` and OpenAI's
 * `{ error: { message, type, param, code } }` (the SDK reads `message`, `type`, `param`, `code`).
 */
export interface LlmErrorBody {
  readonly error: {
    readonly code: ApiErrorCode;
    readonly message: string;
    readonly type: string;
    readonly param: string | null;
    readonly details?: LlmRefusalDetails;
  };
}

/** Sent as the last SSE event when a stream ends without completing (kill switch, upstream error). */
export type LlmStreamErrorEvent = LlmErrorBody;

// Sessions ---------------------------------------------------------------------------------------

export interface SessionView {
  readonly sessionId: string;
  readonly startedAt: number;
  readonly lastHumanInputAt: number;
  readonly callCount: number;
  readonly spentMicroUsd: number;
  readonly halt: SessionHalt | null;
}

export interface SessionResponse {
  readonly session: SessionView;
}

// Budgets, kill switches, spend --------------------------------------------------------------

const microUsd = (what: string) =>
  z
    .int({ error: `${what} must be a whole number of micro-dollars` })
    .min(0, { error: `${what} cannot be negative` })
    .max(1_000_000_000_000, { error: `${what} is above $1,000,000; is it in micro-dollars?` });

/** A tenant's own caps, set by its admins within the operator's ceiling. */
export const tenantBudgetsSchema = z.strictObject({
  sessionMicroUsd: microUsd('sessionMicroUsd'),
  userDailyMicroUsd: microUsd('userDailyMicroUsd'),
  tenantDailyMicroUsd: microUsd('tenantDailyMicroUsd'),
  tenantMonthlyMicroUsd: microUsd('tenantMonthlyMicroUsd'),
});
export type TenantBudgets = z.infer<typeof tenantBudgetsSchema>;

/** The operator's settings: what tenants get by default, the most they may set, the global cap. */
export const operatorBudgetsSchema = z.strictObject({
  defaults: tenantBudgetsSchema,
  ceiling: tenantBudgetsSchema,
  /** null: no global daily cap. */
  globalDailyMicroUsd: microUsd('globalDailyMicroUsd').nullable(),
});
export type OperatorBudgets = z.infer<typeof operatorBudgetsSchema>;

export interface TenantBudgetsResponse {
  readonly tenant: string;
  /** What applies now (the tenant's own, or the defaults, each within the ceiling). */
  readonly effective: TenantBudgets & { readonly globalDailyMicroUsd: number | null };
  /** The tenant's own setting, or null when it uses the defaults. */
  readonly own: TenantBudgets | null;
  readonly ceiling: TenantBudgets;
}

const idText = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'ids use A-Z a-z 0-9 _ - (1–64)');
const sessionIdText = z.string().regex(/^[A-Za-z0-9_-]{1,128}$/, 'session ids use A-Z a-z 0-9 _ - (1–128)');

/** Turns a kill switch on or off. `user`/`session` name the target; a tenant admin acts in their tenant. */
export const killSwitchRequestSchema = z
  .strictObject({
    scope: z.enum(['global', 'tenant', 'user', 'session']),
    on: z.boolean(),
    /** Operator only: the tenant (tenant admins act on their own). */
    tenant: idText.optional(),
    user: idText.optional(),
    session: sessionIdText.optional(),
    reason: z.string().trim().min(1).max(200).optional(),
  })
  .superRefine((request, context) => {
    if ((request.scope === 'user' || request.scope === 'session') && request.user === undefined) context.addIssue({ code: 'custom', path: ['user'], message: `a ${request.scope} kill switch names the user` });
    if (request.scope === 'session' && request.session === undefined) context.addIssue({ code: 'custom', path: ['session'], message: 'a session kill switch names the session' });
  });
export type KillSwitchRequest = z.infer<typeof killSwitchRequestSchema>;

export interface KillSwitchResponse {
  readonly scope: KillSwitchScope;
  readonly on: boolean;
  /** In-flight calls cut and settled at their reservation. */
  readonly callsCut: number;
}

const day = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/, 'days are YYYY-MM-DD (UTC)');
export const spendQuerySchema = z.strictObject({ from: day.optional(), to: day.optional() });

export interface SpendTotals {
  readonly calls: number;
  readonly chargedMicroUsd: number;
  readonly openReservedMicroUsd: number;
  readonly promptTokens: number;
  readonly completionTokens: number;
}

export interface SpendAlert {
  readonly id: number;
  readonly code: 'threshold' | 'usage-overrun';
  readonly kind: ScopeKind;
  readonly window: string;
  readonly threshold: 50 | 80 | 100 | null;
  readonly tenant: string | null;
  readonly user: string | null;
  readonly session: string | null;
  readonly spentMicroUsd: number;
  readonly capMicroUsd: number;
  readonly message: string;
  readonly at: number;
}

export interface SpendReport {
  /** null: every tenant (operator). */
  readonly tenant: string | null;
  readonly from: string;
  readonly to: string;
  readonly total: SpendTotals;
  readonly byTenant: ReadonlyArray<SpendTotals & { readonly tenant: string }>;
  readonly byUser: ReadonlyArray<SpendTotals & { readonly tenant: string; readonly user: string }>;
  readonly byModel: ReadonlyArray<SpendTotals & { readonly model: string }>;
  readonly byDay: ReadonlyArray<SpendTotals & { readonly day: string }>;
  /** Budgets now, with what they hold (the admin banner reads `alerts`). */
  readonly budgets: ReadonlyArray<{ readonly kind: ScopeKind; readonly window: string; readonly tenant: string | null; readonly capMicroUsd: number; readonly spentMicroUsd: number; readonly reservedMicroUsd: number }>;
  readonly alerts: readonly SpendAlert[];
  readonly killSwitches: ReadonlyArray<{ readonly scope: KillSwitchScope; readonly target: string; readonly reason: string | null; readonly setAt: number }>;
}
