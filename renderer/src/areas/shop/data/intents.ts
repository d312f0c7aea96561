/**
 * The shop's intents as the UI shows them: what was asked, what the same rule code predicted
 * locally (while pending), and what the referee decided. Predictions are stored as plain JSON
 * beside the intent record, so they survive a restart. Pure functions, tested beside.
 */
import type { Minor } from '../../../../../shared/domain/money.ts';
import { decideCheckout, type CheckoutContext, type CheckoutRejection } from '../../../../../shared/domain/commerce/checkout.ts';
import type { Cart } from '../../../../../shared/domain/commerce/cart.ts';
import type { CurrencyCode } from '../../../../../shared/domain/commerce/currency.ts';
import { decideOrderTransition, type Order } from '../../../../../shared/domain/commerce/order.ts';
import { decideStockAdjustment, type StockAdjustment, type StockLevels } from '../../../../../shared/domain/commerce/stock.ts';
import type { OrderStatus, TenantRole } from '../../../../../shared/domain/commerce/vocab.ts';
import type { IntentRecord } from '../../../engine/collections.ts';

export type CheckoutPrediction =
  | { readonly kind: 'accepted'; readonly subtotal: Minor; readonly tax: Minor; readonly total: Minor; readonly currency: CurrencyCode; readonly units: number }
  | { readonly kind: 'rejected'; readonly reasons: readonly CheckoutRejection[] }
  | { readonly kind: 'invalid'; readonly message: string };

/** Runs the referee's own rule on this device's catalog and stock: the predicted outcome. */
export function predictCheckout(payload: unknown, context: CheckoutContext): CheckoutPrediction {
  const decision = decideCheckout(payload, context);
  switch (decision.kind) {
    case 'accepted': {
      const { order } = decision;
      return { kind: 'accepted', subtotal: order.subtotal, tax: order.tax, total: order.total, currency: order.currency, units: order.lines.reduce((sum, line) => sum + line.quantity, 0) };
    }
    case 'rejected':
      return { kind: 'rejected', reasons: decision.reasons };
    case 'invalid':
      return { kind: 'invalid', message: decision.message };
  }
}

export type StockPrediction = { readonly kind: 'accepted'; readonly before: number; readonly after: number } | { readonly kind: 'rejected'; readonly message: string };

export function predictStock(stock: StockLevels, adjustment: StockAdjustment, role: TenantRole): StockPrediction {
  const decided = decideStockAdjustment(stock, adjustment, role);
  if (!decided.ok) return { kind: 'rejected', message: decided.error.message };
  const change = decided.value.changes[0]!;
  return { kind: 'accepted', before: change.before, after: change.after };
}

export type OrderMovePrediction = { readonly kind: 'accepted'; readonly to: OrderStatus } | { readonly kind: 'rejected'; readonly message: string };

export function predictOrderMove(order: Order, to: OrderStatus, role: TenantRole, actorId: string, now: number): OrderMovePrediction {
  const decided = decideOrderTransition(order, { to, actorRole: role, actorId }, now);
  return decided.ok ? { kind: 'accepted', to: decided.value.order.status } : { kind: 'rejected', message: decided.error.message };
}

/** What the referee wrote for an accepted checkout. */
export interface CheckoutReceipt {
  readonly orderId: string;
  readonly number: string;
  readonly subtotal: Minor;
  readonly tax: Minor;
  readonly total: Minor;
  readonly currency: CurrencyCode;
}

export interface DecisionView {
  readonly status: IntentRecord['status'];
  readonly code: string | null;
  readonly message: string | null;
  readonly result: unknown;
}

export function decisionOf(record: IntentRecord): DecisionView | null {
  if (record.status === 'pending' || record.decision === null) return null;
  const reason = record.decision.reason as { code?: unknown; message?: unknown } | undefined;
  return {
    status: record.status,
    code: typeof reason?.code === 'string' ? reason.code : null,
    message: typeof reason?.message === 'string' ? reason.message : null,
    result: record.decision.result ?? null,
  };
}

export function checkoutReceipt(record: IntentRecord): CheckoutReceipt | null {
  const result = decisionOf(record)?.result as Partial<CheckoutReceipt> | null;
  if (record.status !== 'accepted' || !result || typeof result.number !== 'string' || typeof result.total !== 'number') return null;
  return result as CheckoutReceipt;
}

/** The referee's per-line reasons of a rejected checkout (or one general reason). */
export function checkoutRejections(record: IntentRecord): readonly CheckoutRejection[] {
  const view = decisionOf(record);
  if (!view || view.status === 'accepted') return [];
  const reasons = (view.result as { reasons?: unknown } | null)?.reasons;
  if (Array.isArray(reasons)) return reasons as CheckoutRejection[];
  return [{ productId: null, code: (view.code ?? 'rejected') as CheckoutRejection['code'], message: view.message ?? 'The shop refused this order.' }];
}

interface CheckoutPayloadLike {
  readonly lines?: ReadonlyArray<{ readonly productId?: unknown }>;
}

/**
 * After a checkout was accepted, the cart lines it bought are removed: those named by the
 * intent that were not touched after it was sent (a line changed later is a new wish and stays).
 * Idempotent: running it on every device, any number of times, gives the same cart.
 */
export function linesBoughtBy(cart: Cart, intent: IntentRecord): string[] {
  if (intent.status !== 'accepted') return [];
  const bought = new Set(((intent.payload as CheckoutPayloadLike | null)?.lines ?? []).map((line) => line.productId).filter((id): id is string => typeof id === 'string'));
  return cart.lines.filter((line) => bought.has(line.productId) && line.updatedAt <= intent.createdAt).map((line) => line.productId);
}

export function isRecent(record: IntentRecord, now: number, windowMs: number): boolean {
  return record.status === 'pending' || now - Math.max(record.createdAt, record.decidedAt) < windowMs;
}
