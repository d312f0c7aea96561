/**
 * An in-memory stand-in for the server's market referee, for tests and benchmarks: it keeps a
 * tenant's roles, balances, markets, positions and ledger in Maps it owns, and applies
 * intents in arrival order by calling the domain's decide functions exactly as the real
 * referee will (load market, position, trader balance → decide → store what comes back).
 * Ids are a deterministic counter.
 */
import { type Minor, minor } from '../../money.ts';
import { ok, type Result } from '../../result.ts';
import { type AccountId, balanceOf, type BalanceMap, grantEntry, type LedgerEntry, postEntry, userAccount } from '../ledger.ts';
import { createMarket, type Market, type MarketSetup, type Resolution } from '../market.ts';
import { emptyPosition, type Position } from '../position.ts';
import { correctResolution, type ResolvedMarket, resolveMarket } from '../resolution.ts';
import { type DecidedTrade, decideTrade } from '../trade.ts';
import type { MarketError, ResolutionError, Role, TradeError } from '../vocab.ts';

export interface Book {
  readonly roles: Map<string, Role>;
  readonly balances: BalanceMap;
  readonly markets: Map<string, Market>;
  /** marketId → userId → position. */
  readonly positions: Map<string, Map<string, Position>>;
  readonly ledger: LedgerEntry[];
  /** Decisions in arrival order: the intent's label and its result code. */
  readonly decisions: { readonly what: string; readonly result: 'ok' | string }[];
  sequence: number;
}

export const DAY = 86_400_000;

export function newBook(): Book {
  return { roles: new Map(), balances: new Map(), markets: new Map(), positions: new Map(), ledger: [], decisions: [], sequence: 0 };
}

function nextId(book: Book, prefix: string): string {
  book.sequence += 1;
  return `${prefix}${book.sequence}`;
}

function post(book: Book, entries: readonly LedgerEntry[]): void {
  for (const entry of entries) {
    postEntry(book.balances, entry);
    book.ledger.push(entry);
  }
}

function record<T, E extends { code: string }>(book: Book, what: string, result: Result<T, E>): Result<T, E> {
  book.decisions.push({ what, result: result.ok ? 'ok' : result.error.code });
  return result;
}

export function balance(book: Book, userId: string): Minor {
  return balanceOf(book.balances, userAccount(userId));
}

export function accountBalance(book: Book, account: AccountId): Minor {
  return balanceOf(book.balances, account);
}

/** Adds a member (or changes their role) and grants them play money if `grant` > 0. */
export function join(book: Book, userId: string, grant: number, now = 0, role: Role = 'member'): void {
  book.roles.set(userId, role);
  if (grant > 0) post(book, [grantEntry(nextId(book, 'g'), userId, minor(grant), now)]);
}

export function grant(book: Book, userId: string, amount: number, now: number): void {
  post(book, [grantEntry(nextId(book, 'g'), userId, minor(amount), now)]);
}

export function market(book: Book, marketId: string): Market {
  const found = book.markets.get(marketId);
  if (found === undefined) throw new Error(`no market ${marketId}`);
  return found;
}

export function position(book: Book, marketId: string, userId: string): Position {
  return book.positions.get(marketId)?.get(userId) ?? emptyPosition(market(book, marketId), userId);
}

export function positionsOf(book: Book, marketId: string): Position[] {
  return [...(book.positions.get(marketId)?.values() ?? [])];
}

export function create(book: Book, creatorId: string, setup: MarketSetup, now: number, correctionWindowMs = DAY): Result<Market, MarketError> {
  const marketId = nextId(book, 'm');
  const creator = { userId: creatorId, role: book.roles.get(creatorId) ?? null, balance: balance(book, creatorId) };
  const created = createMarket(setup, { marketId, entryId: nextId(book, 'e'), now, creator, correctionWindowMs });
  if (!created.ok) return record(book, `create by ${creatorId}`, created);
  book.markets.set(marketId, created.value.market);
  book.positions.set(marketId, new Map());
  post(book, [created.value.entry]);
  return record(book, `create by ${creatorId}`, ok(created.value.market));
}

export function trade(book: Book, userId: string, marketId: string, command: unknown, now: number): Result<DecidedTrade, TradeError> {
  const trader = { userId, role: book.roles.get(userId) ?? null, balance: balance(book, userId) };
  const decided = decideTrade({ market: market(book, marketId), position: position(book, marketId, userId), trader, command, now, entryId: nextId(book, 't') });
  if (decided.ok) {
    book.markets.set(marketId, decided.value.market);
    book.positions.get(marketId)!.set(userId, decided.value.position);
    post(book, [decided.value.entry]);
  }
  return record(book, `trade by ${userId} in ${marketId}`, decided);
}

function settleWith(book: Book, marketId: string, result: Result<ResolvedMarket, ResolutionError>, what: string): Result<ResolvedMarket, ResolutionError> {
  if (result.ok) {
    book.markets.set(marketId, result.value.market);
    post(book, result.value.entries);
  }
  return record(book, what, result);
}

export function resolve(book: Book, userId: string, marketId: string, resolution: Resolution, now: number): Result<ResolvedMarket, ResolutionError> {
  const resolver = { userId, role: book.roles.get(userId) ?? null };
  const result = resolveMarket(market(book, marketId), positionsOf(book, marketId), resolver, resolution, now, nextId(book, 'r'));
  return settleWith(book, marketId, result, `resolve ${marketId} by ${userId}`);
}

export function correct(book: Book, userId: string, marketId: string, resolution: Resolution, now: number): Result<ResolvedMarket, ResolutionError> {
  const resolver = { userId, role: book.roles.get(userId) ?? null };
  const result = correctResolution(market(book, marketId), positionsOf(book, marketId), resolver, resolution, now, nextId(book, 'c'));
  return settleWith(book, marketId, result, `correct ${marketId} by ${userId}`);
}

/** Σ of every account (members and markets): must always equal Σ grants. */
export function totalMoney(book: Book): number {
  let sum = 0;
  for (const amount of book.balances.values()) sum += amount;
  return sum;
}
