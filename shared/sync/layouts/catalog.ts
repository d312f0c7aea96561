/**
 * The catalog room (`t/{tenant}/catalog`), written by tenant admins: a `products` map from
 * product id to product JSON. A product that breaks a rule (a tampered client) stays stored but
 * is hidden by every projection, on clients and server alike, and reported.
 */
import { validateProduct, type Product } from '../../domain/commerce/product.ts';
import { fail, ok, type DomainError, type Result } from '../../domain/result.ts';

export const CATALOG_PRODUCTS = 'products';

export type CatalogViolation = DomainError<'invalid-product' | 'id-mismatch'>;

export function readCatalogEntry(key: string, value: unknown): Result<Product, CatalogViolation> {
  const checked = validateProduct(value);
  if (!checked.ok) return fail('invalid-product', checked.error.message);
  if (checked.value.id !== key) return fail('id-mismatch', `product stored under "${key}" claims id "${checked.value.id}"`);
  return ok(checked.value);
}
