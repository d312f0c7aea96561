import { describe, expect, it } from 'vitest';
import { minor } from '../../../../../shared/domain/money.ts';
import { expectOk } from '../../../../../shared/domain/result.ts';
import { decideOrderTransition, placeOrder, type Order } from '../../../../../shared/domain/commerce/order.ts';
import { T0 } from '../../../../../shared/domain/commerce/test-support/fixtures.ts';
import { isFinal, latestOrders, monthBefore, monthLabel, nextStatuses, orderSource } from './orders.ts';

const placed = placeOrder({ id: 'o1', number: 'P-000001', customer: { userId: 'u1', displayName: 'Ada' }, lines: [{ productId: 'mug', title: 'Mug', unitPrice: minor(1000), quantity: 1 }], currency: 'USD', taxBps: 0, now: T0 });
const paid = expectOk(decideOrderTransition(placed, { to: 'paid', actorRole: 'admin', actorId: 'a' }, T0 + 10)).order;
const fulfilled = expectOk(decideOrderTransition(paid, { to: 'fulfilled', actorRole: 'admin', actorId: 'a' }, T0 + 20)).order;
const other = placeOrder({ ...placed, id: 'o2', number: 'P-000002', customer: { userId: 'u2', displayName: 'Bo' }, lines: placed.lines, now: T0 + 5 });

const record = (order: Order, room: string) => ({ id: `${order.id}@${room}`, room, updatedAt: order.updatedAt, data: order as unknown as Record<string, unknown> });

describe('latestOrders', () => {
  it('keeps the newest copy of each order among its rooms, newest orders first', () => {
    const records = [record(placed, 't/acme/u/u1/inbox'), record(fulfilled, 't/acme/u/u1/history/2026-01'), record(paid, 't/acme/u/u1/inbox')];
    expect(latestOrders(records, 'customer')).toEqual([fulfilled]);
  });

  it('keeps the tenant’s rooms and a customer’s rooms apart (an admin who also shops sees each in its place)', () => {
    const records = [record(paid, 't/acme/orders'), record(placed, 't/acme/orders/2026-01'), record(other, 't/acme/u/u2/inbox')];
    expect(latestOrders(records, 'tenant')).toEqual([paid]);
    expect(latestOrders(records, 'customer')).toEqual([other]);
  });

  it('on equal times prefers the copy further along (more history)', () => {
    const sameTime = { ...paid, updatedAt: placed.updatedAt };
    expect(latestOrders([record(sameTime, 't/acme/orders'), record(placed, 't/acme/orders/2026-01')], 'tenant')).toEqual([sameTime]);
  });

  it('ignores records from rooms that hold no orders', () => {
    expect(orderSource('t/acme/catalog')).toBeNull();
    expect(orderSource('not a room')).toBeNull();
    expect(latestOrders([record(placed, 't/acme/catalog')], 'tenant')).toEqual([]);
  });
});

describe('order helpers', () => {
  it('knows the next statuses and the final ones', () => {
    expect(nextStatuses(placed)).toEqual(['paid', 'cancelled']);
    expect(nextStatuses(paid)).toEqual(['fulfilled', 'cancelled']);
    expect(isFinal(fulfilled)).toBe(true);
    expect(isFinal(placed)).toBe(false);
  });

  it.each([
    [Date.UTC(2026, 0, 15), 0, '2026-01'],
    [Date.UTC(2026, 0, 15), 1, '2025-12'],
    [Date.UTC(2026, 2, 31, 23, 59), 13, '2025-02'],
    [Date.UTC(2026, 11, 1), 24, '2024-12'],
  ])('monthBefore(%i, %i) = %s', (now, offset, expected) => {
    expect(monthBefore(now, offset)).toBe(expected);
  });

  it('labels a month in the user’s language', () => {
    expect(monthLabel('2026-03', 'en-US')).toBe('March 2026');
    expect(monthLabel('2026-03', 'de-DE')).toBe('März 2026');
  });
});
