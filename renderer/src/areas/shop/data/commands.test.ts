/**
 * Shop commands on a real client engine against a real server (one engine per process: RxDB
 * counts collections per process; other parties are stock y-websocket clients).
 */
import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { addToCart, cartFromEntries } from '../../../../../shared/domain/commerce/cart.ts';
import { catalogOf, type Product } from '../../../../../shared/domain/commerce/product.ts';
import { CATALOG_PRODUCTS } from '../../../../../shared/sync/layouts/catalog.ts';
import { SHOP_INTENTS, STOCK_LEVELS } from '../../../../../shared/sync/layouts/shop.ts';
import { USER_CART } from '../../../../../shared/sync/layouts/user.ts';
import { parseRoomName, roomNames, type Role } from '../../../../../shared/sync/rooms.ts';
import type { RunningServer } from '../../../../../sync-server/src/server.ts';
import { addUser, connectClient, destroyAll, eventually, startTestServer, storedDoc, whenSynced, type TestUser } from '../../../../../sync-server/src/test-support/harness.ts';
import { writeIntent } from '../../../../../sync-server/src/test-support/intents.ts';
import type { EngineHandle } from '../../../app/runtime.ts';
import { CART_KV_ID } from '../../../engine/projections/shop.ts';
import { projectionsFor } from '../../../engine/projections/index.ts';
import { fixedToken, startEngine, type Engine } from '../../../engine/test-support/engine-harness.ts';
import { cartCommands, currentCart, flushDeferredStock, requestStockAdjustment, saveProduct, setArchived, storedProduct, submitCheckout } from './commands.ts';
import { linesBoughtBy, type CheckoutPrediction } from './intents.ts';
import { DEFERRED_STOCK_KV_ID } from './shop-data.ts';

let server: RunningServer;
let engine: Engine | null = null;
afterEach(async () => {
  await engine?.close();
  engine = null;
  await server?.close();
});

async function start(user: TestUser, role: Role, online = true): Promise<EngineHandle> {
  engine = await startEngine({ serverUrl: server.url, principal: { tenant: 'acme', user: user.id, role }, tokens: fixedToken(user.token), online });
  const rooms = [roomNames.user('acme', user.id), roomNames.outbox('acme', user.id), roomNames.inbox('acme', user.id), roomNames.catalog('acme'), roomNames.stock('acme')];
  for (const name of rooms) await engine.client.open(name, projectionsFor((parseRoomName(name) as { ok: true; value: Parameters<typeof projectionsFor>[0] }).value));
  return {
    key: `${server.url}|acme|${user.id}`,
    identity: { serverUrl: server.url, user: { id: user.id, displayName: 'Tester', email: null, kind: role === 'guest' ? 'guest' : 'account' }, tenant: { id: 'acme', name: 'Acme' }, role },
    db: engine.db,
    client: engine.client,
  };
}

const draft = (title: string, amount: number) => ({ title, description: 'Plain <b>text</b>', price: { amount, currency: 'USD' }, category: 'home', tags: ['kitchen'], images: [], status: 'active' });

async function stockLevel(productId: string): Promise<number | undefined> {
  return (await storedDoc(server, roomNames.stock('acme'))).getMap<number>(STOCK_LEVELS).get(productId);
}

