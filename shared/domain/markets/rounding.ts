/**
 * The one place where LMSR floats become money. Everything else in markets/ calls these.
 *
 * Unit decision: a winning share pays one play-money unit, shown as "1.00", which is
 * MINOR_PER_SHARE = 100 minor units. LMSR quantities (b, shares, costs) are floats in those
 * share units; balances, market cash and ledger amounts are integer `Minor`. So "b = 100" means
 * a market whose worst-case loss on two outcomes is 69.31 units = 6,931 minor.
 *
 * Rounding always favours the market (it must stay able to pay every winner): a charge rounds
 * up, a credit (sale proceeds, payout) rounds down. But a value within a relative 1e-9 of an
 * integer is float noise, not a fraction, and snaps to that integer, so that 500.0000000001
 * costs 500, not 501, and 299.99999999997 pays 300, not 299.
 *
 * Because the tolerance is relative, above 5·10⁸ minor (5 million play-money units in one
 * amount) it spans half a unit and rounding there becomes to-nearest: the market may then be
 * short by under one minor unit per trade. LMSR's own margin usually absorbs that, and
 * settlement scales payouts down if it ever does not (resolution.ts), so cash never goes negative.
 */
import { minor, type Minor } from '../money.ts';

/** Minor units paid by one winning share. */
export const MINOR_PER_SHARE = 100;

/** Relative distance to an integer below which a value counts as that integer. */
export const ROUNDING_TOLERANCE = 1e-9;

/** The nearest integer if `x` is within the relative tolerance of it, else null. */
function snap(x: number): number | null {
  const nearest = Math.round(x);
  if (Math.abs(x - nearest) > ROUNDING_TOLERANCE * Math.abs(x)) return null;
  return nearest === 0 ? 0 : nearest; // never -0: it does not survive JSON
}

function checkedUnits(units: number): number {
  if (!Number.isFinite(units)) throw new RangeError(`cannot turn ${units} units into money`);
  return units * MINOR_PER_SHARE;
}

/** What a buyer pays for an LMSR cost of `units`: rounded up to the minor unit. */
export function chargeFromUnits(units: number): Minor {
  const x = checkedUnits(units);
  return minor(snap(x) ?? Math.ceil(x));
}

/** What the market pays out for `units` (sale proceeds, payouts): rounded down. */
export function creditFromUnits(units: number): Minor {
  const x = checkedUnits(units);
  const down = snap(x) ?? Math.floor(x);
  return minor(down === 0 ? 0 : down);
}

/** Minor units as LMSR units (exact: a division by 100 of an integer). */
export function unitsFromMinor(amount: Minor): number {
  return amount / MINOR_PER_SHARE;
}

/** A float amount of minor units (a cost basis, a mark-to-market value) for display: nearest. */
export function roundMinor(x: number): Minor {
  const nearest = Math.round(x);
  return minor(nearest === 0 ? 0 : nearest);
}
