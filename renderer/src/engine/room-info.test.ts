/**
 * A spectator's replica of a chess game room against a real server: the server's live facts
 * about the room (the people and sockets in it, what a spectators' count is made of), kept
 * current as people come and go and dropped while this client is not connected, so that a stale
 * count is never shown; and reconnecting to a room it may only read keeps what it holds.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { roomNames } from '../../../shared/sync/rooms.ts';
import { CHESS_TEST_CONFIG, Player, playMoves, record, startGame } from '../../../sync-server/src/referees/chess/test-support/players.ts';
import type { RunningServer } from '../../../sync-server/src/server.ts';
import { addUser, connectClient, destroyAll, eventually, startTestServer, whenSynced } from '../../../sync-server/src/test-support/harness.ts';
import { fixedToken, startEngine, type Engine } from './test-support/engine-harness.ts';

let server: RunningServer;
let engine: Engine | null = null;
const players: Player[] = [];
afterEach(async () => {
  for (const player of players.splice(0)) player.destroy();
  await engine?.close();
  engine = null;
  await server?.close();
});

async function spectate(): Promise<{ spectator: Engine; replica: Awaited<ReturnType<Engine['client']['open']>>; alice: Player; bob: Player; room: string; gameId: string }> {
  const alice = await Player.join(server, 'club');
  const bob = await Player.join(server, 'club');
  players.push(alice, bob);
  const gameId = await startGame(alice, bob);
  await Promise.all([alice.game(gameId), bob.game(gameId)]);
  const room = roomNames.chessGame('club', gameId);
  const carol = await addUser(server, 'club', 'member', 'Carol');
  const spectator = await startEngine({ serverUrl: server.url, principal: { tenant: 'club', user: carol.id, role: 'member' }, tokens: fixedToken(carol.token) });
  engine = spectator;
  return { spectator, replica: await spectator.client.open(room), alice, bob, room, gameId };
}

describe('a spectator of a game room', () => {
  it('a spectator learns who is in a game room: people once however many tabs, current as they come and go, none while offline', async () => {
    server = await startTestServer(CHESS_TEST_CONFIG);
    const { spectator, replica, alice, bob, room } = await spectate();
    await eventually(() => expect(replica.info).toMatchObject({ connections: 3, users: 3, access: 'read' }));

    // Alice opens the game in a second tab: one more socket, not one more person.
    const secondTab = connectClient(server, room, alice.user.token);
    await whenSynced(secondTab.provider);
    await eventually(() => expect(replica.info).toMatchObject({ connections: 4, users: 3 }));
    destroyAll(secondTab.provider);
    bob.close(room);
    await eventually(() => expect(replica.info).toMatchObject({ connections: 2, users: 2 }));

    spectator.network.set(false);
    expect(replica.info).toBeNull();
    spectator.network.set(true);
    await eventually(() => expect(replica.info).toMatchObject({ connections: 2, users: 2 }));
  });

  it('reconnects to a room it may only read without being taken for a writer: its doc and what it stored are kept', async () => {
    server = await startTestServer(CHESS_TEST_CONFIG);
    const { spectator, replica, alice, bob, gameId } = await spectate();
    // Moves overwrite the game's fields, so the spectator's doc holds deletions, which every sync step 2 carries.
    await playMoves(alice, bob, gameId, ['e2e4', 'e7e5']);
    await eventually(() => expect(record(replica.doc).moves).toHaveLength(2));
    const held = replica.doc;
    spectator.network.set(false);
    spectator.network.set(true);
    await eventually(() => expect(replica.state).toBe('synced'));
    await playMoves(alice, bob, gameId, ['g1f3'], 2);
    await eventually(() => expect(record(replica.doc).moves).toHaveLength(3));
    expect(spectator.client.violations$.value).toEqual([]);
    expect(replica.doc).toBe(held);
  });
});
