/**
 * Budgets and the ledger snapshot. Every call is charged to every scope that applies to it: its
 * session, its user's UTC day, its tenant's UTC day and month, and (optionally) a global UTC day.
 * A call may go only if its worst case fits all of them at once.
 *
 * The ledger is a plain value: for each scope key, what is committed (settled) and what is still
 * reserved by open calls. The invariant, for every key: committed + reserved ≤ cap.
 *
 * The atomic store needs only `requiredHeadroom(plan)`: one row per scope, admitted iff, for every
 * row, `committed + reserved + amount ≤ cap`, all checked and inserted in one transaction. In SQL:
 * `UPDATE budget_scope SET reserved = reserved + :amount WHERE key = :key AND committed + reserved
 * + :amount <= :cap`, one statement per row (after inserting missing keys at zero), rolled back
 * unless every statement changed a row.
 */
import { z } from 'zod';
import { microUsd, type MicroUsd } from '../money.ts';
import { err, ok, type DomainError, type Result } from '../result.ts';
import { dayWindow, monthWindow, nextDayStart, nextMonthStart } from './windows.ts';

export const SCOPE_KINDS = ['session', 'user-day', 'tenant-day', 'tenant-month', 'global-day'] as const;
export type ScopeKind = (typeof SCOPE_KINDS)[number];

const amount = (what: string) =>
  z
    .int({ error: `${what} must be a whole number of micro-dollars` })
    .min(0, { error: `${what} cannot be negative` })
    .max(1_000_000_000_000, { error: `${what} is above $1,000,000; is it in micro-dollars?` });

/** Caps in micro-dollars as admins write them. A cap of 0 blocks every call in that scope. */
export const budgetLimitsSchema = z.strictObject({
  sessionMicroUsd: amount('sessionMicroUsd'),
  userDailyMicroUsd: amount('userDailyMicroUsd'),
  tenantDailyMicroUsd: amount('tenantDailyMicroUsd'),
  tenantMonthlyMicroUsd: amount('tenantMonthlyMicroUsd'),
  /** Omitted: no global daily cap (the OpenAI project limit stays the backstop). */
  globalDailyMicroUsd: amount('globalDailyMicroUsd').optional(),
});

export interface BudgetLimits {
  readonly sessionMicroUsd: MicroUsd;
  readonly userDailyMicroUsd: MicroUsd;
  readonly tenantDailyMicroUsd: MicroUsd;
  readonly tenantMonthlyMicroUsd: MicroUsd;
  readonly globalDailyMicroUsd?: MicroUsd;
}

export function parseBudgetLimits(input: unknown): Result<BudgetLimits, DomainError<'invalid-budget-limits'>> {
  const parsed = budgetLimitsSchema.safeParse(input);
  if (!parsed.success) return err({ code: 'invalid-budget-limits', message: `The budget limits are invalid: ${z.prettifyError(parsed.error)}` });
  const limits = parsed.data;
  return ok({
    sessionMicroUsd: microUsd(limits.sessionMicroUsd),
    userDailyMicroUsd: microUsd(limits.userDailyMicroUsd),
    tenantDailyMicroUsd: microUsd(limits.tenantDailyMicroUsd),
    tenantMonthlyMicroUsd: microUsd(limits.tenantMonthlyMicroUsd),
    ...(limits.globalDailyMicroUsd === undefined ? {} : { globalDailyMicroUsd: microUsd(limits.globalDailyMicroUsd) }),
  });
}

/** Who a call is for. The server takes tenant and user from the verified token only. */
export interface CallIdentity {
  readonly tenantId: string;
  readonly userId: string;
  readonly sessionId: string;
}

export interface BudgetScope {
  /** Stable ledger key; it includes the window, so a new window is a new key. */
  readonly key: string;
  readonly kind: ScopeKind;
  /** `YYYY-MM-DD`, `YYYY-MM`, or `session` (a session budget never resets: start a new session). */
  readonly window: string;
  readonly capMicroUsd: MicroUsd;
  /** When the window ends, in ms; null for a session. */
  readonly resetsAt: number | null;
}

const part = (value: string) => encodeURIComponent(value);

export function scopeKey(kind: ScopeKind, identity: CallIdentity, window: string): string {
  switch (kind) {
    case 'session':
      return `session/${part(identity.tenantId)}/${part(identity.userId)}/${part(identity.sessionId)}`;
    case 'user-day':
      return `user-day/${part(identity.tenantId)}/${part(identity.userId)}/${window}`;
    case 'tenant-day':
    case 'tenant-month':
      return `${kind}/${part(identity.tenantId)}/${window}`;
    case 'global-day':
      return `global-day/${window}`;
  }
}

