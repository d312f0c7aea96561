import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { minor } from '../money.ts';
import { expectOk } from '../result.ts';
import { addToCart, EMPTY_CART } from './cart.ts';
import { checkoutIntentFromCart, decideCheckout, parseCheckoutIntent, type CheckoutContext, type CheckoutDecision } from './checkout.ts';
import { type CurrencyCode } from './currency.ts';
import { decideOrderTransition, type Order } from './order.ts';
import { nextOrderNumber } from './order-number.ts';
import { decideStockAdjustment, returnStock, stockLevel, type StockLevels } from './stock.ts';
import { catalog, product, stockOf, T0 } from './test-support/fixtures.ts';
import { ORDER_STATUSES, TENANT_ROLES } from './vocab.ts';

const shop = catalog(
  product('mug', 1000, { title: 'Mug' }),
  product('pen', 250, { title: 'Pen' }),
  product('old', 500, { status: 'archived', title: 'Old' }),
  product('euro', 700, { currency: 'EUR', title: 'Euro thing' }),
);

function context(stock: StockLevels, counter = 1, overrides: Partial<CheckoutContext> = {}): CheckoutContext {
  return { catalog: shop, stock, taxBps: 825, orderId: `o${counter}`, orderNumber: nextOrderNumber(counter - 1).number, customer: { userId: 'u1', displayName: 'Ada' }, now: T0 + counter, ...overrides };
}

const line = (productId: string, quantity: number, amount: number, currency: CurrencyCode = 'USD') => ({ productId, quantity, unitPriceSeen: { amount, currency } });
const intent = (...lines: ReturnType<typeof line>[]) => ({ lines, currency: 'USD', ...{} });

function accepted(decision: CheckoutDecision) {
  if (decision.kind !== 'accepted') throw new Error(`expected accepted, got ${JSON.stringify(decision)}`);
  return decision;
}
function reasonsOf(decision: CheckoutDecision) {
  if (decision.kind !== 'rejected') throw new Error(`expected rejected, got ${decision.kind}`);
  return decision.reasons;
}

describe('decideCheckout: accepted', () => {
  it('places the order at current prices, takes the stock, reports the changes', () => {
    const stock = stockOf({ mug: 5, pen: 10 });
    const decision = accepted(decideCheckout(intent(line('mug', 2, 1000), line('pen', 1, 250)), context(stock)));
    expect(decision.order).toMatchObject({
      id: 'o1',
      number: 'P-000001',
      customer: { userId: 'u1', displayName: 'Ada' },
      currency: 'USD',
      subtotal: 2250,
      tax: 186, // 2250 × 8.25 % = 185.625 → 186
      total: 2436,
      status: 'placed',
      payment: 'unpaid',
      createdAt: T0 + 1,
    });
    expect(decision.order.lines).toEqual([
      { productId: 'mug', title: 'Mug', unitPrice: 1000, quantity: 2, lineTotal: 2000 },
      { productId: 'pen', title: 'Pen', unitPrice: 250, quantity: 1, lineTotal: 250 },
    ]);
    expect(decision.stockChanges).toEqual([{ productId: 'mug', before: 5, after: 3 }, { productId: 'pen', before: 10, after: 9 }]);
    expect([...decision.stockAfter]).toEqual([['mug', 3], ['pen', 9]]);
    expect([...stock]).toEqual([['mug', 5], ['pen', 10]]);
  });

  it('accepts a matching expected total and rejects any other', () => {
    const stock = stockOf({ mug: 5 });
    expect(decideCheckout({ ...intent(line('mug', 1, 1000)), expectedTotal: 1083 }, context(stock)).kind).toBe('accepted');
    const reasons = reasonsOf(decideCheckout({ ...intent(line('mug', 1, 1000)), expectedTotal: 1000 }, context(stock)));
    expect(reasons).toEqual([{ productId: null, code: 'total-changed', message: expect.stringContaining('$10.83') as string, currentTotal: 1083 }]);
  });

  it('checks out a cart end to end (intent from cart, same rule)', () => {
    let cart = expectOk(addToCart(EMPTY_CART, { productId: 'mug', quantity: 2 }, shop, T0)).cart;
    cart = expectOk(addToCart(cart, { productId: 'pen', quantity: 4 }, shop, T0)).cart;
    const wire = JSON.parse(JSON.stringify(expectOk(checkoutIntentFromCart(cart, minor(3248))))) as unknown;
    expect(expectOk(parseCheckoutIntent(wire)).lines).toHaveLength(2);
    expect(accepted(decideCheckout(wire, context(stockOf({ mug: 2, pen: 4 })))).order.total).toBe(3248); // 3000 + 247.5 → 248
    expect(checkoutIntentFromCart(EMPTY_CART).ok).toBe(false);
  });
});

