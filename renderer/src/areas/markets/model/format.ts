/**
 * Words and numbers the markets screens show: play money, probabilities, shares, close times,
 * resolutions, and what a refused intent means for the person who sent it. Pure, tested beside.
 *
 * Play money is integer minor units (100 per point; a winning share pays one point). It is shown
 * as points with two decimals: 12,345 minor → "123.45 pts".
 */
import type { Resolution } from '../../../../../shared/domain/markets/index.ts';
import { MINOR_PER_SHARE } from '../../../../../shared/domain/markets/index.ts';

const numberFormats = new Map<string, Intl.NumberFormat>();

function numberFormat(locale: string, options: Intl.NumberFormatOptions): Intl.NumberFormat {
  const key = `${locale}|${JSON.stringify(options)}`;
  let format = numberFormats.get(key);
  if (format === undefined) {
    try {
      format = new Intl.NumberFormat(locale, options);
    } catch (error) {
      if (!(error instanceof RangeError)) throw error;
      format = new Intl.NumberFormat('en-US', options);
    }
    if (numberFormats.size > 100) numberFormats.clear();
    numberFormats.set(key, format);
  }
  return format;
}

/** Minor units as points, two decimals, no unit: 12,345 → "123.45". */
export function formatPointsValue(amount: number, locale = 'en-US'): string {
  if (!Number.isFinite(amount)) return '—';
  return numberFormat(locale, { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(amount / MINOR_PER_SHARE);
}

/** Minor units as points with the unit: 12,345 → "123.45 pts". */
export function formatPoints(amount: number, locale = 'en-US'): string {
  return `${formatPointsValue(amount, locale)} pts`;
}

/** A profit or loss, always signed: "+12.00 pts", "−3.50 pts", "0.00 pts". */
export function formatSignedPoints(amount: number, locale = 'en-US'): string {
  if (amount === 0 || !Number.isFinite(amount)) return formatPoints(0, locale);
  const magnitude = formatPoints(Math.abs(amount), locale);
  return amount > 0 ? `+${magnitude}` : `\u2212${magnitude}`;
}

/**
 * A probability as a percentage with one decimal ("52.5%"). Never shows 0% or 100% for a price
 * that is not exactly there: LMSR prices are strictly between 0 and 1.
 */
export function formatProbability(p: number, locale = 'en-US'): string {
  if (!Number.isFinite(p)) return '—';
  const clamped = Math.min(1, Math.max(0, p));
  if (clamped > 0 && clamped < 0.0005) return `<${numberFormat(locale, { style: 'percent', maximumFractionDigits: 1 }).format(0.001)}`;
  if (clamped < 1 && clamped > 0.9995) return `>${numberFormat(locale, { style: 'percent', maximumFractionDigits: 1 }).format(0.999)}`;
  return numberFormat(locale, { style: 'percent', minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(clamped);
}

/** Shares with two decimals: 83.179657 → "83.18". */
export function formatShares(shares: number, locale = 'en-US'): string {
  if (!Number.isFinite(shares)) return '—';
  return numberFormat(locale, { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(shares);
}

/** A price per share in points (0..1 for buys): "0.601". */
export function formatPrice(price: number, locale = 'en-US'): string {
  if (!Number.isFinite(price)) return '—';
  return numberFormat(locale, { minimumFractionDigits: 3, maximumFractionDigits: 3 }).format(price);
}

const UNITS: ReadonlyArray<[Intl.RelativeTimeFormatUnit, number]> = [
  ['day', 86_400_000],
  ['hour', 3_600_000],
  ['minute', 60_000],
];

/** "in 3 hours", "2 days ago", "in 1 minute"; under a minute: "in less than a minute" / "just now". */
export function relativeTime(at: number, now: number, locale = 'en-US'): string {
  const diff = at - now;
  const abs = Math.abs(diff);
  if (abs < 60_000) return diff >= 0 ? 'in less than a minute' : 'just now';
  let format: Intl.RelativeTimeFormat;
  try {
    format = new Intl.RelativeTimeFormat(locale, { numeric: 'always' });
  } catch {
    format = new Intl.RelativeTimeFormat('en-US', { numeric: 'always' });
  }
  for (const [unit, ms] of UNITS) {
    if (abs >= ms) return format.format(Math.trunc(diff / ms), unit);
  }
  return format.format(Math.trunc(diff / 60_000), 'minute');
}

/** When trading stops, in words: "Closes in 3 hours", "Closed 2 days ago". */
export function closeLabel(closeAt: number, now: number, locale = 'en-US'): string {
  return closeAt > now ? `Closes ${relativeTime(closeAt, now, locale)}` : `Closed ${relativeTime(closeAt, now, locale)}`;
}

export function formatDateTime(at: number, locale = 'en-US'): string {
  try {
    return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' }).format(at);
  } catch {
    return new Date(at).toISOString();
  }
}

/** How a market was resolved, for people: "YES", "Blue", "PROB 62.0%", "N/A (trades refunded)". */
export function resolutionLabel(resolution: Resolution, outcomes: readonly string[], locale = 'en-US'): string {
  switch (resolution.kind) {
    case 'outcome':
      return outcomes[resolution.outcome] ?? `Option ${resolution.outcome + 1}`;
    case 'probability':
      return `PROB ${formatProbability(resolution.probability, locale)}`;
    case 'na':
      return 'N/A (trades refunded)';
  }
}

/** The outcome with the highest probability (the first on a tie), or null for no outcomes. */
export function leadingOutcome(outcomes: readonly string[], probabilities: readonly number[]): { index: number; label: string; probability: number } | null {
  let best = -1;
  for (let i = 0; i < outcomes.length; i++) if (best < 0 || (probabilities[i] ?? 0) > (probabilities[best] ?? 0)) best = i;
  return best < 0 ? null : { index: best, label: outcomes[best]!, probability: probabilities[best] ?? 0 };
}

/**
 * What a refusal means and what to do, by the referee's code. The server's own message is kept
 * beside it (it has the numbers: "the cost 512 exceeds your limit 500").
 */
const REASONS: Readonly<Record<string, string>> = {
  slippage: 'The price moved past your limit before your order reached the market.',
  'insufficient-balance': 'Your balance was too low when your order reached the market.',
  'balance-negative': 'Your balance is below zero, so buying is blocked until it recovers (selling is still allowed).',
  'insufficient-shares': 'You do not hold that many shares of this outcome.',
  'market-closed': 'The market had closed when your order reached it.',
  'market-resolved': 'The market was already resolved.',
  'unknown-market': 'This market does not exist (yet) on the server.',
  'not-a-member': 'Only members of this community can use its markets.',
  expired: 'The order waited too long to reach the server and was not placed.',
  'invalid-amount': 'The amount is out of range.',
  'invalid-outcome': 'That outcome is not part of this market.',
  'not-authorized': 'Only the creator or an admin can resolve this market.',
  'correction-window-closed': 'The window for correcting this resolution has passed.',
  unchanged: 'The market already has this resolution.',
  'not-resolved': 'The market is not resolved yet.',
  'invalid-resolution': 'That resolution does not fit this market.',
  'market-exists': 'A market with this id already exists.',
  malformed: 'The request was not understood by the server.',
};

export function refusalText(code: string | null, message: string | null): string {
  const known = code === null ? undefined : REASONS[code];
  if (known && message && message !== known) return `${known} (${message})`;
  return known ?? message ?? 'The server refused this request.';
}
