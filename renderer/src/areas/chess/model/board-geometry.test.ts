import { describe, expect, it } from 'vitest';
import { isLightSquare, piecesBySquare, squareAtPoint, squareLabel, squaresInView } from './board-geometry.ts';

describe('board geometry', () => {
  it('lays squares out from either side', () => {
    const white = squaresInView('white');
    expect(white.slice(0, 2)).toEqual(['a8', 'b8']);
    expect(white.at(-1)).toBe('h1');
    const black = squaresInView('black');
    expect(black.slice(0, 2)).toEqual(['h1', 'g1']);
    expect(black.at(-1)).toBe('a8');
    expect(new Set(black).size).toBe(64);
  });

  it('finds the square under a pointer, and nothing outside the board', () => {
    expect(squareAtPoint(0, 0, 400, 'white')).toBe('a8');
    expect(squareAtPoint(399, 399, 400, 'white')).toBe('h1');
    expect(squareAtPoint(225, 175, 400, 'white')).toBe('e5');
    expect(squareAtPoint(225, 175, 400, 'black')).toBe('d4');
    expect(squareAtPoint(-1, 10, 400, 'white')).toBeNull();
    expect(squareAtPoint(10, 400, 400, 'white')).toBeNull();
    expect(squareAtPoint(10, 10, 0, 'white')).toBeNull();
  });

  it('colours squares as a real board (a1 dark, h1 light)', () => {
    expect(isLightSquare('a1')).toBe(false);
    expect(isLightSquare('h1')).toBe(true);
    expect(isLightSquare('e4')).toBe(true);
    expect(isLightSquare('d4')).toBe(false);
  });

  it('reads pieces from a FEN and names squares for screen readers', () => {
    const pieces = piecesBySquare('rnbqkbnr/pppppppp/8/8/4P3/8/PPPP1PPP/RNBQKBNR b KQkq - 0 1');
    expect(pieces.size).toBe(32);
    expect(squareLabel('e4', pieces.get('e4'))).toBe('e4, white pawn');
    expect(squareLabel('e2', pieces.get('e2'))).toBe('e2, empty');
    expect(squareLabel('e8', pieces.get('e8'))).toBe('e8, black king');
    expect(piecesBySquare('nonsense').size).toBe(0);
  });
});
