/**
 * A chess game whose players sit on different server processes (one Postgres, one Redis): every
 * move is written through the player's own process, decided by whichever process holds the chess
 * queue, and reaches both players; the game ends in mate with clocks charged from the server's
 * receipt times (never more than the time that really passed, increments added). The people in
 * a game room (what its viewer count is made of) are counted across processes.
 */
import * as decoding from 'lib0/decoding';
import { afterEach, describe, expect, it } from 'vitest';
import type { ChessGameRecord } from '../../../shared/sync/layouts/chess.ts';
import { MESSAGE, type RoomInfo } from '../../../shared/sync/protocol.ts';
import { roomNames } from '../../../shared/sync/rooms.ts';
import { Player, playMoves, record, startGame } from '../referees/chess/test-support/players.ts';
import { connectClient, eventually, whenSynced } from '../test-support/harness.ts';
import { startServerCluster, type ServerCluster } from '../test-support/server-cluster.ts';

const TENANT = 'default';
const INITIAL_MS = 60_000;
const INCREMENT_MS = 2_000;
const SCHOLARS_MATE = ['e2e4', 'e7e5', 'f1c4', 'b8c6', 'd1h5', 'g8f6', 'h5f7'];

const cleanup: Array<() => Promise<unknown> | unknown> = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await Promise.resolve(step()).catch(() => undefined);
});

async function playerOn(cluster: ServerCluster, index: number, name: string): Promise<Player> {
  const { user } = (await cluster.admin('/api/admin/users', { tenant: TENANT, displayName: name, role: 'member' }, index)) as { user: { id: string } };
  const { token } = (await cluster.admin('/api/admin/tokens', { tenant: TENANT, user: user.id, ttlSeconds: 3600 }, index)) as { token: string };
  const player = await Player.as({ url: cluster.url(index) }, { id: user.id, tenant: TENANT, role: 'member', token });
  cleanup.push(() => player.destroy());
  return player;
}

describe('chess across two server processes', () => {
  it('players on different processes play to mate; both see every move and the clocks are charged from server time', { timeout: 180_000 }, async () => {
    const cluster = await startServerCluster({ mode: 'cluster', processes: 2 });
    cleanup.push(() => cluster.close());
    const white = await playerOn(cluster, 0, 'White on process 0');
    const black = await playerOn(cluster, 1, 'Black on process 1');

    const gameId = await startGame(white, black, { timeControl: { initialMs: INITIAL_MS, incrementMs: INCREMENT_MS } });
    const room = roomNames.chessGame(TENANT, gameId);
    const [whiteView, blackView] = [await white.open(room), await black.open(room)];
    const started = Date.now();
    await playMoves(white, black, gameId, SCHOLARS_MATE);
    const wallMs = Date.now() - started;

    let final: ChessGameRecord | undefined;
    await eventually(() => {
      final = record(whiteView);
      expect(final).toMatchObject({ status: 'ended', result: '1-0', termination: 'checkmate' });
      expect(record(blackView)).toEqual(final);
    }, 20_000);
    const game = final!;
    expect(game.white.userId).toBe(white.id);
    expect(game.black.userId).toBe(black.id);
    expect(game.moves.map((move) => move.uci)).toEqual(SCHOLARS_MATE);
    expect(game.moves.at(-1)!.san).toBe('Qxf7#');

    // Server receipt times only move forward, and the game took no longer than the test watched.
    const times = game.moves.map((move) => move.at);
    expect([...times].sort((a, b) => a - b)).toEqual(times);
    expect(times.at(-1)! - times[0]!).toBeLessThanOrEqual(wallMs);

    // The clocks start after both first moves (lichess's rule). From then on each side's clock is
    // never more than before plus the increment, and never charged more than the time since the
    // opponent's move (lag compensation may only give time back).
    expect(game.moves.slice(0, 2).map((move) => move.clockMs)).toEqual([INITIAL_MS, INITIAL_MS]);
    const previous = { white: INITIAL_MS, black: INITIAL_MS };
    for (const [ply, move] of game.moves.entries()) {
      if (ply < 2) continue;
      const side = ply % 2 === 0 ? 'white' : 'black';
      const label = `ply ${ply + 1} ${move.san}`;
      expect(move.clockMs, label).toBeLessThanOrEqual(previous[side] + INCREMENT_MS);
      // The mating move ends the game before an increment is earned.
      const increment = ply === game.moves.length - 1 ? 0 : INCREMENT_MS;
      expect(move.clockMs, label).toBeGreaterThanOrEqual(previous[side] + increment - (move.at - game.moves[ply - 1]!.at));
      previous[side] = move.clockMs;
    }
    expect(previous.white).toBeLessThan(INITIAL_MS + 2 * INCREMENT_MS);
    expect(game.clock.running).toBeNull();
    expect(game.clock.white.remainingMs).toBe(previous.white);
    expect(game.clock.black.remainingMs).toBe(previous.black);
  });

  it('a player on one process counts a spectator connected through another, until the spectator leaves or that process stops', { timeout: 180_000 }, async () => {
    const cluster = await startServerCluster({ mode: 'cluster', processes: 2 });
    cleanup.push(() => cluster.close());
    const white = await playerOn(cluster, 0, 'White on process 0');
    const black = await playerOn(cluster, 1, 'Black on process 1');
    const gameId = await startGame(white, black);
    const room = roomNames.chessGame(TENANT, gameId);
    await Promise.all([white.open(room), black.open(room)]);

    // White's second socket to the room, through process 0, records the room facts it is sent.
    const whiteSeat = connectClient({ url: cluster.url(0) }, room, white.user.token);
    const infos: RoomInfo[] = [];
    whiteSeat.provider.messageHandlers[MESSAGE.roomInfo] = (_encoder, decoder) => {
      infos.push(JSON.parse(decoding.readVarString(decoder)) as RoomInfo);
    };
    cleanup.push(() => whiteSeat.provider.destroy());
    await whenSynced(whiteSeat.provider);
    const latest = () => infos.at(-1);
    // Black sits on process 1: a person in the room, not a socket of process 0.
    await eventually(() => expect(latest()).toMatchObject({ users: 2, connections: 2 }));

    const { user } = (await cluster.admin('/api/admin/users', { tenant: TENANT, displayName: 'Carol watching', role: 'member' }, 1)) as { user: { id: string } };
    const { token } = (await cluster.admin('/api/admin/tokens', { tenant: TENANT, user: user.id, ttlSeconds: 3600 }, 1)) as { token: string };
    const spectator = connectClient({ url: cluster.url(1) }, room, token);
    cleanup.push(() => spectator.provider.destroy());
    await whenSynced(spectator.provider);
    await eventually(() => expect(latest()).toMatchObject({ users: 3, connections: 2 }));

    spectator.provider.destroy();
    await eventually(() => expect(latest()).toMatchObject({ users: 2, connections: 2 }));

    // Process 1 stops (black's sockets with it): the people it held count no more.
    await cluster.servers[1]!.stop();
    await eventually(() => expect(latest()).toMatchObject({ users: 1, connections: 2 }));
  });
});
