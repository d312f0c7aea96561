import { describe, expect, it } from 'vitest';
import { minor } from '../../../../../shared/domain/money.ts';
import { placeOrder } from '../../../../../shared/domain/commerce/order.ts';
import { catalog, product, stockOf, T0 } from '../../../../../shared/domain/commerce/test-support/fixtures.ts';
import type { IntentRecord } from '../../../engine/collections.ts';
import { checkoutReceipt, checkoutRejections, decisionOf, isRecent, linesBoughtBy, predictCheckout, predictOrderMove, predictStock } from './intents.ts';

const mug = product('mug', 1000);
const pen = product('pen', 250);
const shop = catalog(mug, pen);
const context = { catalog: shop, stock: stockOf({ mug: 5, pen: 0 }), taxBps: 1000, orderId: 'i_x', orderNumber: 'pending', customer: { userId: 'u1', displayName: 'Ada' }, now: T0 };
const line = (productId: string, quantity: number, amount: number) => ({ productId, quantity, unitPriceSeen: { amount, currency: 'USD' } });

function intent(overrides: Partial<IntentRecord>): IntentRecord {
  return { id: 'i_1', kind: 'shop.checkout', status: 'pending', createdAt: T0, decidedAt: 0, payload: null, prediction: null, decision: null, ...overrides };
}

describe('predictions run the referee’s rules locally and keep plain JSON', () => {
  it('predicts an accepted checkout with its totals (tax once on the subtotal)', () => {
    const prediction = predictCheckout({ lines: [line('mug', 2, 1000)], currency: 'USD' }, context);
    expect(prediction).toEqual({ kind: 'accepted', subtotal: 2000, tax: 200, total: 2200, currency: 'USD', units: 2 });
    expect(JSON.parse(JSON.stringify(prediction))).toEqual(prediction);
  });

  it('predicts a rejection with a reason per line', () => {
    const prediction = predictCheckout({ lines: [line('mug', 1, 900), line('pen', 1, 250)], currency: 'USD' }, context);
    expect(prediction.kind).toBe('rejected');
    expect(prediction.kind === 'rejected' && prediction.reasons.map((reason) => [reason.productId, reason.code])).toEqual([
      ['mug', 'price-changed'],
      ['pen', 'out-of-stock'],
    ]);
  });

  it('predicts garbage as invalid', () => {
    expect(predictCheckout({ lines: [] }, context).kind).toBe('invalid');
  });

  it('predicts stock adjustments and order moves', () => {
    expect(predictStock(stockOf({ mug: 5 }), { productId: 'mug', delta: -2, reason: 'damaged' }, 'admin')).toEqual({ kind: 'accepted', before: 5, after: 3 });
    expect(predictStock(stockOf({ mug: 1 }), { productId: 'mug', delta: -2, reason: 'damaged' }, 'admin').kind).toBe('rejected');
    expect(predictStock(stockOf({}), { productId: 'mug', delta: 2, reason: 'received' }, 'member').kind).toBe('rejected');
    const order = placeOrder({ id: 'o1', number: 'P-000001', customer: { userId: 'u1', displayName: 'Ada' }, lines: [{ productId: 'mug', title: 'Mug', unitPrice: minor(1000), quantity: 1 }], currency: 'USD', taxBps: 0, now: T0 });
    expect(predictOrderMove(order, 'paid', 'owner', 'a', T0 + 1)).toEqual({ kind: 'accepted', to: 'paid' });
    expect(predictOrderMove(order, 'fulfilled', 'owner', 'a', T0 + 1).kind).toBe('rejected');
  });
});

describe('decisions as the UI reads them', () => {
  it('reads an accepted checkout’s receipt', () => {
    const record = intent({ status: 'accepted', decidedAt: T0 + 5, decision: { v: 1, intentId: 'i_1', kind: 'shop.checkout', status: 'accepted', decidedAt: T0 + 5, result: { orderId: 'i_1', number: 'P-000007', subtotal: 100, tax: 0, total: 100, currency: 'USD' } } });
    expect(checkoutReceipt(record)).toMatchObject({ number: 'P-000007', total: 100 });
    expect(checkoutRejections(record)).toEqual([]);
  });

  it('reads a rejection’s per-line reasons, or its one general reason', () => {
    const reasons = [{ productId: 'mug', code: 'out-of-stock', message: 'sold out', available: 0 }];
    const rejected = intent({ status: 'rejected', decision: { reason: { code: 'out-of-stock', message: 'sold out' }, result: { reasons } } });
    expect(checkoutRejections(rejected)).toEqual(reasons);
    const expired = intent({ status: 'expired', decision: { reason: { code: 'expired', message: 'too late' } } });
    expect(checkoutRejections(expired)).toEqual([{ productId: null, code: 'expired', message: 'too late' }]);
    expect(checkoutReceipt(expired)).toBeNull();
    expect(decisionOf(intent({}))).toBeNull();
  });

  it('tolerates a decision with junk in it (it is data from a room)', () => {
    const junk = intent({ status: 'rejected', decision: { reason: { code: 5, message: { html: '<b>' } }, result: 'nope' } });
    expect(decisionOf(junk)).toEqual({ status: 'rejected', code: null, message: null, result: 'nope' });
    expect(checkoutRejections(junk)[0]?.message).toBe('The shop refused this order.');
  });

  it('knows what is recent', () => {
    expect(isRecent(intent({ createdAt: 0 }), T0, 1000)).toBe(true);
    expect(isRecent(intent({ status: 'accepted', createdAt: T0 - 5000, decidedAt: T0 - 2000 }), T0, 1000)).toBe(false);
    expect(isRecent(intent({ status: 'accepted', createdAt: T0 - 5000, decidedAt: T0 - 500 }), T0, 1000)).toBe(true);
  });
});

describe('linesBoughtBy: what leaves the cart after an accepted checkout', () => {
  const cartLine = (productId: string, updatedAt: number) => ({ productId, quantity: 1, priceSeen: { amount: minor(1000), currency: 'USD' as const }, addedAt: T0 - 100, updatedAt });
  const accepted = intent({ status: 'accepted', createdAt: T0, payload: { lines: [line('mug', 1, 1000), line('pen', 1, 250)], currency: 'USD' } });

  it('removes the bought lines untouched since the checkout, keeps lines changed after it and other products', () => {
    const cart = { lines: [cartLine('mug', T0 - 50), cartLine('pen', T0 + 10), cartLine('cup', T0 - 50)] };
    expect(linesBoughtBy(cart, accepted)).toEqual(['mug']);
  });

  it('removes nothing for a pending or refused checkout, or a payload that is not one', () => {
    const cart = { lines: [cartLine('mug', T0 - 50)] };
    expect(linesBoughtBy(cart, { ...accepted, status: 'pending' })).toEqual([]);
    expect(linesBoughtBy(cart, { ...accepted, status: 'rejected' })).toEqual([]);
    expect(linesBoughtBy(cart, { ...accepted, payload: 'garbage' })).toEqual([]);
    expect(linesBoughtBy(cart, { ...accepted, payload: { lines: [{ productId: 7 }] } })).toEqual([]);
  });

  it('is idempotent: applying it to its own result removes nothing more', () => {
    const cart = { lines: [cartLine('mug', T0 - 50), cartLine('cup', T0 - 50)] };
    const bought = new Set(linesBoughtBy(cart, accepted));
    const after = { lines: cart.lines.filter((item) => !bought.has(item.productId)) };
    expect(linesBoughtBy(after, accepted)).toEqual([]);
  });
});
