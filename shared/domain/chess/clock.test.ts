import fc from 'fast-check';
import { describe, expect, it, test } from 'vitest';
import {
  createClock,
  elapsedMs,
  flagDeadline,
  isOutOfTime,
  lagQuotaGainMs,
  remainingAt,
  shiftClock,
  startClock,
  stepClock,
  stopClock,
  type ClockState,
} from './clock.ts';
import { TIME_CONTROL_PRESETS, type TimeControl } from './time-control.ts';

const T = 1_000_000;
const tc32 = TIME_CONTROL_PRESETS['3+2'];

describe('lag quota (lichess LagTracker)', () => {
  test.each([
    ['1+0', TIME_CONTROL_PRESETS['1+0'], 390],
    ['3+0', TIME_CONTROL_PRESETS['3+0'], 870],
    ['5+0', TIME_CONTROL_PRESETS['5+0'], 1_000],
    ['5+3', { initialMs: 300_000, incrementMs: 3_000 }, 1_000],
    ['0.5+0', { initialMs: 30_000, incrementMs: 0 }, 270],
    ['30+0', TIME_CONTROL_PRESETS['30+0'], 1_000],
  ] as [string, TimeControl, number][])('%s gains %i ms per move', (_id, tc, gain) => {
    expect(lagQuotaGainMs(tc)).toBe(gain);
    const clock = createClock(tc);
    expect(clock.quotaGainMs).toBe(gain);
    expect(clock.white.lagQuotaMs).toBe(3 * gain);
    expect(clock.quotaMaxMs).toBe(7 * gain);
  });
});

describe('stepClock', () => {
  const running = startClock(createClock(tc32), 'white', T);

  it('charges elapsed time, adds the increment and hands over the turn', () => {
    const step = stepClock(running, { now: T + 5_000, lagMs: 0, gameContinues: true });
    expect(step).toMatchObject({ moveTimeMs: 5_000, compensationMs: 0, flagged: false });
    expect(step.clock.white.remainingMs).toBe(180_000 - 5_000 + 2_000);
    expect(step.clock).toMatchObject({ running: 'black', turnStartedAt: T + 5_000 });
    // An unused quota still refills, up to the maximum.
    expect(step.clock.white.lagQuotaMs).toBe(Math.min(3_000 + 1_000, 7_000));
  });

  it('forgives measured lag up to the quota, and the quota pays for it', () => {
    const step = stepClock(running, { now: T + 5_000, lagMs: 300, gameContinues: true });
    expect(step.compensationMs).toBe(300);
    expect(step.clock.white.remainingMs).toBe(180_000 - 4_700 + 2_000);
    expect(step.clock.white.lagQuotaMs).toBe(3_000 + 1_000 - 300);
  });

  it('never compensates more than the quota: a huge claimed lag earns one gain per move', () => {
    let clock: ClockState = startClock(createClock(TIME_CONTROL_PRESETS['3+0']), 'white', T);
    const compensations: number[] = [];
    let now = T;
    for (let i = 0; i < 4; i += 1) {
      now += 10_000;
      const step = stepClock(clock, { now, lagMs: 60_000, gameContinues: true });
      compensations.push(step.compensationMs);
      clock = startClock(step.clock, 'white', now);
    }
    expect(compensations).toEqual([2_610, 870, 870, 870]);
  });

  it('ignores nonsense lag values and never compensates beyond the elapsed time', () => {
    for (const lagMs of [-500, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(stepClock(running, { now: T + 1_000, lagMs, gameContinues: true }).compensationMs).toBe(0);
    }
    const quick = stepClock(running, { now: T + 100, lagMs: 2_000, gameContinues: true });
    expect(quick).toMatchObject({ compensationMs: 100, moveTimeMs: 0 });
    expect(quick.clock.white.lagQuotaMs).toBe(3_000 + 1_000 - 100);
  });

  it('flags a move whose charged time reaches the remaining time: no increment, clock stopped', () => {
    const step = stepClock(running, { now: T + 180_000, lagMs: 0, gameContinues: true });
    expect(step.flagged).toBe(true);
    expect(step.clock.white.remainingMs).toBe(0);
    expect(step.clock.running).toBeNull();
    const saved = stepClock(running, { now: T + 180_000, lagMs: 1, gameContinues: true });
    expect(saved.flagged).toBe(false);
    expect(saved.clock.white.remainingMs).toBe(1 + 2_000);
  });

  it('adds no increment on a move that ends the game', () => {
    const step = stepClock(running, { now: T + 5_000, lagMs: 0, gameContinues: false });
    expect(step.clock.white.remainingMs).toBe(175_000);
    expect(step.clock.running).toBeNull();
  });

  it('charges nothing while the clock is stopped', () => {
    const stopped = createClock(tc32);
    const step = stepClock(stopped, { now: T + 50_000, lagMs: 0, gameContinues: true });
    expect(step.clock).toBe(stopped);
    expect(step.moveTimeMs).toBe(0);
  });

  it('property: compensation ≤ min(lag, quota, elapsed); quota stays within [0, max]; time never negative', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ think: fc.integer({ min: 0, max: 20_000 }), lag: fc.integer({ min: 0, max: 30_000 }) }), { minLength: 1, maxLength: 40 }),
        fc.constantFrom(...Object.values(TIME_CONTROL_PRESETS)),
        (moves, tc) => {
          let clock = startClock(createClock(tc), 'white', T);
          let now = T;
          for (const { think, lag } of moves) {
            const mover = clock.running;
            if (mover === null) break;
            const quota = clock[mover].lagQuotaMs;
            now += think;
            const step = stepClock(clock, { now, lagMs: lag, gameContinues: true });
            expect(step.compensationMs).toBeLessThanOrEqual(Math.min(lag, quota, think));
            expect(step.moveTimeMs).toBe(think - step.compensationMs);
            expect(step.clock[mover].lagQuotaMs).toBeGreaterThanOrEqual(0);
            expect(step.clock[mover].lagQuotaMs).toBeLessThanOrEqual(clock.quotaMaxMs);
            expect(step.clock[mover].remainingMs).toBeGreaterThanOrEqual(0);
            clock = step.clock;
          }
        },
      ),
    );
  });
});

