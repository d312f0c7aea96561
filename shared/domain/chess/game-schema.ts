/**
 * Decoding a stored or synced game (Y.Doc projection, RxDB row) back into a GameState:
 * a strict zod schema for the shape, then a replay that proves the moves, SAN and FEN agree.
 */
import { z } from 'zod';
import { fail, ok, type DomainError, type Result } from '../result.ts';
import { replay } from './engine.ts';
import { GAME_STATE_VERSION, GAME_STATUSES, TERMINATIONS, type GameState } from './game.ts';
import { timeControlSchema } from './time-control.ts';
import { COLORS, GAME_RESULTS } from './types.ts';

const time = z.int().min(0);
const color = z.enum(COLORS);

const playerSchema = z.strictObject({
  userId: z.string().min(1).max(128),
  displayName: z.string().max(200),
  rating: z.number().finite().nullable(),
});

const playerClockSchema = z.strictObject({ remainingMs: z.int().min(0), lagQuotaMs: z.int().min(0) });

export const gameStateSchema = z.strictObject({
  v: z.literal(GAME_STATE_VERSION),
  id: z.string().min(1).max(128),
  tenantId: z.string().min(1).max(128),
  white: playerSchema,
  black: playerSchema,
  rated: z.boolean(),
  timeControl: timeControlSchema,
  firstMoveTimeoutMs: z.int().min(1),
  initialFen: z.string().max(100),
  moves: z.array(z.strictObject({ san: z.string().max(10), uci: z.string().max(5), at: time, clockMs: z.int().min(0) })).max(2_000),
  fen: z.string().max(100),
  status: z.enum(GAME_STATUSES),
  result: z.enum(GAME_RESULTS).nullable(),
  termination: z.enum(TERMINATIONS).nullable(),
  drawOffer: z.strictObject({ by: color, ply: z.int().min(0) }).nullable(),
  clock: z.strictObject({
    incrementMs: z.int().min(0),
    quotaGainMs: z.int().min(0),
    quotaMaxMs: z.int().min(0),
    white: playerClockSchema,
    black: playerClockSchema,
    running: color.nullable(),
    turnStartedAt: time.nullable(),
  }),
  firstMoveDeadlineAt: time.nullable(),
  createdAt: time,
  startedAt: time.nullable(),
  endedAt: time.nullable(),
}) satisfies z.ZodType<GameState>;

export function parseGameState(input: unknown): Result<GameState, DomainError<'bad-game-state'>> {
  const parsed = gameStateSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return fail('bad-game-state', `game state: ${issue?.path.join('.') ?? ''} ${issue?.message ?? 'invalid'}`);
  }
  const state = parsed.data;
  const chess = replay(state.initialFen, state.moves.map((m) => m.uci));
  if (!chess.ok) return fail('bad-game-state', `game state: moves do not replay (${chess.error.message})`);
  const history = chess.value.history();
  if (history.some((san, i) => state.moves[i]?.san !== san)) return fail('bad-game-state', 'game state: SAN does not match the moves');
  if (chess.value.fen() !== state.fen) return fail('bad-game-state', 'game state: FEN does not match the moves');
  if ((state.status === 'ended') !== (state.termination !== null)) return fail('bad-game-state', 'game state: status and termination disagree');
  return ok(state);
}
