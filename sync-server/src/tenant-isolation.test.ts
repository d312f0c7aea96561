/**
 * Tenant isolation for the shop, one test per case: a member of tenant A (acme) against tenant
 * B's (globex) catalog, stock, orders, users and inbox over WebSocket, HTTP and the operator's
 * admin API; a forged tenant in a path or a body; a token of A replayed against B by someone who
 * belongs to both; and a customer writing the catalog or the stock of their own tenant.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type * as Y from 'yjs';
import { CATALOG_PRODUCTS } from '../../shared/sync/layouts/catalog.ts';
import { png as pngBytes } from '../../shared/domain/commerce/test-support/images.ts';
import { INBOX_ORDERS, ORDERS_ACTIVE, SHOP_INTENTS, STOCK_LEVELS } from '../../shared/sync/layouts/shop.ts';
import { monthKey, roomNames } from '../../shared/sync/rooms.ts';
import type { RunningServer } from './server.ts';
import { call } from './test-support/api.ts';
import { addUser, connectClient, destroyAll, eventually, rawClient, startTestServer, storedDoc, whenSynced, type TestUser } from './test-support/harness.ts';
import { decisionIn, writeIntent } from './test-support/intents.ts';

let server: RunningServer;
/** Tenant A. */
let customerA: TestUser;
let adminA: TestUser;
/** Tenant B, with a product, stock and an order of `customerB`. */
let adminB: TestUser;
let customerB: TestUser;
/** A member of A whose token is A's, and who is also an admin of B. */
let both: TestUser;
let orderB: { id: string; month: string };
const providers: Array<{ destroy(): void; doc: Y.Doc }> = [];

function product(id: string, amount = 1500) {
  return { id, title: `Product ${id}`, description: '', price: { amount, currency: 'USD' }, category: 'home', tags: [], images: [], status: 'active', createdAt: 1_700_000_000_000, updatedAt: 1_700_000_000_000, version: 1 };
}

async function open(room: string, user: TestUser): Promise<Y.Doc> {
  const client = connectClient(server, room, user.token);
  providers.push(client.provider);
  await whenSynced(client.provider);
  return client.doc;
}

/** Writes an intent as `user` and waits for its decision. */
async function decide(user: TestUser, kind: string, payload: unknown) {
  const outbox = await open(roomNames.outbox(user.tenant, user.id), user);
  const inbox = await open(roomNames.inbox(user.tenant, user.id), user);
  const id = writeIntent(outbox, kind, payload);
  return eventually(() => {
    const decision = decisionIn(inbox, id);
    expect(decision).toBeDefined();
    return decision!;
  }, 20_000);
}

async function droppedWrites(): Promise<number> {
  return (await server.metrics.droppedWrites.get()).values.reduce((sum, entry) => sum + entry.value, 0);
}

/** What B's shop holds in the store: a snapshot to compare after each attack. */
async function shopOfB() {
  const [catalog, stock, orders] = await Promise.all([storedDoc(server, roomNames.catalog('globex')), storedDoc(server, roomNames.stock('globex')), storedDoc(server, roomNames.orders('globex'))]);
  return { products: catalog.getMap(CATALOG_PRODUCTS).toJSON(), stock: stock.getMap(STOCK_LEVELS).toJSON(), orders: orders.getMap(ORDERS_ACTIVE).toJSON() };
}

beforeAll(async () => {
  server = await startTestServer({ testReferee: false });
  customerA = await addUser(server, 'acme', 'member', 'Alice');
  adminA = await addUser(server, 'acme', 'admin', 'Ada');
  adminB = await addUser(server, 'globex', 'admin', 'Bea');
  customerB = await addUser(server, 'globex', 'member', 'Bo');
  both = await addUser(server, 'acme', 'member', 'Dual');
  await server.directory.setRole('globex', both.id, 'admin');

  for (const [admin, id] of [
    [adminA, 'mug-a'],
    [adminB, 'mug-b'],
  ] as const) {
    const catalog = await open(roomNames.catalog(admin.tenant), admin);
    catalog.getMap(CATALOG_PRODUCTS).set(id, product(id));
    await eventually(async () => expect((await storedDoc(server, roomNames.catalog(admin.tenant))).getMap(CATALOG_PRODUCTS).has(id)).toBe(true));
    expect((await decide(admin, SHOP_INTENTS.adjustStock, { productId: id, delta: 5, reason: 'received' })).status).toBe('accepted');
  }
  const bought = await decide(customerB, SHOP_INTENTS.checkout, { lines: [{ productId: 'mug-b', quantity: 1, unitPriceSeen: { amount: 1500, currency: 'USD' } }], currency: 'USD' });
  expect(bought.status).toBe('accepted');
  orderB = { id: (bought.result as { orderId: string }).orderId, month: monthKey(Date.now()) };
}, 60_000);

afterAll(async () => {
  for (const provider of providers.splice(0)) destroyAll(provider as never);
  await server.close();
});

