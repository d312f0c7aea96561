/**
 * The portfolio's model: a member's positions (from their inbox) valued at the current prices
 * (from the market directory), with profit and loss per market. Money is integer minor units;
 * a holding's value is Σ shares·price rounded down once per market (`creditFromUnits`, the
 * domain's one rounding point for credits), like the leaderboard's open value.
 *
 * - Open or closed, unresolved: value at current prices; unrealized P/L = value − net cost
 *   (spent − received).
 * - Resolved: realized P/L = payout + received − spent (N/A refunds make it 0).
 */
import { creditFromUnits } from '../../../../../shared/domain/markets/index.ts';
import type { MarketSummary, PositionSummary } from '../../../../../shared/sync/layouts/markets.ts';

export interface PortfolioHolding {
  readonly outcome: number;
  readonly label: string;
  readonly shares: number;
  readonly probability: number | null;
}

export interface PortfolioRow {
  readonly marketId: string;
  readonly question: string;
  readonly status: PositionSummary['status'];
  readonly resolved: boolean;
  readonly holdings: readonly PortfolioHolding[];
  /** Net cash put in: spent − received. */
  readonly netCost: number;
  /** At current prices (null: the market's prices are not on this device). 0 once resolved. */
  readonly value: number | null;
  readonly unrealized: number | null;
  readonly realized: number;
  readonly payout: number;
}

export interface PortfolioTotals {
  readonly value: number;
  readonly netCost: number;
  readonly unrealized: number;
  readonly realized: number;
  /** Markets whose prices are missing: their value is not in the totals. */
  readonly unpriced: number;
}

export function portfolioRow(position: PositionSummary, summary: MarketSummary | undefined): PortfolioRow {
  const resolved = position.status === 'resolved';
  const probabilities = summary?.probabilities ?? null;
  const holdings = position.shares
    .map((shares, outcome) => ({ outcome, label: position.outcomes[outcome] ?? `Option ${outcome + 1}`, shares, probability: probabilities?.[outcome] ?? null }))
    .filter((holding) => holding.shares > 1e-9);
  const netCost = position.spent - position.received;
  if (resolved) {
    return { marketId: position.marketId, question: position.question, status: position.status, resolved, holdings, netCost, value: 0, unrealized: 0, realized: position.payout + position.received - position.spent, payout: position.payout };
  }
  const value = probabilities === null ? null : creditFromUnits(holdings.reduce((sum, holding) => sum + holding.shares * (holding.probability ?? 0), 0));
  return { marketId: position.marketId, question: position.question, status: summary?.status ?? position.status, resolved, holdings, netCost, value, unrealized: value === null ? null : value - netCost, realized: 0, payout: 0 };
}

export function portfolioRows(positions: readonly PositionSummary[], summaries: ReadonlyMap<string, MarketSummary>): PortfolioRow[] {
  return positions.map((position) => portfolioRow(position, summaries.get(position.marketId))).sort((a, b) => Number(a.resolved) - Number(b.resolved));
}

export function portfolioTotals(rows: readonly PortfolioRow[]): PortfolioTotals {
  let value = 0;
  let netCost = 0;
  let unrealized = 0;
  let realized = 0;
  let unpriced = 0;
  for (const row of rows) {
    realized += row.realized;
    if (row.resolved) continue;
    netCost += row.netCost;
    if (row.value === null || row.unrealized === null) unpriced++;
    else {
      value += row.value;
      unrealized += row.unrealized;
    }
  }
  return { value, netCost, unrealized, realized, unpriced };
}