/** Every scope a call made at `now` is charged to, in a fixed order (session first). */
export function scopesFor(identity: CallIdentity, limits: BudgetLimits, now: number): readonly BudgetScope[] {
  const day = dayWindow(now);
  const month = monthWindow(now);
  const scope = (kind: ScopeKind, window: string, capMicroUsd: MicroUsd, resetsAt: number | null): BudgetScope => ({
    key: scopeKey(kind, identity, window),
    kind,
    window,
    capMicroUsd,
    resetsAt,
  });
  const scopes = [
    scope('session', 'session', limits.sessionMicroUsd, null),
    scope('user-day', day, limits.userDailyMicroUsd, nextDayStart(now)),
    scope('tenant-day', day, limits.tenantDailyMicroUsd, nextDayStart(now)),
    scope('tenant-month', month, limits.tenantMonthlyMicroUsd, nextMonthStart(now)),
  ];
  if (limits.globalDailyMicroUsd !== undefined) scopes.push(scope('global-day', day, limits.globalDailyMicroUsd, nextDayStart(now)));
  return scopes;
}

const LABELS: Readonly<Record<ScopeKind, string>> = {
  session: 'this chat session’s budget',
  'user-day': 'your daily budget',
  'tenant-day': 'your team’s daily budget',
  'tenant-month': 'your team’s monthly budget',
  'global-day': 'Plaza’s global daily budget',
};

/** `your daily budget`, for sentences. */
export function scopeLabel(kind: ScopeKind): string {
  return LABELS[kind];
}

export interface ScopeUsage {
  readonly committedMicroUsd: MicroUsd;
  readonly reservedMicroUsd: MicroUsd;
}

/** Committed and reserved spend per scope key; a missing key has spent nothing. */
export type LedgerSnapshot = Readonly<Record<string, ScopeUsage>>;

export const EMPTY_USAGE: ScopeUsage = { committedMicroUsd: microUsd(0), reservedMicroUsd: microUsd(0) };

export function usageIn(snapshot: LedgerSnapshot, key: string): ScopeUsage {
  return Object.hasOwn(snapshot, key) ? (snapshot[key] ?? EMPTY_USAGE) : EMPTY_USAGE;
}

/** cap − committed − reserved, never below zero. */
export function remainingIn(scope: BudgetScope, snapshot: LedgerSnapshot): MicroUsd {
  const usage = usageIn(snapshot, scope.key);
  return microUsd(Math.max(0, scope.capMicroUsd - usage.committedMicroUsd - usage.reservedMicroUsd));
}

/** The scope with the least left (the first such in scope order), with what it has left. */
export function tightestScope(scopes: readonly BudgetScope[], snapshot: LedgerSnapshot): { scope: BudgetScope; remaining: MicroUsd } {
  const [first, ...rest] = scopes;
  if (!first) throw new Error('a call always has at least one budget scope');
  let tightest = { scope: first, remaining: remainingIn(first, snapshot) };
  for (const scope of rest) {
    const remaining = remainingIn(scope, snapshot);
    if (remaining < tightest.remaining) tightest = { scope, remaining };
  }
  return tightest;
}

/** One row of an atomic admission: `amount` must fit under `cap` on top of what the key holds. */
export interface HeadroomRow {
  readonly scope: BudgetScope;
  readonly amountMicroUsd: MicroUsd;
}

/** The first row that does not fit the snapshot, or undefined when all of them do. */
export function findShortfall(rows: readonly HeadroomRow[], snapshot: LedgerSnapshot): { row: HeadroomRow; remaining: MicroUsd } | undefined {
  for (const row of rows) {
    const remaining = remainingIn(row.scope, snapshot);
    if (row.amountMicroUsd > remaining) return { row, remaining };
  }
  return undefined;
}

function update(snapshot: LedgerSnapshot, rows: readonly HeadroomRow[], change: (usage: ScopeUsage, row: HeadroomRow) => ScopeUsage): LedgerSnapshot {
  const next: Record<string, ScopeUsage> = { ...snapshot };
  for (const row of rows) next[row.scope.key] = change(usageIn(next, row.scope.key), row);
  return next;
}

/** Adds each row's amount to the reserved spend of its key (no check: see `findShortfall`). */
export function applyReservation(snapshot: LedgerSnapshot, rows: readonly HeadroomRow[]): LedgerSnapshot {
  return update(snapshot, rows, (usage, row) => ({ ...usage, reservedMicroUsd: microUsd(usage.reservedMicroUsd + row.amountMicroUsd) }));
}

/** Releases each row's reservation and commits `charged` to its key. */
export function applySettlement(snapshot: LedgerSnapshot, rows: readonly HeadroomRow[], charged: MicroUsd): LedgerSnapshot {
  return update(snapshot, rows, (usage, row) => ({
    committedMicroUsd: microUsd(usage.committedMicroUsd + charged),
    reservedMicroUsd: microUsd(Math.max(0, usage.reservedMicroUsd - row.amountMicroUsd)),
  }));
}
