import { describe, expect, it } from 'vitest';
import { minor } from '../money.ts';
import { expectOk } from '../result.ts';
import { decideOrderTransition, orderMonthKey, orderTransitionIntentSchema, parseOrder, placeOrder, type Order } from './order.ts';
import { T0 } from './test-support/fixtures.ts';
import { ORDER_STATUSES, TENANT_ROLES, type OrderStatus, type TenantRole } from './vocab.ts';

const placed = placeOrder({
  id: 'o1',
  number: 'P-000001',
  customer: { userId: 'u1', displayName: ' Ada\u0000 <b>L</b> ' },
  lines: [
    { productId: 'mug', title: 'Mug', unitPrice: minor(1999), quantity: 3 },
    { productId: 'pen', title: 'Pen', unitPrice: minor(1), quantity: 1 },
  ],
  currency: 'USD',
  taxBps: 825,
  now: T0,
});

/** An order in `status`, reached through allowed moves. */
function orderIn(status: OrderStatus): Order {
  const path: Record<OrderStatus, OrderStatus[]> = { placed: [], paid: ['paid'], fulfilled: ['paid', 'fulfilled'], cancelled: ['cancelled'] };
  return path[status].reduce((order, to, i) => expectOk(decideOrderTransition(order, { to, actorRole: 'admin', actorId: 'admin1' }, T0 + 1000 * (i + 1))).order, placed);
}

describe('placeOrder', () => {
  it('computes line totals, subtotal, tax once, total; starts placed and unpaid', () => {
    expect(placed.lines.map((line) => line.lineTotal)).toEqual([5997, 1]);
    expect(placed).toMatchObject({ subtotal: 5998, tax: 495, total: 6493, status: 'placed', payment: 'unpaid', createdAt: T0, updatedAt: T0 });
    expect(placed.history).toEqual([{ status: 'placed', at: T0, by: 'u1' }]);
  });

  it('cleans the display name as text and never leaves it empty', () => {
    expect(placed.customer.displayName).toBe('Ada <b>L</b>');
    const anonymous = placeOrder({ ...placedInput(), customer: { userId: 'u2', displayName: '\u0000 ' } });
    expect(anonymous.customer.displayName).toBe('Customer');
    const long = placeOrder({ ...placedInput(), customer: { userId: 'u2', displayName: 'n'.repeat(500) } });
    expect(long.customer.displayName).toHaveLength(80);
  });
});

function placedInput() {
  return { id: 'o2', number: 'P-000002', customer: placed.customer, lines: [{ productId: 'mug', title: 'Mug', unitPrice: minor(100), quantity: 1 }], currency: 'USD' as const, taxBps: 0, now: T0 };
}

