/**
 * Premove targets: while the opponent thinks, a piece may be aimed at any square its move shape
 * reaches, whatever stands in between (the opponent's reply may clear the way, or put a piece
 * there to capture). Legality is checked only when the turn comes back; an illegal premove is
 * dropped then. One premove at a time, on this device only (nothing is sent early).
 */
import { piecesOfFen } from '../../../../../shared/domain/chess/material.ts';
import type { Color, Role } from '../../../../../shared/domain/chess/types.ts';

const FILES = 'abcdefgh';

function square(file: number, rank: number): string | null {
  return file >= 0 && file < 8 && rank >= 0 && rank < 8 ? `${FILES[file]}${rank + 1}` : null;
}

const KNIGHT = [[1, 2], [2, 1], [2, -1], [1, -2], [-1, -2], [-2, -1], [-2, 1], [-1, 2]] as const;
const KING = [[1, 0], [1, 1], [0, 1], [-1, 1], [-1, 0], [-1, -1], [0, -1], [1, -1]] as const;
const ROOK_RAYS = [[1, 0], [-1, 0], [0, 1], [0, -1]] as const;
const BISHOP_RAYS = [[1, 1], [1, -1], [-1, 1], [-1, -1]] as const;

function targets(role: Role, color: Color, file: number, rank: number): string[] {
  const out: Array<string | null> = [];
  const ray = (directions: ReadonlyArray<readonly [number, number]>) => {
    for (const [df, dr] of directions) {
      for (let step = 1; step < 8; step += 1) out.push(square(file + df * step, rank + dr * step));
    }
  };
  switch (role) {
    case 'pawn': {
      const forward = color === 'white' ? 1 : -1;
      out.push(square(file, rank + forward), square(file - 1, rank + forward), square(file + 1, rank + forward));
      if (rank === (color === 'white' ? 1 : 6)) out.push(square(file, rank + 2 * forward));
      break;
    }
    case 'knight':
      for (const [df, dr] of KNIGHT) out.push(square(file + df, rank + dr));
      break;
    case 'bishop':
      ray(BISHOP_RAYS);
      break;
    case 'rook':
      ray(ROOK_RAYS);
      break;
    case 'queen':
      ray(ROOK_RAYS);
      ray(BISHOP_RAYS);
      break;
    case 'king': {
      for (const [df, dr] of KING) out.push(square(file + df, rank + dr));
      const home = color === 'white' ? 0 : 7;
      if (file === 4 && rank === home) out.push(square(6, home), square(2, home));
      break;
    }
  }
  return out.filter((target): target is string => target !== null);
}

/** Premove destinations of every piece of `color` in `fen`, by origin square. */
export function premoveDestinations(fen: string, color: Color): Readonly<Record<string, readonly string[]>> {
  const pieces = piecesOfFen(fen);
  if (!pieces.ok) return {};
  const destinations: Record<string, string[]> = {};
  for (const piece of pieces.value) {
    if (piece.color !== color) continue;
    const file = piece.square.charCodeAt(0) - 97;
    const rank = piece.square.charCodeAt(1) - 49;
    // Squares held by one's own pieces stay targets: the opponent may capture there (a recapture).
    destinations[piece.square] = targets(piece.role, color, file, rank);
  }
  return destinations;
}
