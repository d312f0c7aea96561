import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { CATALOG_PRODUCTS } from '../../../../shared/sync/layouts/catalog.ts';
import { INBOX_ORDERS, ORDERS_ACTIVE, SHOP_INTENTS, STOCK_LEVELS } from '../../../../shared/sync/layouts/shop.ts';
import { monthKey, roomNames } from '../../../../shared/sync/rooms.ts';
import type { RunningServer } from '../../server.ts';
import { addUser, connectClient, eventually, startTestServer, storedDoc, whenSynced, type TestUser } from '../../test-support/harness.ts';
import { decisionIn, writeIntent } from '../../test-support/intents.ts';

let server: RunningServer;
const providers: Array<{ destroy(): void }> = [];
afterEach(async () => {
  for (const provider of providers.splice(0)) provider.destroy();
  await server?.close();
});

function product(id: string, amount = 1500, status = 'active') {
  return { id, title: `Product ${id}`, description: '', price: { amount, currency: 'USD' }, category: 'home', tags: [], images: [], status, createdAt: 1_700_000_000_000, updatedAt: 1_700_000_000_000, version: 1 };
}

async function open(room: string, user: TestUser, doc?: Y.Doc) {
  const client = connectClient(server, room, user.token, doc ? { doc } : {});
  providers.push(client.provider);
  await whenSynced(client.provider);
  return client.doc;
}

async function shopWithStock(units: number, price = 1500) {
  const admin = await addUser(server, 'acme', 'admin', 'Ada');
  const catalog = await open(roomNames.catalog('acme'), admin);
  catalog.getMap(CATALOG_PRODUCTS).set('mug', product('mug', price));
  const adminOutbox = await open(roomNames.outbox('acme', admin.id), admin);
  const adminInbox = await open(roomNames.inbox('acme', admin.id), admin);
  await eventually(async () => expect((await storedDoc(server, roomNames.catalog('acme'))).getMap(CATALOG_PRODUCTS).has('mug')).toBe(true));
  const adjust = writeIntent(adminOutbox, SHOP_INTENTS.adjustStock, { productId: 'mug', delta: units, reason: 'received' });
  await eventually(() => expect(decisionIn(adminInbox, adjust)?.status).toBe('accepted'));
  return { admin, catalog, adminOutbox, adminInbox };
}

function checkoutPayload(quantity = 1, amount = 1500) {
  return { lines: [{ productId: 'mug', quantity, unitPriceSeen: { amount, currency: 'USD' } }], currency: 'USD' };
}

async function stockLevel(): Promise<number | undefined> {
  return (await storedDoc(server, roomNames.stock('acme'))).getMap<number>(STOCK_LEVELS).get('mug');
}

