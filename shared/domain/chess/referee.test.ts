import { describe, expect, it, test } from 'vitest';
import { expectOk } from '../result.ts';
import { parsePlayerCommand, SERVER_ACTOR, userActor, type Actor, type ChessCommand } from './commands.ts';
import { newEngine, replay } from './engine.ts';
import { isRatable, type GameState } from './game.ts';
import { decide, type RejectionCode } from './referee.ts';
import { ALICE, BOB, moveCommand, newGame, play, playAll, T0, TENANT } from './test-support/fixtures.ts';

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}

const fresh = newGame();
const afterE4 = play(fresh, 'e2e4', T0 + 1_000).state;
const active = play(afterE4, 'e7e5', T0 + 2_000).state;
const foolsMate = playAll(newGame(), ['f2f3', 'e7e5', 'g2g4', 'd8h4'], T0).state;
const promotion = newGame({ rated: false, initialFen: '4k3/P7/8/8/8/8/8/4K3 w - - 0 1' });
const pinned = newGame({ rated: false, initialFen: '4k3/4r3/8/8/8/8/4B3/4K3 w - - 0 1' });
const castleThroughCheck = newGame({ rated: false, initialFen: '5rk1/8/8/8/8/8/8/4K2R w K - 0 1' });
const withOffer = expectOk(decide(active, { type: 'offerDraw', gameId: active.id }, ALICE, T0 + 3_000)).state;

const NOW = T0 + 3_000;
const CAROL = userActor(TENANT, 'carol');
const ALICE_OTHER_TENANT = userActor('tenant-b', 'alice');
const move = (state: GameState, uci: string | { from: string; to: string; promotion?: string }, expectedPly = state.moves.length): ChessCommand => ({
  type: 'move',
  gameId: state.id,
  expectedPly,
  move: uci,
});

type Row = [name: string, state: GameState, command: ChessCommand, actor: Actor, code: RejectionCode];

