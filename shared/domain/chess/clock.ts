/**
 * Server-authoritative chess clocks with lichess's lag compensation (scalachess `Clock` and
 * `LagTracker`), in integer milliseconds of the SERVER clock. Time is always a parameter.
 *
 * Per move: `elapsed` is server time since the turn started; the server's estimate of the
 * mover's network lag (half the round trip of its `time` messages) is forgiven up to the
 * mover's lag quota. The quota refills by `quotaGain` per move up to `quotaMax`, so a
 * lagging player is compensated steadily but a cheater claiming huge lag gains little.
 */
import { estimatedDurationMs, type TimeControl } from './time-control.ts';
import { opposite, type Color } from './types.ts';

export interface PlayerClock {
  readonly remainingMs: number;
  /** Lag that may still be forgiven on this player's next move. */
  readonly lagQuotaMs: number;
}

export interface ClockState {
  readonly incrementMs: number;
  readonly quotaGainMs: number;
  readonly quotaMaxMs: number;
  readonly white: PlayerClock;
  readonly black: PlayerClock;
  /** Whose time is running; null before the clock starts and after the game ends. */
  readonly running: Color | null;
  /** Server time at which the running side's turn began. */
  readonly turnStartedAt: number | null;
}

/** The flag grace never exceeds this, however large the quota (lichess: 2 s). */
export const FLAG_GRACE_CAP_MS = 2_000;

/** lichess: min(100 cs, estimateTotalSeconds·2/5 + 15 cs), integer arithmetic in centiseconds. */
export function lagQuotaGainMs(tc: TimeControl): number {
  const estimateSeconds = Math.floor(estimatedDurationMs(tc) / 1000);
  const centis = Math.min(100, Math.floor((estimateSeconds * 2) / 5) + 15);
  return centis * 10;
}

export function createClock(tc: TimeControl): ClockState {
  const quotaGainMs = lagQuotaGainMs(tc);
  const player: PlayerClock = { remainingMs: tc.initialMs, lagQuotaMs: 3 * quotaGainMs };
  return {
    incrementMs: tc.incrementMs,
    quotaGainMs,
    quotaMaxMs: 7 * quotaGainMs,
    white: player,
    black: player,
    running: null,
    turnStartedAt: null,
  };
}

/** Starts `color`'s time at `now` (lichess starts the clock once both sides have moved). */
export function startClock(clock: ClockState, color: Color, now: number): ClockState {
  return { ...clock, running: color, turnStartedAt: now };
}

/** Server time spent on the current turn; 0 if the clock is stopped or `now` is earlier. */
export function elapsedMs(clock: ClockState, now: number): number {
  if (clock.running === null || clock.turnStartedAt === null) return 0;
  return Math.max(0, now - clock.turnStartedAt);
}

/** What a clock face shows at `now`: never negative. */
export function remainingAt(clock: ClockState, color: Color, now: number): number {
  const pending = clock.running === color ? elapsedMs(clock, now) : 0;
  return Math.max(0, clock[color].remainingMs - pending);
}

export function flagGraceMs(clock: ClockState, color: Color): number {
  return Math.min(clock[color].lagQuotaMs, FLAG_GRACE_CAP_MS);
}

/**
 * lichess `outOfTime(withGrace = true)`: the running side has flagged once its remaining time
 * is at most `elapsed − min(quota, 2 s)`. The grace lets a move that is in flight arrive.
 */
export function isOutOfTime(clock: ClockState, color: Color, now: number): boolean {
  const remaining = clock[color].remainingMs;
  if (clock.running !== color) return remaining <= 0;
  return remaining <= Math.max(0, elapsedMs(clock, now) - flagGraceMs(clock, color));
}

/** The earliest server time at which `isOutOfTime` holds for the running side. */
export function flagDeadline(clock: ClockState): { readonly side: Color; readonly at: number } | null {
  if (clock.running === null || clock.turnStartedAt === null) return null;
  const side = clock.running;
  return { side, at: clock.turnStartedAt + Math.max(0, clock[side].remainingMs) + flagGraceMs(clock, side) };
}

export interface ClockStepInput {
  readonly now: number;
  /** Server-measured one-way lag of the mover (round trip / 2); bad values count as 0. */
  readonly lagMs: number;
  /** False when this move ends the game: time is charged but no increment is added. */
  readonly gameContinues: boolean;
}

export interface ClockStep {
  readonly clock: ClockState;
  /** Time charged to the mover. */
  readonly moveTimeMs: number;
  readonly compensationMs: number;
  /** The mover's time ran out before the move, even after compensation. */
  readonly flagged: boolean;
}

/**
 * Charges the running side for the move that arrives at `now` and hands the turn over.
 * A stopped clock (the first move of each side) charges nothing and stays stopped.
 *
 * Deliberate difference from lichess: compensation is also capped by `elapsed`, so a
 * quota is never spent on lag larger than the turn itself.
 */
export function stepClock(clock: ClockState, input: ClockStepInput): ClockStep {
  const mover = clock.running;
  if (mover === null) return { clock, moveTimeMs: 0, compensationMs: 0, flagged: false };
  const elapsed = elapsedMs(clock, input.now);
  const lag = Number.isFinite(input.lagMs) && input.lagMs > 0 ? Math.round(input.lagMs) : 0;
  const player = clock[mover];
  const compensationMs = Math.min(lag, player.lagQuotaMs, elapsed);
  const moveTimeMs = elapsed - compensationMs;
  const flagged = moveTimeMs >= player.remainingMs;
  const lagQuotaMs = Math.min(player.lagQuotaMs + clock.quotaGainMs - compensationMs, clock.quotaMaxMs);
  const stillRunning = input.gameContinues && !flagged;
  const remainingMs = flagged ? 0 : player.remainingMs - moveTimeMs + (stillRunning ? clock.incrementMs : 0);
  const next: ClockState = {
    ...clock,
    [mover]: { remainingMs, lagQuotaMs },
    running: stillRunning ? opposite(mover) : null,
    turnStartedAt: stillRunning ? input.now : null,
  };
  return { clock: next, moveTimeMs, compensationMs, flagged };
}

/**
 * Stops the clock at `now`, charging the running side its elapsed time without compensation
 * (resignation, agreed draw, abandonment). A side that ran out is left at 0.
 */
export function stopClock(clock: ClockState, now: number): ClockState {
  const side = clock.running;
  if (side === null) return clock;
  const remainingMs = remainingAt(clock, side, now);
  return { ...clock, [side]: { ...clock[side], remainingMs }, running: null, turnStartedAt: null };
}

/** Marks the running side as flagged: remaining 0, clock stopped. */
export function flagClock(clock: ClockState): ClockState {
  const side = clock.running;
  if (side === null) return clock;
  return { ...clock, [side]: { ...clock[side], remainingMs: 0 }, running: null, turnStartedAt: null };
}

/** Moves the turn start forward so that server downtime is not charged to the running side. */
export function shiftClock(clock: ClockState, downtimeMs: number): ClockState {
  if (clock.turnStartedAt === null || !(downtimeMs > 0)) return clock;
  return { ...clock, turnStartedAt: clock.turnStartedAt + Math.round(downtimeMs) };
}
