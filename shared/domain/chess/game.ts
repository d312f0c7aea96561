/**
 * A chess game as plain JSON (it lives in the game's Y.Doc and in RxDB), the one constructor
 * that makes a valid one, and the queries the referee, the server's deadline table and the
 * board UI share. Changes go through `decide` in referee.ts only.
 *
 * Life cycle, as on lichess: 'waiting-first-move' until both sides have made a move (no clock
 * runs; each side has `firstMoveTimeoutMs` for its first move; either side may abort), then
 * 'active' with the clock running for the side to move, then 'ended'.
 */
import { fail, ok, type DomainError, type Result } from '../result.ts';
import { createClock, flagDeadline, remainingAt, shiftClock, type ClockState } from './clock.ts';
import { BOARD_TERMINATIONS, boardOutcome, newEngine } from './engine.ts';
import { DEFAULT_TIME_CONTROL_BOUNDS, estimatedDurationMs, validateTimeControl, type TimeControl, type TimeControlBounds } from './time-control.ts';
import { STANDARD_FEN, type Color, type GameResult } from './types.ts';

export const GAME_STATE_VERSION = 1;

export const GAME_STATUSES = ['waiting-first-move', 'active', 'ended'] as const;
export type GameStatus = (typeof GAME_STATUSES)[number];

export const TERMINATIONS = [
  ...BOARD_TERMINATIONS,
  'resignation',
  'timeout',
  /** The flagging side's opponent could not mate: a draw (FIDE 6.9). */
  'timeout-vs-insufficient-material',
  'draw-agreement',
  /** A player aborted before both sides had moved: no result, never rated. */
  'aborted',
  /** The side to move did not make its first move in time: no result, never rated. */
  'first-move-timeout',
  /** A player stayed disconnected beyond the grace on their own turn. */
  'abandoned',
  'abandoned-vs-insufficient-material',
] as const;
export type Termination = (typeof TERMINATIONS)[number];

export interface ChessPlayer {
  readonly userId: string;
  readonly displayName: string;
  /** Rating when the game was created, for PGN and the UI; null for guests and casual games. */
  readonly rating: number | null;
}

export interface MoveRecord {
  readonly san: string;
  readonly uci: string;
  /** Server time the move was accepted. */
  readonly at: number;
  /** The mover's remaining time after the move, increment included. */
  readonly clockMs: number;
}

export interface DrawOffer {
  readonly by: Color;
  /** Ply count when offered; the offer lapses when the other side moves instead of answering. */
  readonly ply: number;
}

export interface GameState {
  readonly v: typeof GAME_STATE_VERSION;
  readonly id: string;
  readonly tenantId: string;
  readonly white: ChessPlayer;
  readonly black: ChessPlayer;
  readonly rated: boolean;
  readonly timeControl: TimeControl;
  readonly firstMoveTimeoutMs: number;
  readonly initialFen: string;
  readonly moves: readonly MoveRecord[];
  /** Position after the last move (chess.js `fen()`: en-passant square only if capturable). */
  readonly fen: string;
  readonly status: GameStatus;
  readonly result: GameResult | null;
  readonly termination: Termination | null;
  readonly drawOffer: DrawOffer | null;
  readonly clock: ClockState;
  /** Server time by which the side to move must make its first move; null once the clock runs. */
  readonly firstMoveDeadlineAt: number | null;
  readonly createdAt: number;
  /** When the clock started (after each side's first move). */
  readonly startedAt: number | null;
  readonly endedAt: number | null;
}

export const DEFAULT_FIRST_MOVE_TIMEOUT_MS = 20_000;

export interface NewGame {
  readonly id: string;
  readonly tenantId: string;
  readonly white: ChessPlayer;
  readonly black: ChessPlayer;
  readonly rated: boolean;
  readonly timeControl: TimeControl;
  readonly now: number;
  readonly initialFen?: string;
  readonly firstMoveTimeoutMs?: number;
}

export const GAME_SETUP_ERROR_CODES = ['missing-id', 'same-player', 'bad-time-control', 'bad-fen', 'rated-needs-standard-start', 'bad-timeout', 'bad-time'] as const;
export type GameSetupError = DomainError<(typeof GAME_SETUP_ERROR_CODES)[number]>;