const rows: Row[] = [
  ['illegal: pawn no longer there', active, move(active, 'e2e4'), ALICE, 'illegal-move'],
  ['illegal: king two squares', active, move(active, 'e1e3'), ALICE, 'illegal-move'],
  ['illegal: knight off its pattern', active, move(active, 'g1g4'), ALICE, 'illegal-move'],
  ['illegal: moving the opponent piece', active, move(active, 'd7d5'), ALICE, 'illegal-move'],
  ['illegal: pinned bishop', pinned, move(pinned, 'e2d3'), ALICE, 'illegal-move'],
  ['illegal: castling through check', castleThroughCheck, move(castleThroughCheck, 'e1g1'), ALICE, 'illegal-move'],
  ['illegal: promotion piece on a plain move', promotion, move(promotion, 'e1e2q'), ALICE, 'illegal-move'],
  ['promotion without a piece', promotion, move(promotion, 'a7a8'), ALICE, 'promotion-required'],
  ['promotion without a piece (object form)', promotion, move(promotion, { from: 'a7', to: 'a8' }), ALICE, 'promotion-required'],
  ['bad format: off the board', active, move(active, 'e2e9'), ALICE, 'bad-move-format'],
  ['bad format: SAN instead of UCI', active, move(active, 'Nf3'), ALICE, 'bad-move-format'],
  ['bad format: promote to king', promotion, move(promotion, { from: 'a7', to: 'a8', promotion: 'k' }), ALICE, 'bad-move-format'],
  ['out of turn: black at ply 0', fresh, move(fresh, 'e7e5'), BOB, 'not-your-turn'],
  ['out of turn: white at ply 1', afterE4, move(afterE4, 'd2d4'), ALICE, 'not-your-turn'],
  ['stale ply: behind', active, move(active, 'g1f3', 1), ALICE, 'stale-ply'],
  ['stale ply: ahead', active, move(active, 'g1f3', 3), ALICE, 'stale-ply'],
  ['replayed command (same ply again)', afterE4, move(fresh, 'e2e4', 0), ALICE, 'stale-ply'],
  ['move after checkmate', foolsMate, move(foolsMate, 'e2e4'), ALICE, 'game-over'],
  ['resign after checkmate', foolsMate, { type: 'resign', gameId: foolsMate.id }, ALICE, 'game-over'],
  ['spectator moves', active, move(active, 'g1f3'), CAROL, 'not-a-player'],
  ['spectator resigns', active, { type: 'resign', gameId: active.id }, CAROL, 'not-a-player'],
  ['same user id, other tenant', active, move(active, 'g1f3'), ALICE_OTHER_TENANT, 'not-a-player'],
  ['server sends a player command', active, move(active, 'g1f3'), SERVER_ACTOR, 'not-a-player'],
  ['command for another game', active, { ...move(active, 'g1f3'), gameId: 'game-2' }, ALICE, 'wrong-game'],
  ['player claims a flag', active, { type: 'flag', gameId: active.id }, BOB, 'not-authorized'],
  ['player forfeits the opponent', active, { type: 'disconnectForfeit', gameId: active.id, userId: 'alice' }, BOB, 'not-authorized'],
  ['abort after both moved', active, { type: 'abort', gameId: active.id }, ALICE, 'not-abortable'],
  ['resign before both moved', afterE4, { type: 'resign', gameId: afterE4.id }, BOB, 'not-started'],
  ['draw offer before both moved', afterE4, { type: 'offerDraw', gameId: afterE4.id }, BOB, 'not-started'],
  ['accept without an offer', active, { type: 'acceptDraw', gameId: active.id }, BOB, 'no-draw-offer'],
  ['decline without an offer', active, { type: 'declineDraw', gameId: active.id }, BOB, 'no-draw-offer'],
  ['accept own offer', withOffer, { type: 'acceptDraw', gameId: active.id }, ALICE, 'no-draw-offer'],
  ['offer twice', withOffer, { type: 'offerDraw', gameId: active.id }, ALICE, 'draw-already-offered'],
  ['flag before the deadline', active, { type: 'flag', gameId: active.id }, SERVER_ACTOR, 'not-due'],
  ['first-move timeout before the deadline', afterE4, { type: 'firstMoveTimeout', gameId: afterE4.id }, SERVER_ACTOR, 'not-due'],
  ['first-move timeout once the clock runs', active, { type: 'firstMoveTimeout', gameId: active.id }, SERVER_ACTOR, 'not-due'],
  ['forfeit of a stranger', active, { type: 'disconnectForfeit', gameId: active.id, userId: 'carol' }, SERVER_ACTOR, 'not-a-player'],
  ['forfeit when it is not the leaver turn', active, { type: 'disconnectForfeit', gameId: active.id, userId: 'bob' }, SERVER_ACTOR, 'not-leavers-turn'],
  ['forfeit before both moved', afterE4, { type: 'disconnectForfeit', gameId: afterE4.id, userId: 'bob' }, SERVER_ACTOR, 'not-started'],
];

describe('referee rejections', () => {
  test.each(rows)('%s', (_name, state, command, actor, code) => {
    const before = structuredClone(state);
    const result = decide(deepFreeze(state), command, actor, NOW);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe(code);
    expect(result.error.consequence).toBeUndefined();
    expect(result.error.message.length).toBeGreaterThan(0);
    expect(state).toStrictEqual(before);
  });

  it('a corrupt stored game is refused as such, not blamed on the player', () => {
    const corrupt: GameState = { ...active, moves: [...active.moves.slice(0, 1), { ...active.moves[1]!, uci: 'e7e4' }] };
    const result = decide(corrupt, moveCommand(corrupt, 'g1f3'), ALICE, NOW);
    expect(!result.ok && result.error.code).toBe('corrupt-state');
  });

  it('refuses a non-finite server time as a programmer error', () => {
    expect(() => decide(active, moveCommand(active, 'g1f3'), ALICE, Number.NaN)).toThrow(TypeError);
  });
});

