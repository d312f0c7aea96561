/**
 * Checkout: the intent a shopper writes into their outbox, and the commerce referee's decision
 * on it. The referee decides each intent once, in arrival order, at the stock and prices current
 * at that moment; the UI runs the same function on its local state as an optimistic preview.
 *
 * All or nothing: one bad line rejects the whole order and touches no stock. A rejection lists
 * every problem found (a line can have more than one, e.g. a new price and too little stock), so
 * the shopper fixes the cart once. Stock never goes negative: units are taken by `takeStock`,
 * which refuses any shortage.
 */
import { z } from 'zod';
import { type Minor } from '../money.ts';
import { fail, ok, type DomainError, type Result } from '../result.ts';
import { currencySchema, formatMoney, minorSchema, moneySchema, type CurrencyCode, type Money, type TaxRateBps } from './currency.ts';
import { type Cart } from './cart.ts';
import { placeOrder, type Customer, type Order } from './order.ts';
import { type Product } from './product.ts';
import { stockLevel, takeStock, type StockChange, type StockLevels } from './stock.ts';
import { isEntityId, LIMITS, type EpochMs } from './vocab.ts';

const checkoutLineSchema = z.strictObject({
  productId: z.string().refine(isEntityId, 'a product id'),
  /** Any integer here; a quantity outside 1..99 is a line rejection (`invalid-quantity`), not garbage. */
  quantity: z.int(),
  unitPriceSeen: moneySchema,
});

export const checkoutIntentSchema = z.strictObject({
  lines: z
    .array(checkoutLineSchema)
    .min(1)
    .max(LIMITS.maxLines)
    .refine((lines) => new Set(lines.map((line) => line.productId)).size === lines.length, 'each product may appear on one line only'),
  currency: currencySchema,
  /** The total the shopper was shown; if given, any other total rejects the checkout. */
  expectedTotal: minorSchema.optional(),
});
export type CheckoutIntent = z.output<typeof checkoutIntentSchema>;

export function parseCheckoutIntent(input: unknown): Result<CheckoutIntent, DomainError<'invalid'>> {
  const parsed = checkoutIntentSchema.safeParse(input);
  return parsed.success ? ok(parsed.data) : fail('invalid', `This checkout is not valid: ${z.prettifyError(parsed.error)}`);
}

export const CHECKOUT_REJECTION_CODES = [
  'out-of-stock',
  'insufficient-stock',
  'price-changed',
  'archived',
  'unknown-product',
  'currency-mismatch',
  'invalid-quantity',
  'total-changed',
] as const;
export type CheckoutRejectionCode = (typeof CHECKOUT_REJECTION_CODES)[number];

export interface CheckoutRejection {
  /** The line's product; `null` only for `total-changed`, which is about the whole order. */
  readonly productId: string | null;
  readonly code: CheckoutRejectionCode;
  readonly message: string;
  /** Units on hand, for `out-of-stock` (0) and `insufficient-stock`. */
  readonly available?: number;
  /** Today's price, for `price-changed` and `currency-mismatch`. */
  readonly currentPrice?: Money;
  /** Today's total, for `total-changed`. */
  readonly currentTotal?: Minor;
}

export interface CheckoutContext {
  readonly catalog: ReadonlyMap<string, Product>;
  readonly stock: StockLevels;
  readonly taxBps: TaxRateBps;
  /** Generated at the edge (or the intent id, which makes the order exactly-once by key). */
  readonly orderId: string;
  /** From the tenant's order counter (`nextOrderNumber`). */
  readonly orderNumber: string;
  readonly customer: Customer;
  readonly now: EpochMs;
}

export type CheckoutDecision =
  | { readonly kind: 'accepted'; readonly order: Order; readonly stockAfter: StockLevels; readonly stockChanges: readonly StockChange[] }
  | { readonly kind: 'rejected'; readonly reasons: readonly CheckoutRejection[] }
  | { readonly kind: 'invalid'; readonly message: string };

const show = (price: Money): string => formatMoney(price.amount, price.currency, 'en-US');

