/**
 * The commerce referee: checkouts decided once at current stock and prices (stock never goes
 * negative), admins' stock adjustments, and order status changes with stock returned on
 * cancellation. Orders live in the tenant's active-orders room and its month partition, and in
 * the customer's inbox until they are finished, then in the customer's history of their month.
 */
import type * as Y from 'yjs';
import { decideCheckout, type CheckoutRejection } from '../../../../shared/domain/commerce/checkout.ts';
import { formatOrderNumber } from '../../../../shared/domain/commerce/order-number.ts';
import { decideOrderTransition, orderMonthKey, parseOrder, type Order } from '../../../../shared/domain/commerce/order.ts';
import type { Product } from '../../../../shared/domain/commerce/product.ts';
import { decideStockAdjustment, returnStock, type StockLevels } from '../../../../shared/domain/commerce/stock.ts';
import { CATALOG_PRODUCTS, readCatalogEntry } from '../../../../shared/sync/layouts/catalog.ts';
import {
  HISTORY_ORDERS,
  INBOX_ORDERS,
  ORDERS_ACTIVE,
  ORDERS_META,
  ORDERS_MONTH,
  orderStatusIntentSchema,
  SHOP_INTENTS,
  STOCK_LEVELS,
  stockFromEntries,
} from '../../../../shared/sync/layouts/shop.ts';
import { monthKey, roomNames } from '../../../../shared/sync/rooms.ts';
import type { Directory } from '../../auth/directory.ts';
import type { Author, DecideContext, Outcome, Referee } from '../../intents/referee.ts';

const FINAL = new Set(['fulfilled', 'cancelled']);

/**
 * The valid products among `ids`, read from the catalog room. A decision touches only the
 * products on its lines, so it reads only those: validating the whole catalog on every checkout
 * would make each decision cost as much as the catalog is big.
 */
function productsById(doc: Y.Doc, ids: Iterable<string>): Map<string, Product> {
  const stored = doc.getMap(CATALOG_PRODUCTS);
  const found = new Map<string, Product>();
  for (const id of ids) {
    if (found.has(id)) continue;
    const value = stored.get(id);
    if (value === undefined) continue;
    const entry = readCatalogEntry(id, value);
    if (entry.ok) found.set(id, entry.value);
  }
  return found;
}

/** Product ids named by a checkout payload, read leniently: the domain validates the payload itself. */
function lineProductIds(payload: unknown): string[] {
  const lines = (payload as { lines?: unknown } | null)?.lines;
  if (!Array.isArray(lines)) return [];
  return lines.flatMap((line) => {
    const id = (line as { productId?: unknown } | null)?.productId;
    return typeof id === 'string' ? [id] : [];
  });
}

function writeLevels(context: DecideContext, room: string, changes: ReadonlyArray<{ productId: string; after: number }>): void {
  if (changes.length === 0) return;
  context.write(room, (doc) => {
    const levels = doc.getMap<number>(STOCK_LEVELS);
    for (const change of changes) levels.set(change.productId, change.after);
  });
}

function rejected(code: string, message: string, result?: unknown): Outcome {
  return result === undefined ? { status: 'rejected', reason: { code, message } } : { status: 'rejected', reason: { code, message }, result };
}

