import { describe, expect, it } from 'vitest';
import { addMinor, formatMicroUsd, isMinor, microUsd, minor, MoneyError, multiplyMinor, subtractMinor } from './money.ts';

describe('money', () => {
  it('accepts only safe integers', () => {
    expect(minor(1999)).toBe(1999);
    for (const bad of [1.5, Number.NaN, Infinity, 2 ** 60]) {
      expect(() => minor(bad)).toThrow(MoneyError);
      expect(() => microUsd(bad)).toThrow(MoneyError);
    }
    expect(isMinor(3)).toBe(true);
    expect(isMinor('3')).toBe(false);
    expect(isMinor(0.1)).toBe(false);
  });

  it('adds, subtracts and multiplies without floats', () => {
    expect(addMinor(minor(10), minor(20), minor(-5))).toBe(25);
    expect(subtractMinor(minor(10), minor(25))).toBe(-15);
    expect(multiplyMinor(minor(1999), 3)).toBe(5997);
    expect(() => multiplyMinor(minor(1), 1.5)).toThrow(/quantity/);
  });

  it('formats micro-dollars', () => {
    expect(formatMicroUsd(microUsd(0))).toBe('$0.00');
    expect(formatMicroUsd(microUsd(12_300))).toBe('$0.0123');
    expect(formatMicroUsd(microUsd(1_500_000))).toBe('$1.50');
    expect(formatMicroUsd(microUsd(100_000))).toBe('$0.10');
  });
});
