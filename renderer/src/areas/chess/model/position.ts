/**
 * What the board needs to know about one position: whose turn, the legal moves (with SAN, for
 * hints and typed moves), the king in check, and whether the rules have ended the game. Built on
 * the domain's chess.js edge (`newEngine`, `replay`, `playMove`), never on chess.js directly.
 */
import type { Chess } from 'chess.js';
import { boardOutcome, engineColor, newEngine, parseMoveInput, playMove, replay, uciOf, type BoardOutcome } from '../../../../../shared/domain/chess/engine.ts';
import { STANDARD_FEN, type Color, type PromotionPiece } from '../../../../../shared/domain/chess/types.ts';

export interface MoveOption {
  readonly from: string;
  readonly to: string;
  readonly promotion?: PromotionPiece;
  readonly uci: string;
  readonly san: string;
}

export interface PositionInfo {
  readonly fen: string;
  readonly turn: Color;
  readonly moves: readonly MoveOption[];
  /** Destinations by origin square (one entry per square, promotions folded together). */
  readonly destinations: Readonly<Record<string, readonly string[]>>;
  /** The square of the king in check, if any. */
  readonly checkSquare: string | null;
  readonly outcome: BoardOutcome | null;
}

export interface PlayedMove {
  readonly uci: string;
  readonly san: string;
}

function infoOf(chess: Chess): PositionInfo {
  const moves: MoveOption[] = [];
  const destinations: Record<string, string[]> = {};
  for (const m of chess.moves({ verbose: true })) {
    const promotion = m.promotion as PromotionPiece | undefined;
    moves.push(promotion === undefined ? { from: m.from, to: m.to, uci: uciOf(m), san: m.san } : { from: m.from, to: m.to, promotion, uci: uciOf(m), san: m.san });
    const list = (destinations[m.from] ??= []);
    if (!list.includes(m.to)) list.push(m.to);
  }
  const turn = engineColor(chess.turn());
  let checkSquare: string | null = null;
  if (chess.inCheck()) {
    for (const row of chess.board()) {
      for (const piece of row) {
        if (piece && piece.type === 'k' && engineColor(piece.color) === turn) checkSquare = piece.square;
      }
    }
  }
  return { fen: chess.fen(), turn, moves, destinations, checkSquare, outcome: boardOutcome(chess) };
}

/** Facts about a position given as FEN (repetition history unknown); null for a bad FEN. */
export function positionOf(fen: string): PositionInfo | null {
  const chess = newEngine(fen);
  return chess.ok ? infoOf(chess.value) : null;
}

/** Facts about the position after `ucis` from `initialFen`, with the repetition history kept. */
export function positionAfter(initialFen: string, ucis: readonly string[]): PositionInfo | null {
  const chess = replay(initialFen, ucis);
  return chess.ok ? infoOf(chess.value) : null;
}

/** The legal move from `from` to `to`, or whether it needs a promotion piece first. */
export function findMove(info: PositionInfo, from: string, to: string, promotion?: PromotionPiece): { readonly kind: 'move'; readonly move: MoveOption } | { readonly kind: 'needs-promotion' } | { readonly kind: 'illegal' } {
  const candidates = info.moves.filter((move) => move.from === from && move.to === to);
  if (candidates.length === 0) return { kind: 'illegal' };
  if (candidates.some((move) => move.promotion !== undefined)) {
    if (promotion === undefined) return { kind: 'needs-promotion' };
    const chosen = candidates.find((move) => move.promotion === promotion);
    return chosen ? { kind: 'move', move: chosen } : { kind: 'illegal' };
  }
  return { kind: 'move', move: candidates[0]! };
}

/** The FEN after playing `uci` on `fen`, or null if it is not legal there. */
export function fenAfter(fen: string, uci: string): string | null {
  const chess = newEngine(fen);
  const input = parseMoveInput(uci);
  if (!chess.ok || !input.ok) return null;
  return playMove(chess.value, input.value).ok ? chess.value.fen() : null;
}

/** From and to squares of a UCI move. */
export function squaresOf(uci: string): { readonly from: string; readonly to: string } | null {
  const input = parseMoveInput(uci);
  return input.ok ? { from: input.value.from, to: input.value.to } : null;
}

/** The SAN of each UCI move from `initialFen`, for a line kept as UCI. Null if one is illegal. */
export function sanLine(initialFen: string, ucis: readonly string[]): PlayedMove[] | null {
  const chess = newEngine(initialFen);
  if (!chess.ok) return null;
  const line: PlayedMove[] = [];
  for (const uci of ucis) {
    const input = parseMoveInput(uci);
    if (!input.ok) return null;
    const played = playMove(chess.value, input.value);
    if (!played.ok) return null;
    line.push({ uci, san: played.value.san });
  }
  return line;
}

/** White or Black moves first from this FEN; the full-move number it starts at. */
export function startOf(fen: string = STANDARD_FEN): { readonly first: Color; readonly fullmove: number } {
  const [, turn = 'w', , , , fullmove = '1'] = fen.split(' ');
  return { first: turn === 'b' ? 'black' : 'white', fullmove: Number.parseInt(fullmove, 10) || 1 };
}

/** What kind of sound a move makes, from its SAN. */
export function moveSoundOf(san: string): 'move' | 'capture' | 'check' {
  if (san.includes('+') || san.includes('#')) return 'check';
  if (san.includes('x')) return 'capture';
  return 'move';
}
