import { getRxStorageMemory } from 'rxdb/plugins/storage-memory';
import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { roomNames } from '../../../shared/sync/rooms.ts';
import type { RunningServer } from '../../../sync-server/src/server.ts';
import { addUser, connectClient, destroyAll, eventually, startTestServer, whenSynced } from '../../../sync-server/src/test-support/harness.ts';
import { catalogProjection } from './projections/catalog.ts';
import { fixedToken, startEngine, type Engine } from './test-support/engine-harness.ts';

let server: RunningServer;
let engine: Engine | null = null;
afterEach(async () => {
  await engine?.close();
  engine = null;
  await server?.close();
});

function product(id: string, title: string, amount = 1200) {
  return { id, title, description: '', price: { amount, currency: 'USD' }, category: 'home', tags: [], images: [], status: 'active', createdAt: 1_700_000_000_000, updatedAt: 1_700_000_000_000, version: 1 };
}

describe('client engine against a real server', () => {
  it('interop: a Plaza client and a stock y-websocket client edit the same room and converge', async () => {
    server = await startTestServer();
    const admin = await addUser(server, 'acme', 'admin', 'Ada');
    engine = await startEngine({ serverUrl: server.url, principal: { tenant: 'acme', user: admin.id, role: 'admin' }, tokens: fixedToken(admin.token) });
    const catalog = roomNames.catalog('acme');
    const replica = await engine.client.open(catalog, [catalogProjection]);
    const stock = connectClient(server, catalog, admin.token, { viaQuery: true });
    await whenSynced(stock.provider);
    replica.doc.getMap('products').set('p-plaza', product('p-plaza', 'From Plaza'));
    stock.doc.getMap('products').set('p-stock', product('p-stock', 'From a stock client'));
    await eventually(async () => {
      expect(stock.doc.getMap('products').has('p-plaza')).toBe(true);
      const rows = await engine!.db.products.find().exec();
      expect(rows.map((row) => row.id).sort()).toEqual(['p-plaza', 'p-stock']);
    });
    expect(engine.client.status$.value).toEqual({ kind: 'synced' });
    destroyAll(stock.provider);
  });

  it('offline: edits are kept, shown as pending, and sent on reconnect; status goes offline → pending → synced', async () => {
    server = await startTestServer();
    const alice = await addUser(server, 'acme', 'member', 'Alice');
    engine = await startEngine({ serverUrl: server.url, principal: { tenant: 'acme', user: alice.id, role: 'member' }, tokens: fixedToken(alice.token) });
    const room = roomNames.user('acme', alice.id);
    const replica = await engine.client.open(room);
    await eventually(() => expect(engine!.client.status$.value.kind).toBe('synced'));
    engine.network.set(false);
    expect(engine.client.status$.value).toEqual({ kind: 'offline' });
    replica.doc.getMap('settings').set('theme', 'dark');
    replica.doc.getMap('settings').set('language', 'fr');
    expect(engine.client.pendingCount).toBe(2);
    const other = connectClient(server, room, alice.token);
    await whenSynced(other.provider);
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(other.doc.getMap('settings').toJSON()).toEqual({});
    engine.network.set(true);
    await eventually(() => expect(other.doc.getMap('settings').toJSON()).toEqual({ theme: 'dark', language: 'fr' }));
    await eventually(() => expect(engine!.client.status$.value).toEqual({ kind: 'synced' }));
    expect(engine.client.pendingCount).toBe(0);
    destroyAll(other.provider);
  });

  it('offline edits survive a client restart (the Y state is in RxDB) and reach the server afterwards', async () => {
    server = await startTestServer();
    const alice = await addUser(server, 'acme', 'member', 'Alice');
    const storage = getRxStorageMemory();
    const principal = { tenant: 'acme', user: alice.id, role: 'member' as const };
    engine = await startEngine({ serverUrl: server.url, principal, tokens: fixedToken(alice.token), storage, online: false });
    const room = roomNames.user('acme', alice.id);
    let replica = await engine.client.open(room);
    replica.doc.getMap('drafts').set('note', 'written offline');
    await engine.close();
    engine = await startEngine({ serverUrl: server.url, principal, tokens: fixedToken(alice.token), storage, online: false });
    replica = await engine.client.open(room);
    expect(replica.doc.getMap('drafts').get('note')).toBe('written offline');
    expect(engine.client.pendingCount).toBe(1);
    engine.network.set(true);
    const other = connectClient(server, room, alice.token);
    await eventually(() => expect(other.doc.getMap('drafts').get('note')).toBe('written offline'));
    await eventually(() => expect(engine!.client.pendingCount).toBe(0));
    destroyAll(other.provider);
  });

  it('a rule-breaking product never freezes its writer: the next valid edit arrives; the bad one is hidden and reported', async () => {
    server = await startTestServer();
    const admin = await addUser(server, 'acme', 'admin', 'Ada');
    engine = await startEngine({ serverUrl: server.url, principal: { tenant: 'acme', user: admin.id, role: 'admin' }, tokens: fixedToken(admin.token) });
    const catalog = roomNames.catalog('acme');
    const replica = await engine.client.open(catalog, [catalogProjection]);
    const watcher = connectClient(server, catalog, admin.token);
    await Promise.all([whenSynced(watcher.provider), eventually(() => expect(replica.state).toBe('synced'))]);
    replica.doc.getMap('products').set('bad', { ...product('bad', ''), price: { amount: -5, currency: 'USD' } });
    replica.doc.getMap('products').set('good', product('good', 'A good mug'));
    await eventually(() => expect(watcher.doc.getMap('products').has('good')).toBe(true));
    await eventually(async () => {
      expect((await engine!.db.products.find().exec()).map((row) => row.id)).toEqual(['good']);
      expect(engine!.client.hidden$.value.map((hidden) => hidden.key)).toEqual(['bad']);
      expect(engine!.client.violations$.value.map((report) => report.path)).toContain('products.bad');
    });
    const metric = await server.metrics.ruleViolations.get();
    expect(metric.values.find((value) => value.labels.room_kind === 'catalog')?.value).toBe(1);
    destroyAll(watcher.provider);
  });

  it('intents: pending at once with a prediction, decided by the referee, trimmed from the outbox, archived', async () => {
    server = await startTestServer();
    const alice = await addUser(server, 'acme', 'member', 'Alice');
    engine = await startEngine({ serverUrl: server.url, principal: { tenant: 'acme', user: alice.id, role: 'member' }, tokens: fixedToken(alice.token), online: false });
    await engine.client.openPersonalRooms();
    const id = await engine.client.intents.submit('test.add', { amount: 4 }, { prediction: { counter: 4 } });
    expect(await engine.db.intents.findOne(id).exec()).toMatchObject({ status: 'pending', prediction: { counter: 4 } });
    engine.network.set(true);
    const decision = await engine.client.intents.decision(id);
    expect(decision).toMatchObject({ status: 'accepted', result: { counter: 4 } });
    await eventually(async () => expect((await engine!.db.intents.findOne(id).exec())?.status).toBe('accepted'));
    const outbox = engine.client.replica(roomNames.outbox('acme', alice.id))!;
    await eventually(() => expect(outbox.doc.getMap('intents').has(id)).toBe(false));
    const inbox = engine.client.replica(roomNames.inbox('acme', alice.id))!;
    await eventually(() => expect(inbox.doc.getMap('decisions').has(id)).toBe(false));
    // The record of the decision stays on the device.
    expect((await engine.db.intents.findOne(id).exec())?.status).toBe('accepted');
  });

  it('a local write to a read-only room is refused by the server and the replica rebuilds from it', async () => {
    server = await startTestServer();
    const admin = await addUser(server, 'acme', 'admin', 'Ada');
    const member = await addUser(server, 'acme', 'member', 'Max');
    const writer = connectClient(server, roomNames.catalog('acme'), admin.token);
    await whenSynced(writer.provider);
    writer.doc.getMap('products').set('real', product('real', 'Real product'));
    engine = await startEngine({ serverUrl: server.url, principal: { tenant: 'acme', user: member.id, role: 'member' }, tokens: fixedToken(member.token) });
    const replica = await engine.client.open(roomNames.catalog('acme'), [catalogProjection]);
    await eventually(async () => expect((await engine!.db.products.find().exec()).map((row) => row.id)).toEqual(['real']));
    const before = replica.doc;
    replica.doc.getMap('products').set('forged', product('forged', 'Forged'));
    await eventually(() => expect(replica.doc).not.toBe(before));
    await eventually(async () => {
      expect(replica.doc.getMap('products').has('forged')).toBe(false);
      expect((await engine!.db.products.find().exec()).map((row) => row.id)).toEqual(['real']);
    });
    destroyAll(writer.provider);
  });

  it('refreshes its token when the server refuses an expired one', async () => {
    server = await startTestServer();
    const alice = await addUser(server, 'acme', 'member', 'Alice');
    const expired = (await server.tokens.issue({ tenant: 'acme', user: alice.id, role: 'member', name: 'Alice', session: 's', kind: 'account' }, 60, Date.now() - 3_600_000)).token;
    let current = expired;
    let refreshes = 0;
    engine = await startEngine({
      serverUrl: server.url,
      principal: { tenant: 'acme', user: alice.id, role: 'member' },
      tokens: { current: () => current, refresh: async () => ((refreshes += 1), (current = alice.token)) },
    });
    const replica = await engine.client.open(roomNames.user('acme', alice.id));
    await eventually(() => expect(replica.state).toBe('synced'));
    expect(refreshes).toBe(1);
  });

  it('keeps offset and round trip to the server clock from time messages', async () => {
    server = await startTestServer();
    const alice = await addUser(server, 'acme', 'member', 'Alice');
    engine = await startEngine({ serverUrl: server.url, principal: { tenant: 'acme', user: alice.id, role: 'member' }, tokens: fixedToken(alice.token) });
    await engine.client.open(roomNames.user('acme', alice.id));
    await eventually(() => expect(engine!.client.clock$.value).not.toBeNull());
    const clock = engine.client.clock$.value!;
    expect(clock.rttMs).toBeGreaterThanOrEqual(0);
    expect(Math.abs(clock.offsetMs)).toBeLessThan(1000);
    expect(Math.abs(engine.client.serverNow() - Date.now())).toBeLessThan(1000);
    void Y;
  });
});