export function createCommerceReferee(deps: { directory: Directory }): Referee {
  const taxByTenant = new Map<string, number>();

  const checkout = (intent: { id: string; payload: unknown }, author: Author, context: DecideContext): Outcome => {
    const { tenant, user } = author;
    const catalog = productsById(context.doc(roomNames.catalog(tenant)), lineProductIds(intent.payload));
    const stock = stockFromEntries(context.doc(roomNames.stock(tenant)).getMap(STOCK_LEVELS).entries());
    const meta = context.doc(roomNames.orders(tenant)).getMap<number>(ORDERS_META);
    const counter = (meta.get('orderCounter') ?? 0) + 1;
    const decision = decideCheckout(intent.payload, {
      catalog,
      stock,
      taxBps: taxByTenant.get(tenant) ?? 0,
      orderId: intent.id,
      orderNumber: formatOrderNumber(counter),
      customer: { userId: user, displayName: author.name },
      now: context.now,
    });
    if (decision.kind === 'invalid') return rejected('invalid', decision.message);
    if (decision.kind === 'rejected') {
      const first: CheckoutRejection | undefined = decision.reasons[0];
      return rejected(first?.code ?? 'rejected', decision.reasons.map((reason) => reason.message).join(' '), { reasons: decision.reasons });
    }
    const { order } = decision;
    const month = orderMonthKey(order.createdAt);
    writeLevels(context, roomNames.stock(tenant), decision.stockChanges);
    context.write(roomNames.orders(tenant), (doc) => {
      doc.getMap(ORDERS_META).set('orderCounter', counter);
      doc.getMap(ORDERS_ACTIVE).set(order.id, order);
    });
    context.write(roomNames.orders(tenant, month), (doc) => doc.getMap(ORDERS_MONTH).set(order.id, order));
    context.write(roomNames.inbox(tenant, user), (doc) => doc.getMap(INBOX_ORDERS).set(order.id, order));
    return { status: 'accepted', result: { orderId: order.id, number: order.number, subtotal: order.subtotal, tax: order.tax, total: order.total, currency: order.currency } };
  };

  const adjustStock = (intent: { payload: unknown }, author: Author, context: DecideContext): Outcome => {
    const stockRoom = roomNames.stock(author.tenant);
    const stock: StockLevels = stockFromEntries(context.doc(stockRoom).getMap(STOCK_LEVELS).entries());
    const decided = decideStockAdjustment(stock, intent.payload, author.role);
    if (!decided.ok) return rejected(decided.error.code, decided.error.message, decided.error.available === undefined ? undefined : { available: decided.error.available });
    const { productId } = decided.value.adjustment;
    if (!productsById(context.doc(roomNames.catalog(author.tenant)), [productId]).has(productId)) {
      return rejected('unknown-product', 'There is no such product in the catalog.');
    }
    writeLevels(context, stockRoom, decided.value.changes);
    return { status: 'accepted', result: { changes: decided.value.changes } };
  };

  const setOrderStatus = (intent: { payload: unknown }, author: Author, context: DecideContext): Outcome => {
    const parsed = orderStatusIntentSchema.safeParse(intent.payload);
    if (!parsed.success) return rejected('invalid', 'This order change is not valid.');
    const { orderId, to, customerId, month } = parsed.data;
    const { tenant } = author;
    const stored = context.doc(roomNames.orders(tenant, month)).getMap(ORDERS_MONTH).get(orderId);
    const current = stored === undefined ? null : parseOrder(stored);
    if (!current?.ok) return rejected('unknown-order', 'There is no such order in that month.');
    const order: Order = current.value;
    if (order.customer.userId !== customerId) return rejected('invalid', 'That order belongs to someone else.');
    const transition = decideOrderTransition(order, { to, actorRole: author.role, actorId: author.user }, context.now);
    if (!transition.ok) return rejected(transition.error.code, transition.error.message);
    const next = transition.value.order;
    if (transition.value.stockReturned.length > 0) {
      const stockRoom = roomNames.stock(tenant);
      const back = returnStock(stockFromEntries(context.doc(stockRoom).getMap(STOCK_LEVELS).entries()), transition.value.stockReturned);
      writeLevels(context, stockRoom, back.changes);
    }
    const finished = FINAL.has(next.status);
    context.write(roomNames.orders(tenant, month), (doc) => doc.getMap(ORDERS_MONTH).set(orderId, next));
    context.write(roomNames.orders(tenant), (doc) => {
      if (finished) doc.getMap(ORDERS_ACTIVE).delete(orderId);
      else doc.getMap(ORDERS_ACTIVE).set(orderId, next);
    });
    context.write(roomNames.inbox(tenant, customerId), (doc) => {
      if (finished) doc.getMap(INBOX_ORDERS).delete(orderId);
      else doc.getMap(INBOX_ORDERS).set(orderId, next);
    });
    if (finished) context.write(roomNames.history(tenant, customerId, month), (doc) => doc.getMap(HISTORY_ORDERS).set(orderId, next));
    return { status: 'accepted', result: { orderId, status: next.status, payment: next.payment } };
  };

  return {
    name: 'commerce',
    intentKinds: [SHOP_INTENTS.checkout, SHOP_INTENTS.adjustStock, SHOP_INTENTS.setOrderStatus],
    async roomsFor(intent, author) {
      const tenant = author.tenant;
      taxByTenant.set(tenant, (await deps.directory.tenant(tenant))?.policy.taxBps ?? 0);
      switch (intent.kind) {
        case SHOP_INTENTS.checkout: {
          // The order's month is decided at `now`; load this month and, near its end, the next.
          const months = new Set([monthKey(Date.now()), monthKey(Date.now() + 120_000)]);
          return [roomNames.catalog(tenant), roomNames.stock(tenant), roomNames.orders(tenant), ...[...months].map((month) => roomNames.orders(tenant, month))];
        }
        case SHOP_INTENTS.adjustStock:
          return [roomNames.catalog(tenant), roomNames.stock(tenant)];
        case SHOP_INTENTS.setOrderStatus: {
          const parsed = orderStatusIntentSchema.safeParse(intent.payload);
          if (!parsed.success) return [];
          const { customerId, month } = parsed.data;
          return [roomNames.stock(tenant), roomNames.orders(tenant), roomNames.orders(tenant, month), roomNames.inbox(tenant, customerId), roomNames.history(tenant, customerId, month)];
        }
        default:
          return [];
      }
    },
    // Every request names its rooms from its payload and the clock alone.
    batchable: () => true,
    decide(intent, author, context) {
      switch (intent.kind) {
        case SHOP_INTENTS.checkout:
          return checkout(intent, author, context);
        case SHOP_INTENTS.adjustStock:
          return adjustStock(intent, author, context);
        case SHOP_INTENTS.setOrderStatus:
          return setOrderStatus(intent, author, context);
        default:
          return rejected('unknown', 'unknown shop request');
      }
    },
  };
}
