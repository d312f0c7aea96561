/**
 * Chess vocabulary shared by every file of the module. Colours are spelled out in stored and
 * synced data ("white"), chess.js's one-letter colours stay inside `engine.ts`.
 */
export const COLORS = ['white', 'black'] as const;
export type Color = (typeof COLORS)[number];

export const ROLES = ['pawn', 'knight', 'bishop', 'rook', 'queen', 'king'] as const;
export type Role = (typeof ROLES)[number];

export const PROMOTION_PIECES = ['q', 'r', 'b', 'n'] as const;
export type PromotionPiece = (typeof PROMOTION_PIECES)[number];

export const GAME_RESULTS = ['1-0', '0-1', '1/2-1/2'] as const;
export type GameResult = (typeof GAME_RESULTS)[number];

export const STANDARD_FEN = 'rnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP/RNBQKBNR w KQkq - 0 1';

export function opposite(color: Color): Color {
  return color === 'white' ? 'black' : 'white';
}

/** The side to move after `ply` half-moves from a position where `first` moves. */
export function colorAtPly(first: Color, ply: number): Color {
  return ply % 2 === 0 ? first : opposite(first);
}

export function winResult(winner: Color): GameResult {
  return winner === 'white' ? '1-0' : '0-1';
}

const SQUARE_PATTERN = /^[a-h][1-8]$/;

export function isSquare(value: string): boolean {
  return SQUARE_PATTERN.test(value);
}

export function isPromotionPiece(value: string): value is PromotionPiece {
  return (PROMOTION_PIECES as readonly string[]).includes(value);
}
