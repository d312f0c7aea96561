/**
 * Shop commands: UI → command → Y.Doc transaction (or an intent in the outbox) → projection →
 * RxDB → UI. Each command reads the current state from the room's Y.Doc (the source of truth on
 * this device), runs the domain rule, and writes what the rule returned. All of them work
 * offline; the sync engine sends the changes when it can.
 */
import type * as Y from 'yjs';
import { err, ok, type DomainError, type Result } from '../../../../../shared/domain/result.ts';
import { checkoutIntentFromCart } from '../../../../../shared/domain/commerce/checkout.ts';
import { acceptCurrentPrices, addToCart, cartFromEntries, clearCart, removeLine, setQuantity, type Cart, type CartError, type CartUpdate } from '../../../../../shared/domain/commerce/cart.ts';
import { createProduct, updateProduct, type Product, type ProductError } from '../../../../../shared/domain/commerce/product.ts';
import { orderMonthKey, type Order } from '../../../../../shared/domain/commerce/order.ts';
import { minor } from '../../../../../shared/domain/money.ts';
import { stockAdjustmentSchema, type StockAdjustment, type StockLevels } from '../../../../../shared/domain/commerce/stock.ts';
import type { OrderStatus } from '../../../../../shared/domain/commerce/vocab.ts';
import { CATALOG_PRODUCTS, readCatalogEntry } from '../../../../../shared/sync/layouts/catalog.ts';
import { SHOP_INTENTS, type OrderStatusIntent } from '../../../../../shared/sync/layouts/shop.ts';
import { USER_CART } from '../../../../../shared/sync/layouts/user.ts';
import { roomNames } from '../../../../../shared/sync/rooms.ts';
import { randomId } from '../../../engine/ids.ts';
import type { EngineHandle } from '../../../app/runtime.ts';
import { predictCheckout, predictOrderMove, predictStock } from './intents.ts';
import { DEFERRED_STOCK_KV_ID, shopIdentity, type DeferredStock } from './shop-data.ts';

export type CommandError = DomainError<'not-open' | 'read-only'>;

function userDoc(engine: EngineHandle): Y.Doc | null {
  const { tenant, user } = shopIdentity(engine);
  return engine.client.replica(roomNames.user(tenant, user))?.doc ?? null;
}

/** The cart as this device's copy of the user room holds it right now. */
export function currentCart(engine: EngineHandle): Cart {
  const doc = userDoc(engine);
  return doc ? cartFromEntries(doc.getMap(USER_CART).entries()).cart : { lines: [] };
}

function applyCart(engine: EngineHandle, update: CartUpdate): void {
  const doc = userDoc(engine);
  if (!doc || update.writes.length === 0) return;
  const lines = doc.getMap(USER_CART);
  // Whole lines are SET (never incremented), so two devices of one user never double a quantity.
  doc.transact(() => {
    for (const write of update.writes) {
      if (write.kind === 'set') lines.set(write.productId, { ...write.line });
      else lines.delete(write.productId);
    }
  });
}

function runCart(engine: EngineHandle, operation: (cart: Cart) => Result<CartUpdate, CartError>): Result<Cart, CartError | CommandError> {
  if (!userDoc(engine)) return err({ code: 'not-open', message: 'Your cart is still loading; try again in a moment.' });
  const result = operation(currentCart(engine));
  if (!result.ok) return result;
  applyCart(engine, result.value);
  return ok(result.value.cart);
}

