/** Clock rules through the referee, with injected server time. */
import { describe, expect, it, test } from 'vitest';
import { expectOk } from '../result.ts';
import { SERVER_ACTOR, type ChessCommand } from './commands.ts';
import { clockFaces, disconnectGraceMs, isRatable, nextDeadline, shiftGame, type GameState } from './game.ts';
import { decide, settleDeadlines } from './referee.ts';
import { TIME_CONTROL_PRESETS, type TimeControl } from './time-control.ts';
import { ALICE, BOB, moveCommand, newGame, play, T0 } from './test-support/fixtures.ts';

/** A game where both first moves are made at T0+1s and T0+2s: White's clock runs from T0+2s. */
function started(overrides: Parameters<typeof newGame>[0] = {}, first: readonly [string, string] = ['e2e4', 'e7e5']): GameState {
  const one = play(newGame(overrides), first[0], T0 + 1_000).state;
  return play(one, first[1], T0 + 2_000).state;
}
const START = T0 + 2_000;
const flag = (state: GameState): ChessCommand => ({ type: 'flag', gameId: state.id });

describe('clock through the referee', () => {
  it('does not charge the first move of either side', () => {
    const one = play(newGame(), 'e2e4', T0 + 15_000).state;
    const two = play(one, 'e7e5', T0 + 34_000).state;
    expect(clockFaces(two, T0 + 34_000)).toEqual({ white: 180_000, black: 180_000 });
  });

  it('adds the increment after each timed move and records the clock in the move', () => {
    const game = started();
    const decision = play(game, 'g1f3', START + 5_000);
    expect(decision.state.clock.white.remainingMs).toBe(177_000);
    expect(decision.state.moves.at(-1)?.clockMs).toBe(177_000);
    expect(decision.events[0]).toMatchObject({ type: 'move-played', moveTimeMs: 5_000, lagCompensationMs: 0, clockMs: 177_000 });
    expect(decision.state.clock).toMatchObject({ running: 'black', turnStartedAt: START + 5_000 });
  });

  it('compensates the mover with its own measured lag only, capped by the quota', () => {
    const game = started();
    const withLag = play(game, 'g1f3', START + 5_000, { lagMs: { alice: 400, bob: 9_999 } });
    expect(withLag.events[0]).toMatchObject({ lagCompensationMs: 400, moveTimeMs: 4_600 });
    const huge = play(game, 'g1f3', START + 5_000, { lagMs: { alice: 60_000 } });
    expect(huge.events[0]).toMatchObject({ lagCompensationMs: 3_000, moveTimeMs: 2_000 });
    const next = play(huge.state, 'b8c6', START + 15_000, { lagMs: { bob: 60_000 } });
    expect(next.events[0]).toMatchObject({ lagCompensationMs: 3_000 });
    const again = play(next.state, 'f1c4', START + 25_000, { lagMs: { alice: 60_000 } });
    expect(again.events[0]).toMatchObject({ lagCompensationMs: 1_000 });
  });

  it('flags at the deadline (not a millisecond before) and the opponent wins', () => {
    const game = started();
    const deadline = nextDeadline(game);
    expect(deadline).toEqual({ kind: 'flag', side: 'white', at: START + 180_000 + 2_000 });
    const early = decide(game, flag(game), SERVER_ACTOR, deadline!.at - 1);
    expect(!early.ok && early.error.code).toBe('not-due');
    const flagged = expectOk(decide(game, flag(game), SERVER_ACTOR, deadline!.at));
    expect(flagged.state).toMatchObject({ status: 'ended', result: '0-1', termination: 'timeout', endedAt: deadline!.at });
    expect(flagged.state.clock.white.remainingMs).toBe(0);
    expect(flagged.events).toEqual([{ type: 'game-ended', result: '0-1', termination: 'timeout', winner: 'black', by: 'white', at: deadline!.at }]);
    expect(settleDeadlines(game, deadline!.at)).toEqual(flagged);
    expect(settleDeadlines(game, deadline!.at - 1)).toBeNull();
    expect(nextDeadline(flagged.state)).toBeNull();
    expect(isRatable(flagged.state)).toBe(true);
  });

  it('refuses a move that arrives after the time ran out, and hands over the timeout as consequence', () => {
    const game = started();
    // 180.5 s spent, 0.2 s of lag: charged 180.3 s ≥ 180 s, though the flag grace has not passed.
    const result = decide(game, moveCommand(game, 'g1f3'), ALICE, START + 180_500, { lagMs: { alice: 200 } });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe('flagged');
    expect(result.error.consequence?.state).toMatchObject({ status: 'ended', result: '0-1', termination: 'timeout' });
    expect(result.error.consequence?.state.moves).toHaveLength(2);
  });

  it('accepts a move that lag compensation brings under the remaining time', () => {
    const game = started();
    const decision = play(game, 'g1f3', START + 180_500, { lagMs: { alice: 800 } });
    expect(decision.state.clock.white.remainingMs).toBe(300 + 2_000);
  });

  it('once a flag has fallen, any later command is refused with the timeout as consequence', () => {
    const game = started();
    const late = decide(game, { type: 'resign', gameId: game.id }, BOB, START + 200_000);
    expect(!late.ok && late.error.code).toBe('game-over');
    expect(!late.ok && late.error.consequence?.state.result).toBe('0-1');
    const ownMove = decide(game, moveCommand(game, 'g1f3'), ALICE, START + 200_000, { lagMs: { alice: 3_000 } });
    expect(!ownMove.ok && ownMove.error.code).toBe('flagged');
  });

  test.each([
    ['White flags, Black has a lone king: draw', '4k3/8/8/8/8/8/3Q4/4K3 w - - 0 1', ['d2d3', 'e8f7'], '1/2-1/2', 'timeout-vs-insufficient-material'],
    ['White flags, Black has king and knight vs queen: draw', '4k3/8/8/2n5/8/8/3Q4/4K3 w - - 0 1', ['d2d3', 'e8f7'], '1/2-1/2', 'timeout-vs-insufficient-material'],
    ['White flags, Black has king and knight vs rook: Black wins', '4k3/8/8/2n5/8/8/3R4/4K3 w - - 0 1', ['d2d3', 'e8f7'], '0-1', 'timeout'],
    ['White flags, Black has a bishop, White a pawn: Black wins', '4k3/8/8/2b5/8/8/3P4/4K3 w - - 0 1', ['d2d3', 'e8f7'], '0-1', 'timeout'],
    ['White flags, Black has a pawn: Black wins', '4k3/4p3/8/8/8/8/3Q4/4K3 w - - 0 1', ['d2d3', 'e8f7'], '0-1', 'timeout'],
  ] as [string, string, [string, string], string, string][])('%s', (_name, fen, first, result, termination) => {
    const game = started({ rated: false, initialFen: fen }, first);
    const at = nextDeadline(game)!.at;
    const flagged = expectOk(decide(game, flag(game), SERVER_ACTOR, at));
    expect(flagged.state.result).toBe(result);
    expect(flagged.state.termination).toBe(termination);
  });
});

