import { describe, expect, it } from 'vitest';
import type { MarketSummary, PositionSummary } from '../../../../../shared/sync/layouts/markets.ts';
import { portfolioRow, portfolioRows, portfolioTotals } from './portfolio.ts';

function position(marketId: string, over: Partial<PositionSummary> = {}): PositionSummary {
  return { v: 1, marketId, question: `Q ${marketId}?`, outcomes: ['Red', 'Blue', 'Green'], shares: [0, 0, 0], spent: 0, received: 0, status: 'open', resolution: null, payout: 0, updatedAt: 1, ...over };
}

function summary(id: string, probabilities: number[]): MarketSummary {
  return {
    v: 1, id, kind: 'multiple-choice', question: `Q ${id}?`, outcomes: ['Red', 'Blue', 'Green'], probabilities, volume: 0, tradeCount: 0, status: 'open', closeAt: 10, createdAt: 1,
    creatorId: 'c', creatorName: 'C', subsidy: 100, resolution: null, resolvedAt: null, revision: 0, correctableUntil: null, updatedAt: 1,
  };
}

describe('the portfolio', () => {
  it('values open holdings at current prices, rounded down once, with unrealized P/L against net cost', () => {
    const row = portfolioRow(position('m', { shares: [10, 0, 5.5], spent: 1_000, received: 200 }), summary('m', [0.5, 0.3, 0.2]));
    // 10·0.5 + 5.5·0.2 = 6.1 points = 610 minor.
    expect(row).toMatchObject({ resolved: false, netCost: 800, value: 610, unrealized: -190, realized: 0 });
    expect(row.holdings.map((h) => [h.label, h.shares, h.probability])).toEqual([['Red', 10, 0.5], ['Green', 5.5, 0.2]]);
  });

  it('realizes a resolved market as payout + received − spent', () => {
    const row = portfolioRow(position('m', { status: 'resolved', shares: [10, 0, 0], spent: 600, payout: 1_000, resolution: { kind: 'outcome', outcome: 0 } }), undefined);
    expect(row).toMatchObject({ resolved: true, value: 0, unrealized: 0, realized: 400 });
  });

  it('cannot price a market missing from this device, and says how many', () => {
    const rows = portfolioRows([position('gone', { shares: [1, 0, 0], spent: 50 }), position('m', { shares: [0, 2, 0], spent: 100 }), position('r', { status: 'resolved', spent: 100, payout: 0 })], new Map([['m', summary('m', [0.2, 0.6, 0.2])]]));
    expect(rows.map((r) => [r.marketId, r.value])).toEqual([['gone', null], ['m', 120], ['r', 0]]);
    expect(portfolioTotals(rows)).toEqual({ value: 120, netCost: 150, unrealized: 20, realized: -100, unpriced: 1 });
  });
});
