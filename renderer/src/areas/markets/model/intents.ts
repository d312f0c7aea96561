/**
 * The markets intents as the screens show them: pending with what this device predicted, then
 * accepted with what the referee did, or refused with its reason. Pure, tested beside.
 */
import { type TradeCommand } from '../../../../../shared/domain/markets/index.ts';
import { CreateMarketPayloadSchema, MARKET_INTENTS, ResolvePayloadSchema, TradePayloadSchema, type TradeResult } from '../../../../../shared/sync/layouts/markets.ts';
import type { IntentRecord } from '../../../engine/collections.ts';
import type { PendingTrade, TradePrediction } from './ticket.ts';

export const MARKET_INTENT_KINDS: readonly string[] = Object.values(MARKET_INTENTS);

export type IntentView =
  | { readonly status: 'pending' }
  | { readonly status: 'accepted'; readonly result: unknown }
  | { readonly status: 'refused'; readonly code: string | null; readonly message: string | null };

export function intentView(record: IntentRecord): IntentView {
  if (record.status === 'pending' || record.decision === null) return { status: 'pending' };
  if (record.status === 'accepted') return { status: 'accepted', result: record.decision.result ?? null };
  const reason = record.decision.reason as { code?: unknown; message?: unknown } | undefined;
  return {
    status: 'refused',
    code: typeof reason?.code === 'string' ? reason.code : record.status,
    message: typeof reason?.message === 'string' ? reason.message : null,
  };
}

export interface TradeIntent {
  readonly id: string;
  readonly marketId: string;
  readonly command: TradeCommand;
  readonly createdAt: number;
  readonly view: IntentView;
  readonly prediction: TradePrediction | null;
}

function isPrediction(value: unknown): value is TradePrediction {
  const kind = (value as { kind?: unknown } | null)?.kind;
  return kind === 'fill' || kind === 'refused';
}

/** A trade intent of this user, or null for another kind or a payload that does not parse. */
export function tradeIntentOf(record: IntentRecord): TradeIntent | null {
  if (record.kind !== MARKET_INTENTS.trade) return null;
  const payload = TradePayloadSchema.safeParse(record.payload);
  if (!payload.success) return null;
  return {
    id: record.id,
    marketId: payload.data.market,
    command: payload.data.command,
    createdAt: record.createdAt,
    view: intentView(record),
    prediction: isPrediction(record.prediction) ? record.prediction : null,
  };
}

/** What an accepted trade decision says it did, or null if the result has another shape. */
export function tradeResultOf(view: IntentView): TradeResult | null {
  if (view.status !== 'accepted') return null;
  const result = view.result as Partial<TradeResult> | null;
  if (!result || typeof result.shares !== 'number' || typeof result.cash !== 'number' || typeof result.outcome !== 'number') return null;
  return result as TradeResult;
}

/** This user's still-pending trades in one market, oldest first (the order the referee takes them). */
export function pendingTradesIn(records: readonly IntentRecord[], marketId: string): PendingTrade[] {
  return records
    .filter((record) => record.status === 'pending')
    .map(tradeIntentOf)
    .filter((trade): trade is TradeIntent => trade !== null && trade.marketId === marketId)
    .sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1))
    .map((trade) => ({ id: trade.id, command: trade.command }));
}

/**
 * Money this user has committed in intents not decided yet, outside `exceptMarket`: predicted
 * buys in other markets and the subsidies of markets being created. The ticket previews against
 * the balance minus this, as the referee will see it when their turn comes.
 */
export function pendingCommitments(records: readonly IntentRecord[], exceptMarket: string | null): number {
  let total = 0;
  for (const record of records) {
    if (record.status !== 'pending') continue;
    if (record.kind === MARKET_INTENTS.create) {
      const payload = CreateMarketPayloadSchema.safeParse(record.payload);
      if (payload.success) total += payload.data.subsidy;
      continue;
    }
    const trade = tradeIntentOf(record);
    if (trade === null || trade.marketId === exceptMarket) continue;
    if (trade.prediction?.kind === 'fill' && trade.prediction.side === 'buy') total += trade.prediction.cash;
  }
  return total;
}

/** The market a resolve/correct intent is about, or null. */
export function resolveTargetOf(record: IntentRecord): string | null {
  if (record.kind !== MARKET_INTENTS.resolve && record.kind !== MARKET_INTENTS.correct) return null;
  const payload = ResolvePayloadSchema.safeParse(record.payload);
  return payload.success ? payload.data.market : null;
}
