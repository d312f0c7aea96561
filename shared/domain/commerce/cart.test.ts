import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { minor } from '../money.ts';
import { expectOk } from '../result.ts';
import {
  acceptCurrentPrices,
  addToCart,
  cartFromEntries,
  cartTotals,
  clearCart,
  EMPTY_CART,
  priceChanges,
  removeLine,
  setQuantity,
  unavailableLines,
  type Cart,
  type CartLine,
  type CartWrite,
} from './cart.ts';
import { catalog, product, T0 } from './test-support/fixtures.ts';

const mug = product('mug', 1000);
const book = product('book', 2500);
const shop = catalog(mug, book, product('gone', 100, { status: 'archived' }), product('yen', 500, { currency: 'JPY' }));

/**
 * A replica of the cart's Y.Map, merging per key by last writer wins: the higher stamp
 * (time, then device id) wins, deletes included. Yjs orders concurrent writes by its own
 * deterministic rule instead of time; what matters for the domain is the same either way:
 * lines are written whole with SET quantities.
 */
interface Stamped {
  readonly write: CartWrite;
  readonly at: number;
  readonly device: string;
}
class Replica {
  private readonly entries = new Map<string, { line: CartLine | null; at: number; device: string }>();
  apply({ write, at, device }: Stamped): void {
    const current = this.entries.get(write.productId);
    if (current !== undefined && (current.at > at || (current.at === at && current.device >= device))) return;
    this.entries.set(write.productId, { line: write.kind === 'set' ? write.line : null, at, device });
  }
  cart(): Cart {
    return cartFromEntries([...this.entries].flatMap(([key, entry]) => (entry.line === null ? [] : [[key, entry.line] as const]))).cart;
  }
}

class Device {
  readonly replica = new Replica();
  readonly sent: Stamped[] = [];
  readonly id: string;
  constructor(id: string) {
    this.id = id;
  }
  edit(at: number, op: (cart: Cart) => { ok: boolean; value?: { writes: readonly CartWrite[] } }): void {
    const result = op(this.replica.cart());
    for (const write of result.value?.writes ?? []) {
      const stamped = { write, at: write.kind === 'set' ? write.line.updatedAt : at, device: this.id };
      this.replica.apply(stamped);
      this.sent.push(stamped);
    }
  }
}

function synced(...writes: Stamped[]): [Device, Device] {
  const a = new Device('A');
  const b = new Device('B');
  for (const write of writes) {
    a.replica.apply(write);
    b.replica.apply(write);
  }
  return [a, b];
}

describe('cart ops', () => {
  it('adds a line at the current price, then SETs a higher quantity on a second add', () => {
    const one = expectOk(addToCart(EMPTY_CART, { productId: 'mug', quantity: 2 }, shop, T0));
    expect(one.writes).toEqual([{ kind: 'set', productId: 'mug', line: { productId: 'mug', quantity: 2, priceSeen: mug.price, addedAt: T0, updatedAt: T0 } }]);
    const two = expectOk(addToCart(one.cart, { productId: 'mug', quantity: 3 }, shop, T0 + 10));
    expect(two.cart.lines).toEqual([{ productId: 'mug', quantity: 5, priceSeen: mug.price, addedAt: T0, updatedAt: T0 + 10 }]);
    expect(two.writes).toHaveLength(1);
  });

  it('stamps an edit later than the line it replaces even if the clock is behind', () => {
    const one = expectOk(addToCart(EMPTY_CART, { productId: 'mug', quantity: 1 }, shop, T0));
    const two = expectOk(setQuantity(one.cart, 'mug', 4, T0 - 60_000));
    expect(two.cart.lines[0]?.updatedAt).toBe(T0 + 1);
  });

  it.each([
    ['unknown product', { productId: 'nope', quantity: 1 }, 'unknown-product'],
    ['archived product', { productId: 'gone', quantity: 1 }, 'archived'],
    ['zero', { productId: 'mug', quantity: 0 }, 'invalid-quantity'],
    ['fraction', { productId: 'mug', quantity: 1.5 }, 'invalid-quantity'],
    ['100 at once', { productId: 'mug', quantity: 100 }, 'invalid-quantity'],
    ['another currency', { productId: 'yen', quantity: 1 }, 'currency-mismatch'],
  ])('addToCart refuses %s', (_name, request, code) => {
    const start = expectOk(addToCart(EMPTY_CART, { productId: 'book', quantity: 1 }, shop, T0)).cart;
    const result = addToCart(start, request, shop, T0);
    expect(!result.ok && result.error.code).toBe(code);
  });

  it('re-adding a product whose currency changed re-prices its own line instead of refusing', () => {
    const start = expectOk(addToCart(EMPTY_CART, { productId: 'mug', quantity: 1 }, shop, T0)).cart;
    const inEuro = catalog(product('mug', 900, { currency: 'EUR' }));
    expect(expectOk(addToCart(start, { productId: 'mug', quantity: 1 }, inEuro, T0 + 1)).cart.lines[0]).toMatchObject({ quantity: 2, priceSeen: { amount: 900, currency: 'EUR' } });
  });

  it('caps a line at 99 units', () => {
    const at99 = expectOk(addToCart(EMPTY_CART, { productId: 'mug', quantity: 99 }, shop, T0)).cart;
    const more = addToCart(at99, { productId: 'mug', quantity: 1 }, shop, T0);
    expect(!more.ok && more.error.code).toBe('quantity-limit');
    const set = setQuantity(at99, 'mug', 100, T0);
    expect(!set.ok && set.error.code).toBe('quantity-limit');
  });

  it('caps a cart at 100 lines', () => {
    const many = catalog(...Array.from({ length: 101 }, (_, i) => product(`p${i}`, 100)));
    let cart = EMPTY_CART;
    for (let i = 0; i < 100; i += 1) cart = expectOk(addToCart(cart, { productId: `p${i}`, quantity: 1 }, many, T0 + i)).cart;
    expect(cart.lines).toHaveLength(100);
    const extra = addToCart(cart, { productId: 'p100', quantity: 1 }, many, T0);
    expect(!extra.ok && extra.error.code).toBe('line-limit');
    expect(addToCart(cart, { productId: 'p0', quantity: 1 }, many, T0).ok).toBe(true);
  });

  it('setQuantity 0 removes; removeLine deletes; clearCart deletes each line', () => {
    const cart = expectOk(addToCart(expectOk(addToCart(EMPTY_CART, { productId: 'mug', quantity: 1 }, shop, T0)).cart, { productId: 'book', quantity: 1 }, shop, T0 + 1)).cart;
    expect(expectOk(setQuantity(cart, 'mug', 0, T0)).writes).toEqual([{ kind: 'delete', productId: 'mug' }]);
    expect(expectOk(removeLine(cart, 'book')).cart.lines.map((l) => l.productId)).toEqual(['mug']);
    expect(expectOk(removeLine(cart, 'nope')).writes).toEqual([]);
    expect(clearCart(cart)).toEqual({ cart: EMPTY_CART, writes: [{ kind: 'delete', productId: 'mug' }, { kind: 'delete', productId: 'book' }] });
    const missing = setQuantity(cart, 'nope', 1, T0);
    expect(!missing.ok && missing.error.code).toBe('not-in-cart');
    const negative = setQuantity(cart, 'mug', -1, T0);
    expect(!negative.ok && negative.error.code).toBe('invalid-quantity');
  });
});