describe('referee: life cycle', () => {
  it('waits for both first moves, then starts the clock for White', () => {
    expect(fresh.status).toBe('waiting-first-move');
    expect(fresh.firstMoveDeadlineAt).toBe(T0 + 20_000);
    const first = play(fresh, 'e2e4', T0 + 9_000);
    expect(first.state.status).toBe('waiting-first-move');
    expect(first.state.firstMoveDeadlineAt).toBe(T0 + 29_000);
    expect(first.state.clock.running).toBeNull();
    expect(first.state.moves[0]).toEqual({ san: 'e4', uci: 'e2e4', at: T0 + 9_000, clockMs: 180_000 });
    const second = play(first.state, 'e7e5', T0 + 25_000);
    expect(second.state.status).toBe('active');
    expect(second.state.startedAt).toBe(T0 + 25_000);
    expect(second.state.firstMoveDeadlineAt).toBeNull();
    expect(second.state.clock).toMatchObject({ running: 'white', turnStartedAt: T0 + 25_000 });
    expect(second.state.clock.white.remainingMs).toBe(180_000);
    expect(second.state.clock.black.remainingMs).toBe(180_000);
    expect(second.events.map((e) => e.type)).toEqual(['move-played', 'clock-started']);
  });

  it('accepts moves as UCI or squares, castling as the king move, and records SAN', () => {
    const promo = play(promotion, 'a7a8n', T0 + 1_000);
    expect(promo.state.moves[0]?.san).toBe('a8=N');
    expect(promo.state.moves[0]?.uci).toBe('a7a8n');
    const object = expectOk(decide(promotion, move(promotion, { from: 'a7', to: 'a8', promotion: 'q' }), ALICE, T0 + 1_000));
    expect(object.state.moves[0]?.san).toBe('a8=Q+');
    const castle = newGame({ rated: false, initialFen: '5k2/8/8/8/8/8/8/4K2R w K - 0 1' });
    const castled = play(castle, 'e1g1', T0 + 1_000);
    expect(castled.state.moves[0]?.san).toBe('O-O+');
  });

  it('ends on checkmate with the mover as winner, and then has no deadline', () => {
    const mated = playAll(newGame(), ['f2f3', 'e7e5', 'g2g4'], T0).state;
    const decision = play(mated, 'd8h4', T0 + 10_000);
    expect(decision.state).toMatchObject({ status: 'ended', result: '0-1', termination: 'checkmate', endedAt: T0 + 10_000 });
    expect(decision.state.clock.running).toBeNull();
    expect(decision.events.at(-1)).toEqual({ type: 'game-ended', result: '0-1', termination: 'checkmate', winner: 'black', by: null, at: T0 + 10_000 });
    expect(isRatable(decision.state)).toBe(true);
  });

  it('aborts before both sides moved, without a result, and never rates it', () => {
    const aborted = expectOk(decide(afterE4, { type: 'abort', gameId: afterE4.id }, BOB, T0 + 5_000));
    expect(aborted.state).toMatchObject({ status: 'ended', result: null, termination: 'aborted' });
    expect(aborted.events).toEqual([{ type: 'game-ended', result: null, termination: 'aborted', winner: null, by: 'black', at: T0 + 5_000 }]);
    expect(isRatable(aborted.state)).toBe(false);
  });

  it('resigns: the opponent wins and the resigner is charged the time used', () => {
    const resigned = expectOk(decide(active, { type: 'resign', gameId: active.id }, ALICE, T0 + 12_000));
    expect(resigned.state).toMatchObject({ status: 'ended', result: '0-1', termination: 'resignation' });
    expect(resigned.state.clock.white.remainingMs).toBe(180_000 - 10_000);
    expect(resigned.state.clock.running).toBeNull();
    // The opponent may resign on the mover's turn too.
    const byBlack = expectOk(decide(active, { type: 'resign', gameId: active.id }, BOB, T0 + 12_000));
    expect(byBlack.state.result).toBe('1-0');
  });

  it('draw offers: offer, decline, lapse on the recipient move, survive the offerer move, agree', () => {
    expect(withOffer.drawOffer).toEqual({ by: 'white', ply: 2 });
    const declined = expectOk(decide(withOffer, { type: 'declineDraw', gameId: active.id }, BOB, NOW));
    expect(declined.state.drawOffer).toBeNull();
    expect(declined.events).toEqual([{ type: 'draw-declined', by: 'black', at: NOW }]);

    const afterOffererMove = play(withOffer, 'g1f3', NOW + 1_000).state;
    expect(afterOffererMove.drawOffer).toEqual({ by: 'white', ply: 2 });
    const lapsed = play(afterOffererMove, 'b8c6', NOW + 2_000);
    expect(lapsed.state.drawOffer).toBeNull();
    expect(lapsed.events.map((e) => e.type)).toEqual(['move-played', 'draw-offer-lapsed']);

    const agreed = expectOk(decide(afterOffererMove, { type: 'acceptDraw', gameId: active.id }, BOB, NOW + 2_000));
    expect(agreed.state).toMatchObject({ status: 'ended', result: '1/2-1/2', termination: 'draw-agreement', drawOffer: null });
    const crossed = expectOk(decide(withOffer, { type: 'offerDraw', gameId: active.id }, BOB, NOW));
    expect(crossed.state.termination).toBe('draw-agreement');
  });
});

