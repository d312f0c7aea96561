/**
 * Read-only queries for the board UI: where pieces may go (click-to-move highlights,
 * promotion prompts) and the material row beside each player. The referee never uses these.
 */
import { fail, ok, type DomainError, type Result } from '../result.ts';
import { replay, uciOf } from './engine.ts';
import { sideToMove, type GameState } from './game.ts';
import { materialSummary, piecesOfFen, type MaterialSummary } from './material.ts';
import type { Color, PromotionPiece } from './types.ts';

export interface LegalMove {
  readonly from: string;
  readonly to: string;
  readonly promotion?: PromotionPiece;
  readonly uci: string;
  readonly san: string;
}

export interface LegalMoves {
  readonly side: Color;
  readonly moves: readonly LegalMove[];
  /** Destinations by origin square, the shape board components want for highlights. */
  readonly destinations: Readonly<Record<string, readonly string[]>>;
}

/** Legal moves for the side to move; none once the game has ended (whatever the board says). */
export function legalMoves(state: GameState): Result<LegalMoves, DomainError<'corrupt-state'>> {
  const side = sideToMove(state);
  if (state.status === 'ended') return ok({ side, moves: [], destinations: {} });
  const chess = replay(state.initialFen, state.moves.map((m) => m.uci));
  if (!chess.ok) return fail('corrupt-state', chess.error.message);
  const moves: LegalMove[] = [];
  const destinations: Record<string, string[]> = {};
  for (const m of chess.value.moves({ verbose: true })) {
    const promotion = m.promotion as PromotionPiece | undefined;
    moves.push(promotion === undefined ? { from: m.from, to: m.to, uci: uciOf(m), san: m.san } : { from: m.from, to: m.to, promotion, uci: uciOf(m), san: m.san });
    const list = (destinations[m.from] ??= []);
    if (!list.includes(m.to)) list.push(m.to);
  }
  return ok({ side, moves, destinations });
}

/** Material of the current position (see `materialSummary`). */
export function materialOf(state: GameState): Result<MaterialSummary, DomainError<'corrupt-state'>> {
  const pieces = piecesOfFen(state.fen);
  if (!pieces.ok) return fail('corrupt-state', pieces.error.message);
  return ok(materialSummary(pieces.value));
}
