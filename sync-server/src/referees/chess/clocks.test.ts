/**
 * Server clocks with short real time: flags fall with nobody connected, increments and lag
 * compensation are charged from the server's own times, a flag against a side that cannot be
 * mated is a draw, and first moves have their own timer.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { nextDeadline } from '../../../../shared/domain/chess/game.ts';
import type { GameEvent } from '../../../../shared/domain/chess/referee.ts';
import type { ChessGameRecord } from '../../../../shared/sync/layouts/chess.ts';
import type { RunningServer } from '../../server.ts';
import { eventually, startTestServer } from '../../test-support/harness.ts';
import { CHESS_TEST_CONFIG, Player, playMoves, slowPongWebSocket, startGame, storedGame } from './test-support/players.ts';

let server: RunningServer;
const players: Player[] = [];
afterEach(async () => {
  for (const player of players.splice(0)) player.destroy();
  await server?.close();
});

async function join(options: Parameters<typeof Player.join>[4] = {}): Promise<Player> {
  const player = await Player.join(server, 'club', 'member', undefined, options);
  players.push(player);
  return player;
}

type MovePlayed = Extract<GameEvent, { type: 'move-played' }>;

function lastMove(game: ChessGameRecord): MovePlayed {
  const event = game.lastEvents.find((candidate): candidate is MovePlayed => candidate.type === 'move-played');
  if (!event) throw new Error(`no move in ${JSON.stringify(game.lastEvents)}`);
  return event;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('server clocks', () => {
  it('a flag falls with no client connected: the side on move loses on time', async () => {
    server = await startTestServer(CHESS_TEST_CONFIG);
    const [alice, bob] = [await join(), await join()];
    const gameId = await startGame(alice, bob, { timeControl: { initialMs: 1_000, incrementMs: 0 } });
    await playMoves(alice, bob, gameId, ['e2e4', 'e7e5']);
    alice.destroy();
    bob.destroy();
    players.length = 0;
    const started = (await storedGame(server, 'club', gameId)).clock.turnStartedAt!;
    await eventually(async () => expect(await storedGame(server, 'club', gameId)).toMatchObject({ status: 'ended', result: '0-1', termination: 'timeout' }), 5_000);
    const ended = await storedGame(server, 'club', gameId);
    // Remaining 1 s plus the flag grace (the lag quota, 450 ms for a 1-second game).
    expect(ended.endedAt! - started).toBeGreaterThanOrEqual(1_450);
    expect(ended.clock.white.remainingMs).toBe(0);
    expect(ended.lastEvents.at(-1)).toMatchObject({ type: 'game-ended', by: 'white', winner: 'black' });
  });

  it('a flag deadline armed earlier than needed fires, finds nothing due and waits for the real one', async () => {
    server = await startTestServer(CHESS_TEST_CONFIG);
    const [alice, bob] = [await join(), await join()];
    const gameId = await startGame(alice, bob, { timeControl: { initialMs: 2_000, incrementMs: 0 } });
    // Quick moves: every new deadline is later than the stored one, which is left as it is.
    await playMoves(alice, bob, gameId, ['e2e4', 'e7e5', 'g1f3', 'b8c6']);
    const live = await storedGame(server, 'club', gameId);
    const due = nextDeadline(live)!.at;
    expect(due).toBe(live.clock.turnStartedAt! + live.clock.white.remainingMs + Math.min(live.clock.white.lagQuotaMs, 2_000));
    expect(server.runner.armedDeadlines().find((deadline) => deadline.kind === 'clock')!.fireAt).toBeLessThan(due);
    await eventually(async () => expect(await storedGame(server, 'club', gameId)).toMatchObject({ status: 'ended', result: '0-1', termination: 'timeout' }), 5_000);
    expect((await storedGame(server, 'club', gameId)).endedAt!).toBeGreaterThanOrEqual(due);
  });

  it('charges each move from the server’s times and adds the increment', async () => {
    server = await startTestServer(CHESS_TEST_CONFIG);
    const [alice, bob] = [await join(), await join()];
    const gameId = await startGame(alice, bob, { timeControl: { initialMs: 3_000, incrementMs: 1_000 } });
    await playMoves(alice, bob, gameId, ['e2e4', 'e7e5']);
    const before = await storedGame(server, 'club', gameId);
    expect(before.clock).toMatchObject({ running: 'white', white: { remainingMs: 3_000 }, black: { remainingMs: 3_000 } });
    await sleep(300);
    await playMoves(alice, bob, gameId, ['g1f3'], 2);
    const after = await storedGame(server, 'club', gameId);
    const move = lastMove(after);
    const elapsed = after.moves[2]!.at - before.clock.turnStartedAt!;
    expect(elapsed).toBeGreaterThanOrEqual(300);
    expect(move.moveTimeMs).toBe(elapsed - move.lagCompensationMs);
    expect(move.lagCompensationMs).toBeLessThan(20);
    expect(after.clock.white.remainingMs).toBe(3_000 - move.moveTimeMs + 1_000);
    expect(after.moves[2]!.clockMs).toBe(after.clock.white.remainingMs);
    expect(after.clock).toMatchObject({ running: 'black', turnStartedAt: after.moves[2]!.at });
  });

  it('forgives half the measured round trip, never more than the lag quota', async () => {
    // Pings answered 1 s late: a one-way lag of 500 ms. A 1-second game has a 450 ms quota.
    server = await startTestServer({ ...CHESS_TEST_CONFIG, heartbeatMs: 1_200 });
    const alice = await join({ webSocket: slowPongWebSocket(1_000) });
    const bob = await join();
    const gameId = await startGame(alice, bob, { timeControl: { initialMs: 1_000, incrementMs: 0 } });
    await eventually(() => expect(server.endpoint.rttOf('club', alice.id)).toBeGreaterThanOrEqual(1_000), 5_000, 50);
    await playMoves(alice, bob, gameId, ['e2e4', 'e7e5']);
    await sleep(700);
    await playMoves(alice, bob, gameId, ['g1f3'], 2);
    const first = lastMove(await storedGame(server, 'club', gameId));
    expect(first.lagCompensationMs).toBe(450);
    await playMoves(bob, alice, gameId, ['b8c6'], 3);
    await sleep(300);
    await playMoves(alice, bob, gameId, ['f1c4'], 4);
    const second = await storedGame(server, 'club', gameId);
    // The quota refills by 150 ms per move: 450 − 450 + 150.
    expect(lastMove(second).lagCompensationMs).toBe(150);
    expect(second.status).toBe('active');
  });

  it('a flag is a draw when the other side could never mate', async () => {
    server = await startTestServer(CHESS_TEST_CONFIG);
    const [alice, bob] = [await join(), await join()];
    // White keeps a pawn, Black has a bare king: White flagging cannot lose.
    const gameId = await startGame(alice, bob, { timeControl: { initialMs: 1_000, incrementMs: 0 }, fen: '4k3/8/8/8/8/8/4P3/4K3 w - - 0 1' });
    await playMoves(alice, bob, gameId, ['e1d1', 'e8d8']);
    await eventually(async () => expect(await storedGame(server, 'club', gameId)).toMatchObject({ status: 'ended', result: '1/2-1/2', termination: 'timeout-vs-insufficient-material' }), 5_000);

    const other = await startGame(alice, bob, { timeControl: { initialMs: 1_000, incrementMs: 0 }, fen: '4k3/8/8/8/8/8/4P3/4K3 w - - 0 1' });
    await playMoves(alice, bob, other, ['e1d1', 'e8d8', 'd1c1']);
    await eventually(async () => expect(await storedGame(server, 'club', other)).toMatchObject({ status: 'ended', result: '1-0', termination: 'timeout' }), 5_000);
  });

  it('a side that does not make its first move in time ends the game without a result', async () => {
    server = await startTestServer({ ...CHESS_TEST_CONFIG, chessFirstMoveTimeoutMs: 600 });
    const [alice, bob] = [await join(), await join()];
    const nobody = await startGame(alice, bob);
    const blackLate = await startGame(alice, bob);
    await playMoves(alice, bob, blackLate, ['d2d4']);
    await eventually(async () => {
      expect(await storedGame(server, 'club', nobody)).toMatchObject({ status: 'ended', result: null, termination: 'first-move-timeout' });
      expect(await storedGame(server, 'club', blackLate)).toMatchObject({ status: 'ended', result: null, termination: 'first-move-timeout' });
    }, 5_000);
    expect((await storedGame(server, 'club', blackLate)).lastEvents.at(-1)).toMatchObject({ type: 'game-ended', by: 'black' });
    await eventually(() => expect(server.runner.armedDeadlines().filter((deadline) => deadline.referee === 'chess')).toEqual([]));
  });
});
