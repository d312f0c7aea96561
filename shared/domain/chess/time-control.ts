/**
 * Time controls: an initial budget plus a per-move increment, both integer milliseconds.
 * Written "minutes+seconds" for people ("3+2") and "seconds+seconds" in PGN ("180+2"),
 * the lichess conventions.
 */
import { z } from 'zod';
import { fail, ok, type DomainError, type Result } from '../result.ts';

export interface TimeControl {
  readonly initialMs: number;
  readonly incrementMs: number;
}

export const TIME_CONTROL_PRESET_IDS = ['1+0', '3+0', '3+2', '5+0', '10+0', '15+10', '30+0'] as const;
export type TimeControlPresetId = (typeof TIME_CONTROL_PRESET_IDS)[number];

export const TIME_CONTROL_PRESETS: Readonly<Record<TimeControlPresetId, TimeControl>> = {
  '1+0': { initialMs: 60_000, incrementMs: 0 },
  '3+0': { initialMs: 180_000, incrementMs: 0 },
  '3+2': { initialMs: 180_000, incrementMs: 2_000 },
  '5+0': { initialMs: 300_000, incrementMs: 0 },
  '10+0': { initialMs: 600_000, incrementMs: 0 },
  '15+10': { initialMs: 900_000, incrementMs: 10_000 },
  '30+0': { initialMs: 1_800_000, incrementMs: 0 },
};

export const SPEEDS = ['bullet', 'blitz', 'rapid', 'classical'] as const;
export type Speed = (typeof SPEEDS)[number];

/**
 * Limits for custom time controls. The initial time moves in steps of 15 s so that every
 * control has an exact "minutes" spelling (0.25, 0.5, 1.5 …); increments are whole seconds
 * because PGN's TimeControl tag counts seconds. Tests and special events may pass their own.
 */
export interface TimeControlBounds {
  readonly minInitialMs: number;
  readonly maxInitialMs: number;
  readonly initialStepMs: number;
  readonly maxIncrementMs: number;
  readonly incrementStepMs: number;
}

export const DEFAULT_TIME_CONTROL_BOUNDS: TimeControlBounds = {
  minInitialMs: 30_000,
  maxInitialMs: 180 * 60_000,
  initialStepMs: 15_000,
  maxIncrementMs: 180_000,
  incrementStepMs: 1_000,
};

export const TIME_CONTROL_ERROR_CODES = ['malformed', 'out-of-bounds'] as const;
export type TimeControlErrorCode = (typeof TIME_CONTROL_ERROR_CODES)[number];
export type TimeControlError = DomainError<TimeControlErrorCode>;

/** Structural shape at a boundary (intents, stored games); bounds are checked by `validateTimeControl`. */
export const timeControlSchema = z.strictObject({
  initialMs: z.int().min(1),
  incrementMs: z.int().min(0),
});

export function isPresetId(value: string): value is TimeControlPresetId {
  return (TIME_CONTROL_PRESET_IDS as readonly string[]).includes(value);
}

export function validateTimeControl(
  tc: TimeControl,
  bounds: TimeControlBounds = DEFAULT_TIME_CONTROL_BOUNDS,
): Result<TimeControl, TimeControlError> {
  const { initialMs, incrementMs } = tc;
  if (!Number.isSafeInteger(initialMs) || !Number.isSafeInteger(incrementMs)) {
    return fail('malformed', 'time control values must be integer milliseconds');
  }
  if (initialMs < bounds.minInitialMs || initialMs > bounds.maxInitialMs) {
    return fail('out-of-bounds', `initial time must be between ${formatMinutes(bounds.minInitialMs)} and ${formatMinutes(bounds.maxInitialMs)} minutes`);
  }
  if (initialMs % bounds.initialStepMs !== 0) {
    return fail('out-of-bounds', `initial time must be a multiple of ${bounds.initialStepMs / 1000} s`);
  }
  if (incrementMs < 0 || incrementMs > bounds.maxIncrementMs) {
    return fail('out-of-bounds', `increment must be between 0 and ${bounds.maxIncrementMs / 1000} s`);
  }
  if (incrementMs % bounds.incrementStepMs !== 0) {
    return fail('out-of-bounds', `increment must be a multiple of ${bounds.incrementStepMs / 1000} s`);
  }
  return ok({ initialMs, incrementMs });
}

const ID_PATTERN = /^(\d{1,3}(?:\.\d{1,2})?)\+(\d{1,3})$/;

/**
 * Accepts a preset or custom id ("7+5": 7 minutes, 5 seconds increment) or an object
 * `{ initialMs, incrementMs }` from the wire. Anything else is `malformed`.
 */
export function parseTimeControl(input: unknown, bounds: TimeControlBounds = DEFAULT_TIME_CONTROL_BOUNDS): Result<TimeControl, TimeControlError> {
  if (typeof input === 'string') {
    const match = ID_PATTERN.exec(input.trim());
    if (match === null) return fail('malformed', `"${input.slice(0, 40)}" is not a time control like "3+2"`);
    // Rounding absorbs binary fractions (0.1 min → 6000.000000001 ms); the step check catches the rest.
    const initialMs = Math.round(Number(match[1]) * 60_000);
    const incrementMs = Number(match[2]) * 1000;
    return validateTimeControl({ initialMs, incrementMs }, bounds);
  }
  const parsed = timeControlSchema.safeParse(input);
  if (!parsed.success) return fail('malformed', 'a time control is "minutes+seconds" or { initialMs, incrementMs }');
  return validateTimeControl(parsed.data, bounds);
}

/** "3+2", "0.5+0", "15+10": the lobby and URL spelling. */
export function timeControlId(tc: TimeControl): string {
  return `${formatMinutes(tc.initialMs)}+${formatSeconds(tc.incrementMs)}`;
}

/** PGN `TimeControl` tag: seconds+seconds, "180+2". */
export function pgnTimeControl(tc: TimeControl): string {
  return `${formatSeconds(tc.initialMs)}+${formatSeconds(tc.incrementMs)}`;
}

/** lichess's estimate of one player's time use in a 40-move game, in ms. */
export function estimatedDurationMs(tc: TimeControl): number {
  return tc.initialMs + 40 * tc.incrementMs;
}

/** Speed category with lichess's thresholds (3+0 is blitz, 15+10 is rapid). */
export function speedOf(tc: TimeControl): Speed {
  const estimate = estimatedDurationMs(tc);
  if (estimate < 180_000) return 'bullet';
  if (estimate < 480_000) return 'blitz';
  if (estimate < 1_500_000) return 'rapid';
  return 'classical';
}

export function sameTimeControl(a: TimeControl, b: TimeControl): boolean {
  return a.initialMs === b.initialMs && a.incrementMs === b.incrementMs;
}

function formatMinutes(ms: number): string {
  // toFixed then trim keeps "0.25" exact and avoids "0.30000000000000004".
  return Number((ms / 60_000).toFixed(2)).toString();
}

function formatSeconds(ms: number): string {
  return Number((ms / 1000).toFixed(3)).toString();
}
