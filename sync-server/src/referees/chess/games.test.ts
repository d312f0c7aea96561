/**
 * Whole games through intents: every PGN in `shared/domain/chess/testdata/` is replayed as move
 * intents from the two players' outboxes (set-up positions through `fen` seeks), ended as its
 * `PlazaTermination` tag says, and the final position, result and exported PGN are checked
 * against chess.js.
 */
import { Chess } from 'chess.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPgn } from '../../../../shared/domain/chess/engine.ts';
import { toPgn } from '../../../../shared/domain/chess/pgn.ts';
import { STANDARD_FEN } from '../../../../shared/domain/chess/types.ts';
import { expectOk } from '../../../../shared/domain/result.ts';
import type { RunningServer } from '../../server.ts';
import { startTestServer } from '../../test-support/harness.ts';
import { CHESS_TEST_CONFIG, Player, playMoves, startGame, storedGame } from './test-support/players.ts';

const files = import.meta.glob<string>('../../../../shared/domain/chess/testdata/*.pgn', { query: '?raw', import: 'default', eager: true });
const games = Object.entries(files).map(([path, text]) => ({ name: path.replace(/^.*\//, ''), text }));

let server: RunningServer;
let white: Player;
let black: Player;
beforeAll(async () => {
  server = await startTestServer(CHESS_TEST_CONFIG);
  white = await Player.join(server, 'club', 'member', 'White "the first"');
  black = await Player.join(server, 'club', 'member', 'Black');
});
afterAll(async () => {
  white?.destroy();
  black?.destroy();
  await server?.close();
});

describe('testdata games played through intents', () => {
  it('covers the endings and moves the issue asks for', () => {
    const names = games.map((game) => game.name);
    for (const name of ['fools-mate.pgn', 'loyd-stalemate.pgn', 'lasker-trap.pgn', 'en-passant-castling.pgn', 'threefold-repetition.pgn', 'promotion-insufficient-material.pgn']) {
      expect(names).toContain(name);
    }
  });

  for (const { name, text } of games) {
    it(name, async () => {
      const expected = expectOk(loadPgn(text));
      const fen = expected.initialFen === STANDARD_FEN ? undefined : expected.initialFen;
      const gameId = await startGame(white, black, { timeControl: '10+0', ...(fen === undefined ? {} : { fen }) });
      await playMoves(white, black, gameId, expected.moves.map((move) => move.uci));
      const ending = expected.headers.PlazaTermination;
      if (ending === 'resignation') {
        const loser = expected.headers.Result === '1-0' ? black : white;
        expect(await loser.act('chess.resign', { gameId })).toMatchObject({ status: 'accepted' });
      } else if (ending === 'draw-agreement') {
        const toMove = expected.moves.length % 2 === 0 ? white : black;
        const other = toMove === white ? black : white;
        expect(await toMove.act('chess.offerDraw', { gameId })).toMatchObject({ status: 'accepted' });
        expect(await other.act('chess.acceptDraw', { gameId })).toMatchObject({ status: 'accepted' });
      }

      const game = await storedGame(server, 'club', gameId);
      expect(game.status).toBe('ended');
      expect(game.fen).toBe(expected.fen);
      expect(game.result).toBe(expected.headers.Result);
      expect(game.termination).toBe(ending);
      expect(game.moves.map((move) => move.san)).toEqual(expected.moves.map((move) => move.san));

      const pgn = toPgn(game, { site: 'Plaza test' });
      const reader = new Chess();
      reader.loadPgn(pgn);
      expect(reader.fen()).toBe(expected.fen);
      expect(reader.getHeaders()).toMatchObject({
        Event: 'Casual rapid game',
        Site: 'Plaza test',
        White: "White 'the first'",
        Black: 'Black',
        Result: expected.headers.Result,
        TimeControl: '600+0',
        Termination: ending === 'resignation' ? 'Normal' : expect.any(String),
      });
      expect(reader.getHeaders().Date).toMatch(/^\d{4}\.\d\d\.\d\d$/);
      const clocks = reader.getComments().map((comment) => comment.comment.trim());
      expect(clocks).toHaveLength(expected.moves.length);
      expect(clocks.every((clock) => /^\[%clk 0:(09|10):\d\d\]$/.test(clock))).toBe(true);
    });
  }
});