describe('decideCheckout: the last units', () => {
  it('two checkouts for the last unit, in sequence: first accepted, second out of stock with 0 available', () => {
    const first = accepted(decideCheckout(intent(line('mug', 1, 1000)), context(stockOf({ mug: 1 }), 1)));
    expect(stockLevel(first.stockAfter, 'mug')).toBe(0);
    const second = decideCheckout(intent(line('mug', 1, 1000)), context(first.stockAfter, 2));
    expect(reasonsOf(second)).toEqual([{ productId: 'mug', code: 'out-of-stock', message: '"Mug" is sold out.', available: 0 }]);
  });

  it('50 checkouts for 10 units, in sequence: exactly 10 accepted, stock ends at 0, never negative', () => {
    let stock: StockLevels = stockOf({ mug: 10 });
    const kinds: string[] = [];
    for (let i = 1; i <= 50; i += 1) {
      const decision = decideCheckout(intent(line('mug', 1, 1000)), context(stock, i));
      kinds.push(decision.kind);
      if (decision.kind === 'accepted') stock = decision.stockAfter;
      expect(stockLevel(stock, 'mug')).toBeGreaterThanOrEqual(0);
      expect(stock.get('mug')).toBe(Math.max(0, 10 - i));
    }
    expect(kinds.filter((kind) => kind === 'accepted')).toHaveLength(10);
    expect(kinds.slice(0, 10).every((kind) => kind === 'accepted')).toBe(true);
    expect(stock.get('mug')).toBe(0);
  });

  it('asking for more than is left: insufficient-stock with what is available', () => {
    expect(reasonsOf(decideCheckout(intent(line('mug', 3, 1000)), context(stockOf({ mug: 2 }))))).toEqual([
      { productId: 'mug', code: 'insufficient-stock', message: 'Only 2 of "Mug" left.', available: 2 },
    ]);
  });
});

describe('decideCheckout: rejected, all or nothing', () => {
  const stock = stockOf({ mug: 5, pen: 5, old: 5, euro: 5 });

  it.each([
    ['price changed', line('mug', 1, 900), [{ code: 'price-changed', currentPrice: { amount: 1000, currency: 'USD' } }]],
    ['archived', line('old', 1, 500), [{ code: 'archived' }]],
    ['unknown product', line('ghost', 1, 100), [{ code: 'unknown-product' }]],
    ['product in another currency', line('euro', 1, 700, 'USD'), [{ code: 'currency-mismatch', currentPrice: { amount: 700, currency: 'EUR' } }]],
    ['seen price in another currency', line('mug', 1, 1000, 'EUR'), [{ code: 'currency-mismatch' }]],
    ['quantity 0', line('mug', 0, 1000), [{ code: 'invalid-quantity' }]],
    ['quantity 100', line('mug', 100, 1000), [{ code: 'invalid-quantity' }]],
    ['negative quantity', line('mug', -3, 1000), [{ code: 'invalid-quantity' }]],
    ['new price and too little stock', line('pen', 6, 200), [{ code: 'price-changed' }, { code: 'insufficient-stock', available: 5 }]],
  ] as const)('%s', (_name, bad, expected) => {
    const good = bad.productId === 'pen' ? line('mug', 1, 1000) : line('pen', 1, 250);
    const decision = decideCheckout(intent(good, bad), context(stock));
    const reasons = reasonsOf(decision);
    expect(reasons).toMatchObject(expected.map((reason) => ({ productId: bad.productId, ...reason })));
    for (const reason of reasons) expect(reason.message.length).toBeGreaterThan(5);
    expect([...stock]).toEqual([['mug', 5], ['pen', 5], ['old', 5], ['euro', 5]]);
  });

  it('one bad line rejects the whole order: the good lines are not taken', () => {
    const decision = decideCheckout(intent(line('mug', 2, 1000), line('pen', 1, 250), line('ghost', 1, 1)), context(stockOf({ mug: 2, pen: 1 })));
    expect(decision).toEqual({ kind: 'rejected', reasons: [{ productId: 'ghost', code: 'unknown-product', message: expect.any(String) as string }] });
    expect('stockAfter' in decision).toBe(false);
  });

  it('reports every bad line at once', () => {
    const reasons = reasonsOf(decideCheckout(intent(line('old', 1, 500), line('mug', 9, 1000), line('pen', 1, 1)), context(stockOf({ mug: 1, pen: 0 }))));
    expect(reasons.map((r) => [r.productId, r.code])).toEqual([['old', 'archived'], ['mug', 'insufficient-stock'], ['pen', 'price-changed'], ['pen', 'out-of-stock']]);
  });

  it('an order in EUR is fine when everything is in EUR', () => {
    expect(accepted(decideCheckout({ lines: [line('euro', 1, 700, 'EUR')], currency: 'EUR' }, context(stock))).order.currency).toBe('EUR');
    expect(reasonsOf(decideCheckout({ lines: [line('mug', 1, 1000, 'EUR')], currency: 'EUR' }, context(stock)))[0]?.code).toBe('currency-mismatch');
  });
});

