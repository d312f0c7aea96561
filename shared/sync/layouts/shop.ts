/**
 * The shop's rooms and intents.
 *
 * | room                          | top-level maps                                   | written by |
 * |-------------------------------|--------------------------------------------------|------------|
 * | t/{t}/catalog                 | `products`: id → Product                         | admins     |
 * | t/{t}/stock                   | `levels`: product id → units on hand             | referee    |
 * | t/{t}/orders                  | `active`: id → Order (placed, paid); `meta`      | referee    |
 * | t/{t}/orders/{yyyy-mm}        | `orders`: id → Order (every order of the month)  | referee    |
 * | t/{t}/u/{u}                   | `cart`: product id → CartLine                    | the user   |
 * | t/{t}/u/{u}/inbox             | `orders`: id → Order (the user's open orders)    | referee    |
 * | t/{t}/u/{u}/history/{yyyy-mm} | `orders`: id → Order (finished ones)             | referee    |
 */
import { z } from 'zod';
import { ORDER_STATUSES } from '../../domain/commerce/vocab.ts';
import { stockLevelsFrom, type StockLevels } from '../../domain/commerce/stock.ts';

export const STOCK_LEVELS = 'levels';
export const ORDERS_ACTIVE = 'active';
export const ORDERS_META = 'meta';
export const ORDERS_MONTH = 'orders';
export const INBOX_ORDERS = 'orders';
export const HISTORY_ORDERS = 'orders';

export const SHOP_INTENTS = {
  checkout: 'shop.checkout',
  adjustStock: 'shop.adjustStock',
  setOrderStatus: 'shop.setOrderStatus',
} as const;

const month = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'a yyyy-mm month');
const id = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'an id');

/**
 * Moving an order. `customerId` and `month` tell the server which rooms to load; it checks them
 * against the stored order and rejects the intent if they do not match.
 */
export const orderStatusIntentSchema = z.strictObject({
  orderId: id,
  to: z.enum(ORDER_STATUSES),
  customerId: id,
  month,
});
export type OrderStatusIntent = z.infer<typeof orderStatusIntentSchema>;

export function stockFromEntries(entries: Iterable<readonly [string, unknown]>): StockLevels {
  return stockLevelsFrom(entries).stock;
}
