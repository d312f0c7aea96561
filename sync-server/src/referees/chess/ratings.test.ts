/**
 * After the game: ratings for rated games between accounts (and only those), and rematches.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { rateGame, DEFAULT_RATING } from '../../../../shared/domain/chess/glicko2.ts';
import { readStandingsEntry, STANDINGS_RATINGS } from '../../../../shared/sync/layouts/chess.ts';
import { roomNames } from '../../../../shared/sync/rooms.ts';
import type { RunningServer } from '../../server.ts';
import { eventually, startTestServer } from '../../test-support/harness.ts';
import { CHESS_TEST_CONFIG, Player, playMoves, record, startGame, storedDoc, storedGame } from './test-support/players.ts';

let server: RunningServer;
const players: Player[] = [];
afterEach(async () => {
  for (const player of players.splice(0)) player.destroy();
  await server?.close();
});

async function join(role: 'member' | 'guest' = 'member', name?: string): Promise<Player> {
  const player = await Player.join(server, 'club', role, name);
  players.push(player);
  return player;
}

async function standings() {
  const map = (await storedDoc(server, roomNames.standings('club', 'chess'))).getMap(STANDINGS_RATINGS);
  return Object.fromEntries([...map.entries()].map(([key, value]) => [key, readStandingsEntry(key, value)]));
}

const FOOLS_MATE = ['f2f3', 'e7e5', 'g2g4', 'd8h4'];

describe('ratings', () => {
  it('a rated game between accounts moves both ratings (Glicko-2, per speed); the game room shows the change', async () => {
    server = await startTestServer(CHESS_TEST_CONFIG);
    const [alice, bob] = [await join('member', 'Alice'), await join('member', 'Bob')];
    const gameId = await startGame(alice, bob, { timeControl: '3+2', rated: true });
    expect(await storedGame(server, 'club', gameId)).toMatchObject({ rated: true, white: { rating: 1500 }, black: { rating: 1500 } });
    await playMoves(alice, bob, gameId, FOOLS_MATE);
    const expected = rateGame(DEFAULT_RATING, DEFAULT_RATING, '0-1');
    // Ratings follow the end of the game at once, in their own step.
    await eventually(async () => expect((await storedGame(server, 'club', gameId)).ratingChange).not.toBeNull());
    const table = await standings();
    expect(table[bob.id]).toMatchObject({ ok: true, value: { displayName: 'Bob', perfs: { blitz: { rating: expected.black.rating, rd: expected.black.rd, games: 1, wins: 1, losses: 0, draws: 0 } } } });
    expect(table[alice.id]).toMatchObject({ ok: true, value: { perfs: { blitz: { rating: expected.white.rating, games: 1, losses: 1 } } } });
    const game = await storedGame(server, 'club', gameId);
    expect(game.ratingChange).toEqual({ white: { before: 1500, after: expected.white.rating }, black: { before: 1500, after: expected.black.rating } });

    // The next rated game carries the new ratings; a casual one leaves them alone.
    const next = await startGame(bob, alice, { timeControl: '3+2', rated: true });
    expect((await storedGame(server, 'club', next)).white.rating).toBe(Math.round(expected.black.rating));
    await bob.act('chess.abort', { gameId: next });
    const casual = await startGame(alice, bob, { timeControl: '3+2' });
    await playMoves(alice, bob, casual, FOOLS_MATE);
    await eventually(async () => expect(server.runner.armedDeadlines().filter((deadline) => deadline.kind === 'finish')).toEqual([]));
    expect(await standings()).toEqual(table);
    expect((await storedGame(server, 'club', casual)).ratingChange).toBeNull();
  });

  it('guests play casual games, which leave the standings untouched', async () => {
    server = await startTestServer(CHESS_TEST_CONFIG);
    const [alice, guest] = [await join(), await join('guest')];
    const gameId = await startGame(alice, guest);
    await playMoves(alice, guest, gameId, FOOLS_MATE);
    expect((await storedGame(server, 'club', gameId)).result).toBe('0-1');
    await eventually(async () => expect(server.runner.armedDeadlines().filter((deadline) => deadline.kind === 'finish')).toEqual([]));
    expect(await standings()).toEqual({});
  });
});

describe('rematch', () => {
  it('one offers, the other accepts: a new game with colours swapped; both see its id', async () => {
    server = await startTestServer(CHESS_TEST_CONFIG);
    const [alice, bob] = [await join(), await join()];
    const gameId = await startGame(alice, bob, { timeControl: '5+0', rated: true });
    const aliceView = await alice.game(gameId);
    const bobView = await bob.game(gameId);
    expect(await alice.act('chess.rematch', { gameId })).toMatchObject({ status: 'rejected', reason: { code: 'game-not-over' } });
    await playMoves(alice, bob, gameId, FOOLS_MATE);

    expect(await alice.act('chess.rematch', { gameId })).toMatchObject({ status: 'accepted', result: { offered: true } });
    expect(await alice.act('chess.rematch', { gameId })).toMatchObject({ status: 'rejected', reason: { code: 'rematch-already-offered' } });
    await eventually(() => expect(record(bobView).rematch).toMatchObject({ status: 'offered', by: 'white' }));
    expect(await bob.act('chess.declineRematch', { gameId })).toMatchObject({ status: 'accepted' });
    await eventually(() => expect(record(aliceView).rematch).toMatchObject({ status: 'declined', by: 'black' }));

    // Asking again after a refusal is a new offer; the other asking too starts the game.
    expect(await bob.act('chess.rematch', { gameId })).toMatchObject({ status: 'accepted', result: { offered: true } });
    const started = await alice.act('chess.rematch', { gameId });
    expect(started).toMatchObject({ status: 'accepted', result: { gameId: expect.any(String), color: 'black' } });
    const nextId = (started.result as { gameId: string }).gameId;
    await eventually(() => expect(record(bobView).rematch).toMatchObject({ status: 'accepted', nextGameId: nextId }));
    const next = await storedGame(server, 'club', nextId);
    expect(next).toMatchObject({ white: { userId: bob.id }, black: { userId: alice.id }, rated: true, timeControl: { initialMs: 300_000, incrementMs: 0 }, status: 'waiting-first-move' });
    expect(next.white.rating).toBeGreaterThan(1500);
    expect(await bob.act('chess.rematch', { gameId })).toMatchObject({ status: 'rejected', reason: { code: 'rematch-done' }, result: { gameId: nextId } });
  });

  it('an offer is called off when a player leaves the board, and needs the opponent there', async () => {
    server = await startTestServer(CHESS_TEST_CONFIG);
    const [alice, bob, carol] = [await join(), await join(), await join()];
    const gameId = await startGame(alice, bob);
    await alice.game(gameId);
    const bobView = await bob.game(gameId);
    await playMoves(alice, bob, gameId, FOOLS_MATE);
    expect(await carol.act('chess.rematch', { gameId })).toMatchObject({ status: 'rejected', reason: { code: 'not-a-player' } });
    expect(await alice.act('chess.rematch', { gameId })).toMatchObject({ status: 'accepted' });
    alice.close(roomNames.chessGame('club', gameId));
    await eventually(() => expect(record(bobView).rematch).toMatchObject({ status: 'cancelled', by: 'white' }));
    expect(await bob.act('chess.rematch', { gameId })).toMatchObject({ status: 'rejected', reason: { code: 'opponent-left' } });
  });
});
