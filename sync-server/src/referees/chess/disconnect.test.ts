/**
 * Players who leave: a countdown the opponent sees, cleared by coming back in time, a forfeit
 * (or a draw against a bare king) when it runs out on the leaver's turn; and a server restart
 * during a game, whose downtime is not charged to anyone's clock.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { roomNames } from '../../../../shared/sync/rooms.ts';
import type { RunningServer } from '../../server.ts';
import { eventually, startTestServer } from '../../test-support/harness.ts';
import { CHESS_TEST_CONFIG, Player, playMoves, record, startGame, storedGame } from './test-support/players.ts';

let server: RunningServer;
const players: Player[] = [];
afterEach(async () => {
  for (const player of players.splice(0)) player.destroy();
  await server?.close();
});

async function join(): Promise<Player> {
  const player = await Player.join(server, 'club');
  players.push(player);
  return player;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const MINUTE = { initialMs: 60_000, incrementMs: 0 };

describe('disconnects (grace 2 s)', () => {
  it('a player back in time plays on, and the clock ran on meanwhile', async () => {
    server = await startTestServer(CHESS_TEST_CONFIG);
    const [alice, bob] = [await join(), await join()];
    const gameId = await startGame(alice, bob, { timeControl: MINUTE });
    const room = roomNames.chessGame('club', gameId);
    await alice.game(gameId);
    const seen = await bob.game(gameId);
    // Players are told this grace before anyone leaves.
    expect(record(seen).disconnectGraceMs).toBe(2_000);
    await playMoves(alice, bob, gameId, ['e2e4', 'e7e5']);
    await eventually(() => expect(record(seen).clock.turnStartedAt).not.toBeNull());
    const turnStart = record(seen).clock.turnStartedAt!;

    alice.close(room);
    await eventually(() => expect(record(seen).disconnect.white).not.toBeNull());
    const away = record(seen).disconnect.white!;
    expect(away.deadline - away.disconnectedAt).toBe(2_000);
    await sleep(800);
    await alice.game(gameId);
    await eventually(() => expect(record(seen).disconnect.white).toBeNull());
    await sleep(1_700);
    expect(record(seen).status).toBe('active');

    await playMoves(alice, bob, gameId, ['g1f3'], 2);
    await eventually(() => expect(record(seen).moves).toHaveLength(3));
    const game = record(seen);
    const charged = 60_000 - game.clock.white.remainingMs;
    const elapsed = game.moves[2]!.at - turnStart;
    expect(elapsed).toBeGreaterThan(2_500);
    expect(charged).toBeGreaterThan(elapsed - 20);
    expect(charged).toBeLessThanOrEqual(elapsed);
    expect(server.runner.armedDeadlines().filter((deadline) => deadline.kind === 'disconnect')).toEqual([]);
  });

  it('a player not back in time loses on their turn', async () => {
    server = await startTestServer(CHESS_TEST_CONFIG);
    const [alice, bob] = [await join(), await join()];
    const gameId = await startGame(alice, bob, { timeControl: MINUTE });
    await alice.game(gameId);
    const seen = await bob.game(gameId);
    await playMoves(alice, bob, gameId, ['e2e4', 'e7e5']);
    alice.close(roomNames.chessGame('club', gameId));
    await eventually(() => expect(record(seen).disconnect.white).not.toBeNull());
    const away = record(seen).disconnect.white!;
    await eventually(() => expect(record(seen)).toMatchObject({ status: 'ended', result: '0-1', termination: 'abandoned' }), 5_000);
    expect(record(seen).endedAt!).toBeGreaterThanOrEqual(away.deadline);
    expect(record(seen).disconnect).toEqual({ white: null, black: null });
  });

  it('a leaver whose opponent is to move forfeits as soon as it is their turn again', async () => {
    server = await startTestServer(CHESS_TEST_CONFIG);
    const [alice, bob] = [await join(), await join()];
    const gameId = await startGame(alice, bob, { timeControl: MINUTE });
    await alice.game(gameId);
    const seen = await bob.game(gameId);
    await playMoves(alice, bob, gameId, ['e2e4', 'e7e5', 'g1f3']);
    alice.close(roomNames.chessGame('club', gameId));
    await eventually(() => expect(record(seen).disconnect.white).not.toBeNull());
    await sleep(2_300);
    expect(record(seen).status).toBe('active');
    await playMoves(bob, alice, gameId, ['b8c6'], 3);
    await eventually(() => expect(record(seen)).toMatchObject({ status: 'ended', result: '0-1', termination: 'abandoned' }));
  });

  it('a leaver who could still lose only on the board draws when the opponent has a bare king', async () => {
    server = await startTestServer(CHESS_TEST_CONFIG);
    const [alice, bob] = [await join(), await join()];
    const gameId = await startGame(alice, bob, { timeControl: MINUTE, fen: '4k3/8/8/8/8/8/4P3/4K3 w - - 0 1' });
    await alice.game(gameId);
    const seen = await bob.game(gameId);
    await playMoves(alice, bob, gameId, ['e1d1', 'e8d8']);
    alice.close(roomNames.chessGame('club', gameId));
    await eventually(() => expect(record(seen)).toMatchObject({ status: 'ended', result: '1/2-1/2', termination: 'abandoned-vs-insufficient-material' }), 5_000);
  });
});

describe('a server restart during a game', () => {
  it('does not charge the downtime: clocks and deadlines move by it', async () => {
    const config = { ...CHESS_TEST_CONFIG, chessDisconnectGraceMs: 10_000 };
    server = await startTestServer(config);
    const alice = await join();
    const bob = await join();
    const gameId = await startGame(alice, bob, { timeControl: { initialMs: 20_000, incrementMs: 0 } });
    await playMoves(alice, bob, gameId, ['e2e4', 'e7e5']);
    const before = await storedGame(server, 'club', gameId);
    const flagAt = server.runner.armedDeadlines().find((deadline) => deadline.kind === 'clock')!.fireAt;
    for (const player of players.splice(0)) player.destroy();
    await sleep(200);
    const stoppedAt = Date.now();
    const dataDir = server.dataDir;
    await server.close();
    await sleep(1_500);
    server = await startTestServer({ ...config, dataDir });
    const downtime = Date.now() - stoppedAt;

    // The flag deadline moved by the downtime, and the stored clock with it.
    const clock = server.runner.armedDeadlines().find((deadline) => deadline.kind === 'clock')!;
    expect(clock.fireAt - flagAt).toBeGreaterThanOrEqual(1_500);
    expect(clock.fireAt - flagAt).toBeLessThanOrEqual(downtime);
    await eventually(async () => expect((await storedGame(server, 'club', gameId)).resumedAt).not.toBeNull());
    const resumed = await storedGame(server, 'club', gameId);
    expect(resumed.clock.turnStartedAt! - before.clock.turnStartedAt!).toBe(clock.fireAt - flagAt);
    expect(resumed.clock.white.remainingMs).toBe(20_000);
    // Nobody is connected after the restart: both have a countdown.
    expect(resumed.disconnect.white).not.toBeNull();
    expect(resumed.disconnect.black).not.toBeNull();

    const [white, black] = [await Player.as(server, alice.user), await Player.as(server, bob.user)];
    players.push(white, black);
    const seen = await black.game(gameId);
    await white.game(gameId);
    await eventually(() => expect(record(seen).disconnect).toEqual({ white: null, black: null }));
    await playMoves(white, black, gameId, ['g1f3'], 2);
    const after = await storedGame(server, 'club', gameId);
    const wallClock = after.moves[2]!.at - before.clock.turnStartedAt!;
    const charged = 20_000 - after.clock.white.remainingMs;
    expect(wallClock).toBeGreaterThan(1_700);
    expect(charged).toBeLessThanOrEqual(wallClock - 1_500);
    expect(charged).toBe(after.moves[2]!.at - resumed.clock.turnStartedAt! - (after.lastEvents[0] as { lagCompensationMs: number }).lagCompensationMs);
  });

  it('a restart that leaves nobody coming back ends in a forfeit after the grace the game started with, not a new setting', async () => {
    server = await startTestServer(CHESS_TEST_CONFIG);
    const [alice, bob] = [await join(), await join()];
    const gameId = await startGame(alice, bob, { timeControl: MINUTE });
    await playMoves(alice, bob, gameId, ['e2e4', 'e7e5']);
    for (const player of players.splice(0)) player.destroy();
    const dataDir = server.dataDir;
    await server.close();
    server = await startTestServer({ ...CHESS_TEST_CONFIG, chessDisconnectGraceMs: 120_000, dataDir });
    await eventually(async () => expect((await storedGame(server, 'club', gameId)).disconnect.white?.deadline).toBeDefined());
    const away = (await storedGame(server, 'club', gameId)).disconnect.white!;
    expect(away.deadline - away.disconnectedAt).toBe(2_000);
    await eventually(async () => expect(await storedGame(server, 'club', gameId)).toMatchObject({ status: 'ended', result: '0-1', termination: 'abandoned' }), 6_000);
  });
});
