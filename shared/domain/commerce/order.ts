/**
 * Orders: what the commerce referee writes when it accepts a checkout, and how an order moves
 * afterwards: placed → paid → fulfilled, or cancelled from placed (nothing was paid) or from paid
 * (the payment is refunded). Cancelling gives the units back to stock. Only the shop owner and
 * admins move orders; every move is appended to the order's history with who and when.
 */
import { z } from 'zod';
import { type Minor } from '../money.ts';
import { err, fail, ok, type DomainError, type Result } from '../result.ts';
import { currencySchema, lineTotal, minorSchema, totalsFor, type CurrencyCode, type TaxRateBps, type Totals } from './currency.ts';
import { type StockLine } from './stock.ts';
import { cleanLine } from './text.ts';
import { canManageCommerce, isEntityId, LIMITS, ORDER_STATUSES, PAYMENT_STATUSES, type EpochMs, type OrderStatus, type PaymentStatus, type TenantRole } from './vocab.ts';

export interface OrderLine {
  readonly productId: string;
  /** The product's title when ordered, so the order still reads right after a rename. */
  readonly title: string;
  readonly unitPrice: Minor;
  readonly quantity: number;
  readonly lineTotal: Minor;
}

export interface OrderHistoryEntry {
  readonly status: OrderStatus;
  readonly at: EpochMs;
  /** User id of whoever made the move (the customer for `placed`). */
  readonly by: string;
}

export interface Customer {
  readonly userId: string;
  readonly displayName: string;
}

export interface Order extends Totals {
  readonly id: string;
  readonly number: string;
  readonly customer: Customer;
  readonly lines: readonly OrderLine[];
  readonly currency: CurrencyCode;
  /** The tax rate the total was computed with, so the order can be re-checked later. */
  readonly taxBps: TaxRateBps;
  readonly status: OrderStatus;
  readonly payment: PaymentStatus;
  readonly history: readonly OrderHistoryEntry[];
  readonly createdAt: EpochMs;
  readonly updatedAt: EpochMs;
}

const DISPLAY_NAME_MAX = 80;

export interface NewOrder {
  readonly id: string;
  readonly number: string;
  readonly customer: Customer;
  readonly lines: readonly Omit<OrderLine, 'lineTotal'>[];
  readonly currency: CurrencyCode;
  readonly taxBps: TaxRateBps;
  readonly now: EpochMs;
}

/** A freshly placed, unpaid order; totals computed here (tax once, on the subtotal). */
export function placeOrder(input: NewOrder): Order {
  const lines = input.lines.map((line) => ({ ...line, lineTotal: lineTotal(line.unitPrice, line.quantity) }));
  const name = [...cleanLine(input.customer.displayName)].slice(0, DISPLAY_NAME_MAX).join('');
  return {
    id: input.id,
    number: input.number,
    customer: { userId: input.customer.userId, displayName: name === '' ? 'Customer' : name },
    lines,
    currency: input.currency,
    ...totalsFor(lines, input.taxBps),
    taxBps: input.taxBps,
    status: 'placed',
    payment: 'unpaid',
    history: [{ status: 'placed', at: input.now, by: input.customer.userId }],
    createdAt: input.now,
    updatedAt: input.now,
  };
}

/** Allowed moves. Fulfilled and cancelled are final. */
export const ORDER_TRANSITIONS: Readonly<Record<OrderStatus, readonly OrderStatus[]>> = {
  placed: ['paid', 'cancelled'],
  paid: ['fulfilled', 'cancelled'],
  fulfilled: [],
  cancelled: [],
};

function paymentAfter(from: OrderStatus, to: OrderStatus, payment: PaymentStatus): PaymentStatus {
  if (to === 'paid') return 'paid';
  if (to === 'cancelled') return from === 'paid' ? 'refunded' : 'unpaid';
  return payment;
}

export const orderTransitionIntentSchema = z.strictObject({
  orderId: z.string().refine(isEntityId, 'an order id'),
  to: z.enum(ORDER_STATUSES),
});
export type OrderTransitionIntent = z.infer<typeof orderTransitionIntentSchema>;

export interface OrderTransitionRequest {
  readonly to: OrderStatus;
  readonly actorRole: TenantRole;
  readonly actorId: string;
}

export const ORDER_TRANSITION_ERROR_CODES = ['forbidden', 'invalid-transition'] as const;
export type OrderTransitionError = DomainError<(typeof ORDER_TRANSITION_ERROR_CODES)[number]>;

export interface OrderTransition {
  readonly order: Order;
  /** Units to give back to stock (`returnStock`); empty unless the order was cancelled. */
  readonly stockReturned: readonly StockLine[];
}

