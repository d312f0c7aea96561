/**
 * Spend alerts at 50 %, 80 % and 100 % of every budget, each fired once per scope and window.
 * Scope keys carry their window, so a new day or month starts with no alert fired. The alert
 * state is plain data the store keeps beside the ledger.
 */
import { formatMicroUsd, type MicroUsd } from '../money.ts';
import { scopeLabel, type BudgetScope, type LedgerSnapshot, type ScopeKind, usageIn } from './budgets.ts';

export const ALERT_THRESHOLDS = [50, 80, 100] as const;
export type AlertThreshold = (typeof ALERT_THRESHOLDS)[number];

export interface BudgetAlert {
  readonly scopeKey: string;
  readonly kind: ScopeKind;
  readonly window: string;
  readonly threshold: AlertThreshold;
  readonly spentMicroUsd: MicroUsd;
  readonly capMicroUsd: MicroUsd;
  readonly message: string;
}

/** The highest threshold already fired, per scope key. */
export type AlertState = Readonly<Record<string, AlertThreshold>>;

export const NO_ALERTS: AlertState = {};

export interface ScopeSpend {
  readonly scope: BudgetScope;
  /** Committed (settled) spend; open reservations are not spend yet. */
  readonly spentMicroUsd: MicroUsd;
}

function alertMessage(scope: BudgetScope, threshold: AlertThreshold, spent: MicroUsd): string {
  const label = scopeLabel(scope.kind);
  const where = scope.kind === 'session' ? '' : ` (${scope.window})`;
  const used = threshold === 100 ? 'is used up' : `has passed ${threshold} %`;
  return `${label.charAt(0).toUpperCase()}${label.slice(1)}${where} ${used}: ${formatMicroUsd(spent)} of ${formatMicroUsd(scope.capMicroUsd)}.`;
}

/**
 * The alerts to fire now, given what has fired before: every threshold newly reached, lowest
 * first (spend that jumps from 40 % to 100 % fires 50, 80 and 100 together). A cap of 0 means the
 * scope is switched off and raises no alerts.
 */
export function evaluateAlerts(previous: AlertState, observations: readonly ScopeSpend[]): { readonly alerts: readonly BudgetAlert[]; readonly state: AlertState } {
  const alerts: BudgetAlert[] = [];
  const state: Record<string, AlertThreshold> = { ...previous };
  for (const { scope, spentMicroUsd } of observations) {
    if (scope.capMicroUsd <= 0) continue;
    const fired = Object.hasOwn(state, scope.key) ? (state[scope.key] ?? 0) : 0;
    for (const threshold of ALERT_THRESHOLDS) {
      if (threshold <= fired || spentMicroUsd * 100 < threshold * scope.capMicroUsd) continue;
      alerts.push({
        scopeKey: scope.key,
        kind: scope.kind,
        window: scope.window,
        threshold,
        spentMicroUsd,
        capMicroUsd: scope.capMicroUsd,
        message: alertMessage(scope, threshold, spentMicroUsd),
      });
      state[scope.key] = threshold;
    }
  }
  return { alerts, state };
}

/** Observations for `evaluateAlerts` from a ledger snapshot (committed spend of each scope). */
export function spendOf(scopes: readonly BudgetScope[], snapshot: LedgerSnapshot): readonly ScopeSpend[] {
  return scopes.map((scope) => ({ scope, spentMicroUsd: usageIn(snapshot, scope.key).committedMicroUsd }));
}

/** Drops the state of windows that are over, keeping only the keys still in use. */
export function pruneAlertState(state: AlertState, liveKeys: Iterable<string>): AlertState {
  const live = new Set(liveKeys);
  return Object.fromEntries(Object.entries(state).filter(([key]) => live.has(key)));
}
