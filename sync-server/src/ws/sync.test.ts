import * as decoding from 'lib0/decoding';
import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { MESSAGE } from '../../../shared/sync/protocol.ts';
import { roomNames } from '../../../shared/sync/rooms.ts';
import type { RunningServer } from '../server.ts';
import { addUser, connectClient, destroyAll, eventually, rawClient, startTestServer, whenSynced, type TestUser } from '../test-support/harness.ts';
import { STORE_KINDS, storeOverrides, type StoreKind } from '../test-support/stores.ts';

let server: RunningServer;

async function droppedWrites(running: RunningServer): Promise<number> {
  return (await running.metrics.droppedWrites.get()).values.reduce((sum, entry) => sum + entry.value, 0);
}

/** A server whose catalog room the admin writes and the member may only read. */
async function catalogServer(kind: StoreKind): Promise<{ admin: TestUser; member: TestUser; catalog: string }> {
  server = await startTestServer(await storeOverrides(kind));
  return { admin: await addUser(server, 'acme', 'admin'), member: await addUser(server, 'acme', 'member'), catalog: roomNames.catalog('acme') };
}

afterEach(async () => {
  await server?.close();
});

describe.each(STORE_KINDS)('sync protocol (%s store)', (kind) => {
  it('two stock clients (query token) and Plaza clients converge on a writable room', async () => {
    server = await startTestServer(await storeOverrides(kind));
    const alice = await addUser(server, 'acme');
    const room = roomNames.user('acme', alice.id);
    const a = connectClient(server, room, alice.token, { viaQuery: true });
    const b = connectClient(server, room, alice.token);
    await Promise.all([whenSynced(a.provider), whenSynced(b.provider)]);
    a.doc.getMap('settings').set('theme', 'dark');
    b.doc.getMap('settings').set('language', 'fr');
    await eventually(() => {
      expect(b.doc.getMap('settings').toJSON()).toEqual({ theme: 'dark', language: 'fr' });
      expect(a.doc.getMap('settings').toJSON()).toEqual({ theme: 'dark', language: 'fr' });
    });
    destroyAll(a.provider, b.provider);
  });

  it('stores every update before relaying it: a fresh client after a restart sees everything', async () => {
    const store = await storeOverrides(kind);
    server = await startTestServer(store);
    const alice = await addUser(server, 'acme');
    const room = roomNames.user('acme', alice.id);
    const a = connectClient(server, room, alice.token);
    await whenSynced(a.provider);
    for (let index = 0; index < 20; index += 1) a.doc.getArray('log').push([index]);
    await eventually(async () => {
      const stored = new Y.Doc();
      for (const update of (await server.store.rooms.load(room)).updates) Y.applyUpdate(stored, update.data);
      expect(stored.getArray('log').length).toBe(20);
    });
    destroyAll(a.provider);
    const dataDir = server.dataDir;
    await server.close();
    server = await startTestServer({ dataDir, ...store });
    const fresh = connectClient(server, room, alice.token);
    await whenSynced(fresh.provider);
    expect(fresh.doc.getArray('log').toArray()).toEqual([...Array(20).keys()]);
    destroyAll(fresh.provider);
  });

  it('a read-only connection receives updates; its writes are dropped and counted, never stored or relayed', async () => {
    const { admin, member, catalog } = await catalogServer(kind);
    const writer = connectClient(server, catalog, admin.token);
    const reader = connectClient(server, catalog, member.token);
    const third = connectClient(server, catalog, admin.token);
    await Promise.all([whenSynced(writer.provider), whenSynced(reader.provider), whenSynced(third.provider)]);
    writer.doc.getMap('products').set('p1', { title: 'Mug' });
    await eventually(() => expect(reader.doc.getMap('products').get('p1')).toEqual({ title: 'Mug' }));
    reader.doc.getMap('products').set('evil', { title: 'Forged' });
    await eventually(async () => expect(await server.metrics.droppedWrites.get()).toMatchObject({ values: [expect.objectContaining({ value: expect.any(Number) })] }));
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(third.doc.getMap('products').has('evil')).toBe(false);
    const stored = new Y.Doc();
    const loaded = await server.store.rooms.load(catalog);
    for (const update of [loaded.snapshot, ...loaded.updates.map((u) => u.data)]) if (update) Y.applyUpdate(stored, update);
    expect(stored.getMap('products').has('evil')).toBe(false);
    expect(stored.getMap('products').get('p1')).toEqual({ title: 'Mug' });
    destroyAll(writer.provider, reader.provider, third.provider);
  });

  it('a stock client reconnecting to a room it may only read, whose fields were overwritten, is not taken for a writer; a real write still is', async () => {
    const { admin, member, catalog } = await catalogServer(kind);
    const writer = connectClient(server, catalog, admin.token);
    // A stock provider on the Plaza subprotocol (so that it would be sent violation reports), and one with the query token.
    const reader = connectClient(server, catalog, member.token);
    const stock = connectClient(server, catalog, member.token, { viaQuery: true });
    const violations: unknown[] = [];
    reader.provider.messageHandlers[MESSAGE.violation] = (_encoder, decoder) => {
      violations.push(JSON.parse(decoding.readVarString(decoder)));
    };
    await Promise.all([whenSynced(writer.provider), whenSynced(reader.provider), whenSynced(stock.provider)]);
    for (const title of ['Mug', 'Blue mug', 'Big blue mug']) writer.doc.getMap('products').set('p1', { title });
    await eventually(() => {
      expect(reader.doc.getMap('products').get('p1')).toEqual({ title: 'Big blue mug' });
      expect(stock.doc.getMap('products').get('p1')).toEqual({ title: 'Big blue mug' });
    });
    // What the readers will answer on reconnecting: the overwritten titles' deletions, no struct.
    const answer = Y.decodeUpdate(Y.encodeStateAsUpdate(reader.doc, Y.encodeStateVector(server.rooms.loaded(catalog)!.doc)));
    expect(answer.structs).toHaveLength(0);
    expect(answer.ds.clients.size).toBeGreaterThan(0);

    for (const client of [reader, stock]) {
      client.provider.disconnect();
      client.provider.connect();
    }
    // Each answers the server's sync step 1 before it hears step 2, so both answers are in by now.
    await Promise.all([whenSynced(reader.provider), whenSynced(stock.provider)]);
    // A real write on the same socket is handled after the reconnect answer: once it is counted,
    // the answer before it was judged too.
    reader.doc.getMap('products').set('evil', { title: 'Forged' });
    await eventually(() => expect(violations).toHaveLength(1));
    expect(violations[0]).toMatchObject({ room: catalog, code: 'read-only' });
    expect(await droppedWrites(server)).toBe(1);
    expect(server.rooms.loaded(catalog)!.doc.getMap('products').has('evil')).toBe(false);
    destroyAll(writer.provider, reader.provider, stock.provider);
  });

  it('answers clock requests and sends an ack of what it stored to Plaza clients', async () => {
    server = await startTestServer(await storeOverrides(kind));
    const alice = await addUser(server, 'acme');
    const raw = rawClient(server, roomNames.user('acme', alice.id), alice.token);
    await raw.opened;
    raw.ws.send(new Uint8Array([100, 0, 0, 0, 0, 0, 0, 0, 0, 0]));
    await eventually(() => expect(raw.messages.some((message) => message[0] === 100 && message[1] === 1)).toBe(true));
    raw.ws.close();
  });
});
