/**
 * What the UI shows about spend: a meter (this session, today, what is left in every budget), the
 * text of a refusal, and the model picker with formatted prices. Pure formatting over the same
 * values the policy uses, so the client shows exactly what the server enforces.
 */
import { formatMicroUsd, microUsd, type MicroUsd } from '../money.ts';
import { scopeKey, scopeLabel, scopesFor, usageIn, type BudgetLimits, type BudgetScope, type CallIdentity, type LedgerSnapshot, type ScopeKind } from './budgets.ts';
import type { PriceTable } from './prices.ts';
import type { Refusal } from './refusal.ts';

export interface MeterRow {
  readonly scopeKey: string;
  readonly kind: ScopeKind;
  readonly label: string;
  readonly window: string;
  readonly spentMicroUsd: MicroUsd;
  /** Held by calls still running. */
  readonly reservedMicroUsd: MicroUsd;
  readonly capMicroUsd: MicroUsd;
  readonly remainingMicroUsd: MicroUsd;
  /** Whole percent of the cap spent or held, 0–100 (for a bar). */
  readonly percentUsed: number;
  readonly resetsAt: number | null;
  readonly summary: string;
}

export interface SpendMeter {
  readonly session: MeterRow;
  readonly today: MeterRow;
  readonly rows: readonly MeterRow[];
  /** The row with the least left: what will stop the next call first. */
  readonly tightest: MeterRow;
}

function meterRow(scope: BudgetScope, snapshot: LedgerSnapshot): MeterRow {
  const usage = usageIn(snapshot, scope.key);
  const held = usage.committedMicroUsd + usage.reservedMicroUsd;
  const remaining = microUsd(Math.max(0, scope.capMicroUsd - held));
  const percentUsed = scope.capMicroUsd <= 0 ? 100 : Math.min(100, Math.floor((held * 100) / scope.capMicroUsd));
  const label = scopeLabel(scope.kind);
  return {
    scopeKey: scope.key,
    kind: scope.kind,
    label,
    window: scope.window,
    spentMicroUsd: usage.committedMicroUsd,
    reservedMicroUsd: usage.reservedMicroUsd,
    capMicroUsd: scope.capMicroUsd,
    remainingMicroUsd: remaining,
    percentUsed,
    resetsAt: scope.resetsAt,
    summary: `${formatMicroUsd(remaining)} left of ${formatMicroUsd(scope.capMicroUsd)}`,
  };
}

export function spendMeter(identity: CallIdentity, limits: BudgetLimits, snapshot: LedgerSnapshot, now: number): SpendMeter {
  const rows = scopesFor(identity, limits, now).map((scope) => meterRow(scope, snapshot));
  const find = (kind: ScopeKind) => {
    const row = rows.find((candidate) => candidate.kind === kind);
    if (!row) throw new Error(`scopesFor always yields a ${kind} scope`);
    return row;
  };
  const tightest = rows.reduce((least, row) => (row.remainingMicroUsd < least.remainingMicroUsd ? row : least));
  return { session: find('session'), today: find('user-day'), rows, tightest };
}

/**
 * `spendMeter(identity, …).session` alone: the inbox lists a user's recent sessions with one row
 * each, and building the whole meter (five scopes, their texts) per listed session was most of
 * the meter's work after every call.
 */
export function sessionMeterRow(identity: CallIdentity, limits: BudgetLimits, snapshot: LedgerSnapshot): MeterRow {
  return meterRow({ key: scopeKey('session', identity, 'session'), kind: 'session', window: 'session', capMicroUsd: limits.sessionMicroUsd, resetsAt: null }, snapshot);
}

/** `3 h 20 min`, `12 min`, `less than a minute`. */
export function formatDuration(ms: number): string {
  const minutes = Math.ceil(Math.max(0, ms) / 60_000);
  if (minutes <= 0) return 'less than a minute';
  const days = Math.floor(minutes / 1_440);
  const hours = Math.floor((minutes % 1_440) / 60);
  const rest = minutes % 60;
  const parts = [days > 0 ? `${days} d` : '', hours > 0 ? `${hours} h` : '', rest > 0 && days === 0 ? `${rest} min` : ''].filter(Boolean);
  return parts.join(' ');
}

const TITLES: Readonly<Record<Refusal['code'], string>> = {
  'invalid-request': 'This request cannot be sent.',
  'field-not-allowed': 'This request uses something Plaza cannot price.',
  'unknown-model': 'This model is not available.',
  'too-many-choices': 'Too many answers asked for.',
  'prompt-too-long': 'This conversation is too long.',
  'session-mismatch': 'This request belongs to another chat session.',
  'kill-switch': 'The AI assistant is switched off.',
  'session-halted': 'This chat session is paused.',
  'rate-limited': 'Slow down a little.',
  'budget-exhausted': 'AI budget reached.',
};

/**
 * A refusal as people read it: a title line, then the policy's message; with `now`, how long
 * until a budget resets or a rate limit frees up.
 */
export function describeRefusal(refusal: Refusal, now?: number): string {
  const lines = [TITLES[refusal.code], refusal.message];
  if (now !== undefined && refusal.budget?.resetsAt != null) lines.push(`That is in ${formatDuration(refusal.budget.resetsAt - now)}.`);
  if (now !== undefined && refusal.retryAt !== undefined) lines.push(`You can try again in ${formatDuration(refusal.retryAt - now)}.`);
  return lines.join(' ');
}

export interface ModelOption {
  readonly id: string;
  readonly label: string;
  /** `$0.15 in · $0.60 out per 1M tokens` */
  readonly priceText: string;
  /** `$0.075 per 1M cached input tokens` */
  readonly cachedText: string;
  /** `128K tokens` */
  readonly contextText: string;
  readonly outputPerMillion: MicroUsd;
}

const thousands = (tokens: number) => (tokens >= 1_000_000 ? `${Math.round(tokens / 100_000) / 10}M` : `${Math.round(tokens / 1_000)}K`);

/** The model picker: every priced model, cheapest answer first, prices formatted for people. */
export function modelPickerOptions(prices: PriceTable): readonly ModelOption[] {
  return Object.values(prices.models)
    .map((model) => ({
      id: model.id,
      label: model.label,
      priceText: `${formatMicroUsd(model.inputPerMillion)} in · ${formatMicroUsd(model.outputPerMillion)} out per 1M tokens`,
      cachedText: `${formatMicroUsd(model.cachedInputPerMillion)} per 1M cached input tokens`,
      contextText: `${thousands(model.contextWindow)} tokens`,
      outputPerMillion: model.outputPerMillion,
    }))
    .sort((a, b) => a.outputPerMillion - b.outputPerMillion || a.id.localeCompare(b.id));
}
