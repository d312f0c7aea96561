/**
 * A Plaza client engine against a real server: a game played by two stock-client players lands
 * in the engine's `games` collection, finished and PGN-ready; the lobby, chat and standings land
 * in `kv` and `chat_messages`. One engine per test process (RxDB's collection cap).
 */
import { Chess } from 'chess.js';
import { afterEach, describe, expect, it } from 'vitest';
import { fenAt, toPgn } from '../../../../shared/domain/chess/pgn.ts';
import { expectOk } from '../../../../shared/domain/result.ts';
import { roomNames } from '../../../../shared/sync/rooms.ts';
import { CHESS_TEST_CONFIG, Player, playMoves } from '../../../../sync-server/src/referees/chess/test-support/players.ts';
import type { RunningServer } from '../../../../sync-server/src/server.ts';
import { addUser, eventually, startTestServer } from '../../../../sync-server/src/test-support/harness.ts';
import { fixedToken, startEngine, type Engine } from '../test-support/engine-harness.ts';
import { chessChatProjection, chessGameProjection, chessLobbyId, chessLobbyProjection, chessStandingsId, chessStandingsProjection, type ChessGameData, type ChessLobbyData, type ChessStandingsData } from './chess.ts';

let server: RunningServer;
let engine: Engine | null = null;
const players: Player[] = [];
afterEach(async () => {
  await engine?.close();
  engine = null;
  for (const player of players.splice(0)) player.destroy();
  await server?.close();
});

describe('chess projections in a client engine', () => {
  it('a finished game lands in `games` with everything needed to replay and export it', async () => {
    server = await startTestServer(CHESS_TEST_CONFIG);
    const alice = await Player.join(server, 'club', 'member', 'Alice');
    const bob = await Player.join(server, 'club', 'member', 'Bob');
    players.push(alice, bob);
    const carol = await addUser(server, 'club', 'member', 'Carol');
    engine = await startEngine({ serverUrl: server.url, principal: { tenant: 'club', user: carol.id, role: 'member' }, tokens: fixedToken(carol.token) });

    const lobby = await engine.client.open(roomNames.lobby('club'), [chessLobbyProjection]);
    await alice.lobby();
    const seek = await alice.act('chess.seek', { timeControl: '3+2', rated: true });
    await eventually(async () => {
      const row = await engine!.db.kv.findOne(chessLobbyId('club')).exec();
      expect((row?.data as unknown as ChessLobbyData | undefined)?.seeks.map((open) => open.id)).toEqual([(seek.result as { seekId: string }).seekId]);
    });
    const paired = await bob.act('chess.seek', { timeControl: '3+2', rated: true });
    const { gameId } = paired.result as { gameId: string };
    await eventually(async () => {
      const data = (await engine!.db.kv.findOne(chessLobbyId('club')).exec())?.data as unknown as ChessLobbyData;
      expect(data.seeks).toEqual([]);
      expect(data.games.map((game) => game.id)).toEqual([gameId]);
    });
    expect(lobby.doc).toBeDefined();

    const room = roomNames.chessGame('club', gameId);
    await engine.client.open(room, [chessGameProjection, chessChatProjection]);
    await engine.client.open(roomNames.standings('club', 'chess'), [chessStandingsProjection]);
    await eventually(async () => expect((await engine!.db.games.findOne(gameId).exec())?.get('status')).toBe('waiting-first-move'));

    const [white, black] = ((await engine.db.games.findOne(gameId).exec())!.data as unknown as ChessGameData).white.userId === alice.id ? [alice, bob] : [bob, alice];
    await white.act('chess.chat', { gameId, channel: 'spectators', text: 'hello, watchers' });
    await playMoves(white, black, gameId, ['e2e4', 'e7e5', 'f1c4', 'b8c6', 'd1h5', 'g8f6', 'h5f7']);

    // The end and the rating are two writes of one decision: wait for both.
    await eventually(async () => {
      const ended = await engine!.db.games.findOne(gameId).exec();
      expect(ended?.get('status')).toBe('ended');
      expect((ended?.data as unknown as ChessGameData | undefined)?.ratingChange).not.toBeNull();
    });
    const row = (await engine.db.games.findOne(gameId).exec())!;
    expect(row.room).toBe(room);
    const data = row.data as unknown as ChessGameData;
    expect(data).toMatchObject({ result: '1-0', termination: 'checkmate', rated: true, speed: 'blitz', timeControl: { initialMs: 180_000, incrementMs: 2_000 } });
    expect(data.moves.map((move) => move.san)).toEqual(['e4', 'e5', 'Bc4', 'Nc6', 'Qh5', 'Nf6', 'Qxf7#']);
    expect(data.ratingChange?.white.after).toBeGreaterThan(1500);
    // Replay offline, ply by ply.
    const chess = new Chess();
    for (const [ply, move] of data.moves.entries()) {
      chess.move(move.san);
      expect(expectOk(fenAt(data, ply + 1))).toBe(chess.fen());
    }
    // PGN: stored with the record, and the same as exporting the record again.
    expect(data.pgn).toBe(toPgn(data));
    const reader = new Chess();
    reader.loadPgn(data.pgn!);
    expect(reader.fen()).toBe(data.fen);
    expect(reader.getHeaders()).toMatchObject({ White: white === alice ? 'Alice' : 'Bob', Result: '1-0', TimeControl: '180+2', Termination: 'Normal' });
    expect(reader.getComments()).toHaveLength(7);

    await eventually(async () => {
      const messages = await engine!.db.chat_messages.find({ selector: { room }, sort: [{ updatedAt: 'asc' }] }).exec();
      expect(messages.map((message) => message.data.text)).toEqual(['hello, watchers']);
      const standings = (await engine!.db.kv.findOne(chessStandingsId('club')).exec())?.data as unknown as ChessStandingsData | undefined;
      expect(standings?.entries.map((entry) => entry.userId).sort()).toEqual([alice.id, bob.id].sort());
    });
  });
});
