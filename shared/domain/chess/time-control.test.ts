import fc from 'fast-check';
import { describe, expect, it, test } from 'vitest';
import { expectOk } from '../result.ts';
import {
  DEFAULT_TIME_CONTROL_BOUNDS,
  parseTimeControl,
  pgnTimeControl,
  speedOf,
  TIME_CONTROL_PRESET_IDS,
  TIME_CONTROL_PRESETS,
  timeControlId,
  type Speed,
} from './time-control.ts';

describe('presets', () => {
  test.each([
    ['1+0', 'bullet', '60+0'],
    ['3+0', 'blitz', '180+0'],
    ['3+2', 'blitz', '180+2'],
    ['5+0', 'blitz', '300+0'],
    ['10+0', 'rapid', '600+0'],
    ['15+10', 'rapid', '900+10'],
    ['30+0', 'classical', '1800+0'],
  ] as [(typeof TIME_CONTROL_PRESET_IDS)[number], Speed, string][])('%s is %s, PGN %s, and its id parses back', (id, speed, pgn) => {
    const tc = TIME_CONTROL_PRESETS[id];
    expect(speedOf(tc)).toBe(speed);
    expect(pgnTimeControl(tc)).toBe(pgn);
    expect(timeControlId(tc)).toBe(id);
    expect(expectOk(parseTimeControl(id))).toEqual(tc);
  });

  it('lists every preset once', () => {
    expect(Object.keys(TIME_CONTROL_PRESETS)).toEqual([...TIME_CONTROL_PRESET_IDS]);
  });
});

describe('custom time controls', () => {
  test.each([
    ['7+5', { initialMs: 420_000, incrementMs: 5_000 }, '7+5'],
    ['0.5+0', { initialMs: 30_000, incrementMs: 0 }, '0.5+0'],
    ['1.5+1', { initialMs: 90_000, incrementMs: 1_000 }, '1.5+1'],
    [' 180+180 ', { initialMs: 10_800_000, incrementMs: 180_000 }, '180+180'],
    [{ initialMs: 600_000, incrementMs: 3_000 }, { initialMs: 600_000, incrementMs: 3_000 }, '10+3'],
  ])('%j', (input, expected, id) => {
    const tc = expectOk(parseTimeControl(input));
    expect(tc).toEqual(expected);
    expect(timeControlId(tc)).toBe(id);
  });

  test.each([
    ['0.25+0', 'out-of-bounds'],
    ['181+0', 'out-of-bounds'],
    ['3+181', 'out-of-bounds'],
    ['0.6+0', 'out-of-bounds'],
    ['3+2+1', 'malformed'],
    ['3', 'malformed'],
    ['+2', 'malformed'],
    ['-1+0', 'malformed'],
    ['three+two', 'malformed'],
    ['', 'malformed'],
    [42, 'malformed'],
    [null, 'malformed'],
    [{ initialMs: 180_000 }, 'malformed'],
    [{ initialMs: 180_000.5, incrementMs: 0 }, 'malformed'],
    [{ initialMs: 180_000, incrementMs: 0, bonus: 1 }, 'malformed'],
    [{ initialMs: 1_000, incrementMs: 0 }, 'out-of-bounds'],
    [{ initialMs: 180_000, incrementMs: 500 }, 'out-of-bounds'],
  ])('rejects %j as %s', (input, code) => {
    const result = parseTimeControl(input);
    expect(!result.ok && result.error.code).toBe(code);
  });

  it('accepts tighter or looser bounds when a caller passes them (short clocks in tests)', () => {
    const bounds = { ...DEFAULT_TIME_CONTROL_BOUNDS, minInitialMs: 1_000, initialStepMs: 1_000 };
    expect(expectOk(parseTimeControl({ initialMs: 2_000, incrementMs: 0 }, bounds))).toEqual({ initialMs: 2_000, incrementMs: 0 });
  });

  it('property: every valid control round-trips through its id', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 720 }), fc.integer({ min: 0, max: 180 }), (quarterMinutes, incrementSeconds) => {
        const tc = { initialMs: quarterMinutes * 15_000, incrementMs: incrementSeconds * 1_000 };
        expect(expectOk(parseTimeControl(timeControlId(tc)))).toEqual(tc);
      }),
    );
  });

  it('uses lichess speed thresholds on initial + 40 × increment', () => {
    expect(speedOf({ initialMs: 120_000, incrementMs: 1_000 })).toBe('bullet'); // 160 s
    expect(speedOf({ initialMs: 60_000, incrementMs: 3_000 })).toBe('blitz'); // 180 s
    expect(speedOf({ initialMs: 300_000, incrementMs: 5_000 })).toBe('rapid'); // 500 s
    expect(speedOf({ initialMs: 1_200_000, incrementMs: 8_000 })).toBe('classical'); // 1520 s
  });
});