/** The only way to a valid GameState. */
export function createGame(input: NewGame, bounds: TimeControlBounds = DEFAULT_TIME_CONTROL_BOUNDS): Result<GameState, GameSetupError> {
  if (input.id === '' || input.tenantId === '' || input.white.userId === '' || input.black.userId === '') {
    return fail('missing-id', 'game, tenant and player ids are required');
  }
  if (input.white.userId === input.black.userId) return fail('same-player', 'a player cannot play themselves');
  if (!Number.isSafeInteger(input.now) || input.now < 0) return fail('bad-time', 'now must be integer server ms');
  const tc = validateTimeControl(input.timeControl, bounds);
  if (!tc.ok) return fail('bad-time-control', tc.error.message);
  const firstMoveTimeoutMs = input.firstMoveTimeoutMs ?? DEFAULT_FIRST_MOVE_TIMEOUT_MS;
  if (!Number.isSafeInteger(firstMoveTimeoutMs) || firstMoveTimeoutMs <= 0) return fail('bad-timeout', 'first-move timeout must be positive integer ms');
  const engine = newEngine(input.initialFen ?? STANDARD_FEN);
  if (!engine.ok) return fail('bad-fen', engine.error.message);
  if (boardOutcome(engine.value) !== null) return fail('bad-fen', 'the position is already decided');
  const initialFen = engine.value.fen();
  if (input.rated && initialFen !== STANDARD_FEN) return fail('rated-needs-standard-start', 'games from a set-up position are casual');
  return ok({
    v: GAME_STATE_VERSION,
    id: input.id,
    tenantId: input.tenantId,
    white: input.white,
    black: input.black,
    rated: input.rated,
    timeControl: tc.value,
    firstMoveTimeoutMs,
    initialFen,
    moves: [],
    fen: initialFen,
    status: 'waiting-first-move',
    result: null,
    termination: null,
    drawOffer: null,
    clock: createClock(tc.value),
    firstMoveDeadlineAt: input.now + firstMoveTimeoutMs,
    createdAt: input.now,
    startedAt: null,
    endedAt: null,
  });
}

export function sideToMove(state: Pick<GameState, 'fen'>): Color {
  return state.fen.split(' ')[1] === 'b' ? 'black' : 'white';
}

export function colorOf(state: Pick<GameState, 'white' | 'black'>, userId: string): Color | null {
  if (state.white.userId === userId) return 'white';
  if (state.black.userId === userId) return 'black';
  return null;
}

export function playerOf(state: GameState, color: Color): ChessPlayer {
  return color === 'white' ? state.white : state.black;
}

/** The winner, if the game ended with one. */
export function winnerOf(state: Pick<GameState, 'result'>): Color | null {
  if (state.result === '1-0') return 'white';
  if (state.result === '0-1') return 'black';
  return null;
}

/** Rated, finished with a result (aborted games and first-move timeouts have none). */
export function isRatable(state: GameState): boolean {
  return state.rated && state.status === 'ended' && state.result !== null;
}

export const DEADLINE_KINDS = ['flag', 'first-move'] as const;
export type DeadlineKind = (typeof DEADLINE_KINDS)[number];

export interface Deadline {
  readonly kind: DeadlineKind;
  /** Server time at which the referee should be asked to decide it. */
  readonly at: number;
  /** The side that loses (or aborts) when it fires. */
  readonly side: Color;
}

/** At most one deadline is pending per game; the server stores it and re-arms it on start. */
export function nextDeadline(state: GameState): Deadline | null {
  if (state.status === 'ended') return null;
  if (state.status === 'waiting-first-move') {
    return state.firstMoveDeadlineAt === null ? null : { kind: 'first-move', at: state.firstMoveDeadlineAt, side: sideToMove(state) };
  }
  const flag = flagDeadline(state.clock);
  return flag === null ? null : { kind: 'flag', ...flag };
}

/** Server downtime is not charged: the running turn and the first-move deadline move forward. */
export function shiftGame(state: GameState, downtimeMs: number): GameState {
  if (state.status === 'ended' || !(downtimeMs > 0)) return state;
  const shift = Math.round(downtimeMs);
  return {
    ...state,
    clock: shiftClock(state.clock, shift),
    firstMoveDeadlineAt: state.firstMoveDeadlineAt === null ? null : state.firstMoveDeadlineAt + shift,
  };
}

/** Clock faces at `now`, for display. */
export function clockFaces(state: GameState, now: number): Readonly<Record<Color, number>> {
  return { white: remainingAt(state.clock, 'white', now), black: remainingAt(state.clock, 'black', now) };
}

/**
 * How long a player may stay disconnected on their own turn before the server forfeits them:
 * chess.com's 10 % of the estimated game length, at least 30 s and at most 3 min.
 */
export function disconnectGraceMs(tc: TimeControl): number {
  return Math.min(180_000, Math.max(30_000, Math.round(estimatedDurationMs(tc) / 10)));
}
