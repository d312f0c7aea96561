import { describe, expect, it } from 'vitest';
import { expectOk } from '../result.ts';
import { decideStockAdjustment, returnStock, stockLevel, stockLevelsFrom, takeStock } from './stock.ts';
import { stockOf } from './test-support/fixtures.ts';
import { TENANT_ROLES } from './vocab.ts';

describe('stock levels', () => {
  it('reads missing and corrupt entries as 0', () => {
    const stock = new Map<string, number>([['a', 5], ['neg', -3], ['frac', 1.5], ['nan', Number.NaN]]);
    expect(['a', 'neg', 'frac', 'nan', 'missing', '__proto__', 'constructor'].map((id) => stockLevel(stock, id))).toEqual([5, 0, 0, 0, 0, 0, 0]);
  });

  it('projects room entries, hiding bad ones', () => {
    const { stock, hidden } = stockLevelsFrom([['a', 5], ['b', 0], ['c', -1], ['d', '7'], ['bad/id', 3], ['e', 2.5]]);
    expect([...stock]).toEqual([['a', 5], ['b', 0]]);
    expect(hidden).toEqual(['c', 'd', 'bad/id', 'e']);
  });
});

describe('decideStockAdjustment', () => {
  const stock = stockOf({ mug: 5 });

  it.each(TENANT_ROLES.map((role) => [role, role === 'owner' || role === 'admin'] as const))('%s may adjust: %s', (role, allowed) => {
    const result = decideStockAdjustment(stock, { productId: 'mug', delta: 1, reason: 'received' }, role);
    expect(result.ok).toBe(allowed);
    if (!result.ok) expect(result.error.code).toBe('forbidden');
  });

  it('adds and removes, reporting the change, without touching the input', () => {
    const up = expectOk(decideStockAdjustment(stock, { productId: 'mug', delta: 10, reason: 'received', note: 'pallet 7' }, 'admin'));
    expect(up.changes).toEqual([{ productId: 'mug', before: 5, after: 15 }]);
    expect(stockLevel(up.stockAfter, 'mug')).toBe(15);
    expect(stockLevel(stock, 'mug')).toBe(5);
    const down = expectOk(decideStockAdjustment(stock, { productId: 'mug', delta: -5, reason: 'damaged' }, 'owner'));
    expect(stockLevel(down.stockAfter, 'mug')).toBe(0);
    const fresh = expectOk(decideStockAdjustment(stock, { productId: 'new', delta: 3, reason: 'received' }, 'owner'));
    expect(fresh.changes).toEqual([{ productId: 'new', before: 0, after: 3 }]);
  });

  it('never goes below zero: rejected with what is available', () => {
    const result = decideStockAdjustment(stock, { productId: 'mug', delta: -6, reason: 'lost' }, 'admin');
    expect(result).toEqual({ ok: false, error: { code: 'insufficient-stock', message: expect.any(String) as string, productId: 'mug', available: 5 } });
  });

  it('never goes above the cap', () => {
    const full = stockOf({ mug: 999_999_999 });
    const result = decideStockAdjustment(full, { productId: 'mug', delta: 2, reason: 'received' }, 'admin');
    expect(!result.ok && result.error.code).toBe('too-much-stock');
  });

  it.each([
    ['delta 0', { productId: 'mug', delta: 0, reason: 'correction' }],
    ['fractional delta', { productId: 'mug', delta: 1.5, reason: 'correction' }],
    ['string delta', { productId: 'mug', delta: '5', reason: 'correction' }],
    ['huge delta', { productId: 'mug', delta: 2e9, reason: 'correction' }],
    ['unknown reason', { productId: 'mug', delta: 1, reason: 'because' }],
    ['missing reason', { productId: 'mug', delta: 1 }],
    ['bad product id', { productId: '../mug', delta: 1, reason: 'received' }],
    ['extra field', { productId: 'mug', delta: 1, reason: 'received', stock: 1000 }],
    ['long note', { productId: 'mug', delta: 1, reason: 'other', note: 'n'.repeat(201) }],
    ['not an object', 'mug+1'],
    ['null', null],
  ])('garbage (%s) → invalid', (_name, input) => {
    const result = decideStockAdjustment(stock, input, 'owner');
    expect(!result.ok && result.error.code).toBe('invalid');
  });
});

describe('takeStock and returnStock', () => {
  const stock = stockOf({ a: 3, b: 1 });

  it('takes every line or none', () => {
    const taken = expectOk(takeStock(stock, [{ productId: 'a', quantity: 2 }, { productId: 'b', quantity: 1 }]));
    expect([...taken.stockAfter]).toEqual([['a', 1], ['b', 0]]);
    const short = takeStock(stock, [{ productId: 'a', quantity: 1 }, { productId: 'b', quantity: 2 }, { productId: 'c', quantity: 1 }]);
    expect(short).toEqual({ ok: false, error: [{ productId: 'b', requested: 2, available: 1 }, { productId: 'c', requested: 1, available: 0 }] });
    expect([...stock]).toEqual([['a', 3], ['b', 1]]);
  });

  it('adds up lines naming the same product before checking', () => {
    const result = takeStock(stock, [{ productId: 'a', quantity: 2 }, { productId: 'a', quantity: 2 }]);
    expect(result).toEqual({ ok: false, error: [{ productId: 'a', requested: 4, available: 3 }] });
  });

  it('gives units back in full, even past the adjustment cap', () => {
    const back = returnStock(stockOf({ a: 999_999_999 }), [{ productId: 'a', quantity: 5 }, { productId: 'z', quantity: 1 }]);
    expect([...back.stockAfter]).toEqual([['a', 1_000_000_004], ['z', 1]]);
    expect(back.changes).toEqual([{ productId: 'a', before: 999_999_999, after: 1_000_000_004 }, { productId: 'z', before: 0, after: 1 }]);
  });

  it('treats a non-positive quantity as a bug', () => {
    expect(() => takeStock(stock, [{ productId: 'a', quantity: 0 }])).toThrow(RangeError);
    expect(() => returnStock(stock, [{ productId: 'a', quantity: -1 }])).toThrow(RangeError);
  });
});
