/**
 * Glicko-2 ratings after Glickman, "Example of the Glicko-2 system" (2012/2022), steps 1–8.
 * As on lichess, every rated game is its own rating period, so `rateGame` updates both
 * players from the ratings they had before the game. Ratings are floats; the UI rounds.
 */
import type { GameResult } from './types.ts';

export interface Glicko2Rating {
  readonly rating: number;
  /** Rating deviation. */
  readonly rd: number;
  readonly volatility: number;
}

export const DEFAULT_RATING: Glicko2Rating = { rating: 1500, rd: 350, volatility: 0.06 };

export interface Glicko2Options {
  /** System constant constraining volatility change; Glickman suggests 0.3–1.2. */
  readonly tau: number;
  /** Floor on RD so ratings keep moving (lichess uses 45). */
  readonly minRd: number;
  /** Ceiling on RD: never less certain than a new player. */
  readonly maxRd: number;
  /** Convergence tolerance of the volatility iteration (step 5). */
  readonly epsilon: number;
}

export const DEFAULT_GLICKO2_OPTIONS: Glicko2Options = { tau: 0.5, minRd: 45, maxRd: 350, epsilon: 0.000001 };

export interface RatedOutcome {
  readonly opponent: Glicko2Rating;
  /** 1 win, 0.5 draw, 0 loss. */
  readonly score: number;
}

const SCALE = 173.7178;
const MAX_ITERATIONS = 100;

function g(phi: number): number {
  return 1 / Math.sqrt(1 + (3 * phi * phi) / (Math.PI * Math.PI));
}

function expected(mu: number, muJ: number, phiJ: number): number {
  return 1 / (1 + Math.exp(-g(phiJ) * (mu - muJ)));
}

/** One rating period for one player. With no games only the deviation grows (step 6). */
export function updateRating(player: Glicko2Rating, outcomes: readonly RatedOutcome[], options: Partial<Glicko2Options> = {}): Glicko2Rating {
  const opts = { ...DEFAULT_GLICKO2_OPTIONS, ...options };
  const mu = (player.rating - 1500) / SCALE;
  const phi = player.rd / SCALE;
  const sigma = player.volatility;
  if (outcomes.length === 0) {
    return { ...player, rd: clampRd(Math.sqrt(phi * phi + sigma * sigma) * SCALE, opts) };
  }

  // Steps 3–4: estimated variance v and improvement delta.
  let inverseV = 0;
  let sum = 0;
  for (const { opponent, score } of outcomes) {
    const muJ = (opponent.rating - 1500) / SCALE;
    const phiJ = opponent.rd / SCALE;
    const e = expected(mu, muJ, phiJ);
    const gj = g(phiJ);
    inverseV += gj * gj * e * (1 - e);
    sum += gj * (score - e);
  }
  const v = 1 / inverseV;
  const delta = v * sum;

  const sigmaPrime = newVolatility(phi, sigma, v, delta, opts);
  // Steps 6–7.
  const phiStar = Math.sqrt(phi * phi + sigmaPrime * sigmaPrime);
  const phiPrime = 1 / Math.sqrt(1 / (phiStar * phiStar) + 1 / v);
  const muPrime = mu + phiPrime * phiPrime * sum;
  // Step 8.
  return { rating: muPrime * SCALE + 1500, rd: clampRd(phiPrime * SCALE, opts), volatility: sigmaPrime };
}

/** Step 5: the Illinois variant of regula falsi on f(x), as in the paper. */
function newVolatility(phi: number, sigma: number, v: number, delta: number, opts: Glicko2Options): number {
  const a = Math.log(sigma * sigma);
  const tau2 = opts.tau * opts.tau;
  const phi2 = phi * phi;
  const f = (x: number): number => {
    const ex = Math.exp(x);
    const denominator = phi2 + v + ex;
    return (ex * (delta * delta - phi2 - v - ex)) / (2 * denominator * denominator) - (x - a) / tau2;
  };
  let A = a;
  let B: number;
  if (delta * delta > phi2 + v) {
    B = Math.log(delta * delta - phi2 - v);
  } else {
    let k = 1;
    while (f(a - k * opts.tau) < 0 && k < MAX_ITERATIONS) k += 1;
    B = a - k * opts.tau;
  }
  let fA = f(A);
  let fB = f(B);
  for (let i = 0; i < MAX_ITERATIONS && Math.abs(B - A) > opts.epsilon; i += 1) {
    const C = A + ((A - B) * fA) / (fB - fA);
    const fC = f(C);
    if (fC * fB <= 0) {
      A = B;
      fA = fB;
    } else {
      fA /= 2;
    }
    B = C;
    fB = fC;
  }
  return Math.exp(A / 2);
}

function clampRd(rd: number, opts: Glicko2Options): number {
  return Math.min(opts.maxRd, Math.max(opts.minRd, rd));
}

/** Both players after one rated game, each against the other's pre-game rating. */
export function rateGame(
  white: Glicko2Rating,
  black: Glicko2Rating,
  result: GameResult,
  options: Partial<Glicko2Options> = {},
): { readonly white: Glicko2Rating; readonly black: Glicko2Rating } {
  const whiteScore = result === '1-0' ? 1 : result === '0-1' ? 0 : 0.5;
  return {
    white: updateRating(white, [{ opponent: black, score: whiteScore }], options),
    black: updateRating(black, [{ opponent: white, score: 1 - whiteScore }], options),
  };
}
