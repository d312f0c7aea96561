/** Fixtures for the chess tests: two players in one tenant, a fake server clock, helpers to play. */
import { expectOk } from '../../result.ts';
import { userActor, type Actor, type ChessCommand } from '../commands.ts';
import { createGame, sideToMove, type GameState, type NewGame } from '../game.ts';
import { decide, type Decision, type RefereeContext } from '../referee.ts';
import { TIME_CONTROL_PRESETS } from '../time-control.ts';

export const TENANT = 'tenant-a';
export const T0 = 1_700_000_000_000;
export const ALICE = userActor(TENANT, 'alice');
export const BOB = userActor(TENANT, 'bob');

export function newGame(overrides: Partial<NewGame> = {}): GameState {
  return expectOk(
    createGame({
      id: 'game-1',
      tenantId: TENANT,
      white: { userId: 'alice', displayName: 'Alice', rating: 1500 },
      black: { userId: 'bob', displayName: 'Bob', rating: 1500 },
      rated: true,
      timeControl: TIME_CONTROL_PRESETS['3+2'],
      now: T0,
      ...overrides,
    }),
  );
}

/** The actor of the side to move (alice is White in `newGame`). */
export function actorToMove(state: GameState): Actor {
  const userId = sideToMove(state) === 'white' ? state.white.userId : state.black.userId;
  return userActor(state.tenantId, userId);
}

export function moveCommand(state: GameState, uci: string): ChessCommand {
  return { type: 'move', gameId: state.id, expectedPly: state.moves.length, move: uci };
}

/** Plays `uci` for the side to move at `now`; throws if the referee refuses. */
export function play(state: GameState, uci: string, now: number, context: RefereeContext = {}): Decision {
  return expectOk(decide(state, moveCommand(state, uci), actorToMove(state), now, context));
}

/** Plays the moves one per `stepMs` starting at `start`; returns the final state and the time. */
export function playAll(state: GameState, ucis: readonly string[], start: number, stepMs = 1_000): { state: GameState; now: number } {
  let current = state;
  let now = start;
  for (const uci of ucis) {
    now += stepMs;
    current = play(current, uci, now).state;
  }
  return { state: current, now };
}
