import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatOrderNumber, nextOrderNumber, parseOrderNumber } from './order-number.ts';

describe('order numbers', () => {
  it.each([
    [1, 'P', 'P-000001'],
    [123, 'P', 'P-000123'],
    [999_999, 'P', 'P-999999'],
    [1_000_000, 'P', 'P-1000000'],
    [42, 'SHOP', 'SHOP-000042'],
  ])('formatOrderNumber(%i, %s) = %s', (counter, prefix, expected) => {
    expect(formatOrderNumber(counter, prefix)).toBe(expected);
  });

  it.each([[0], [-1], [1.5], [Number.NaN], [2 ** 60]])('refuses counter %s', (counter) => {
    expect(() => formatOrderNumber(counter)).toThrow(RangeError);
  });

  it.each([['p'], ['ABCDE'], ['P1'], [''], ['P-']])('refuses prefix %j', (prefix) => {
    expect(() => formatOrderNumber(1, prefix)).toThrow(RangeError);
  });

  it.each([
    ['P-000123', 'P', 123],
    [' p-000123 ', 'P', 123],
    ['p000123', 'P', 123],
    ['P-123', 'P', 123],
    ['P-1000000', 'P', 1_000_000],
    ['SHOP-000042', 'SHOP', 42],
  ])('parses %j', (input, prefix, counter) => {
    expect(parseOrderNumber(input)).toEqual({ ok: true, value: { prefix, counter } });
  });

  it.each([['P-000000'], ['P-'], ['-000123'], ['000123'], ['P--1'], ['P-12a'], ['P-1.5'], ['ABCDE-1'], ['P-99999999999999999'], [42], [null], ['P-1'.padEnd(50, '1')]])('refuses %j', (input) => {
    const result = parseOrderNumber(input);
    expect(!result.ok && result.error.code).toBe('invalid-order-number');
  });

  it('round-trips every counter (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }), fc.constantFrom('P', 'AB', 'SHOP'), (counter, prefix) => {
        expect(parseOrderNumber(formatOrderNumber(counter, prefix))).toEqual({ ok: true, value: { prefix, counter } });
      }),
    );
  });

  it('advances the counter by one', () => {
    expect(nextOrderNumber(0)).toEqual({ counter: 1, number: 'P-000001' });
    expect(nextOrderNumber(122, 'Q')).toEqual({ counter: 123, number: 'Q-000123' });
  });
});
