/**
 * Planning one call: validate, guard, price the worst case, clamp the answer to what the tightest
 * budget can pay for, and say what to reserve in every scope. Pure: the caller brings the ledger
 * snapshot, the session state and `now`, and persists what comes back.
 *
 * Reserve → clamp → settle:
 * 1. `planCall` → a `CallPlan` (or a `Refusal` naming the budget and its reset time).
 * 2. In ONE store transaction: re-read the scopes of `requiredHeadroom(plan)`, `admitPlan` (or the
 *    SQL of budgets.ts), insert the reservation rows, persist `plan.sessionAfter`.
 * 3. Call upstream with `upstreamRequestBody(plan)` (clamped `max_completion_tokens`, usage forced).
 * 4. `settle(plan, outcome)` and apply it in one transaction; `recordSettlement` on the session.
 */
import { z } from 'zod';
import { type MicroUsd } from '../money.ts';
import { err, ok, type Result } from '../result.ts';
import { applyReservation, findShortfall, scopesFor, tightestScope, type BudgetLimits, type CallIdentity, type HeadroomRow, type LedgerSnapshot } from './budgets.ts';
import { requestFingerprint } from './fingerprint.ts';
import { checkSession, recordCall, type GuardConfig, type SessionGuardState } from './guards.ts';
import { affordableOutputTokens, lookupModel, worstCaseCost, type PriceTable, type PricedModel } from './prices.ts';
import { budgetRefusal, KILL_SWITCH_SCOPES, killSwitchRefusal, refusal, type KillSwitchScope, type Refusal } from './refusal.ts';
import { parseChatRequest, requestedMaxTokens, type ChatRequest } from './request.ts';
import { countPromptTokens, reservedPromptTokens, type PromptMargin, type PromptTokenCounter } from './tokens.ts';

export const callPolicySchema = z.strictObject({
  /** A call that cannot afford its prompt plus this many answer tokens is refused. */
  minAnswerTokens: z.int().min(1).max(100_000),
  /** Reserve the counted prompt ×(1 + percent/100) + tokens: the tokenizer can undercount. */
  promptMargin: z.strictObject({ percent: z.int().min(0).max(1_000), tokens: z.int().min(0).max(1_000_000) }),
  /** Most choices (`n`) a request may ask for; each is priced at the full answer. */
  maxChoices: z.int().min(1).max(128),
  /** The answer limit of a request that sets none; omitted: the model's maximum. */
  defaultMaxTokens: z.int().min(1).max(10_000_000).optional(),
});

export interface CallPolicy {
  readonly minAnswerTokens: number;
  readonly promptMargin: PromptMargin;
  readonly maxChoices: number;
  /**
   * The answer limit of a request that sets none; omitted: the model's maximum. A large limit
   * reserves a large worst case, so size it from the observed p95 answer.
   */
  readonly defaultMaxTokens?: number;
}

export const DEFAULT_CALL_POLICY: CallPolicy = { minAnswerTokens: 64, promptMargin: { percent: 10, tokens: 16 }, maxChoices: 1 };

/** Switches that are on, each with an optional reason for people. */
export type KillSwitches = Readonly<Partial<Record<KillSwitchScope, { readonly reason?: string }>>>;

export interface PlanContext {
  readonly prices: PriceTable;
  readonly limits: BudgetLimits;
  readonly policy: CallPolicy;
  readonly guards: GuardConfig;
  readonly identity: CallIdentity;
  readonly killSwitches: KillSwitches;
  /** Committed and reserved spend of (at least) the scopes this call touches. */
  readonly ledger: LedgerSnapshot;
  readonly session: SessionGuardState;
  readonly now: number;
  /** How to count the prompt; default `countPromptTokens`. A cached counter gives the same counts. */
  readonly countPromptTokens?: PromptTokenCounter;
}

export interface CallPlan {
  readonly request: ChatRequest;
  readonly identity: CallIdentity;
  /** The price row used at admission; settlement uses the same one. */
  readonly model: PricedModel;
  readonly admittedAt: number;
  readonly stream: boolean;
  readonly choices: number;
  readonly promptTokensCounted: number;
  readonly promptTokensReserved: number;
  /** What the request asked for, or null when it set no limit. */
  readonly requestedMaxTokens: number | null;
  /** The `max_completion_tokens` sent upstream. */
  readonly clampedMaxTokens: number;
  readonly worstCaseMicroUsd: MicroUsd;
  /** The same worst case, reserved in every scope the call is charged to. */
  readonly reservations: readonly HeadroomRow[];
  readonly fingerprint: string;
  /** The session state with this call recorded: persist it with the reservation. */
  readonly sessionAfter: SessionGuardState;
}

