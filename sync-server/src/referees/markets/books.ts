/**
 * The members' side of the money: each member's markets account lives in their inbox (balance,
 * grants, open cost, locked subsidy), and every ledger entry of a decision goes through `post`,
 * which writes the store's ledger rows (two per transfer, one per grant) AND moves the inbox
 * balances in the same decision. So an inbox balance is always the fold of its ledger rows.
 *
 * A Books object lives for one decision: reads inboxes lazily, collects changes, and `flush`
 * writes each touched inbox once (account, balance points, position summaries).
 */
import { grantEntry, type LedgerEntry, userOfAccount } from '../../../../shared/domain/markets/index.ts';
import { minor } from '../../../../shared/domain/money.ts';
import {
  INBOX_ACCOUNT_KEY,
  INBOX_MARKETS,
  INBOX_MARKETS_BALANCE,
  ledgerAccount,
  MARKET_LIMITS_SYNC,
  pointsToDrop,
  type BalancePointRecord,
  type LeaderRecord,
  type MarketsAccount,
  type PositionSummary,
  positionSummaryKey,
  readLeaderRecord,
  readMarketsAccount,
  realizedProfit,
  seqKey,
  STANDINGS_LEADERS,
} from '../../../../shared/sync/layouts/markets.ts';
import { roomNames } from '../../../../shared/sync/rooms.ts';
import type { DecideContext } from '../../intents/referee.ts';
import { readTrusted, remember } from './trusted.ts';

type MutableAccount = { -readonly [K in keyof MarketsAccount]: MarketsAccount[K] };

interface Touched {
  account: MutableAccount;
  points: BalancePointRecord[];
  positions: PositionSummary[];
  /** Profit may have changed: rewrite the leaderboard row. */
  standings: boolean;
  name: string | null;
  /** Anything to write back at all. */
  dirty: boolean;
}

export class Books {
  private readonly context: DecideContext;
  private readonly tenant: string;
  private readonly touched = new Map<string, Touched>();

  constructor(context: DecideContext) {
    this.context = context;
    this.tenant = context.tenant;
  }

  private inbox(userId: string): string {
    return roomNames.inbox(this.tenant, userId);
  }

  /** The stored account of a user, or null if they never had one. Their inbox must be loaded. */
  private stored(userId: string): MarketsAccount | null {
    const raw = this.context.doc(this.inbox(userId)).getMap(INBOX_MARKETS).get(INBOX_ACCOUNT_KEY);
    if (raw === undefined) return null;
    const account = readTrusted(raw, readMarketsAccount);
    // Only this referee writes inboxes' markets maps: a broken account is a server bug.
    if (!account.ok) throw new Error(`the markets account of ${userId} is broken: ${account.error.message}`);
    return account.value;
  }

  private entry(userId: string): Touched | null {
    const known = this.touched.get(userId);
    if (known) return known;
    const stored = this.stored(userId);
    if (stored === null) return null;
    const touched: Touched = { account: { ...stored }, points: [], positions: [], standings: false, name: null, dirty: false };
    this.touched.set(userId, touched);
    return touched;
  }

  private require(userId: string): Touched {
    const touched = this.entry(userId);
    if (touched === null) throw new Error(`user ${userId} has no markets account`);
    return touched;
  }

  /**
   * The author's account, opened on their first markets intent with the tenant's starting grant
   * (a `grant` ledger entry, exactly once: the account's presence in the inbox, committed with
   * the entry, is the record that it happened).
   */
  open(userId: string, name: string, startingGrant: number): MarketsAccount {
    const existing = this.entry(userId);
    if (existing) {
      existing.name = name;
      return existing.account;
    }
    const account: MutableAccount = { v: 1, balance: 0, granted: 0, invested: 0, lockedSubsidy: 0, entries: 0, updatedAt: this.context.now };
    const touched: Touched = { account, points: [], positions: [], standings: true, name, dirty: true };
    this.touched.set(userId, touched);
    if (startingGrant > 0) this.post(grantEntry(`grant:${userId}`, userId, minor(startingGrant), this.context.now, 'starting grant'));
    return account;
  }

