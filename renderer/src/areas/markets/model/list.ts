/**
 * The market list's model: which tab a market belongs to at a given time, search over question
 * and options, and the sort orders. Pure, tested beside.
 */
import type { MarketStatus } from '../../../../../shared/domain/markets/index.ts';
import type { MarketSummary } from '../../../../../shared/sync/layouts/markets.ts';

export const LIST_TABS = ['open', 'closing', 'resolved'] as const;
export type ListTab = (typeof LIST_TABS)[number];

export const LIST_TAB_LABELS: Readonly<Record<ListTab, string>> = {
  open: 'Open',
  closing: 'Closing soon',
  resolved: 'Closed & resolved',
};

export const LIST_SORTS = ['volume', 'close', 'newest'] as const;
export type ListSort = (typeof LIST_SORTS)[number];

export const LIST_SORT_LABELS: Readonly<Record<ListSort, string>> = {
  volume: 'Volume',
  close: 'Close time',
  newest: 'Newest',
};

/** An open market closing within this is "closing soon". */
export const CLOSING_SOON_MS = 24 * 3600 * 1000;

/**
 * The status at `now`: the directory's line may say `open` for a moment after the close time
 * (the server's close deadline writes it), but the referee refuses trades from closeAt on.
 */
export function statusAt(summary: Pick<MarketSummary, 'status' | 'closeAt'>, now: number): MarketStatus {
  if (summary.status === 'resolved') return 'resolved';
  return now < summary.closeAt && summary.status === 'open' ? 'open' : 'closed';
}

export function inTab(summary: MarketSummary, tab: ListTab, now: number): boolean {
  const status = statusAt(summary, now);
  switch (tab) {
    case 'open':
      return status === 'open';
    case 'closing':
      return status === 'open' && summary.closeAt - now <= CLOSING_SOON_MS;
    case 'resolved':
      return status !== 'open';
  }
}

/** Lower case, accents removed, spaces collapsed: "Crème  Brûlée" → "creme brulee". */
export function searchKey(text: string): string {
  return text.normalize('NFD').replace(/\p{M}+/gu, '').toLowerCase().replace(/\s+/gu, ' ').trim();
}

/** Every word of the query appears in the question or an option (in any order). */
export function matchesSearch(summary: Pick<MarketSummary, 'question' | 'outcomes' | 'creatorName'>, query: string): boolean {
  const words = searchKey(query).split(' ').filter(Boolean);
  if (words.length === 0) return true;
  const haystack = searchKey([summary.question, ...summary.outcomes, summary.creatorName].join(' '));
  return words.every((word) => haystack.includes(word));
}

function compare(a: MarketSummary, b: MarketSummary, sort: ListSort, tab: ListTab): number {
  switch (sort) {
    case 'volume':
      return b.volume - a.volume;
    case 'close':
      // Closed markets: the most recently closed first; open ones: the next to close first.
      return tab === 'resolved' ? b.closeAt - a.closeAt : a.closeAt - b.closeAt;
    case 'newest':
      return b.createdAt - a.createdAt;
  }
}

export interface ListQuery {
  readonly tab: ListTab;
  readonly search: string;
  readonly sort: ListSort;
}

export function listMarkets(summaries: readonly MarketSummary[], query: ListQuery, now: number): MarketSummary[] {
  return summaries
    .filter((summary) => inTab(summary, query.tab, now) && matchesSearch(summary, query.search))
    .sort((a, b) => compare(a, b, query.sort, query.tab) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

export function tabCounts(summaries: readonly MarketSummary[], now: number): Record<ListTab, number> {
  const counts: Record<ListTab, number> = { open: 0, closing: 0, resolved: 0 };
  for (const summary of summaries) for (const tab of LIST_TABS) if (inTab(summary, tab, now)) counts[tab]++;
  return counts;
}
