/**
 * What may be asked of the chess referee. Player commands arrive as intents from a player's
 * outbox; server commands come from the server's own deadline table and presence tracking and
 * are refused from anyone else. The zod schemas are the boundary for intents off the wire.
 */
import { z } from 'zod';
import { fail, ok, type DomainError, type Result } from '../result.ts';
import { PROMOTION_PIECES } from './types.ts';

export type MoveSpec = string | { readonly from: string; readonly to: string; readonly promotion?: string | undefined };

export type PlayerCommand =
  | {
      readonly type: 'move';
      readonly gameId: string;
      /** Plies already played when the player chose the move; a mismatch is 'stale-ply'. */
      readonly expectedPly: number;
      /** UCI ("e7e8q") or squares; castling is the king's move (e1g1). */
      readonly move: MoveSpec;
    }
  | { readonly type: 'resign'; readonly gameId: string }
  | { readonly type: 'offerDraw'; readonly gameId: string }
  | { readonly type: 'acceptDraw'; readonly gameId: string }
  | { readonly type: 'declineDraw'; readonly gameId: string }
  | { readonly type: 'abort'; readonly gameId: string };

export type ServerCommand =
  | { readonly type: 'flag'; readonly gameId: string }
  | { readonly type: 'firstMoveTimeout'; readonly gameId: string }
  /** The server saw `userId` disconnected beyond `disconnectGraceMs` on their own turn. */
  | { readonly type: 'disconnectForfeit'; readonly gameId: string; readonly userId: string };

export type ChessCommand = PlayerCommand | ServerCommand;

export const PLAYER_COMMAND_TYPES = ['move', 'resign', 'offerDraw', 'acceptDraw', 'declineDraw', 'abort'] as const;
export const SERVER_COMMAND_TYPES = ['flag', 'firstMoveTimeout', 'disconnectForfeit'] as const;

export function isServerCommand(command: ChessCommand): command is ServerCommand {
  return (SERVER_COMMAND_TYPES as readonly string[]).includes(command.type);
}

/** Who is asking: a signed-in user (tenant from the verified token) or the server itself. */
export type Actor = { readonly kind: 'user'; readonly tenantId: string; readonly userId: string } | { readonly kind: 'server' };

export const SERVER_ACTOR: Actor = { kind: 'server' };

export function userActor(tenantId: string, userId: string): Actor {
  return { kind: 'user', tenantId, userId };
}

const gameId = z.string().min(1).max(128);

const moveSpecSchema = z.union([
  z.string().max(8),
  z.strictObject({ from: z.string().max(2), to: z.string().max(2), promotion: z.enum(PROMOTION_PIECES).optional() }),
]);

export const playerCommandSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('move'), gameId, expectedPly: z.int().min(0).max(100_000), move: moveSpecSchema }),
  z.strictObject({ type: z.literal('resign'), gameId }),
  z.strictObject({ type: z.literal('offerDraw'), gameId }),
  z.strictObject({ type: z.literal('acceptDraw'), gameId }),
  z.strictObject({ type: z.literal('declineDraw'), gameId }),
  z.strictObject({ type: z.literal('abort'), gameId }),
]);

/** Decodes an intent payload; server command types are not accepted from the wire. */
export function parsePlayerCommand(input: unknown): Result<PlayerCommand, DomainError<'bad-command'>> {
  const parsed = playerCommandSchema.safeParse(input);
  if (!parsed.success) return fail('bad-command', `not a chess command: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  return ok(parsed.data);
}