describe('decideOrderTransition', () => {
  const allowed: ReadonlySet<string> = new Set(['placed→paid', 'placed→cancelled', 'paid→fulfilled', 'paid→cancelled']);
  const rows: [OrderStatus, OrderStatus, TenantRole][] = ORDER_STATUSES.flatMap((from) => ORDER_STATUSES.flatMap((to) => TENANT_ROLES.map((role): [OrderStatus, OrderStatus, TenantRole] => [from, to, role])));

  it.each(rows)('%s → %s by %s', (from, to, role) => {
    const result = decideOrderTransition(orderIn(from), { to, actorRole: role, actorId: 'x1' }, T0 + 10_000);
    const manager = role === 'owner' || role === 'admin';
    if (!manager) expect(!result.ok && result.error.code).toBe('forbidden');
    else if (!allowed.has(`${from}→${to}`)) expect(!result.ok && result.error.code).toBe('invalid-transition');
    else {
      const { order } = expectOk(result);
      expect(order.status).toBe(to);
      expect(order.history.at(-1)).toEqual({ status: to, at: T0 + 10_000, by: 'x1' });
      expect(parseOrder(order).ok).toBe(true);
    }
  });

  it.each([
    ['placed', 'paid', 'paid', 0],
    ['paid', 'fulfilled', 'paid', 0],
    ['placed', 'cancelled', 'unpaid', 2],
    ['paid', 'cancelled', 'refunded', 2],
  ] as const)('%s → %s: payment %s, %i lines of stock returned', (from, to, payment, returned) => {
    const { order, stockReturned } = expectOk(decideOrderTransition(orderIn(from), { to, actorRole: 'owner', actorId: 'o' }, T0 + 10_000));
    expect(order.payment).toBe(payment);
    expect(stockReturned).toHaveLength(returned);
    if (returned > 0) expect(stockReturned).toEqual([{ productId: 'mug', quantity: 3 }, { productId: 'pen', quantity: 1 }]);
  });

  it('keeps history times monotonic under clock skew', () => {
    const paid = orderIn('paid');
    const { order } = expectOk(decideOrderTransition(paid, { to: 'fulfilled', actorRole: 'admin', actorId: 'a' }, T0 - 99_999));
    expect(order.updatedAt).toBe(paid.updatedAt);
    expect(order.history.map((h) => h.at)).toEqual([T0, T0 + 1000, T0 + 1000]);
  });

  it('parses the admin intent strictly', () => {
    expect(orderTransitionIntentSchema.safeParse({ orderId: 'o1', to: 'paid' }).success).toBe(true);
    expect(orderTransitionIntentSchema.safeParse({ orderId: 'o1', to: 'shipped' }).success).toBe(false);
    expect(orderTransitionIntentSchema.safeParse({ orderId: 'o1', to: 'paid', status: 'x' }).success).toBe(false);
  });
});

describe('orderMonthKey (UTC)', () => {
  it.each([
    [Date.UTC(2026, 0, 15), '2026-01'],
    [Date.UTC(2026, 11, 31, 23, 59, 59, 999), '2026-12'],
    [Date.UTC(2027, 0, 1, 0, 0, 0, 0), '2027-01'],
    [Date.UTC(2024, 1, 29, 12), '2024-02'],
    [0, '1970-01'],
  ])('%i → %s', (at, key) => {
    expect(orderMonthKey(at)).toBe(key);
  });

  it('refuses non-timestamps', () => {
    for (const bad of [-1, 1.5, Number.NaN]) expect(() => orderMonthKey(bad)).toThrow(RangeError);
  });
});

describe('parseOrder (projection of the orders room)', () => {
  it('accepts a placed order and its JSON round trip', () => {
    expect(expectOk(parseOrder(JSON.parse(JSON.stringify(placed))))).toEqual(placed);
  });

  it.each([
    ['wrong line total', { lines: [{ ...placed.lines[0], lineTotal: 1 }, placed.lines[1]] }, 'line total'],
    ['inflated total', { total: placed.total + 1 }, 'totals'],
    ['tax not recomputable', { tax: placed.tax - 1, total: placed.total - 1 }, 'totals'],
    ['status without history', { status: 'paid', payment: 'paid' }, 'history'],
    ['paid but unpaid', { status: 'paid', history: [...placed.history, { status: 'paid', at: T0, by: 'a' }] }, 'cannot be unpaid'],
    ['product twice', { lines: [placed.lines[0], placed.lines[0]], subtotal: 11994, tax: 990, total: 12984 }, 'twice'],
    ['updated before created', { updatedAt: T0 - 1 }, 'before'],
    ['extra field', { discount: 100 }, 'Not a valid order'],
    ['float price', { lines: [{ ...placed.lines[0], unitPrice: 19.99 }, placed.lines[1]] }, 'Not a valid order'],
    ['no lines', { lines: [] }, 'Not a valid order'],
  ])('refuses %s', (_name, overrides, text) => {
    const result = parseOrder({ ...placed, ...overrides });
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.code).toBe('invalid-order');
      expect(result.error.message).toContain(text);
    }
  });
});
