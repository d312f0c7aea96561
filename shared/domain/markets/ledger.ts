/**
 * The play-money ledger. Every balance (a member's and a market's cash account) is the fold of
 * these entries. An entry moves `amount` minor units from one account to another; only a
 * `grant` has no source, so nothing is created or destroyed except by grants:
 *
 *   Σ balances of all accounts (members and markets) = Σ grants.
 *
 * Amounts are never negative: the direction is carried by from/to (a trader paying a refund
 * back after N/A is a `refund` from the user to the market).
 */
import { z } from 'zod';
import { type Minor, minor, ZERO_MINOR } from '../money.ts';
import { type DomainError, fail, ok, type Result } from '../result.ts';
import { LEDGER_KINDS, type LedgerKind } from './vocab.ts';

/** Accounts are strings so they work as Map keys and in JSON: `user:<id>` or `market:<id>`. */
export type AccountId = `user:${string}` | `market:${string}`;

export function userAccount(userId: string): AccountId {
  return `user:${userId}`;
}

export function marketAccount(marketId: string): AccountId {
  return `market:${marketId}`;
}

/** The user id of a `user:` account, or null for a market account. */
export function userOfAccount(account: AccountId): string | null {
  return account.startsWith('user:') ? account.slice('user:'.length) : null;
}

/** What a `trade` entry bought or sold: `shares` > 0 bought, < 0 sold. */
export interface TradeDetail {
  readonly outcome: number;
  readonly shares: number;
}

export interface LedgerEntry {
  readonly id: string;
  /** Server time in ms when the referee decided it. */
  readonly at: number;
  readonly kind: LedgerKind;
  /** null only for `grant`. */
  readonly from: AccountId | null;
  readonly to: AccountId;
  readonly amount: Minor;
  readonly marketId: string | null;
  readonly trade: TradeDetail | null;
  /** Free text for people (a correction's reason, a resolution revision). */
  readonly memo: string | null;
}

const accountSchema = z.custom<AccountId>((value) => typeof value === 'string' && /^(user|market):.+$/s.test(value), 'an account id');

/** The stored shape of an entry (parse only: conservation is a property of the whole ledger). */
export const LedgerEntrySchema = z.strictObject({
  id: z.string().min(1),
  at: z.number(),
  kind: z.enum(LEDGER_KINDS),
  from: accountSchema.nullable(),
  to: accountSchema,
  amount: z.int().min(0).transform((value) => minor(value)),
  marketId: z.string().min(1).nullable(),
  trade: z.strictObject({ outcome: z.int().min(0), shares: z.number() }).nullable(),
  memo: z.string().nullable(),
});

/** Parses a stored or received entry; a grant and only a grant has no source account. */
export function parseLedgerEntry(input: unknown): Result<LedgerEntry, DomainError<'malformed'>> {
  const parsed = LedgerEntrySchema.safeParse(input);
  if (!parsed.success) return fail('malformed', z.prettifyError(parsed.error));
  const entry = parsed.data;
  if ((entry.kind === 'grant') !== (entry.from === null)) return fail('malformed', 'only a grant has no source account');
  if (entry.from === entry.to) return fail('malformed', 'a transfer needs two different accounts');
  if ((entry.kind === 'trade') !== (entry.trade !== null)) return fail('malformed', 'trade details belong to trade entries only');
  return ok(entry);
}

interface EntryFields {
  readonly id: string;
  readonly at: number;
  readonly from: AccountId;
  readonly to: AccountId;
  readonly amount: Minor;
  readonly marketId?: string | null;
  readonly trade?: TradeDetail | null;
  readonly memo?: string | null;
}

function checkAmount(amount: Minor): void {
  if (!Number.isSafeInteger(amount) || amount < 0) throw new RangeError(`ledger amounts are non-negative integers, got ${amount}`);
}

/** A transfer between two accounts. Programmer errors (negative amount, same account) throw. */
export function transferEntry(kind: Exclude<LedgerKind, 'grant'>, fields: EntryFields): LedgerEntry {
  checkAmount(fields.amount);
  if (fields.from === fields.to) throw new RangeError('a transfer needs two different accounts');
  return {
    id: fields.id,
    at: fields.at,
    kind,
    from: fields.from,
    to: fields.to,
    amount: fields.amount,
    marketId: fields.marketId ?? null,
    trade: fields.trade ?? null,
    memo: fields.memo ?? null,
  };
}

/** The starting grant (or a later top-up) of play money to a member: the only source of money. */
export function grantEntry(id: string, userId: string, amount: Minor, at: number, memo: string | null = null): LedgerEntry {
  checkAmount(amount);
  return { id, at, kind: 'grant', from: null, to: userAccount(userId), amount, marketId: null, trade: null, memo };
}

/** An admin's manual correction: a transfer that may drive the source below zero. */
export function correctionEntry(id: string, from: AccountId, to: AccountId, amount: Minor, at: number, reason: string): LedgerEntry {
  return transferEntry('correction', { id, at, from, to, amount, memo: reason });
}

/** Balances as a mutable map, for folds that own it. */
export type BalanceMap = Map<AccountId, Minor>;

/** Applies one entry to a balance map the caller owns (the fold's inner step). */
export function postEntry(balances: BalanceMap, entry: LedgerEntry): void {
  if (entry.from !== null) balances.set(entry.from, ((balances.get(entry.from) ?? 0) - entry.amount) as Minor);
  balances.set(entry.to, ((balances.get(entry.to) ?? 0) + entry.amount) as Minor);
}

/** Every account's balance: the fold of the ledger in order. */
export function foldBalances(entries: Iterable<LedgerEntry>): BalanceMap {
  const balances: BalanceMap = new Map();
  for (const entry of entries) postEntry(balances, entry);
  return balances;
}

export function balanceOf(balances: ReadonlyMap<AccountId, Minor>, account: AccountId): Minor {
  return balances.get(account) ?? ZERO_MINOR;
}

/** Σ grants: the only money that exists. */
export function totalGranted(entries: Iterable<LedgerEntry>): Minor {
  let sum = 0;
  for (const entry of entries) if (entry.kind === 'grant') sum += entry.amount;
  return minor(sum);
}

/** Σ of every balance; equals totalGranted for any ledger (conservation). */
export function totalBalance(balances: ReadonlyMap<AccountId, Minor>): Minor {
  let sum = 0;
  for (const amount of balances.values()) sum += amount;
  return minor(sum);
}

/** The signed effect of an entry on one account (0 if it does not touch it). */
export function deltaFor(entry: LedgerEntry, account: AccountId): number {
  let delta = 0;
  if (entry.to === account) delta += entry.amount;
  if (entry.from === account) delta -= entry.amount;
  return delta;
}

export interface BalancePoint {
  readonly at: number;
  readonly entryId: string;
  readonly kind: LedgerKind;
  readonly marketId: string | null;
  readonly delta: number;
  readonly balance: Minor;
}

/** One point per entry touching the account, with the running balance: the balance chart. */
export function balanceHistory(entries: Iterable<LedgerEntry>, account: AccountId): BalancePoint[] {
  const points: BalancePoint[] = [];
  let balance = 0;
  for (const entry of entries) {
    if (entry.to !== account && entry.from !== account) continue;
    const delta = deltaFor(entry, account);
    balance += delta;
    points.push({ at: entry.at, entryId: entry.id, kind: entry.kind, marketId: entry.marketId, delta, balance: minor(balance) });
  }
  return points;
}