describe('prices and totals', () => {
  const cart = expectOk(addToCart(expectOk(addToCart(EMPTY_CART, { productId: 'mug', quantity: 2 }, shop, T0)).cart, { productId: 'book', quantity: 1 }, shop, T0 + 1)).cart;
  const repriced = catalog(product('mug', 1200), book);

  it('lists lines whose price changed since they were seen', () => {
    expect(priceChanges(cart, shop)).toEqual([]);
    expect(priceChanges(cart, repriced)).toEqual([{ productId: 'mug', seen: mug.price, current: { amount: 1200, currency: 'USD' } }]);
    expect(priceChanges(cart, catalog(product('mug', 1000, { currency: 'EUR' }), book))).toHaveLength(1);
  });

  it('accepting current prices updates the seen price and clears the changes', () => {
    const accepted = acceptCurrentPrices(cart, repriced, T0 + 100);
    expect(accepted.writes).toHaveLength(1);
    expect(priceChanges(accepted.cart, repriced)).toEqual([]);
    expect(accepted.cart.lines.find((l) => l.productId === 'mug')?.quantity).toBe(2);
  });

  it('totals at current prices, tax once, unavailable lines left out', () => {
    expect(expectOk(cartTotals(cart, shop, 825))).toEqual({ subtotal: 4500, tax: 371, total: 4871, currency: 'USD', excluded: [] });
    expect(expectOk(cartTotals(cart, repriced, 0))).toMatchObject({ subtotal: 4900, total: 4900 });
    const withoutBook = catalog(mug, product('book', 2500, { status: 'archived' }));
    expect(expectOk(cartTotals(cart, withoutBook, 0))).toMatchObject({ subtotal: 2000, excluded: ['book'] });
    expect(unavailableLines(cart, catalog(mug)).map((l) => l.productId)).toEqual(['book']);
    expect(expectOk(cartTotals(EMPTY_CART, shop, 825))).toEqual({ subtotal: 0, tax: 0, total: 0, currency: null, excluded: [] });
  });

  it('refuses to total mixed currencies', () => {
    const mixed = catalog(product('mug', 1000, { currency: 'EUR' }), book);
    const result = cartTotals(cart, mixed, 0);
    expect(!result.ok && result.error.code).toBe('currency-mismatch');
  });
});

