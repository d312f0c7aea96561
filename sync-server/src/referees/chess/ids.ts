/**
 * Ids the chess referee makes. A game or seek id is derived from the intent that creates it, so
 * that the rooms a decision writes can be named before it runs (`roomsFor`) and a decision
 * retried after a failed commit creates the same thing. Deadline ids are global in the store,
 * so they carry the tenant.
 */
import { createHash } from 'node:crypto';
import type { Color } from '../../../../shared/domain/chess/types.ts';

function derived(prefix: string, parts: readonly string[]): string {
  return prefix + createHash('sha256').update(parts.join('\u0000')).digest('base64url').slice(0, 20);
}

export function gameIdFor(tenant: string, user: string, intentId: string): string {
  return derived('g', [tenant, user, intentId, 'game']);
}

export function seekIdFor(tenant: string, user: string, intentId: string): string {
  return derived('s', [tenant, user, intentId, 'seek']);
}

export function messageIdFor(tenant: string, user: string, intentId: string): string {
  return derived('m', [tenant, user, intentId, 'chat']);
}

export const CHESS_DEADLINE_KINDS = ['clock', 'disconnect', 'resume', 'finish', 'seek'] as const;
export type ChessDeadlineKind = (typeof CHESS_DEADLINE_KINDS)[number];

export const deadlineIds = {
  /** The game's one clock deadline: a flag or a first-move timeout (domain `nextDeadline`). */
  clock: (tenant: string, game: string) => `chess:${tenant}:${game}:clock`,
  disconnect: (tenant: string, game: string, color: Color) => `chess:${tenant}:${game}:away:${color}`,
  /** After a restart: take the downtime off the clock and start countdowns for absent players. */
  resume: (tenant: string, game: string) => `chess:${tenant}:${game}:resume`,
  /** Right after a game ends: out of the lobby's directory, ratings into the standings. */
  finish: (tenant: string, game: string) => `chess:${tenant}:${game}:finish`,
  seek: (tenant: string, seek: string) => `chess:${tenant}:seek:${seek}`,
} as const;
