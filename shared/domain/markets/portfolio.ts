/**
 * A member's portfolio, folded from the ledger for the UI: per market and outcome the shares
 * and their cost basis (average cost), the value at current market prices, realized and
 * unrealized profit. Money out of here is integer minor units, rounded once per row (cost
 * basis to nearest, values down like every credit), and totals are sums of the rows.
 *
 * Realized profit: a sale realizes its proceeds minus the average cost of the shares sold; a
 * resolved market realizes everything (net cash in minus cash out, payouts, refunds and
 * reversals included). Value is the mark-to-market value Σ shares·price, not what selling
 * would fetch (a large sale moves the price against the seller).
 */
import { type Minor, minor } from '../money.ts';
import { type AccountId, balanceOf, deltaFor, foldBalances, type LedgerEntry, userAccount } from './ledger.ts';
import { type Market, marketProbabilities, marketStatus } from './market.ts';
import { creditFromUnits, roundMinor } from './rounding.ts';
import type { MarketStatus } from './vocab.ts';

export interface Holding {
  readonly outcome: number;
  readonly label: string;
  readonly shares: number;
  readonly costBasis: Minor;
  readonly probability: number;
  readonly value: Minor;
}

export interface MarketPnl {
  readonly marketId: string;
  /** null when the market document is not at hand: nothing can be priced. */
  readonly status: MarketStatus | null;
  /** Outcomes with shares, while the market is unresolved. */
  readonly holdings: readonly Holding[];
  /** Net cash put in through trades (spent − received). */
  readonly invested: Minor;
  readonly costBasis: Minor;
  readonly value: Minor;
  readonly realized: Minor;
  readonly unrealized: Minor;
}

export interface Portfolio {
  readonly userId: string;
  readonly balance: Minor;
  readonly markets: readonly MarketPnl[];
  readonly value: Minor;
  readonly costBasis: Minor;
  readonly realized: Minor;
  readonly unrealized: Minor;
}

/** Running totals of one user in one market while folding. */
interface Tally {
  shares: number[];
  basis: number[];
  realizedTrades: number;
  settlementCash: number;
  spent: number;
  received: number;
}

function tallyTrade(tally: Tally, entry: LedgerEntry, outcome: number, signedShares: number): void {
  while (tally.shares.length <= outcome) {
    tally.shares.push(0);
    tally.basis.push(0);
  }
  const held = tally.shares[outcome]!;
  if (signedShares > 0) {
    tally.shares[outcome] = held + signedShares;
    tally.basis[outcome] = tally.basis[outcome]! + entry.amount;
    tally.spent += entry.amount;
    return;
  }
  const sold = -signedShares;
  const basis = tally.basis[outcome]!;
  const removed = held > 0 ? basis * Math.min(1, sold / held) : 0;
  const left = held - sold;
  tally.shares[outcome] = left;
  tally.basis[outcome] = left === 0 ? 0 : basis - removed;
  tally.realizedTrades += entry.amount - removed;
  tally.received += entry.amount;
}

/** Per-market tallies of one user, from the ledger in order. */
function tallyUser(entries: Iterable<LedgerEntry>, account: AccountId): Map<string, Tally> {
  const tallies = new Map<string, Tally>();
  for (const entry of entries) {
    if (entry.marketId === null || (entry.from !== account && entry.to !== account)) continue;
    if (entry.kind !== 'trade' && entry.kind !== 'payout' && entry.kind !== 'refund' && entry.kind !== 'reversal') continue;
    let tally = tallies.get(entry.marketId);
    if (tally === undefined) {
      tally = { shares: [], basis: [], realizedTrades: 0, settlementCash: 0, spent: 0, received: 0 };
      tallies.set(entry.marketId, tally);
    }
    if (entry.kind === 'trade' && entry.trade !== null) tallyTrade(tally, entry, entry.trade.outcome, entry.trade.shares);
    else tally.settlementCash += deltaFor(entry, account);
  }
  return tallies;
}

function marketPnl(marketId: string, tally: Tally, market: Market | undefined, now: number): MarketPnl {
  const invested = minor(tally.spent - tally.received);
  const basisTotal = tally.basis.reduce((a, b) => a + b, 0);
  if (market === undefined || market.settlement !== null) {
    // Resolved: everything is realized, as net cash. Unknown market: nothing can be priced.
    const realized = market === undefined ? roundMinor(tally.realizedTrades) : minor(tally.received + tally.settlementCash - tally.spent);
    const costBasis = market === undefined ? roundMinor(basisTotal) : minor(0);
    return { marketId, status: market === undefined ? null : 'resolved', holdings: [], invested, costBasis, value: minor(0), realized, unrealized: minor(0) };
  }
  const probabilities = marketProbabilities(market);
  const holdings: Holding[] = [];
  let units = 0;
  tally.shares.forEach((shares, outcome) => {
    if (shares <= 0) return;
    const probability = probabilities[outcome] ?? 0;
    units += shares * probability;
    holdings.push({ outcome, label: market.outcomes[outcome] ?? String(outcome), shares, costBasis: roundMinor(tally.basis[outcome]!), probability, value: creditFromUnits(shares * probability) });
  });
  const value = creditFromUnits(units);
  const costBasis = roundMinor(basisTotal);
  return { marketId, status: marketStatus(market, now), holdings, invested, costBasis, value, realized: roundMinor(tally.realizedTrades), unrealized: minor(value - costBasis) };
}

/** The portfolio of `userId`: balance from the ledger, P/L per market it traded in. */
export function foldPortfolio(entries: readonly LedgerEntry[], userId: string, markets: ReadonlyMap<string, Market>, now: number): Portfolio {
  const account = userAccount(userId);
  const rows = [...tallyUser(entries, account)].map(([marketId, tally]) => marketPnl(marketId, tally, markets.get(marketId), now));
  const sum = (pick: (row: MarketPnl) => Minor): Minor => minor(rows.reduce((total, row) => total + pick(row), 0));
  return {
    userId,
    balance: balanceOf(foldBalances(entries), account),
    markets: rows,
    value: sum((row) => row.value),
    costBasis: sum((row) => row.costBasis),
    realized: sum((row) => row.realized),
    unrealized: sum((row) => row.unrealized),
  };
}
