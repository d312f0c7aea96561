import { describe, expect, it } from 'vitest';
import { DEFAULT_RATING, rateGame, updateRating } from './glicko2.ts';

describe('Glicko-2', () => {
  it('reproduces the worked example of Glickman’s paper', () => {
    const player = { rating: 1500, rd: 200, volatility: 0.06 };
    const updated = updateRating(
      player,
      [
        { opponent: { rating: 1400, rd: 30, volatility: 0.06 }, score: 1 },
        { opponent: { rating: 1550, rd: 100, volatility: 0.06 }, score: 0 },
        { opponent: { rating: 1700, rd: 300, volatility: 0.06 }, score: 0 },
      ],
      { tau: 0.5 },
    );
    // The paper rounds its intermediate values (μ' = −0.2069); exact arithmetic gives 1464.0507.
    expect(Math.abs(updated.rating - 1464.06)).toBeLessThan(0.01);
    expect(updated.rd).toBeCloseTo(151.52, 2);
    // Paper: 0.05999 (truncated); exact: 0.0599960.
    expect(updated.volatility).toBeCloseTo(0.059996, 6);
    expect(updated.volatility).toBeLessThan(0.06);
  });

  it('grows the deviation of a player who did not play, up to the ceiling', () => {
    const idle = updateRating({ rating: 1700, rd: 50, volatility: 0.06 }, []);
    expect(idle.rating).toBe(1700);
    expect(idle.rd).toBeCloseTo(Math.sqrt(50 ** 2 + (0.06 * 173.7178) ** 2), 6);
    expect(updateRating(DEFAULT_RATING, []).rd).toBe(350);
  });

  it('moves two new players symmetrically after a decisive game', () => {
    const { white, black } = rateGame(DEFAULT_RATING, DEFAULT_RATING, '1-0');
    expect(white.rating).toBeGreaterThan(1500);
    expect(white.rating - 1500).toBeCloseTo(1500 - black.rating, 6);
    expect(white.rd).toBeLessThan(350);
    expect(white.rating).toBeCloseTo(1662.3, 1);
  });

  it('a draw between equals changes no rating; an upset moves more than the expected result', () => {
    const equal = { rating: 1600, rd: 80, volatility: 0.06 };
    const draw = rateGame(equal, equal, '1/2-1/2');
    expect(draw.white.rating).toBeCloseTo(1600, 9);
    expect(draw.black.rating).toBeCloseTo(1600, 9);
    const strong = { rating: 2000, rd: 60, volatility: 0.06 };
    const weak = { rating: 1500, rd: 60, volatility: 0.06 };
    const expectedWin = rateGame(strong, weak, '1-0');
    const upset = rateGame(strong, weak, '0-1');
    expect(upset.black.rating - 1500).toBeGreaterThan(expectedWin.white.rating - 2000);
  });

  it('keeps the deviation above the floor', () => {
    let rating = { rating: 1500, rd: 46, volatility: 0.06 };
    for (let i = 0; i < 50; i += 1) rating = updateRating(rating, [{ opponent: { rating: 1500, rd: 45, volatility: 0.06 }, score: 0.5 }]);
    expect(rating.rd).toBeGreaterThanOrEqual(45);
  });
});
