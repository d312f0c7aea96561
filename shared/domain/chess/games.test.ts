/**
 * Whole games from testdata/*.pgn, replayed move by move through the referee as player
 * commands with a fake server clock, then exported to PGN and read back by chess.js.
 * Each file names its expected ending in a `PlazaTermination` tag next to its Result tag.
 */
import { Chess } from 'chess.js';
import { describe, expect, it } from 'vitest';
import { expectOk } from '../result.ts';
import { loadPgn, type LoadedPgn } from './engine.ts';
import { createGame, type GameState } from './game.ts';
import { parseGameState } from './game-schema.ts';
import { fenAt, toPgn } from './pgn.ts';
import { decide } from './referee.ts';
import { ALICE, actorToMove, BOB, T0, TENANT } from './test-support/fixtures.ts';
import { TIME_CONTROL_PRESETS } from './time-control.ts';
import { STANDARD_FEN } from './types.ts';

const files = import.meta.glob<string>('./testdata/*.pgn', { query: '?raw', import: 'default', eager: true });
const games = Object.entries(files).map(([path, text]) => ({ name: path.replace('./testdata/', ''), text }));

interface Replayed {
  readonly state: GameState;
  readonly expected: LoadedPgn;
}

function replayThroughReferee(text: string): Replayed {
  const expected = expectOk(loadPgn(text));
  let state = expectOk(
    createGame({
      id: 'game-pgn',
      tenantId: TENANT,
      white: { userId: 'alice', displayName: expected.headers.White ?? 'White', rating: null },
      black: { userId: 'bob', displayName: expected.headers.Black ?? 'Black', rating: null },
      rated: expected.initialFen === STANDARD_FEN,
      timeControl: TIME_CONTROL_PRESETS['10+0'],
      initialFen: expected.initialFen,
      now: T0,
    }),
  );
  let now = T0;
  for (const [ply, move] of expected.moves.entries()) {
    expect(state.status, `the game ended early, before ply ${ply + 1}`).not.toBe('ended');
    now += 1_000 + ((ply * 379) % 4_000);
    const decision = expectOk(
      decide(state, { type: 'move', gameId: state.id, expectedPly: ply, move: move.uci }, actorToMove(state), now, { lagMs: { alice: 40, bob: 150 } }),
    );
    state = decision.state;
    expect(state.moves[ply]?.san).toBe(move.san);
  }
  const ending = expected.headers.PlazaTermination;
  now += 2_000;
  if (ending === 'resignation') {
    const loser = expected.headers.Result === '1-0' ? BOB : ALICE;
    state = expectOk(decide(state, { type: 'resign', gameId: state.id }, loser, now)).state;
  } else if (ending === 'draw-agreement') {
    const offerer = actorToMove(state);
    const other = offerer.kind === 'user' && offerer.userId === 'alice' ? BOB : ALICE;
    state = expectOk(decide(state, { type: 'offerDraw', gameId: state.id }, offerer, now)).state;
    state = expectOk(decide(state, { type: 'acceptDraw', gameId: state.id }, other, now + 1_000)).state;
  }
  return { state, expected };
}

describe('famous and constructed games through the referee', () => {
  it('has the games the suite promises', () => {
    expect(games.length).toBeGreaterThanOrEqual(8);
  });

  for (const { name, text } of games) {
    it(name, () => {
      const { state, expected } = replayThroughReferee(text);
      expect(state.status).toBe('ended');
      expect(state.fen).toBe(expected.fen);
      expect(state.result).toBe(expected.headers.Result);
      expect(state.termination).toBe(expected.headers.PlazaTermination);

      // Every ply's FEN, as the board UI steps through the game.
      const chess = new Chess(expected.initialFen);
      expect(expectOk(fenAt(state, 0))).toBe(chess.fen());
      for (const [ply, move] of expected.moves.entries()) {
        chess.move(move.san);
        expect(expectOk(fenAt(state, ply + 1))).toBe(chess.fen());
      }

      // Export, and chess.js reads back the same game with one clock comment per move.
      const pgn = toPgn(state, { date: Date.UTC(2025, 0, 31, 23, 59) });
      const back = expectOk(loadPgn(pgn));
      expect(back.moves).toEqual(expected.moves);
      expect(back.fen).toBe(expected.fen);
      expect(back.headers).toMatchObject({ Result: expected.headers.Result, TimeControl: '600+0', Date: '2025.01.31' });
      if (expected.initialFen !== STANDARD_FEN) expect(back.headers).toMatchObject({ SetUp: '1', FEN: expected.initialFen });
      const reader = new Chess();
      reader.loadPgn(pgn);
      const clocks = reader.getComments().map((c) => c.comment.trim());
      expect(clocks).toHaveLength(expected.moves.length);
      expect(clocks.every((c) => /^\[%clk \d+:\d\d:\d\d\]$/.test(c))).toBe(true);

      // The finished game survives JSON (Yjs, RxDB) and decodes as valid.
      const decoded = expectOk(parseGameState(JSON.parse(JSON.stringify(state))));
      expect(decoded).toEqual(state);
    });
  }

  it('covers the rules the suite is meant to exercise', () => {
    const seen = new Set<string>();
    for (const { text } of games) {
      const reader = new Chess();
      reader.loadPgn(text);
      seen.add(`end:${reader.getHeaders().PlazaTermination}`);
      for (const move of reader.history({ verbose: true })) {
        if (move.isEnPassant()) seen.add(`en-passant:${move.color}`);
        if (move.isKingsideCastle()) seen.add('O-O');
        if (move.isQueensideCastle()) seen.add('O-O-O');
        if (move.promotion !== undefined) seen.add(move.promotion === 'q' ? 'promotion' : 'underpromotion');
      }
    }
    for (const feature of [
      'en-passant:w',
      'en-passant:b',
      'O-O',
      'O-O-O',
      'promotion',
      'underpromotion',
      'end:checkmate',
      'end:stalemate',
      'end:threefold-repetition',
      'end:fifty-move-rule',
      'end:insufficient-material',
      'end:resignation',
      'end:draw-agreement',
    ]) {
      expect(seen, feature).toContain(feature);
    }
  });
});