describe('over WebSocket: refused at the upgrade with 4403 and not one byte of the document', () => {
  async function expectRefused(room: string, token: string): Promise<void> {
    const client = rawClient(server, room, token);
    const closed = await client.closed;
    expect(closed.code).toBe(4403);
    expect(client.messages).toEqual([]);
  }

  it.each([
    ["B's catalog", () => roomNames.catalog('globex')],
    ["B's stock", () => roomNames.stock('globex')],
    ["B's active orders", () => roomNames.orders('globex')],
    ["B's orders of this month", () => roomNames.orders('globex', orderB.month)],
    ["a B user's inbox", () => roomNames.inbox('globex', customerB.id)],
    ["a B user's private room (cart)", () => roomNames.user('globex', customerB.id)],
    ["a B user's outbox (writing intents as them)", () => roomNames.outbox('globex', customerB.id)],
    ["a B user's order history", () => roomNames.history('globex', customerB.id, orderB.month)],
  ])("a member of A opening %s", async (_label, room) => {
    await expectRefused(room(), customerA.token);
  });

  it("an admin of A opening B's catalog (to write it)", async () => {
    await expectRefused(roomNames.catalog('globex'), adminA.token);
  });

  it.each([
    ['inbox', () => roomNames.inbox('globex', customerA.id)],
    ['outbox', () => roomNames.outbox('globex', customerA.id)],
    ['private room', () => roomNames.user('globex', customerA.id)],
  ])('a forged tenant in the path: their own %s under B', async (_label, room) => {
    await expectRefused(room(), customerA.token);
  });

  it.each([
    ['catalog', () => roomNames.catalog('globex')],
    ['stock', () => roomNames.stock('globex')],
    ['orders', () => roomNames.orders('globex')],
    ['own inbox in B', () => roomNames.inbox('globex', both.id)],
  ])("A's token replayed against B's %s by a user who is an admin of B too", async (_label, room) => {
    await expectRefused(room(), both.token);
    // The same user with a token of B gets in: it is the token's tenant that decides.
    const { token } = await server.tokens.issue({ tenant: 'globex', user: both.id, role: 'admin', name: 'Dual', session: `s-${both.id}-b`, kind: 'account' }, 600);
    const allowed = rawClient(server, room(), token);
    await allowed.opened;
    await eventually(() => expect(allowed.messages.length).toBeGreaterThan(0));
    allowed.ws.close();
  });
});

describe('a customer writing the catalog or the stock of their own tenant', () => {
  it('a product written into the catalog by a customer is dropped: not stored, not relayed', async () => {
    const watcher = await open(roomNames.catalog('acme'), adminA);
    const doc = await open(roomNames.catalog('acme'), customerA);
    const before = await droppedWrites();
    doc.getMap(CATALOG_PRODUCTS).set('free-stuff', product('free-stuff', 1));
    doc.getMap(CATALOG_PRODUCTS).set('mug-a', product('mug-a', 1));
    // The server counts the dropped write; nothing of it reaches the store or other clients.
    await eventually(async () => expect(await droppedWrites()).toBeGreaterThan(before));
    const stored = (await storedDoc(server, roomNames.catalog('acme'))).getMap(CATALOG_PRODUCTS);
    expect(stored.has('free-stuff')).toBe(false);
    expect((stored.get('mug-a') as { price: { amount: number } }).price.amount).toBe(1500);
    expect(watcher.getMap(CATALOG_PRODUCTS).has('free-stuff')).toBe(false);
  });

  it('stock written directly by a customer is dropped: not stored, not relayed', async () => {
    const watcher = await open(roomNames.stock('acme'), adminA);
    const doc = await open(roomNames.stock('acme'), customerA);
    const before = await droppedWrites();
    doc.getMap(STOCK_LEVELS).set('mug-a', 1_000_000);
    await eventually(async () => expect(await droppedWrites()).toBeGreaterThan(before));
    expect((await storedDoc(server, roomNames.stock('acme'))).getMap(STOCK_LEVELS).get('mug-a')).toBe(5);
    expect(watcher.getMap(STOCK_LEVELS).get('mug-a')).toBe(5);
  });

  it('an adjustStock intent from a customer is rejected as forbidden and the stock is unchanged', async () => {
    const decision = await decide(customerA, SHOP_INTENTS.adjustStock, { productId: 'mug-a', delta: 100, reason: 'received' });
    expect(decision).toMatchObject({ status: 'rejected', reason: { code: 'forbidden' } });
    expect((await storedDoc(server, roomNames.stock('acme'))).getMap(STOCK_LEVELS).get('mug-a')).toBe(5);
  });
});

