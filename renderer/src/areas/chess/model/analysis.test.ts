import { describe, expect, it } from 'vitest';
import { loadPgn } from '../../../../../shared/domain/chess/engine.ts';
import { goTo, lineFromFen, linePgn, linePosition, newLine, playOnLine, takeBack } from './analysis.ts';
import { findMove, type PositionInfo } from './position.ts';

function play(line: ReturnType<typeof newLine>, ...moves: Array<[string, string]>) {
  let current = line;
  for (const [from, to] of moves) {
    const found = findMove(linePosition(current) as PositionInfo, from, to);
    if (found.kind !== 'move') throw new Error(`${from}${to}: ${found.kind}`);
    current = playOnLine(current, found.move);
  }
  return current;
}

describe('the analysis line', () => {
  it('plays both sides, steps back and forth, and cuts the line when a different move is played', () => {
    let line = play(newLine(), ['e2', 'e4'], ['e7', 'e5'], ['g1', 'f3']);
    expect(line.moves.map((move) => move.san)).toEqual(['e4', 'e5', 'Nf3']);
    line = goTo(line, 1);
    expect(linePosition(line)?.turn).toBe('black');
    line = play(line, ['e7', 'e5']);
    expect(line.moves).toHaveLength(3);
    expect(line.cursor).toBe(2);
    line = play(goTo(line, 1), ['c7', 'c5']);
    expect(line.moves.map((move) => move.san)).toEqual(['e4', 'c5']);
    expect(goTo(line, 99).cursor).toBe(2);
    expect(goTo(line, -3).cursor).toBe(0);
    expect(takeBack(line).moves.map((move) => move.san)).toEqual(['e4']);
  });

  it('exports PGN that reads back, with the set-up position of a line from a FEN', () => {
    const mate = play(newLine(), ['e2', 'e4'], ['e7', 'e5'], ['f1', 'c4'], ['b8', 'c6'], ['d1', 'h5'], ['g8', 'f6'], ['h5', 'f7']);
    expect(linePosition(mate)?.outcome).toEqual({ result: '1-0', termination: 'checkmate' });
    const pgn = linePgn(mate, Date.UTC(2026, 0, 2));
    expect(pgn).toContain('[Result "1-0"]');
    expect(pgn).toContain('[Date "2026.01.02"]');
    expect(pgn).toContain('1. e4 e5 2. Bc4 Nc6 3. Qh5 Nf6 4. Qxf7# 1-0');
    expect(loadPgn(pgn).ok).toBe(true);

    const setUp = lineFromFen('4k3/8/8/8/8/8/4P3/4K3 b - - 0 40');
    expect(setUp).not.toBeNull();
    const line = play(setUp!, ['e8', 'd7'], ['e2', 'e4']);
    const text = linePgn(line, 0);
    expect(text).toContain('[SetUp "1"]');
    expect(text).toContain('40... Kd7 41. e4 *');
    const loaded = loadPgn(text);
    expect(loaded.ok && loaded.value.moves.map((move) => move.san)).toEqual(['Kd7', 'e4']);
    expect(lineFromFen('rubbish')).toBeNull();
  });
});
