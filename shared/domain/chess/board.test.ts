import { describe, expect, it } from 'vitest';
import { expectOk } from '../result.ts';
import { legalMoves, materialOf } from './board.ts';
import { newGame, play, playAll, T0 } from './test-support/fixtures.ts';

describe('board queries', () => {
  it('lists the twenty opening moves with destinations by square', () => {
    const moves = expectOk(legalMoves(newGame()));
    expect(moves.side).toBe('white');
    expect(moves.moves).toHaveLength(20);
    expect(moves.destinations.g1).toEqual(['f3', 'h3']);
    expect(moves.destinations.e2?.slice().sort()).toEqual(['e3', 'e4']);
  });

  it('lists all four promotions, with the piece and SAN', () => {
    const moves = expectOk(legalMoves(newGame({ rated: false, initialFen: '4k3/P7/8/8/8/8/8/4K3 w - - 0 1' })));
    expect(moves.moves.filter((m) => m.from === 'a7').map((m) => m.uci).sort()).toEqual(['a7a8b', 'a7a8n', 'a7a8q', 'a7a8r']);
    expect(moves.destinations.a7).toEqual(['a8']);
    expect(moves.moves.find((m) => m.uci === 'a7a8q')).toMatchObject({ promotion: 'q', san: 'a8=Q+' });
  });

  it('offers nothing once the game is over', () => {
    const mated = playAll(newGame(), ['f2f3', 'e7e5', 'g2g4', 'd8h4'], T0).state;
    expect(expectOk(legalMoves(mated)).moves).toEqual([]);
  });

  it('reports material after a capture', () => {
    const game = playAll(newGame(), ['e2e4', 'd7d5'], T0).state;
    const captured = play(game, 'e4d5', T0 + 5_000).state;
    expect(expectOk(materialOf(captured))).toMatchObject({ advantage: 1, imbalance: { white: { pawn: 1 } } });
  });
});
