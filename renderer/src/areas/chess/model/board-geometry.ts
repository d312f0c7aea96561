/**
 * The board as the screen draws it: which square sits in which cell for either orientation,
 * which square a pointer is over, the colour of a square, and the pieces of a FEN by square
 * with the glyph and the words each one is shown and announced with. Pure.
 */
import { piecesOfFen, type PlacedPiece } from '../../../../../shared/domain/chess/material.ts';
import type { Color, PromotionPiece, Role } from '../../../../../shared/domain/chess/types.ts';

const FILES = 'abcdefgh';

/** The 64 squares in reading order (top-left first) as seen from `orientation`'s side. */
export function squaresInView(orientation: Color): string[] {
  const squares: string[] = [];
  for (let row = 0; row < 8; row += 1) {
    for (let column = 0; column < 8; column += 1) squares.push(squareAtCell(row, column, orientation));
  }
  return squares;
}

export function squareAtCell(row: number, column: number, orientation: Color): string {
  return orientation === 'white' ? `${FILES[column]}${8 - row}` : `${FILES[7 - column]}${row + 1}`;
}

/** The square under a point given relative to the board's top-left corner; null when outside. */
export function squareAtPoint(x: number, y: number, size: number, orientation: Color): string | null {
  if (!(size > 0) || x < 0 || y < 0 || x >= size || y >= size) return null;
  const cell = size / 8;
  return squareAtCell(Math.floor(y / cell), Math.floor(x / cell), orientation);
}

export function isLightSquare(square: string): boolean {
  const file = square.charCodeAt(0) - 97;
  const rank = square.charCodeAt(1) - 49;
  return (file + rank) % 2 === 1;
}

/**
 * Solid glyphs for both sides (coloured by the board), each followed by U+FE0E so that no
 * platform swaps the pawn for its emoji.
 */
export const PIECE_GLYPH: Readonly<Record<Role, string>> = {
  king: '\u265A\uFE0E',
  queen: '\u265B\uFE0E',
  rook: '\u265C\uFE0E',
  bishop: '\u265D\uFE0E',
  knight: '\u265E\uFE0E',
  pawn: '\u265F\uFE0E',
};

export const ROLE_OF_PROMOTION: Readonly<Record<PromotionPiece, Role>> = { q: 'queen', r: 'rook', b: 'bishop', n: 'knight' };

/** Pieces by square; empty for a FEN that does not read. */
export function piecesBySquare(fen: string): ReadonlyMap<string, PlacedPiece> {
  const pieces = piecesOfFen(fen);
  const map = new Map<string, PlacedPiece>();
  if (pieces.ok) for (const piece of pieces.value) map.set(piece.square, piece);
  return map;
}

/** What a screen reader says for a square: "e4, white pawn", "d5, empty". */
export function squareLabel(square: string, piece: PlacedPiece | undefined): string {
  return piece === undefined ? `${square}, empty` : `${square}, ${piece.color} ${piece.role}`;
}