/**
 * The referee's decision on moving an order. History times never go backwards even if `now`
 * is behind the last entry (clock skew between server processes).
 */
export function decideOrderTransition(order: Order, request: OrderTransitionRequest, now: EpochMs): Result<OrderTransition, OrderTransitionError> {
  if (!canManageCommerce(request.actorRole)) return fail('forbidden', 'Only the shop owner and admins can change an order.');
  const from = order.status;
  if (!ORDER_TRANSITIONS[from].includes(request.to)) {
    const final = ORDER_TRANSITIONS[from].length === 0;
    return fail('invalid-transition', final ? `Order ${order.number} is ${from}; it cannot change any more.` : `Order ${order.number} is ${from}; it cannot become ${request.to}.`);
  }
  const at = Math.max(now, order.updatedAt);
  const next: Order = {
    ...order,
    status: request.to,
    payment: paymentAfter(from, request.to, order.payment),
    history: [...order.history, { status: request.to, at, by: request.actorId }],
    updatedAt: at,
  };
  const stockReturned = request.to === 'cancelled' ? order.lines.map(({ productId, quantity }) => ({ productId, quantity })) : [];
  return ok({ order: next, stockReturned });
}

/** `yyyy-mm` of the order's creation in UTC: the month partition of `t/{tenant}/orders/{yyyy-mm}`. */
export function orderMonthKey(createdAt: EpochMs): string {
  if (!Number.isSafeInteger(createdAt) || createdAt < 0) throw new RangeError(`orderMonthKey: not a timestamp: ${createdAt}`);
  const date = new Date(createdAt);
  return `${String(date.getUTCFullYear()).padStart(4, '0')}-${String(date.getUTCMonth() + 1).padStart(2, '0')}`;
}

const entityId = z.string().refine(isEntityId, 'an id');
const epochMs = z.int().min(0);
const orderLineSchema = z.strictObject({
  productId: entityId,
  title: z.string().min(1).max(200),
  unitPrice: minorSchema,
  quantity: z.int().min(1).max(LIMITS.maxLineQuantity),
  lineTotal: minorSchema,
});
/** Shape of a stored order (orders room). Use `parseOrder`, which also checks the arithmetic. */
export const orderSchema = z.strictObject({
  id: entityId,
  number: z.string().min(1).max(40),
  customer: z.strictObject({ userId: entityId, displayName: z.string().min(1).max(DISPLAY_NAME_MAX * 2) }),
  lines: z.array(orderLineSchema).min(1).max(LIMITS.maxLines),
  currency: currencySchema,
  subtotal: minorSchema,
  tax: minorSchema,
  total: minorSchema,
  taxBps: z.int().min(0).max(LIMITS.maxTaxBps),
  status: z.enum(ORDER_STATUSES),
  payment: z.enum(PAYMENT_STATUSES),
  history: z.array(z.strictObject({ status: z.enum(ORDER_STATUSES), at: epochMs, by: entityId })).min(1).max(10),
  createdAt: epochMs,
  updatedAt: epochMs,
});

const PAYMENT_FOR: Readonly<Record<OrderStatus, readonly PaymentStatus[]>> = {
  placed: ['unpaid'],
  paid: ['paid'],
  fulfilled: ['paid'],
  cancelled: ['unpaid', 'refunded'],
};

/**
 * Parsed is not valid: a stored order is accepted by the projection only if its line totals,
 * subtotal, tax and total recompute exactly and its status agrees with its payment and history.
 */
export function parseOrder(input: unknown): Result<Order, DomainError<'invalid-order'>> {
  const parsed = orderSchema.safeParse(input);
  if (!parsed.success) return fail('invalid-order', `Not a valid order: ${z.prettifyError(parsed.error)}`);
  const order: Order = parsed.data;
  const totals = totalsFor(order.lines, order.taxBps);
  const problems = [
    order.lines.some((line) => line.lineTotal !== lineTotal(line.unitPrice, line.quantity)) && 'a line total is wrong',
    (totals.subtotal !== order.subtotal || totals.tax !== order.tax || totals.total !== order.total) && 'the totals do not add up',
    new Set(order.lines.map((line) => line.productId)).size !== order.lines.length && 'a product is listed twice',
    order.history.at(-1)?.status !== order.status && 'the history does not end in the current status',
    order.history[0]?.status !== 'placed' && 'the history does not start with placed',
    !PAYMENT_FOR[order.status].includes(order.payment) && `a ${order.status} order cannot be ${order.payment}`,
    order.updatedAt < order.createdAt && 'it was updated before it was created',
  ].filter((problem) => problem !== false);
  if (problems.length > 0) return err({ code: 'invalid-order', message: `Not a valid order: ${problems.join('; ')}.` });
  return ok(order);
}