/** Plans one call from an untrusted request body. */
export function planCall(body: unknown, context: PlanContext): Result<CallPlan, Refusal> {
  const { identity, policy, now } = context;
  const parsed = parseChatRequest(body);
  if (!parsed.ok) return err(refusal(parsed.error.code, parsed.error.message, parsed.error.field === undefined ? {} : { field: parsed.error.field }));
  const request = parsed.value;

  if ((request.plaza_session_id !== undefined && request.plaza_session_id !== identity.sessionId) || context.session.sessionId !== identity.sessionId) {
    return err(refusal('session-mismatch', 'This request belongs to another chat session.', { field: 'plaza_session_id' }));
  }
  const model = lookupModel(context.prices, request.model);
  if (!model) {
    return err(refusal('unknown-model', `The model "${request.model}" is not on Plaza's price list, so it cannot be called.`, { field: 'model' }));
  }
  const choices = request.n ?? 1;
  if (choices > policy.maxChoices) {
    return err(refusal('too-many-choices', `A request may ask for at most ${policy.maxChoices} answer${policy.maxChoices === 1 ? '' : 's'} (n), not ${choices}.`, { field: 'n' }));
  }
  const promptTokensCounted = (context.countPromptTokens ?? countPromptTokens)(request.messages);
  const windowRoom = model.contextWindow - promptTokensCounted;
  if (windowRoom < Math.min(policy.minAnswerTokens, model.maxOutputTokens)) {
    return err(
      refusal('prompt-too-long', `This conversation is ${promptTokensCounted} tokens, too long for ${model.label} (${model.contextWindow} tokens with the answer). Start a new session or shorten it.`, {
        field: 'messages',
      }),
    );
  }

  for (const scope of KILL_SWITCH_SCOPES) {
    const on = context.killSwitches[scope];
    if (on) return err(killSwitchRefusal(scope, on.reason));
  }

  const fingerprint = requestFingerprint(request);
  const checked = checkSession(context.session, { fingerprint, humanInput: request.plaza_human_input === true }, now, context.guards);
  if (!checked.ok) {
    const block = checked.error;
    return err(
      block.code === 'rate-limited'
        ? refusal('rate-limited', block.message, { retryAt: block.retryAt, sessionAfter: block.state })
        : refusal('session-halted', block.message, { halt: block.halt, sessionAfter: block.state }),
    );
  }

  const promptTokensReserved = reservedPromptTokens(promptTokensCounted, policy.promptMargin);
  const asked = requestedMaxTokens(request);
  const ceiling = Math.min(asked ?? policy.defaultMaxTokens ?? model.maxOutputTokens, model.maxOutputTokens, windowRoom);
  const minimum = Math.min(policy.minAnswerTokens, ceiling);
  const scopes = scopesFor(identity, context.limits, now);
  const tightest = tightestScope(scopes, context.ledger);
  const affordable = affordableOutputTokens(model, promptTokensReserved, tightest.remaining, choices);
  if (affordable < minimum) {
    const needed = worstCaseCost(model, promptTokensReserved, minimum, choices);
    return err({ ...budgetRefusal(tightest.scope, tightest.remaining, needed, minimum), sessionAfter: checked.value });
  }

  const clampedMaxTokens = Math.min(ceiling, affordable);
  const worstCaseMicroUsd = worstCaseCost(model, promptTokensReserved, clampedMaxTokens, choices);
  return ok({
    request,
    identity,
    model,
    admittedAt: now,
    stream: request.stream === true,
    choices,
    promptTokensCounted,
    promptTokensReserved,
    requestedMaxTokens: asked ?? null,
    clampedMaxTokens,
    worstCaseMicroUsd,
    reservations: scopes.map((scope) => ({ scope, amountMicroUsd: worstCaseMicroUsd })),
    fingerprint,
    sessionAfter: recordCall(checked.value, fingerprint, now),
  });
}

/** The rows an atomic store must check and insert together (see budgets.ts). */
export function requiredHeadroom(plan: CallPlan): readonly HeadroomRow[] {
  return plan.reservations;
}

/**
 * Re-checks a plan against a fresh snapshot and reserves it: the in-memory form of the store's
 * transaction (the client's direct-mode ledger, the tests). A plan made against an older snapshot
 * is refused here if another call took the room meanwhile.
 */
export function admitPlan(plan: CallPlan, snapshot: LedgerSnapshot): Result<LedgerSnapshot, Refusal> {
  const shortfall = findShortfall(plan.reservations, snapshot);
  if (shortfall) return err(budgetRefusal(shortfall.row.scope, shortfall.remaining, shortfall.row.amountMicroUsd, plan.clampedMaxTokens));
  return ok(applyReservation(snapshot, plan.reservations));
}