describe('flag detection', () => {
  const running = startClock(createClock(tc32), 'white', T);

  it('flags with a grace of min(quota, 2 s) and the deadline is its first instant', () => {
    const deadline = flagDeadline(running);
    expect(deadline).toEqual({ side: 'white', at: T + 180_000 + 2_000 });
    expect(isOutOfTime(running, 'white', deadline!.at - 1)).toBe(false);
    expect(isOutOfTime(running, 'white', deadline!.at)).toBe(true);
    expect(isOutOfTime(running, 'black', deadline!.at + 60_000)).toBe(false);
  });

  it('a small quota means a small grace', () => {
    const bullet = startClock(createClock(TIME_CONTROL_PRESETS['1+0']), 'black', T);
    expect(flagDeadline(bullet)).toEqual({ side: 'black', at: T + 60_000 + 1_170 });
  });

  it('a stopped clock has no deadline', () => {
    expect(flagDeadline(createClock(tc32))).toBeNull();
  });
});

describe('display and downtime', () => {
  const running = startClock(createClock(tc32), 'white', T);

  it('remainingAt counts down for the running side only and never goes negative', () => {
    expect(remainingAt(running, 'white', T + 30_000)).toBe(150_000);
    expect(remainingAt(running, 'black', T + 30_000)).toBe(180_000);
    expect(remainingAt(running, 'white', T + 999_000)).toBe(0);
    expect(remainingAt(running, 'white', T - 5_000)).toBe(180_000);
    expect(elapsedMs(running, T - 5_000)).toBe(0);
  });

  it('shiftClock does not charge server downtime', () => {
    const shifted = shiftClock(running, 60_000);
    expect(remainingAt(shifted, 'white', T + 70_000)).toBe(remainingAt(running, 'white', T + 10_000));
    expect(flagDeadline(shifted)?.at).toBe(flagDeadline(running)!.at + 60_000);
    expect(shiftClock(running, -5)).toBe(running);
    expect(shiftClock(createClock(tc32), 60_000)).toEqual(createClock(tc32));
  });

  it('stopClock charges the running side without compensation', () => {
    const stopped = stopClock(running, T + 12_345);
    expect(stopped.white.remainingMs).toBe(180_000 - 12_345);
    expect(stopped.running).toBeNull();
    expect(flagDeadline(stopped)).toBeNull();
  });
});
