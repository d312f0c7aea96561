/**
 * The lobby over real intents: quick pairing (guests too), challenge links, cancelling, seeks
 * that vanish with their creator, the live-games directory, and who may open which room.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { CLOSE } from '../../../../shared/sync/close-codes.ts';
import { readLobby, type LiveGameEntry } from '../../../../shared/sync/layouts/chess.ts';
import { roomNames } from '../../../../shared/sync/rooms.ts';
import type { RunningServer } from '../../server.ts';
import { eventually, rawClient, startTestServer } from '../../test-support/harness.ts';
import { CHESS_TEST_CONFIG, Player, playMoves, record, startGame, storedDoc, storedGame } from './test-support/players.ts';

let server: RunningServer;
const players: Player[] = [];
afterEach(async () => {
  for (const player of players.splice(0)) player.destroy();
  await server?.close();
});

async function join(role: 'member' | 'guest' = 'member', name?: string, tenant = 'club'): Promise<Player> {
  const player = await Player.join(server, tenant, role, name);
  players.push(player);
  return player;
}

async function storedLobby() {
  return readLobby(await storedDoc(server, roomNames.lobby('club')));
}

describe('the lobby', () => {
  it('pairs two guests who pick the same control; the first one learns the game from the directory', async () => {
    server = await startTestServer(CHESS_TEST_CONFIG);
    const [gina, gus] = [await join('guest', 'Gina'), await join('guest', 'Gus')];
    const ginaLobby = await gina.lobby();
    await gus.lobby();
    const posted = await gina.act('chess.seek', { timeControl: '3+2' });
    expect(posted).toMatchObject({ status: 'accepted', result: { seekId: expect.any(String) } });
    const { seekId } = posted.result as { seekId: string };
    await eventually(() => expect(readLobby(ginaLobby).seeks.map((seek) => seek.id)).toEqual([seekId]));
    expect(readLobby(ginaLobby).seeks[0]).toMatchObject({ creator: { displayName: 'Gina', kind: 'guest', rating: null }, timeControl: { initialMs: 180_000, incrementMs: 2_000 }, rated: false, visibility: 'lobby' });

    // A different control does not pair; the same one does.
    const other = await gus.act('chess.seek', { timeControl: '5+0' });
    expect(other.result).toEqual({ seekId: expect.any(String) });
    const paired = await gus.act('chess.seek', { timeControl: '3+2' });
    expect(paired).toMatchObject({ status: 'accepted', result: { gameId: expect.any(String), color: expect.stringMatching(/^(white|black)$/) } });
    const { gameId } = paired.result as { gameId: string };

    await eventually(() => {
      const lobby = readLobby(ginaLobby);
      expect(lobby.seeks).toEqual([]);
      expect(lobby.games.map((game: LiveGameEntry) => [game.id, game.fromSeek])).toEqual([[gameId, seekId]]);
    });
    const game = record(await gina.game(gameId));
    expect(game).toMatchObject({ status: 'waiting-first-move', rated: false, speed: 'blitz', kinds: { white: 'guest', black: 'guest' } });
    expect([game.white.userId, game.black.userId].sort()).toEqual([gina.id, gus.id].sort());
    expect(await gina.act('chess.seek', { timeControl: '3+2', rated: true })).toMatchObject({ status: 'rejected', reason: { code: 'guests-play-casual' } });
  });

  it('a challenge link can be joined by anyone (a guest too), once, and not by its creator', async () => {
    server = await startTestServer(CHESS_TEST_CONFIG);
    const [alice, guest, late] = [await join('member', 'Alice'), await join('guest'), await join('guest')];
    await alice.lobby();
    const posted = await alice.act('chess.seek', { timeControl: '10+0', color: 'black', visibility: 'link' });
    const { seekId } = posted.result as { seekId: string };
    expect(await alice.act('chess.acceptSeek', { seekId })).toMatchObject({ status: 'rejected', reason: { code: 'own-seek' } });
    // A link challenge is never taken by quick pairing.
    expect((await guest.act('chess.seek', { timeControl: '10+0' })).result).toEqual({ seekId: expect.any(String) });
    const joined = await guest.act('chess.acceptSeek', { seekId });
    expect(joined).toMatchObject({ status: 'accepted', result: { color: 'white' } });
    const { gameId } = joined.result as { gameId: string };
    expect(await storedGame(server, 'club', gameId)).toMatchObject({ white: { userId: guest.id }, black: { userId: alice.id, displayName: 'Alice' }, kinds: { white: 'guest', black: 'account' } });
    expect(await late.act('chess.acceptSeek', { seekId })).toMatchObject({ status: 'rejected', reason: { code: 'no-such-seek' } });
    // Both players' other seeks went with the start of the game.
    expect((await storedLobby()).seeks).toEqual([]);

    const rated = await alice.act('chess.seek', { timeControl: '10+0', rated: true, visibility: 'link' });
    expect(await late.act('chess.acceptSeek', { seekId: (rated.result as { seekId: string }).seekId })).toMatchObject({ status: 'rejected', reason: { code: 'guests-play-casual' } });
  });

  it('a seek goes when its creator leaves the lobby, or never comes, or cancels it', async () => {
    server = await startTestServer(CHESS_TEST_CONFIG);
    const [alice, bob, carol] = [await join(), await join(), await join()];
    const lobbyRoom = roomNames.lobby('club');
    const watching = await carol.lobby();
    await alice.lobby();
    await alice.act('chess.seek', { timeControl: '5+0' });
    await alice.act('chess.seek', { timeControl: { initialMs: 420_000, incrementMs: 5_000 }, color: 'white', visibility: 'link' });
    await eventually(() => expect(readLobby(watching).seeks).toHaveLength(2));
    alice.close(lobbyRoom);
    await eventually(() => expect(readLobby(watching).seeks).toEqual([]));

    // Bob seeks without ever opening the lobby: gone after the grace (1 s here).
    await bob.act('chess.seek', { timeControl: '5+0' });
    await eventually(() => expect(readLobby(watching).seeks).toHaveLength(1));
    await eventually(() => expect(readLobby(watching).seeks).toEqual([]), 4_000);

    // Carol stays: her seek stays past the grace, until she cancels it.
    const posted = await carol.act('chess.seek', { timeControl: '1+0' });
    const { seekId } = posted.result as { seekId: string };
    await new Promise((resolve) => setTimeout(resolve, 2_300));
    expect(readLobby(watching).seeks.map((seek) => seek.id)).toEqual([seekId]);
    expect(await bob.act('chess.cancelSeek', { seekId })).toMatchObject({ status: 'rejected', reason: { code: 'no-such-seek' } });
    expect(await carol.act('chess.cancelSeek', { seekId })).toMatchObject({ status: 'accepted' });
    await eventually(() => expect(readLobby(watching).seeks).toEqual([]));
    expect(server.runner.armedDeadlines().filter((deadline) => deadline.kind === 'seek')).toEqual([]);
  });

  it('refuses bad time controls, bad positions and too many seeks', async () => {
    server = await startTestServer();
    const alice = await join();
    await alice.lobby();
    expect(await alice.act('chess.seek', { timeControl: '0+0' })).toMatchObject({ status: 'rejected', reason: { code: 'bad-time-control' } });
    expect(await alice.act('chess.seek', { timeControl: 'fast' })).toMatchObject({ status: 'rejected', reason: { code: 'bad-time-control' } });
    expect(await alice.act('chess.seek', { timeControl: '3+2', fen: 'nonsense' })).toMatchObject({ status: 'rejected', reason: { code: 'bad-fen' } });
    expect(await alice.act('chess.seek', { timeControl: '3+2', rated: true, fen: '4k3/8/8/8/8/8/4P3/4K3 w - - 0 1' })).toMatchObject({ status: 'rejected', reason: { code: 'rated-needs-standard-start' } });
    expect(await alice.act('chess.seek', { timeControl: '3+2', color: 'purple' } as never)).toMatchObject({ status: 'rejected', reason: { code: 'invalid' } });
    for (const control of ['1+0', '3+0', '3+2', '5+0', '10+0']) expect((await alice.act('chess.seek', { timeControl: control })).status).toBe('accepted');
    expect(await alice.act('chess.seek', { timeControl: '15+10' })).toMatchObject({ status: 'rejected', reason: { code: 'too-many-seeks' } });
    expect((await storedLobby()).seeks).toHaveLength(5);
  });

  it('lists live games for spectators and drops them when they end', async () => {
    server = await startTestServer(CHESS_TEST_CONFIG);
    const [alice, bob] = [await join(), await join()];
    const gameId = await startGame(alice, bob, { timeControl: '3+0' });
    expect((await storedLobby()).games).toMatchObject([{ id: gameId, white: { userId: alice.id }, black: { userId: bob.id }, speed: 'blitz', rated: false }]);
    await playMoves(alice, bob, gameId, ['f2f3', 'e7e5', 'g2g4', 'd8h4']);
    await eventually(async () => expect((await storedLobby()).games).toEqual([]));
  });
});

describe('who may open the chess rooms', () => {
  it('spectators and guests read the game room; only the two players open the players’ room', async () => {
    server = await startTestServer(CHESS_TEST_CONFIG);
    const [alice, bob, carol, guest] = [await join(), await join(), await join(), await join('guest')];
    const outsider = await join('member', 'Outsider', 'elsewhere');
    const gameId = await startGame(alice, bob);
    await playMoves(alice, bob, gameId, ['e2e4']);
    for (const viewer of [carol, guest]) expect(record(await viewer.game(gameId)).moves).toHaveLength(1);
    for (const player of [alice, bob]) await player.open(roomNames.chessPlayers('club', gameId));
    for (const viewer of [carol, guest]) {
      const client = rawClient(server, roomNames.chessPlayers('club', gameId), viewer.user.token);
      expect((await client.closed).code).toBe(CLOSE.forbidden.code);
    }
    const foreign = rawClient(server, roomNames.chessGame('club', gameId), outsider.user.token);
    expect((await foreign.closed).code).toBe(CLOSE.forbidden.code);
  });

  it('knows the players of a game it has not loaded since a restart', async () => {
    server = await startTestServer(CHESS_TEST_CONFIG);
    const [alice, bob, carol] = [await join(), await join(), await join()];
    const gameId = await startGame(alice, bob);
    for (const player of players.splice(0)) player.destroy();
    const dataDir = server.dataDir;
    await server.close();
    server = await startTestServer({ ...CHESS_TEST_CONFIG, dataDir });
    const again = await Player.as(server, bob.user);
    players.push(again);
    await again.open(roomNames.chessPlayers('club', gameId));
    const client = rawClient(server, roomNames.chessPlayers('club', gameId), carol.user.token);
    expect((await client.closed).code).toBe(CLOSE.forbidden.code);
  });
});
