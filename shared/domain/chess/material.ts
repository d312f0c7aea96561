/**
 * Material on the board: whether one side could still mate (decides a flag against the
 * other side, FIDE 6.9), and the material difference the board UI shows beside each name.
 * Works on a FEN's piece placement, with no chess.js needed.
 */
import { fail, ok, type DomainError, type Result } from '../result.ts';
import type { Color, Role } from './types.ts';

export interface PlacedPiece {
  readonly square: string;
  readonly role: Role;
  readonly color: Color;
}

const ROLE_BY_LETTER: Readonly<Record<string, Role>> = { p: 'pawn', n: 'knight', b: 'bishop', r: 'rook', q: 'queen', k: 'king' };
const FILES = 'abcdefgh';

/** Pieces of a FEN (only its first field is read). */
export function piecesOfFen(fen: string): Result<readonly PlacedPiece[], DomainError<'bad-fen'>> {
  const placement = fen.trim().split(/\s+/)[0] ?? '';
  const ranks = placement.split('/');
  if (ranks.length !== 8) return fail('bad-fen', 'a FEN placement has 8 ranks');
  const pieces: PlacedPiece[] = [];
  for (const [index, rank] of ranks.entries()) {
    const rankNumber = 8 - index;
    let file = 0;
    for (const char of rank) {
      if (char >= '1' && char <= '8') {
        file += Number(char);
        continue;
      }
      const role = ROLE_BY_LETTER[char.toLowerCase()];
      if (role === undefined || file > 7) return fail('bad-fen', `unexpected "${char}" in rank ${rankNumber}`);
      pieces.push({ square: `${FILES[file]}${rankNumber}`, role, color: char === char.toUpperCase() ? 'white' : 'black' });
      file += 1;
    }
    if (file !== 8) return fail('bad-fen', `rank ${rankNumber} does not have 8 squares`);
  }
  return ok(pieces);
}

/** a1 is dark; light squares have an odd file + rank index sum. */
function isLightSquare(square: string): boolean {
  return (square.charCodeAt(0) - 97 + square.charCodeAt(1) - 49) % 2 === 1;
}

/**
 * True when `color` cannot possibly checkmate, whatever the opponent plays (lichess
 * `InsufficientMatingMaterial(board, color)`, after e4ec.org/immr.html):
 * - a lone king;
 * - king and one knight, when the opponent has nothing but king and queens to block with;
 * - king and bishops, unless bishops of both square colours are on the board (either side)
 *   or the opponent has a knight or a pawn that could block.
 * Deliberately conservative: anything else counts as mating material.
 */
export function hasInsufficientMatingMaterial(pieces: readonly PlacedPiece[], color: Color): boolean {
  const own = pieces.filter((p) => p.color === color && p.role !== 'king');
  const theirs = pieces.filter((p) => p.color !== color && p.role !== 'king');
  if (own.length === 0) return true;
  if (own.every((p) => p.role === 'knight')) {
    return own.length === 1 && theirs.every((p) => p.role === 'queen');
  }
  if (own.every((p) => p.role === 'bishop')) {
    const bishopShades = new Set(pieces.filter((p) => p.role === 'bishop').map((p) => isLightSquare(p.square)));
    return bishopShades.size < 2 && !theirs.some((p) => p.role === 'knight' || p.role === 'pawn');
  }
  return false;
}

export const MATERIAL_ROLES = ['queen', 'rook', 'bishop', 'knight', 'pawn'] as const;
export type MaterialRole = (typeof MATERIAL_ROLES)[number];
export type PieceCounts = Readonly<Record<MaterialRole, number>>;

export const PIECE_POINTS: PieceCounts = { queen: 9, rook: 5, bishop: 3, knight: 3, pawn: 1 };

export interface MaterialSummary {
  readonly counts: Readonly<Record<Color, PieceCounts>>;
  /**
   * What a side has more of, role by role: the "captured pieces" row beside each player,
   * as lichess shows it (a promoted pawn counts as the piece it became).
   */
  readonly imbalance: Readonly<Record<Color, PieceCounts>>;
  readonly points: Readonly<Record<Color, number>>;
  /** White's points minus Black's: +3 means White is a piece up. */
  readonly advantage: number;
}

function emptyCounts(): Record<MaterialRole, number> {
  return { queen: 0, rook: 0, bishop: 0, knight: 0, pawn: 0 };
}

export function materialSummary(pieces: readonly PlacedPiece[]): MaterialSummary {
  const counts = { white: emptyCounts(), black: emptyCounts() };
  for (const piece of pieces) {
    if (piece.role !== 'king') counts[piece.color][piece.role] += 1;
  }
  const imbalance = { white: emptyCounts(), black: emptyCounts() };
  const points = { white: 0, black: 0 };
  for (const role of MATERIAL_ROLES) {
    const difference = counts.white[role] - counts.black[role];
    imbalance.white[role] = Math.max(0, difference);
    imbalance.black[role] = Math.max(0, -difference);
    points.white += counts.white[role] * PIECE_POINTS[role];
    points.black += counts.black[role] * PIECE_POINTS[role];
  }
  return { counts, imbalance, points, advantage: points.white - points.black };
}
