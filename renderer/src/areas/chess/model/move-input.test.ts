import { describe, expect, it } from 'vitest';
import { matchTypedMove } from './move-input.ts';
import { positionOf } from './position.ts';

const START = positionOf('rnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP/RNBQKBNR w KQkq - 0 1')!.moves;
// White to move: castling both ways, a pawn on b7 that promotes by push or by capturing a8/c8.
const PROMOTE = positionOf('r1n1k3/1P6/8/8/8/8/8/R3K2R w KQq - 0 1')!.moves;
// Knights on b1 and f1 both reach d2; a pawn on c3 can capture on b4 where a bishop stands.
const AMBIGUOUS = positionOf('4k3/8/8/8/1b6/2P5/8/1N2KN2 w - - 0 1')!.moves;

describe('typed moves', () => {
  it.each([
    ['e4', 'e2e4'],
    ['  e4 ', 'e2e4'],
    ['Nf3', 'g1f3'],
    ['nf3', 'g1f3'],
    ['Nf3+', 'g1f3'],
    ['e2e4', 'e2e4'],
    ['e2-e4', 'e2e4'],
    ['Ng1-f3', 'g1f3'],
  ])('%s in the opening is %s', (typed, uci) => {
    const match = matchTypedMove(typed, START);
    expect(match.kind === 'move' ? match.move.uci : match).toBe(uci);
  });

  it.each([
    ['O-O', 'e1g1'],
    ['0-0', 'e1g1'],
    ['o-o-o', 'e1c1'],
    ['e1g1', 'e1g1'],
    ['b8=Q', 'b7b8q'],
    ['b8q', 'b7b8q'],
    ['b7b8n', 'b7b8n'],
    ['bxa8=R', 'b7a8r'],
    ['bxc8q', 'b7c8q'],
  ])('%s castles or promotes: %s', (typed, uci) => {
    const match = matchTypedMove(typed, PROMOTE);
    expect(match.kind === 'move' ? match.move.uci : match).toBe(uci);
  });

  it('asks for the piece when a promotion is typed without one', () => {
    expect(matchTypedMove('b8', PROMOTE)).toEqual({ kind: 'needs-promotion', from: 'b7', to: 'b8' });
    expect(matchTypedMove('b7b8', PROMOTE)).toEqual({ kind: 'needs-promotion', from: 'b7', to: 'b8' });
    expect(matchTypedMove('bxc8', PROMOTE)).toEqual({ kind: 'needs-promotion', from: 'b7', to: 'c8' });
  });

  it('names the candidates of an ambiguous move', () => {
    const match = matchTypedMove('Nd2', AMBIGUOUS);
    expect(match.kind).toBe('error');
    expect(match.kind === 'error' && match.message).toMatch(/Nbd2 or Nfd2|Nfd2 or Nbd2/);
    const nbd2 = matchTypedMove('Nbd2', AMBIGUOUS);
    expect(nbd2.kind === 'move' && nbd2.move.uci).toBe('b1d2');
    // Lower-case "b" is the pawn on the b-file when such a pawn move exists ("cxb4" here is c-pawn).
    const capture = matchTypedMove('cxb4', AMBIGUOUS);
    expect(capture.kind === 'move' && capture.move.uci).toBe('c3b4');
  });

  it('refuses illegal and empty input with a message', () => {
    expect(matchTypedMove('e5', START)).toEqual({ kind: 'error', message: 'e5 is not a legal move here.' });
    expect(matchTypedMove('e2e5', START)).toEqual({ kind: 'error', message: 'e2e5 is not a legal move here.' });
    expect(matchTypedMove('', START).kind).toBe('error');
    expect(matchTypedMove('<script>', START).kind).toBe('error');
    expect(matchTypedMove('e4', []).kind).toBe('error');
  });
});
