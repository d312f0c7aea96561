import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CURRENCY_CODES, formatMoney } from '../../../../shared/domain/commerce/currency.ts';
import { minor } from '../../../../shared/domain/money.ts';
import { formatPrice } from './components.tsx';

describe('formatPrice', () => {
  it('formats exactly as the domain’s formatMoney, for any amount, currency and locale (unknown locales included)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1_000_000_000_000 }),
        fc.constantFrom(...CURRENCY_CODES),
        fc.constantFrom('en-US', 'de-DE', 'fr-CH', 'ja-JP', 'ar-EG', 'hi-IN', 'xx-nope', 'en'),
        (amount, currency, locale) => {
          expect(formatPrice({ amount: minor(amount), currency }, locale)).toBe(formatMoney(minor(amount), currency, locale));
        },
      ),
      { numRuns: 500 },
    );
  });
});