export const cartCommands = {
  add: (engine: EngineHandle, productId: string, quantity: number, catalog: ReadonlyMap<string, Product>, now = Date.now()) =>
    runCart(engine, (cart) => addToCart(cart, { productId, quantity }, catalog, now)),
  setQuantity: (engine: EngineHandle, productId: string, quantity: number, now = Date.now()) => runCart(engine, (cart) => setQuantity(cart, productId, quantity, now)),
  remove: (engine: EngineHandle, productId: string) => runCart(engine, (cart) => removeLine(cart, productId)),
  acceptPrices: (engine: EngineHandle, catalog: ReadonlyMap<string, Product>, now = Date.now()) => runCart(engine, (cart) => ok(acceptCurrentPrices(cart, catalog, now))),
  /** Removes the given lines (after an accepted checkout); lines not in the cart are ignored. */
  removeLines: (engine: EngineHandle, productIds: readonly string[]) =>
    runCart(engine, (cart) => {
      const keep = new Set(productIds);
      const bought = { lines: cart.lines.filter((line) => keep.has(line.productId)) };
      const { writes } = clearCart(bought);
      return ok({ cart: { lines: cart.lines.filter((line) => !keep.has(line.productId)) }, writes });
    }),
};

export interface CheckoutInput {
  readonly catalog: ReadonlyMap<string, Product>;
  readonly stock: StockLevels;
  /** Null when the tenant's tax rate is not known on this device (then no expected total is sent). */
  readonly taxBps: number | null;
  readonly expectedTotal: number | null;
  readonly now?: number;
}

/**
 * Writes a checkout intent (the lines at the prices the shopper saw) with the predicted decision.
 * The order id is the intent id, as the referee makes it.
 */
export async function submitCheckout(engine: EngineHandle, input: CheckoutInput): Promise<Result<string, DomainError<string>>> {
  const cart = currentCart(engine);
  const intent = checkoutIntentFromCart(cart, input.taxBps === null || input.expectedTotal === null ? undefined : minor(input.expectedTotal));
  if (!intent.ok) return intent;
  const identity = shopIdentity(engine);
  const id = randomId('i', 12);
  const now = input.now ?? Date.now();
  const prediction = predictCheckout(intent.value, {
    catalog: input.catalog,
    stock: input.stock,
    taxBps: input.taxBps ?? 0,
    orderId: id,
    orderNumber: 'pending',
    customer: { userId: identity.user, displayName: identity.displayName },
    now,
  });
  await engine.client.intents.submit(SHOP_INTENTS.checkout, intent.value, { id, prediction });
  return ok(id);
}

// Catalog (admins) ------------------------------------------------------------------------------

function catalogDoc(engine: EngineHandle): Result<Y.Doc, CommandError> {
  const replica = engine.client.replica(roomNames.catalog(shopIdentity(engine).tenant));
  if (!replica) return err({ code: 'not-open', message: 'The catalog is not open on this device yet.' });
  if (replica.access !== 'write') return err({ code: 'read-only', message: 'Only the shop owner and admins can change products.' });
  return ok(replica.doc);
}

/** The product as the catalog room holds it now (valid products only). */
export function storedProduct(engine: EngineHandle, id: string): Product | null {
  const replica = engine.client.replica(roomNames.catalog(shopIdentity(engine).tenant));
  const value = replica?.doc.getMap(CATALOG_PRODUCTS).get(id);
  if (value === undefined) return null;
  const entry = readCatalogEntry(id, value);
  return entry.ok ? entry.value : null;
}

export function newProductId(): string {
  return randomId('p', 9);
}

/**
 * Creates (no `id` stored yet) or updates a product from the editor's draft: the domain validates
 * it (field errors for the form) and the result is written into the catalog room.
 */
export function saveProduct(engine: EngineHandle, input: { id: string; draft: unknown; now?: number }): Result<Product, ProductError | CommandError> {
  const doc = catalogDoc(engine);
  if (!doc.ok) return doc;
  const now = input.now ?? Date.now();
  const existing = storedProduct(engine, input.id);
  const result = existing ? updateProduct(existing, input.draft, now) : createProduct(input.draft, input.id, now);
  if (!result.ok) return result;
  doc.value.getMap(CATALOG_PRODUCTS).set(result.value.id, JSON.parse(JSON.stringify(result.value)) as unknown);
  return ok(result.value);
}

