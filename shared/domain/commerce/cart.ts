/**
 * The cart lives in the user's private room `t/{tenant}/u/{user}` as a Y.Map keyed by product id,
 * one plain JSON line per product. Two devices of the same user edit it concurrently, so:
 *
 * - Quantities are SET, never incremented by the writer of the map: "add one more" reads the
 *   line, computes 3 from 2, and writes the whole line `{ quantity: 3 }`. Two devices that both
 *   add one to a line of 2 each write 3, and the merge keeps one of them: 3, not 4. (An add can
 *   be lost to a concurrent add; a quantity is never doubled. The cart is a wish list until the
 *   referee decides the checkout, so the cheaper failure wins.)
 * - A line is replaced whole: the merge is last-writer-wins per product, never a field mix.
 *   Y.Map picks the winner of truly concurrent writes deterministically on every replica; the
 *   `updatedAt` stamp below (monotonic per line) is what a timestamp-based merge would use.
 * - Removing writes a delete of the key; Y.Map lets a concurrent set win over it.
 *
 * Every operation returns the new cart and the writes to apply to the Y.Map in one transaction.
 */
import { z } from 'zod';
import { fail, ok, type DomainError, type Result } from '../result.ts';
import { moneySchema, sameMoney, totalsFor, type CurrencyCode, type Money, type TaxRateBps, type Totals } from './currency.ts';
import { type Product } from './product.ts';
import { isEntityId, LIMITS, type EpochMs } from './vocab.ts';

export interface CartLine {
  readonly productId: string;
  /** 1..99: a line with 0 does not exist, it is deleted. */
  readonly quantity: number;
  /** The price shown when the line was added or last re-confirmed; checkout sends it as seen. */
  readonly priceSeen: Money;
  readonly addedAt: EpochMs;
  readonly updatedAt: EpochMs;
}

/** Lines in the order they were added (then by product id), at most one per product. */
export interface Cart {
  readonly lines: readonly CartLine[];
}

export const EMPTY_CART: Cart = { lines: [] };

/** One Y.Map write: `map.set(productId, line)` or `map.delete(productId)`. */
export type CartWrite = { readonly kind: 'set'; readonly productId: string; readonly line: CartLine } | { readonly kind: 'delete'; readonly productId: string };

export interface CartUpdate {
  readonly cart: Cart;
  readonly writes: readonly CartWrite[];
}

export const CART_ERROR_CODES = ['unknown-product', 'archived', 'invalid-quantity', 'quantity-limit', 'line-limit', 'not-in-cart', 'currency-mismatch'] as const;
export type CartErrorCode = (typeof CART_ERROR_CODES)[number];
export type CartError = DomainError<CartErrorCode>;

export const cartLineSchema = z.strictObject({
  productId: z.string().refine(isEntityId, 'a product id'),
  quantity: z.int().min(1).max(LIMITS.maxLineQuantity),
  priceSeen: moneySchema,
  addedAt: z.int().min(0),
  updatedAt: z.int().min(0),
});

function ordered(lines: readonly CartLine[]): CartLine[] {
  return [...lines].sort((a, b) => a.addedAt - b.addedAt || (a.productId < b.productId ? -1 : a.productId > b.productId ? 1 : 0));
}

/**
 * Projection of the cart's Y.Map entries into a `Cart`: entries whose key is not their line's
 * product id, or that fail the schema, are hidden and their keys reported. Past 100 lines the
 * newest extra ones are hidden too.
 */
export function cartFromEntries(entries: Iterable<readonly [string, unknown]>): { readonly cart: Cart; readonly hidden: readonly string[] } {
  const lines: CartLine[] = [];
  const hidden: string[] = [];
  for (const [key, value] of entries) {
    const parsed = cartLineSchema.safeParse(value);
    if (parsed.success && parsed.data.productId === key) lines.push(parsed.data);
    else hidden.push(key);
  }
  const kept = ordered(lines);
  hidden.push(...kept.slice(LIMITS.maxLines).map((line) => line.productId));
  return { cart: { lines: kept.slice(0, LIMITS.maxLines) }, hidden };
}

export function findLine(cart: Cart, productId: string): CartLine | undefined {
  return cart.lines.find((line) => line.productId === productId);
}

function isQuantity(quantity: number, min: number): boolean {
  return Number.isSafeInteger(quantity) && quantity >= min && quantity <= LIMITS.maxLineQuantity;
}

/** The line's stamp after an edit: `now`, but always later than the version it replaces. */
function stampAfter(previous: CartLine | undefined, now: EpochMs): EpochMs {
  return previous === undefined ? now : Math.max(now, previous.updatedAt + 1);
}

function withLine(cart: Cart, line: CartLine): CartUpdate {
  const lines = ordered([...cart.lines.filter((other) => other.productId !== line.productId), line]);
  return { cart: { lines }, writes: [{ kind: 'set', productId: line.productId, line }] };
}

/**
 * Adds `quantity` units of an active product. If the product is already in the cart the line's
 * quantity is set to old + added (at most 99), and its seen price becomes the current one: the
 * shopper is looking at it right now.
 */