function lineProblems(line: CheckoutIntent['lines'][number], currency: CurrencyCode, context: CheckoutContext): CheckoutRejection[] {
  const { productId, quantity, unitPriceSeen } = line;
  const problems: CheckoutRejection[] = [];
  const quantityOk = Number.isSafeInteger(quantity) && quantity >= 1 && quantity <= LIMITS.maxLineQuantity;
  if (!quantityOk) problems.push({ productId, code: 'invalid-quantity', message: `Order between 1 and ${LIMITS.maxLineQuantity} units of one product.` });
  const product = context.catalog.get(productId);
  if (product === undefined) return [...problems, { productId, code: 'unknown-product', message: 'This product is no longer in the shop.' }];
  if (product.status === 'archived') return [...problems, { productId, code: 'archived', message: `"${product.title}" is no longer sold.` }];
  if (product.price.currency !== currency || unitPriceSeen.currency !== currency) {
    return [...problems, { productId, code: 'currency-mismatch', message: `"${product.title}" is priced in ${product.price.currency}; this order is in ${currency}.`, currentPrice: product.price }];
  }
  if (product.price.amount !== unitPriceSeen.amount) {
    problems.push({ productId, code: 'price-changed', message: `"${product.title}" now costs ${show(product.price)} (you saw ${show(unitPriceSeen)}).`, currentPrice: product.price });
  }
  const available = stockLevel(context.stock, productId);
  if (available === 0) problems.push({ productId, code: 'out-of-stock', message: `"${product.title}" is sold out.`, available: 0 });
  else if (quantityOk && quantity > available) {
    problems.push({ productId, code: 'insufficient-stock', message: `Only ${available} of "${product.title}" left.`, available });
  }
  return problems;
}

/**
 * The referee's decision on a raw checkout intent (garbage gets `invalid`). Accepted: a placed
 * order at current prices, plus the stock after taking its units and the levels that changed.
 */
export function decideCheckout(input: unknown, context: CheckoutContext): CheckoutDecision {
  const parsed = parseCheckoutIntent(input);
  if (!parsed.ok) return { kind: 'invalid', message: parsed.error.message };
  const intent = parsed.value;
  const reasons = intent.lines.flatMap((line) => lineProblems(line, intent.currency, context));
  if (reasons.length > 0) return { kind: 'rejected', reasons };

  const lines = intent.lines.map((line) => {
    const product = context.catalog.get(line.productId);
    if (product === undefined) throw new Error('decideCheckout: product vanished after its line was checked');
    return { productId: product.id, title: product.title, unitPrice: product.price.amount, quantity: line.quantity };
  });
  const order = placeOrder({ id: context.orderId, number: context.orderNumber, customer: context.customer, lines, currency: intent.currency, taxBps: context.taxBps, now: context.now });
  if (intent.expectedTotal !== undefined && intent.expectedTotal !== order.total) {
    const expected = show({ amount: intent.expectedTotal, currency: intent.currency });
    return {
      kind: 'rejected',
      reasons: [{ productId: null, code: 'total-changed', message: `The total is now ${show({ amount: order.total, currency: order.currency })} (you saw ${expected}).`, currentTotal: order.total }],
    };
  }
  const taken = takeStock(context.stock, lines);
  if (!taken.ok) {
    // Unreachable after lineProblems; kept so that stock can never go negative even if it were not.
    return { kind: 'rejected', reasons: taken.error.map(({ productId, available }) => ({ productId, code: available === 0 ? 'out-of-stock' : 'insufficient-stock', message: 'Not enough stock.', available })) };
  }
  return { kind: 'accepted', order, stockAfter: taken.value.stockAfter, stockChanges: taken.value.changes };
}

/**
 * The intent for checking out a cart, at the prices the shopper saw (`priceSeen`). Show price
 * changes first (`priceChanges`, `acceptCurrentPrices`), or the referee rejects `price-changed`.
 */
export function checkoutIntentFromCart(cart: Cart, expectedTotal?: Minor): Result<CheckoutIntent, DomainError<'empty-cart' | 'currency-mismatch'>> {
  const first = cart.lines[0];
  if (first === undefined) return fail('empty-cart', 'The cart is empty.');
  const currency = first.priceSeen.currency;
  if (cart.lines.some((line) => line.priceSeen.currency !== currency)) return fail('currency-mismatch', 'The cart mixes currencies.');
  const lines = cart.lines.map((line) => ({ productId: line.productId, quantity: line.quantity, unitPriceSeen: line.priceSeen }));
  return ok(expectedTotal === undefined ? { lines, currency } : { lines, currency, expectedTotal });
}
