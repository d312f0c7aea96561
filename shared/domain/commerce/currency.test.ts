import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { minor } from '../money.ts';
import {
  CURRENCY_CODES,
  currencyExponent,
  formatMoney,
  minorToDecimalString,
  moneySchema,
  parseMoneyInput,
  taxFor,
  totalsFor,
  validateTaxRate,
  type CurrencyCode,
} from './currency.ts';

describe('taxFor: half up, once', () => {
  it.each([
    // [subtotal, bps, tax, why]
    [0, 825, 0, 'nothing taxed'],
    [1, 5000, 1, '0.5 cent rounds up'],
    [3, 5000, 2, '1.5 cents rounds up to 2'],
    [100, 50, 1, '0.50 exactly: up'],
    [99, 50, 0, '0.495: down'],
    [101, 50, 1, '0.505: up'],
    [10, 825, 1, '0.825: up'],
    [1999, 825, 165, '$19.99 at 8.25 % = 164.9175'],
    [1000, 2000, 200, 'exact 20 %'],
    [12345, 0, 0, 'zero rate'],
    [12345, 10000, 12345, '100 %'],
    [5, 1000, 1, 'JPY ¥5 at 10 %: ¥0.5 rounds up'],
    [4, 1000, 0, 'JPY ¥4 at 10 %: ¥0.4 rounds down'],
  ])('taxFor(%i, %i bps) = %i (%s)', (subtotal, bps, tax) => {
    expect(taxFor(minor(subtotal), bps)).toBe(tax);
  });

  it('stays exact where subtotal × rate passes 2^53', () => {
    // 9,900,000,000,000 × 9,999 ≈ 9.9e16 > 2^53; float math would be off by units here.
    expect(taxFor(minor(9_900_000_000_001), 9_999)).toBe(9_899_010_000_001);
  });

  it('is within half a minor unit of the exact tax, ties going up (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000_000_000_000 }), fc.integer({ min: 0, max: 10_000 }), (subtotal, bps) => {
        const tax = BigInt(taxFor(minor(subtotal), bps));
        const diff = tax * 10_000n - BigInt(subtotal) * BigInt(bps);
        expect(diff > -5_000n && diff <= 5_000n).toBe(true);
      }),
    );
  });

  it('rounds on the order total, not per line', () => {
    const lines = [1, 1, 1].map((cents) => ({ unitPrice: minor(cents), quantity: 1 }));
    // Per line: 3 × round(0.5) = 3. Once on the total: round(1.5) = 2.
    expect(totalsFor(lines, 5000)).toEqual({ subtotal: 3, tax: 2, total: 5 });
    expect(totalsFor([{ unitPrice: minor(1999), quantity: 3 }, { unitPrice: minor(1), quantity: 1 }], 825)).toEqual({ subtotal: 5998, tax: 495, total: 6493 });
    expect(totalsFor([], 825)).toEqual({ subtotal: 0, tax: 0, total: 0 });
  });

  it('refuses programmer errors loudly', () => {
    expect(() => taxFor(minor(-1), 100)).toThrow(RangeError);
    expect(() => taxFor(minor(1), 10_001)).toThrow(RangeError);
    expect(() => taxFor(minor(1), 1.5)).toThrow(RangeError);
  });

  it.each([
    [0, true], [825, true], [10_000, true], [-1, false], [10_001, false], [8.25, false], ['825', false], [null, false], [Number.NaN, false],
  ])('validateTaxRate(%s) ok=%s', (value, valid) => {
    const result = validateTaxRate(value);
    expect(result.ok).toBe(valid);
    if (!result.ok) expect(result.error.code).toBe('invalid-tax-rate');
  });
});

describe('formatMoney', () => {
  it.each([
    [123456, 'USD', 'en-US', '$1,234.56'],
    [123456, 'EUR', 'de-DE', '1.234,56\u00A0€'],
    [5, 'USD', 'en-US', '$0.05'],
    [0, 'GBP', 'en-GB', '£0.00'],
    [1234, 'JPY', 'en-US', '¥1,234'],
    [1234, 'JPY', 'ja-JP', '￥1,234'],
    [1234, 'JPY', 'de-DE', '1.234\u00A0¥'],
    [1234, 'BHD', 'en-US', 'BHD\u00A01.234'],
    [-150, 'USD', 'en-US', '-$1.50'],
    [9_007_199_254_740_991, 'USD', 'en-US', '$90,071,992,547,409.91'],
  ] as const)('%i minor %s in %s → %s', (amount, currency, locale, expected) => {
    expect(formatMoney(minor(amount), currency, locale)).toBe(expected);
  });

  it('falls back to en-US for a malformed locale tag', () => {
    expect(formatMoney(minor(250), 'USD', 'not a locale!!')).toBe('$2.50');
  });

  it('writes exact decimal strings', () => {
    expect(minorToDecimalString(minor(5), 'USD')).toBe('0.05');
    expect(minorToDecimalString(minor(-5), 'USD')).toBe('-0.05');
    expect(minorToDecimalString(minor(5), 'BHD')).toBe('0.005');
    expect(minorToDecimalString(minor(5), 'JPY')).toBe('5');
    expect(minorToDecimalString(minor(123456), 'EUR')).toBe('1234.56');
  });
});