export function addToCart(cart: Cart, request: { readonly productId: string; readonly quantity: number }, catalog: ReadonlyMap<string, Product>, now: EpochMs): Result<CartUpdate, CartError> {
  const product = catalog.get(request.productId);
  if (product === undefined) return fail('unknown-product', 'This product is not in the shop.');
  if (product.status === 'archived') return fail('archived', `"${product.title}" is no longer sold.`);
  if (!isQuantity(request.quantity, 1)) return fail('invalid-quantity', `Add between 1 and ${LIMITS.maxLineQuantity} units.`);
  const other = cart.lines.find((line) => line.productId !== product.id && line.priceSeen.currency !== product.price.currency);
  if (other !== undefined) return fail('currency-mismatch', `The cart is in ${other.priceSeen.currency}; "${product.title}" is priced in ${product.price.currency}.`);
  const existing = findLine(cart, product.id);
  if (existing === undefined && cart.lines.length >= LIMITS.maxLines) return fail('line-limit', `A cart holds at most ${LIMITS.maxLines} different products.`);
  const quantity = (existing?.quantity ?? 0) + request.quantity;
  if (quantity > LIMITS.maxLineQuantity) return fail('quantity-limit', `At most ${LIMITS.maxLineQuantity} of one product per order.`);
  return ok(withLine(cart, {
    productId: product.id,
    quantity,
    priceSeen: product.price,
    addedAt: existing?.addedAt ?? now,
    updatedAt: stampAfter(existing, now),
  }));
}

/** Sets a line's quantity (0 removes the line). The seen price is kept. */
export function setQuantity(cart: Cart, productId: string, quantity: number, now: EpochMs): Result<CartUpdate, CartError> {
  const existing = findLine(cart, productId);
  if (existing === undefined) return fail('not-in-cart', 'This product is not in the cart.');
  if (!isQuantity(quantity, 0)) {
    return fail(quantity > LIMITS.maxLineQuantity ? 'quantity-limit' : 'invalid-quantity', `Choose between 0 and ${LIMITS.maxLineQuantity} units.`);
  }
  if (quantity === 0) return removeLine(cart, productId);
  return ok(withLine(cart, { ...existing, quantity, updatedAt: stampAfter(existing, now) }));
}

/** Removes a line; removing a line that is not there changes nothing and writes nothing. */
export function removeLine(cart: Cart, productId: string): Result<CartUpdate, CartError> {
  if (findLine(cart, productId) === undefined) return ok({ cart, writes: [] });
  return ok({ cart: { lines: cart.lines.filter((line) => line.productId !== productId) }, writes: [{ kind: 'delete', productId }] });
}

/** Empties the cart (after an accepted checkout): one delete per line. */
export function clearCart(cart: Cart): CartUpdate {
  return { cart: EMPTY_CART, writes: cart.lines.map((line) => ({ kind: 'delete', productId: line.productId })) };
}

export interface PriceChange {
  readonly productId: string;
  readonly seen: Money;
  readonly current: Money;
}

/** Lines whose product's current price (amount or currency) differs from the price seen. */
export function priceChanges(cart: Cart, catalog: ReadonlyMap<string, Product>): PriceChange[] {
  return cart.lines.flatMap((line) => {
    const product = catalog.get(line.productId);
    return product === undefined || sameMoney(product.price, line.priceSeen) ? [] : [{ productId: line.productId, seen: line.priceSeen, current: product.price }];
  });
}

/** Lines that cannot be bought any more: product gone from the catalog, or archived. */
export function unavailableLines(cart: Cart, catalog: ReadonlyMap<string, Product>): CartLine[] {
  return cart.lines.filter((line) => catalog.get(line.productId)?.status !== 'active');
}

/** The shopper accepts today's prices: every changed line's seen price is updated. */
export function acceptCurrentPrices(cart: Cart, catalog: ReadonlyMap<string, Product>, now: EpochMs): CartUpdate {
  let update: CartUpdate = { cart, writes: [] };
  for (const change of priceChanges(cart, catalog)) {
    const line = findLine(update.cart, change.productId);
    if (line === undefined) continue;
    const next = withLine(update.cart, { ...line, priceSeen: change.current, updatedAt: stampAfter(line, now) });
    update = { cart: next.cart, writes: [...update.writes, ...next.writes] };
  }
  return update;
}

export interface CartTotals extends Totals {
  /** `null` for a cart with nothing buyable. */
  readonly currency: CurrencyCode | null;
  /** Product ids left out of the totals because they cannot be bought (see `unavailableLines`). */
  readonly excluded: readonly string[];
}

/**
 * Totals at CURRENT catalog prices (what the referee will charge), tax once on the subtotal.
 * Unavailable lines are left out and listed. Mixed currencies are an error.
 */
export function cartTotals(cart: Cart, catalog: ReadonlyMap<string, Product>, taxBps: TaxRateBps): Result<CartTotals, CartError> {
  const excluded = unavailableLines(cart, catalog).map((line) => line.productId);
  const priced = cart.lines.flatMap((line) => {
    const product = catalog.get(line.productId);
    return product === undefined || product.status !== 'active' ? [] : [{ price: product.price, quantity: line.quantity }];
  });
  const currencies = new Set(priced.map((line) => line.price.currency));
  if (currencies.size > 1) return fail('currency-mismatch', `The cart mixes currencies (${[...currencies].join(', ')}); remove the lines in one of them.`);
  const totals = totalsFor(priced.map((line) => ({ unitPrice: line.price.amount, quantity: line.quantity })), taxBps);
  return ok({ ...totals, currency: priced[0]?.price.currency ?? null, excluded });
}
