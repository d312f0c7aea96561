import { describe, expect, it } from 'vitest';
import { formatClock, formatCountdown, graceWords, isLowTime, outcomeFor, ratingDelta, rejectionText, resultLabel, terminationText, timeControlLabel, timeControlWords } from './format.ts';
import { gameAfter } from './test-support/records.ts';

describe('clock faces', () => {
  it.each([
    [3_723_000, '1:02:03'],
    [600_000, '10:00'],
    [59_999, '0:59'],
    [10_000, '0:10'],
    [9_999, '0:09.9'],
    [9_450, '0:09.4'],
    [50, '0:00.0'],
    [-20, '0:00.0'],
    [Number.NaN, '0:00.0'],
  ])('%d ms shows %s (rounded down)', (ms, face) => expect(formatClock(ms)).toBe(face));

  it('countdowns round up so that "0:00" means it is over', () => {
    expect(formatCountdown(29_001)).toBe('0:30');
    expect(formatCountdown(1)).toBe('0:01');
    expect(formatCountdown(0)).toBe('0:00');
    expect(formatCountdown(61_000)).toBe('1:01');
  });

  it.each([
    [15_000, '15 seconds'],
    [1_000, '1 second'],
    [30_999, '30 seconds'],
    [60_000, '1 minute'],
    [150_000, '2 minutes 30 seconds'],
    [61_000, '1 minute 1 second'],
    [999, null],
    [null, null],
    [Number.NaN, null],
  ])('a disconnect grace of %s ms reads %s', (ms, words) => expect(graceWords(ms)).toBe(words));

  it('low time is a fifth of the initial time, between 10 and 30 seconds', () => {
    expect(isLowTime(11_000, { initialMs: 60_000, incrementMs: 0 })).toBe(true);
    expect(isLowTime(12_000, { initialMs: 60_000, incrementMs: 0 })).toBe(false);
    expect(isLowTime(9_000, { initialMs: 30_000, incrementMs: 0 })).toBe(true);
    expect(isLowTime(29_000, { initialMs: 1_800_000, incrementMs: 0 })).toBe(true);
    expect(isLowTime(31_000, { initialMs: 1_800_000, incrementMs: 0 })).toBe(false);
  });
});

describe('labels', () => {
  it('names time controls with their speed, and in words', () => {
    expect(timeControlLabel({ initialMs: 180_000, incrementMs: 2_000 })).toBe('3+2 · Blitz');
    expect(timeControlLabel({ initialMs: 60_000, incrementMs: 0 })).toBe('1+0 · Bullet');
    expect(timeControlWords({ initialMs: 60_000, incrementMs: 0 })).toBe('1 minute per side');
    expect(timeControlWords({ initialMs: 900_000, incrementMs: 10_000 })).toBe('15 minutes + 10 seconds per move');
    expect(timeControlWords({ initialMs: 30_000, incrementMs: 1_000 })).toBe('0.5 minutes + 1 second per move');
  });

  it('says results and rating changes', () => {
    expect(resultLabel('1-0')).toBe('1-0 · White wins');
    expect(resultLabel('1/2-1/2')).toBe('½-½ · Draw');
    expect(resultLabel(null)).toBe('No result');
    expect(ratingDelta({ before: 1500, after: 1512.4 })).toBe('+12');
    expect(ratingDelta({ before: 1500, after: 1491.6 })).toBe('−8');
    expect(ratingDelta({ before: 1500, after: 1500.2 })).toBe('±0');
  });

  it('tells how a game ended, naming who did it', () => {
    const mate = gameAfter(['e2e4', 'e7e5', 'f1c4', 'b8c6', 'd1h5', 'g8f6', 'h5f7']);
    expect(mate.termination).toBe('checkmate');
    expect(terminationText(mate)).toBe('Checkmate');
    expect(outcomeFor(mate, 'white')).toBe('won');
    expect(outcomeFor(mate, 'black')).toBe('lost');
    const resigned = { ...mate, result: '0-1' as const, termination: 'resignation' as const, lastEvents: [] };
    expect(terminationText(resigned)).toBe('White (Wanda) resigned');
    const left = { ...mate, result: '1-0' as const, termination: 'abandoned' as const, lastEvents: [] };
    expect(terminationText(left)).toBe('Black (Boris) left the game and forfeits');
    const flagged = { ...mate, result: '1/2-1/2' as const, termination: 'timeout-vs-insufficient-material' as const, lastEvents: [{ type: 'game-ended' as const, result: '1/2-1/2' as const, termination: 'timeout-vs-insufficient-material' as const, winner: null, by: 'black' as const, at: 1 }] };
    expect(terminationText(flagged)).toBe('Black (Boris) ran out of time, but the opponent cannot mate: draw');
    const aborted = { ...mate, result: null, termination: 'aborted' as const, lastEvents: [] };
    expect(terminationText(aborted)).toBe('Game aborted');
    expect(outcomeFor(aborted, 'white')).toBe('none');
  });
});

describe('refusals', () => {
  it('explains rate limits and gone challenges in its own words, and passes other messages on', () => {
    expect(rejectionText({ status: 'rejected', reason: { code: 'rate-limited', message: 'too fast' } })).toMatch(/too fast. Wait a few seconds/);
    expect(rejectionText({ status: 'rejected', reason: { code: 'no-such-seek', message: 'x' } })).toMatch(/no longer open/);
    expect(rejectionText({ status: 'rejected', reason: { code: 'too-many-seeks', message: 'you have 5 open seeks already; cancel one first' } })).toBe('You have 5 open seeks already; cancel one first.');
    expect(rejectionText({ status: 'expired' })).toMatch(/too late/);
    expect(rejectionText({ status: 'invalid' })).toMatch(/could not read/);
  });
});
