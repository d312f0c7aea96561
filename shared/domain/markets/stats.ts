/**
 * Market statistics for the UI, as pure folds over the ledger: the probability chart (one point
 * per trade, replayed from the market's opening state with the referee's own float additions),
 * volume, and the tenant's profit leaderboard.
 */
import { type Minor, minor } from '../money.ts';
import { type AccountId, foldBalances, type LedgerEntry, userOfAccount } from './ledger.ts';
import { type Market, marketProbabilities } from './market.ts';
import { foldPositions } from './position.ts';
import { creditFromUnits } from './rounding.ts';

export interface ProbabilityPoint {
  readonly at: number;
  /** Trades so far: 0 is the opening point. */
  readonly tradeCount: number;
  readonly probabilities: readonly number[];
}

/**
 * One point at creation, then one per trade of this market in ledger order. The last point
 * equals the market's current probabilities exactly when `entries` hold all its trades.
 */
export function probabilityHistory(market: Market, entries: Iterable<LedgerEntry>): ProbabilityPoint[] {
  const q = market.outcomes.map(() => 0);
  const points: ProbabilityPoint[] = [{ at: market.createdAt, tradeCount: 0, probabilities: marketProbabilities(market, q) }];
  for (const entry of entries) {
    if (entry.kind !== 'trade' || entry.marketId !== market.id || entry.trade === null) continue;
    const { outcome, shares } = entry.trade;
    q[outcome] = q[outcome]! + shares;
    points.push({ at: entry.at, tradeCount: points.length, probabilities: marketProbabilities(market, q) });
  }
  return points;
}

/** Σ cash moved by trades in each market. */
export function volumeByMarket(entries: Iterable<LedgerEntry>): Map<string, Minor> {
  const volumes = new Map<string, Minor>();
  for (const entry of entries) {
    if (entry.kind !== 'trade' || entry.marketId === null) continue;
    volumes.set(entry.marketId, minor((volumes.get(entry.marketId) ?? 0) + entry.amount));
  }
  return volumes;
}

export function marketVolume(entries: Iterable<LedgerEntry>, marketId: string): Minor {
  return volumeByMarket(entries).get(marketId) ?? minor(0);
}

export interface LeaderboardRow {
  /** Competition ranking: equal profits share a rank. */
  readonly rank: number;
  readonly userId: string;
  /** balance − granted + openValue + lockedSubsidy. */
  readonly profit: Minor;
  readonly balance: Minor;
  readonly granted: Minor;
  /** Shares in unresolved markets at current prices (rounded down per position). */
  readonly openValue: Minor;
  /** Subsidies of the user's own unresolved markets, counted at cost until they come back. */
  readonly lockedSubsidy: Minor;
}

/**
 * Profit of every member over the whole tenant ledger. Markets missing from `markets` count
 * as unresolved with shares worth nothing (they cannot be priced).
 */
export function leaderboard(entries: readonly LedgerEntry[], markets: ReadonlyMap<string, Market>): LeaderboardRow[] {
  const balances = foldBalances(entries);
  const granted = new Map<string, number>();
  const locked = new Map<string, number>();
  const add = (map: Map<string, number>, userId: string, amount: number): void => {
    map.set(userId, (map.get(userId) ?? 0) + amount);
  };
  for (const entry of entries) {
    const toUser = userOfAccount(entry.to);
    if (entry.kind === 'grant' && toUser !== null) add(granted, toUser, entry.amount);
    if (entry.kind === 'subsidy' && entry.marketId !== null && markets.get(entry.marketId)?.settlement == null) {
      const creator = entry.from === null ? null : userOfAccount(entry.from);
      if (creator !== null) add(locked, creator, entry.amount);
    }
  }
  const openValue = new Map<string, number>();
  const prices = new Map<string, number[]>();
  const positions = foldPositions(entries, (marketId) => markets.get(marketId)?.outcomes.length ?? 0);
  for (const position of positions.values()) {
    const market = markets.get(position.marketId);
    if (market === undefined || market.settlement !== null) continue;
    let p = prices.get(market.id);
    if (p === undefined) {
      p = marketProbabilities(market);
      prices.set(market.id, p);
    }
    const units = position.shares.reduce((sum, shares, i) => sum + shares * (p[i] ?? 0), 0);
    add(openValue, position.userId, creditFromUnits(units));
  }
  const users = new Set<string>();
  for (const account of balances.keys()) {
    const userId = userOfAccount(account as AccountId);
    if (userId !== null) users.add(userId);
  }
  const rows = [...users].map((userId) => {
    const balance = balances.get(`user:${userId}`) ?? 0;
    const g = granted.get(userId) ?? 0;
    const open = openValue.get(userId) ?? 0;
    const lockedSubsidy = locked.get(userId) ?? 0;
    return { userId, profit: minor(balance - g + open + lockedSubsidy), balance: minor(balance), granted: minor(g), openValue: minor(open), lockedSubsidy: minor(lockedSubsidy) };
  });
  rows.sort((a, b) => b.profit - a.profit || (a.userId < b.userId ? -1 : a.userId > b.userId ? 1 : 0));
  let rank = 0;
  return rows.map((row, i) => {
    if (i === 0 || rows[i - 1]!.profit !== row.profit) rank = i + 1;
    return { rank, ...row };
  });
}