describe('admin commands', () => {
  it('a product created offline with initial stock: the stock change waits for the product to reach the server, then is accepted', async () => {
    server = await startTestServer();
    const admin = await addUser(server, 'acme', 'admin', 'Ada');
    const handle = await start(admin, 'admin', false);
    const saved = saveProduct(handle, { id: 'p_mug', draft: draft('Mug', 1250) });
    expect(saved.ok).toBe(true);
    const requested = await requestStockAdjustment(handle, { productId: 'p_mug', delta: 7, reason: 'received' }, new Map());
    expect(requested.ok).toBe(true);
    // Not sent yet: the referee would refuse a product it has never seen.
    expect((await handle.db.kv.findOne(DEFERRED_STOCK_KV_ID).exec())?.toJSON().data.items).toHaveLength(1);
    expect(await handle.db.intents.count().exec()).toBe(0);
    await flushDeferredStock(handle, new Map());
    expect(await handle.db.intents.count().exec()).toBe(0);

    engine!.network.set(true);
    await eventually(async () => {
      await flushDeferredStock(handle, new Map());
      expect(await handle.db.intents.count({ selector: { kind: SHOP_INTENTS.adjustStock } }).exec()).toBe(1);
    });
    await eventually(async () => expect((await handle.db.intents.findOne().exec())?.status).toBe('accepted'));
    expect(await stockLevel('p_mug')).toBe(7);
    expect((await handle.db.kv.findOne(DEFERRED_STOCK_KV_ID).exec())?.toJSON().data.items).toEqual([]);
    expect((await storedDoc(server, roomNames.catalog('acme'))).getMap(CATALOG_PRODUCTS).get('p_mug')).toMatchObject({ title: 'Mug', version: 1 });
  });

  it('edits bump the version and keep the creation time; archive and unarchive; bad drafts write nothing', async () => {
    server = await startTestServer();
    const admin = await addUser(server, 'acme', 'admin', 'Ada');
    const handle = await start(admin, 'admin');
    const created = saveProduct(handle, { id: 'p_pen', draft: draft('Pen', 300), now: 1_000 });
    const edited = saveProduct(handle, { id: 'p_pen', draft: draft('Blue pen', 350), now: 2_000 });
    expect(created.ok && edited.ok && [edited.value.version, edited.value.createdAt, edited.value.title]).toEqual([2, 1_000, 'Blue pen']);
    const archived = setArchived(handle, storedProduct(handle, 'p_pen')!, true, 3_000);
    expect(archived.ok && archived.value.status).toBe('archived');
    const bad = saveProduct(handle, { id: 'p_pen', draft: { ...draft('', -1), tags: ['a', 'A'] } });
    expect(!bad.ok && 'fields' in bad.error && bad.error.fields.map((field) => field.field).sort()).toEqual(['price.amount', 'tags.1', 'title']);
    expect(storedProduct(handle, 'p_pen')).toMatchObject({ status: 'archived', version: 3 });
    await eventually(async () => expect((await storedDoc(server, roomNames.catalog('acme'))).getMap(CATALOG_PRODUCTS).get('p_pen')).toMatchObject({ version: 3 }));
  });

  it('a member cannot write the catalog from this client', async () => {
    server = await startTestServer();
    const member = await addUser(server, 'acme', 'member', 'Max');
    const handle = await start(member, 'member');
    const result = saveProduct(handle, { id: 'p_x', draft: draft('X', 100) });
    expect(!result.ok && result.error.code).toBe('read-only');
  });
});