describe('projection of the Y.Map', () => {
  it('keeps valid lines in added order and hides tampered ones', () => {
    const line = (productId: string, addedAt: number) => ({ productId, quantity: 1, priceSeen: { amount: minor(100), currency: 'USD' }, addedAt, updatedAt: addedAt });
    const { cart, hidden } = cartFromEntries([
      ['b', line('b', 2)],
      ['a', line('a', 1)],
      ['x', line('y', 3)],
      ['q', { ...line('q', 4), quantity: 500 }],
      ['r', { ...line('r', 5), quantity: 2.5 }],
      ['s', { ...line('s', 6), admin: true }],
      ['t', 'garbage'],
      ['u', null],
    ]);
    expect(cart.lines.map((l) => l.productId)).toEqual(['a', 'b']);
    expect(hidden).toEqual(['x', 'q', 'r', 's', 't', 'u']);
  });

  it('hides lines beyond 100', () => {
    const entries = Array.from({ length: 105 }, (_, i) => [`p${i}`, { productId: `p${i}`, quantity: 1, priceSeen: { amount: 1, currency: 'USD' }, addedAt: i, updatedAt: i }] as const);
    const { cart, hidden } = cartFromEntries(entries);
    expect(cart.lines).toHaveLength(100);
    expect(hidden).toEqual(['p100', 'p101', 'p102', 'p103', 'p104']);
  });
});

describe('two devices of one user converge, without doubled quantities', () => {
  const base = expectOk(addToCart(EMPTY_CART, { productId: 'mug', quantity: 2 }, shop, T0));
  const baseWrites = base.writes.map((write) => ({ write, at: T0, device: 'A' }));

  it('both add one to a line of 2 → 3 on both, in either delivery order', () => {
    const [a, b] = synced(...baseWrites);
    a.edit(T0 + 10, (cart) => addToCart(cart, { productId: 'mug', quantity: 1 }, shop, T0 + 10));
    b.edit(T0 + 11, (cart) => addToCart(cart, { productId: 'mug', quantity: 1 }, shop, T0 + 11));
    for (const write of b.sent) a.replica.apply(write);
    for (const write of [...a.sent].reverse()) b.replica.apply(write);
    expect(a.replica.cart()).toEqual(b.replica.cart());
    expect(a.replica.cart().lines.map((l) => l.quantity)).toEqual([3]);
  });

  it('a later set on one device beats an older remove on the other, and vice versa', () => {
    const [a, b] = synced(...baseWrites);
    a.edit(T0 + 10, (cart) => removeLine(cart, 'mug'));
    b.edit(T0 + 20, (cart) => setQuantity(cart, 'mug', 7, T0 + 20));
    for (const write of b.sent) a.replica.apply(write);
    for (const write of a.sent) b.replica.apply(write);
    expect(a.replica.cart()).toEqual(b.replica.cart());
    expect(a.replica.cart().lines.map((l) => l.quantity)).toEqual([7]);

    const [c, d] = synced(...baseWrites);
    c.edit(T0 + 30, (cart) => removeLine(cart, 'mug'));
    d.edit(T0 + 20, (cart) => setQuantity(cart, 'mug', 7, T0 + 20));
    for (const write of d.sent) c.replica.apply(write);
    for (const write of c.sent) d.replica.apply(write);
    expect(c.replica.cart()).toEqual(d.replica.cart());
    expect(c.replica.cart().lines).toEqual([]);
  });

  const ops = fc.array(
    fc.record({
      device: fc.constantFrom('A', 'B'),
      kind: fc.constantFrom('add', 'set', 'remove'),
      productId: fc.constantFrom('mug', 'book'),
      quantity: fc.integer({ min: 0, max: 99 }),
      advance: fc.integer({ min: 0, max: 5 }),
    }),
    { maxLength: 30 },
  );

  it('any edits, any delivery order → the same cart on both, each quantity one a device wrote (property)', () => {
    fc.assert(
      fc.property(ops, fc.infiniteStream(fc.boolean()), (edits, coin) => {
        const [a, b] = synced(...baseWrites);
        let now = T0;
        const written = new Set<number>([2]);
        for (const edit of edits) {
          now += edit.advance;
          const device = edit.device === 'A' ? a : b;
          device.edit(now, (cart) => {
            const result = edit.kind === 'add'
              ? addToCart(cart, { productId: edit.productId, quantity: Math.max(1, edit.quantity) }, shop, now)
              : edit.kind === 'set' ? setQuantity(cart, edit.productId, edit.quantity, now) : removeLine(cart, edit.productId);
            for (const write of result.ok ? result.value.writes : []) if (write.kind === 'set') written.add(write.line.quantity);
            return result;
          });
        }
        // Deliver each device's writes to the other, interleaved at random (but in send order per device).
        const fromA = [...a.sent];
        const fromB = [...b.sent];
        const toA: Stamped[] = [];
        const toB: Stamped[] = [];
        const flips = coin[Symbol.iterator]();
        while (fromA.length + fromB.length > 0) {
          const pickA = fromB.length === 0 || (fromA.length > 0 && flips.next().value === true);
          if (pickA) toB.push(fromA.shift()!);
          else toA.push(fromB.shift()!);
        }
        for (const write of toA) a.replica.apply(write);
        for (const write of toB) b.replica.apply(write);
        const cartA = a.replica.cart();
        expect(cartA).toEqual(b.replica.cart());
        for (const line of cartA.lines) {
          expect(line.quantity).toBeLessThanOrEqual(99);
          expect(written.has(line.quantity)).toBe(true);
        }
      }),
    );
  });
});