describe('player commands off the wire', () => {
  test.each([
    ['not an object', 'resign'],
    ['unknown type', { type: 'takeback', gameId: 'g' }],
    ['server command', { type: 'flag', gameId: 'g' }],
    ['missing game', { type: 'resign' }],
    ['negative ply', { type: 'move', gameId: 'g', expectedPly: -1, move: 'e2e4' }],
    ['fractional ply', { type: 'move', gameId: 'g', expectedPly: 1.5, move: 'e2e4' }],
    ['extra key', { type: 'resign', gameId: 'g', userId: 'bob' }],
    ['huge move string', { type: 'move', gameId: 'g', expectedPly: 0, move: 'e2e4'.repeat(100) }],
    ['king promotion', { type: 'move', gameId: 'g', expectedPly: 0, move: { from: 'a7', to: 'a8', promotion: 'k' } }],
  ])('rejects %s', (_name, input) => {
    const parsed = parsePlayerCommand(input);
    expect(!parsed.ok && parsed.error.code).toBe('bad-command');
  });

  it('accepts both move spellings', () => {
    expect(expectOk(parsePlayerCommand({ type: 'move', gameId: 'g', expectedPly: 0, move: 'e2e4' }))).toMatchObject({ move: 'e2e4' });
    expect(expectOk(parsePlayerCommand({ type: 'move', gameId: 'g', expectedPly: 3, move: { from: 'a7', to: 'a8', promotion: 'n' } }))).toMatchObject({
      expectedPly: 3,
    });
  });
});

describe('a cached position', () => {
  it('gives the same decisions as a replay, advances on accepted moves and is left alone otherwise', () => {
    const position = expectOk(replay(active.initialFen, active.moves.map((m) => m.uci)));
    const withCache = expectOk(decide(active, moveCommand(active, 'g1f3'), ALICE, T0 + 3_000, { position }));
    expect(withCache).toEqual(expectOk(decide(active, moveCommand(active, 'g1f3'), ALICE, T0 + 3_000)));
    expect(position.fen()).toBe(withCache.state.fen);

    const next = withCache.state;
    const illegal = decide(next, moveCommand(next, 'e5e3'), BOB, T0 + 4_000, { position });
    expect(!illegal.ok && illegal.error.code).toBe('illegal-move');
    expect(position.fen()).toBe(next.fen);
    const flagged = decide(next, moveCommand(next, 'b8c6'), BOB, T0 + 3_000 + 1_000_000, { position });
    expect(!flagged.ok && flagged.error.code).toBe('flagged');
    expect(position.fen()).toBe(next.fen);
  });

  it('is ignored when it does not match the game', () => {
    const wrong = expectOk(newEngine());
    const decided = expectOk(decide(active, moveCommand(active, 'g1f3'), ALICE, T0 + 3_000, { position: wrong }));
    expect(decided.state.moves.at(-1)?.san).toBe('Nf3');
    expect(wrong.fen()).toBe(expectOk(newEngine()).fen());
  });
});