describe('decideCheckout: garbage is invalid', () => {
  const ok = intent(line('mug', 1, 1000));
  it.each([
    ['null', null],
    ['a string', 'buy mug'],
    ['an array', [ok]],
    ['empty object', {}],
    ['no lines', { lines: [], currency: 'USD' }],
    ['101 lines', { lines: Array.from({ length: 101 }, (_, i) => line(`p${i}`, 1, 1)), currency: 'USD' }],
    ['a product twice', intent(line('mug', 1, 1000), line('mug', 1, 1000))],
    ['extra top-level field', { ...ok, discount: 100 }],
    ['extra line field', { lines: [{ ...line('mug', 1, 1000), unitPrice: 1 }], currency: 'USD' }],
    ['fractional quantity', intent(line('mug', 1.5, 1000))],
    ['quantity as text', { lines: [{ ...line('mug', 1, 1000), quantity: '1' }], currency: 'USD' }],
    ['price as text', { lines: [{ productId: 'mug', quantity: 1, unitPriceSeen: { amount: '10.00', currency: 'USD' } }], currency: 'USD' }],
    ['fractional price', intent(line('mug', 1, 9.99))],
    ['unknown currency', { ...ok, currency: 'BTC' }],
    ['missing currency', { lines: ok.lines }],
    ['bad product id', intent(line('../../etc', 1, 1000))],
    ['fractional expected total', { ...ok, expectedTotal: 10.83 }],
  ])('%s', (_name, input) => {
    const decision = decideCheckout(input, context(stockOf({ mug: 5 })));
    expect(decision.kind).toBe('invalid');
    if (decision.kind === 'invalid') expect(decision.message).toMatch(/^This checkout is not valid/);
  });
});

