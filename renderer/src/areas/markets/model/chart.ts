/**
 * Chart data for the probability and balance charts. Series are keyed `o0`, `o1`, … rather than
 * by option label: recharts reads a dataKey with a dot as a path ("v2.0" would be v2 → 0).
 */
import type { BalancePointRecord, ProbabilityPointRecord } from '../../../../../shared/sync/layouts/markets.ts';

export const CHART_COLORS = ['plaza.6', 'orange.6', 'teal.6', 'grape.6', 'red.6', 'lime.7', 'cyan.7', 'pink.6', 'yellow.7', 'indigo.4'] as const;

export function seriesKey(outcome: number): string {
  return `o${outcome}`;
}

export function outcomeColor(outcome: number): string {
  return CHART_COLORS[outcome % CHART_COLORS.length]!;
}

/** `at`, `n` (trades so far, 0 = the opening point), and `o{i}` per outcome in percent. */
export type ProbabilityRow = Readonly<Record<string, number>>;

/** One row per stored point, oldest first, probabilities in percent (0–100). */
export function probabilityRows(points: readonly ProbabilityPointRecord[], outcomes: number): ProbabilityRow[] {
  return [...points]
    .sort((a, b) => a.n - b.n)
    .map((point) => {
      const row: Record<string, number> = { at: point.at, n: point.n };
      for (let i = 0; i < outcomes; i++) row[seriesKey(i)] = Math.round((point.p[i] ?? 0) * 10_000) / 100;
      return row;
    });
}

/**
 * Only the outcomes worth a line: every one for ≤ `max` outcomes, else the `max` with the
 * highest current probability (in their original order).
 */
export function chartedOutcomes(current: readonly number[], max = 6): number[] {
  const all = current.map((p, i) => ({ p, i }));
  if (all.length <= max) return all.map((entry) => entry.i);
  return all
    .sort((a, b) => b.p - a.p || a.i - b.i)
    .slice(0, max)
    .map((entry) => entry.i)
    .sort((a, b) => a - b);
}

export interface BalanceRow {
  readonly at: number;
  readonly n: number;
  /** In points (not minor units): what the axis shows. */
  readonly balance: number;
}

export function balanceRows(points: readonly BalancePointRecord[]): BalanceRow[] {
  return [...points].sort((a, b) => a.n - b.n).map((point) => ({ at: point.at, n: point.n, balance: point.balance / 100 }));
}
