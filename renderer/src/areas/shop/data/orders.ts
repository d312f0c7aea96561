/**
 * Orders as the UI shows them. One order can sit in several rooms at once (the tenant's active
 * room and its month; a customer's inbox and then history), each projected as its own record:
 * the UI keeps the newest copy of each order id. Pure functions, tested beside.
 */
import { ORDER_TRANSITIONS, type Order } from '../../../../../shared/domain/commerce/order.ts';
import type { OrderStatus } from '../../../../../shared/domain/commerce/vocab.ts';
import { parseRoomName } from '../../../../../shared/sync/rooms.ts';

export interface OrderRecordLike {
  readonly id: string;
  readonly room: string;
  readonly updatedAt: number;
  readonly data: Record<string, unknown>;
}

export type OrderSource = 'tenant' | 'customer';

/** Which side a record's room belongs to: the tenant's order rooms, or a customer's own rooms. */
export function orderSource(room: string): OrderSource | null {
  const parsed = parseRoomName(room);
  if (!parsed.ok) return null;
  if (parsed.value.kind === 'orders') return 'tenant';
  if (parsed.value.kind === 'inbox' || parsed.value.kind === 'history') return 'customer';
  return null;
}

/** How far along an order is, so that of two copies with equal times the later state wins. */
const PROGRESS: Readonly<Record<OrderStatus, number>> = { placed: 0, paid: 1, fulfilled: 2, cancelled: 2 };

function newer(a: Order, b: Order): boolean {
  if (a.updatedAt !== b.updatedAt) return a.updatedAt > b.updatedAt;
  if (a.history.length !== b.history.length) return a.history.length > b.history.length;
  return PROGRESS[a.status] > PROGRESS[b.status];
}

/** The newest copy of each order among the records of one side, newest orders first. */
export function latestOrders(records: readonly OrderRecordLike[], source: OrderSource): Order[] {
  const byId = new Map<string, Order>();
  for (const record of records) {
    if (orderSource(record.room) !== source) continue;
    const order = record.data as unknown as Order;
    const known = byId.get(order.id);
    if (known === undefined || newer(order, known)) byId.set(order.id, order);
  }
  return [...byId.values()].sort((a, b) => b.createdAt - a.createdAt || (a.number < b.number ? 1 : -1));
}

export function nextStatuses(order: Order): readonly OrderStatus[] {
  return ORDER_TRANSITIONS[order.status];
}

export function isFinal(order: Order): boolean {
  return ORDER_TRANSITIONS[order.status].length === 0;
}

/** `yyyy-mm` for the month `offset` months before the one containing `now` (UTC). */
export function monthBefore(now: number, offset: number): string {
  const date = new Date(now);
  const total = date.getUTCFullYear() * 12 + date.getUTCMonth() - offset;
  const year = Math.floor(total / 12);
  const month = (total % 12) + 1;
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}`;
}

/** `2026-03` → "March 2026" in the user's language. */
export function monthLabel(month: string, locale: string): string {
  const [year, number] = month.split('-').map(Number);
  try {
    return new Intl.DateTimeFormat(locale, { month: 'long', year: 'numeric', timeZone: 'UTC' }).format(Date.UTC(year!, number! - 1, 1));
  } catch {
    return month;
  }
}

export const STATUS_LABEL: Readonly<Record<OrderStatus, string>> = { placed: 'Placed', paid: 'Paid', fulfilled: 'Fulfilled', cancelled: 'Cancelled' };
export const STATUS_COLOR: Readonly<Record<OrderStatus, string>> = { placed: 'blue', paid: 'teal', fulfilled: 'green', cancelled: 'gray' };
/** The button that moves an order to a status. */
export const MOVE_LABEL: Readonly<Record<OrderStatus, string>> = { placed: 'Reopen', paid: 'Mark paid', fulfilled: 'Mark fulfilled', cancelled: 'Cancel order' };