  balance(userId: string): number {
    return this.require(userId).account.balance;
  }

  /** Writes the entry's ledger rows and moves the members' balances it touches. */
  post(entry: LedgerEntry): void {
    const kind = entry.kind;
    if (entry.from !== null) this.context.ledger({ account: ledgerAccount(entry.from), kind, amount: -entry.amount, ref: entry.id });
    this.context.ledger({ account: ledgerAccount(entry.to), kind, amount: entry.amount, ref: entry.id });
    if (entry.from !== null) this.move(entry.from, -entry.amount, entry);
    this.move(entry.to, entry.amount, entry);
  }

  private move(account: `user:${string}` | `market:${string}`, delta: number, entry: LedgerEntry): void {
    const userId = userOfAccount(account);
    if (userId === null) return; // market cash is kept in the market record by the domain
    const touched = this.require(userId);
    touched.dirty = true;
    const state = touched.account;
    state.balance += delta;
    if (entry.kind === 'grant') state.granted += entry.amount;
    state.entries += 1;
    state.updatedAt = this.context.now;
    touched.points.push({ v: 1, at: entry.at, n: state.entries, kind: entry.kind, delta, balance: state.balance, marketId: entry.marketId, ref: entry.id });
  }

  /** Adjusts the open cost / locked subsidy of an account (they move profit into the balance). */
  adjust(userId: string, change: { invested?: number; lockedSubsidy?: number }): void {
    const touched = this.require(userId);
    touched.dirty = true;
    touched.account.invested += change.invested ?? 0;
    touched.account.lockedSubsidy += change.lockedSubsidy ?? 0;
    touched.account.updatedAt = this.context.now;
  }

  setPosition(userId: string, summary: PositionSummary): void {
    const touched = this.require(userId);
    touched.dirty = true;
    touched.positions.push(summary);
  }

  /** Marks an account whose profit changed (resolutions), so its leaderboard row is rewritten. */
  markStandings(userId: string, name: string | null): void {
    const touched = this.require(userId);
    touched.dirty = true;
    touched.standings = true;
    touched.name ??= name;
  }

  /** Writes every touched inbox (and leaderboard rows) once. */
  flush(): void {
    const leaders: LeaderRecord[] = [];
    for (const [userId, touched] of this.touched) {
      if (!touched.dirty) continue;
      const account = remember({ ...touched.account });
      this.context.write(this.inbox(userId), (doc) => {
        const map = doc.getMap(INBOX_MARKETS);
        map.set(INBOX_ACCOUNT_KEY, account);
        for (const summary of touched.positions) map.set(positionSummaryKey(summary.marketId), summary);
        if (touched.points.length > 0) {
          const points = doc.getMap(INBOX_MARKETS_BALANCE);
          for (const point of touched.points) {
            points.set(seqKey(point.n), point);
            for (const old of pointsToDrop(point.n, MARKET_LIMITS_SYNC.balanceWindow)) points.delete(seqKey(old));
          }
        }
      });
      if (touched.standings) leaders.push({ v: 1, userId, name: touched.name ?? '', profit: realizedProfit(account), granted: account.granted, updatedAt: this.context.now });
    }
    if (leaders.length === 0) return;
    const standings = roomNames.standings(this.tenant, 'markets');
    const rows = this.context.doc(standings).getMap(STANDINGS_LEADERS);
    for (const row of leaders) {
      if (row.name !== '') continue;
      const previous = readLeaderRecord(rows.get(row.userId));
      (row as { name: string }).name = previous.ok ? previous.value.name : row.userId;
    }
    this.context.write(standings, (doc) => {
      const map = doc.getMap(STANDINGS_LEADERS);
      for (const row of leaders) map.set(row.userId, row);
    });
  }

  /** Users whose accounts this decision touched. */
  users(): string[] {
    return [...this.touched.keys()];
  }
}