describe('cart and checkout', () => {
  async function seedShop(units: number): Promise<{ admin: TestUser; products: Product[] }> {
    const admin = await addUser(server, 'acme', 'admin', 'Ada');
    const writer = connectClient(server, roomNames.catalog('acme'), admin.token);
    await whenSynced(writer.provider);
    const products: Product[] = ['mug', 'pen'].map((id, index) => ({ id, title: id.toUpperCase(), description: '', price: { amount: 1000 + index, currency: 'USD' }, category: 'home', tags: [], images: [], status: 'active', createdAt: 1, updatedAt: 1, version: 1 }) as unknown as Product);
    for (const item of products) writer.doc.getMap(CATALOG_PRODUCTS).set(item.id, item);
    const outbox = connectClient(server, roomNames.outbox('acme', admin.id), admin.token);
    const inbox = connectClient(server, roomNames.inbox('acme', admin.id), admin.token);
    await Promise.all([whenSynced(outbox.provider), whenSynced(inbox.provider)]);
    await eventually(async () => expect((await storedDoc(server, roomNames.catalog('acme'))).getMap(CATALOG_PRODUCTS).size).toBe(2));
    for (const item of products) writeIntent(outbox.doc, SHOP_INTENTS.adjustStock, { productId: item.id, delta: units, reason: 'received' });
    await eventually(async () => expect(await stockLevel('pen')).toBe(units));
    destroyAll(writer.provider, outbox.provider, inbox.provider);
    return { admin, products };
  }

  it('two devices of one user adding the same product concurrently never double the quantity', async () => {
    server = await startTestServer();
    const { products } = await seedShop(10);
    const customer = await addUser(server, 'acme', 'member', 'Cy');
    const handle = await start(customer, 'member');
    const catalog = catalogOf(products);
    expect(cartCommands.add(handle, 'mug', 1, catalog).ok).toBe(true);
    const other = connectClient(server, roomNames.user('acme', customer.id), customer.token);
    await whenSynced(other.provider);
    await eventually(() => expect(other.doc.getMap(USER_CART).get('mug')).toMatchObject({ quantity: 1 }));
    // Both devices go offline and each adds one more to the line of 1.
    engine!.network.set(false);
    other.provider.disconnect();
    expect(cartCommands.add(handle, 'mug', 1, catalog).ok).toBe(true);
    const theirs = addToCart(cartFromEntries(other.doc.getMap(USER_CART).entries()).cart, { productId: 'mug', quantity: 1 }, catalog, Date.now());
    other.doc.transact(() => {
      for (const write of theirs.ok ? theirs.value.writes : []) if (write.kind === 'set') other.doc.getMap(USER_CART).set(write.productId, write.line);
    });
    engine!.network.set(true);
    other.provider.connect();
    await eventually(() => {
      expect(currentCart(handle).lines.map((line) => [line.productId, line.quantity])).toEqual([['mug', 2]]);
      expect(cartFromEntries(other.doc.getMap(USER_CART).entries()).cart.lines.map((line) => line.quantity)).toEqual([2]);
    });
    destroyAll(other.provider);
  });

  it('checkout: pending with an accepted prediction, decided by the referee, then the bought lines leave the cart', async () => {
    server = await startTestServer();
    const { products } = await seedShop(3);
    const customer = await addUser(server, 'acme', 'member', 'Cy');
    const handle = await start(customer, 'member');
    const catalog = catalogOf(products);
    cartCommands.add(handle, 'mug', 2, catalog);
    cartCommands.add(handle, 'pen', 1, catalog);
    await eventually(async () => expect((await handle.db.kv.findOne(CART_KV_ID).exec())?.toJSON().data.lines).toHaveLength(2));
    const stock = new Map([
      ['mug', 3],
      ['pen', 3],
    ]);
    const sent = await submitCheckout(handle, { catalog, stock, taxBps: 0, expectedTotal: 2 * 1000 + 1001 });
    expect(sent.ok).toBe(true);
    const id = sent.ok ? sent.value : '';
    const pending = (await handle.db.intents.findOne(id).exec())!.toJSON();
    expect(pending.status === 'pending' || pending.status === 'accepted').toBe(true);
    expect(pending.prediction as CheckoutPrediction).toEqual({ kind: 'accepted', subtotal: 3001, tax: 0, total: 3001, currency: 'USD', units: 3 });
    await eventually(async () => expect((await handle.db.intents.findOne(id).exec())?.status).toBe('accepted'));
    const record = (await handle.db.intents.findOne(id).exec())!.toJSON();
    expect(record.decision).toMatchObject({ result: { number: 'P-000001', total: 3001 } });
    cartCommands.removeLines(handle, linesBoughtBy(currentCart(handle), record as never));
    expect(currentCart(handle).lines).toEqual([]);
    expect(await stockLevel('mug')).toBe(1);
    await eventually(async () => expect((await handle.db.orders.find().exec()).map((row) => (row.toJSON().data as { number: string }).number)).toEqual(['P-000001']));
  });

  it('a checkout at a price the shop no longer charges is predicted and decided as refused, and the cart stays', async () => {
    server = await startTestServer();
    const { products } = await seedShop(3);
    const customer = await addUser(server, 'acme', 'member', 'Cy');
    const handle = await start(customer, 'member');
    const stale = catalogOf(products.map((item) => (item.id === 'mug' ? { ...item, price: { ...item.price, amount: 900 } } : item)) as Product[]);
    cartCommands.add(handle, 'mug', 1, stale);
    const sent = await submitCheckout(handle, { catalog: catalogOf(products), stock: new Map([['mug', 3]]), taxBps: null, expectedTotal: null });
    const id = sent.ok ? sent.value : '';
    expect(((await handle.db.intents.findOne(id).exec())!.toJSON().prediction as CheckoutPrediction).kind).toBe('rejected');
    await eventually(async () => expect((await handle.db.intents.findOne(id).exec())?.toJSON().decision).toMatchObject({ reason: { code: 'price-changed' } }));
    expect(currentCart(handle).lines).toHaveLength(1);
    void Y;
  });
});
