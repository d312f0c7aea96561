import { Chess } from 'chess.js';
import { describe, expect, it, test } from 'vitest';
import { expectOk } from '../result.ts';
import { decide } from './referee.ts';
import { fenAt, formatClk, pgnDate, pgnTagValue, pgnTermination, toPgn } from './pgn.ts';
import { ALICE, newGame, playAll, T0 } from './test-support/fixtures.ts';

describe('PGN export', () => {
  const game = playAll(newGame(), ['e2e4', 'e7e5', 'g1f3', 'b8c6'], T0, 4_000).state;

  it('writes the full header and a clock comment after every move', () => {
    const resigned = expectOk(decide(game, { type: 'resign', gameId: game.id }, ALICE, T0 + 30_000)).state;
    const pgn = toPgn(resigned);
    expect(pgn).toContain('[Event "Rated blitz game"]');
    expect(pgn).toContain('[Site "Plaza"]');
    expect(pgn).toContain(`[Date "${pgnDate(T0)}"]`);
    expect(pgn).toContain('[White "Alice"]');
    expect(pgn).toContain('[Black "Bob"]');
    expect(pgn).toContain('[Result "0-1"]');
    expect(pgn).toContain('[WhiteElo "1500"]');
    expect(pgn).toContain('[TimeControl "180+2"]');
    expect(pgn).toContain('[Termination "Normal"]');
    expect(pgn).not.toContain('[FEN');
    // Plies 3 and 4 are the first timed moves: 4 s charged, 2 s back.
    expect(pgn.replaceAll('\n', ' ')).toContain('1. e4 { [%clk 0:03:00] } 1... e5 { [%clk 0:03:00] } 2. Nf3 { [%clk 0:02:58] } 2... Nc6 { [%clk 0:02:58] } 0-1');
    expect(pgn.trimEnd().endsWith('0-1')).toBe(true);
    const reader = new Chess();
    reader.loadPgn(pgn);
    expect(reader.history()).toEqual(['e4', 'e5', 'Nf3', 'Nc6']);
    expect(reader.getHeaders().Result).toBe('0-1');
  });

  it('marks an unfinished game with * and Unterminated, and keeps lines short', () => {
    const long = playAll(newGame(), ['g1f3', 'g8f6', 'd2d4', 'd7d5', 'c2c4', 'e7e6', 'b1c3', 'f8e7', 'c1g5', 'e8g8'], T0).state;
    expect(long.status).toBe('active');
    const pgn = toPgn(long, { event: 'Club night', site: 'https://plaza.example/g/1', maxLineLength: 60 });
    expect(pgn).toContain('[Result "*"]');
    expect(pgn).toContain('[Termination "Unterminated"]');
    expect(pgn).toContain('[Event "Club night"]');
    expect(Math.max(...pgn.split('\n').filter((l) => !l.startsWith('[')).map((l) => l.length))).toBeLessThanOrEqual(60);
    expect(new Chess().loadPgn(pgn)).toBeUndefined();
  });

  it('writes SetUp and FEN for a set-up position, numbering from the FEN', () => {
    const setUp = playAll(newGame({ rated: false, initialFen: '4k3/8/8/8/8/8/4P3/4K3 b - - 0 42' }), ['e8d7', 'e2e4'], T0).state;
    const pgn = toPgn(setUp);
    expect(pgn).toContain('[SetUp "1"]');
    expect(pgn).toContain('[FEN "4k3/8/8/8/8/8/4P3/4K3 b - - 0 42"]');
    expect(pgn).toContain('[Event "Casual blitz game"]');
    expect(pgn.replaceAll('\n', ' ')).toContain('42... Kd7 { [%clk 0:03:00] } 43. e4 { [%clk 0:03:00] } *');
    const reader = new Chess();
    reader.loadPgn(pgn);
    expect(reader.fen()).toBe(setUp.fen);
  });

  it('keeps hostile display names from breaking the header', () => {
    const hostile = newGame({ white: { userId: 'alice', displayName: 'Robert"] [Result "1-0', rating: null }, black: { userId: 'bob', displayName: 'back\\slash\nnewline', rating: null } });
    const pgn = toPgn(playAll(hostile, ['e2e4'], T0).state);
    const reader = new Chess();
    reader.loadPgn(pgn);
    expect(reader.getHeaders().White).toBe("Robert'] [Result '1-0");
    expect(reader.getHeaders().Black).toBe('back/slash newline');
    expect(reader.getHeaders().Result).toBe('*');
  });

  test.each([
    [0, '0:00:00'],
    [999, '0:00:00'],
    [59_999, '0:00:59'],
    [180_000, '0:03:00'],
    [3_723_000, '1:02:03'],
    [-5, '0:00:00'],
  ])('%i ms is [%%clk %s]', (ms, text) => {
    expect(formatClk(ms)).toBe(text);
  });

  it('dates in UTC, and tags terminations in PGN words', () => {
    expect(pgnDate(Date.UTC(2024, 1, 29, 23, 59, 59))).toBe('2024.02.29');
    expect(pgnDate(Number.NaN)).toBe('????.??.??');
    expect(pgnTermination('timeout-vs-insufficient-material')).toBe('Time forfeit');
    expect(pgnTermination('abandoned')).toBe('Abandoned');
    expect(pgnTermination('checkmate')).toBe('Normal');
    expect(pgnTagValue('a\u0000b')).toBe('a b');
  });
});

describe('fenAt', () => {
  const game = playAll(newGame(), ['e2e4', 'c7c5'], T0).state;

  it('gives the start, every ply and the current position, and refuses other plies', () => {
    expect(expectOk(fenAt(game, 0))).toBe(game.initialFen);
    expect(expectOk(fenAt(game, 1))).toBe('rnbqkbnr/pppppppp/8/8/4P3/8/PPPP1PPP/RNBQKBNR b KQkq - 0 1');
    expect(expectOk(fenAt(game, 2))).toBe(game.fen);
    for (const ply of [-1, 3, 1.5, Number.NaN]) {
      const result = fenAt(game, ply);
      expect(!result.ok && result.error.code).toBe('bad-ply');
    }
  });
});
