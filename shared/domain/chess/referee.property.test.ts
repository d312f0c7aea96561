/**
 * Random legal games through the referee: the board always matches chess.js, the game ends
 * exactly when chess.js says so, time is conserved (initial − charged + increments), stale
 * replays never change anything, and every state survives JSON.
 */
import { Chess } from 'chess.js';
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { expectOk } from '../result.ts';
import { parseGameState } from './game-schema.ts';
import { decide, type GameEvent } from './referee.ts';
import { actorToMove, newGame, T0 } from './test-support/fixtures.ts';
import { TIME_CONTROL_PRESETS } from './time-control.ts';

it('random legal games agree with chess.js and conserve time', () => {
  fc.assert(
    fc.property(
      fc.array(fc.record({ pick: fc.nat(), think: fc.integer({ min: 0, max: 8_000 }), lag: fc.integer({ min: 0, max: 3_000 }) }), { minLength: 1, maxLength: 40 }),
      (plies) => {
        let state = newGame({ timeControl: TIME_CONTROL_PRESETS['15+10'] });
        const chess = new Chess();
        const charged = { white: 0, black: 0 };
        const increments = { white: 0, black: 0 };
        let now = T0;
        for (const { pick, think, lag } of plies) {
          if (state.status === 'ended') break;
          const legal = chess.moves({ verbose: true });
          const move = legal[pick % legal.length]!;
          now += think;
          const actor = actorToMove(state);
          const mover = move.color === 'w' ? 'white' : 'black';
          const decision = expectOk(
            decide(state, { type: 'move', gameId: state.id, expectedPly: state.moves.length, move: `${move.from}${move.to}${move.promotion ?? ''}` }, actor, now, {
              lagMs: { alice: lag, bob: lag },
            }),
          );
          const played = decision.events.find((e): e is Extract<GameEvent, { type: 'move-played' }> => e.type === 'move-played')!;
          chess.move(move);
          const timed = state.status === 'active';
          charged[mover] += played.moveTimeMs;
          if (timed && !chess.isGameOver()) increments[mover] += 10_000;
          expect(played.lagCompensationMs).toBeLessThanOrEqual(Math.min(lag, 7_000));

          const replayed = decide(decision.state, { type: 'move', gameId: state.id, expectedPly: state.moves.length, move: `${move.from}${move.to}` }, actor, now);
          expect(!replayed.ok && replayed.error.code).toBe('stale-ply');

          state = decision.state;
          expect(state.fen).toBe(chess.fen());
          expect(state.status === 'ended').toBe(chess.isGameOver());
          for (const side of ['white', 'black'] as const) {
            expect(state.clock[side].remainingMs).toBe(900_000 - charged[side] + increments[side]);
          }
        }
        expect(expectOk(parseGameState(JSON.parse(JSON.stringify(state))))).toEqual(state);
      },
    ),
    { numRuns: 25 },
  );
});