describe('commerce referee', () => {
  it('last unit, two customers checking out offline: exactly one order, the other out of stock, stock 0', async () => {
    server = await startTestServer();
    await shopWithStock(1);
    const customers = [await addUser(server, 'acme', 'member', 'Cy'), await addUser(server, 'acme', 'member', 'Di')];
    const offline = customers.map((customer) => ({ customer, outbox: new Y.Doc() }));
    const ids = offline.map(({ outbox }) => writeIntent(outbox, SHOP_INTENTS.checkout, checkoutPayload()));
    const inboxes: Y.Doc[] = [];
    for (const { customer, outbox } of offline) {
      await open(roomNames.outbox('acme', customer.id), customer, outbox);
      inboxes.push(await open(roomNames.inbox('acme', customer.id), customer));
    }
    await eventually(() => expect(inboxes.map((inbox, index) => decisionIn(inbox, ids[index]!)?.status).sort()).toEqual(['accepted', 'rejected']));
    const loser = inboxes.findIndex((inbox, index) => decisionIn(inbox, ids[index]!)?.status === 'rejected');
    expect(decisionIn(inboxes[loser]!, ids[loser]!)?.reason?.code).toBe('out-of-stock');
    expect(await stockLevel()).toBe(0);
    const winner = 1 - loser;
    expect(inboxes[winner]!.getMap(INBOX_ORDERS).get(ids[winner]!)).toMatchObject({ status: 'placed', total: 1500, number: 'P-000001' });
  });

  it('an admin’s offline stock adjustment in between is decided in arrival order', async () => {
    server = await startTestServer();
    const { admin } = await shopWithStock(1);
    const customer = await addUser(server, 'acme', 'member', 'Cy');
    const adminOffline = new Y.Doc();
    const customerOffline = new Y.Doc();
    const adjust = writeIntent(adminOffline, SHOP_INTENTS.adjustStock, { productId: 'mug', delta: 2, reason: 'received' });
    const buy = writeIntent(customerOffline, SHOP_INTENTS.checkout, checkoutPayload(3));
    const customerInbox = await open(roomNames.inbox('acme', customer.id), customer);
    await open(roomNames.outbox('acme', customer.id), customer, customerOffline);
    await eventually(() => expect(decisionIn(customerInbox, buy)?.reason?.code).toBe('insufficient-stock'));
    const adminInbox = await open(roomNames.inbox('acme', admin.id), admin);
    await open(roomNames.outbox('acme', admin.id), admin, adminOffline);
    await eventually(() => expect(decisionIn(adminInbox, adjust)?.status).toBe('accepted'));
    expect(await stockLevel()).toBe(3);
  });

  it('50 concurrent checkouts for 10 units: exactly 10 accepted, stock 0, order numbers unique', async () => {
    server = await startTestServer();
    await shopWithStock(10);
    const customers = await Promise.all(Array.from({ length: 50 }, (_unused, index) => addUser(server, 'acme', 'member', `C${index}`)));
    const placed = await Promise.all(
      customers.map(async (customer) => {
        const outbox = await open(roomNames.outbox('acme', customer.id), customer);
        const inbox = await open(roomNames.inbox('acme', customer.id), customer);
        return { id: writeIntent(outbox, SHOP_INTENTS.checkout, checkoutPayload()), inbox };
      }),
    );
    await eventually(() => expect(placed.every(({ id, inbox }) => decisionIn(inbox, id) !== undefined)).toBe(true), 20_000);
    const accepted = placed.filter(({ id, inbox }) => decisionIn(inbox, id)?.status === 'accepted');
    expect(accepted).toHaveLength(10);
    const numbers = accepted.map(({ id, inbox }) => (decisionIn(inbox, id)?.result as { number: string }).number);
    expect(new Set(numbers).size).toBe(10);
    expect(numbers.sort()).toEqual(Array.from({ length: 10 }, (_unused, index) => `P-${String(index + 1).padStart(6, '0')}`));
    expect(await stockLevel()).toBe(0);
  });

  it('rejects a changed price, an archived product, and a customer adjusting stock', async () => {
    server = await startTestServer();
    const { catalog } = await shopWithStock(5, 1500);
    const customer = await addUser(server, 'acme', 'member', 'Cy');
    const outbox = await open(roomNames.outbox('acme', customer.id), customer);
    const inbox = await open(roomNames.inbox('acme', customer.id), customer);
    const stale = writeIntent(outbox, SHOP_INTENTS.checkout, checkoutPayload(1, 999));
    const forbidden = writeIntent(outbox, SHOP_INTENTS.adjustStock, { productId: 'mug', delta: 100, reason: 'received' });
    await eventually(() => {
      expect(decisionIn(inbox, stale)).toMatchObject({ status: 'rejected', reason: { code: 'price-changed' } });
      expect(decisionIn(inbox, forbidden)).toMatchObject({ status: 'rejected', reason: { code: 'forbidden' } });
    });
    catalog.getMap(CATALOG_PRODUCTS).set('mug', product('mug', 1500, 'archived'));
    await new Promise((resolve) => setTimeout(resolve, 150));
    const archived = writeIntent(outbox, SHOP_INTENTS.checkout, checkoutPayload());
    await eventually(() => expect(decisionIn(inbox, archived)?.reason?.code).toBe('archived'));
    expect(await stockLevel()).toBe(5);
  });

  it('an order moves placed → paid → fulfilled by admin intents; the customer sees each status; cancelling returns stock', async () => {
    server = await startTestServer();
    const { adminOutbox, adminInbox } = await shopWithStock(3);
    const customer = await addUser(server, 'acme', 'member', 'Cy');
    const outbox = await open(roomNames.outbox('acme', customer.id), customer);
    const inbox = await open(roomNames.inbox('acme', customer.id), customer);
    const first = writeIntent(outbox, SHOP_INTENTS.checkout, checkoutPayload(2));
    const second = writeIntent(outbox, SHOP_INTENTS.checkout, checkoutPayload(1));
    await eventually(() => expect([decisionIn(inbox, first)?.status, decisionIn(inbox, second)?.status]).toEqual(['accepted', 'accepted']));
    const month = monthKey(Date.now());
    const move = (orderId: string, to: string) => writeIntent(adminOutbox, SHOP_INTENTS.setOrderStatus, { orderId, to, customerId: customer.id, month });
    const paid = move(first, 'paid');
    await eventually(() => expect(inbox.getMap(INBOX_ORDERS).get(first)).toMatchObject({ status: 'paid', payment: 'paid' }));
    const fulfilled = move(first, 'fulfilled');
    await eventually(() => expect(inbox.getMap(INBOX_ORDERS).has(first)).toBe(false));
    const history = await open(roomNames.history('acme', customer.id, month), customer);
    await eventually(() => expect(history.getMap('orders').get(first)).toMatchObject({ status: 'fulfilled' }));
    expect([decisionIn(adminInbox, paid)?.status, decisionIn(adminInbox, fulfilled)?.status]).toEqual(['accepted', 'accepted']);
    expect(await stockLevel()).toBe(0);
    const cancel = move(second, 'cancelled');
    await eventually(() => expect(decisionIn(adminInbox, cancel)?.status).toBe('accepted'));
    expect(await stockLevel()).toBe(1);
    const again = move(first, 'paid');
    await eventually(() => expect(decisionIn(adminInbox, again)?.reason?.code).toBe('invalid-transition'));
    // A customer cannot move orders.
    const selfPay = writeIntent(outbox, SHOP_INTENTS.setOrderStatus, { orderId: second, to: 'paid', customerId: customer.id, month });
    await eventually(() => expect(decisionIn(inbox, selfPay)?.reason?.code).toBe('forbidden'));
    const ordersRoom = await open(roomNames.orders('acme'), (await addUser(server, 'acme', 'admin')));
    expect([...ordersRoom.getMap(ORDERS_ACTIVE).keys()]).toEqual([]);
  });
});
