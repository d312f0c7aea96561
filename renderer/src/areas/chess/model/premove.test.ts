import { describe, expect, it } from 'vitest';
import { premoveDestinations } from './premove.ts';

const START = 'rnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP/RNBQKBNR w KQkq - 0 1';

describe('premove targets', () => {
  it('follow the move shape of each piece, ignoring what stands in the way', () => {
    const white = premoveDestinations(START, 'white');
    expect([...white.e2!].sort()).toEqual(['d3', 'e3', 'e4', 'f3']);
    expect([...white.g1!].sort()).toEqual(['e2', 'f3', 'h3']);
    // The bishop's diagonals run through its own pawns.
    expect(white.f1).toContain('a6');
    expect(white.f1).toContain('h3');
    expect(white.e1).toEqual(expect.arrayContaining(['g1', 'c1', 'd1', 'f2']));
    expect(Object.keys(white)).toHaveLength(16);
  });

  it('move black pawns down the board and skip a bad FEN', () => {
    const black = premoveDestinations(START, 'black');
    expect([...black.e7!].sort()).toEqual(['d6', 'e5', 'e6', 'f6']);
    expect(black.a7).toEqual(expect.arrayContaining(['a6', 'a5', 'b6']));
    expect(premoveDestinations('not a fen', 'white')).toEqual({});
  });
});