export function setArchived(engine: EngineHandle, product: Product, archived: boolean, now = Date.now()): Result<Product, ProductError | CommandError> {
  const { id: _id, createdAt: _created, updatedAt: _updated, version: _version, ...draft } = storedProduct(engine, product.id) ?? product;
  return saveProduct(engine, { id: product.id, draft: { ...draft, status: archived ? 'archived' : 'active' }, now });
}

// Stock (admins) -------------------------------------------------------------------------------

function catalogAcknowledged(engine: EngineHandle): boolean {
  const replica = engine.client.replica(roomNames.catalog(shopIdentity(engine).tenant));
  return replica !== undefined && replica.pendingCount === 0 && replica.state === 'synced';
}

async function deferredList(engine: EngineHandle): Promise<DeferredStock[]> {
  const doc = await engine.db.kv.findOne(DEFERRED_STOCK_KV_ID).exec();
  return ((doc?.toJSON().data.items ?? []) as DeferredStock[]).slice();
}

async function saveDeferred(engine: EngineHandle, items: readonly DeferredStock[]): Promise<void> {
  await engine.db.kv.upsert({ id: DEFERRED_STOCK_KV_ID, updatedAt: Date.now(), data: { items } });
}

async function submitStock(engine: EngineHandle, id: string, adjustment: StockAdjustment, stock: StockLevels): Promise<void> {
  const prediction = predictStock(stock, adjustment, shopIdentity(engine).role);
  try {
    await engine.client.intents.submit(SHOP_INTENTS.adjustStock, adjustment, { id, prediction });
  } catch (error) {
    // Submitted before (a retry after a crash between submit and bookkeeping): nothing to do.
    if (!(await engine.db.intents.findOne(id).exec())) throw error;
  }
}

/**
 * Asks the referee to change a stock level by `delta`. The referee refuses adjustments of
 * products it has never seen, so while this device holds catalog changes the server has not
 * stored yet (a product created offline), the request waits here and goes out once they have.
 */
export async function requestStockAdjustment(engine: EngineHandle, input: unknown, stock: StockLevels): Promise<Result<string, DomainError<'invalid'>>> {
  const parsed = stockAdjustmentSchema.safeParse(input);
  if (!parsed.success) return err({ code: 'invalid', message: parsed.error.issues[0]?.message ?? 'This stock change is not valid.' });
  const adjustment = parsed.data;
  const id = randomId('i', 12);
  if (catalogAcknowledged(engine)) {
    await submitStock(engine, id, adjustment, stock);
    return ok(id);
  }
  const items = await deferredList(engine);
  items.push({ id, ...adjustment, requestedAt: Date.now() });
  await saveDeferred(engine, items);
  return ok(id);
}

let flushing: Promise<void> | null = null;

async function flushNow(engine: EngineHandle, stock: StockLevels): Promise<void> {
  if (!catalogAcknowledged(engine)) return;
  const items = await deferredList(engine);
  if (items.length === 0) return;
  for (const item of items) {
    const { id, requestedAt: _at, ...adjustment } = item;
    await submitStock(engine, id, adjustment as StockAdjustment, stock);
  }
  const left = (await deferredList(engine)).filter((item) => !items.some((sent) => sent.id === item.id));
  await saveDeferred(engine, left);
}

/** Sends the deferred stock requests once the catalog is stored on the server (see above). */
export function flushDeferredStock(engine: EngineHandle, stock: StockLevels): Promise<void> {
  // One flush at a time; `.finally` clears the slot only after it was filled.
  flushing ??= flushNow(engine, stock).finally(() => {
    flushing = null;
  });
  return flushing;
}

// Orders (admins) ------------------------------------------------------------------------------

export async function moveOrder(engine: EngineHandle, order: Order, to: OrderStatus, now = Date.now()): Promise<string> {
  const identity = shopIdentity(engine);
  const payload: OrderStatusIntent = { orderId: order.id, to, customerId: order.customer.userId, month: orderMonthKey(order.createdAt) };
  const prediction = predictOrderMove(order, to, identity.role, identity.user, now);
  return engine.client.intents.submit(SHOP_INTENTS.setOrderStatus, payload, { prediction });
}