describe('parseMoneyInput', () => {
  it.each([
    ['12.34', 'USD', 1234],
    ['12,34', 'EUR', 1234],
    [' 12.3 ', 'USD', 1230],
    ['12', 'USD', 1200],
    ['12.', 'USD', 1200],
    ['.5', 'USD', 50],
    ['0', 'USD', 0],
    ['007.10', 'USD', 710],
    ['12.340', 'USD', 1234],
    ['1234', 'JPY', 1234],
    ['1234.0', 'JPY', 1234],
    ['1.234', 'BHD', 1234],
    ['１２.３４', 'USD', 1234],
    ['10000000', 'USD', 1_000_000_000],
  ] as const)('%j in %s → %i', (input, currency, expected) => {
    expect(parseMoneyInput(input, currency)).toEqual({ ok: true, value: expected });
  });

  it.each([
    ['', 'USD', 'empty'],
    ['   ', 'USD', 'empty'],
    ['-1', 'USD', 'negative'],
    ['−1.00', 'USD', 'negative'],
    ['12.345', 'USD', 'too-many-decimals'],
    ['0.001', 'EUR', 'too-many-decimals'],
    ['1.5', 'JPY', 'too-many-decimals'],
    ['1.2345', 'BHD', 'too-many-decimals'],
    ['10000000.01', 'USD', 'too-large'],
    ['1000000001', 'JPY', 'too-large'],
    ['99999999999999999999999999', 'USD', 'too-large'],
    ['1'.repeat(65), 'USD', 'too-large'],
    ['abc', 'USD', 'invalid'],
    ['12abc', 'USD', 'invalid'],
    ['1,234.56', 'USD', 'invalid'],
    ['1.2.3', 'USD', 'invalid'],
    ['$12', 'USD', 'invalid'],
    ['+12', 'USD', 'invalid'],
    ['1e3', 'USD', 'invalid'],
    ['0x10', 'USD', 'invalid'],
    ['Infinity', 'USD', 'invalid'],
    ['NaN', 'USD', 'invalid'],
    ['.', 'USD', 'invalid'],
    ['1 000', 'USD', 'invalid'],
    ['12\u0000', 'USD', 'invalid'],
  ] as const)('%j in %s → %s', (input, currency, code) => {
    const result = parseMoneyInput(input, currency);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.code).toBe(code);
      expect(result.error.message.length).toBeGreaterThan(5);
    }
  });

  it.each([[12.34], [null], [undefined], [{}], [['1']]])('non-string %j → invalid', (input) => {
    const result = parseMoneyInput(input, 'USD');
    expect(!result.ok && result.error.code).toBe('invalid');
  });

  it('honours a lower maximum', () => {
    expect(parseMoneyInput('5.00', 'USD', 499).ok).toBe(false);
    expect(parseMoneyInput('4.99', 'USD', 499)).toEqual({ ok: true, value: 499 });
  });

  it('round-trips every amount through its decimal string (property)', () => {
    const currencies = fc.constantFrom<CurrencyCode>(...CURRENCY_CODES);
    fc.assert(
      fc.property(currencies, fc.integer({ min: 0, max: 1_000_000_000 }), (currency, amount) => {
        expect(parseMoneyInput(minorToDecimalString(minor(amount), currency), currency)).toEqual({ ok: true, value: amount });
      }),
    );
  });
});

describe('currency table and schema', () => {
  it('knows ISO 4217 exponents', () => {
    expect(currencyExponent('USD')).toBe(2);
    expect(currencyExponent('EUR')).toBe(2);
    expect(currencyExponent('GBP')).toBe(2);
    expect(currencyExponent('JPY')).toBe(0);
    expect(currencyExponent('KRW')).toBe(0);
    expect(currencyExponent('KWD')).toBe(3);
  });

  it.each([
    [{ amount: 100, currency: 'USD' }, true],
    [{ amount: 1.5, currency: 'USD' }, false],
    [{ amount: '100', currency: 'USD' }, false],
    [{ amount: 100, currency: 'usd' }, false],
    [{ amount: 100, currency: 'XYZ' }, false],
    [{ amount: 100, currency: 'USD', extra: 1 }, false],
    [{ amount: 2 ** 60, currency: 'USD' }, false],
  ])('moneySchema %j → %s', (value, valid) => {
    expect(moneySchema.safeParse(value).success).toBe(valid);
  });
});
