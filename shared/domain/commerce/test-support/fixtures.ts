/** Builders for commerce tests: valid products, catalogs and stock, with a fixed clock. */
import { expectOk } from '../../result.ts';
import { minor } from '../../money.ts';
import { type CurrencyCode } from '../currency.ts';
import { catalogOf, validateProduct, type Product } from '../product.ts';
import { type StockLevels } from '../stock.ts';

/** 2026-01-15T12:00:00Z. */
export const T0 = Date.UTC(2026, 0, 15, 12);

export const HASH_A = 'a'.repeat(64);
export const HASH_B = '0123456789abcdef'.repeat(4);

/** A valid product as raw JSON (what a room entry looks like), with overrides. */
export function rawProduct(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: 'p1',
    title: 'Mug',
    description: 'A mug.',
    price: { amount: 1000, currency: 'USD' },
    category: 'home',
    tags: ['kitchen'],
    images: [{ hash: HASH_A, mime: 'image/png', size: 1000 }],
    status: 'active',
    createdAt: T0,
    updatedAt: T0,
    version: 1,
    ...overrides,
  };
}

export function product(id: string, amount: number, options: { readonly currency?: CurrencyCode; readonly status?: 'active' | 'archived'; readonly title?: string; readonly createdAt?: number; readonly category?: string; readonly tags?: readonly string[]; readonly description?: string } = {}): Product {
  return expectOk(
    validateProduct(
      rawProduct({
        id,
        title: options.title ?? `Product ${id}`,
        price: { amount: minor(amount), currency: options.currency ?? 'USD' },
        status: options.status ?? 'active',
        createdAt: options.createdAt ?? T0,
        updatedAt: options.createdAt ?? T0,
        category: options.category ?? 'home',
        tags: options.tags ?? [],
        description: options.description ?? '',
      }),
    ),
  );
}

export function catalog(...products: Product[]): ReadonlyMap<string, Product> {
  return catalogOf(products);
}

export function stockOf(entries: Record<string, number>): StockLevels {
  return new Map(Object.entries(entries));
}
