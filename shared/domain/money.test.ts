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

  it('formats every amount as Intl does, remembered or not, in every locale asked for', () => {
    const fresh = (amount: number, locale = 'en-US') => {
      const dollars = amount / 1_000_000;
      const digits = Math.abs(dollars) >= 1 || dollars === 0 ? 2 : 4;
      return new Intl.NumberFormat(locale, { style: 'currency', currency: 'USD', minimumFractionDigits: 2, maximumFractionDigits: digits }).format(dollars);
    };
    // More distinct amounts than are remembered, twice: the second round reads what is kept.
    const amounts = Array.from({ length: 2_500 }, (_, index) => (index * 7_919 - 3_000_000) * (index % 3 === 0 ? 1 : 37));
    for (let round = 0; round < 2; round += 1) {
      for (const amount of amounts) expect(formatMicroUsd(microUsd(amount))).toBe(fresh(amount));
    }
    expect(formatMicroUsd(microUsd(1_234_567_890), 'de-DE')).toBe(fresh(1_234_567_890, 'de-DE'));
    expect(formatMicroUsd(microUsd(1_234_567_890))).toBe('$1,234.57');
  });
});
