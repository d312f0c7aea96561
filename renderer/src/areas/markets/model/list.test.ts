import { describe, expect, it } from 'vitest';
import type { MarketSummary } from '../../../../../shared/sync/layouts/markets.ts';
import { CLOSING_SOON_MS, listMarkets, matchesSearch, statusAt, tabCounts } from './list.ts';

const NOW = Date.UTC(2026, 5, 1);

function summary(id: string, over: Partial<MarketSummary> = {}): MarketSummary {
  return {
    v: 1, id, kind: 'binary', question: `Question ${id}?`, outcomes: ['YES', 'NO'], probabilities: [0.5, 0.5], volume: 0, tradeCount: 0, status: 'open',
    closeAt: NOW + 10 * 86_400_000, createdAt: NOW - 1_000, creatorId: 'u', creatorName: 'Uma', subsidy: 10_000, resolution: null, resolvedAt: null,
    revision: 0, correctableUntil: null, updatedAt: NOW, ...over,
  };
}

describe('the market list', () => {
  const markets = [
    summary('far', { volume: 500, createdAt: NOW - 5_000 }),
    summary('soon', { volume: 100, closeAt: NOW + CLOSING_SOON_MS - 1 }),
    summary('late-deadline', { closeAt: NOW - 1 }), // the directory still says open: the close deadline has not fired
    summary('done', { status: 'resolved', closeAt: NOW - 86_400_000, resolution: { kind: 'outcome', outcome: 0 } }),
    summary('waiting', { status: 'closed', closeAt: NOW - 2 * 86_400_000 }),
  ];

  it('puts a market whose close time passed among the closed ones, whatever the directory line says', () => {
    expect(statusAt(markets[2]!, NOW)).toBe('closed');
    expect(statusAt(markets[0]!, NOW)).toBe('open');
    expect(statusAt(markets[3]!, NOW)).toBe('resolved');
  });

  it('splits into open, closing soon (within a day) and closed & resolved', () => {
    expect(listMarkets(markets, { tab: 'open', search: '', sort: 'volume' }, NOW).map((m) => m.id)).toEqual(['far', 'soon']);
    expect(listMarkets(markets, { tab: 'closing', search: '', sort: 'volume' }, NOW).map((m) => m.id)).toEqual(['soon']);
    expect(listMarkets(markets, { tab: 'resolved', search: '', sort: 'close' }, NOW).map((m) => m.id)).toEqual(['late-deadline', 'done', 'waiting']);
    expect(tabCounts(markets, NOW)).toEqual({ open: 2, closing: 1, resolved: 3 });
  });

  it('sorts by volume, by close time (next to close first) and by newest', () => {
    expect(listMarkets(markets, { tab: 'open', search: '', sort: 'close' }, NOW).map((m) => m.id)).toEqual(['soon', 'far']);
    expect(listMarkets(markets, { tab: 'open', search: '', sort: 'newest' }, NOW).map((m) => m.id)).toEqual(['soon', 'far']);
  });

  it('searches question, options and creator, ignoring case, accents and word order', () => {
    const market = summary('x', { question: 'Will the Crème Brûlée ship?', kind: 'multiple-choice', outcomes: ['Alpha team', 'Beta'] });
    expect(matchesSearch(market, 'brulee CREME')).toBe(true);
    expect(matchesSearch(market, 'alpha')).toBe(true);
    expect(matchesSearch(market, 'uma')).toBe(true);
    expect(matchesSearch(market, 'gamma')).toBe(false);
    expect(matchesSearch(market, '   ')).toBe(true);
  });
});
