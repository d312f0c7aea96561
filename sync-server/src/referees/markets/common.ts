/** What the markets decisions share: who acts, the settings, the outcome shapes. */
import type { Market, MarketStatus, Position, Role as DomainRole } from '../../../../shared/domain/markets/index.ts';
import type { PositionSummary } from '../../../../shared/sync/layouts/markets.ts';
import { isTenantAdmin, type Role } from '../../../../shared/sync/rooms.ts';
import type { Outcome } from '../../intents/referee.ts';

export interface MarketsSettings {
  /** How long after the first resolution it may be corrected. */
  readonly correctionWindowMs: number;
  /** A trade intent older than this (by its createdAt) is refused as `expired`. */
  readonly tradeTtlMs: number;
}

/** The author of an intent as the domain sees them, with the tenant's starting grant. */
export interface Actor {
  readonly userId: string;
  readonly name: string;
  readonly role: DomainRole;
  readonly startingGrant: number;
}

/** Tenant owners and admins resolve like admins; guests are not members (null). */
export function domainRole(role: Role): DomainRole | null {
  if (isTenantAdmin(role)) return 'admin';
  return role === 'member' ? 'member' : null;
}

export function rejected(error: { readonly code: string; readonly message: string }): Outcome {
  return { status: 'rejected', reason: { code: error.code, message: error.message } };
}

/** Ledger and trade ids of an intent: unique per tenant because (user, intent id) is. */
export function refOf(userId: string, intentId: string): string {
  return `${userId}:${intentId}`;
}

/** Deadline ids are global in the store: they carry the tenant. */
export function closeDeadlineId(tenant: string, marketId: string): string {
  return `markets:close:${tenant}:${marketId}`;
}

export const CLOSE_DEADLINE = 'close';

export function positionSummary(market: Market, position: Position, status: MarketStatus, now: number): PositionSummary {
  const settlement = market.settlement;
  return {
    v: 1,
    marketId: market.id,
    question: market.question,
    outcomes: [...market.outcomes],
    shares: [...position.shares],
    spent: position.spent,
    received: position.received,
    status,
    resolution: settlement?.resolution ?? null,
    payout: settlement?.paid[position.userId] ?? 0,
    updatedAt: now,
  };
}
