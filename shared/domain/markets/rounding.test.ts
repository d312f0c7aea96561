import { describe, expect, it } from 'vitest';
import { MoneyError } from '../money.ts';
import { chargeFromUnits, creditFromUnits, MINOR_PER_SHARE, roundMinor, unitsFromMinor } from './rounding.ts';

describe('turning LMSR units into money', () => {
  it('a winning share pays 1.00 = 100 minor units', () => {
    expect(MINOR_PER_SHARE).toBe(100);
    expect(unitsFromMinor(chargeFromUnits(1))).toBe(1);
  });

  it.each([
    // [units, charge (up), credit (down), why]
    [5.124948, 513, 512, 'a real fraction rounds in the market’s favour'],
    [0.000001, 1, 0, 'the smallest purchase still costs one minor unit'],
    [5.00001, 501, 500, '1e-3 minor is a fraction, not noise'],
    [5.0000000000001, 500, 500, 'noise above an integer does not cost a whole unit'],
    [4.9999999999999, 500, 500, 'noise below an integer does not lose a whole unit'],
    [10.000000000000002, 1000, 1000, 'a complete set of 10 costs exactly 1000'],
    [0, 0, 0, 'nothing costs nothing'],
  ])('%d units → charge %d, credit %d (%s)', (units, charge, credit) => {
    expect(chargeFromUnits(units)).toBe(charge);
    expect(creditFromUnits(units)).toBe(credit);
  });

  it('the tolerance is relative: a fraction of 1e-8 of a unit is noise only for amounts above 10 units', () => {
    expect(chargeFromUnits(1000 + 1e-8)).toBe(100_000);
    expect(chargeFromUnits(1 + 1e-8)).toBe(101);
  });

  it('never returns -0 (it would not survive JSON)', () => {
    expect(Object.is(creditFromUnits(-0), 0)).toBe(true);
    expect(Object.is(creditFromUnits(1e-20), 0)).toBe(true);
    expect(Object.is(roundMinor(-0.2), 0)).toBe(true);
  });

  it('refuses non-finite amounts as programmer errors', () => {
    expect(() => chargeFromUnits(Number.NaN)).toThrow(RangeError);
    expect(() => creditFromUnits(Infinity)).toThrow(RangeError);
    expect(() => chargeFromUnits(1e300)).toThrow(MoneyError);
  });
});
