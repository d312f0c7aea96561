/**
 * Shop projections: stock levels and the cart into `kv`, orders (the customer's own, from their
 * inbox and history; all of the tenant's, from the orders rooms, for admins) into `orders`.
 */
import { cartFromEntries } from '../../../../shared/domain/commerce/cart.ts';
import { parseOrder } from '../../../../shared/domain/commerce/order.ts';
import { stockLevelsFrom } from '../../../../shared/domain/commerce/stock.ts';
import { USER_CART } from '../../../../shared/sync/layouts/user.ts';
import { HISTORY_ORDERS, INBOX_ORDERS, ORDERS_ACTIVE, ORDERS_MONTH, STOCK_LEVELS } from '../../../../shared/sync/layouts/shop.ts';
import type { Projection, ProjectionResult } from '../projection.ts';

export const STOCK_KV_ID = 'stock';
export const CART_KV_ID = 'cart';

export const stockProjection: Projection = {
  name: 'stock',
  collection: 'kv',
  maps: [STOCK_LEVELS],
  incremental: false,
  project(doc, _room, roomName) {
    const { stock, hidden } = stockLevelsFrom(doc.getMap(STOCK_LEVELS).entries());
    return {
      upsert: [{ id: STOCK_KV_ID, updatedAt: Date.now(), data: { levels: Object.fromEntries(stock) } }],
      remove: [],
      hidden: hidden.map((key) => ({ room: roomName, key, code: 'invalid-stock', message: 'not a whole number of units' })),
    };
  },
};

export const cartProjection: Projection = {
  name: 'cart',
  collection: 'kv',
  maps: [USER_CART],
  incremental: false,
  project(doc, _room, roomName) {
    const { cart, hidden } = cartFromEntries(doc.getMap(USER_CART).entries());
    return {
      upsert: [{ id: CART_KV_ID, updatedAt: Date.now(), data: { lines: cart.lines } }],
      remove: [],
      hidden: hidden.map((key) => ({ room: roomName, key, code: 'invalid-cart-line', message: 'a cart line that breaks the rules' })),
    };
  },
};

/**
 * One record per (order, room): an order moving between rooms (inbox → history) never has one
 * room's removal race another room's copy. The UI keeps the newest copy of each order id.
 */
export function orderRecordId(orderId: string, roomName: string): string {
  return `${orderId}@${roomName}`;
}

function ordersFrom(mapName: string, name: string): Projection {
  return {
    name,
    collection: 'orders',
    maps: [mapName],
    incremental: true,
    project(doc, _room, roomName, keys): ProjectionResult {
      const map = doc.getMap(mapName);
      const upsert: Array<{ id: string } & Record<string, unknown>> = [];
      const remove: string[] = [];
      const hidden: Array<{ room: string; key: string; code: string; message: string }> = [];
      for (const key of keys ?? map.keys()) {
        const value = map.get(key);
        if (value === undefined) {
          remove.push(orderRecordId(key, roomName));
          continue;
        }
        const order = parseOrder(value);
        if (!order.ok) {
          hidden.push({ room: roomName, key, code: 'invalid-order', message: order.error.message });
          continue;
        }
        upsert.push({ id: orderRecordId(order.value.id, roomName), room: roomName, updatedAt: order.value.updatedAt, createdAt: order.value.createdAt, data: order.value as unknown as Record<string, unknown> });
      }
      return { upsert, remove, hidden };
    },
  };
}

/** The customer's open orders (inbox) and finished ones (history months). */
export const inboxOrdersProjection = ordersFrom(INBOX_ORDERS, 'inbox-orders');
export const historyOrdersProjection = ordersFrom(HISTORY_ORDERS, 'history-orders');
/** Admins: the tenant's active orders and each month's orders. */
export const activeOrdersProjection = ordersFrom(ORDERS_ACTIVE, 'active-orders');
export const monthOrdersProjection = ordersFrom(ORDERS_MONTH, 'month-orders');
