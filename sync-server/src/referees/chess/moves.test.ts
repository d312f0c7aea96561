/**
 * The chess referee over real intents from stock clients: legal moves go in, and everything
 * else is refused with a reason while the game stays exactly as it was.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { INBOX_DECISIONS, type Decision } from '../../../../shared/sync/intents.ts';
import { OUTBOX_INTENTS } from '../../../../shared/sync/intents.ts';
import type { RunningServer } from '../../server.ts';
import { eventually, startTestServer } from '../../test-support/harness.ts';
import { CHESS_TEST_CONFIG, Player, playMoves, record, startGame, storedGame } from './test-support/players.ts';

let server: RunningServer;
const players: Player[] = [];
afterEach(async () => {
  for (const player of players.splice(0)) player.destroy();
  await server?.close();
});

async function join(tenant = 'club', role: 'member' | 'guest' = 'member', name?: string): Promise<Player> {
  const player = await Player.join(server, tenant, role, name);
  players.push(player);
  return player;
}

describe('moves through intents', () => {
  it('plays a game to checkmate; both players and spectators see every move', async () => {
    server = await startTestServer(CHESS_TEST_CONFIG);
    const [alice, bob, carol] = [await join('club', 'member', 'Alice'), await join('club', 'member', 'Bob'), await join('club', 'guest', 'Carol')];
    const gameId = await startGame(alice, bob);
    const watching = await carol.game(gameId);
    await playMoves(alice, bob, gameId, ['f2f3', 'e7e5', 'g2g4', 'd8h4']);
    const stored = await storedGame(server, 'club', gameId);
    expect(stored).toMatchObject({ status: 'ended', result: '0-1', termination: 'checkmate', white: { displayName: 'Alice' }, black: { displayName: 'Bob' } });
    expect(stored.moves.map((move) => move.san)).toEqual(['f3', 'e5', 'g4', 'Qh4#']);
    await eventually(() => expect(record(watching).rev).toBe(stored.rev));
    expect(record(watching).lastEvents.map((event) => event.type)).toEqual(['move-played', 'game-ended']);
  });

  it('refuses illegal, out-of-turn, stale, late, foreign and replayed moves with a reason, changing nothing', async () => {
    server = await startTestServer(CHESS_TEST_CONFIG);
    const [alice, bob, carol] = [await join(), await join(), await join('club', 'guest')];
    const stranger = await join('elsewhere');
    const gameId = await startGame(alice, bob);
    await playMoves(alice, bob, gameId, ['e2e4', 'e7e5']);
    const before = await storedGame(server, 'club', gameId);

    const refusals: Array<[Player, unknown, string]> = [
      [alice, { gameId, expectedPly: 2, move: 'e4e6' }, 'illegal-move'],
      [alice, { gameId, expectedPly: 2, move: 'zz99' }, 'bad-move-format'],
      [bob, { gameId, expectedPly: 2, move: 'd7d5' }, 'not-your-turn'],
      [alice, { gameId, expectedPly: 1, move: 'd2d4' }, 'stale-ply'],
      [carol, { gameId, expectedPly: 2, move: 'd2d4' }, 'not-a-player'],
      [stranger, { gameId, expectedPly: 2, move: 'd2d4' }, 'no-such-game'],
      [alice, { gameId: 'no-such-game', expectedPly: 2, move: 'd2d4' }, 'no-such-game'],
      [alice, { gameId, expectedPly: 2 }, 'invalid'],
    ];
    for (const [player, payload, code] of refusals) {
      const decision = await player.act('chess.move', payload as never);
      expect(decision, code).toMatchObject({ status: 'rejected', reason: { code } });
      expect(decision.reason?.message.length).toBeGreaterThan(3);
    }
    expect(await storedGame(server, 'club', gameId)).toEqual(before);

    // A replay: the same intent again under a new id is stale; under its own id it is ignored.
    const move = alice.send('chess.move', { gameId, expectedPly: 2, move: 'g1f3' });
    expect(await alice.decision(move)).toMatchObject({ status: 'accepted', result: { ply: 3, san: 'Nf3' } });
    const envelope = alice.outbox.doc.getMap(OUTBOX_INTENTS).get(move) as Record<string, unknown>;
    const copy = 'i_replayed_move_1';
    alice.outbox.doc.getMap(OUTBOX_INTENTS).set(copy, { ...envelope, id: copy });
    expect(await alice.decision(copy)).toMatchObject({ status: 'rejected', reason: { code: 'stale-ply' } });
    alice.outbox.doc.getMap(OUTBOX_INTENTS).set(move, { ...envelope });
    await new Promise((resolve) => setTimeout(resolve, 200));
    const after = await storedGame(server, 'club', gameId);
    expect(after.moves).toHaveLength(3);
    expect(alice.inbox.doc.getMap<Decision>(INBOX_DECISIONS).get(move)?.status).toBe('accepted');

    // After the end nothing moves.
    expect(await bob.act('chess.resign', { gameId })).toMatchObject({ status: 'accepted' });
    const ended = await storedGame(server, 'club', gameId);
    expect(ended).toMatchObject({ status: 'ended', result: '1-0', termination: 'resignation' });
    expect(await bob.act('chess.move', { gameId, expectedPly: 3, move: 'b8c6' })).toMatchObject({ status: 'rejected', reason: { code: 'game-over' } });
    expect(await alice.act('chess.resign', { gameId })).toMatchObject({ status: 'rejected', reason: { code: 'game-over' } });
    expect(await storedGame(server, 'club', gameId)).toEqual(ended);
  });

  it('asks for the promotion piece, and takes moves as squares too', async () => {
    server = await startTestServer(CHESS_TEST_CONFIG);
    const [alice, bob] = [await join(), await join()];
    const gameId = await startGame(alice, bob, { fen: '4k3/P7/8/8/8/8/8/4K3 w - - 0 1' });
    expect(await alice.act('chess.move', { gameId, expectedPly: 0, move: 'a7a8' })).toMatchObject({ status: 'rejected', reason: { code: 'promotion-required' } });
    expect(await alice.act('chess.move', { gameId, expectedPly: 0, move: { from: 'a7', to: 'a8', promotion: 'r' } })).toMatchObject({ status: 'accepted', result: { ply: 1, san: 'a8=R+' } });
    expect(await bob.act('chess.move', { gameId, expectedPly: 1, move: { from: 'e8', to: 'e7' } })).toMatchObject({ status: 'accepted', result: { san: 'Ke7' } });
  });

  it('refuses a move intent allowed to wait longer than the configured lifetime', async () => {
    server = await startTestServer({ ...CHESS_TEST_CONFIG, chessMoveTtlMs: 5_000 });
    const [alice, bob] = [await join(), await join()];
    const gameId = await startGame(alice, bob);
    expect(await alice.act('chess.move', { gameId, expectedPly: 0, move: 'e2e4' }, { ttlMs: 60_000 })).toMatchObject({ status: 'rejected', reason: { code: 'ttl-too-long' } });
    expect(await alice.act('chess.move', { gameId, expectedPly: 0, move: 'e2e4' }, { ttlMs: 5_000 })).toMatchObject({ status: 'accepted' });
  });

  it('handles draw offers, declines, acceptance and aborts', async () => {
    server = await startTestServer(CHESS_TEST_CONFIG);
    const [alice, bob] = [await join(), await join()];
    const aborted = await startGame(alice, bob);
    expect(await alice.act('chess.offerDraw', { gameId: aborted })).toMatchObject({ status: 'rejected', reason: { code: 'not-started' } });
    await playMoves(alice, bob, aborted, ['e2e4']);
    expect(await bob.act('chess.abort', { gameId: aborted })).toMatchObject({ status: 'accepted' });
    expect(await storedGame(server, 'club', aborted)).toMatchObject({ status: 'ended', result: null, termination: 'aborted' });

    const drawn = await startGame(alice, bob);
    await playMoves(alice, bob, drawn, ['d2d4', 'd7d5']);
    expect(await alice.act('chess.abort', { gameId: drawn })).toMatchObject({ status: 'rejected', reason: { code: 'not-abortable' } });
    expect(await alice.act('chess.offerDraw', { gameId: drawn })).toMatchObject({ status: 'accepted' });
    expect((await storedGame(server, 'club', drawn)).drawOffer).toEqual({ by: 'white', ply: 2 });
    expect(await bob.act('chess.declineDraw', { gameId: drawn })).toMatchObject({ status: 'accepted' });
    expect(await alice.act('chess.acceptDraw', { gameId: drawn })).toMatchObject({ status: 'rejected', reason: { code: 'no-draw-offer' } });
    expect(await bob.act('chess.offerDraw', { gameId: drawn })).toMatchObject({ status: 'accepted' });
    expect(await alice.act('chess.acceptDraw', { gameId: drawn })).toMatchObject({ status: 'accepted' });
    expect(await storedGame(server, 'club', drawn)).toMatchObject({ status: 'ended', result: '1/2-1/2', termination: 'draw-agreement' });
  });
});