describe('first-move timer', () => {
  it('aborts if White makes no first move in time', () => {
    const game = newGame({ firstMoveTimeoutMs: 20_000 });
    expect(nextDeadline(game)).toEqual({ kind: 'first-move', side: 'white', at: T0 + 20_000 });
    const early = decide(game, { type: 'firstMoveTimeout', gameId: game.id }, SERVER_ACTOR, T0 + 19_999);
    expect(!early.ok && early.error.code).toBe('not-due');
    const timedOut = expectOk(decide(game, { type: 'firstMoveTimeout', gameId: game.id }, SERVER_ACTOR, T0 + 20_000));
    expect(timedOut.state).toMatchObject({ status: 'ended', result: null, termination: 'first-move-timeout' });
    expect(timedOut.events[0]).toMatchObject({ by: 'white', winner: null });
    expect(isRatable(timedOut.state)).toBe(false);
  });

  it('gives Black its own first-move window after White moves', () => {
    const one = play(newGame(), 'e2e4', T0 + 5_000).state;
    expect(nextDeadline(one)).toEqual({ kind: 'first-move', side: 'black', at: T0 + 25_000 });
    const late = decide(one, moveCommand(one, 'e7e5'), BOB, T0 + 25_000);
    expect(!late.ok && late.error.code).toBe('game-over');
    expect(!late.ok && late.error.consequence?.state.termination).toBe('first-move-timeout');
    expect(play(one, 'e7e5', T0 + 24_999).state.status).toBe('active');
  });
});

describe('disconnect forfeit', () => {
  const forfeit = (state: GameState, userId: string): ChessCommand => ({ type: 'disconnectForfeit', gameId: state.id, userId });

  it('the leaver loses on their own turn', () => {
    const game = started();
    const decided = expectOk(decide(game, forfeit(game, 'alice'), SERVER_ACTOR, START + 40_000));
    expect(decided.state).toMatchObject({ result: '0-1', termination: 'abandoned' });
    expect(decided.state.clock.white.remainingMs).toBe(140_000);
  });

  it('is a draw when the opponent cannot mate', () => {
    const game = started({ rated: false, initialFen: '4k3/8/8/8/8/8/3Q4/4K3 w - - 0 1' }, ['d2d3', 'e8f7']);
    const decided = expectOk(decide(game, forfeit(game, 'alice'), SERVER_ACTOR, START + 40_000));
    expect(decided.state).toMatchObject({ result: '1/2-1/2', termination: 'abandoned-vs-insufficient-material' });
  });

  test.each([
    ['3+2 (floor 30 s)', TIME_CONTROL_PRESETS['3+2'], 30_000],
    ['15+10', TIME_CONTROL_PRESETS['15+10'], 130_000],
    ['30+0 (cap 3 min)', TIME_CONTROL_PRESETS['30+0'], 180_000],
  ] as [string, TimeControl, number][])('grace for %s', (_name, tc, grace) => {
    expect(disconnectGraceMs(tc)).toBe(grace);
  });
});

describe('server downtime', () => {
  it('shiftGame moves the running turn and the deadline, so downtime is not charged', () => {
    const game = started();
    const shifted = shiftGame(game, 60_000);
    expect(nextDeadline(shifted)!.at).toBe(nextDeadline(game)!.at + 60_000);
    const decision = play(shifted, 'g1f3', START + 65_000);
    expect(decision.state.clock.white.remainingMs).toBe(180_000 - 5_000 + 2_000);
  });

  it('also shifts the first-move deadline, and leaves ended games alone', () => {
    const game = newGame();
    expect(nextDeadline(shiftGame(game, 10_000))!.at).toBe(T0 + 30_000);
    const over = expectOk(decide(game, { type: 'abort', gameId: game.id }, ALICE, T0 + 1_000)).state;
    expect(shiftGame(over, 10_000)).toBe(over);
  });
});
