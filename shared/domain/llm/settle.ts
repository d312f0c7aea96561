/**
 * Settling a call. With a usage report, charge the actual cost and release the rest of the
 * reservation. Without one (client abort, stop button, kill switch, upstream error, dropped
 * connection) charge the FULL reservation: an unfinished stream was still billed, and we cannot
 * know how much. Usage obtained by draining the upstream stream after the client left counts as a
 * usage report. Never zero without a report.
 *
 * Reported usage above what was reserved is charged as reported (the provider bills it), raises
 * an alert for the operator and halts the session.
 */
import { formatMicroUsd, microUsd, type MicroUsd } from '../money.ts';
import type { HeadroomRow } from './budgets.ts';
import type { CallPlan } from './plan.ts';
import { usageCost, type TokenUsage } from './prices.ts';

export const CALL_END_REASONS = ['completed', 'client-abort', 'stop-button', 'kill-switch', 'upstream-error', 'timeout', 'connection-lost', 'shutdown'] as const;
export type CallEndReason = (typeof CALL_END_REASONS)[number];

export interface CallOutcome {
  readonly endedBy: CallEndReason;
  /** The provider's usage report (from the response, the final stream chunk, or a drain). */
  readonly usage?: TokenUsage;
}

export interface OverrunAlert {
  readonly code: 'usage-overrun';
  readonly message: string;
  readonly sessionId: string;
  readonly model: string;
  readonly reservedMicroUsd: MicroUsd;
  readonly actualMicroUsd: MicroUsd;
  readonly promptTokensReserved: number;
  readonly promptTokensReported: number;
  readonly completionTokensAllowed: number;
  readonly completionTokensReported: number;
}

export interface Settlement {
  readonly endedBy: CallEndReason;
  /** `usage`: charged from the report; `full-reservation`: no report, the worst case is kept. */
  readonly basis: 'usage' | 'full-reservation';
  readonly chargedMicroUsd: MicroUsd;
  /** What goes back to every scope: reservation − charge, never negative. */
  readonly releaseMicroUsd: MicroUsd;
  /** The cost the report implies, or null without a report. */
  readonly actualMicroUsd: MicroUsd | null;
  readonly alert?: OverrunAlert;
  /** True when the report exceeded the reservation in cost or answer tokens. */
  readonly haltSession: boolean;
  /** The plan's reservation rows, for `applySettlement(snapshot, rows, chargedMicroUsd)`. */
  readonly rows: readonly HeadroomRow[];
}

export function settle(plan: CallPlan, outcome: CallOutcome): Settlement {
  const reserved = plan.worstCaseMicroUsd;
  const base = { endedBy: outcome.endedBy, rows: plan.reservations };
  if (!outcome.usage) {
    return { ...base, basis: 'full-reservation', chargedMicroUsd: reserved, releaseMicroUsd: microUsd(0), actualMicroUsd: null, haltSession: false };
  }
  const usage = outcome.usage;
  const actual = usageCost(plan.model, usage);
  const completionTokensAllowed = plan.clampedMaxTokens * plan.choices;
  const costOverrun = actual > reserved;
  const completionOverrun = usage.completionTokens > completionTokensAllowed;
  const promptOverrun = usage.promptTokens > plan.promptTokensReserved;
  const settlement = {
    ...base,
    basis: 'usage' as const,
    chargedMicroUsd: actual,
    releaseMicroUsd: microUsd(Math.max(0, reserved - actual)),
    actualMicroUsd: actual,
    haltSession: costOverrun || completionOverrun,
  };
  if (!costOverrun && !completionOverrun && !promptOverrun) return settlement;
  const alert: OverrunAlert = {
    code: 'usage-overrun',
    message:
      `Usage above the reservation in session ${plan.identity.sessionId} (${plan.model.id}): ` +
      `${usage.promptTokens} prompt tokens reported, ${plan.promptTokensReserved} reserved; ` +
      `${usage.completionTokens} answer tokens reported, ${completionTokensAllowed} allowed; ` +
      `${formatMicroUsd(actual)} charged against ${formatMicroUsd(reserved)} reserved.`,
    sessionId: plan.identity.sessionId,
    model: plan.model.id,
    reservedMicroUsd: reserved,
    actualMicroUsd: actual,
    promptTokensReserved: plan.promptTokensReserved,
    promptTokensReported: usage.promptTokens,
    completionTokensAllowed,
    completionTokensReported: usage.completionTokens,
  };
  return { ...settlement, alert };
}
