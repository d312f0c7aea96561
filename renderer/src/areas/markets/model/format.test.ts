import { describe, expect, it } from 'vitest';
import { closeLabel, formatPoints, formatProbability, formatShares, formatSignedPoints, leadingOutcome, refusalText, relativeTime, resolutionLabel } from './format.ts';

describe('markets formatting', () => {
  it.each([
    [0, '0.00 pts'],
    [1, '0.01 pts'],
    [12_345, '123.45 pts'],
    [100_000, '1,000.00 pts'],
  ])('play money %i minor → %s', (amount, text) => {
    expect(formatPoints(amount)).toBe(text);
  });

  it('signs profits and losses, with a true minus sign', () => {
    expect(formatSignedPoints(1_861)).toBe('+18.61 pts');
    expect(formatSignedPoints(-861)).toBe('\u22128.61 pts');
    expect(formatSignedPoints(0)).toBe('0.00 pts');
  });

  it('shows probabilities with one decimal and never rounds a live price to 0% or 100%', () => {
    expect(formatProbability(0.524979)).toBe('52.5%');
    expect(formatProbability(1 / 3)).toBe('33.3%');
    expect(formatProbability(0.0001)).toBe('<0.1%');
    expect(formatProbability(0.99996)).toBe('>99.9%');
    expect(formatProbability(1)).toBe('100.0%');
    expect(formatProbability(0)).toBe('0.0%');
    expect(formatProbability(Number.NaN)).toBe('—');
  });

  it('formats shares with two decimals, and in other locales', () => {
    expect(formatShares(83.179657)).toBe('83.18');
    expect(formatShares(1234.5, 'de-DE')).toBe('1.234,50');
    expect(formatPoints(12_345, 'xx-nope')).toBe('123.45 pts');
  });

  it('says when a market closes, in words', () => {
    const now = Date.UTC(2026, 0, 1);
    expect(closeLabel(now + 3 * 3_600_000 + 5, now)).toBe('Closes in 3 hours');
    expect(closeLabel(now - 2 * 86_400_000, now)).toBe('Closed 2 days ago');
    expect(relativeTime(now + 30_000, now)).toBe('in less than a minute');
    expect(relativeTime(now - 30_000, now)).toBe('just now');
    expect(relativeTime(now + 90_000, now)).toBe('in 1 minute');
  });

  it('labels resolutions', () => {
    expect(resolutionLabel({ kind: 'outcome', outcome: 1 }, ['Red', 'Blue'])).toBe('Blue');
    expect(resolutionLabel({ kind: 'outcome', outcome: 0 }, ['YES', 'NO'])).toBe('YES');
    expect(resolutionLabel({ kind: 'probability', probability: 0.62 }, ['YES', 'NO'])).toBe('PROB 62.0%');
    expect(resolutionLabel({ kind: 'na' }, ['YES', 'NO'])).toBe('N/A (trades refunded)');
  });

  it('finds the leading outcome, the first one on a tie', () => {
    expect(leadingOutcome(['A', 'B', 'C'], [0.2, 0.5, 0.3])).toEqual({ index: 1, label: 'B', probability: 0.5 });
    expect(leadingOutcome(['A', 'B'], [0.5, 0.5])?.label).toBe('A');
    expect(leadingOutcome([], [])).toBeNull();
  });

  it('explains refusals by code and keeps the server’s numbers', () => {
    expect(refusalText('slippage', 'the cost 512 exceeds your limit 500')).toBe('The price moved past your limit before your order reached the market. (the cost 512 exceeds your limit 500)');
    expect(refusalText('something-new', 'it broke')).toBe('it broke');
    expect(refusalText(null, null)).toBe('The server refused this request.');
  });
});
