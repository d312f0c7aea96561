import { describe, expect, it } from 'vitest';
import { balanceRows, chartedOutcomes, probabilityRows, seriesKey } from './chart.ts';

describe('chart data', () => {
  it('turns probability points into percent rows keyed o0, o1, … in trade order', () => {
    const rows = probabilityRows([{ at: 20, n: 1, p: [0.524979, 0.475021] }, { at: 10, n: 0, p: [0.5, 0.5] }], 2);
    expect(rows).toEqual([{ at: 10, n: 0, o0: 50, o1: 50 }, { at: 20, n: 1, o0: 52.5, o1: 47.5 }]);
    expect(seriesKey(3)).toBe('o3');
  });

  it('charts every outcome up to the limit, else the likeliest ones in their own order', () => {
    expect(chartedOutcomes([0.5, 0.5])).toEqual([0, 1]);
    expect(chartedOutcomes([0.1, 0.3, 0.05, 0.25, 0.3], 3)).toEqual([1, 3, 4]);
  });

  it('shows balances in points, oldest first', () => {
    const points = [
      { v: 1 as const, at: 2, n: 2, kind: 'trade' as const, delta: -2_139, balance: 97_861, marketId: 'm', ref: 'x' },
      { v: 1 as const, at: 1, n: 1, kind: 'grant' as const, delta: 100_000, balance: 100_000, marketId: null, ref: 'g' },
    ];
    expect(balanceRows(points)).toEqual([{ at: 1, n: 1, balance: 1000 }, { at: 2, n: 2, balance: 978.61 }]);
  });
});
