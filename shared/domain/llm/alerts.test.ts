import { describe, expect, it } from 'vitest';
import { microUsd } from '../money.ts';
import { scopesFor, type BudgetScope } from './budgets.ts';
import { evaluateAlerts, NO_ALERTS, pruneAlertState, spendOf, type AlertState } from './alerts.ts';
import { IDENTITY, LIMITS, spent, T0 } from './test-support/fixtures.ts';

const [sessionScope, userDay] = scopesFor(IDENTITY, LIMITS, T0) as [BudgetScope, BudgetScope];
const at = (scope: BudgetScope, spentMicroUsd: number) => [{ scope, spentMicroUsd: microUsd(spentMicroUsd) }];

describe('budget alerts', () => {
  it('fire at 50, 80 and 100 %, once each', () => {
    let state: AlertState = NO_ALERTS;
    const fired: number[][] = [];
    for (const amount of [100_000, 499_999, 500_000, 600_000, 799_999, 800_000, 900_000, 1_000_000, 1_200_000, 1_000_000]) {
      const result = evaluateAlerts(state, at(userDay, amount));
      fired.push(result.alerts.map((alert) => alert.threshold));
      state = result.state;
    }
    expect(fired).toEqual([[], [], [50], [], [], [80], [], [100], [], []]);
  });

  it('a jump past several thresholds fires each of them, lowest first', () => {
    const { alerts } = evaluateAlerts(NO_ALERTS, at(userDay, 1_000_000));
    expect(alerts.map((alert) => alert.threshold)).toEqual([50, 80, 100]);
    expect(alerts[2]).toMatchObject({ kind: 'user-day', window: '2026-01-15', capMicroUsd: 1_000_000, spentMicroUsd: 1_000_000 });
    expect(alerts[2]?.message).toBe('Your daily budget (2026-01-15) is used up: $1.00 of $1.00.');
    expect(alerts[0]?.message).toBe('Your daily budget (2026-01-15) has passed 50 %: $1.00 of $1.00.');
  });

  it('fire again in a new window, which is a new scope key', () => {
    const today = evaluateAlerts(NO_ALERTS, at(userDay, 600_000));
    const [, tomorrow] = scopesFor(IDENTITY, LIMITS, T0 + 86_400_000) as [BudgetScope, BudgetScope];
    const next = evaluateAlerts(today.state, at(tomorrow, 600_000));
    expect(next.alerts.map((alert) => [alert.window, alert.threshold])).toEqual([['2026-01-16', 50]]);
    expect(Object.keys(pruneAlertState(next.state, [tomorrow.key]))).toEqual([tomorrow.key]);
  });

  it('are kept per scope, and a zero cap (switched off) raises none', () => {
    const result = evaluateAlerts(NO_ALERTS, [...at(sessionScope, 250_000), ...at(userDay, 250_000), ...at({ ...userDay, key: 'off', capMicroUsd: microUsd(0) }, 5)]);
    expect(result.alerts.map((alert) => [alert.kind, alert.threshold])).toEqual([['session', 50]]);
    expect(result.alerts[0]?.message).toBe('This chat session’s budget has passed 50 %: $0.25 of $0.50.');
  });

  it('reads committed spend from a snapshot, not open reservations', () => {
    const observations = spendOf([userDay], spent(userDay.key, 100, 900_000));
    expect(observations).toEqual([{ scope: userDay, spentMicroUsd: 100 }]);
    expect(evaluateAlerts(NO_ALERTS, observations).alerts).toEqual([]);
  });
});