describe('stock is never negative and is conserved (property)', () => {
  const products = ['mug', 'pen', 'old', 'ghost'] as const;
  // Biased towards what changes stock (valid lines, managers, cancellations), with some of everything else.
  const productId = fc.oneof({ arbitrary: fc.constantFrom('mug', 'pen'), weight: 8 }, { arbitrary: fc.constantFrom('old', 'ghost'), weight: 1 });
  const quantity = fc.oneof({ arbitrary: fc.integer({ min: 1, max: 3 }), weight: 8 }, { arbitrary: fc.integer({ min: -1, max: 100 }), weight: 1 });
  const role = fc.oneof({ arbitrary: fc.constantFrom('owner', 'admin'), weight: 4 }, { arbitrary: fc.constantFrom(...TENANT_ROLES), weight: 1 });
  const command = fc.oneof(
    {
      arbitrary: fc.record({
        kind: fc.constant('checkout' as const),
        lines: fc.uniqueArray(fc.record({ productId, quantity, stalePrice: fc.integer({ min: 0, max: 9 }).map((n) => n === 0) }), { selector: (l) => l.productId, minLength: 1, maxLength: 3 }),
      }),
      weight: 4,
    },
    { arbitrary: fc.record({ kind: fc.constant('adjust' as const), productId, delta: fc.integer({ min: -8, max: 8 }), role }), weight: 2 },
    {
      arbitrary: fc.record({ kind: fc.constant('transition' as const), pick: fc.nat(), to: fc.oneof({ arbitrary: fc.constant('cancelled' as const), weight: 2 }, { arbitrary: fc.constantFrom(...ORDER_STATUSES), weight: 2 }), role }),
      weight: 3,
    },
  );
  const prices: Record<string, number> = { mug: 1000, pen: 250, old: 500, ghost: 1 };

  it('for any sequence of checkouts, adjustments and order moves', () => {
    fc.assert(
      fc.property(fc.record({ mug: fc.nat(20), pen: fc.nat(20) }), fc.array(command, { minLength: 5, maxLength: 60, size: 'max' }), (initial, commands) => {
        let stock: StockLevels = stockOf(initial);
        const adjusted = new Map<string, number>();
        const sold = new Map<string, number>();
        const returned = new Map<string, number>();
        const bump = (map: Map<string, number>, id: string, by: number) => map.set(id, (map.get(id) ?? 0) + by);
        let orders: Order[] = [];
        let counter = 0;
        for (const cmd of commands) {
          if (cmd.kind === 'checkout') {
            const lines = cmd.lines.map((l) => line(l.productId, l.quantity, (prices[l.productId] ?? 0) + (l.stalePrice ? 1 : 0)));
            const decision = decideCheckout({ lines, currency: 'USD' }, context(stock, counter + 1));
            if (decision.kind === 'accepted') {
              counter += 1;
              stock = decision.stockAfter;
              orders = [...orders, decision.order];
              for (const l of decision.order.lines) bump(sold, l.productId, l.quantity);
              expect(cmd.lines.every((l) => !l.stalePrice && l.quantity >= 1 && (l.productId === 'mug' || l.productId === 'pen'))).toBe(true);
            }
          } else if (cmd.kind === 'adjust') {
            if (cmd.delta === 0) continue;
            const result = decideStockAdjustment(stock, { productId: cmd.productId, delta: cmd.delta, reason: 'correction' }, cmd.role);
            if (result.ok) {
              stock = result.value.stockAfter;
              bump(adjusted, cmd.productId, cmd.delta);
            } else if (result.error.code === 'insufficient-stock') {
              expect(result.error.available).toBe(stockLevel(stock, cmd.productId));
            }
          } else if (orders.length > 0) {
            const index = cmd.pick % orders.length;
            const order = orders[index]!;
            const result = decideOrderTransition(order, { to: cmd.to, actorRole: cmd.role, actorId: 'admin' }, T0 + 1_000_000);
            if (result.ok) {
              orders = orders.map((o, i) => (i === index ? result.value.order : o));
              stock = returnStock(stock, result.value.stockReturned).stockAfter;
              for (const l of result.value.stockReturned) bump(returned, l.productId, l.quantity);
            }
          }
          for (const [, level] of stock) expect(Number.isSafeInteger(level) && level >= 0).toBe(true);
        }
        for (const id of products) {
          const start = id === 'mug' || id === 'pen' ? initial[id] : 0;
          // stock + sold − returned = initial + adjustments
          expect(stockLevel(stock, id) + (sold.get(id) ?? 0) - (returned.get(id) ?? 0)).toBe(start + (adjusted.get(id) ?? 0));
        }
        const cancelledUnits = orders.filter((o) => o.status === 'cancelled').reduce((sum, o) => sum + o.lines.reduce((s, l) => s + l.quantity, 0), 0);
        expect([...returned.values()].reduce((a, b) => a + b, 0)).toBe(cancelledUnits);
      }),
      { numRuns: 300 },
    );
  });
});
