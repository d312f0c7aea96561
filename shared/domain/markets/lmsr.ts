/**
 * Hanson's logarithmic market scoring rule, in floats, computed so that nothing overflows.
 *
 *   C(z) = b·ln Σᵢ exp(zᵢ/b)        pᵢ = softmax(z/b)ᵢ
 *
 * `z = q + o`: q are the shares traders hold, o the market maker's virtual offset that sets the
 * opening prices (oᵢ = b·ln p⁰ᵢ, see market.ts). Everything here works on log-prices
 * lpᵢ = zᵢ/b − LSE(z/b) ≤ 0 and prices a trade Δ from the current state as b·LSE(lp + Δ/b), which
 * equals C(z+Δ) − C(z) without ever subtracting two large costs. Single-outcome trades use
 * log1p/expm1 forms that stay accurate for tiny trades and for prices near 0 or 1.
 *
 * Units: b, z, shares and costs are in share units (one winning share pays one unit); turning
 * units into money happens in rounding.ts and nowhere else.
 */

/** ln Σ exp(xᵢ), shifted by the largest term; the rest goes through log1p for accuracy. */
export function logSumExp(xs: readonly number[]): number {
  let top = -Infinity;
  let at = -1;
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i]!;
    if (x > top) {
      top = x;
      at = i;
    }
  }
  if (at < 0) return -Infinity;
  let rest = 0;
  for (let i = 0; i < xs.length; i++) if (i !== at) rest += Math.exp(xs[i]! - top);
  return top + Math.log1p(rest);
}

/** ln(1 + eˣ), without overflow for large x and without losing small values for negative x. */
export function softplus(x: number): number {
  return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
}

/** ln(eʸ − 1) for y ≥ 0, the inverse of softplus; −∞ at 0. */
export function logExpm1(y: number): number {
  return y > 1 ? y + Math.log1p(-Math.exp(-y)) : Math.log(Math.expm1(y));
}

/**
 * Log-prices of the state z (shares plus offset). The largest term is shifted to 0 before
 * exponentiating, so z up to 10⁷·b and beyond stays finite, every lpᵢ ≤ 0, and the prices
 * exp(lpᵢ) share one normaliser, so they sum to 1 up to a few ulps.
 */
export function logPrices(z: readonly number[], b: number): number[] {
  const x = new Array<number>(z.length);
  let top = -Infinity;
  let at = -1;
  for (let i = 0; i < z.length; i++) {
    const xi = z[i]! / b;
    x[i] = xi;
    if (xi > top) {
      top = xi;
      at = i;
    }
  }
  let rest = 0;
  for (let i = 0; i < x.length; i++) if (i !== at) rest += Math.exp(x[i]! - top);
  // Subtract the shift first, then the small log1p term: for the largest zᵢ this is exact.
  const tail = Math.log1p(rest);
  for (let i = 0; i < x.length; i++) x[i] = x[i]! - top - tail;
  return x;
}

export function pricesFromLogPrices(lp: readonly number[]): number[] {
  return lp.map((l) => Math.exp(l));
}

/** The cost function C(z) = b·LSE(z/b), in units. For checks and tests; trades never diff it. */
export function costFunction(z: readonly number[], b: number): number {
  return b * logSumExp(z.map((zi) => zi / b));
}

/** ln(1 − pᵢ) = LSE of the other outcomes' log-prices: exact even when pᵢ rounds to 1. */
export function logComplement(lp: readonly number[], outcome: number): number {
  return logSumExp(lp.filter((_, i) => i !== outcome));
}

function logPriceAt(lp: readonly number[], outcome: number): number {
  const value = lp[outcome];
  if (value === undefined) throw new RangeError(`outcome ${outcome} is out of range`);
  return value;
}

/**
 * Cost of buying `shares` of one outcome: b·ln(1 + pᵢ·(e^{Δ/b} − 1)), evaluated as
 * b·softplus(lpᵢ + ln(e^{Δ/b} − 1)) so that neither a huge Δ nor a tiny pᵢ overflows.
 */
export function buyCost(lp: readonly number[], outcome: number, shares: number, b: number): number {
  const lpi = logPriceAt(lp, outcome);
  if (shares <= 0) return 0;
  return b * softplus(lpi + logExpm1(shares / b));
}

/**
 * Shares bought by spending `spend` units on one outcome: the exact inverse of buyCost,
 * Δ = b·ln(1 + (e^{M/b} − 1)/pᵢ), evaluated as b·softplus(ln(e^{M/b} − 1) − lpᵢ). No search.
 */
export function sharesForSpend(lp: readonly number[], outcome: number, spend: number, b: number): number {
  const lpi = logPriceAt(lp, outcome);
  if (spend <= 0) return 0;
  return b * softplus(logExpm1(spend / b) - lpi);
}

/**
 * Proceeds of selling `shares` of one outcome: −b·ln(1 − pᵢ·(1 − e^{−Δ/b})). When the argument
 * of the log gets close to 0 (a price near 1 and a large sale), 1 − pᵢ would lose every digit,
 * so that case is evaluated as −b·ln((1 − pᵢ) + pᵢ·e^{−Δ/b}) in log space instead.
 */
export function sellProceeds(lp: readonly number[], outcome: number, shares: number, b: number): number {
  const lpi = logPriceAt(lp, outcome);
  if (shares <= 0) return 0;
  const d = shares / b;
  const taken = Math.exp(lpi) * -Math.expm1(-d);
  if (taken <= 0.5) return -b * Math.log1p(-taken);
  return -b * logSumExp([logComplement(lp, outcome), lpi - d]);
}

/**
 * Cost of any trade vector Δ (shares per outcome, negative = sell): b·LSE(lp + Δ/b). Exact for
 * complete sets (Δ equal everywhere costs exactly Δ) and for multi-outcome trades.
 */
export function vectorTradeCost(lp: readonly number[], delta: readonly number[], b: number): number {
  if (delta.length !== lp.length) throw new RangeError('trade vector and state differ in length');
  return b * logSumExp(lp.map((l, i) => l + delta[i]! / b));
}

/**
 * Liquidity for a subsidy: b = S / ln(1 / min p⁰). The market maker's worst case is
 * b·ln(1/p⁰ᵢ) when outcome i wins, so the smallest opening price bounds the loss by S.
 */
export function liquidityForSubsidy(subsidyUnits: number, opening: readonly number[]): number {
  const smallest = Math.min(...opening);
  if (!(smallest > 0 && smallest < 1)) throw new RangeError('opening prices must lie in (0, 1)');
  return subsidyUnits / -Math.log(smallest);
}

/** The virtual offset oᵢ = b·ln p⁰ᵢ that makes an empty market open at the prices p⁰. */
export function openingOffset(opening: readonly number[], b: number): number[] {
  return opening.map((p) => b * Math.log(p));
}

/** The market maker's worst-case loss b·ln(1 / min p⁰) in units (= the subsidy). */
export function worstCaseLoss(opening: readonly number[], b: number): number {
  return b * -Math.log(Math.min(...opening));
}