describe('intents that name another tenant are decided in the author’s tenant only', () => {
  it('a checkout with a forged tenant in its body is rejected as invalid; B is untouched', async () => {
    const before = await shopOfB();
    const decision = await decide(customerA, SHOP_INTENTS.checkout, { tenant: 'globex', lines: [{ productId: 'mug-b', quantity: 1, unitPriceSeen: { amount: 1500, currency: 'USD' } }], currency: 'USD' });
    expect(decision).toMatchObject({ status: 'rejected', reason: { code: 'invalid' } });
    expect(await shopOfB()).toEqual(before);
  });

  it("a checkout of B's product id finds no such product in A; B's stock is untouched", async () => {
    const before = await shopOfB();
    const decision = await decide(customerA, SHOP_INTENTS.checkout, { lines: [{ productId: 'mug-b', quantity: 1, unitPriceSeen: { amount: 1500, currency: 'USD' } }], currency: 'USD' });
    expect(decision.status).toBe('rejected');
    expect(await shopOfB()).toEqual(before);
  });

  it("A's admin adjusting the stock of B's product is told there is no such product; B's stock is untouched", async () => {
    const before = await shopOfB();
    const decision = await decide(adminA, SHOP_INTENTS.adjustStock, { productId: 'mug-b', delta: 5, reason: 'received' });
    expect(decision).toMatchObject({ status: 'rejected', reason: { code: 'unknown-product' } });
    expect(await shopOfB()).toEqual(before);
  });

  it("A's admin moving B's order (its id, month and customer forged into the body) finds no such order", async () => {
    const before = await shopOfB();
    const decision = await decide(adminA, SHOP_INTENTS.setOrderStatus, { orderId: orderB.id, to: 'cancelled', customerId: customerB.id, month: orderB.month });
    expect(decision).toMatchObject({ status: 'rejected', reason: { code: 'unknown-order' } });
    expect(await shopOfB()).toEqual(before);
    // B's customer still has the order, placed, in their inbox.
    const inbox = await storedDoc(server, roomNames.inbox('globex', customerB.id));
    expect((inbox.getMap(INBOX_ORDERS).get(orderB.id) as { status: string } | undefined)?.status).toBe('placed');
  });
});

describe('over HTTP', () => {
  it.each([
    ["list B's users", 'GET', '/api/tenants/globex/members', undefined],
    ["read B's settings", 'GET', '/api/tenants/globex', undefined],
    ["change B's settings", 'PATCH', '/api/tenants/globex', { taxBps: 0 }],
    ["invite into B", 'POST', '/api/tenants/globex/invites', { role: 'admin' }],
    ["change a B user's role", 'PUT', '/api/tenants/globex/members/CUSTOMER_B', { role: 'admin' }],
    ["remove a B user", 'DELETE', '/api/tenants/globex/members/CUSTOMER_B', undefined],
    ["make a reset link for a B user", 'POST', '/api/tenants/globex/members/CUSTOMER_B/reset-link', undefined],
    ["read B's AI spend", 'GET', '/api/tenants/globex/llm/spend', undefined],
  ])("A's admin cannot %s (403)", async (_label, method, route, body) => {
    const result = await call(server, method, route.replace('CUSTOMER_B', customerB.id), { token: adminA.token, ...(body ? { body } : {}) });
    expect(result.status).toBe(403);
    expect(result.json).toMatchObject({ error: { code: 'forbidden' } });
  });

  it("A's token replayed against B's paths by a user who is an admin of B too is refused (403)", async () => {
    const result = await call(server, 'GET', '/api/tenants/globex/members', { token: both.token });
    expect(result.status).toBe(403);
  });

  it("an image upload with A's admin token lands in A only, whatever tenant the path or query names", async () => {
    const png = pngBytes(9, 8, 7, 6);
    const uploaded = await call<{ hash: string }>(server, 'POST', '/api/blobs?tenant=globex', { token: adminA.token, rawBody: png, headers: { 'content-type': 'image/png' } });
    expect(uploaded.status).toBe(201);
    expect((await fetch(`${server.url}/blobs/acme/${uploaded.json.hash}`)).status).toBe(200);
    expect((await fetch(`${server.url}/blobs/globex/${uploaded.json.hash}`)).status).toBe(404);
  });
});

describe("the operator's admin API", () => {
  it.each([
    ['list tenants', 'GET', '/api/admin/tenants', undefined],
    ["list B's members", 'GET', '/api/admin/tenants/globex/members', undefined],
    ['make a user in B', 'POST', '/api/admin/users', { tenant: 'globex', displayName: 'Mole', role: 'owner' }],
    ['join B as owner', 'PUT', '/api/admin/memberships', { tenant: 'globex', user: 'ADMIN_A', role: 'owner' }],
    ['mint a token for a B user', 'POST', '/api/admin/tokens', { tenant: 'globex', user: 'CUSTOMER_B' }],
    ["revoke a B user's session", 'POST', '/api/admin/sessions/revoke', { session: 's-CUSTOMER_B' }],
    ['make a reset link for a B user', 'POST', '/api/admin/users/CUSTOMER_B/reset-link', undefined],
  ])("refuses a tenant admin's token to %s (401: the operator credential only)", async (_label, method, route, body) => {
    const fill = (text: string) => text.replaceAll('CUSTOMER_B', customerB.id).replaceAll('ADMIN_A', adminA.id);
    const result = await call(server, method, fill(route), { token: adminA.token, ...(body ? { body: JSON.parse(fill(JSON.stringify(body))) as unknown } : {}) });
    expect(result.status).toBe(401);
    expect(result.json).toMatchObject({ error: { code: 'unauthorized' } });
    expect(await server.directory.role('globex', adminA.id)).toBeNull();
    // B's customer is still a member with a live session.
    expect(await server.directory.role('globex', customerB.id)).toBe('member');
  });
});
